"""Two nbgrader preprocessors that put `course_utils.grading.guard` around every test cell while grading.

`InjectGuard` runs after nbgrader has restored the locked cells and before it executes the
notebook: it adds a first cell that starts the guard, and `begin`/`end` calls to each test cell.
`RequireGuardMarker` runs right after execution: a test cell keeps its points only if it printed
its marker (so it ran to its end) and reported no error; the added lines and the marker are then
removed again, so feedback shows the notebook as the student wrote it.

Enabled in nbgrader_config.py; `course grade` and plain `nbgrader autograde` both use them.
"""
from __future__ import annotations

import ast
import secrets

from nbconvert.preprocessors import Preprocessor
from nbformat.v4 import new_code_cell, new_output
from traitlets import Bool

from .guard import MARKER_PREFIX, marker

GUARD_NAME = "__course_guard__"
START_TAG = "# added by the grader: integrity guard"
SECRET_KEY = "course_guard_secret"


def is_test_cell(cell) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return cell.cell_type == "code" and bool(meta.get("grade")) and not meta.get("solution")


def is_locked(cell) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return bool(meta.get("locked")) and not meta.get("solution")


def imports_of(source: str) -> tuple[dict, set]:
    """(alias -> module for every name a top-level import binds, every module imported anywhere) in
    `source`. Imports inside blocks (the Colab-only install) may not run, so they bind nothing."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {}, set()
    names, modules = {}, set()
    for node in ast.walk(tree):
        top_level = node in tree.body
        if isinstance(node, ast.Import):
            for alias in node.names:
                modules.add(alias.name)
                if top_level:
                    bound = alias.asname or alias.name.split(".")[0]
                    names[bound] = alias.name if alias.asname else alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            modules.add(node.module)
            for alias in node.names:
                modules.add(f"{node.module}.{alias.name}")  # kept only if it is a module
                if top_level:
                    names.setdefault(alias.asname or alias.name, f"{node.module}.{alias.name}")
    return names, modules


class InjectGuard(Preprocessor):
    """Start the guard first; wrap every test cell in begin/end."""

    enabled = Bool(True).tag(config=True)  # nbconvert's preprocessors are off unless enabled

    def preprocess(self, nb, resources):
        secret = secrets.token_hex(16)
        resources[SECRET_KEY] = secret
        names, modules = {}, set()
        for cell in nb.cells:
            if cell.cell_type == "code" and is_locked(cell):
                cell_names, cell_modules = imports_of(cell.source)
                names.update(cell_names)
                modules |= cell_modules
        modules = sorted(modules)
        first = new_code_cell(f"{START_TAG}\nimport course_utils.grading.guard as {GUARD_NAME}\n"
                              f"{GUARD_NAME}.start({secret!r}, {names!r}, {modules!r})")
        first.metadata["course_guard"] = True
        for cell in nb.cells:
            if is_test_cell(cell):
                grade_id = cell.metadata["nbgrader"]["grade_id"]
                cell.metadata["course_guard_source"] = cell.source
                cell.source = (f"{GUARD_NAME}.begin({grade_id!r})\n{cell.source}\n"
                               f"{GUARD_NAME}.end({grade_id!r})")
        nb.cells.insert(0, first)
        return nb, resources


def _strip_marker(cell, line: str) -> bool:
    """Remove the marker line from the cell's stdout; True if it was there."""
    found = False
    for output in list(cell.outputs):
        if output.output_type == "stream" and output.name == "stdout" and line in output.text:
            kept = [text for text in output.text.splitlines(keepends=True) if text.rstrip("\n") != line]
            output.text = "".join(kept)
            found = True
            if not output.text:
                cell.outputs.remove(output)
    return found


class RequireGuardMarker(Preprocessor):
    """No marker and no error: the failure was hidden, so the cell gets an error and no points."""

    enabled = Bool(True).tag(config=True)

    def preprocess(self, nb, resources):
        secret = resources.get(SECRET_KEY)
        if secret is None:
            return nb, resources
        for cell in nb.cells:
            if not is_test_cell(cell) or "course_guard_source" not in cell.metadata:
                continue
            grade_id = cell.metadata["nbgrader"]["grade_id"]
            completed = _strip_marker(cell, marker(secret, grade_id))
            for output in cell.outputs:  # a forged or stale marker is not a marker
                if output.output_type == "stream" and MARKER_PREFIX in output.text:
                    completed = False
            failed = any(o.output_type == "error" or (o.output_type == "stream" and o.name == "stderr")
                         for o in cell.outputs)
            if not completed and not failed:
                cell.outputs.append(new_output(
                    "error", ename="IntegrityError",
                    evalue=(f"{grade_id} did not run to its end, yet no error was reported: something in the "
                            "notebook hid the failure. No points; see the grader's integrity report."),
                    traceback=[f"IntegrityError: {grade_id} did not run to its end, yet no error was reported"]))
            cell.source = cell.metadata.pop("course_guard_source")
        nb.cells = [cell for cell in nb.cells
                    if not (cell.metadata.get("course_guard") and not cell.get("outputs"))]
        return nb, resources
