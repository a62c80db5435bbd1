"""The judge's boundary, cell by cell: what crosses from the worker and what does not.

One small lesson whose test cells probe the proxies (values, dtypes, in-place changes, generators,
gradients, errors, references), graded with an honest answer (every test passes) and with answers
that try to reach past the boundary (every such test fails)."""
import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from course_utils.grading import judge, wire


def _meta(grade_id, **flags):
    return {"nbgrader": {"grade_id": grade_id, "schema_version": 3, "grade": False, "solution": False, "locked": False,
                         **flags}}


SETUP = "import numpy as np\nimport torch\nfrom course_utils import checks"
HONEST = {
    "shapes": "def shapes(x):\n    return np.asarray(x, dtype=np.float32)[()], np.float32(2.5), np.int64(3), (1, 'a'), {'k': [1.0, None]}",
    "scale_in_place": "def scale_in_place(x, rng):\n    x *= 2\n    return rng.integers(0, 10**9)",
    "sum_of_squares": "def sum_of_squares(t):\n    return (t ** 2).sum()",
    "fail": "def fail(kind):\n    raise {'value': ValueError, 'key': KeyError, 'custom': type('MyError', (IndexError,), {})}[kind]('no')",
    "call_back": "def call_back(f, values):\n    return [f(v) for v in values]",
    "sparse_eye": "import scipy.sparse as sparse\ndef sparse_eye(n):\n    return sparse.identity(n, format='csr') * 2",
}
TESTS = {
    "test_values": ("a, b, c, d, e = shapes(np.float64(1.5))\n"
                    "checks.check(isinstance(a, np.float32) and type(b) is np.float32 and type(c) is np.int64, 'numpy scalars')\n"
                    "checks.check(d == (1, 'a') and e == {'k': [1.0, None]}, 'containers')\n"
                    "checks.check(shapes(np.zeros((2, 0)))[0].shape == (2, 0), 'an empty array keeps its shape')"),
    "test_in_place": ("x = np.arange(4.0)\nrng = np.random.default_rng(5)\ndrawn = scale_in_place(x, rng)\n"
                      "checks.check_equal(x, [0, 2, 4, 6], 'the caller sees the in-place change')\n"
                      "expected = np.random.default_rng(5)\nexpected.integers(0, 10**9)\n"
                      "checks.check(rng.integers(0, 10**9) == expected.integers(0, 10**9), 'the generator advanced')"),
    "test_gradient": ("t = torch.tensor([1.0, -2.0, 3.0], dtype=torch.float64, requires_grad=True)\n"
                      "loss = sum_of_squares(t) * 3\nloss.backward()\n"
                      "checks.check_close(t.grad, [6.0, -12.0, 18.0], 'the gradient through the worker')\n"
                      "checks.check(loss.dtype == torch.float64 and loss.dim() == 0, 'dtype and shape')"),
    "test_errors": ("for kind, error in (('value', ValueError), ('key', KeyError), ('custom', IndexError)):\n"
                    "    try:\n        fail(kind)\n    except error:\n        pass\n"
                    "    else:\n        raise AssertionError(kind)"),
    "test_call_back": ("expected = [2, 3]\n"
                       "checks.check_equal(call_back(lambda v, _known=expected: v + 1, [1, 2]), expected, 'a lambda called back')"),
    "test_generator": "checks.check_equal(call_back(lambda v: v * 2, (i for i in range(3))), [0, 2, 4], 'a generator')",
    "test_sparse": ("import scipy.sparse\nm = sparse_eye(3)\n"
                    "checks.check(scipy.sparse.issparse(m) and m.format == 'csr', 'a sparse matrix crosses as one')\n"
                    "checks.check_close(m.toarray(), 2 * np.eye(3), 'its values')"),
}
# answers that try to reach past the boundary; each must fail its test
HOSTILE = {
    "shapes": ("def shapes(x):\n    class Any(tuple):\n        def __eq__(self, other): return True\n"
               "    return np.float32(0), np.float32(2.5), np.int64(3), Any((0,)), Any()"),
    "call_back": ("def call_back(f, values):\n    found = []\n    for name in ('__globals__', '__closure__', '__defaults__', '__code__'):\n"
                  "        for ask in (lambda: getattr(f, name), lambda: f._ask('getattr', name)):\n"
                  "            try:\n                found.append(ask())\n            except Exception as error:\n                pass\n"
                  "    leaked = next((d[0] for d in found if isinstance(d, tuple) and d and isinstance(d[0], list)), None)\n"
                  "    return leaked if leaked is not None else [0 for _ in values]"),
    "sum_of_squares": "def sum_of_squares(t):\n    return (t ** 2).sum().detach()",
}


def lesson(answers):
    cells = [new_code_cell(SETUP, metadata=_meta("setup", locked=True))]
    for name, source in answers.items():
        cells.append(new_code_cell(source, metadata=_meta(name, solution=True)))
    for grade_id, source in TESTS.items():
        cells.append(new_code_cell(source, metadata=_meta(grade_id, grade=True, locked=True, points=1)))
    notebook = new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return notebook


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    release = lesson(HONEST)
    honest = judge.judge_submission(release, release, tmp_path_factory.mktemp("honest"), timeout=30)
    hostile = judge.judge_submission(lesson({**HONEST, **HOSTILE}), release, tmp_path_factory.mktemp("hostile"), timeout=30)
    return honest, hostile


def test_every_probe_passes_for_an_honest_answer(graded):
    honest, _ = graded
    failed = {v.grade_id: v.message for v in honest.verdicts if not v.passed}
    assert not failed and honest.status == "ok" and not honest.tampered, failed


@pytest.mark.parametrize("grade_id", ["test_values", "test_call_back", "test_gradient"])
def test_reaching_past_the_boundary_fails(graded, grade_id):
    _, hostile = graded
    verdict = next(v for v in hostile.verdicts if v.grade_id == grade_id)
    assert not verdict.passed, verdict


def test_the_other_tests_are_unaffected(graded):
    _, hostile = graded
    assert {v.grade_id for v in hostile.verdicts if v.passed} == {"test_in_place", "test_errors", "test_sparse"}
    assert not next(v for v in hostile.verdicts if v.grade_id == "test_generator").passed  # its fallback is wrong too


def test_a_deleted_test_cell_is_put_back_and_a_forged_one_ignored():
    release = lesson(HONEST)
    submission = nbformat.from_dict(nbformat.reads(nbformat.writes(release), as_version=4))
    submission.cells = [c for c in submission.cells if c.metadata["nbgrader"]["grade_id"] != "test_errors"]
    submission.cells.append(new_code_cell("print('forged')", metadata=_meta("test_forged", grade=True, locked=True,
                                                                           points=100)))
    assembled = judge.assemble(submission, release)
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in assembled.cells]
    assert "test_errors" in ids and "test_forged" not in ids
    assert ids.index("test_errors") == ids.index("test_gradient") + 1


def test_nothing_but_plain_data_is_decoded():
    import io

    import numpy as np

    buffer = io.BytesIO()
    np.save(buffer, np.array([object()], dtype=object), allow_pickle=True)
    decoder = wire.Decoder([buffer.getvalue()], resolve=lambda ref: None)
    with pytest.raises(ValueError):  # NumPy refuses the object array without pickle
        decoder({"$": "ndarray", "b": 1})
    assert isinstance(wire.rebuild_exception({"type": "SystemExit", "v": "x"}), RuntimeError)
    assert isinstance(wire.rebuild_exception({"type": "os.system", "v": "x"}), RuntimeError)


def test_cpu_time_and_file_size_limits_have_their_own_status(tmp_path):
    from course_utils.grading import sandbox

    release = lesson(HONEST)
    for name, cell, limits, status in (("cpu", "while True:\n    pass", sandbox.Limits(cpu_seconds=8), "cpu-limit"),
                                       ("file", "open('big.bin', 'wb').write(b'x' * 3_000_000)",
                                        sandbox.Limits(file_bytes=1_000_000), "file-limit")):
        submission = nbformat.from_dict(nbformat.reads(nbformat.writes(release), as_version=4))
        submission.cells.insert(1, new_code_cell(cell))
        judged = judge.judge_submission(submission, release, tmp_path / name, timeout=60, limits=limits)
        assert judged.status == status, (judged.status, judged.reasons)
