"""The grading pipeline end to end, with nbgrader, on every assignment and on lesson 00's tricky cases."""
import csv
import re

import nbformat
import pytest
from conftest import ROOT, run_course
from test_red_team import prefix_attacks

SOLUTIONS = sorted((ROOT / "solutions").glob("*/*.ipynb"))
ASSIGNMENTS = [path.parent.name for path in SOLUTIONS]
LESSON_00 = "00_what_is_an_embedding"
# The class-grading fixture grades every lesson in one test's setup: about 12 minutes alone, longer
# beside the other pytest-xdist worker. The limit only stops a hung run; it is not a speed check.
pytestmark = pytest.mark.timeout(3600)
TEST_TIMEOUT = 60  # seconds per cell, as the shipped config: a loaded machine must not turn slow cells into timeouts
STUB = re.compile(r"raise NotImplementedError\(.*\)")  # the released stub of every answer cell (nbgrader_config.py)

# Passes every visible check; flattening instead of refusing 2-D input is caught only by the hidden tests.
FLATTENING_SPEARMAN = '''
def spearman_rho(x, y):
    x, y = np.ravel(np.asarray(x, dtype=float)), np.ravel(np.asarray(y, dtype=float))
    if x.shape != y.shape or x.size < 2:
        raise ValueError("x and y must be equally long, n >= 2")
    def average_ranks(values):
        _, group, counts = np.unique(values, return_inverse=True, return_counts=True)
        return (np.cumsum(counts) - (counts - 1) / 2)[group]
    rx, ry = average_ranks(x), average_ranks(y)
    rx, ry = rx - rx.mean(), ry - ry.mean()
    denominator = np.sqrt((rx ** 2).sum() * (ry ** 2).sum())
    return float("nan") if denominator == 0 else float((rx * ry).sum() / denominator)
'''


def replace_answer(notebook, grade_id, source):
    cell = next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    cell.source = source


def graded_cells(notebook):
    return [c for c in notebook.cells
            if c.metadata.get("nbgrader", {}).get("grade") and not c.metadata["nbgrader"].get("solution")]


def submit(course, student, assignment, notebook):
    folder = course / "grading" / "submitted" / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, folder / f"{assignment}.ipynb")


@pytest.fixture(scope="session")
def graded(course_copy):
    """Submit solutions, blank lessons and lesson 00's tricky cases, grade with `course grade`; return scores."""
    config = course_copy / "nbgrader_config.py"
    config.write_text(config.read_text() + f"\nc.Execute.timeout = {TEST_TIMEOUT}\n")
    for assignment in ASSIGNMENTS:
        source = nbformat.read(course_copy / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)
        released = nbformat.read(course_copy / "lessons" / assignment / f"{assignment}.ipynb", as_version=4)
        submit(course_copy, "solution", assignment, source)
        submit(course_copy, "blank", assignment, released)
        if assignment != LESSON_00:
            continue
        tampered = nbformat.read(course_copy / "lessons" / assignment / f"{assignment}.ipynb", as_version=4)
        for cell in graded_cells(tampered):
            cell.source = "print('all tests passed')"
        replace_answer(tampered, "cosine_similarity_matrix",
                       "def cosine_similarity_matrix(A, B):\n    return np.zeros((len(A), len(B)))")
        submit(course_copy, "tampered", assignment, tampered)

        visible_only = nbformat.read(course_copy / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)
        replace_answer(visible_only, "spearman_rho", FLATTENING_SPEARMAN)
        submit(course_copy, "visible_only", assignment, visible_only)

        # the report in issue 11: one answer cell replaces the checks, every answer is wrong
        cheating = nbformat.read(course_copy / "lessons" / assignment / f"{assignment}.ipynb", as_version=4)
        for cell in cheating.cells:
            if cell.metadata.get("nbgrader", {}).get("solution"):
                cell.source = STUB.sub("return np.zeros(1)", cell.source)
        first = next(c for c in cheating.cells if c.metadata.get("nbgrader", {}).get("solution"))
        first.source = ("for _name in dir(checks):\n    if _name.startswith('check'):\n"
                        "        setattr(checks, _name, lambda *args, **kwargs: None)\n" + first.source)
        submit(course_copy, "cheating", assignment, cheating)

        # the red-team suite's attacks, aimed at lesson 00's classmate 'solution' and at the lessons graded later
        for name, prefix in prefix_attacks(course_copy, assignment, "solution").items():
            attack = nbformat.read(course_copy / "lessons" / assignment / f"{assignment}.ipynb", as_version=4)
            for cell in attack.cells:
                if cell.metadata.get("nbgrader", {}).get("solution"):
                    cell.source = STUB.sub("return np.zeros(1)", cell.source)
            first = next(c for c in attack.cells if c.metadata.get("nbgrader", {}).get("solution"))
            first.source = prefix + first.source
            submit(course_copy, f"attack_{name}", assignment, attack)

        looping = nbformat.read(course_copy / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)
        replace_answer(looping, "analogy_3cosmul",
                       "def analogy_3cosmul(unit_vectors, a, b, c, k=1, eps=1e-3):\n    while True:\n        pass")
        submit(course_copy, "looping", assignment, looping)

    outputs = {}
    for assignment in ASSIGNMENTS:
        # lesson 00's attacks are graded alone and first; each later lesson's two submissions (its
        # solution and its blank notebook) are graded side by side, as an instructor with --jobs would
        jobs = "1" if assignment == LESSON_00 else "2"
        completed = run_course("grade", assignment, "--jobs", jobs, cwd=course_copy, timeout=1800)
        expected = 1 if assignment == LESSON_00 else 0  # lesson 00's tricky cases need a human
        assert completed.returncode == expected, completed.stdout[-3000:] + completed.stderr[-3000:]
        outputs[assignment] = completed
    return course_copy, read_scores(course_copy)


def read_scores(course):
    """{(assignment, student): {grade_id: (score, max_score)}} from the gradebook."""
    from nbgrader.api import Gradebook

    scores = {}
    with Gradebook(f"sqlite:///{course / 'grading' / 'gradebook.db'}") as gradebook:
        for assignment in ASSIGNMENTS:
            for submission in gradebook.assignment_submissions(assignment):
                notebook = submission.notebooks[0]
                scores[(assignment, submission.student_id)] = {
                    grade.name: (grade.score, grade.max_score) for grade in notebook.grades}
    return scores


def assert_only_lost(grades, lost):
    """Zero points on the exercise `lost`, full marks on every other one."""
    assert grades[lost][0] == 0, grades
    others = {name: value for name, value in grades.items() if name != lost}
    assert others and all(score == maximum for score, maximum in others.values()), others


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_solution_gets_full_marks(graded, assignment):
    _, scores = graded
    grades = scores[(assignment, "solution")]
    assert grades and all(score == maximum for score, maximum in grades.values()), grades


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_released_notebook_gets_zero_and_runs_to_the_end(graded, assignment):
    course, scores = graded
    grades = scores[(assignment, "blank")]
    assert grades and all(score == 0 for score, _ in grades.values()), grades
    autograded = nbformat.read(course / "grading" / "autograded" / "blank" / assignment / f"{assignment}.ipynb", 4)
    code_cells = [c for c in autograded.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code_cells), "the kernel did not reach the end"
    errors = [o for c in code_cells for o in c.outputs if o.output_type == "error"]
    assert not any(o.ename in ("DeadKernelError", "CellTimeoutError") for o in errors)
    assert all(o.ename in ("NotImplementedError", "NameError") for o in errors), {o.ename for o in errors}


def test_attacks_earn_nothing_and_leave_every_classmate_at_full_marks(graded):
    """Lesson 00's hostile submissions are graded before the solutions of all nine lessons."""
    _, scores = graded
    attackers = {student for (assignment, student) in scores if student.startswith("attack_")}
    assert len(attackers) >= 7
    for student in attackers:
        assert all(score == 0 for score, _ in scores[(LESSON_00, student)].values()), student
    for assignment in ASSIGNMENTS:
        grades = scores[(assignment, "solution")]
        assert all(score == maximum for score, maximum in grades.values()), (assignment, grades)


def test_edited_test_cells_are_graded_with_the_original_tests(graded):
    _, scores = graded
    grades = scores[(LESSON_00, "tampered")]
    assert all(score == 0 for score, _ in grades.values()), grades


def test_replacing_the_checks_earns_nothing(graded):
    course, scores = graded
    grades = scores[(LESSON_00, "cheating")]
    assert grades and all(score == 0 for score, _ in grades.values()), grades
    with open(course / "grading" / f"grades_{LESSON_00}.csv", newline="") as handle:
        row = next(r for r in csv.DictReader(handle) if r["student_id"] == "cheating")
    assert "module-attribute" in row["flags"]  # its answers fail in its own kernel too, so no verdict differs


def test_answer_that_only_passes_visible_checks_loses_the_points(graded):
    _, scores = graded
    assert_only_lost(scores[(LESSON_00, "visible_only")], "test_spearman_rho")


def test_visible_checks_alone_accept_that_answer():
    """The ordinal-rank answer really does pass the visible part: the points are lost to the hidden tests."""
    source = nbformat.read(ROOT / "solutions" / LESSON_00 / f"{LESSON_00}.ipynb", as_version=4)
    test_cell = next(c for c in graded_cells(source) if c.metadata["nbgrader"]["grade_id"] == "test_spearman_rho")
    visible = test_cell.source.split("### BEGIN HIDDEN TESTS")[0]
    namespace = {}
    exec("import numpy as np\nfrom course_utils import checks\n" + FLATTENING_SPEARMAN + visible, namespace)


def test_infinite_loop_is_stopped_and_the_rest_still_grades(graded):
    course, scores = graded
    assert_only_lost(scores[(LESSON_00, "looping")], "test_analogy_3cosmul")
    autograded = nbformat.read(course / "grading" / "autograded" / "looping" / LESSON_00 / f"{LESSON_00}.ipynb", 4)
    assert all(c.execution_count is not None for c in autograded.cells if c.cell_type == "code")


def test_the_shipped_config_sets_a_cell_timeout():
    config = (ROOT / "nbgrader_config.py").read_text()
    match = re.search(r"^c\.Execute\.timeout = (\d+)$", config, re.MULTILINE)
    assert match and 10 <= int(match.group(1)) <= 300


def test_grades_are_exported_as_csv(graded):
    course, _ = graded
    with open(course / "grading" / f"grades_{LESSON_00}.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    by_student = {row["student_id"]: float(row["total"]) for row in rows}
    assert by_student["solution"] == float(rows[0]["max_score"]) == 10
    assert by_student["blank"] == 0.0
    assert {row["student_id"]: row["status"] for row in rows}["looping"] == "timeout"
    assert (course / "grading" / "feedback" / "solution" / LESSON_00 / f"{LESSON_00}.html").is_file()
