"""Verified downloads: stream to a temporary file, check SHA-256, then move into place atomically.

A failed or interrupted download never leaves a file at the destination, so a later call can
trust whatever it finds there.
"""
from __future__ import annotations

import hashlib
import http.client
import os
import shutil
import tempfile
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

from tqdm.auto import tqdm

CHUNK_BYTES = 1 << 20


class DownloadError(RuntimeError):
    """A download failed: no network, an HTTP error, a dropped connection or a wrong checksum."""


def sha256_of(path: str | os.PathLike) -> str:
    """Hex SHA-256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK_BYTES), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _temporary_sibling(dest: Path):
    dest.parent.mkdir(parents=True, exist_ok=True)
    return tempfile.NamedTemporaryFile(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part", delete=False)


def download_file(url: str, dest: str | os.PathLike, sha256: str | None, *, timeout: float = 30.0,
                  progress: bool = True) -> Path:
    """Download `url` to `dest`, verifying its SHA-256 (hex). Returns `dest` as a Path.

    sha256=None skips the check; only for archives whose extracted member is verified instead.

    Raises DownloadError naming the URL on any failure; `dest` is then left untouched.
    """
    if not isinstance(url, str) or not url.startswith(("http://", "https://", "file://")):
        raise ValueError(f"url must be an http(s) or file URL string, got {url!r}")
    if sha256 is not None and (not isinstance(sha256, str) or len(sha256) != 64):
        raise ValueError(f"sha256 must be a 64-character hex string (or None when the caller verifies "
                         f"what it extracts), got {sha256!r}")
    dest = Path(dest)
    partial = _temporary_sibling(dest)
    try:
        digest = hashlib.sha256()
        with partial, urllib.request.urlopen(url, timeout=timeout) as response:
            expected_size = int(response.headers.get("Content-Length") or 0) or None
            received = 0
            with tqdm(total=expected_size, unit="B", unit_scale=True, desc=dest.name,
                      disable=not progress, leave=False) as bar:
                for chunk in iter(lambda: response.read(CHUNK_BYTES), b""):
                    partial.write(chunk)
                    digest.update(chunk)
                    received += len(chunk)
                    bar.update(len(chunk))
        if expected_size is not None and received != expected_size:
            raise DownloadError(f"download of {url} was interrupted: got {received} of {expected_size} bytes")
        if sha256 is not None and digest.hexdigest() != sha256.lower():
            raise DownloadError(
                f"checksum mismatch for {url}: the file received is not the expected one "
                "(it may have changed upstream, or a proxy altered it); nothing was saved")
        os.replace(partial.name, dest)
        return dest
    except urllib.error.HTTPError as error:
        raise DownloadError(f"{url} answered HTTP {error.code} ({error.reason})") from error
    except urllib.error.URLError as error:
        raise DownloadError(f"could not reach {url} ({error.reason}); are you offline?") from error
    except (http.client.HTTPException, ConnectionError, TimeoutError) as error:
        raise DownloadError(f"download of {url} was interrupted ({type(error).__name__}: {error})") from error
    finally:
        if os.path.exists(partial.name):
            os.unlink(partial.name)


def extract_member(archive: str | os.PathLike, member: str, dest: str | os.PathLike,
                   sha256: str | None = None) -> Path:
    """Copy one member of a zip archive (wheels are zips) to `dest`, atomically.

    A member ending in '/' is a folder: everything below it is extracted and `dest` becomes that
    folder. `sha256`, if given, must match the extracted file.
    """
    dest = Path(dest)
    with zipfile.ZipFile(archive) as bundle:
        if member.endswith("/"):
            return _extract_folder(bundle, member, dest)
        if member not in bundle.namelist():
            raise DownloadError(f"{archive} does not contain {member!r}")
        partial = _temporary_sibling(dest)
        try:
            digest = hashlib.sha256()
            with partial, bundle.open(member) as source:
                for chunk in iter(lambda: source.read(CHUNK_BYTES), b""):
                    partial.write(chunk)
                    digest.update(chunk)
            if sha256 is not None and digest.hexdigest() != sha256.lower():
                raise DownloadError(f"checksum mismatch for {member!r} extracted from {archive}; nothing was saved")
            os.replace(partial.name, dest)
        finally:
            if os.path.exists(partial.name):
                os.unlink(partial.name)
    return dest


def _extract_folder(bundle: zipfile.ZipFile, prefix: str, dest: Path) -> Path:
    members = [name for name in bundle.namelist() if name.startswith(prefix) and not name.endswith("/")]
    if not members:
        raise DownloadError(f"{bundle.filename} has no files under {prefix!r}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part"))
    try:
        for name in members:
            target = staging / name[len(prefix):]
            if ".." in Path(name).parts:
                raise DownloadError(f"refusing to extract {name!r}: it points outside the folder")
            target.parent.mkdir(parents=True, exist_ok=True)
            with bundle.open(name) as source, open(target, "wb") as out:
                shutil.copyfileobj(source, out, CHUNK_BYTES)
        os.replace(staging, dest)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return dest
