"""Where the notebook runs, on which device, in which mode: the one call at the top of a lesson."""
from __future__ import annotations

import importlib.metadata
import os
import platform
import random
import sys
from dataclasses import dataclass, field

import numpy as np

FAST_ENV_VARS = ("NBGRADER_EXECUTION", "COURSE_FAST")
DEVICE_ENV_VAR = "COURSE_DEVICE"
KEY_LIBRARIES = ("numpy", "torch", "scikit-learn", "gensim", "sentence-transformers", "faiss-cpu", "nbgrader")


@dataclass(frozen=True)
class RunContext:
    """What `setup` decided. `fast` is True when grading or when COURSE_FAST is set."""

    platform: str
    device: str
    fast: bool
    seed: int
    versions: dict = field(default_factory=dict)

    def pick(self, full, fast):
        """Return `fast` in fast mode and `full` otherwise: one code path, smaller sizes."""
        return fast if self.fast else full


def detect_platform(environ=None, modules=None) -> str:
    """'colab', 'binder', 'nbgrader' or 'local'."""
    environ = os.environ if environ is None else environ
    modules = sys.modules if modules is None else modules
    if "google.colab" in modules or "COLAB_RELEASE_TAG" in environ:
        return "colab"
    if "BINDER_SERVICE_HOST" in environ or "BINDER_REPO_URL" in environ:
        return "binder"
    if environ.get("NBGRADER_EXECUTION"):
        return "nbgrader"
    return "local"


def is_fast_mode(environ=None) -> bool:
    """True when NBGRADER_EXECUTION or COURSE_FAST is set to anything but '', '0', 'false' or 'no'."""
    environ = os.environ if environ is None else environ
    return any(environ.get(name, "").strip().lower() not in ("", "0", "false", "no") for name in FAST_ENV_VARS)


def _cuda_available() -> bool:
    import torch

    return torch.cuda.is_available()


def _mps_available() -> bool:
    import torch

    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def pick_device(environ=None) -> str:
    """'cuda', then 'mps', then 'cpu'; COURSE_DEVICE (e.g. 'cpu', 'cuda:1') overrides."""
    environ = os.environ if environ is None else environ
    forced = environ.get(DEVICE_ENV_VAR, "").strip()
    if forced:
        kind = forced.split(":")[0]
        if kind not in ("cpu", "cuda", "mps"):
            raise ValueError(f"{DEVICE_ENV_VAR} must be 'cpu', 'cuda', 'cuda:N' or 'mps', got {forced!r}")
        if kind == "cuda" and not _cuda_available():
            raise ValueError(f"{DEVICE_ENV_VAR}={forced!r} asks for CUDA, but torch sees no CUDA device")
        if kind == "mps" and not _mps_available():
            raise ValueError(f"{DEVICE_ENV_VAR}={forced!r} asks for MPS, but torch sees no MPS device")
        return forced
    if _cuda_available():
        return "cuda"
    if _mps_available():
        return "mps"
    return "cpu"


def seed_everything(seed: int) -> None:
    """Seed Python's `random`, NumPy's global generator and torch (all devices)."""
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def library_versions(names=KEY_LIBRARIES) -> dict:
    """Installed version of each distribution name, or 'missing'."""
    versions = {"python": platform.python_version()}
    for name in names:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "missing"
    return versions


def format_report(context: RunContext, lesson: str | None = None, gpu_helps: bool = False) -> str:
    mode = "fast (smaller data, fewer epochs)" if context.fast else "full"
    title = f"Lesson {lesson}" if lesson else "Course"
    lines = [
        f"{title} | platform: {context.platform} | device: {context.device} | mode: {mode} | seed: {context.seed}",
        "versions: " + ", ".join(f"{k} {v}" for k, v in context.versions.items()),
    ]
    if gpu_helps and context.device == "cpu":
        hint = "a GPU would make the training cells several times faster"
        if context.platform == "colab":
            hint += " (Runtime > Change runtime type > GPU)"
        lines.append(f"hint: {hint}; everything still runs on the CPU within the time budget.")
    return "\n".join(lines)


def setup(lesson: str | None = None, seed: int = 0, gpu_helps: bool = False, quiet: bool = False) -> RunContext:
    """Detect platform, device and mode, seed everything, print a short report.

    gpu_helps: the lesson trains something that a GPU speeds up; print a hint when on the CPU.
    """
    seed_everything(seed)
    context = RunContext(
        platform=detect_platform(),
        device=pick_device(),
        fast=is_fast_mode(),
        seed=seed,
        versions=library_versions(("numpy", "torch", "scikit-learn", "gensim")),
    )
    if not quiet:
        print(format_report(context, lesson, gpu_helps))
    return context



MMAP_THRESHOLD_BYTES = 64 * 1024
_M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter number


def release_memory() -> None:
    """Collect garbage, hand the heap memory that is free back to the operating system, and from then on
    serve blocks of 64 kB or more (tensors, arrays) with their own mappings, which go back to the system
    as soon as they are freed (glibc's malloc_trim and mallopt on Linux; elsewhere only the collection).
    Otherwise freed memory stays resident, and resident memory is what Binder's limit counts: call it
    before a memory-hungry step such as training."""
    import ctypes
    import gc

    gc.collect()
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim(0)
        libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)
    except (OSError, AttributeError):  # not glibc (macOS, Windows, musl): nothing more to do
        pass
