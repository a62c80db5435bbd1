"""The worker: runs a submission's cells, and calls its functions for the judge.

Started by the judge, inside the sandbox when there is one (`python -m course_utils.grading.worker`).
It speaks the protocol of `wire.py` on its standard input and output and answers one request at a
time: run a cell, look up a name, call an object, get an attribute or item, compute a
vector-Jacobian product. Everything here is untrusted: the judge believes none of it beyond the
plain data it decodes.
"""
from __future__ import annotations

import io
import os
import signal
import sys
import traceback
import types
from contextlib import redirect_stderr, redirect_stdout

from . import remote, wire

MAX_TEXT = 200_000  # characters of printed output kept per cell or call; the rest is cut


class CellTimeoutError(Exception):
    """A cell or a call ran past its time limit."""


_setitimer, _ITIMER_REAL = signal.setitimer, signal.ITIMER_REAL  # bound before any student code runs


def _on_alarm(signum, frame):
    raise CellTimeoutError("ran past the time limit")


class JudgeObject:
    """An object of the tests that stayed in the judge: every use is a call back to it."""

    def __init__(self, link, number):
        object.__setattr__(self, "_link", link)
        object.__setattr__(self, "_number", number)

    def _ask(self, action, *arguments):
        return self._link.callback(self._number, action, arguments)

    def __call__(self, *args, **kwargs):
        return self._ask("call", args, kwargs)

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return self._ask("getattr", name)

    def __getitem__(self, key):
        return self._ask("getitem", key)

    def __len__(self):
        return self._ask("len")

    def __iter__(self):
        return self._ask("iter")

    def __next__(self):
        return self._ask("next")

    def __contains__(self, item):
        return self._ask("contains", item)

    def __bool__(self):
        return self._ask("bool")

    def __repr__(self):
        return f"<object of the tests #{self._number}>"


class Worker:
    def __init__(self, reader, writer, limit: int):
        from IPython.core.interactiveshell import InteractiveShell

        self.reader, self.writer, self.limit = reader, writer, limit
        self.objects: dict[int, object] = {}
        self.graphs: dict[int, tuple[list, list]] = {}
        self.shell = InteractiveShell.instance(colors="NoColor")
        self.shell._showtraceback = lambda etype, evalue, stb: None  # errors are reported, not printed
        try:
            self.shell.enable_matplotlib("inline")
        except Exception:  # no matplotlib_inline: figures are simply not captured
            pass
        signal.signal(signal.SIGALRM, _on_alarm)

    # ------------------------------------------------------------ the protocol
    def send(self, header: dict, buffers=()) -> None:
        wire.write_frame(self.writer, header, buffers)

    def receive(self):
        return wire.read_frame(self.reader, self.limit)

    def keep(self, obj) -> dict:
        number = len(self.objects) + 1
        self.objects[number] = obj
        return {"$": "ref", "n": number, "type": type(obj).__name__, "callable": callable(obj)}

    def encoder(self, grad_slot=None) -> wire.Encoder:
        return wire.Encoder(self.keep, grad_slot)

    def plain(self, buffers, value):
        return wire.Decoder(buffers, self.resolve)(value)

    def resolve(self, reference):
        return self.objects[reference.get("n") if isinstance(reference, dict) else None]

    def unpickle(self, data: bytes):
        def resolve(side, number):
            return JudgeObject(self, number) if side == "judge" else self.objects[number]

        return remote.unpickle_in_worker(data, resolve)

    def callback(self, number, action, arguments):
        encoder = self.encoder()
        encoded = encoder(list(arguments))
        self.send({"op": "callback", "n": number, "action": action, "args": encoded}, encoder.buffers)
        header, buffers = self.receive()
        if header.get("error") is not None:
            error = header["error"]
            if error.get("type") == "StopIteration":
                raise StopIteration
            raise wire.rebuild_exception(error)
        return self.unpickle(buffers[0])

    # ------------------------------------------------------------ requests
    def serve(self) -> None:
        while True:
            try:
                header, buffers = self.receive()
            except EOFError:
                return
            op = header.get("op")
            handler = getattr(self, f"do_{op}", None)
            if handler is None:
                self.send({"op": "reply", "error": {"$": "exception", "type": "ValueError", "v": f"unknown op {op!r}"}})
                continue
            try:
                handler(header, buffers)
            except (EOFError, wire.WireError):
                return
            except BaseException as failure:  # noqa: BLE001  (a request that failed is answered, not fatal)
                self.send({"op": "reply", "error": wire.builtin_exception(failure)})

    def timed(self, seconds, function):
        _setitimer(_ITIMER_REAL, max(float(seconds or 0), 0.001))
        try:
            return function()
        finally:
            _setitimer(_ITIMER_REAL, 0)

    def do_run_cell(self, header, buffers):
        from IPython.utils.capture import capture_output

        result = None
        with capture_output(display=True) as captured:
            try:
                result = self.timed(header.get("timeout"), lambda: self.shell.run_cell(header["source"], store_history=True))
            except CellTimeoutError as error:  # raised between IPython's own handlers
                failure = error
            else:
                failure = result.error_before_exec or result.error_in_exec
        outputs = []
        for name, text in (("stdout", captured.stdout), ("stderr", captured.stderr)):
            if text:
                outputs.append({"output_type": "stream", "name": name, "text": text[:MAX_TEXT], "cut": len(text) > MAX_TEXT})
        for rich in captured.outputs:
            data = {mime: value for mime, value in rich.data.items() if isinstance(value, str)}
            if data:
                outputs.append({"output_type": "display_data", "data": data, "metadata": {}})
        if result is not None and result.result is not None:
            try:
                shown = self.shell.display_formatter.format(result.result)[0]
            except Exception:
                shown = {"text/plain": "<could not show the value>"}
            outputs.append({"output_type": "execute_result", "data": {k: v for k, v in shown.items() if isinstance(v, str)},
                            "metadata": {}, "execution_count": self.shell.execution_count - 1})
        error = None
        if failure is not None:
            error = {"ename": type(failure).__name__, "evalue": _safe_str(failure),
                     "traceback": _traceback(failure), "memory": isinstance(failure, MemoryError)}
        self.send({"op": "reply", "outputs": outputs, "error": error, "count": self.shell.execution_count - 1})

    def do_lookup(self, header, buffers):
        namespace = self.shell.user_ns
        name = header["name"]
        if name not in namespace:
            self.send({"op": "reply", "missing": True})
            return
        encoder = self.encoder()
        value = namespace[name]
        if isinstance(value, types.ModuleType):
            self.send({"op": "reply", "module": value.__name__})
            return
        encoded = encoder.reference(value) if callable(value) else encoder(value)
        self.send({"op": "reply", "value": encoded}, encoder.buffers)

    def do_call(self, header, buffers):
        target = self.objects.get(header.get("n"))
        args, kwargs = self.unpickle(buffers[0])
        snapshot = remote.Snapshot((args, kwargs))
        self.call_with(header, target, args, kwargs, snapshot)

    def call_with(self, header, target, args, kwargs, snapshot):
        printed = io.StringIO()
        value, error = None, None
        try:
            with redirect_stdout(printed), redirect_stderr(printed):
                action = header.get("action", "call")
                if action == "call":
                    value = self.timed(header.get("timeout"), lambda: target(*args, **kwargs))
                elif action == "getattr":
                    value = getattr(target, args[0])
                elif action == "getitem":
                    value = self.timed(header.get("timeout"), lambda: target[args[0]])
                elif action == "len":
                    value = len(target)
                elif action == "iter":
                    value = iter(target)
                elif action == "next":
                    value = self.timed(header.get("timeout"), lambda: next(target))
                else:
                    raise ValueError(f"unknown action {action!r}")
        except StopIteration:
            error = {"$": "exception", "type": "StopIteration", "v": ""}
        except BaseException as failure:  # noqa: BLE001  (whatever the student's code raised crosses as a builtin)
            error = wire.builtin_exception(failure)
            if isinstance(failure, CellTimeoutError):
                error["timeout"] = True
        inputs = [item for item in snapshot.items if remote.needs_grad(item)]
        outputs = []

        def grad_slot(tensor):
            if inputs and tensor.requires_grad and tensor.grad_fn is not None:
                outputs.append(tensor)
                return len(outputs) - 1
            return None

        encoder = self.encoder(grad_slot)
        reply = {"op": "reply", "error": error, "stdout": printed.getvalue()[:MAX_TEXT]}
        try:
            if error is None:
                reply["value"] = encoder(value)
            reply["changed"] = [[position, encoder(item)] for position, item in snapshot.changed()]
        except Exception as failure:
            reply = {"op": "reply", "error": wire.builtin_exception(failure), "stdout": reply["stdout"]}
            encoder.buffers.clear()
        if outputs:
            number = len(self.graphs) + 1
            self.graphs[number] = (inputs, outputs)
            reply["graph"] = number
        self.send(reply, encoder.buffers)

    def do_vjp(self, header, buffers):
        import torch

        inputs, outputs = self.graphs[header["graph"]]
        grads = self.plain(buffers, header["grads"])
        pairs = [(out, grad) for out, grad in zip(outputs, grads) if grad is not None]
        encoder = self.encoder()
        try:
            found = torch.autograd.grad([o for o, _ in pairs], inputs, [g.to(o.dtype) for o, g in pairs],
                                        retain_graph=True, allow_unused=True)
            self.send({"op": "reply", "error": None, "value": encoder(list(found))}, encoder.buffers)
        except BaseException as failure:  # noqa: BLE001
            self.send({"op": "reply", "error": wire.builtin_exception(failure)})

    def do_forget(self, header, buffers):
        self.graphs.clear()
        self.send({"op": "reply", "error": None})


def _safe_str(error) -> str:
    try:
        return str(error)[:MAX_TEXT]
    except Exception:
        return f"<{type(error).__name__}>"


def _traceback(error) -> list[str]:
    try:
        lines = traceback.format_exception(type(error), error, error.__traceback__)
    except Exception:
        lines = [f"{type(error).__name__}"]
    return ["".join(lines)[-MAX_TEXT:]]


def main() -> None:
    # The protocol keeps the original standard input and output; print() and anything written to
    # file descriptors 1 and 2 by the student's code goes to a log file in the workspace instead.
    reader = os.fdopen(os.dup(0), "rb", buffering=0)
    writer = os.fdopen(os.dup(1), "wb")
    log = os.open("worker.log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(log, 1)
    os.dup2(log, 2)
    sys.stdout = io.TextIOWrapper(os.fdopen(1, "wb", buffering=0), write_through=True)
    sys.stderr = io.TextIOWrapper(os.fdopen(2, "wb", buffering=0), write_through=True)
    sys.path.insert(0, "")
    limit = int(os.environ.get("COURSE_WIRE_LIMIT", str(256 * 2 ** 20)))
    Worker(_Reader(reader), writer, limit).serve()


class _Reader:
    """A raw file whose read(n) returns up to n bytes (as wire.read_frame expects)."""

    def __init__(self, raw):
        self.raw = raw

    def read(self, size):
        return self.raw.read(size)


if __name__ == "__main__":
    main()
