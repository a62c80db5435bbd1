"""What a student can check: every lesson notebook is intact, and lesson 00 runs from top to
bottom in a fresh kernel (unanswered, so it scores nothing, but nothing crashes)."""
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted(ROOT.glob("lessons/*/*.ipynb"))


def test_there_are_lessons():
    assert LESSONS, "no notebooks under lessons/"


@pytest.mark.parametrize("path", LESSONS, ids=lambda path: path.stem)
def test_each_lesson_keeps_its_grading_metadata(path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    graded = [cell for cell in notebook["cells"] if cell["metadata"].get("nbgrader", {}).get("grade")]
    assert graded, f"{path.name} has no graded test cells left; get a fresh copy of it"


def test_the_course_package_imports():
    import course_utils
    from course_utils import checks

    checks.check_close([1.0, 2.0], [1.0, 2.0], "a self-check")
    assert course_utils.__version__


def test_lesson_00_runs_in_a_fresh_kernel():
    lesson = ROOT / "lessons" / "00_what_is_an_embedding" / "00_what_is_an_embedding.ipynb"
    completed = subprocess.run([sys.executable, "-m", "course_utils.cli", "validate", str(lesson)], cwd=ROOT,
                               capture_output=True, text=True, timeout=900)
    output = completed.stdout + completed.stderr
    assert completed.returncode == 1, output  # ran, and found the exercises unanswered
    assert re.search(r"^total\s+0/\d+", completed.stdout, re.M), output
    assert "NotImplementedError" in output, output
