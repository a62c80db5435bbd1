"""The grader's runtime guard, running inside the kernel that executes a submission.

While grading, `course_utils.grading.gradeguard` (an nbgrader preprocessor) adds three kinds of lines:

- a first cell, run before any student code: `start(secret, names, modules)` imports the modules
  the locked cells use and remembers every public object they hold, Python's builtins, and the
  IPython machinery that reports errors;
- `begin(grade_id)` at the top of each test cell and `end(grade_id)` at its bottom. Both compare
  everything remembered with what is there now and run a few known-answer self-tests of the
  checks, so an answer cell that replaced `checks.check_close`, wrapped `np.allclose`, rebound
  `np` or `checks`, patched a builtin, swapped an entry of `sys.modules` or silenced tracebacks
  makes the test fail with an `IntegrityError` that says what changed.
- `end` prints a marker derived from the secret. The preprocessor gives a test's points only when
  its marker is there, so a test that stopped early without reporting an error earns nothing.

This raises the bar; it cannot stop code written to defeat this very module from the inside (the
kernel is one process). The static scan (`course_utils.grading.integrity`) flags such code for a human.
Outside grading nothing calls this module.
"""
from __future__ import annotations

import hashlib
import hmac
import importlib
import sys
import types

MARKER_PREFIX = "[grader] test ran to its end:"
# IPython and ipykernel swap these in builtins around every cell; they are not ours to watch.
IPYTHON_BUILTINS = {"_", "__", "___", "exit", "quit", "get_ipython", "display", "help", "copyright", "credits",
                    "license", "runfile", "open", "input", "raw_input"}
# Libraries whose functions test cells compute expected values with; sys is watched by its hooks.
WATCHED_ROOTS = {"numpy", "scipy", "torch", "sklearn", "math", "pandas", "faiss", "course_utils"}
# Replaced by the libraries themselves while a lesson runs (torch._dynamo wraps manual_seed on import).
REWRAPPED_BY_LIBRARIES = {"torch.manual_seed"}
SHELL_METHODS = ("showtraceback", "_showtraceback", "showsyntaxerror", "run_cell", "run_cell_async",
                 "run_ast_nodes", "run_code", "transform_cell", "transform_ast")


class IntegrityError(Exception):
    """Raised in a test cell when something the tests rely on was changed by the notebook."""


_AssertionError = AssertionError
_state: dict = {}


def marker(secret: str, grade_id: str) -> str:
    """The line `end` prints for `grade_id`; the preprocessor recomputes it to check."""
    digest = hmac.new(secret.encode(), grade_id.encode(), hashlib.sha256).hexdigest()[:24]
    return f"{MARKER_PREFIX} {grade_id} {digest}"


def _watchable(value) -> bool:
    return callable(value) or isinstance(value, types.ModuleType)


def _public_objects(module) -> dict:
    return {name: value for name, value in vars(module).items() if not name.startswith("__") and _watchable(value)}


def _import(name: str):
    """The module `name`, imported now, or None (not a module, or not importable here)."""
    try:
        return importlib.import_module(name)
    except Exception:  # noqa: BLE001  (e.g. `from tqdm.auto import tqdm` names a class, not a module)
        return None


def _bound_by_import(target: str):
    """What an import binds for `target`: for `from a.b import c`, the attribute c of a.b when it has
    one (torchvision.ops.roi_align is a function there, and also the name of a submodule), else the module."""
    parent, _, attribute = target.rpartition(".")
    owner = _import(parent) if parent else None
    if owner is not None and hasattr(owner, attribute):
        return getattr(owner, attribute)
    return _import(target)


def _modules_to_watch(names) -> dict:
    """The named modules that tests compute with (imported now) and their directly attached
    submodules. Others (sys, matplotlib, IPython, ...) change their own attributes as they run."""
    watched = {}
    parents = {".".join(name.split(".")[:i]) for name in names for i in range(1, name.count(".") + 1)}
    for name in [*names, *sorted(parents)]:  # `import torch.nn.functional as F` relies on torch too
        if name.split(".")[0] not in WATCHED_ROOTS or name in watched:
            continue
        module = _import(name)
        if module is None:
            continue
        watched[name] = module
        for value in list(vars(module).values()):
            if isinstance(value, types.ModuleType) and value.__name__.startswith(name + "."):
                watched.setdefault(value.__name__, value)
    return watched


def _shell():
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def _shell_state(shell) -> dict:
    if shell is None:
        return {}
    cls = type(shell)
    return {
        # the class's function, and any per-instance override (ipykernel sets some itself)
        "methods": {name: (getattr(cls, name, None), vars(shell).get(name)) for name in SHELL_METHODS},
        "custom_exceptions": tuple(shell.custom_exceptions),
        "ast_transformers": tuple(shell.ast_transformers),
        "input_transformers_post": tuple(shell.input_transformers_post),
        "input_transformers_cleanup": tuple(shell.input_transformers_cleanup),
        "displayhook": shell.displayhook,
    }


def start(secret: str, names: dict, modules=()) -> None:
    """Remember the pristine state. names: notebook name -> what the locked cells bind it to (only
    those that are modules are kept); modules: everything the locked cells import."""
    import builtins

    names = {alias: target for alias, target in names.items() if _import(target) is not None}
    watched = _modules_to_watch(["numpy", "course_utils", "course_utils.checks", *modules, *set(names.values())])
    _state.clear()
    _state.update(
        secret=secret,
        names={alias: (target, _bound_by_import(target)) for alias, target in names.items()},
        modules=watched,
        objects={module_name: _public_objects(module) for module_name, module in watched.items()},
        builtins={name: value for name, value in vars(builtins).items()
                  if name not in IPYTHON_BUILTINS and not name.startswith("__") and _watchable(value)},
        sys_hooks={"displayhook": sys.displayhook, "excepthook": sys.excepthook, "stdout": sys.stdout,
                   "stderr": sys.stderr},
        shell=_shell_state(_shell()),
    )


def _changes(namespace: dict) -> list[str]:
    """Every difference between now and the remembered state, in words."""
    import builtins

    found = []
    for module_name, module in _state["modules"].items():
        if sys.modules.get(module_name) is not module:
            found.append(f"sys.modules[{module_name!r}] was replaced")
        current = vars(module)
        for name, value in _state["objects"][module_name].items():
            if current.get(name) is not value and f"{module_name}.{name}" not in REWRAPPED_BY_LIBRARIES:
                found.append(f"{module_name}.{name} was replaced or removed")
    current_builtins = vars(builtins)
    for name, value in _state["builtins"].items():
        if current_builtins.get(name) is not value:
            found.append(f"the builtin {name} was replaced or removed")
    for alias, (module_name, expected) in _state["names"].items():
        # a name not bound yet is one a later locked cell imports (a test cell's own import)
        if alias in namespace and namespace[alias] is not expected:
            found.append(f"the name {alias!r} no longer refers to {module_name}")
    hooks = _state["sys_hooks"]
    now = {"displayhook": sys.displayhook, "excepthook": sys.excepthook, "stdout": sys.stdout,
           "stderr": sys.stderr}
    # == rather than `is`: IPython installs its excepthook as a fresh bound method for every cell
    found += [f"sys.{name} was changed" for name, value in hooks.items() if now[name] != value]
    if sys.gettrace() is not None or sys.getprofile() is not None:
        found.append("a trace or profile function was installed (sys.settrace / sys.setprofile)")
    shell = _shell()
    remembered = _state["shell"]
    if remembered:
        current_state = _shell_state(shell)
        for name, method in remembered["methods"].items():
            if current_state["methods"][name] != method:
                found.append(f"IPython's {name} was replaced")
        for key in ("custom_exceptions", "ast_transformers", "input_transformers_post",
                    "input_transformers_cleanup"):
            if current_state[key] != remembered[key]:
                found.append(f"IPython's {key} were changed")
        if current_state["displayhook"] is not remembered["displayhook"]:
            found.append("IPython's displayhook was replaced")
    return found


def _self_test() -> list[str]:
    """Known answers: the checks must reject wrong values and accept right ones."""
    import numpy as np

    from course_utils import checks

    must_fail = [
        ("check", lambda: checks.check(False, "x")),
        ("check_close", lambda: checks.check_close([1.0, 2.0], [1.0, 2.5], "x")),
        ("check_equal", lambda: checks.check_equal([1, 2], [1, 3], "x")),
        ("check_shape", lambda: checks.check_shape(np.zeros((2, 3)), (3, 2), "x")),
        ("check_type", lambda: checks.check_type(1.0, str, "x")),
        ("check_dtype", lambda: checks.check_dtype(np.zeros(2), "integer", "x")),
        ("check_finite", lambda: checks.check_finite([1.0, float("nan")], "x")),
    ]
    found = []
    for name, call in must_fail:
        try:
            call()
        except _AssertionError:
            continue
        except Exception:  # noqa: BLE001  (any other outcome is just as wrong)
            pass
        found.append(f"checks.{name} no longer rejects a wrong value")
    try:
        checks.check_close([1.0, 2.0], [1.0, 2.0], "x")
        checks.check_equal([1, 2], [1, 2], "x")
    except Exception:  # noqa: BLE001
        found.append("the checks reject a right value")
    if np.isclose(1.0, 2.0) or np.allclose([1.0], [2.0]) or np.array_equal([1], [2]) or (np.arange(3) == 5).any():
        found.append("numpy's comparisons give wrong answers")
    return found


def _verify(grade_id: str, where: str, namespace: dict) -> None:
    if not _state:
        raise IntegrityError(f"{grade_id}: the grader's guard was not started before the notebook ran")
    problems = _changes(namespace) + _self_test()
    if problems:
        shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
        raise IntegrityError(f"{grade_id} ({where} of the test): the notebook changed what the tests rely on: {shown}")


def begin(grade_id: str) -> None:
    """Called first in a test cell while grading."""
    _verify(grade_id, "start", sys._getframe(1).f_globals)


def end(grade_id: str) -> None:
    """Called last in a test cell while grading: verify again, then print the marker."""
    _verify(grade_id, "end", sys._getframe(1).f_globals)
    print(marker(_state["secret"], grade_id))
