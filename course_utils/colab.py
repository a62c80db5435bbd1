"""The Colab install block at the top of every lesson's setup cell, kept here as the one copy.

The block cannot call into course_utils (on Colab the package is not installed yet), so it is plain
code that the notebooks carry. It installs the course with a constraints file made from the
runtime's own `pip list --format=freeze`, which names every installed package as name==version, also
those installed from a URL (Colab installs torch that way, and `pip freeze` would print it as
`torch @ https://...`): pip may add packages, but never upgrades or downgrades one that Colab
already has (torch, ipython, notebook, ipykernel, ipywidgets, ...), so the running kernel keeps
working. `python -m course_utils.colab` rewrites the block in solutions/; `course release` then
regenerates lessons/.
"""
from __future__ import annotations

import sys
from pathlib import Path

from .syllabus import INSTALL_REF, REPO_URL, find_course_root

INSTALL_SPEC_ENV_VAR = "COURSE_INSTALL_SPEC"  # overrides what is installed (tests point it at a checkout)
CONSTRAINTS_FILE = "/tmp/course-colab-constraints.txt"
FIRST_LINE = "# Setup (read-only). On Colab, install the course first, keeping every package Colab already has."

INSTALL_BLOCK = f'''{FIRST_LINE}
import sys

COURSE_VERSION = "{INSTALL_REF}"  # or a release tag such as "v0.2.0" (see CHANGELOG.md)
if "google.colab" in sys.modules:
    import importlib, importlib.util, os, shlex, subprocess

    if importlib.util.find_spec("course_utils") is None:
        spec = os.environ.get("{INSTALL_SPEC_ENV_VAR}") or f"embeddings-course @ git+{REPO_URL}@{{COURSE_VERSION}}"
        listed = subprocess.run([sys.executable, "-m", "pip", "list", "--format=freeze"], capture_output=True, text=True).stdout
        with open("{CONSTRAINTS_FILE}", "w") as constraints:  # pin every package Colab has, URL installs included
            constraints.write("\\n".join(line for line in listed.splitlines() if "==" in line))
        command = [sys.executable, "-m", "pip", "install", "--constraint", "{CONSTRAINTS_FILE}", spec]
        print("Installing the course; this takes a minute or two. Colab's own packages stay as they are.", flush=True)
        pip = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for line in pip.stdout:
            print(line, end="", flush=True)
        if pip.wait() != 0:
            raise RuntimeError("Installing the course failed (pip's messages are above). To try by hand, run this "
                               "in a new cell, then run this cell again:\\n!" + shlex.join(["pip", *command[3:]]))
        importlib.invalidate_caches()
'''


def install_block() -> str:
    """The block every setup cell starts with (ends with a newline)."""
    return INSTALL_BLOCK


def replace_install_block(source: str) -> str:
    """`source` (a setup cell) with its leading install block, up to the first blank line after the
    `if "google.colab"` statement, replaced by the current one."""
    if not source.startswith("# Setup (read-only)"):
        raise ValueError("a setup cell must start with '# Setup (read-only)'")
    lines = source.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.startswith('if "google.colab"')), None)
    if start is None:
        raise ValueError('the setup cell has no `if "google.colab" in sys.modules:` block')
    end = start + 1
    while end < len(lines) and (lines[end].startswith((" ", "\t")) or lines[end].strip() == ""):
        if lines[end].strip() == "" and (end + 1 >= len(lines) or not lines[end + 1].startswith((" ", "\t"))):
            break
        end += 1
    return INSTALL_BLOCK + "".join(lines[end:])


def write_setup_cells(root: Path) -> list[Path]:
    """Rewrite the install block of every solution notebook's setup cell; returns the changed files."""
    import nbformat

    changed = []
    for path in sorted((root / "solutions").glob("*/*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        cell = next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "setup")
        updated = replace_install_block(cell.source)
        if updated != cell.source:
            cell.source = updated
            nbformat.write(notebook, path)
            changed.append(path)
    return changed


if __name__ == "__main__":
    for changed_path in write_setup_cells(find_course_root()):
        print(f"updated {changed_path}")
    sys.exit(0)
