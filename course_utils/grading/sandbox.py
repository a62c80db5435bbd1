"""The OS sandbox every submission's worker runs in (bubblewrap), and the limits around it.

Inside: the Python installation, the virtual environment, the `course_utils` package and the data
cache, read-only; the submission's own workspace (/workspace) and a private /tmp, writable, both
size-limited memory file systems that vanish with the worker; no network; its own PID namespace (nothing it starts outlives it); no capabilities; an
unprivileged user. The course repository, solutions/, the gradebook, other students' folders and
the instructor's home are not mounted at all.

Limits: memory (RLIMIT_DATA per process, and the sum over the sandbox's processes), processes,
CPU time, file size and the size of /tmp. A watchdog stops the whole sandbox when one is passed
and says which.
"""
from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

WORKSPACE = "/workspace"
PASSED_THROUGH = ("COURSE_SEMESTER_SEED", "COURSE_DEVICE", "LANG", "LC_ALL")
PASSED_THROUGH_PREFIXES = ("OPENBLAS_", "OMP_", "MKL_")  # numeric-library settings the machine needs


@dataclass
class Limits:
    """What one submission may use. Each limit that is hit becomes the submission's status."""

    memory_bytes: int = 4_000_000_000  # per process (RLIMIT_DATA) and summed over the sandbox
    processes: int = 64
    cpu_seconds: int = 1800  # per process
    file_bytes: int = 100_000_000  # the largest file it may write
    tmp_bytes: int = 256_000_000  # the size of its private /tmp
    workspace_bytes: int = 256_000_000  # the size of its private workspace
    output_chars: int = 2_000_000  # printed output kept in the graded notebook and feedback


class SandboxUnavailable(RuntimeError):
    """bubblewrap is missing or cannot create namespaces here."""


BWRAP_VARIABLE = "COURSE_BWRAP"  # the bubblewrap program to use (default: bwrap on PATH)
_probe: dict = {}


def bwrap_program() -> str | None:
    return shutil.which(os.environ.get(BWRAP_VARIABLE) or "bwrap")


def unavailable_reason() -> str | None:
    """None when bubblewrap works on this machine, else why not."""
    binary = bwrap_program()
    if binary not in _probe:
        if binary is None:
            _probe[binary] = "bubblewrap (bwrap) is not installed (Debian/Ubuntu: apt-get install bubblewrap)"
        else:
            completed = subprocess.run([binary, "--unshare-all", "--unshare-user", "--die-with-parent",
                                        "--ro-bind", "/", "/", "true"], capture_output=True, text=True)
            _probe[binary] = None if completed.returncode == 0 else \
                f"bubblewrap cannot create a sandbox here: {completed.stderr.strip()[:300]}"
    return _probe[binary]


def _read_only_roots() -> list[Path]:
    """The folders a worker needs to read: the system, Python, the environment, the course package, the data."""
    from .. import registry

    package = Path(__file__).resolve().parents[1]
    roots = [Path(sys.prefix), Path(sys.base_prefix), Path(sys.executable).resolve().parents[1], package]
    for entry in sys.path:  # site-packages outside the environment (a --user install, a system one)
        path = Path(entry).resolve() if entry else None
        if path and path.is_dir() and path.name in ("site-packages", "dist-packages"):
            roots.append(path)
    cache = registry.cache_dir()
    if cache.is_dir():
        roots.append(cache.resolve())
    kept = []
    for root in sorted({r.resolve() for r in roots}, key=lambda p: len(p.parts)):
        if str(root) in ("/",) or any(root == k or k in root.parents for k in kept):
            continue
        if any(str(root) == s or str(root).startswith(s + "/") for s in ("/usr", "/etc")):
            continue
        kept.append(root)
    return kept


def _system_binds() -> list[str]:
    arguments = ["--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc"]
    for name in ("bin", "sbin", "lib", "lib64", "lib32", "libx32"):
        path = Path("/") / name
        if path.is_symlink():
            arguments += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            arguments += ["--ro-bind", str(path), str(path)]
    return arguments


def worker_environment(workspace: str, home: str, fast: bool = True) -> dict:
    """The variables a worker sees: nothing of the grader's own environment but what lessons need."""
    python_bin = os.path.dirname(sys.executable)
    env = {"PATH": f"{python_bin}:/usr/local/bin:/usr/bin:/bin", "HOME": home, "TMPDIR": "/tmp" if home == WORKSPACE else
           os.path.join(workspace, "tmp"), "IPYTHONDIR": os.path.join(home, ".ipython"),
           "MPLCONFIGDIR": os.path.join(home, ".matplotlib"), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
           "PYTHONDONTWRITEBYTECODE": "1", "PYTHONNOUSERSITE": "1", "LANG": "C.UTF-8"}
    if fast:
        env["NBGRADER_EXECUTION"] = "autograde"
    from .. import registry

    env["COURSE_DATA"] = str(registry.cache_dir().resolve())
    for name, value in os.environ.items():
        if name in PASSED_THROUGH or name.startswith(PASSED_THROUGH_PREFIXES):
            env[name] = value
    return env


def worker_command(workspace: Path, limits: Limits, sandboxed: bool = True, fast: bool = True) -> tuple[list[str], dict, str]:
    """(command, environment, working folder) that starts a worker for `workspace`."""
    workspace = Path(workspace).resolve()
    python = [sys.executable, "-m", "course_utils.grading.worker"]
    if not sandboxed:
        (workspace / "tmp").mkdir(exist_ok=True)
        env = worker_environment(str(workspace), str(workspace), fast)
        env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
        return python, env, str(workspace)
    reason = unavailable_reason()
    if reason:
        raise SandboxUnavailable(reason)
    env = worker_environment(WORKSPACE, WORKSPACE, fast)
    command = [bwrap_program(), "--unshare-all", "--unshare-user", "--uid", "1000", "--gid", "1000", "--disable-userns",
               "--die-with-parent", "--new-session", "--cap-drop", "ALL", *_system_binds(),
               # /tmp and the workspace are size-limited memory file systems of their own, mounted before the
               # read-only folders so that an environment that lives under /tmp stays visible
               "--proc", "/proc", "--dev", "/dev", "--size", str(limits.tmp_bytes), "--tmpfs", "/tmp",
               "--size", str(limits.workspace_bytes), "--tmpfs", WORKSPACE]
    for root in _read_only_roots():
        command += ["--ro-bind", str(root), str(root)]
    command += ["--chdir", WORKSPACE, "--clearenv"]
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    for name, value in env.items():
        command += ["--setenv", name, value]
    return command + ["--", *python], {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}, str(workspace)


def apply_rlimits(limits: Limits):
    """A preexec function: the per-process limits, inherited by everything the worker starts."""

    def set_limits():
        # CPU: SIGXCPU at the soft limit (the worker dies of it and the judge names the limit), SIGKILL 5 s later
        for which, soft, hard in ((resource.RLIMIT_DATA, limits.memory_bytes, limits.memory_bytes),
                                  (resource.RLIMIT_FSIZE, limits.file_bytes, limits.file_bytes),
                                  (resource.RLIMIT_CPU, limits.cpu_seconds, limits.cpu_seconds + 5),
                                  (resource.RLIMIT_CORE, 0, 0)):
            try:
                resource.setrlimit(which, (soft, hard))
            except (ValueError, OSError):
                pass

    return set_limits


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
        except (OSError, IndexError, ValueError):
            continue
    return children


def descendants(pid: int) -> list[int]:
    """pid and every process below it."""
    children, found, stack = _children_map(), [], [pid]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(children.get(current, []))
    return found


def resident_bytes(pids: list[int]) -> int:
    page = os.sysconf("SC_PAGE_SIZE")
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/statm") as handle:
                total += int(handle.read().split()[1]) * page
        except (OSError, IndexError, ValueError):
            continue
    return total


class Watchdog(threading.Thread):
    """Stops a worker's whole process tree when it holds too many processes or too much memory."""

    def __init__(self, process: subprocess.Popen, limits: Limits, interval: float = 0.05):
        super().__init__(daemon=True)
        self.process, self.limits, self.interval = process, limits, interval
        self.tripped: tuple[str, str] | None = None
        self.peak_bytes = 0
        self.peak_processes = 0

    def run(self):
        if not sys.platform.startswith("linux"):
            return
        while self.process.poll() is None and self.tripped is None:
            pids = descendants(self.process.pid)
            memory = resident_bytes(pids)
            self.peak_bytes, self.peak_processes = max(self.peak_bytes, memory), max(self.peak_processes, len(pids))
            if len(pids) > self.limits.processes + 2:  # bwrap and its init are not the student's
                self.trip("process-limit", f"it started more than {self.limits.processes} processes", pids)
            elif memory > self.limits.memory_bytes:
                self.trip("memory-limit", f"its processes held more than {self.limits.memory_bytes / 1e9:.1f} GB", pids)
            time.sleep(self.interval)

    def trip(self, status: str, reason: str, pids: list[int]) -> None:
        self.tripped = (status, reason)
        for pid in reversed(pids):
            try:
                os.kill(pid, 9)
            except (ProcessLookupError, PermissionError):
                pass
