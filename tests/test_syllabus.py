import pytest
from conftest import ROOT

from course_utils import syllabus


def test_find_course_root_searches_upwards(tmp_path):
    assert syllabus.find_course_root(ROOT / "solutions" / "00_what_is_an_embedding") == ROOT
    with pytest.raises(FileNotFoundError, match="no course folder"):
        syllabus.find_course_root(tmp_path)


def test_lesson_urls_point_at_the_released_notebook():
    lesson = syllabus.LESSONS[0]
    assert lesson.assignment == "00_what_is_an_embedding"
    assert lesson.colab_url().endswith(f"/blob/{syllabus.BRANCH}/lessons/{lesson.assignment}/{lesson.assignment}.ipynb")
    assert lesson.colab_url().startswith(f"https://colab.research.google.com/github/{syllabus.REPOSITORY}/")
    assert "labpath=lessons%2F00_what_is_an_embedding%2F00_what_is_an_embedding.ipynb" in lesson.binder_url()
    assert syllabus.PIP_URL == f"git+{syllabus.REPO_URL}@{syllabus.BRANCH}"


def test_lesson_numbers_are_unique_and_ordered():
    numbers = [lesson.number for lesson in syllabus.LESSONS]
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)


def test_table_marks_ready_and_planned_lessons():
    table = syllabus.syllabus_table(ROOT)
    ready = [line for line in table.splitlines() if "| ready |" in line]
    assert len(ready) == len(syllabus.available_assignments(ROOT))
    assert all("colab-badge" in line and "badge_logo" in line for line in ready)
    assert "| planned |" in table
