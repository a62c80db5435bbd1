"""Assertions for test cells. They fail with a message that says what is wrong and where to look,
never what the expected numbers are, so a learner can debug without being handed the answer.

Arrays may be NumPy arrays, torch tensors or nested lists.
"""
from __future__ import annotations

import numpy as np

DTYPE_KINDS = {"floating": np.floating, "integer": np.integer, "bool": np.bool_}


def _as_numpy(value, name: str) -> np.ndarray:
    if hasattr(value, "detach"):  # a torch tensor, possibly on a GPU
        value = value.detach().cpu().numpy()
    try:
        array = np.asarray(value)
    except Exception as error:  # ragged lists and other non-arrays
        raise AssertionError(f"{name} should be array-like; could not read it as an array ({error})") from None
    if array.dtype == object:  # objects compare by their own rules, which an answer could choose
        raise AssertionError(f"{name} should hold numbers, strings or booleans, not Python objects "
                             f"(got {type(value).__name__} of objects)")
    return array


def check(condition: bool, message: str) -> None:
    """Fail with `message` unless `condition` holds."""
    if not condition:
        raise AssertionError(message)


def check_type(value, expected_type, name: str) -> None:
    if not isinstance(value, expected_type):
        wanted = getattr(expected_type, "__name__", None) or " or ".join(t.__name__ for t in expected_type)
        raise AssertionError(f"{name} should be a {wanted}, but it is a {type(value).__name__}")


def check_shape(value, expected_shape: tuple, name: str) -> None:
    """Shapes are part of the contract, so the message may state the expected one."""
    shape = _as_numpy(value, name).shape
    if tuple(shape) != tuple(expected_shape):
        raise AssertionError(f"{name} should have shape {tuple(expected_shape)}, but it has shape {tuple(shape)}")


def check_dtype(value, kind: str, name: str) -> None:
    """kind: 'floating', 'integer' or 'bool'."""
    if kind not in DTYPE_KINDS:
        raise ValueError(f"kind must be one of {sorted(DTYPE_KINDS)}, got {kind!r}")
    dtype = _as_numpy(value, name).dtype
    if not np.issubdtype(dtype, DTYPE_KINDS[kind]):
        raise AssertionError(f"{name} should hold {kind} values, but its dtype is {dtype}")


def check_finite(value, name: str) -> None:
    array = _as_numpy(value, name).astype(float)
    bad = int((~np.isfinite(array)).sum())
    if bad:
        raise AssertionError(f"{name} has {bad} NaN or infinite entries; look for a division by zero or a log of 0")


def check_close(actual, expected, name: str, *, rtol: float = 1e-5, atol: float = 1e-6, hint: str = "") -> None:
    """Shapes must match and every entry be within tolerance; reports how many entries are off."""
    got = _as_numpy(actual, name).astype(float)
    want = _as_numpy(expected, "the reference").astype(float)
    check_shape(got, want.shape, name)
    close = np.isclose(got, want, rtol=rtol, atol=atol, equal_nan=False)
    if not close.all():
        count = int((~close).sum())
        message = f"{name} is not right: {count} of {close.size} entries are off"
        finite = np.isfinite(got) & np.isfinite(want)
        if finite.any():
            message += f" (largest gap {np.max(np.abs(got - want)[finite]):.3g})"
        raise AssertionError(message + (f". Hint: {hint}" if hint else ""))


def check_equal(actual, expected, name: str, *, hint: str = "") -> None:
    """Exact equality of scalars, sequences or arrays, without printing the expected value."""
    got, want = _as_numpy(actual, name), _as_numpy(expected, "the reference")
    if got.shape != want.shape:
        check_shape(got, want.shape, name)
    if not np.array_equal(got, want):
        differing = int((got != want).sum()) if got.shape else 1
        message = f"{name} is not what was expected ({differing} of {max(got.size, 1)} entries differ)"
        raise AssertionError(message + (f". Hint: {hint}" if hint else ""))


def check_call(call, what: str):
    """Return `call()`; any error it raises (but NotImplementedError) becomes a failed check naming `what`."""
    try:
        return call()
    except NotImplementedError:
        raise
    except Exception as error:
        raise AssertionError(f"{what} raised {type(error).__name__} ({error})") from None


def _snapshot(value):
    """A deep copy of an argument's contents: arrays, tensors and the lists, tuples and dicts holding them."""
    if hasattr(value, "detach") and hasattr(value, "clone"):
        return value.detach().clone()
    if isinstance(value, np.ndarray) or hasattr(value, "tocsr"):  # SciPy sparse matrices have .tocsr
        return value.copy()
    if isinstance(value, (list, tuple)):
        return [_snapshot(item) for item in value]
    if isinstance(value, dict):
        return {key: _snapshot(item) for key, item in value.items()}
    return value


def _torch_equal_nan(before, after):
    return ((before == after) | (before.isnan() & after.isnan())).all()


def _same(before, after) -> bool:
    if hasattr(before, "detach") and hasattr(before, "clone"):
        if not (hasattr(after, "detach") and before.dtype == after.dtype and before.shape == after.shape):
            return False
        after = after.detach()
        if before.is_floating_point() or before.is_complex():
            return bool(_torch_equal_nan(before, after))
        return bool((before == after).all())
    if isinstance(before, np.ndarray):
        return (isinstance(after, np.ndarray) and before.dtype == after.dtype
                and np.array_equal(before, after, equal_nan=before.dtype.kind in "fc"))
    if hasattr(before, "tocsr"):
        return (hasattr(after, "tocsr") and before.shape == after.shape and before.dtype == after.dtype
                and (before.tocsr() != after.tocsr()).nnz == 0)
    if isinstance(before, (list, tuple)):
        return len(before) == len(after) and all(_same(b, a) for b, a in zip(before, after))
    if isinstance(before, dict):
        return before.keys() == after.keys() and all(_same(before[key], after[key]) for key in before)
    if before is None or isinstance(before, (bool, int, float, complex, str, bytes, np.generic)):
        if type(before) is not type(after):
            return False
        return bool(before == after) or (before != before and after != after)  # nan stays nan
    return True  # other objects (a model, a random generator) are not compared


def check_unmodified(function, *args, what: str = "", **kwargs):
    """Return `function(*args, **kwargs)`, failing if the call changed any argument's contents (arrays,
    tensors, SciPy sparse matrices, numbers and strings, and lists, tuples or dicts of them) in place. Errors other than
    NotImplementedError fail too, as in check_call."""
    what = what or getattr(function, "__name__", "the function")
    before = [_snapshot(value) for value in (*args, *kwargs.values())]
    result = check_call(lambda: function(*args, **kwargs), what)
    names = [f"argument {position + 1}" for position in range(len(args))] + [f"argument {name!r}" for name in kwargs]
    for name, old, value in zip(names, before, (*args, *kwargs.values())):
        if not _same(old, value):
            raise AssertionError(f"{what} changed its {name} in place; the docstring says inputs are not modified "
                                 "(work on a copy, e.g. x = x.copy() or x.clone(), or avoid in-place operators such as -=)")
    return result


def check_raises(error_type, call, what: str) -> None:
    """`call()` must raise `error_type`. NotImplementedError (an exercise not written yet) passes through."""
    try:
        call()
    except NotImplementedError:
        raise
    except error_type:
        return
    except Exception as error:
        raise AssertionError(f"{what} should raise {error_type.__name__}, not {type(error).__name__} ({error})") from None
    raise AssertionError(f"{what} should raise {error_type.__name__}")


SEMESTER_SEED_VARIABLE = "COURSE_SEMESTER_SEED"


def hidden_seed(base: int) -> int:
    """The seed a hidden test draws its random inputs from: `base` itself (the public default), or,
    when an instructor sets COURSE_SEMESTER_SEED (in the environment or in nbgrader_config.py), a
    number derived from that semester's secret and `base`, so last semester's outputs are no help."""
    import hashlib
    import os

    secret = os.environ.get(SEMESTER_SEED_VARIABLE, "").strip()
    if not secret:
        return int(base)
    digest = hashlib.sha256(f"{secret}:{int(base)}".encode()).hexdigest()
    return int(digest[:12], 16)
