"""Running nbgrader's own commands from the course's tools."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def environment_with_scripts() -> dict:
    """os.environ with this interpreter's script folder first on PATH (nbgrader calls `alembic`)."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), env.get("PATH", "")])
    return env


def run_nbgrader(root: Path, *arguments: str, env=None, timeout=None) -> subprocess.CompletedProcess:
    """`nbgrader ARGUMENTS` in `root` with this interpreter's nbgrader; output captured."""
    return subprocess.run([sys.executable, "-m", "nbgrader", *arguments], cwd=root, capture_output=True,
                          text=True, env=env or environment_with_scripts(), timeout=timeout)
