import re

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
    planned = [lesson for lesson in syllabus.LESSONS if lesson.assignment not in syllabus.available_assignments(ROOT)]
    assert table.count("| planned |") == len(planned)


def test_the_repository_url_is_the_one_in_syllabus_everywhere():
    """Code reads syllabus.REPO_URL; text files that must spell the URL out (docs, CITATION.cff) spell that one."""
    import subprocess

    from course_utils import syllabus

    owner = syllabus.REPOSITORY.split("/")[0]
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    found = []
    for name in tracked:
        path = ROOT / name
        if path.suffix not in (".py", ".md", ".yml", ".yaml", ".cff", ".toml", ".cfg", ".txt", ".sh", "") or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for url in re.findall(rf"https://github\.com/{re.escape(owner)}/[\w.-]+", text):
            found.append((name, url))
            assert url.removesuffix(".git") == syllabus.REPO_URL, f"{name} spells the repository URL as {url}"
        if path.suffix == ".py" and name != "course_utils/syllabus.py":
            assert syllabus.REPOSITORY not in text, f"{name} should use syllabus.REPO_URL, not a copy of the URL"
    assert {name for name, _ in found} >= {"docs/classroom.md", "CITATION.cff"}
