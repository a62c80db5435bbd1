"""Taking in one student's submission folder: find the notebook, read it, and recover what can be
recovered (a wrong file name, nbgrader metadata lost in a Colab round trip), with a status and a
reason for everything that cannot."""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

IGNORED_FILES = {"timestamp.txt", "submission_secret.txt"}  # written by nbgrader's exchange (submit, collect)
IGNORED_DIRS = {".ipynb_checkpoints", "__pycache__"}


@dataclass
class Intake:
    """What was found for one student. `notebook` is None when there is nothing gradable."""

    student: str
    status: str  # ok | not-submitted | missing | invalid-notebook | wrong-file-name | metadata-restored | no-metadata
    reason: str = ""
    notebook: object = None
    found_as: str = ""  # the file name the notebook was submitted under
    extra_files: list = field(default_factory=list)


def _normalised(source: str) -> str:
    return "\n".join(line.rstrip() for line in source.strip().splitlines())


def _nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def has_nbgrader_metadata(notebook) -> bool:
    return any(_nbgrader(cell) for cell in notebook.cells)


def restore_metadata(notebook, release) -> list[str]:
    """Copy nbgrader metadata from the released notebook onto the matching cells of `notebook`
    (in place). Locked cells match by their text, in order; each answer cell is the code cell
    between its neighbouring locked cells. Returns the grade ids that could not be matched."""
    matched: dict[int, int] = {}  # release index -> submission index
    position = 0
    for r_index, r_cell in enumerate(release.cells):
        meta = _nbgrader(r_cell)
        if not meta.get("locked") or meta.get("solution"):
            continue
        wanted = _normalised(r_cell.source)
        for s_index in range(position, len(notebook.cells)):
            s_cell = notebook.cells[s_index]
            if s_cell.cell_type == r_cell.cell_type and _normalised(s_cell.source) == wanted:
                matched[r_index], position = s_index, s_index + 1
                break
    used = set(matched.values())
    missing = []
    for r_index, r_cell in enumerate(release.cells):
        meta = _nbgrader(r_cell)
        if not meta or r_index in matched:
            continue
        if meta.get("locked") and not meta.get("solution"):
            missing.append(meta.get("grade_id", f"cell {r_index}"))
            continue
        before = max((s for r, s in matched.items() if r < r_index), default=-1)
        after = min((s for r, s in matched.items() if r > r_index), default=len(notebook.cells))
        candidates = [s for s in range(before + 1, after)
                      if s not in used and notebook.cells[s].cell_type == r_cell.cell_type]
        if not candidates:
            missing.append(meta.get("grade_id", f"cell {r_index}"))
            continue
        # An answer keeps the stub's signature and docstring; lesson code around it does not.
        best = max(candidates, key=lambda s: difflib.SequenceMatcher(
            None, r_cell.source, notebook.cells[s].source, autojunk=False).ratio())
        matched[r_index] = best
        used.add(best)
    if missing:
        return missing
    for r_index, s_index in matched.items():
        notebook.cells[s_index].setdefault("metadata", {})["nbgrader"] = dict(_nbgrader(release.cells[r_index]))
    return []


def _other_files(folder: Path, notebook_name: str | None) -> list[str]:
    found = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if path.is_dir() or set(relative.parts) & IGNORED_DIRS:
            continue
        if relative.as_posix() in IGNORED_FILES or relative.as_posix() == notebook_name:
            continue
        found.append(relative.as_posix())
    return found


def take_in(folder: Path, student: str, assignment: str, release) -> Intake:
    """Read `folder` (grading/submitted/<student>/<assignment>) against the released notebook."""
    expected = f"{assignment}.ipynb"
    if not folder.is_dir():
        return Intake(student, "not-submitted", "in the gradebook, but no submission folder for this assignment")
    notebooks = [p for p in sorted(folder.glob("*.ipynb"))]
    chosen = folder / expected if (folder / expected).is_file() else None
    status, reason = "ok", ""
    if chosen is None:
        if not notebooks:
            return Intake(student, "missing", f"no notebook in the submission (expected {expected})",
                          extra_files=_other_files(folder, None))
        if len(notebooks) > 1:
            names = ", ".join(p.name for p in notebooks)
            return Intake(student, "wrong-file-name", f"several notebooks and none named {expected}: {names}",
                          extra_files=_other_files(folder, None))
        chosen = notebooks[0]
        status, reason = "wrong-file-name", f"graded {chosen.name!r} as {expected!r}"
    extra = _other_files(folder, chosen.name)
    try:
        notebook = nbformat.read(chosen, as_version=4)
        nbformat.validate(notebook)
    except Exception as error:  # noqa: BLE001  (whatever the reason, this file cannot be graded)
        first_line = str(error).strip().splitlines()[0][:160] if str(error).strip() else type(error).__name__
        return Intake(student, "invalid-notebook", f"{chosen.name} is not a valid notebook: {first_line}",
                      found_as=chosen.name, extra_files=extra)
    if not has_nbgrader_metadata(notebook):
        unmatched = restore_metadata(notebook, release)
        if unmatched:
            return Intake(student, "no-metadata",
                          "the notebook lost its nbgrader metadata and its cells could not be matched to the "
                          f"lesson ({', '.join(unmatched[:4])}); copy the answers into a fresh copy of the lesson",
                          found_as=chosen.name, extra_files=extra)
        status = "metadata-restored" if status == "ok" else status
        reason = "; ".join(filter(None, [reason, "nbgrader metadata was lost (e.g. a Colab round trip) and was "
                                         "restored by matching the cells to the lesson"]))
    return Intake(student, status, reason, notebook, chosen.name, extra)
