"""Self-check a notebook without nbgrader's extension: run it top to bottom in a fresh kernel and
score each graded test cell from its nbgrader metadata (points), as the autograder would."""
from __future__ import annotations

import os
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

ANSI_ESCAPES = re.compile(r"\x1b\[[0-9;]*m")


@dataclass
class TestResult:
    grade_id: str
    points: float
    earned: float
    message: str = ""


@dataclass
class ValidationReport:
    notebook: str
    results: list = field(default_factory=list)
    errors_outside_tests: list = field(default_factory=list)
    warnings: list = field(default_factory=list)

    @property
    def earned(self) -> float:
        return sum(r.earned for r in self.results)

    @property
    def possible(self) -> float:
        return sum(r.points for r in self.results)


def graded_test_cells(notebook) -> list[tuple[int, dict]]:
    """(index, cell) of every autograded test cell: code cells with nbgrader grade=True and no solution."""
    found = []
    for index, cell in enumerate(notebook.cells):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
            found.append((index, cell))
    return found


def lost_metadata_warning(notebook) -> str | None:
    if any("nbgrader" in cell.get("metadata", {}) for cell in notebook.cells):
        return None
    return ("this notebook has no nbgrader metadata left (it is lost when a notebook is re-created, "
            "e.g. copied cell by cell or saved by some editors after a Colab round trip). Points cannot be "
            "counted and an instructor's autograder will not recognise your answers: copy your answers "
            "into a fresh copy of the lesson from the course repository. Errors are still listed below.")


def first_error(cell) -> str | None:
    """'Name: message' of the first error output of a cell, or None."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            name, value = output.get("ename", "Error"), ANSI_ESCAPES.sub("", output.get("evalue", ""))
            if name == "NotImplementedError" and not value:
                return "NotImplementedError: the exercise is not answered yet"
            if name == "CellTimeoutError" or "timeout" in name.lower():
                return f"{name}: the cell ran past the time limit (an infinite loop?)"
            return f"{name}: {value}".strip()
    return None


DEFAULT_TIMEOUT = 60  # the course's c.Execute.timeout, for notebooks outside a course folder (e.g. on Colab)


def grader_timeout(start: str | os.PathLike | None = None) -> int:
    """The grader's per-cell limit: `c.Execute.timeout` (or `c.ExecutePreprocessor.timeout`) in the
    nbgrader_config.py of the course folder at or above `start`, read without running the file."""
    import ast

    from ..syllabus import find_course_root

    here = Path(start or os.getcwd())
    try:
        config = find_course_root(here if here.is_dir() else here.parent) / "nbgrader_config.py"
    except FileNotFoundError:
        return DEFAULT_TIMEOUT
    values = {}
    for node in ast.walk(ast.parse(config.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            for target in node.targets:
                if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Attribute):
                    values[(target.value.attr, target.attr)] = node.value.value
    timeout = values.get(("Execute", "timeout"), values.get(("ExecutePreprocessor", "timeout")))
    return int(timeout) if isinstance(timeout, (int, float)) and timeout > 0 else DEFAULT_TIMEOUT


def run_notebook(notebook, workdir: Path, timeout: int, fast: bool):
    """Execute in a fresh python3 kernel in fast or full mode, whatever this process's environment says;
    errors are recorded in the outputs and the rest still runs."""
    from nbclient import NotebookClient

    env = {name: value for name, value in os.environ.items() if name not in ("COURSE_FAST", "NBGRADER_EXECUTION")}
    if fast:
        env["COURSE_FAST"] = "1"
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3", allow_errors=True,
                            interrupt_on_timeout=True, resources={"metadata": {"path": str(workdir)}})
    client.execute(env=env)
    return notebook


def validate(path: str | os.PathLike, *, fast: bool = True, timeout: int = DEFAULT_TIMEOUT,
             sandboxed: bool | None = None) -> ValidationReport:
    """Run the notebook at `path` and score it with the judge, as `course grade` does. The file on
    disk is not modified. The notebook's own test cells are the tests (a solution notebook's include
    the hidden ones). sandboxed=None uses bubblewrap where it works and runs the worker directly
    elsewhere (a learner's own code on their own machine)."""
    import tempfile

    from . import judge, sandbox

    path = Path(path)
    if not path.is_file() or path.suffix != ".ipynb":
        raise ValueError(f"path must be an existing .ipynb file, got {str(path)!r}")
    notebook = nbformat.read(path, as_version=4)
    report = ValidationReport(notebook=str(path))
    warning = lost_metadata_warning(notebook)
    if warning:
        report.warnings.append(warning)
    if sandboxed is None:
        sandboxed = sandbox.unavailable_reason() is None
    saved = {name: os.environ.pop(name, None) for name in ("COURSE_FAST", "NBGRADER_EXECUTION")}
    if fast:
        os.environ["NBGRADER_EXECUTION"] = "validate"
    try:
        with tempfile.TemporaryDirectory(prefix="course-validate-") as workspace:
            judgement = judge.judge_submission(notebook, notebook, workspace, timeout=timeout, sandboxed=sandboxed,
                                               fast=fast)
    finally:
        for name, value in saved.items():
            os.environ.pop(name, None)
            if value is not None:
                os.environ[name] = value
    for verdict in judgement.verdicts:
        message = verdict.message
        if message.startswith("NotImplementedError") and not message.removeprefix("NotImplementedError:").strip():
            message = "NotImplementedError: the exercise is not answered yet"
        if message.startswith("CellTimeoutError"):
            message = "CellTimeoutError: the cell ran past the time limit (an infinite loop?)"
        report.results.append(TestResult(verdict.grade_id, verdict.points, verdict.points if verdict.passed else 0.0,
                                         message))
    for index, cell in enumerate(judgement.notebook.cells):
        if cell.cell_type == "code" and not judge.is_test_cell(cell):
            message = first_error(cell)
            if message:
                report.errors_outside_tests.append((index, message))
    if judgement.tampered:
        report.warnings.append("some tests gave a different result inside the notebook than in the grader "
                               f"({', '.join(judgement.tampered)}); the grader's result is the one shown")
    if judgement.status != "ok":
        report.warnings.append(f"{judgement.status}: {'; '.join(judgement.reasons)}")
    return report


def format_report(report: ValidationReport, width: int = 100) -> str:
    lines = [f"Notebook: {report.notebook}"]
    lines += [f"WARNING: {w}" for w in report.warnings]
    if report.results:
        name_width = max(8, *(len(r.grade_id) for r in report.results))
        lines.append(f"{'exercise':<{name_width}}  {'points':>9}  first failing message")
        lines.append("-" * min(width, name_width + 40))
        indent = name_width + 13
        for r in report.results:
            message = r.message.splitlines()[0] if r.message else "passed"
            score = f"{r.earned:g}/{r.points:g}"
            wrapped = textwrap.wrap(message, max(30, width - indent)) or [""]
            lines.append(f"{r.grade_id:<{name_width}}  {score:>9}  {wrapped[0]}")
            lines += [" " * indent + more for more in wrapped[1:]]
        lines.append(f"{'total':<{name_width}}  {f'{report.earned:g}/{report.possible:g}':>9}")
    for index, message in report.errors_outside_tests:
        lines.append(f"error in cell {index} (not a test cell): {message.splitlines()[0][:width]}")
    return "\n".join(lines)
