"""The pieces of trustworthy grading on their own: the static scan, the runtime guard, metadata
recovery after a Colab round trip, and the similarity report."""
import builtins
import copy
import json

import nbformat
import numpy as np
import pytest
from conftest import ROOT

from course_utils import checks
from course_utils.grading import guard, integrity, similarity, submissions
from course_utils.grading.gradeguard import imports_of

SOLUTIONS = sorted((ROOT / "solutions").glob("*/*.ipynb"))
LOCKED = ["import numpy as np\nimport torch\nfrom course_utils import checks, plots\nimport course_utils"]

# One snippet per flag: what a learner trying to game the grader would write.
CHEATS = {
    "module-attribute": "checks.check_close = lambda *a, **k: None",
    "rebinds-import": "class Fake:\n    pass\nchecks = Fake()",
    "builtins": "import builtins\nbuiltins.isinstance = lambda *a: True",
    "sys-modules": "import sys\nsys.modules['course_utils.checks'] = None",
    "ipython": "get_ipython().showtraceback = lambda *a, **k: None",
    "dynamic-code": "exec(bytes.fromhex('7072696e74').decode())",
    "exit": "import os\nos._exit(0)",
    "hooks": "import sys\nsys.settrace(lambda *a: None)",
    "guard": "__course_guard__.end('test_x')",
    "file-access": "text = open('../../solutions/00/00.ipynb').read()",
    "process": "!cat ../solutions/*.ipynb",
    "network": "import urllib.request\nurllib.request.urlopen('http://127.0.0.1:1')",
    "environment": "import os\nGRADING = 'NBGRADER_EXECUTION' in os.environ",
    "syntax-error": "def broken(:\n    pass",
}


@pytest.mark.parametrize("code", sorted(CHEATS))
def test_each_kind_of_cheat_is_flagged_with_its_cell_and_line(code):
    source = "x = 1\n" + CHEATS[code]
    flags = integrity.scan_cells([(7, source)], LOCKED)
    assert code in {f.code for f in flags}, flags
    flagged = next(f for f in flags if f.code == code)
    assert flagged.cell == 7 and flagged.line >= 2 and flagged.short().startswith(f"{code}@cell7:L")


def test_every_flag_has_a_meaning_and_a_cheat_in_this_file():
    assert set(CHEATS) == set(integrity.FLAG_MEANINGS)


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.parent.name)
def test_reference_answers_raise_no_flag(path):
    """No false alarms on honest answers: every reference solution scans clean."""
    notebook = nbformat.read(path, as_version=4)
    locked = [c.source for c in notebook.cells if c.metadata.get("nbgrader", {}).get("locked")]
    answers = [(i, c.source) for i, c in enumerate(notebook.cells) if c.metadata.get("nbgrader", {}).get("solution")]
    assert answers and integrity.scan_cells(answers, locked) == []


def test_ordinary_code_is_not_flagged():
    honest = ("import numpy as np\nresult = np.zeros(3)\nresult[0] = 1\n%timeit np.sum(result)\n"
              "def helper(x):\n    local = {}\n    local['a'] = x\n    return local\n")
    assert integrity.scan_cells([(1, honest)], LOCKED) == []


# --- the runtime guard, in this process (no IPython: the shell checks are skipped) -------------

@pytest.fixture
def start_guard():
    """Call it inside the test: pytest swaps sys.stdout between phases, and the guard watches it."""
    namespace = {"np": np, "checks": checks}

    def start():
        guard.start("secret", {"np": "numpy", "checks": "course_utils.checks"}, ["numpy", "torch.nn.functional"])
        return namespace

    yield start
    guard._state.clear()


def test_an_untouched_session_passes_and_prints_the_marker(start_guard, capsys):
    start_guard()
    guard.begin("test_x")  # reads this module's globals, where np and checks are the real modules
    guard.end("test_x")
    assert capsys.readouterr().out.strip() == guard.marker("secret", "test_x")
    assert guard.marker("secret", "test_x") != guard.marker("other", "test_x")


@pytest.mark.parametrize("tamper, words", [
    (lambda ns, mp: mp.setattr(checks, "check_close", lambda *a, **k: None), "course_utils.checks.check_close"),
    (lambda ns, mp: mp.setattr(np, "allclose", lambda *a, **k: True), "numpy.allclose"),
    (lambda ns, mp: mp.setattr(np.linalg, "norm", lambda *a, **k: 1.0), "numpy.linalg.norm"),
    (lambda ns, mp: mp.setattr(__import__("torch"), "allclose", lambda *a, **k: True), "torch.allclose"),
    (lambda ns, mp: mp.setattr(__import__("torch").nn.functional, "cross_entropy", lambda *a, **k: 0.0),
     "torch.nn.functional.cross_entropy"),
    (lambda ns, mp: mp.setattr(builtins, "abs", lambda x: 0), "builtin abs"),
    (lambda ns, mp: mp.setitem(ns, "checks", object()), "'checks' no longer refers"),
    (lambda ns, mp: mp.setitem(ns, "np", __import__("math")), "'np' no longer refers"),
    (lambda ns, mp: mp.setitem(__import__("sys").modules, "course_utils.checks", object()), "sys.modules"),
    (lambda ns, mp: mp.setattr(__import__("sys"), "excepthook", lambda *a: None), "sys.excepthook"),
])
def test_tampering_is_named_in_the_error(start_guard, monkeypatch, tamper, words):
    started_guard = start_guard()
    with monkeypatch.context() as patch:
        tamper(started_guard, patch)
        with pytest.raises(guard.IntegrityError, match="changed what the tests rely on") as raised:
            guard._verify("test_x", "start", started_guard)
    assert words in str(raised.value)
    guard._verify("test_x", "start", started_guard)  # restored: clean again


def test_a_test_cells_own_imports_are_not_tampering():
    """A locked cell's `from torchvision.ops import roi_align` binds a function that shares its name with a
    submodule; before that cell runs the name is simply not bound yet. Neither is a change; rebinding is."""
    from torchvision.ops import roi_align

    namespace = {"np": np, "checks": checks}
    try:
        guard.start("secret", {"np": "numpy", "checks": "course_utils.checks", "_roi_align": "torchvision.ops.roi_align"},
                    ["numpy", "torchvision.ops"])
        guard._verify("test_x", "start", namespace)   # not imported yet
        namespace["_roi_align"] = roi_align
        guard._verify("test_x", "start", namespace)   # imported: the function, as `from ... import` binds it
        namespace["_roi_align"] = lambda *args, **kwargs: None
        with pytest.raises(guard.IntegrityError, match="'_roi_align' no longer refers"):
            guard._verify("test_x", "start", namespace)
    finally:
        guard._state.clear()


def test_a_check_neutered_from_the_inside_fails_the_self_test(start_guard, monkeypatch):
    start_guard()
    """A deeper patch (numpy's internals, not the names the guard remembers) is caught by known answers."""
    import numpy._core.numeric as numeric

    monkeypatch.setattr(numeric, "less_equal", lambda *a, **k: np.True_)
    assert any("checks" in p or "numpy" in p for p in guard._self_test())


def test_the_guard_refuses_to_run_unstarted():
    guard._state.clear()
    with pytest.raises(guard.IntegrityError, match="not started"):
        guard._verify("test_x", "start", {})


def test_imports_of_locked_cells_are_found():
    names, modules = imports_of("import numpy as np\nfrom course_utils import checks\nimport torch.nn.functional as F\n"
                                "if 'google.colab' in sys.modules:\n    import shlex, subprocess\n")
    assert names == {"np": "numpy", "checks": "course_utils.checks", "F": "torch.nn.functional"}
    assert {"numpy", "course_utils", "torch.nn.functional", "shlex"} <= modules


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.parent.name)
def test_the_names_the_guard_holds_fixed_are_bound_by_every_setup_cell(path):
    """A name the guard expects to stay bound must be bound when the setup cell runs off Colab."""
    notebook = nbformat.read(path, as_version=4)
    setup = next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "setup")
    names, _ = imports_of(setup.source)
    assert {"np", "checks"} <= set(names) and not {"subprocess", "shlex", "importlib"} & set(names)


def test_checks_refuse_objects_that_compare_equal_to_anything():
    class Anything:
        def __eq__(self, other):
            return True

    with pytest.raises(AssertionError, match="numbers"):
        checks.check_equal(np.array([Anything()] * 3, dtype=object), [0, 1, 5], "indices")


# --- metadata lost in a Colab round trip ----------------------------------------------------

def _without_metadata(notebook):
    stripped = copy.deepcopy(notebook)
    for cell in stripped.cells:
        cell.metadata = {}
    return stripped


@pytest.mark.parametrize("assignment", ["00_what_is_an_embedding", "08_vector_search"])
def test_lost_metadata_is_restored_from_the_lesson(assignment):
    release = nbformat.read(ROOT / "lessons" / assignment / f"{assignment}.ipynb", as_version=4)
    answered = copy.deepcopy(release)
    for cell in answered.cells:
        if cell.metadata.get("nbgrader", {}).get("solution"):
            cell.source += "\n# my answer"
    stripped = _without_metadata(answered)
    stripped.cells.insert(3, nbformat.v4.new_code_cell("print('a cell the student added')"))
    assert submissions.restore_metadata(stripped, release) == []
    restored = [c.metadata.get("nbgrader") for c in stripped.cells if c.metadata.get("nbgrader")]
    assert restored == [c.metadata["nbgrader"] for c in release.cells if c.metadata.get("nbgrader")]
    assert all("my answer" in c.source for c in stripped.cells if c.metadata.get("nbgrader", {}).get("solution"))


def test_a_notebook_that_cannot_be_matched_says_which_cells():
    release = nbformat.read(ROOT / "lessons" / "00_what_is_an_embedding" / "00_what_is_an_embedding.ipynb", 4)
    stripped = _without_metadata(release)
    stripped.cells = [c for c in stripped.cells if c.cell_type == "markdown"]
    missing = submissions.restore_metadata(stripped, release)
    assert "test_cosine_similarity_matrix" in missing


def test_take_in_reports_every_kind_of_folder(tmp_path):
    assignment = "00_what_is_an_embedding"
    release = nbformat.read(ROOT / "lessons" / assignment / f"{assignment}.ipynb", as_version=4)
    cases = {
        "empty": {},
        "garbage": {f"{assignment}.ipynb": "{not json"},
        "renamed": {"my homework.ipynb": nbformat.writes(release)},
        "two": {"a.ipynb": nbformat.writes(release), "b.ipynb": nbformat.writes(release)},
        "extra": {f"{assignment}.ipynb": nbformat.writes(release), "notes.txt": "hi", "timestamp.txt": "2026"},
        "stripped": {f"{assignment}.ipynb": nbformat.writes(_without_metadata(release))},
    }
    seen = {}
    for student, files in cases.items():
        folder = tmp_path / student
        folder.mkdir()
        for name, text in files.items():
            (folder / name).write_text(text)
        seen[student] = submissions.take_in(folder, student, assignment, release)
    assert seen["empty"].status == "missing" and seen["empty"].notebook is None
    assert seen["garbage"].status == "invalid-notebook" and "not a valid notebook" in seen["garbage"].reason
    assert seen["renamed"].status == "wrong-file-name" and seen["renamed"].notebook is not None
    assert seen["two"].status == "wrong-file-name" and seen["two"].notebook is None
    assert seen["extra"].status == "ok" and seen["extra"].extra_files == ["notes.txt"]
    assert seen["stripped"].status == "metadata-restored"
    assert submissions.take_in(tmp_path / "nobody", "nobody", assignment, release).status == "not-submitted"
    json.dumps([s.status for s in seen.values()])


# --- similarity ------------------------------------------------------------------------------

STUB = 'def mean_of(x):\n    """Mean of x."""\n    # YOUR CODE HERE\n    raise NotImplementedError()\n'
ORIGINAL = ('def mean_of(x):\n    """Mean of x."""\n    values = np.asarray(x, dtype=float)\n'
            '    if values.ndim != 1 or values.size == 0:\n        raise ValueError("x must be 1-D")\n'
            '    total = 0.0\n    for value in values:\n        total += value\n    return float(total / len(values))\n')
RENAMED = ORIGINAL.replace("values", "arr").replace("total", "acc").replace("value", "item")
DIFFERENT = ('def mean_of(x):\n    """Mean of x."""\n    import statistics\n    data = list(map(float, x))\n'
             '    assert data, "empty"\n    return statistics.fmean(data)\n')


def test_similarity_finds_a_renamed_copy_and_ignores_the_stub():
    answers = {"mean_of": {"ann": ORIGINAL, "bob": RENAMED, "cat": DIFFERENT, "dan": STUB, "eve": STUB}}
    pairs = similarity.similar_pairs(answers, {"mean_of": STUB}, threshold=0.8)
    assert [(p.first, p.second) for p in pairs] == [("ann", "bob")]
    assert pairs[0].similarity >= 0.8
    assert similarity.similar_pairs(answers, {"mean_of": STUB}, threshold=0.8) == pairs  # no salted hashes
    with pytest.raises(ValueError, match="threshold"):
        similarity.similar_pairs(answers, {}, threshold=0)
