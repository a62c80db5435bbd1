"""Online extras: large optional downloads (pretrained CLIP, ...) that a lesson fetches only when the
learner asks for them, never on its own because the machine happens to be online (Binder is)."""
from __future__ import annotations

import os
from pathlib import Path

from .registry import AssetNotFoundError, fetch, get_asset, locate

ENV_VAR = "COURSE_ONLINE_EXTRAS"  # "1" for all extras, or a comma-separated list of asset names


def asked_for(name: str, opt_in: bool = False, environ=None) -> bool:
    """True when the notebook's flag is set, or COURSE_ONLINE_EXTRAS is '1'/'true'/'yes'/'all' or names `name`."""
    if not isinstance(opt_in, bool):
        raise TypeError(f"opt_in must be a bool, got {type(opt_in).__name__}")
    environ = os.environ if environ is None else environ
    value = environ.get(ENV_VAR, "").strip().lower()
    return opt_in or value in ("1", "true", "yes", "all") or name.lower() in {v.strip() for v in value.split(",")}


def fetch_extra(name: str, *, opt_in: bool = False, fast: bool = False, flag: str = "opt_in") -> Path:
    """Path to an online extra that is already here, or that the learner asked to download.

    Raises AssetNotFoundError (which lessons catch to skip a section) in fast mode, when the extra is
    not here and nobody asked for it (the message says how to ask: set `flag` to True, or set
    COURSE_ONLINE_EXTRAS), or when the download fails.
    """
    asset = get_asset(name)
    if fast:
        raise AssetNotFoundError(f"fast mode never downloads online extras such as {name!r}")
    path, _ = locate(name)
    if path is not None:
        return path
    if not asked_for(name, opt_in):
        raise AssetNotFoundError(
            f"{name!r} ({asset.description}) is downloaded only when you ask for it: set {flag} = True "
            f"in this cell and run it again, or start Jupyter with {ENV_VAR}=1")
    return fetch(name)
