"""`course export-student`: no solution or hidden-test text reaches the student repository, it
installs into a fresh virtual environment, its own test suite passes there (lesson 00 runs), and
its setup turns nbgrader's instructor tools off."""
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from conftest import ROOT, run_course

from course_utils.grading import export

MARKERS = ["### BEGIN SOLUTION", "### END SOLUTION", "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"]
PRIVATE = ["solutions", "nbgrader_config.py", "bench", "docs", ".ci", "CONTRIBUTING.md", "grading",
           "tests/conftest.py", "tests/test_hidden_tests.py", "tests/test_grading.py", "tests/test_classroom.py",
           "tests/test_export.py", "tests/test_metric_learning_reference.py"]
INSTRUCTOR_TOOLS = ["nbgrader.server_extensions.formgrader", "nbgrader.server_extensions.course_list"]
INSTRUCTOR_PLUGINS = ["@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                      "@jupyter/nbgrader:course-list"]


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    folder = tmp_path_factory.mktemp("export") / "students"
    completed = run_course("export-student", str(folder))
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return folder


@pytest.fixture(scope="module")
def student_venv(tmp_path_factory, exported):
    """A fresh venv with only the exported course installed in it. The course's dependencies come
    from this venv through a .pth line (read, never written), as if pip had installed them; nbgrader's
    Jupyter data files are copied in the way pip would place them."""
    venv = tmp_path_factory.mktemp("venv") / "student"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    (site / "course-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    for script in ("jupyter", "jupyter-labextension", "jupyter-server"):
        text = (Path(sys.prefix) / "bin" / script).read_text().split("\n", 1)[1]
        (venv / "bin" / script).write_text(f"#!{python}\n{text}")
        (venv / "bin" / script).chmod(0o755)
    shutil.copytree(Path(sys.prefix) / "etc" / "jupyter" / "jupyter_server_config.d",
                    venv / "etc" / "jupyter" / "jupyter_server_config.d")
    shutil.copytree(Path(sys.prefix) / "share" / "jupyter" / "labextensions" / "@jupyter" / "nbgrader",
                    venv / "share" / "jupyter" / "labextensions" / "@jupyter" / "nbgrader")
    completed = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
                                "--no-build-isolation", "--ignore-installed", "-e", str(exported)],
                               capture_output=True, text=True)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return venv


def student_environment(venv: Path, tmp: Path) -> dict:
    env = {key: value for key, value in os.environ.items()
           if key not in ("COURSE_FAST", "NBGRADER_EXECUTION", "PYTHONPATH", "VIRTUAL_ENV")}
    env.update(PATH=f"{venv / 'bin'}{os.pathsep}/usr/bin:/bin", JUPYTER_CONFIG_DIR=str(tmp / "user-jupyter"),
               IPYTHONDIR=str(tmp / "ipython"))
    return env


def test_no_solution_or_hidden_test_text_reaches_the_export(exported):
    lines = export.secret_lines(ROOT)
    for assignment in sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir()):
        released = (ROOT / "lessons" / assignment / f"{assignment}.ipynb").read_text()
        assert "### BEGIN HIDDEN TESTS" not in released
    assert len(lines) > 100, "the solution notebooks should yield many distinctive lines"
    hits = []
    for path in sorted(p for p in exported.rglob("*") if p.is_file()):
        text = path.read_bytes().decode("utf-8", errors="replace")
        hits += [f"{path.relative_to(exported)}: {marker}" for marker in MARKERS if marker in text]
        hits += [f"{path.relative_to(exported)}: {line}" for line in lines if line in text]
    assert not hits, hits[:10]
    assert not [name for name in PRIVATE if (exported / name).exists()]
    assert sorted(p.name for p in (exported / "tests").iterdir()) == ["test_lessons.py"]
    lessons = sorted(p.relative_to(ROOT) for p in (ROOT / "lessons").glob("*/*.ipynb"))
    assert lessons and all((exported / lesson).read_bytes() == (ROOT / lesson).read_bytes() for lesson in lessons)


def test_the_student_readme_has_the_two_commands_and_no_instructor_material(exported):
    readme = (exported / "README.md").read_text()
    assert "make start" in readme and "make test" in readme
    assert "| 00 | What is an embedding" in readme
    for private in ("Instructor guide", "solutions/", "course grade", "docs/"):
        assert private not in readme
    makefile = (exported / "Makefile").read_text()
    assert "student-jupyter" in makefile and "bench" not in makefile and "release" not in makefile
    assert "tools/student-jupyter.sh" in (exported / "binder" / "postBuild").read_text()


def test_a_leak_is_found_and_a_full_folder_is_refused(tmp_path, exported):
    leaky = tmp_path / "leaky"
    (leaky / "lessons").mkdir(parents=True)
    line = sorted(export.secret_lines(ROOT))[0]
    (leaky / "lessons" / "notes.md").write_text(f"copied from a friend:\n{line}\n")
    (leaky / "cell.py").write_text("### BEGIN HIDDEN TESTS\n")
    found = export.find_leaks(leaky, ROOT)
    assert any("notes.md" in leak for leak in found) and any("cell.py" in leak for leak in found)
    assert run_course("export-student", str(exported)).returncode == 2  # not empty, no --force


def test_the_export_installs_and_its_tests_pass_with_lesson_00_running(exported, student_venv, tmp_path):
    env = student_environment(student_venv, tmp_path)
    python = str(student_venv / "bin" / "python")
    where = subprocess.run([python, "-c", "import course_utils; print(course_utils.__file__)"], cwd=tmp_path,
                           env=env, capture_output=True, text=True, check=True).stdout
    assert Path(where.strip()).is_relative_to(exported), where
    completed = subprocess.run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], cwd=exported,
                               env=env, capture_output=True, text=True, timeout=1200)
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-2000:]
    assert " passed" in completed.stdout


def test_the_student_setup_turns_nbgraders_instructor_tools_off(exported, student_venv, tmp_path):
    env = student_environment(student_venv, tmp_path)
    jupyter = str(student_venv / "bin" / "jupyter")
    subprocess.run(["sh", "tools/student-jupyter.sh"], cwd=exported, env={**env, "JUPYTER": jupyter},
                   check=True, capture_output=True)
    server = subprocess.run([jupyter, "server", "extension", "list"], env=env, capture_output=True, text=True)
    listed = server.stdout + server.stderr
    for extension in INSTRUCTOR_TOOLS:
        assert f"{extension} \x1b[31mdisabled" in listed or f"{extension} disabled" in listed, listed
    # what students use stays on; the Validate button is answered by the course's table
    for extension in ("nbgrader.server_extensions.assignment_list", "course_utils.grading.lab_validate"):
        assert f"{extension} \x1b[32menabled" in listed or f"{extension} enabled" in listed, listed
    assert "nbgrader.server_extensions.validate_assignment \x1b[31mdisabled" in listed \
        or "nbgrader.server_extensions.validate_assignment disabled" in listed, listed
    lab = subprocess.run([jupyter, "labextension", "list"], env=env, capture_output=True, text=True)
    disabled = (lab.stdout + lab.stderr).split("Disabled extensions:", 1)[1]
    assert all(plugin in disabled for plugin in INSTRUCTOR_PLUGINS), lab.stdout + lab.stderr
    assert "@jupyter/nbgrader:assignment-list" not in disabled
