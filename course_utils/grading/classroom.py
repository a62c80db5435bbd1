"""Grading a whole class, unattended: `course grade ASSIGNMENT`.

1. Bring the gradebook up to date from solutions/ (into a scratch release folder; lessons/ is
   never rewritten).
2. Take in every submission (`submissions.take_in`): a status and a reason for each.
3. Grade each gradable one in its own workspace (a private copy of the gradebook, only the
   notebook, its own IPython and temporary folders) with nbgrader, so a kernel that dies, a cell
   that hangs or a notebook that writes files affects no one else. Submissions are graded N at a
   time (`jobs`) or on a Dask cluster (`scheduler`); the result does not depend on which.
4. Merge the scores into the main gradebook, write feedback for everyone, one CSV row per student
   and a report with integrity flags and similar answers.
"""
from __future__ import annotations

import csv
import html
import json
import os
import secrets
import shutil
import subprocess
import sys
import time
import warnings
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from . import integrity, similarity
from .nbgrader_calls import environment_with_scripts, run_nbgrader
from .submissions import Intake, take_in
from .validate import grader_timeout

# graded: the judge scored every test it could run (a limit or a dead kernel costs the tests after it)
GRADED_STATUSES = ("ok", "timeout", "wrong-file-name", "metadata-restored", "file-limit", "output-limit", "memory-limit",
                   "cpu-limit", "process-limit", "kernel-died")
SEVERITY = ["ok", "not-submitted", "metadata-restored", "wrong-file-name", "timeout", "kernel-died", "file-limit",
            "output-limit", "memory-limit", "cpu-limit", "process-limit", "missing", "invalid-notebook",
            "no-metadata", "error"]
RELEASE_SCRATCH = "grading/.release"
WORK_FOLDER = "grading/.work"
# written by nbgrader's exchange (submit, then collect) and carried through autograde and feedback:
# the late-penalty timestamp, and the secret that release_feedback and fetch_feedback need
EXCHANGE_FILES = ("timestamp.txt", "submission_secret.txt")


@dataclass
class Row:
    """One student's line of the CSV."""

    student: str
    status: str
    reason: str = ""
    scores: dict = field(default_factory=dict)  # test grade_id -> points earned
    flags: list = field(default_factory=list)  # short strings, e.g. 'module-attribute@cell7:L2'
    similar_to: list = field(default_factory=list)
    tampered: list = field(default_factory=list)  # tests where the kernel's own verdict differed from the judge's
    seconds: float = 0.0

    @property
    def total(self) -> float:
        return float(sum(self.scores.values()))


def test_cells(notebook) -> list[tuple[str, float]]:
    """(grade_id, points) of every autograded test cell, in notebook order."""
    found = []
    for cell in notebook.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
            found.append((meta["grade_id"], float(meta.get("points", 0))))
    return found


def answer_cells(notebook) -> dict[str, str]:
    """grade_id -> source of every answer (solution) cell."""
    return {cell.metadata["nbgrader"]["grade_id"]: cell.source for cell in notebook.cells
            if cell.get("metadata", {}).get("nbgrader", {}).get("solution")}


def require_source(root: Path, assignment: str) -> None:
    source = root / "solutions" / assignment / f"{assignment}.ipynb"
    if not source.is_file():
        raise FileNotFoundError(f"assignment must name a folder of solutions/ with its notebook; {source} does "
                                "not exist (grading needs the instructor's copy with solutions/)")


def sync_gradebook(root: Path, assignment: str):
    """Generate `assignment` from solutions/ into a scratch folder, which also brings the gradebook
    up to date (idempotent). Returns the released notebook. lessons/ is not touched."""
    require_source(root, assignment)
    completed = run_nbgrader(root, "generate_assignment", assignment, "--force",
                             f"--CourseDirectory.release_directory={RELEASE_SCRATCH}")
    if completed.returncode != 0:
        raise RuntimeError("could not bring the gradebook up to date from solutions/:\n"
                           + "\n".join((completed.stdout + completed.stderr).splitlines()[-15:]))
    release = nbformat.read(root / RELEASE_SCRATCH / assignment / f"{assignment}.ipynb", as_version=4)
    tests = test_cells(release)
    print(f"gradebook: {assignment} is up to date with solutions/ ({len(tests)} tests, "
          f"{sum(p for _, p in tests):g} points); lessons/ untouched", flush=True)
    published = root / "lessons" / assignment / f"{assignment}.ipynb"
    if published.is_file():
        students_copy = nbformat.read(published, as_version=4)
        if [c.source for c in students_copy.cells] != [c.source for c in release.cells]:
            print(f"warning: lessons/{assignment} differs from what solutions/ generates; run `course release` "
                  "if students should get the current version", flush=True)
    return release


def _prefetch_data(assignment: str) -> None:
    """Put the lesson's offline data into the cache now: the sandbox mounts the cache read-only."""
    from .. import registry

    lesson = assignment[:2]
    for name, asset in registry.REGISTRY.items():
        if asset.offline and lesson in asset.lessons:
            try:
                registry.fetch(name, download=False, progress=False)
            except Exception:  # missing offline data: the lesson falls back, as it would for the student
                pass


def find_students(root: Path, assignment: str) -> list[str]:
    """Every student with a folder for `assignment` under grading/submitted, plus every student the
    gradebook knows (a missing submission still gets a row)."""
    from nbgrader.api import Gradebook

    submitted = root / "grading" / "submitted"
    students = {path.parent.name for path in submitted.glob(f"*/{assignment}") if path.is_dir()}
    database = root / "grading" / "gradebook.db"
    if database.is_file():
        with Gradebook(f"sqlite:///{database}") as gradebook:
            students |= {student.id for student in gradebook.students}
    return sorted(students)


def _task(root: Path, assignment: str, intake: Intake, limit: int, cell_timeout: int, sandboxed: bool) -> dict:
    folder = root / "grading" / "submitted" / intake.student / assignment
    kept = {name: (folder / name).read_text() for name in EXCHANGE_FILES if (folder / name).is_file()}
    return {"root": str(root), "assignment": assignment, "student": intake.student,
            "notebook": nbformat.writes(intake.notebook), "timestamp": kept.get("timestamp.txt"),
            "exchange_files": kept, "limit": limit, "cell_timeout": cell_timeout, "sandboxed": sandboxed,
            "source": str(root / "solutions" / assignment / f"{assignment}.ipynb")}


def _judge_environment() -> dict:
    """The judge's environment: fast mode as under nbgrader, no display, nothing of a learner's COURSE_FAST."""
    env = environment_with_scripts()
    env.pop("COURSE_FAST", None)
    env.update(NBGRADER_EXECUTION="autograde", MPLBACKEND="Agg")
    return env


def grade_submission(task: dict) -> dict:
    """Grade one submission with the judge, in a workspace of its own (runs in a thread, a process or
    a Dask worker). The student's code runs in the judge's sandboxed worker; this function and the
    judge only read plain data back. Returns {'status', 'reason', 'scores', 'tampered', 'seconds'}."""
    started = time.monotonic()
    root, assignment, student = Path(task["root"]), task["assignment"], task["student"]
    workspace = root / WORK_FOLDER / assignment / student
    if workspace.exists():
        shutil.rmtree(workspace)
    workspace.mkdir(parents=True)
    (workspace / "submission.ipynb").write_text(task["notebook"], encoding="utf-8")
    judge_task = {"submission": str(workspace / "submission.ipynb"), "release": task["source"],
                  "workspace": str(workspace), "timeout": task["cell_timeout"], "limits": task.get("limits", {}),
                  "sandboxed": task.get("sandboxed", True)}
    (workspace / "task.json").write_text(json.dumps(judge_task))
    result = {"status": "ok", "reason": "", "scores": {}, "tampered": [], "verdicts": []}
    try:
        completed = subprocess.run([sys.executable, "-m", "course_utils.grading.judge", str(workspace / "task.json"),
                                    str(workspace / "result.json")], capture_output=True, text=True,
                                   env=_judge_environment(), timeout=task["limit"], cwd=workspace)
        log, failed = completed.stdout + completed.stderr, completed.returncode != 0
    except subprocess.TimeoutExpired:
        log, failed = "", True
        result.update(status="error", reason=f"grading took longer than {task['limit']} s in all and was stopped")
    (workspace / "judge.log").write_text(log)
    if failed:
        if result["status"] == "ok":
            result.update(status="error", reason="the judge could not grade it: "
                          + " | ".join(log.strip().splitlines()[-3:])[:300])
        result["seconds"] = round(time.monotonic() - started, 1)
        return result
    judged = json.loads((workspace / "result.json").read_text())
    result.update(status=judged["status"], reason="; ".join(judged["reasons"]), scores=judged["scores"],
                  tampered=judged["tampered"], verdicts=judged["verdicts"])
    autograded = root / "grading" / "autograded" / student / assignment
    autograded.mkdir(parents=True, exist_ok=True)
    shutil.copy(judged["graded"], autograded / f"{assignment}.ipynb")
    for name, text in (task.get("exchange_files") or {}).items():
        (autograded / name).write_text(text)
    if task.get("feedback", True):
        from .feedback import write_feedback
        from .judge import TestVerdict

        folder = root / "grading" / "feedback" / student / assignment
        verdicts = [TestVerdict(**v) for v in judged["verdicts"]]
        write_feedback(nbformat.read(judged["graded"], as_version=4), verdicts, judged["status"], judged["reasons"],
                       folder / f"{assignment}.html")
        _exchange_files_beside(folder, root / "grading" / "submitted" / student / assignment)
    shutil.rmtree(workspace, ignore_errors=True)
    result["seconds"] = round(time.monotonic() - started, 1)
    return result


def _worse(first: str, second: str) -> str:
    return max(first, second, key=SEVERITY.index)


def _run_all(tasks: list[dict], jobs: int, scheduler: str | None, on_result) -> None:
    """Call grade_submission on every task and on_result(task, result) as each finishes."""
    if scheduler:
        from distributed import Client, as_completed as dask_completed

        with Client(scheduler) as client:
            futures = {client.submit(grade_submission, task, pure=False, key=f"grade-{task['student']}"): task
                       for task in tasks}
            for future in dask_completed(futures):
                on_result(futures[future], future.result())
        return
    if jobs <= 1:
        for task in tasks:
            on_result(task, grade_submission(task))
        return
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(grade_submission, task): task for task in tasks}
        for future in as_completed(futures):
            on_result(futures[future], future.result())


def merge_into_gradebook(root: Path, assignment: str, rows: list[Row]) -> None:
    """Record every student's scores in the main gradebook (formgrader and `nbgrader export` see them)."""
    from nbgrader.api import Gradebook
    from sqlalchemy.exc import SAWarning

    with warnings.catch_warnings(), Gradebook(f"sqlite:///{root / 'grading' / 'gradebook.db'}") as gradebook:
        warnings.simplefilter("ignore", SAWarning)  # nbgrader's own session handling; harmless here
        for row in rows:
            gradebook.update_or_create_student(row.student)
            gradebook.update_or_create_submission(assignment, row.student)
            notebook = gradebook.find_submission_notebook(assignment, assignment, row.student)
            for grade in notebook.grades:
                grade.auto_score = row.scores.get(grade.name, 0.0)
                grade.needs_manual_grade = False
        gradebook.db.commit()


def _exchange_files_beside(folder: Path, submitted: Path) -> None:
    """nbgrader's release_feedback needs both exchange files beside every feedback page: the
    submission's own when there are some (the student can fetch this page), else stand-ins."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in EXCHANGE_FILES:
        if (submitted / name).is_file():
            shutil.copy(submitted / name, folder / name)
        elif not (folder / name).is_file():
            stand_in = time.strftime("%Y-%m-%d %H:%M:%S.000000 UTC", time.gmtime()) if name == "timestamp.txt" \
                else secrets.token_hex(32)
            (folder / name).write_text(stand_in)


def write_placeholder_feedback(root: Path, assignment: str, row: Row) -> None:
    """Feedback for a student whose notebook could not be graded: what happened and what to do."""
    folder = root / "grading" / "feedback" / row.student / assignment
    _exchange_files_beside(folder, root / "grading" / "submitted" / row.student / assignment)
    (folder / f"{assignment}.html").write_text(
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(assignment)}</title></head><body>"
        f"<h1>{html.escape(assignment)}: not graded automatically</h1>"
        f"<p>Status: <b>{html.escape(row.status)}</b></p><p>{html.escape(row.reason)}</p>"
        "<p>Your instructor has been told and will look at your submission.</p></body></html>", encoding="utf-8")


def write_csv(path: Path, rows: list[Row], tests: list[tuple[str, float]]) -> None:
    """One row per student: status, reason, score per test, total, max, flags, similar answers."""
    path.parent.mkdir(parents=True, exist_ok=True)
    maximum = sum(points for _, points in tests)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student_id", "status", *[grade_id for grade_id, _ in tests], "total", "max_score",
                         "flags", "similar_to", "reason"])
        for row in rows:
            writer.writerow([row.student, row.status, *[f"{row.scores.get(g, 0.0):g}" for g, _ in tests],
                             f"{row.total:g}", f"{maximum:g}", "; ".join(row.flags), "; ".join(row.similar_to),
                             row.reason])


def write_report(path: Path, assignment: str, rows: list[Row], flags: dict, pairs: list,
                 tests: list[tuple[str, float]], sandboxed: bool = True) -> None:
    """A Markdown report: what needs a human, integrity flags with cell and line, similar answers."""
    maximum = sum(points for _, points in tests)
    lines = ([] if sandboxed else ["**UNSANDBOXED: student code ran with the grader's permissions (--unsandboxed); "
                                   "these grades are only as trustworthy as the submissions.**", ""])
    lines += [f"# Grading report: {assignment}", "",
             f"{len(rows)} students; {sum(r.status == 'ok' for r in rows)} graded without remarks.", "",
             "| student | status | score | reason |", "| --- | --- | --- | --- |"]
    lines += [f"| {r.student} | {r.status} | {r.total:g}/{maximum:g} | {r.reason.replace('|', '/')} |" for r in rows]
    lines += ["", "## Integrity flags", "",
              "A flag is a reason to read the code, not a verdict. Meanings: "
              + "; ".join(f"`{code}` {meaning}" for code, meaning in integrity.FLAG_MEANINGS.items())
              + "; `tests-tampered` a test passed or failed inside the student's own kernel but not in the judge, "
              "which runs the same test outside the student's process (the judge's verdict counts); "
              "`extra-files` files besides the notebook were submitted (they are not used for grading)."]
    any_flag = False
    for row in rows:
        details = flags.get(row.student, [])
        if not details and not row.tampered:
            continue
        any_flag = True
        lines += ["", f"### {row.student}"]
        lines += [f"- `{f.code}` cell {f.cell}, line {f.line}: `{f.text.replace('`', chr(39))}`" for f in details]
        lines += [f"- `tests-tampered` in {grade_id}: the kernel's verdict differs from the judge's"
                  for grade_id in row.tampered]
    if not any_flag:
        lines += ["", "None."]
    lines += ["", "## Similar answers", ""]
    lines += [f"- {p.exercise}: {p.first} and {p.second} ({p.similarity:.0%} of the code in common)"
              for p in pairs] or ["None above the threshold."]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


class SandboxMissing(RuntimeError):
    """Grading would run student code without a sandbox and the instructor did not ask for that."""


def grade_class(root: Path, assignment: str, *, jobs: int = 1, scheduler: str | None = None,
                feedback: bool = True, csv_path: Path | None = None,
                similarity_threshold: float = 0.9, sandboxed: bool = True) -> list[Row]:
    """Grade every submission of `assignment`; always writes the CSV and the report.

    Every submission runs in a bubblewrap sandbox; without bubblewrap this raises SandboxMissing
    unless `sandboxed` is False (then the report says so in its first line)."""
    if jobs < 1:
        raise ValueError(f"jobs must be a positive integer, got {jobs!r}")
    root = Path(root).resolve()
    require_source(root, assignment)
    if sandboxed:
        from .sandbox import unavailable_reason

        reason = unavailable_reason()
        if reason:
            raise SandboxMissing(f"{reason}. Submissions are untrusted code: install bubblewrap, or pass "
                                 "--unsandboxed to grade without a sandbox (student code then runs with your permissions)")
    _prefetch_data(assignment)
    students = find_students(root, assignment)
    if not students:
        raise FileNotFoundError(f"no submissions for {assignment!r} under "
                                f"{root / 'grading' / 'submitted'}/<student>/{assignment}/")
    release = sync_gradebook(root, assignment)
    tests = test_cells(release)
    stubs = answer_cells(release)
    locked_sources = [c.source for c in release.cells
                      if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("locked")]
    lesson_code = {c.source.strip() for c in release.cells if c.cell_type == "code"}  # as released: not the student's
    cell_timeout = grader_timeout(root)
    limit = cell_timeout * (1 + sum(c.cell_type == "code" for c in release.cells)) + 300
    rows, flags, answers, tasks = {}, {}, {}, []
    for student in students:
        intake = take_in(root / "grading" / "submitted" / student / assignment, student, assignment, release)
        row = Row(student, intake.status, intake.reason)
        if intake.extra_files:
            shown = ", ".join(intake.extra_files[:5]) + (" ..." if len(intake.extra_files) > 5 else "")
            row.reason = "; ".join(filter(None, [row.reason, f"extra files not used for grading: {shown}"]))
            row.flags.append("extra-files")
        if intake.notebook is not None:
            scanned = [(i + 1, c.source) for i, c in enumerate(intake.notebook.cells)
                       if c.cell_type == "code" and c.source.strip() not in lesson_code
                       and not (c.metadata.get("nbgrader", {}).get("locked")
                                and not c.metadata["nbgrader"].get("solution"))]
            flags[student] = integrity.scan_cells(scanned, locked_sources)
            row.flags += sorted({f.short() for f in flags[student]})
            for grade_id, source in answer_cells(intake.notebook).items():
                answers.setdefault(grade_id, {})[student] = source
            task = _task(root, assignment, intake, limit, cell_timeout, sandboxed)
            task["feedback"] = feedback
            tasks.append(task)
        rows[student] = row
    print(f"grading {len(tasks)} of {len(rows)} submissions ({'on ' + scheduler if scheduler else f'{jobs} at a time'})",
          flush=True)
    done = []

    def record(task, result):
        row = rows[task["student"]]
        row.status = _worse(row.status, result["status"])
        row.reason = "; ".join(filter(None, [row.reason, result["reason"]]))
        row.scores = {grade_id: result["scores"].get(grade_id, 0.0) for grade_id, _ in tests}
        row.flags += [f"tests-tampered@{grade_id}" for grade_id in result["tampered"]]
        row.tampered = result["tampered"]
        row.seconds = result.get("seconds", 0.0)
        done.append(task["student"])
        print(f"[{len(done)}/{len(tasks)}] {row.student}: {row.status} {row.total:g}/"
              f"{sum(p for _, p in tests):g} ({row.seconds:.0f} s)", flush=True)

    _run_all(tasks, jobs, scheduler, record)
    ordered = [rows[student] for student in sorted(rows)]
    for row in ordered:
        row.scores = {grade_id: row.scores.get(grade_id, 0.0) for grade_id, _ in tests}
    pairs = similarity.similar_pairs(answers, stubs, similarity_threshold)
    for pair in pairs:
        rows[pair.first].similar_to.append(f"{pair.second} ({pair.exercise} {pair.similarity:.2f})")
        rows[pair.second].similar_to.append(f"{pair.first} ({pair.exercise} {pair.similarity:.2f})")
    merge_into_gradebook(root, assignment, ordered)
    if feedback:
        for row in ordered:
            if row.status not in GRADED_STATUSES:
                write_placeholder_feedback(root, assignment, row)
    csv_path = Path(csv_path or root / "grading" / f"grades_{assignment}.csv").resolve()
    write_csv(csv_path, ordered, tests)
    report = root / "grading" / "reports" / f"{assignment}.md"
    write_report(report, assignment, ordered, flags, pairs, tests, sandboxed)
    print(f"grades written to {csv_path}\nreport written to {report}", flush=True)
    return ordered


def needs_a_human(rows: list[Row]) -> list[Row]:
    """Rows with a remark; a student on the roster who did not submit is not one (their row says 0)."""
    return [row for row in rows if row.status not in ("ok", "not-submitted") or row.flags or row.similar_to]


def summary(rows: list[Row]) -> str:
    attention = needs_a_human(rows)
    absent = [row.student for row in rows if row.status == "not-submitted"]
    absent_line = f"\n{len(absent)} students in the gradebook did not submit: {', '.join(absent[:20])}" if absent else ""
    if not attention:
        return f"all {len(rows) - len(absent)} submissions graded without remarks{absent_line}"
    lines = [f"{len(attention)} of {len(rows) - len(absent)} submissions need a human:"]
    for row in attention:
        notes = [row.status] + ([f"flags: {', '.join(row.flags[:4])}"] if row.flags else []) + \
                ([f"similar to {', '.join(row.similar_to[:3])}"] if row.similar_to else [])
        lines.append(f"  {row.student}: {'; '.join(notes)}" + (f" ({row.reason})" if row.reason else ""))
    return "\n".join(lines) + absent_line
