import numpy as np
import pytest
import torch

from course_utils import checks


def fails(function, *args, **kwargs):
    with pytest.raises(AssertionError) as error:
        function(*args, **kwargs)
    return str(error.value)


def test_check_shape_and_dtype():
    checks.check_shape(np.zeros((2, 3)), (2, 3), "x")
    checks.check_shape(torch.zeros(4), (4,), "t")
    assert "should have shape (3, 2), but it has shape (2, 3)" in fails(checks.check_shape, np.zeros((2, 3)), (3, 2), "x")
    checks.check_dtype(np.arange(3), "integer", "ids")
    assert "dtype is float64" in fails(checks.check_dtype, np.zeros(3), "integer", "ids")
    with pytest.raises(ValueError, match="kind must be one of"):
        checks.check_dtype(np.zeros(3), "complex", "x")


def test_check_close_does_not_reveal_expected_values():
    checks.check_close([1.0, 2.0], np.array([1.0, 2.0 + 1e-9]), "v")
    message = fails(checks.check_close, [1.0, 2.0, 3.0], [1.0, 123.456, 3.0], "scores", hint="use cosines")
    assert "scores is not right: 1 of 3 entries are off" in message and "Hint: use cosines" in message
    assert "123.456" not in message and "123.5" not in message
    assert "should have shape" in fails(checks.check_close, [1.0], [1.0, 2.0], "v")


def test_check_close_accepts_tensors_and_nan_fails():
    checks.check_close(torch.tensor([0.5, 0.25]), [0.5, 0.25], "t")
    assert "1 of 2" in fails(checks.check_close, [np.nan, 1.0], [0.0, 1.0], "v")


def test_check_equal_and_finite_and_type():
    checks.check_equal([3, 1, 2], np.array([3, 1, 2]), "ids")
    message = fails(checks.check_equal, [3, 1, 2], [3, 9, 2], "ids")
    assert "1 of 3 entries differ" in message and "9" not in message
    assert "2 NaN or infinite" in fails(checks.check_finite, [np.nan, np.inf, 1.0], "loss")
    checks.check_type(1.5, float, "rho")
    assert "should be a float, but it is a str" in fails(checks.check_type, "x", float, "rho")
    assert "int or float" in fails(checks.check_type, "x", (int, float), "n")
    assert fails(checks.check, False, "custom message") == "custom message"
    checks.check(True, "never shown")


def test_ragged_input_is_reported():
    assert "array-like" in fails(checks.check_shape, [[1, 2], [3]], (2, 2), "rows")


def test_hidden_seed_keeps_the_public_default_and_changes_with_the_semester(monkeypatch):
    monkeypatch.delenv(checks.SEMESTER_SEED_VARIABLE, raising=False)
    assert checks.hidden_seed(2024) == 2024
    monkeypatch.setenv(checks.SEMESTER_SEED_VARIABLE, "fall-2026")
    fall = checks.hidden_seed(2024)
    assert fall != 2024 and fall == checks.hidden_seed(2024) and fall != checks.hidden_seed(2025)
    monkeypatch.setenv(checks.SEMESTER_SEED_VARIABLE, "spring-2027")
    assert checks.hidden_seed(2024) != fall


def test_check_raises():
    from course_utils import checks

    def bad():
        raise ValueError("no")

    checks.check_raises(ValueError, bad, "bad()")
    with pytest.raises(AssertionError, match=r"f\(\) should raise ValueError$"):
        checks.check_raises(ValueError, lambda: 1, "f()")
    with pytest.raises(AssertionError, match=r"g\(\) should raise ValueError, not KeyError"):
        checks.check_raises(ValueError, lambda: {}["x"], "g()")

    def unwritten():
        raise NotImplementedError()

    with pytest.raises(NotImplementedError):
        checks.check_raises(ValueError, unwritten, "h()")


def test_check_call():
    from course_utils import checks

    assert checks.check_call(lambda: 3, "f()") == 3
    with pytest.raises(AssertionError, match=r"g\(\) raised KeyError \('x'\)"):
        checks.check_call(lambda: {}["x"], "g()")

    def unwritten():
        raise NotImplementedError()

    with pytest.raises(NotImplementedError):
        checks.check_call(unwritten, "h()")


def test_check_unmodified_catches_changes_in_place_and_passes_results_through():
    import torch

    def doubled(x, scale=1):
        return x * 2 * scale

    def shifted(x, scale=1):
        x -= 1
        return x

    assert checks.check_unmodified(doubled, np.array([1.0, np.nan]), scale=3)[0] == 6.0
    checks.check_unmodified(doubled, torch.tensor([1.0, float("nan")], requires_grad=True))
    for value in (np.arange(3.0), torch.arange(3), torch.ones(2, dtype=torch.bfloat16)):
        with pytest.raises(AssertionError, match="changed its argument 1 in place"):
            checks.check_unmodified(shifted, value)
    with pytest.raises(AssertionError, match="argument 'rows'"):
        checks.check_unmodified(lambda rows: rows[0].fill(0), rows=[np.ones(2)], what="fill")
    with pytest.raises(AssertionError, match=r"fill raised ValueError \(no\)"):
        checks.check_unmodified(lambda: (_ for _ in ()).throw(ValueError("no")), what="fill")
    with pytest.raises(NotImplementedError):
        checks.check_unmodified(lambda: (_ for _ in ()).throw(NotImplementedError()))


def test_check_unmodified_compares_numbers_and_strings_inside_lists_and_dicts():
    # Found by red-teaming lesson 10: reordering a list of dicts or overwriting a list of ints used to pass.
    checks.check_unmodified(lambda tables, memory: len(tables) + sum(memory),
                            [{"name": "a", "rows": 3}, {"name": "b", "rows": 2.5}], [40, float("nan")])
    changes = [lambda tables, memory: tables.sort(key=lambda t: t["rows"]),
               lambda tables, memory: tables[0].update(rows=0),
               lambda tables, memory: tables[1].update(name="c"),
               lambda tables, memory: memory.__setitem__(0, 39),
               lambda tables, memory: memory.__setitem__(0, 40.0),
               lambda tables, memory: memory.__setitem__(0, np.int64(40))]
    for change in changes:
        with pytest.raises(AssertionError, match="in place"):
            checks.check_unmodified(change, [{"name": "a", "rows": 3}, {"name": "b", "rows": 2}], [40, 8])


def test_check_unmodified_sees_sparse_matrices_and_dicts():
    import scipy.sparse

    def squared(counts):
        counts.data **= 2
        return counts

    with pytest.raises(AssertionError, match="in place"):
        checks.check_unmodified(squared, scipy.sparse.csr_matrix(np.array([[0.0, 2.0], [3.0, 0.0]])))
    checks.check_unmodified(lambda counts: counts.tocoo(), scipy.sparse.csr_matrix(np.eye(2)))
    with pytest.raises(AssertionError, match="in place"):
        checks.check_unmodified(lambda docs: docs[0].update(doc=0), [{"text": "a b"}])
