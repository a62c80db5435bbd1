"""Hostile submissions against `course grade`: each answers every exercise wrongly (worth 0) and adds
one attack on the grades, its classmates or the machine. Honest classmates are graded after them.
The suite passes when every attack scores what its wrong answers deserve, every honest classmate
keeps full marks in the gradebook, every limit has its own status, no file under grading/ is larger
than the documented bound, and nothing the submissions started outlives grading.

The toy assignment of test_classroom keeps this fast (three exercises, 4 points)."""
import site
import subprocess
import sysconfig
from pathlib import Path

import nbformat
import pytest
from conftest import run_course
from test_classroom import ANSWERS, ASSIGNMENT, REFERENCE, WRONG, answered, read_csv, toy_course  # noqa: F401

MARKER = "course-red-team-7f3a"  # in the command line of every process an attack leaves behind
MAX_FILE_BYTES = 5_000_000  # docs/grading.md: no file the grader writes for a submission is larger
SITE_PACKAGES = Path(sysconfig.get_paths()["purelib"])


def wrong_with(prefix: str) -> dict:
    """Every answer wrong, `prefix` (the attack) at the top of the first answer cell."""
    return {**WRONG, "mean_of": prefix + "\n" + WRONG["mean_of"]}


def prefix_attacks(course: Path, assignment: str, victim: str) -> dict:
    """name -> code put at the top of the first answer cell; `victim` is an honest classmate."""
    gradebook = course / "grading" / "gradebook.db"
    solutions = course / "solutions" / assignment / f"{assignment}.ipynb"
    return {
        # 1. the checks' functions keep their identity but get new code
        "code_swap": "import course_utils.checks as _c\n_noop = (lambda *a, **k: None).__code__\n"
                     "for _n in dir(_c):\n    _f = getattr(_c, _n)\n    if hasattr(_f, '__code__'):\n        _f.__code__ = _noop\n",
        # 2. every later cell (the tests, in the kernel) compiled as `pass`
        "compile_hook": "get_ipython().input_transformers_cleanup.append(lambda lines: ['pass\\n'])\n",
        # 3. the in-kernel guard's own state
        "guard_state": "import course_utils.grading.guard as _g\nfor _n in list(vars(_g)):\n"
                       "    if not _n.startswith('__') and callable(getattr(_g, _n)):\n"
                       "        setattr(_g, _n, lambda *a, **k: None)\n",
        # 4. the solution notebook, read from disk and run
        "read_solutions": "import json, pathlib\n"
                          f"_path = pathlib.Path({str(solutions)!r})\n"
                          "_nearby = pathlib.Path(__import__('course_utils').__file__).resolve().parents[1] / 'solutions'\n"
                          "print('solutions visible:', _path.exists(), _nearby.exists())\n"
                          "if _path.exists():\n    for _cell in json.loads(_path.read_text())['cells']:\n"
                          "        if _cell['metadata'].get('nbgrader', {}).get('solution'):\n"
                          "            exec(''.join(_cell['source']).replace('### BEGIN SOLUTION', '').replace('### END SOLUTION', ''), globals())\n",
        # 7. the main gradebook: full marks for itself, zero for a classmate
        "gradebook_write": "try:\n    from nbgrader.api import Gradebook\n"
                           f"    with Gradebook('sqlite:///{gradebook}') as _gb:\n"
                           f"        for _student, _score in (('gradebook_write', 99.0), ({victim!r}, 0.0)):\n"
                           f"            for _grade in _gb.find_submission_notebook({assignment!r}, {assignment!r}, _student).grades:\n"
                           "                _grade.manual_score = _score\n"
                           "        _gb.db.commit()\n"
                           "    print('gradebook written')\nexcept Exception as _error:\n"
                           "    print('gradebook out of reach:', type(_error).__name__)\n",
        # 8. code planted in the shared environment for the next kernels
        "plant_site": "import os\n_payload = 'import numpy\\nnumpy.linalg.norm = lambda *a, **k: 0.0\\n'\n"
                      f"for _folder in ({str(SITE_PACKAGES)!r}, {site.getusersitepackages()!r}, '/tmp', os.path.expanduser('~')):\n"
                      "    for _name in ('sitecustomize.py', 'usercustomize.py', 'zz_red_team.pth'):\n"
                      "        try:\n            os.makedirs(_folder, exist_ok=True)\n"
                      "            open(os.path.join(_folder, _name), 'w').write(_payload if _name.endswith('.py') else 'import sitecustomize\\n')\n"
                      "            print('planted', _folder, _name)\n        except OSError as _error:\n"
                      "            print('refused', _folder, _name)\n",
        # 12. threads that keep patching the checks, and an exit handler aimed at the gradebook
        "threads_atexit": "import threading, atexit, time, course_utils.checks as _c\n"
                          "def _patch():\n    while True:\n"
                          "        _c.check_close = _c.check_equal = _c.check_type = _c.check = lambda *a, **k: None\n"
                          "        time.sleep(0.01)\nthreading.Thread(target=_patch, daemon=True).start()\n"
                          f"atexit.register(lambda: open({str(gradebook)!r}, 'w').write('gone'))\n",
    }


def attacks(course: Path) -> dict:
    prefixes = prefix_attacks(course, ASSIGNMENT, "zz_victim")
    return {
        **{name: wrong_with(prefix) for name, prefix in prefixes.items()},
        # 5. values that compare equal to anything, and a float that is not a float
        "magic_values": {
            "mean_of": ANSWERS["mean_of"][0] + "    class _Any(float):\n        def __eq__(self, other): return True\n"
                       "        def __sub__(self, other): return 0.0\n        __rsub__ = __sub__\n"
                       "    return _Any(0.0)\n",
            "unit_vector": ANSWERS["unit_vector"][0] + "    class _All(np.ndarray):\n"
                           "        def __eq__(self, other): return np.ones(np.shape(other), bool)\n"
                           "    return np.zeros(len(v)).view(_All)\n",
            "count_positive": ANSWERS["count_positive"][0] + "    import sys\n    _caller = sys._getframe(1)\n"
                              "    return int(_caller.f_locals.get('expected', 0))\n"},
        # 6. builtins and the checks shadowed in the notebook's globals, and in builtins itself
        "shadow_globals": wrong_with(
            "isinstance = lambda *a: True\nfloat = lambda x=0: 0\nabs = lambda x: 0\n"
            "checks = type('C', (), {'__getattr__': lambda s, n: lambda *a, **k: None})()\n"),
        "patch_builtins": wrong_with("import builtins\nbuiltins.isinstance = lambda *a: True\nbuiltins.len = lambda x: 3\n"),
        # 9. a print of 200 MB
        "huge_print": wrong_with("print('x' * 200_000_000)\n"),
        # 10. an allocation of 6 GB, then many processes holding memory together
        "huge_alloc": wrong_with("_big = np.ones(6_000_000_000 // 8)\n"),
        "spread_alloc": wrong_with(
            "import multiprocessing as _mp, time as _t\n"
            "def _hold(n):\n    _x = np.ones(n // 8); _t.sleep(60)\n"
            "_ps = [_mp.get_context('fork').Process(target=_hold, args=(1_800_000_000,)) for _ in range(4)]\n"
            "[_p.start() for _p in _ps]\n_t.sleep(60)\n"),
        # 11. processes that try to outlive the kernel, and too many of them
        "daemon": wrong_with(
            "import subprocess\n"
            f"subprocess.Popen(['sh', '-c', 'exec -a {MARKER} sleep 900'], start_new_session=True)\n"
            "import os\nif os.fork() == 0:\n    os.setsid()\n"
            f"    os.execvp('sh', ['sh', '-c', 'exec -a {MARKER} sleep 901'])\n"),
        "fork_bomb": wrong_with(
            "import os, time\n_kids = []\nfor _ in range(300):\n    _pid = os.fork()\n"
            "    if _pid == 0:\n        time.sleep(120)\n        os._exit(0)\n    _kids.append(_pid)\ntime.sleep(5)\n"),
        # 12. signal handlers, ctypes, IPython events
        "signals": {**WRONG, "unit_vector": "import signal\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\n"
                                            "signal.setitimer = lambda *a, **k: None\n" + WRONG["unit_vector"]},
        "ctypes_events": wrong_with(
            "import ctypes\n_ip = get_ipython()\n"
            "_ip.events.register('post_run_cell', lambda result: setattr(result, 'error_in_exec', None))\n"
            "ctypes.memset(id(0) + 24, 0, 1) if False else None\n"),
        # 13. forged protocol frames on every descriptor the worker might write replies to
        "forged_frames": wrong_with(
            "import os, json, struct\n_body = json.dumps({'op': 'reply', 'error': None, 'value': 1.0}).encode()\n"
            "_frame = struct.pack('>I', 1) + struct.pack('>Q', len(_body)) + _body\n"
            "for _fd in range(3, 12):\n    try:\n        os.write(_fd, _frame * 3)\n    except OSError:\n        pass\n"),
        # 14. forged outputs: prints what passing tests print, in every answer cell
        "forged_output": {name: source + "print('passes the visible checks.')\n" for name, source in WRONG.items()},
    }


STATUS = {"huge_print": "output-limit", "huge_alloc": "memory-limit", "spread_alloc": "memory-limit",
          "fork_bomb": "process-limit"}
HONEST = {"zz_victim", "zz_victim_two"}


def deleted_tests(release):
    """Wrong answers, every test cell deleted and one answer cell claiming to be a test."""
    notebook = answered(release, WRONG)
    notebook.cells = [c for c in notebook.cells if not c.metadata.get("nbgrader", {}).get("grade")
                      or c.metadata["nbgrader"].get("solution")]
    first = next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("solution"))
    first.metadata["nbgrader"] = {**first.metadata["nbgrader"], "grade": True, "grade_id": "test_mean_of",
                                  "solution": False, "locked": True, "points": 2}
    return notebook


def leftover_processes() -> list[str]:
    listing = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True).stdout
    return [line for line in listing.splitlines() if MARKER in line and "ps -eo" not in line]


@pytest.fixture(scope="module")
def red_team(toy_course, tmp_path_factory):  # noqa: F811
    course = tmp_path_factory.mktemp("red") / "course"
    import shutil

    shutil.copytree(toy_course, course, ignore=shutil.ignore_patterns("grading"))
    release = nbformat.read(course / "lessons" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    submitted = course / "grading" / "submitted"
    hostile = attacks(course)
    for student, answers in hostile.items():
        (submitted / student / ASSIGNMENT).mkdir(parents=True)
        nbformat.write(answered(release, answers), submitted / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    (submitted / "deleted_tests" / ASSIGNMENT).mkdir(parents=True)
    nbformat.write(deleted_tests(release), submitted / "deleted_tests" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    for student in HONEST:  # graded after the attacks (names sort last)
        (submitted / student / ASSIGNMENT).mkdir(parents=True)
        nbformat.write(answered(release, REFERENCE), submitted / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    before = {path.name for path in SITE_PACKAGES.iterdir()}
    completed = run_course("grade", ASSIGNMENT, "--jobs", "2", cwd=course, timeout=1800)
    assert completed.returncode == 1, completed.stdout[-3000:] + completed.stderr[-3000:]
    return course, read_csv(course / "grading" / f"grades_{ASSIGNMENT}.csv"), set(hostile) | {"deleted_tests"}, before


def test_every_attack_scores_what_its_wrong_answers_deserve(red_team):
    _, rows, hostile, _ = red_team
    scores = {student: float(rows[student]["total"]) for student in hostile}
    assert scores == {student: 0.0 for student in hostile}, {s: rows[s]["reason"] for s, v in scores.items() if v}


def test_honest_classmates_keep_full_marks_in_the_gradebook(red_team):
    from nbgrader.api import Gradebook

    course, rows, _, _ = red_team
    with Gradebook(f"sqlite:///{course / 'grading' / 'gradebook.db'}") as gradebook:
        for student in HONEST:
            assert rows[student]["status"] == "ok" and float(rows[student]["total"]) == 4, rows[student]
            assert gradebook.find_submission(ASSIGNMENT, student).score == 4
        assert gradebook.find_submission(ASSIGNMENT, "gradebook_write").score == 0


@pytest.mark.parametrize("student", sorted(STATUS))
def test_each_limit_has_its_status(red_team, student):
    _, rows, _, _ = red_team
    assert rows[student]["status"] == STATUS[student], rows[student]


def test_no_file_under_grading_exceeds_the_bound(red_team):
    course, _, _, _ = red_team
    sizes = {path: path.stat().st_size for path in (course / "grading").rglob("*") if path.is_file()}
    assert max(sizes.values()) <= MAX_FILE_BYTES, max(sizes.items(), key=lambda item: item[1])


def test_nothing_outlives_grading(red_team):
    assert leftover_processes() == []


def test_nothing_was_planted_in_the_environment(red_team):
    _, _, _, before = red_team
    assert {path.name for path in SITE_PACKAGES.iterdir()} == before


def test_the_sandbox_hid_the_course_and_the_gradebook(red_team):
    course, _, _, _ = red_team
    graded = nbformat.read(course / "grading" / "autograded" / "read_solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4)
    printed = "".join(o.get("text", "") for c in graded.cells for o in c.get("outputs", []))
    assert "solutions visible: False False" in printed
    graded = nbformat.read(course / "grading" / "autograded" / "gradebook_write" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4)
    printed = "".join(o.get("text", "") for c in graded.cells for o in c.get("outputs", []))
    assert "gradebook out of reach" in printed and "gradebook written" not in printed
    assert (course / "grading" / "gradebook.db").read_bytes()[:15] == b"SQLite format 3"


def test_attacks_that_fooled_the_kernel_are_flagged(red_team):
    _, rows, _, _ = red_team
    for student in ("code_swap", "compile_hook", "shadow_globals", "threads_atexit", "ctypes_events", "forged_frames"):
        assert "tests-tampered" in rows[student]["flags"], rows[student]
    for student in HONEST:
        assert not rows[student]["flags"], rows[student]


def test_without_bubblewrap_grading_refuses_then_says_it_was_unsandboxed(toy_course, tmp_path):  # noqa: F811
    import os
    import shutil
    import sys

    course = tmp_path / "course"
    shutil.copytree(toy_course, course, ignore=shutil.ignore_patterns("grading"))
    release = nbformat.read(course / "lessons" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    (course / "grading" / "submitted" / "ada" / ASSIGNMENT).mkdir(parents=True)
    nbformat.write(answered(release), course / "grading" / "submitted" / "ada" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    from conftest import script_environment

    env = {**script_environment(), "COURSE_BWRAP": str(tmp_path / "no-bwrap-here")}
    refused = subprocess.run([sys.executable, "-m", "course_utils.cli", "grade", ASSIGNMENT], cwd=course, env=env,
                             capture_output=True, text=True, timeout=600)
    assert refused.returncode == 3 and "--unsandboxed" in refused.stderr, refused.stderr
    assert not (course / "grading" / f"grades_{ASSIGNMENT}.csv").exists()
    graded = subprocess.run([sys.executable, "-m", "course_utils.cli", "grade", ASSIGNMENT, "--unsandboxed"], cwd=course,
                            env=env, capture_output=True, text=True, timeout=600)
    assert graded.returncode == 0, graded.stdout[-2000:] + graded.stderr[-2000:]
    report = (course / "grading" / "reports" / f"{ASSIGNMENT}.md").read_text()
    assert report.splitlines()[0].startswith("**UNSANDBOXED")
    assert read_csv(course / "grading" / f"grades_{ASSIGNMENT}.csv")["ada"]["total"] == "4"
    assert os.environ.get("COURSE_BWRAP") is None
