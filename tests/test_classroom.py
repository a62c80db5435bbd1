"""A whole class graded by `course grade`, unattended: honest, broken and cheating submissions of a
small three-exercise assignment (so the suite stays fast), graded sequentially, two at a time and on
a local Dask cluster, with the CSV, the statuses, the flags and the report asserted."""
import csv
import shutil

import nbformat
import pytest
from conftest import ROOT, run_course
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ASSIGNMENT = "99_toy"
CELL_TIMEOUT = 20  # the infinite loop costs this much; honest cells here take well under a second
TESTS = ["test_mean_of", "test_unit_vector", "test_count_positive"]


def _meta(grade_id, *, grade=False, solution=False, locked=False, points=None):
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3, "solution": solution}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


ANSWERS = {
    "mean_of": ('def mean_of(x):\n    """Mean of a non-empty 1-D sequence of numbers, as a Python float."""\n',
                '    x = np.asarray(x, dtype=float)\n    return float(x.sum() / x.size)\n'),
    "unit_vector": ('def unit_vector(v):\n    """v scaled to length 1 (a float array); ValueError for a zero vector."""\n',
                    '    v = np.asarray(v, dtype=float)\n    norm = np.linalg.norm(v)\n    if norm == 0:\n'
                    '        raise ValueError("v must not be the zero vector")\n    return v / norm\n'),
    "count_positive": ('def count_positive(x):\n    """How many entries of the 1-D sequence x are > 0, as an int."""\n',
                       '    return int((np.asarray(x) > 0).sum())\n'),
}
TEST_SOURCES = {
    "mean_of": ('checks.check_close(mean_of([1.0, 2.0, 3.0]), 2.0, "mean_of([1, 2, 3])")\n'
                'checks.check_type(mean_of([4]), float, "mean_of([4])")\nprint("mean_of passes the visible checks.")\n'
                '### BEGIN HIDDEN TESTS\nrng = np.random.default_rng(0)\nfor n in (1, 7, 100):\n'
                '    x = rng.normal(size=n)\n    checks.check_close(mean_of(x), np.mean(x), "mean_of on random data")\n'
                '### END HIDDEN TESTS', 2),
    "unit_vector": ('checks.check_close(unit_vector([3.0, 4.0]), [0.6, 0.8], "unit_vector([3, 4])")\ntry:\n'
                    '    unit_vector([0.0, 0.0])\n    raise AssertionError("the zero vector should raise ValueError")\n'
                    'except ValueError:\n    pass\n### BEGIN HIDDEN TESTS\n'
                    'v = np.random.default_rng(1).normal(size=5)\n'
                    'checks.check_close(unit_vector(v), v / np.sqrt((v ** 2).sum()), "unit_vector on random data")\n'
                    '### END HIDDEN TESTS', 1),
    "count_positive": ('checks.check_equal(count_positive([1, -1, 0, 2]), 2, "count_positive([1, -1, 0, 2])")\n'
                       '### BEGIN HIDDEN TESTS\nx = np.random.default_rng(2).normal(size=50)\n'
                       'checks.check_equal(count_positive(x), int((x > 0).sum()), "count_positive on random data")\n'
                       '### END HIDDEN TESTS', 1),
}


def source_notebook():
    """The instructor's notebook: setup, then three exercises each with its test cell."""
    cells = [new_markdown_cell("# A toy lesson for grading tests"),
             new_code_cell("import numpy as np\nfrom course_utils import checks", metadata=_meta("setup", locked=True))]
    for name, (head, body) in ANSWERS.items():
        cells.append(new_code_cell(f"{head}    ### BEGIN SOLUTION\n{body}    ### END SOLUTION",
                                   metadata=_meta(name, solution=True)))
        test, points = TEST_SOURCES[name]
        cells.append(new_code_cell(test, metadata=_meta(f"test_{name}", grade=True, locked=True, points=points)))
    cells.append(new_code_cell("print('an experiment cell that uses the answers:', mean_of([1, 2]))"))
    notebook = new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return notebook


def answered(release, replacements=None):
    """A student's copy of the released notebook with answers filled in (the reference ones unless replaced)."""
    notebook = nbformat.reads(nbformat.writes(release), as_version=4)
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in ANSWERS:
            head, body = ANSWERS[grade_id]
            cell.source = (replacements or {}).get(grade_id, head + body)
    return notebook


WRONG = {name: head + "    return 0\n" for name, (head, _) in ANSWERS.items()}
REFERENCE = {name: head + body for name, (head, body) in ANSWERS.items()}
# the reference code with its names changed: what the similarity report is for
COPYCAT = {
    "mean_of": ANSWERS["mean_of"][0] + "    values = np.asarray(x, dtype=float)\n"
                                       "    return float(values.sum() / values.size)\n",
    "unit_vector": ANSWERS["unit_vector"][0] + "    vec = np.asarray(v, dtype=float)\n    length = np.linalg.norm(vec)\n"
                   "    if length == 0:\n        raise ValueError('zero vector')\n    return vec / length\n",
    "count_positive": REFERENCE["count_positive"],
}


def with_first(prefix, answers=WRONG):
    """Wrong answers, with `prefix` (the cheat) at the top of the first answer cell."""
    return {**answers, "mean_of": prefix + answers["mean_of"]}


CHEATS = {
    # replaces the functions of the checks module, as in the report
    "cheat_checks": with_first("for _name in dir(checks):\n    if _name.startswith('check'):\n"
                               "        setattr(checks, _name, lambda *args, **kwargs: None)\n"),
    # wraps numpy's comparison so that everything is close
    "cheat_numpy": with_first("_isclose = np.isclose\n"
                              "np.isclose = lambda a, b, **kw: np.ones(np.shape(_isclose(a, b)), dtype=bool)\n"),
    # a builtin that makes a wrong type pass check_type (the values are right, the type is not)
    "cheat_builtins": {**REFERENCE,
                       "mean_of": "import builtins\n_isinstance = isinstance\n"
                                  "builtins.isinstance = lambda obj, kind: kind is float or _isinstance(obj, kind)\n"
                                  + ANSWERS["mean_of"][0] + "    return str(float(np.mean(x)))\n"},
    # silences the traceback display
    "cheat_traceback": with_first("get_ipython().showtraceback = lambda *args, **kwargs: None\n"),
    # swaps the checks module in sys.modules and re-imports it
    "cheat_sys_modules": with_first(
        "import sys, types\n_fake = types.ModuleType('course_utils.checks')\n"
        "for _name in ('check', 'check_close', 'check_equal', 'check_type', 'check_shape'):\n"
        "    setattr(_fake, _name, lambda *a, **k: None)\nsys.modules['course_utils.checks'] = _fake\n"
        "import course_utils\ncourse_utils.checks = _fake\nfrom course_utils import checks\n"),
    # rebinds the name the tests use
    "cheat_rebind": with_first("class _Pass:\n    def __getattr__(self, name):\n"
                               "        return lambda *a, **k: None\nchecks = _Pass()\n"),
    # hides errors where they leave the kernel: the guard's own checks do not see this one, the
    # missing end-of-test marker does
    "cheat_session": with_first(
        "_session = get_ipython().kernel.session\n_send = _session.send\n"
        "def _quiet_send(stream, msg_or_type, content=None, *args, **kwargs):\n"
        "    kind = msg_or_type if isinstance(msg_or_type, str) else msg_or_type['header']['msg_type']\n"
        "    if kind == 'error':\n        return None\n"
        "    if kind == 'execute_reply' and isinstance(content, dict) and content.get('status') == 'error':\n"
        "        content = {'status': 'ok', 'execution_count': content.get('execution_count'),\n"
        "                   'user_expressions': {}, 'payload': []}\n"
        "    return _send(stream, msg_or_type, content, *args, **kwargs)\n"
        "_session.send = _quiet_send\n"),
}


@pytest.fixture(scope="module")
def toy_course(tmp_path_factory):
    course = tmp_path_factory.mktemp("class")
    shutil.copy(ROOT / "nbgrader_config.py", course)
    with open(course / "nbgrader_config.py", "a") as config:
        config.write(f"\nc.Execute.timeout = {CELL_TIMEOUT}\n")
    (course / "solutions" / ASSIGNMENT).mkdir(parents=True)
    nbformat.write(source_notebook(), course / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    completed = run_course("release", ASSIGNMENT, cwd=course)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return course


def submit_class(course):
    """Write the simulated class into grading/submitted; returns the folder."""
    release = nbformat.read(course / "lessons" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    submitted = course / "grading" / "submitted"
    shutil.rmtree(course / "grading", ignore_errors=True)

    def put(student, notebook=None, name=f"{ASSIGNMENT}.ipynb", text=None):
        folder = submitted / student / ASSIGNMENT
        folder.mkdir(parents=True, exist_ok=True)
        if notebook is not None or text is not None:
            (folder / name).write_text(text if text is not None else nbformat.writes(notebook))
        return folder

    put("full", answered(release))
    put("blank", release)
    put("partial", answered(release, {"unit_vector": "def unit_vector(v):\n    raise NotImplementedError()\n",
                                      "count_positive": "def count_positive(x):\n    return None\n"}))
    put("visible_only", answered(release, {"mean_of": "def mean_of(x):\n    return 2.0 if len(x) == 3 else 4.0\n"}))
    for student, answers in CHEATS.items():
        put(student, answered(release, answers))
    put("kernel_killer", answered(release, {"count_positive": "import os\nos._exit(0)\n"}))
    put("looping", answered(release, {"unit_vector": "def unit_vector(v):\n    while True:\n        pass\n"}))
    put("invalid_json", text='{"cells": [ this is not json')
    put("wrong_name", answered(release), name="my homework.ipynb")
    stripped = answered(release)
    for cell in stripped.cells:
        cell.metadata = {}
    put("stripped", stripped)
    (put("missing") / "notes.txt").write_text("I forgot the notebook")
    put("copycat", answered(release, COPYCAT))
    return submitted


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return {row["student_id"]: row for row in csv.DictReader(handle)}


EXPECTED = {  # student: (status, total)
    "full": ("ok", 4), "blank": ("ok", 0), "partial": ("ok", 2), "visible_only": ("ok", 2),
    "kernel_killer": ("kernel-died", 3),  # the two tests before its os._exit keep their points "looping": ("timeout", 3), "invalid_json": ("invalid-notebook", 0),
    "wrong_name": ("wrong-file-name", 4), "stripped": ("metadata-restored", 4), "missing": ("missing", 0),
    "copycat": ("ok", 4), **{student: ("ok", 0) for student in CHEATS},
    "cheat_builtins": ("ok", 2),  # its other two answers are right: the judge gives what they deserve
}
STATIC_FLAGS = {"cheat_checks": "module-attribute", "cheat_numpy": "module-attribute", "cheat_builtins": "builtins",
                "cheat_traceback": "ipython", "cheat_sys_modules": "sys-modules", "cheat_rebind": "rebinds-import",
                "cheat_session": "ipython", "kernel_killer": "exit", "missing": "extra-files"}


@pytest.fixture(scope="module")
def graded_class(toy_course):
    submit_class(toy_course)
    completed = run_course("grade", ASSIGNMENT, "--jobs", "2", cwd=toy_course, timeout=1500)
    assert completed.returncode == 1, completed.stdout[-3000:] + completed.stderr[-3000:]
    return toy_course, read_csv(toy_course / "grading" / f"grades_{ASSIGNMENT}.csv"), completed.stdout


def test_the_class_has_at_least_twelve_kinds_of_submission():
    assert len(EXPECTED) >= 12


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_every_student_gets_the_expected_status_and_score(graded_class, student):
    _, rows, _ = graded_class
    status, total = EXPECTED[student]
    row = rows[student]
    assert (row["status"], float(row["total"])) == (status, total), row
    assert float(row["max_score"]) == 4
    if status != "ok":
        assert row["reason"], row


def test_each_exercise_scored_on_its_own(graded_class):
    _, rows, _ = graded_class
    assert [float(rows["full"][t]) for t in TESTS] == [2, 1, 1]
    assert [float(rows["partial"][t]) for t in TESTS] == [2, 0, 0]
    assert [float(rows["visible_only"][t]) for t in TESTS] == [0, 1, 1]
    assert [float(rows["looping"][t]) for t in TESTS] == [2, 0, 1]


@pytest.mark.parametrize("student", sorted(STATIC_FLAGS))
def test_static_flags_name_the_cheat(graded_class, student):
    _, rows, _ = graded_class
    assert STATIC_FLAGS[student] in rows[student]["flags"], rows[student]


FOOLED_THE_KERNEL = ["cheat_builtins", "cheat_checks", "cheat_rebind", "cheat_sys_modules"]


@pytest.mark.parametrize("student", FOOLED_THE_KERNEL)
def test_cheats_that_fooled_the_kernel_are_flagged(graded_class, student):
    """Their tests passed inside the student's kernel and failed in the judge: the judge's verdict counts."""
    _, rows, _ = graded_class
    assert "tests-tampered@test_mean_of" in rows[student]["flags"], rows[student]


def test_honest_students_have_no_flags(graded_class):
    _, rows, _ = graded_class
    for student in ("full", "blank", "partial", "visible_only", "looping", "wrong_name", "stripped"):
        assert not rows[student]["flags"], rows[student]


def test_the_renamed_copy_is_reported_as_similar(graded_class):
    course, rows, _ = graded_class
    assert "copycat" in rows["full"]["similar_to"]
    report = (course / "grading" / "reports" / f"{ASSIGNMENT}.md").read_text()
    assert "full and copycat" in report or "copycat and full" in report
    assert "cheat_checks" in report and "module-attribute" in report


def test_feedback_is_written_for_everyone_with_a_submission(graded_class):
    course, rows, _ = graded_class
    for student in rows:
        page = course / "grading" / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html"
        assert page.is_file(), student
    assert "not graded automatically" in (course / "grading" / "feedback" / "invalid_json" / ASSIGNMENT /
                                          f"{ASSIGNMENT}.html").read_text()


def test_the_summary_lists_what_needs_a_human(graded_class):
    _, _, stdout = graded_class
    assert "need a human" in stdout
    assert "kernel_killer: kernel-died" in stdout and "invalid_json: invalid-notebook" in stdout


def test_the_gradebook_holds_the_same_scores(graded_class):
    from nbgrader.api import Gradebook

    course, rows, _ = graded_class
    with Gradebook(f"sqlite:///{course / 'grading' / 'gradebook.db'}") as gradebook:
        for student, row in rows.items():
            submission = gradebook.find_submission(ASSIGNMENT, student)
            assert submission.score == pytest.approx(float(row["total"])), student


def test_feedback_shows_the_notebook_without_the_guard(graded_class):
    course, _, _ = graded_class
    graded = nbformat.read(course / "grading" / "autograded" / "full" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4)
    text = "\n".join(cell.source for cell in graded.cells)
    assert "__course_guard__" not in text
    assert not any("[grader]" in getattr(o, "text", "") for c in graded.cells for o in c.get("outputs", []))


SUBSET = ["full", "blank", "looping", "kernel_killer", "cheat_session", "stripped", "invalid_json"]


def test_grading_one_at_a_time_gives_the_same_grades(graded_class, tmp_path):
    """Part of the class again, sequentially: the same scores, statuses and flags as two at a time."""
    course, parallel, _ = graded_class
    copy = tmp_path / "course"
    shutil.copytree(course, copy, ignore=shutil.ignore_patterns("grading"))
    for student in SUBSET:
        shutil.copytree(course / "grading" / "submitted" / student, copy / "grading" / "submitted" / student)
    completed = run_course("grade", ASSIGNMENT, "--no-feedback", cwd=copy, timeout=1500)
    assert completed.returncode == 1, completed.stdout[-2000:] + completed.stderr[-2000:]
    sequential = read_csv(copy / "grading" / f"grades_{ASSIGNMENT}.csv")
    assert set(sequential) == set(SUBSET)
    for student, row in sequential.items():
        assert {k: v for k, v in row.items() if k != "similar_to"} == \
               {k: v for k, v in parallel[student].items() if k != "similar_to"}, student


def test_grading_on_a_local_dask_cluster(toy_course, tmp_path):
    """The same grades through a Dask scheduler (here a local cluster of two worker processes)."""
    distributed = pytest.importorskip("distributed")
    course = tmp_path / "course"
    shutil.copytree(toy_course, course, ignore=shutil.ignore_patterns("grading"))
    release = nbformat.read(course / "lessons" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    for student, notebook in {"full": answered(release), "blank": release,
                              "cheat_checks": answered(release, CHEATS["cheat_checks"])}.items():
        folder = course / "grading" / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(notebook, folder / f"{ASSIGNMENT}.ipynb")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  host="127.0.0.1") as cluster:
        completed = run_course("grade", ASSIGNMENT, "--scheduler", cluster.scheduler_address, "--no-feedback", cwd=course,
                               timeout=900)
    assert completed.returncode == 1, completed.stdout[-2000:] + completed.stderr[-2000:]
    rows = read_csv(course / "grading" / f"grades_{ASSIGNMENT}.csv")
    assert {s: float(r["total"]) for s, r in rows.items()} == {"full": 4, "blank": 0, "cheat_checks": 0}
    assert "tests-tampered" in rows["cheat_checks"]["flags"]


def test_a_fresh_course_with_no_submissions_says_so(toy_course, tmp_path):
    course = tmp_path / "empty"
    shutil.copytree(toy_course, course, ignore=shutil.ignore_patterns("grading"))
    completed = run_course("grade", ASSIGNMENT, cwd=course, timeout=300)
    assert completed.returncode == 2 and "no submissions" in completed.stderr


def test_an_unknown_assignment_is_a_usage_error(toy_course):
    completed = run_course("grade", "no_such_lesson", cwd=toy_course, timeout=300)
    assert completed.returncode == 2 and "solutions/" in completed.stderr
