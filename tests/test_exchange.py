"""A classroom on one machine, through nbgrader's own exchange (a temporary folder standing in for
JupyterHub's shared one): the instructor releases lesson 00, two students fetch it (each in a folder
and configuration of their own), answer it or not, and submit; the instructor collects, runs
`course grade` with the semester seed set in nbgrader_config.py, and releases the feedback, which
each student fetches. Every step is the command the classroom guide (docs/classroom.md) gives."""
import csv
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT, run_course, script_environment

ASSIGNMENT = "00_what_is_an_embedding"
COURSE_ID = "embeddings-course"
SEED_LINE = '# os.environ.setdefault("COURSE_SEMESTER_SEED", "choose-a-secret")'


def nbgrader(folder: Path, *arguments: str, env=None) -> str:
    completed = subprocess.run([sys.executable, "-m", "nbgrader", *arguments], cwd=folder, capture_output=True,
                               text=True, env=env or script_environment(), timeout=600)
    assert completed.returncode == 0, f"nbgrader {' '.join(arguments)}:\n{completed.stdout}\n{completed.stderr}"
    return completed.stdout + completed.stderr


def student_home(tmp: Path, name: str, exchange: Path) -> tuple[Path, dict]:
    """A student's folder with the configuration a hub gives every user (/etc/jupyter in real life)."""
    home = tmp / "home" / name
    home.mkdir(parents=True)
    (home / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.Exchange.root = {str(exchange)!r}\nc.CourseDirectory.course_id = {COURSE_ID!r}\n"
        f"c.Exchange.cache = {str(home / '.nbgrader_cache')!r}\n")
    env = {**script_environment(), "HOME": str(home), "JUPYTER_CONFIG_DIR": str(home / ".jupyter")}
    return home, env


def answered_with_the_solutions(notebook):
    """The fetched notebook with every answer cell replaced by the reference solution's code."""
    solution = nbformat.read(ROOT / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    answers = {c.metadata["nbgrader"]["grade_id"]: c.source for c in solution.cells
               if c.metadata.get("nbgrader", {}).get("solution")}
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = re.sub(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n?", "", answers[grade_id], flags=re.M)
    return notebook


@pytest.mark.timeout(1800)
def test_release_fetch_submit_collect_grade_and_return_feedback(tmp_path):
    exchange = tmp_path / "exchange"
    exchange.mkdir(mode=0o777)
    course = tmp_path / "course"
    (course / "solutions").mkdir(parents=True)
    shutil.copytree(ROOT / "solutions" / ASSIGNMENT, course / "solutions" / ASSIGNMENT)
    config = (ROOT / "nbgrader_config.py").read_text()
    assert SEED_LINE in config
    config = config.replace(SEED_LINE, SEED_LINE.lstrip("# ").replace("choose-a-secret", "exchange-test-semester"))
    (course / "nbgrader_config.py").write_text(config + f"\nc.Exchange.root = {str(exchange)!r}\n")

    # instructor: generate the student version and release it to the exchange
    assert run_course("release", ASSIGNMENT, cwd=course).returncode == 0
    nbgrader(course, "release_assignment", ASSIGNMENT)
    assert (exchange / COURSE_ID / "outbound" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").is_file()

    # students: fetch, work (ada answers, bob hands in the notebook as fetched), submit
    homes = {}
    for student in ("ada", "bob"):
        home, env = student_home(tmp_path, student, exchange)
        homes[student] = (home, env)
        nbgrader(home, "fetch_assignment", ASSIGNMENT, env=env)
        path = home / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        assert "### BEGIN HIDDEN TESTS" not in path.read_text()
        if student == "ada":
            nbformat.write(answered_with_the_solutions(nbformat.read(path, as_version=4)), path)
        nbgrader(home, "submit", ASSIGNMENT, f"--student={student}", env=env)

    # instructor: collect into grading/submitted/, grade with course grade (feedback included)
    nbgrader(course, "collect", ASSIGNMENT)
    for student in ("ada", "bob"):
        submitted = course / "grading" / "submitted" / student / ASSIGNMENT
        assert {"timestamp.txt", "submission_secret.txt", f"{ASSIGNMENT}.ipynb"} <= {p.name for p in submitted.iterdir()}
    graded = run_course("grade", ASSIGNMENT, cwd=course, timeout=1500)
    assert graded.returncode in (0, 1), graded.stdout + graded.stderr
    with open(course / "grading" / f"grades_{ASSIGNMENT}.csv", newline="") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert rows["ada"]["status"] == "ok", rows["ada"]
    assert float(rows["ada"]["total"]) == float(rows["ada"]["max_score"]) > 0, rows["ada"]  # full marks under the seed
    assert float(rows["bob"]["total"]) == 0, rows["bob"]
    for student in ("ada", "bob"):
        feedback = course / "grading" / "feedback" / student / ASSIGNMENT
        assert {"timestamp.txt", "submission_secret.txt", f"{ASSIGNMENT}.html"} <= {p.name for p in feedback.iterdir()}

    # instructor: release the feedback; students: fetch it
    nbgrader(course, "release_feedback", ASSIGNMENT)
    assert len(list((exchange / COURSE_ID / "feedback").glob("*.html"))) == 2
    for student, (home, env) in homes.items():
        nbgrader(home, "fetch_feedback", ASSIGNMENT, f"--student={student}", env=env)
        fetched = list((home / ASSIGNMENT / "feedback").glob(f"*/{ASSIGNMENT}.html"))
        assert len(fetched) == 1, list((home / ASSIGNMENT).rglob("*"))
        assert fetched[0].read_text() == (course / "grading" / "feedback" / student / ASSIGNMENT /
                                          f"{ASSIGNMENT}.html").read_text()


def test_placeholder_feedback_carries_what_release_feedback_needs(tmp_path):
    """A submission that could not be graded keeps its own exchange files beside its feedback page (so
    the student can fetch it); a student who never submitted gets stand-ins, so that
    `nbgrader release_feedback` still goes through the whole class."""
    from course_utils.grading import classroom

    submitted = tmp_path / "grading" / "submitted" / "cy" / ASSIGNMENT
    submitted.mkdir(parents=True)
    (submitted / "timestamp.txt").write_text("2031-03-01 10:00:00.000000 UTC")
    (submitted / "submission_secret.txt").write_text("cy-secret")
    for student, status in (("cy", "invalid-notebook"), ("dee", "missing")):
        classroom.write_placeholder_feedback(tmp_path, ASSIGNMENT, classroom.Row(student, status, "a reason"))
    cy = tmp_path / "grading" / "feedback" / "cy" / ASSIGNMENT
    assert (cy / "submission_secret.txt").read_text() == "cy-secret"
    assert (cy / "timestamp.txt").read_text().startswith("2031-03-01")
    dee = tmp_path / "grading" / "feedback" / "dee" / ASSIGNMENT
    assert len((dee / "submission_secret.txt").read_text()) >= 32 and (dee / "timestamp.txt").read_text()
    assert "missing" in (dee / f"{ASSIGNMENT}.html").read_text()
