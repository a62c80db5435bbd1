"""Grading throughput of `course grade` on lesson 00: a class of solution and blank notebooks, graded
one at a time and then two at a time, in a scratch copy of the course. Records submissions per
minute for each and checks that both runs give the same CSV.

Usage: python bench/grading.py [--students 8]
"""
import argparse
import csv
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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=8)
    students = parser.parse_args().students
    with tempfile.TemporaryDirectory() as scratch:
        course = Path(scratch)
        shutil.copy(ROOT / "nbgrader_config.py", course)
        shutil.copytree(ROOT / "solutions", course / "solutions")
        shutil.copytree(ROOT / "lessons", course / "lessons")
        for number in range(students):
            source = ("solutions" if number % 2 == 0 else "lessons")
            folder = course / "grading" / "submitted" / f"student{number:03d}" / ASSIGNMENT
            folder.mkdir(parents=True)
            shutil.copy(course / source / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", folder)
        grade(course, "--no-feedback")  # warm the caches (data, bytecode) so both runs start alike
        rows = []
        results = {}
        for label, arguments in (("sequential", ("--jobs", "1")), ("--jobs 2", ("--jobs", "2"))):
            for feedback in (False, True):
                extra = () if feedback else ("--no-feedback",)
                seconds, grades = grade(course, *arguments, *extra)
                results[(label, feedback)] = grades
                rows.append((label, "yes" if feedback else "no", students, f"{seconds:.0f}",
                             f"{students / seconds * 60:.1f}"))
        same = len({tuple(sorted(g.items())) for g in results.values()}) == 1
    write_report("grading", "Grading throughput (`course grade`, lesson 00, fast mode)",
                 ("run", "feedback", "submissions", "seconds", "submissions per minute"), rows,
                 f"Half the class submits the solution, half the blank notebook. Same CSV in every run: {same}. "
                 "Each submission is graded in its own workspace, so the per-submission cost includes starting "
                 "nbgrader and a kernel; `--jobs N` overlaps that work on N cores.")
    if not same:
        raise SystemExit("the runs gave different grades")


if __name__ == "__main__":
    main()
