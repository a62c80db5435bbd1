"""Grading throughput on lesson 00, before and after the judge: a class of solution and blank notebooks
graded by nbgrader's autograde (the old path: tests in the student's kernel) and by `course grade`
(the judge, with the sandbox) one and two at a time, in one run on one machine. Records seconds per
submission and the ratio to the old path, and checks that the judged runs give the same CSV.

Usage: python bench/grading.py [--students 6]
"""
import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from report import write_report

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "00_what_is_an_embedding"


def grade(course: Path, *arguments: str) -> tuple[float, dict]:
    started = time.perf_counter()
    completed = subprocess.run([sys.executable, "-m", "course_utils.cli", "grade", ASSIGNMENT, *arguments],
                               cwd=course, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if completed.returncode not in (0, 1):
        raise RuntimeError(completed.stdout[-2000:] + completed.stderr[-2000:])
    with open(course / "grading" / f"grades_{ASSIGNMENT}.csv", newline="") as handle:
        rows = {row["student_id"]: (row["status"], row["total"]) for row in csv.DictReader(handle)}
    return seconds, rows


def nbgrader_autograde(course: Path, students: list[str]) -> float:
    """The path before the judge: nbgrader's autograde, one kernel per submission, in the student's process."""
    started = time.perf_counter()
    for student in students:
        completed = subprocess.run([sys.executable, "-m", "nbgrader", "autograde", ASSIGNMENT, f"--student={student}",
                                    "--force"], cwd=course, capture_output=True, text=True,
                                   env={**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"})
        if completed.returncode != 0:
            raise RuntimeError(completed.stdout[-2000:] + completed.stderr[-2000:])
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=6)
    students = parser.parse_args().students
    with tempfile.TemporaryDirectory() as scratch:
        course = Path(scratch)
        shutil.copy(ROOT / "nbgrader_config.py", course)
        shutil.copytree(ROOT / "solutions", course / "solutions")
        shutil.copytree(ROOT / "lessons", course / "lessons")
        names = []
        for number in range(students):
            source = ("solutions" if number % 2 == 0 else "lessons")
            names.append(f"student{number:03d}")
            folder = course / "grading" / "submitted" / names[-1] / ASSIGNMENT
            folder.mkdir(parents=True)
            shutil.copy(course / source / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", folder)
        grade(course, "--no-feedback")  # warm the caches (data, bytecode) and bring the gradebook up to date
        before = nbgrader_autograde(course, names)
        rows = [("before: nbgrader autograde, in-kernel guard", "no", students, f"{before:.0f}",
                 f"{before / students:.1f}", "1.00")]
        results = {}
        for label, arguments in (("judge + sandbox, sequential", ("--jobs", "1")), ("judge + sandbox, --jobs 2", ("--jobs", "2"))):
            for feedback in (False, True):
                extra = () if feedback else ("--no-feedback",)
                seconds, grades = grade(course, *arguments, *extra)
                results[(label, feedback)] = grades
                rows.append((label, "yes" if feedback else "no", students, f"{seconds:.0f}", f"{seconds / students:.1f}",
                             f"{seconds / before:.2f}"))
        same = len({tuple(sorted(g.items())) for g in results.values()}) == 1
        ratio = float(rows[1][3]) / before
    write_report("grading", "Grading throughput (lesson 00, fast mode): before and after the judge and the sandbox",
                 ("run", "feedback", "submissions", "seconds", "seconds per submission", "time / before"), rows,
                 f"Half the class submits the solution, half the blank notebook; all rows ran one after another in "
                 f"one run on this machine. 'Before' is nbgrader's autograde (the student's code and the tests in "
                 f"one kernel), one process per submission as `course grade` used to run it. 'After' is `course "
                 f"grade`: the student's code in a bubblewrap sandbox, the tests in the trusted judge. The judge "
                 f"and the sandbox cost {ratio:.2f}x the time per submission (target: at most 1.5x). Same CSV in "
                 f"every judged run: {same}.")
    if not same:
        raise SystemExit("the runs gave different grades")


if __name__ == "__main__":
    main()
