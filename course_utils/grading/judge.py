"""The judge: decides the points of every test cell without ever running student code.

A submission's cells run in a worker (`worker.py`, in the sandbox of `sandbox.py` when there is
one). The lesson's locked cells run here too: the setup cell once, then each test cell, in notebook
order, at the moment the notebook reaches it. A name that a test cell uses and the judge does not
define (the student's functions) is looked up in the worker: plain data is copied, everything else
becomes a `Remote` whose calls go over the pipe. The worker also runs each test cell itself, as
the kernel would; when its verdict differs from the judge's, the judge's counts and the
submission is flagged `tests-tampered`.
"""
from __future__ import annotations

import ast
import builtins
import copy
import io
import os
import select
import signal
import subprocess
import sys
import time
import traceback
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass, field

import nbformat

from . import remote, wire

GRACE_SECONDS = 15  # past a cell's limit, the worker gets this long to stop itself before it is killed
OUTPUT_LIMIT = 2_000_000  # characters of output a submission may print in all (the rest is cut)


class WorkerGone(RuntimeError):
    """The worker stopped answering: it died, broke the protocol or was stopped."""


class CellTimeoutError(Exception):
    """A cell (or a call from a test cell) ran past the per-cell time limit."""


# ---------------------------------------------------------------- the pipe to the worker

class _DeadlineReader:
    """read(n) on a pipe that gives up at a deadline (the worker may never answer)."""

    def __init__(self, pipe, link):
        self.fd = pipe.fileno()
        self.link = link

    def read(self, size):
        while True:
            left = self.link.deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the worker did not answer in time")
            ready, _, _ = select.select([self.fd], [], [], min(left, 0.5))
            if ready:
                return os.read(self.fd, min(size, 1 << 20))
            if self.link.process.poll() is not None:
                return b""


class _RemoteGrad:
    """Builds the autograd Function lazily (torch is imported only by lessons that use it)."""

    function = None

    @classmethod
    def apply(cls, link, graph, slot, data, inputs):
        if cls.function is None:
            import torch

            class RemoteVJP(torch.autograd.Function):
                @staticmethod
                def forward(ctx, link, graph, slot, data, *inputs):
                    ctx.link, ctx.graph, ctx.slot = link, graph, slot
                    ctx.specs = [(i.shape, i.dtype) for i in inputs]
                    return data.clone()

                @staticmethod
                def backward(ctx, grad):
                    grads = ctx.link.vjp(ctx.graph, ctx.slot, grad)
                    if len(grads) != len(ctx.specs):
                        raise RuntimeError("the worker's gradient has the wrong number of parts")
                    shaped = []
                    for got, (shape, dtype) in zip(grads, ctx.specs):
                        if got is not None and tuple(got.shape) != tuple(shape):
                            raise RuntimeError(f"the worker's gradient has shape {tuple(got.shape)}, not {tuple(shape)}")
                        shaped.append(None if got is None else got.to(dtype))
                    return (None, None, None, None, *shaped)

            cls.function = RemoteVJP
        return cls.function.apply(link, graph, slot, data, *inputs)


NAMES_TO_ASK = {"__name__", "__qualname__", "__doc__", "__module__"}
PRIVATE_PREFIXES = ("_", "gi_", "cr_", "ag_", "f_", "tb_", "co_")  # attributes of test objects the worker may not read


class Remote:
    """An object that lives in the worker (a student's function, or what it returned).

    Calls, attributes, items, len and iteration are forwarded and return plain data. Comparisons,
    truth and conversions are deliberately not forwarded: a test compares data, never an object
    the student wrote."""

    def __init__(self, link, number, kind="object"):
        object.__setattr__(self, "_link", link)
        object.__setattr__(self, "_number", number)
        object.__setattr__(self, "_kind", kind)

    def __call__(self, *args, **kwargs):
        return self._link.call(self._number, "call", args, kwargs)

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__") and name not in NAMES_TO_ASK:
            raise AttributeError(name)  # never protocols such as __array_interface__, whose answers numpy trusts
        return self._link.call(self._number, "getattr", (name,), {})

    def __bool__(self):
        return True

    def __getitem__(self, key):
        return self._link.call(self._number, "getitem", (key,), {})

    def __len__(self):
        value = self._link.call(self._number, "len", (), {})
        if type(value) is not int or value < 0:
            raise TypeError("len() of the student's object is not a non-negative int")
        return value

    def __iter__(self):
        return self._link.call(self._number, "iter", (), {})

    def __next__(self):
        return self._link.call(self._number, "next", (), {})

    def __repr__(self):
        return f"<{self._kind} in the student's notebook>"


class WorkerLink:
    """The judge's end of the pipe to one worker process."""

    def __init__(self, command: list[str], env: dict, cwd: str, limit: int = 256 * 2 ** 20, preexec=None,
                 on_start=None):
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, env=env, cwd=cwd, start_new_session=True,
                                        preexec_fn=preexec)
        if on_start is not None:
            on_start(self.process)
        self.reader = _DeadlineReader(self.process.stdout, self)
        self.limit = limit
        self.deadline = time.monotonic() + 600
        self.judge_objects: dict[int, object] = {}
        self.remotes: dict[int, Remote] = {}
        self.gone: str | None = None
        self.timed_out = False  # a call ran past its limit during the current test cell
        self.call_deadline = float("inf")  # when the current test cell's time is up (calls get what is left)
        self.printed: list[str] = []

    # ------------------------------------------------------------ framing
    def _send(self, header, buffers=()):
        if self.gone:
            raise WorkerGone(self.gone)
        try:
            wire.write_frame(self.process.stdin, header, buffers)
        except (BrokenPipeError, OSError, ValueError):
            self._lost("the worker stopped (its kernel died)")

    def _receive(self):
        try:
            return wire.read_frame(self.reader, self.limit)
        except TimeoutError:
            self.timed_out = True
            self._lost("the worker was stopped: it ran past the time limit and did not stop by itself")
        except EOFError:
            self._lost("the worker stopped (its kernel died: os._exit, a crash, or a limit)")
        except (wire.WireError, ValueError, OverflowError) as error:
            self._lost(f"the worker broke the protocol ({error})")

    def _lost(self, why: str):
        self.gone = self.gone or why
        self.stop()
        raise WorkerGone(self.gone)

    def stop(self):
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, 9)
            except (ProcessLookupError, PermissionError):
                self.process.kill()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass

    def request(self, header, buffers=(), seconds=60.0):
        """Send one request and answer the worker's callbacks until its reply comes."""
        self.deadline = time.monotonic() + seconds + GRACE_SECONDS
        self._send({**header, "timeout": seconds}, buffers)
        while True:
            reply, parts = self._receive()
            if reply.get("op") == "callback":
                self._answer_callback(reply, parts)
                continue
            if reply.get("op") != "reply":
                self._lost(f"the worker sent {str(reply.get('op'))[:40]!r} instead of a reply")
            return reply, parts

    # ------------------------------------------------------------ values
    def remember(self, obj) -> int:
        number = len(self.judge_objects) + 1
        self.judge_objects[number] = obj
        return number

    def remote_id(self, obj):
        return obj._number if isinstance(obj, Remote) and obj._link is self else None

    def resolve(self, reference):
        if not isinstance(reference, dict) or not isinstance(reference.get("n"), int):
            raise wire.WireError("a malformed reference")
        number = reference["n"]
        if number not in self.remotes:
            self.remotes[number] = Remote(self, number, str(reference.get("type", "object"))[:60])
        return self.remotes[number]

    def decode(self, value, parts, grad=None):
        return wire.Decoder(parts, self.resolve, grad)(value)

    def _answer_callback(self, header, parts):
        target = self.judge_objects.get(header.get("n"))
        try:
            arguments = self.decode(header.get("args", []), parts)
            action = header.get("action")
            if action == "call":
                args, kwargs = arguments
                result = target(*args, **kwargs)
            elif action == "getattr":
                name = str(arguments[0])
                if name.startswith(PRIVATE_PREFIXES):  # no way into the tests' frames, closures or globals
                    raise AttributeError(f"{name} is not available to the student's code")
                result = getattr(target, name)
            elif action == "getitem":
                result = target[arguments[0]]
            elif action == "len":
                result = len(target)
            elif action == "iter":
                result = iter(target)
            elif action == "next":
                result = next(target)
            elif action == "contains":
                result = arguments[0] in target
            elif action == "bool":
                result = bool(target)
            else:
                raise ValueError(f"unknown action {action!r}")
            payload = remote.pickle_for_worker(result, self.remember, self.remote_id)
            self._send({"op": "answer", "error": None}, [payload])
        except StopIteration:
            self._send({"op": "answer", "error": {"$": "exception", "type": "StopIteration", "v": ""}})
        except WorkerGone:
            raise
        except Exception as error:
            self._send({"op": "answer", "error": wire.builtin_exception(error)})

    # ------------------------------------------------------------ operations
    def run_cell(self, source: str, seconds: float) -> dict:
        reply, _ = self.request({"op": "run_cell", "source": source}, seconds=seconds)
        return reply

    def lookup(self, name: str, seconds: float = 30):
        """(True, value) for a name the worker's notebook defines, else (False, None)."""
        reply, parts = self.request({"op": "lookup", "name": name}, seconds=seconds)
        if reply.get("missing"):
            return False, None
        if isinstance(reply.get("module"), str):  # a module the notebook imported: the judge uses its own copy
            import importlib

            name = reply["module"]
            if name.split(".")[0] not in sys.modules:  # only packages the judge has loaded: no import side effects
                return False, None
            try:
                return True, importlib.import_module(name)
            except Exception:
                return False, None
        return True, self.decode(reply.get("value"), parts)

    def call(self, number, action, args, kwargs):
        seconds = max(self.call_deadline - time.monotonic(), 0.001)
        payload = remote.pickle_for_worker((args, kwargs), self.remember, self.remote_id)
        inputs = [item for item in remote.walk((args, kwargs)) if remote.needs_grad(item)]
        reply, parts = self.request({"op": "call", "n": number, "action": action}, [payload], seconds=seconds)
        graph = reply.get("graph")

        def grad(slot, data):
            if graph is None or not inputs:
                return data
            return _RemoteGrad.apply(self, graph, slot, data, inputs)

        if reply.get("stdout"):
            self.printed.append(str(reply["stdout"]))
        if reply.get("changed"):
            originals = remote.walk((args, kwargs))
            for position, value in reply["changed"]:
                if isinstance(position, int) and 0 <= position < len(originals):
                    remote.copy_back(originals[position], self.decode(value, parts))
        error = reply.get("error")
        if error is not None:
            if error.get("timeout"):
                self.timed_out = True
                raise CellTimeoutError("a call to the student's code ran past the time limit")
            if error.get("type") == "StopIteration" and action == "next":
                raise StopIteration
            raise wire.rebuild_exception(error)
        return self.decode(reply.get("value"), parts, grad)

    def vjp(self, graph, slot, grad):
        wanted = [None] * (slot + 1)
        wanted[slot] = grad.detach()
        encoder = wire.Encoder(lambda obj: (_ for _ in ()).throw(TypeError("not plain data")))
        encoded = encoder(wanted)
        reply, parts = self.request({"op": "vjp", "graph": graph, "grads": encoded}, encoder.buffers,
                                    seconds=max(self.call_deadline - time.monotonic(), 1.0))
        if reply.get("error") is not None:
            raise wire.rebuild_exception(reply["error"])
        grads = self.decode(reply.get("value"), parts)
        return list(grads) if isinstance(grads, list) else []


# ---------------------------------------------------------------- the notebook

def _meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def is_test_cell(cell) -> bool:
    meta = _meta(cell)
    return cell.cell_type == "code" and bool(meta.get("grade")) and not meta.get("solution")


def assemble(submission, release):
    """The notebook to grade: the submission's cells, every locked cell of the lesson restored from
    `release` by its grade id (a deleted one put back after its predecessor), and metadata that
    claims a test the lesson does not have removed."""
    notebook = copy.deepcopy(submission)
    locked = {_meta(c)["grade_id"]: c for c in release.cells if _meta(c).get("locked") and _meta(c).get("grade_id")}
    answers = {_meta(c)["grade_id"] for c in release.cells if _meta(c).get("solution")}
    cells, seen = [], set()
    for cell in notebook.cells:
        grade_id = _meta(cell).get("grade_id")
        if grade_id in locked and grade_id not in seen:
            cells.append(copy.deepcopy(locked[grade_id]))
            seen.add(grade_id)
        elif grade_id in answers:
            cell.metadata["nbgrader"] = copy.deepcopy(_meta(next(c for c in release.cells
                                                                  if _meta(c).get("grade_id") == grade_id)))
            cells.append(cell)
        else:
            cell.get("metadata", {}).pop("nbgrader", None)
            cells.append(cell)
    order = [_meta(c).get("grade_id") for c in release.cells]
    for index, cell in enumerate(release.cells):
        grade_id = _meta(cell).get("grade_id")
        if grade_id not in locked or grade_id in seen:
            continue
        before = {g for g in order[:index] if g}
        position = max((i + 1 for i, c in enumerate(cells) if _meta(c).get("grade_id") in before), default=0)
        cells.insert(position, copy.deepcopy(cell))
        seen.add(grade_id)
    notebook.cells = cells
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return notebook


def free_names(source: str) -> set[str]:
    """Every name a cell reads, nested scopes included, that is not a builtin."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    return {name for name in names if not hasattr(builtins, name)}


@dataclass
class TestVerdict:
    grade_id: str
    points: float
    passed: bool
    kernel_passed: bool | None
    message: str = ""


@dataclass
class Judgement:
    """What the judge decided for one notebook."""

    verdicts: list = field(default_factory=list)
    status: str = "ok"  # ok | timeout | kernel-died | memory-limit | output-limit | process-limit | ...
    reasons: list = field(default_factory=list)
    tampered: list = field(default_factory=list)  # grade ids where the kernel and the judge disagree
    notebook: object = None  # the graded notebook with its outputs (the judge's, in test cells)
    seconds: float = 0.0

    @property
    def scores(self) -> dict:
        return {v.grade_id: (v.points if v.passed else 0.0) for v in self.verdicts}


# a limit that stopped the worker names the cause, so it outranks the kernel's death it caused
SEVERITY = ["ok", "timeout", "kernel-died", "file-limit", "output-limit", "memory-limit", "cpu-limit", "process-limit"]


class Judge:
    """Grades one assembled notebook over a WorkerLink."""

    def __init__(self, link: WorkerLink, timeout: float, output_limit: int = OUTPUT_LIMIT):
        self.link = link
        self.timeout = float(timeout)
        self.output_limit = self.output_left = output_limit
        self.namespace = {"__name__": remote.TEST_MODULE, "__builtins__": builtins}
        self.installed: dict[str, object] = {}
        self.judgement = Judgement()
        self.count = 0

    def mark(self, status: str, reason: str) -> None:
        if SEVERITY.index(status) > SEVERITY.index(self.judgement.status):
            self.judgement.status = status
        if reason not in self.judgement.reasons:
            self.judgement.reasons.append(reason)

    def capped(self, outputs: list) -> list:
        """Outputs within what is left of the submission's output allowance."""
        kept = []
        for output in outputs:
            if output.get("cut") is True:
                self.mark("output-limit", "a cell printed more than the worker keeps; the rest was cut")
            size = len(str(output.get("text", ""))) + sum(len(str(v)) for v in output.get("data", {}).values())
            if size > self.output_left:
                self.mark("output-limit", f"the notebook printed more than {self.output_limit:,} characters; the rest was cut")
                if output.get("output_type") == "stream" and self.output_left > 0:
                    kept.append({**output, "text": output["text"][:self.output_left] + "\n[output cut]\n"})
                self.output_left = 0
                continue
            self.output_left -= size
            kept.append(output)
        return [{k: v for k, v in output.items() if k != "cut"} for output in kept]

    def run_trusted(self, source: str, label: str) -> tuple[list, dict | None]:
        """Run lesson code (the setup cell or a test cell) here; returns (outputs, error)."""
        for name, proxy in list(self.installed.items()):
            if self.namespace.get(name) is proxy:
                del self.namespace[name]
        self.installed.clear()
        for name in sorted(free_names(source) - set(self.namespace)):
            if self.link.gone:
                break
            try:
                found, value = self.link.lookup(name)
            except WorkerGone:
                break
            if found:
                self.namespace[name] = self.installed[name] = value
        printed = io.StringIO()
        self.link.printed = []
        self.link.timed_out = False
        self.link.call_deadline = time.monotonic() + self.timeout
        error = None
        try:
            with redirect_stdout(printed), redirect_stderr(printed):
                exec(compile(source, f"<{label}>", "exec"), self.namespace)
        except BaseException as failure:  # noqa: BLE001  (a failing test is an ordinary outcome)
            if isinstance(failure, (SystemExit, KeyboardInterrupt)) and not isinstance(failure, Exception):
                failure = RuntimeError(f"{type(failure).__name__} in a test")
            if self.link.timed_out:
                failure = CellTimeoutError("ran past the time limit (in a call to the student's code)")
            error = {"ename": type(failure).__name__, "evalue": str(failure)[:20_000],
                     "traceback": [_trusted_traceback(failure)]}
        finally:
            self.link.call_deadline = float("inf")
        text = "".join(self.link.printed) + printed.getvalue()
        outputs = [{"output_type": "stream", "name": "stdout", "text": text}] if text else []
        return outputs, error

    def grade(self, notebook, release) -> Judgement:
        graded = assemble(notebook, release)
        self.judgement.notebook = graded
        tests = {_meta(c)["grade_id"]: c for c in release.cells if is_test_cell(c)}
        setup = [c.source for c in release.cells if c.cell_type == "code" and _meta(c).get("locked") and not is_test_cell(c)]
        for source in setup:
            _, error = self.run_trusted(source, "setup")
            if error:
                raise RuntimeError(f"the lesson's setup cell failed in the judge: {error['ename']}: {error['evalue']}")
        for cell in graded.cells:
            if cell.cell_type != "code":
                continue
            grade_id = _meta(cell).get("grade_id")
            kernel = self.in_worker(cell)
            if grade_id in tests and is_test_cell(cell):
                self.judge_test(cell, tests[grade_id], kernel)
        try:
            self.link.request({"op": "forget"}, seconds=10)
        except WorkerGone:
            pass
        return self.judgement

    def in_worker(self, cell) -> dict | None:
        """Run a cell in the worker, as the kernel would; returns its reply (None if the worker is gone)."""
        if self.link.gone:
            return None
        self.count += 1
        try:
            reply = self.link.run_cell(cell.source, self.timeout)
        except WorkerGone as gone:
            status = "timeout" if self.link.timed_out else "kernel-died"
            self.mark(status, f"{gone} in cell {self.count}; nothing after it could run")
            if self.link.process.returncode in (-signal.SIGXCPU, 128 + signal.SIGXCPU):  # bwrap passes 128 + signal on
                self.mark("cpu-limit", f"cell {self.count} used more CPU time than the sandbox allows")
            cell.execution_count = self.count
            cell.outputs = [nbformat.v4.new_output("error", ename="WorkerGone" if status != "timeout" else "CellTimeoutError",
                                                   evalue=str(gone), traceback=[str(gone)])]
            return None
        cell.execution_count = self.count
        outputs = [o for o in reply.get("outputs", []) if isinstance(o, dict)] if isinstance(reply.get("outputs"), list) else []
        cell.outputs = [nbformat.from_dict(o) for o in self.capped(_sanitised(outputs))]
        error = reply.get("error")
        if isinstance(error, dict):
            ename = str(error.get("ename", "Error"))[:100]
            if ename == "CellTimeoutError":
                self.mark("timeout", f"cell {self.count} ran past the per-cell time limit ({self.timeout:g} s)")
            if error.get("memory") is True or ename == "MemoryError":
                self.mark("memory-limit", f"cell {self.count} ran out of memory (the sandbox's limit)")
            if ename == "OSError" and "[Errno 27]" in str(error.get("evalue", "")):
                self.mark("file-limit", f"cell {self.count} wrote a file larger than the sandbox allows")
            tb = error.get("traceback")
            cell.outputs.append(nbformat.v4.new_output(
                "error", ename=ename, evalue=str(error.get("evalue", ""))[:20_000],
                traceback=[str(t)[:100_000] for t in tb] if isinstance(tb, list) else []))
        return reply

    def judge_test(self, cell, release_cell, kernel) -> None:
        meta = _meta(release_cell)
        outputs, error = self.run_trusted(release_cell.source, meta["grade_id"])
        passed = error is None
        kernel_passed = None if kernel is None else kernel.get("error") is None
        if error and error["ename"] == "CellTimeoutError":
            self.mark("timeout", f"{meta['grade_id']} ran past the per-cell time limit ({self.timeout:g} s)")
        message = "" if passed else f"{error['ename']}: {error['evalue']}"
        self.judgement.verdicts.append(TestVerdict(meta["grade_id"], float(meta.get("points", 0)), passed, kernel_passed,
                                                   message))
        if kernel_passed is not None and kernel_passed != passed:
            self.judgement.tampered.append(meta["grade_id"])
        cell.outputs = [nbformat.from_dict(o) for o in self.capped(outputs)]
        if error:
            cell.outputs.append(nbformat.v4.new_output("error", ename=error["ename"], evalue=error["evalue"],
                                                       traceback=error["traceback"]))


SHOWN_TYPES = ("text/plain", "text/html", "image/png", "image/jpeg")  # HTML is sanitised when feedback is written


def _sanitised(outputs: list) -> list:
    """Only the output fields nbformat knows, as strings (they come from the worker)."""
    clean = []
    for output in outputs:
        kind = output.get("output_type")
        if kind == "stream" and output.get("name") in ("stdout", "stderr"):
            clean.append({"output_type": "stream", "name": output["name"], "text": str(output.get("text", "")),
                          "cut": output.get("cut") is True})
        elif kind in ("display_data", "execute_result") and isinstance(output.get("data"), dict):
            data = {str(k): str(v) for k, v in output["data"].items() if k in SHOWN_TYPES}
            item = {"output_type": kind, "data": data, "metadata": {}}
            if kind == "execute_result":
                item["execution_count"] = None
            clean.append(item)
    return clean


def _trusted_traceback(error: BaseException) -> str:
    """The test's own frames only: where in the test cell it failed."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename.startswith("<")]
    lines = traceback.format_list(frames) + traceback.format_exception_only(type(error), error)
    return "".join(lines)


# ---------------------------------------------------------------- one submission, start to end

def judge_submission(notebook, release, workspace, *, timeout: float, limits=None, sandboxed: bool = True,
                     fast: bool = True) -> Judgement:
    """Grade `notebook` (a submission) against `release` (the lesson with its hidden tests).

    The worker runs in `workspace`/box, sandboxed unless `sandboxed` is False (a learner's own
    machine without bubblewrap). Whatever happens, the worker and everything it started are stopped
    before this returns."""
    from pathlib import Path

    from . import sandbox

    limits = limits or sandbox.Limits()
    box = Path(workspace) / "box"
    box.mkdir(parents=True, exist_ok=True)
    command, env, cwd = sandbox.worker_command(box, limits, sandboxed, fast)
    watchdogs = []

    def watch(process):
        watchdog = sandbox.Watchdog(process, limits)
        watchdog.start()
        watchdogs.append(watchdog)

    started = time.monotonic()
    link = WorkerLink(command, env, cwd, preexec=sandbox.apply_rlimits(limits), on_start=watch)
    judge = Judge(link, timeout, limits.output_chars)
    try:
        judgement = judge.grade(notebook, release)
    finally:
        link.stop()
    for watchdog in watchdogs:
        watchdog.join(timeout=5)
        if watchdog.tripped:
            status, reason = watchdog.tripped
            judge.mark(status, f"the sandbox was stopped: {reason}")
    judgement.seconds = round(time.monotonic() - started, 1)
    return judgement



def _verdict_dict(verdict: TestVerdict) -> dict:
    return {"grade_id": verdict.grade_id, "points": verdict.points, "passed": verdict.passed,
            "kernel_passed": verdict.kernel_passed, "message": verdict.message[:2000]}


def main(argv=None) -> int:
    """`python -m course_utils.grading.judge TASK.json RESULT.json`: one submission, as the class runner asks.

    TASK names the submission, the lesson's source notebook (with its hidden tests), the workspace,
    the per-cell timeout, the limits and whether to sandbox. RESULT gets the status, the scores and
    the verdicts; the graded notebook is written beside it as graded.ipynb."""
    import json
    from pathlib import Path

    from . import sandbox

    task_path, result_path = (argv or sys.argv[1:])[:2]
    task = json.loads(Path(task_path).read_text())
    submission = nbformat.read(task["submission"], as_version=4)
    release = nbformat.read(task["release"], as_version=4)
    limits = sandbox.Limits(**task.get("limits", {}))
    judgement = judge_submission(submission, release, task["workspace"], timeout=task["timeout"], limits=limits,
                                 sandboxed=task.get("sandboxed", True))
    graded = Path(result_path).with_name("graded.ipynb")
    nbformat.write(judgement.notebook, graded)
    Path(result_path).write_text(json.dumps({
        "status": judgement.status, "reasons": judgement.reasons, "scores": judgement.scores,
        "tampered": judgement.tampered, "verdicts": [_verdict_dict(v) for v in judgement.verdicts],
        "seconds": judgement.seconds, "graded": str(graded)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
