"""What crosses between the judge (trusted) and the worker (student code, sandboxed).

Frames: a 4-byte count of parts, then each part as an 8-byte length and its bytes. Part 0 is JSON;
the others are `.npy` files that the JSON refers to by index.

Worker -> judge is *plain data* only (`encode` / `decode`): JSON values, NumPy arrays read with
`allow_pickle=False`, tensors as arrays plus dtype and requires_grad, a NumPy Generator as its
bit-generator state, exceptions as a builtin type and a message. Anything else stays in the worker
and crosses as a numbered reference. Nothing the worker sends is ever unpickled.

Judge -> worker may use pickle (the worker trusts the judge, not the reverse): `dumps_for_worker`
pickles arguments and sends test-defined objects (lambdas, generators, counting stand-ins) as
references that call back into the judge.
"""
from __future__ import annotations

import builtins
import io
import json
import math
import struct
import sys

import numpy as np

MAX_PARTS = 100_000
PLAIN_KINDS = "biufcUSM?"  # NumPy dtype kinds that read back without pickle (no objects, no void)


class WireError(RuntimeError):
    """A frame that breaks the protocol: too large, truncated, or not what was expected."""


def write_frame(stream, header: dict, buffers: list[bytes] = ()) -> None:
    parts = [json.dumps(header).encode(), *buffers]
    stream.write(struct.pack(">I", len(parts)))
    for part in parts:
        stream.write(struct.pack(">Q", len(part)))
        stream.write(part)
    stream.flush()


def _read_exactly(stream, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = stream.read(left)
        if not chunk:
            raise EOFError("the other side closed the connection")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read_frame(stream, limit: int) -> tuple[dict, list[bytes]]:
    """One frame; WireError if it holds more than `limit` bytes or is malformed."""
    (count,) = struct.unpack(">I", _read_exactly(stream, 4))
    if not 1 <= count <= MAX_PARTS:
        raise WireError(f"a frame of {count} parts")
    parts, total = [], 0
    for _ in range(count):
        (size,) = struct.unpack(">Q", _read_exactly(stream, 8))
        total += size
        if total > limit:
            raise WireError(f"a message of more than {limit} bytes")
        parts.append(_read_exactly(stream, size))
    try:
        header = json.loads(parts[0])
    except (ValueError, RecursionError) as error:
        raise WireError(f"a header that is not JSON ({error})") from None
    if not isinstance(header, dict):
        raise WireError("a header that is not a JSON object")
    return header, parts[1:]


# ---------------------------------------------------------------- plain data (both directions)

def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.require(array, requirements="C"), allow_pickle=False)  # keeps 0-d arrays 0-d
    return buffer.getvalue()


def _from_npy(data: bytes) -> np.ndarray:
    array = np.load(io.BytesIO(data), allow_pickle=False)
    if array.dtype.kind not in PLAIN_KINDS:
        raise WireError(f"an array of dtype {array.dtype}")
    return array


def _torch():
    import sys

    return sys.modules.get("torch")


BIT_GENERATORS = ("PCG64", "PCG64DXSM", "Philox", "SFC64", "MT19937")


class Encoder:
    """Turns a value into JSON plus buffers. `reference(obj)` is called for what is not plain data
    and returns the JSON that stands for it (the worker keeps the object and sends a number)."""

    def __init__(self, reference, grad_slot=None):
        self.buffers: list[bytes] = []
        self.reference = reference
        self.grad_slot = grad_slot  # tensor -> slot number for tensors that carry a gradient graph

    def buffer(self, data: bytes) -> int:
        self.buffers.append(data)
        return len(self.buffers)

    def __call__(self, value, depth: int = 0):
        if depth > 100:
            raise WireError("a value nested more than 100 levels deep")
        torch = _torch()
        if value is None or isinstance(value, (bool, str)):
            return value
        if type(value) is int:
            return value if abs(value) < 2 ** 53 else {"$": "int", "v": str(value)}
        if type(value) is float:
            return value if math.isfinite(value) else {"$": "float", "v": repr(value)}
        if isinstance(value, (list, tuple)) and type(value) in (list, tuple):
            items = [self(item, depth + 1) for item in value]
            return items if type(value) is list else {"$": "tuple", "v": items}
        if type(value) is dict:
            return {"$": "dict", "k": [self(k, depth + 1) for k in value], "v": [self(v, depth + 1) for v in value.values()]}
        if type(value) in (set, frozenset):
            return {"$": type(value).__name__, "v": [self(item, depth + 1) for item in value]}
        if type(value) is complex:
            return {"$": "complex", "v": [repr(value.real), repr(value.imag)]}
        if type(value) in (bytes, bytearray):
            return {"$": type(value).__name__, "b": self.buffer(bytes(value))}
        if type(value) is slice:
            return {"$": "slice", "v": [self(value.start), self(value.stop), self(value.step)]}
        if type(value) is range:
            return {"$": "range", "v": [value.start, value.stop, value.step]}
        if isinstance(value, np.ndarray) and type(value) is np.ndarray and value.dtype.kind in PLAIN_KINDS:
            return {"$": "ndarray", "b": self.buffer(_npy(value)), "w": bool(value.flags.writeable)}
        if isinstance(value, np.generic) and np.asarray(value).dtype.kind in PLAIN_KINDS:
            return {"$": "npscalar", "b": self.buffer(_npy(np.asarray(value)))}
        if isinstance(value, np.dtype):
            return {"$": "dtype", "v": value.str if value.kind != "V" else "V"}
        if isinstance(value, np.random.Generator) and type(value.bit_generator).__name__ in BIT_GENERATORS:
            return {"$": "generator", "v": self(value.bit_generator.state, depth + 1)}
        if isinstance(value, BaseException) and type(value).__module__ == "builtins":
            return {"$": "exception", "type": type(value).__name__, "v": str(value)}
        scipy_sparse = sys.modules.get("scipy.sparse")
        if scipy_sparse is not None and scipy_sparse.issparse(value):
            return self.sparse(value, scipy_sparse)
        if torch is not None:
            if isinstance(value, torch.Tensor) and value.layout == torch.strided and not value.is_quantized:
                return self.tensor(value, torch)
            if isinstance(value, torch.dtype):
                return {"$": "torch.dtype", "v": str(value).removeprefix("torch.")}
            if isinstance(value, torch.device):
                return {"$": "torch.device", "v": str(value)}
            if isinstance(value, torch.Generator) and value.device.type == "cpu":
                return {"$": "torch.Generator", "b": self.buffer(_npy(value.get_state().numpy()))}
        return self.reference(value)

    def sparse(self, value, scipy_sparse):
        kind = "array" if isinstance(value, scipy_sparse.sparray) else "matrix"
        if value.format in ("csr", "csc"):
            parts = [value.data, value.indices, value.indptr]
        else:
            coo = value.tocoo()
            parts = [coo.data, coo.row, coo.col]
        if value.dtype.kind not in PLAIN_KINDS:
            return self.reference(value)
        return {"$": "sparse", "format": value.format, "kind": kind, "shape": [int(n) for n in value.shape],
                "b": [self.buffer(_npy(np.asarray(part))) for part in parts]}

    def tensor(self, value, torch):
        if value.device.type == "meta":  # shape and dtype only: there is no data to send
            return {"$": "tensor", "meta": [int(n) for n in value.shape], "dtype": str(value.dtype).removeprefix("torch."),
                    "rg": bool(value.requires_grad)}
        data = value.detach().cpu()
        stored = data.float() if data.dtype in (torch.bfloat16,) else data
        encoded = {"$": "tensor", "b": self.buffer(_npy(stored.resolve_conj().resolve_neg().numpy())),
                   "dtype": str(value.dtype).removeprefix("torch."), "device": str(value.device),
                   "rg": bool(value.requires_grad)}
        slot = self.grad_slot(value) if self.grad_slot is not None else None
        if slot is not None:
            encoded["g"] = slot
        return encoded


class Decoder:
    """The inverse of Encoder on the receiving side. `resolve(json)` turns a reference back into an
    object (a proxy); `grad_tensor(slot, tensor)` may replace a tensor that carries a graph."""

    def __init__(self, buffers, resolve, grad_tensor=None):
        self.buffers = buffers
        self.resolve = resolve
        self.grad_tensor = grad_tensor

    def buffer(self, index) -> bytes:
        if not isinstance(index, int) or not 1 <= index <= len(self.buffers):
            raise WireError(f"a reference to buffer {index!r}")
        return self.buffers[index - 1]

    def __call__(self, value, depth: int = 0):
        if depth > 100:
            raise WireError("a value nested more than 100 levels deep")
        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        if isinstance(value, list):
            return [self(item, depth + 1) for item in value]
        if not isinstance(value, dict) or "$" not in value:
            raise WireError(f"an unexpected value {str(value)[:80]!r}")
        kind = value["$"]
        if kind == "int":
            return int(value["v"])
        if kind == "float":
            return float(value["v"])
        if kind == "tuple":
            return tuple(self(item, depth + 1) for item in value["v"])
        if kind == "dict":
            return dict(zip((self(k, depth + 1) for k in value["k"]), (self(v, depth + 1) for v in value["v"])))
        if kind in ("set", "frozenset"):
            return (set if kind == "set" else frozenset)(self(item, depth + 1) for item in value["v"])
        if kind == "complex":
            return complex(float(value["v"][0]), float(value["v"][1]))
        if kind in ("bytes", "bytearray"):
            return (bytes if kind == "bytes" else bytearray)(self.buffer(value["b"]))
        if kind == "slice":
            return slice(*(self(item, depth + 1) for item in value["v"]))
        if kind == "range":
            return range(*(int(item) for item in value["v"]))
        if kind == "ndarray":
            array = _from_npy(self.buffer(value["b"]))
            array.flags.writeable = bool(value.get("w", True))
            return array
        if kind == "npscalar":
            return _from_npy(self.buffer(value["b"]))[()]
        if kind == "dtype":
            return np.dtype(value["v"])
        if kind == "generator":
            state = self(value["v"], depth + 1)
            name = state.get("bit_generator") if isinstance(state, dict) else None
            if name not in BIT_GENERATORS:
                raise WireError(f"a generator state for {name!r}")
            bit_generator = getattr(np.random, name)()
            bit_generator.state = state
            return np.random.Generator(bit_generator)
        if kind == "exception":
            return rebuild_exception(value)
        if kind.startswith("torch."):
            import torch

            if kind == "torch.dtype":
                return torch_dtype(value["v"])
            if kind == "torch.device":
                return torch.device(str(value["v"]))
            if kind == "torch.Generator":
                generator = torch.Generator()
                generator.set_state(torch.from_numpy(_from_npy(self.buffer(value["b"])).astype(np.uint8)))
                return generator
        if kind == "tensor":
            return self.tensor(value)
        if kind == "sparse":
            return self.sparse(value)
        if kind == "ref":
            return self.resolve(value)
        raise WireError(f"an unknown kind of value {kind!r}")

    def sparse(self, value):
        import scipy.sparse

        first, second, third = (_from_npy(self.buffer(b)) for b in value["b"])
        shape = tuple(int(n) for n in value["shape"])
        fmt = str(value.get("format"))
        suffix = "array" if value.get("kind") == "array" else "matrix"
        if fmt in ("csr", "csc"):
            return getattr(scipy.sparse, f"{fmt}_{suffix}")((first, second, third), shape=shape)
        coo = getattr(scipy.sparse, f"coo_{suffix}")((first, (second, third)), shape=shape)
        return coo.asformat(fmt) if fmt in ("bsr", "dia", "dok", "lil", "coo") else coo

    def tensor(self, value):
        import torch

        if isinstance(value.get("meta"), list):
            return torch.empty([int(n) for n in value["meta"]], dtype=torch_dtype(value["dtype"]), device="meta")
        array = _from_npy(self.buffer(value["b"]))
        tensor = torch.from_numpy(np.array(array, copy=True)).to(torch_dtype(value["dtype"]))
        device = str(value.get("device", "cpu"))
        if device != "cpu" and device.startswith(("cuda", "mps")):
            try:
                tensor = tensor.to(device)
            except (RuntimeError, AssertionError):
                pass
        if value.get("g") is not None and self.grad_tensor is not None:
            return self.grad_tensor(value["g"], tensor)
        if value.get("rg") and (tensor.is_floating_point() or tensor.is_complex()):
            tensor.requires_grad_(True)
        return tensor


def torch_dtype(name):
    import torch

    dtype = getattr(torch, str(name), None)
    if not isinstance(dtype, torch.dtype):
        raise WireError(f"an unknown torch dtype {name!r}")
    return dtype


def rebuild_exception(value: dict) -> BaseException:
    """A builtin exception of the named type; a name that is not a builtin exception becomes RuntimeError."""
    kind = getattr(builtins, str(value.get("type")), None)
    message = str(value.get("v", ""))[:20_000]
    if not (isinstance(kind, type) and issubclass(kind, Exception)) or kind in (StopIteration, StopAsyncIteration):
        kind = RuntimeError
    try:
        return kind(message) if message else kind()
    except Exception:  # a builtin whose constructor wants other arguments (UnicodeDecodeError, ...)
        return RuntimeError(f"{value.get('type')}: {message}")


def builtin_exception(error: BaseException) -> dict:
    """The nearest builtin exception type of `error` and its message (what crosses the boundary)."""
    for kind in type(error).__mro__:
        if kind.__module__ == "builtins" and issubclass(kind, BaseException):
            name = kind.__name__
            break
    else:
        name = "RuntimeError"
    if name in ("BaseException", "KeyboardInterrupt", "SystemExit", "GeneratorExit"):
        name = "RuntimeError"
    try:
        message = str(error)
    except Exception:
        message = f"<{type(error).__name__} whose message could not be read>"
    return {"$": "exception", "type": name, "v": message[:20_000]}
