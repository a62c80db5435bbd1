"""`course export-student DIR`: a repository for the students of a graded class, made from this one.

It holds what a student runs (the released lessons, `course_utils`, the data documentation and the
packaging) plus the student files kept in `student/` (a README, a Makefile, a small test suite, a
script that turns nbgrader's instructor tools off). It leaves out everything that carries answers:
`solutions/`, the tests that embed them, benchmarks that run them, the instructor's nbgrader
configuration and documentation. After writing, every exported file is searched for the nbgrader
markers and for the lines of every solution and hidden test; any hit fails the export.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat

# copied from the course as they are (folders or files); everything else stays private
SHARED = ["lessons", "course_utils", "data", "binder", "environment.yml", "pyproject.toml", "LICENSE",
          "CITATION.cff", "CHANGELOG.md"]
STUDENT_FOLDER = "student"  # overlaid on top: README.md, Makefile, .gitignore, tests/, tools/
SKIPPED = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", "*.egg-info")
# nbgrader's region markers, spelled out here in pieces so that this file does not contain them
MARKERS = tuple(f"### {edge} {what}" for edge in ("BEGIN", "END") for what in ("SOLUTION", "HIDDEN TESTS"))
REGION = re.compile(r"### BEGIN (SOLUTION|HIDDEN TESTS)\n(.*?)### END \1", re.S)
MIN_LINE = 24  # shorter lines (`return out`, `else:`) are not distinctive enough to count as a leak
SYLLABUS_START = "<!-- syllabus:start -->"
SYLLABUS_END = "<!-- syllabus:end -->"
STUDENT_POSTBUILD = ('\n# The student repository: nbgrader\'s instructor tools off (see tools/student-jupyter.sh)\n'
                     'sh tools/student-jupyter.sh\n')


class LeakError(RuntimeError):
    """The export would contain solution or hidden-test text."""


def _texts(folder: Path):
    """(path, text) for every readable text file under `folder`."""
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        try:
            yield path, path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue


def secret_lines(root: Path) -> set[str]:
    """Distinctive lines of every solution and hidden test in solutions/: long enough to be
    specific, and found neither in the released lessons nor in course_utils (public either way)."""
    root = Path(root)
    public = "\n".join(text for folder in ("lessons", "course_utils") for _, text in _texts(root / folder))
    found = set()
    for path in sorted((root / "solutions").glob("*/*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            for _, region in REGION.findall(cell.source):
                for line in region.splitlines():
                    line = line.strip()
                    if len(line) >= MIN_LINE and line not in public:
                        found.add(line)
    return found


def find_leaks(folder: Path, root: Path) -> list[str]:
    """'path: what' for every exported file with an nbgrader marker or a line of a solution or hidden test."""
    folder = Path(folder)
    lines = secret_lines(root)
    leaks = []
    for path, text in _texts(folder):
        where = path.relative_to(folder)
        leaks += [f"{where}: {marker!r}" for marker in MARKERS if marker in text]
        leaks += [f"{where}: solution line {line!r}" for line in sorted(lines) if line in text][:3]
    for name in ("solutions", "nbgrader_config.py", "tests/test_hidden_tests.py", "bench"):
        if (folder / name).exists():
            leaks.append(f"{name}: instructor material")
    return leaks


def _copy(source: Path, destination: Path) -> None:
    destination.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.copytree(source, destination, ignore=SKIPPED, dirs_exist_ok=True)
    else:
        shutil.copy2(source, destination)


def _student_readme(root: Path, destination: Path) -> None:
    """Put the course's syllabus table into the student README."""
    from ..syllabus import syllabus_table

    readme = destination / "README.md"
    text = readme.read_text(encoding="utf-8")
    head, rest = text.split(SYLLABUS_START, 1)
    _, tail = rest.split(SYLLABUS_END, 1)
    readme.write_text(f"{head}{SYLLABUS_START}\n{syllabus_table(root)}\n{SYLLABUS_END}{tail}", encoding="utf-8")


def export_student(root: Path, destination: Path, *, force: bool = False) -> list[Path]:
    """Write the student repository into `destination` (new or empty, or replaced with `force`).
    Returns the files written; raises LeakError, and removes the folder, when answers would leak."""
    root, destination = Path(root).resolve(), Path(destination).resolve()
    if destination == root or root in destination.parents:
        raise ValueError(f"the export must go outside the course folder, not into {destination}")
    if destination.exists() and any(destination.iterdir()):
        if not force:
            raise FileExistsError(f"{destination} is not empty (use --force to replace it)")
        shutil.rmtree(destination)
    destination.mkdir(parents=True, exist_ok=True)
    for name in SHARED:
        if (root / name).exists():
            _copy(root / name, destination / name)
    _copy(root / STUDENT_FOLDER, destination)
    _student_readme(root, destination)
    postbuild = destination / "binder" / "postBuild"
    if postbuild.is_file():
        postbuild.write_text(postbuild.read_text(encoding="utf-8") + STUDENT_POSTBUILD, encoding="utf-8")
    leaks = find_leaks(destination, root)
    if leaks:
        shutil.rmtree(destination)
        raise LeakError("the student export would contain answers:\n  " + "\n  ".join(leaks[:20]))
    return sorted(p for p in destination.rglob("*") if p.is_file())
