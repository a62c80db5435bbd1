"""Objects that live on one side of the boundary and are used from the other.

- `pickle_for_worker` (judge side): arguments of a call, pickled; objects defined by the tests
  (lambdas, generators, counting stand-ins) go by reference and are called back in the judge.
- `walk` (both sides): the arrays, tensors, generators and containers inside a call's arguments,
  in the same order on both sides, so that what the worker changed in place can be copied back.
- `Snapshot` (worker side): what those objects were before a call, and what changed after it.
"""
from __future__ import annotations

import hashlib
import io
import pickle
import types

import numpy as np

TEST_MODULE = "__course_test__"  # the __name__ of the namespace the judge runs test cells in


def _torch():
    import sys

    return sys.modules.get("torch")


def by_reference(obj) -> bool:
    """True for what the tests define themselves and cannot be copied faithfully: it stays in the judge."""
    if isinstance(obj, (types.GeneratorType, types.CoroutineType, types.AsyncGeneratorType)):
        return True
    if isinstance(obj, (types.FunctionType, types.MethodType)):
        owner = getattr(obj, "__func__", obj)
        return owner.__module__ in (TEST_MODULE, None, "__main__") or "<locals>" in owner.__qualname__ \
            or "<lambda>" in owner.__qualname__
    if isinstance(obj, type):
        return obj.__module__ == TEST_MODULE
    return type(obj).__module__ == TEST_MODULE


class _JudgePickler(pickle.Pickler):
    def __init__(self, file, remember, remote_id):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.remember = remember
        self.remote_id = remote_id

    def persistent_id(self, obj):
        ref = self.remote_id(obj)
        if ref is not None:
            return ("worker", ref)
        if by_reference(obj):
            return ("judge", self.remember(obj))
        return None


def pickle_for_worker(value, remember, remote_id) -> bytes:
    """Pickle `value` for the worker. remember(obj) -> int keeps a judge object and numbers it;
    remote_id(obj) -> int | None gives the number of an object that lives in the worker."""
    buffer = io.BytesIO()
    _JudgePickler(buffer, remember, remote_id).dump(value)
    return buffer.getvalue()


class _WorkerUnpickler(pickle.Unpickler):
    def __init__(self, file, resolve):
        super().__init__(file)
        self.resolve = resolve

    def persistent_load(self, pid):
        return self.resolve(*pid)


def unpickle_in_worker(data: bytes, resolve):
    """resolve('judge', n) -> a proxy for judge object n; resolve('worker', n) -> the worker's object n."""
    return _WorkerUnpickler(io.BytesIO(data), resolve).load()


# ---------------------------------------------------------------- what a call may change in place

def walk(value, opaque=by_reference, depth: int = 0, seen=None) -> list:
    """Arrays, tensors, generators, lists, dicts, sets and bytearrays inside `value`, depth first, each once."""
    seen = set() if seen is None else seen
    found = []
    if id(value) in seen or depth > 20 or opaque(value):
        return found
    seen.add(id(value))
    torch = _torch()
    if isinstance(value, (np.ndarray, np.random.Generator, bytearray, set)):
        return [value]
    if torch is not None and isinstance(value, (torch.Tensor, torch.Generator)):
        return [value]
    if isinstance(value, (list, tuple)):
        found += [value] if isinstance(value, list) else []
        for item in value:
            found += walk(item, opaque, depth + 1, seen)
        return found
    if isinstance(value, dict):
        found.append(value)
        for item in list(value.values()):
            found += walk(item, opaque, depth + 1, seen)
        return found
    if isinstance(value, (str, bytes, int, float, complex, bool, type, types.ModuleType, types.FunctionType,
                          types.BuiltinFunctionType)) or value is None:
        return found
    attributes = getattr(value, "__dict__", None)
    if isinstance(attributes, dict) and type(value).__module__ != "builtins":
        found += walk(attributes, opaque, depth + 1, seen)
    return found


def needs_grad(item) -> bool:
    """True for a tensor that requires a gradient (the inputs a call's graph is built from)."""
    torch = _torch()
    return torch is not None and isinstance(item, torch.Tensor) and item.requires_grad


def fingerprint(obj):
    """A small value that changes when `obj` changes (its contents, or for containers which objects it holds)."""
    try:
        return _fingerprint(obj)
    except Exception:  # something without readable contents (a tensor on the meta device): never copied back
        return None


def _fingerprint(obj):
    torch = _torch()
    if isinstance(obj, np.ndarray):
        return (obj.shape, obj.dtype.str, hashlib.blake2b(np.ascontiguousarray(obj).tobytes(), digest_size=16).digest())
    if torch is not None and isinstance(obj, torch.Tensor):
        data = obj.detach().cpu()
        return (tuple(data.shape), str(data.dtype), hashlib.blake2b(
            data.contiguous().view(-1).view(torch.uint8).numpy().tobytes() if data.numel() else b"",
            digest_size=16).digest())
    if isinstance(obj, np.random.Generator):
        return repr(obj.bit_generator.state)
    if torch is not None and isinstance(obj, torch.Generator):
        return bytes(obj.get_state().numpy())
    if isinstance(obj, list):
        return tuple(id(item) for item in obj)
    if isinstance(obj, dict):
        return tuple((repr(key), id(item)) for key, item in obj.items())
    if isinstance(obj, set):
        return frozenset(repr(item) for item in obj)
    if isinstance(obj, bytearray):
        return bytes(obj)
    return None


class Snapshot:
    """Fingerprints of what a call's arguments hold, taken before the call (worker side)."""

    def __init__(self, arguments):
        self.items = walk(arguments, opaque=lambda obj: type(obj).__name__ == "JudgeObject")
        self.before = [fingerprint(item) for item in self.items]

    def changed(self) -> list[tuple[int, object]]:
        """(position, object) of every item whose fingerprint differs after the call."""
        return [(position, item) for position, (item, before) in enumerate(zip(self.items, self.before))
                if fingerprint(item) != before]


def copy_back(original, new) -> None:
    """Make `original` (judge side) hold what `new` (the worker's object after the call, decoded) holds."""
    torch = _torch()
    if isinstance(original, np.ndarray) and isinstance(new, np.ndarray):
        if original.shape == new.shape and original.flags.writeable:
            np.copyto(original, new.astype(original.dtype, copy=False), casting="unsafe")
    elif torch is not None and isinstance(original, torch.Tensor) and isinstance(new, torch.Tensor):
        if original.shape == new.shape:
            with torch.no_grad():
                original.copy_(new.to(original.dtype))
    elif isinstance(original, np.random.Generator) and isinstance(new, np.random.Generator):
        if type(original.bit_generator) is type(new.bit_generator):
            original.bit_generator.state = new.bit_generator.state
    elif torch is not None and isinstance(original, torch.Generator) and isinstance(new, torch.Generator):
        original.set_state(new.get_state())
    elif isinstance(original, list) and isinstance(new, list):
        original[:] = new
    elif isinstance(original, dict) and isinstance(new, dict):
        original.clear()
        original.update(new)
    elif isinstance(original, set) and isinstance(new, set):
        original.clear()
        original.update(new)
    elif isinstance(original, bytearray) and isinstance(new, (bytes, bytearray)):
        original[:] = new
