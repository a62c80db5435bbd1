"""A static scan of a submission's own code cells (parsed with `ast`, never run) for things an
answer to these exercises never needs and a cheat does: changing imported modules or builtins,
dynamic code, exiting the kernel, hooks into the interpreter, files, processes and the network.

A flag is a reason for a human to look, not a verdict.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass

FLAG_MEANINGS = {
    "module-attribute": "assigns to or deletes an attribute of an imported module",
    "rebinds-import": "rebinds a name the lesson's locked cells import (the tests use it)",
    "builtins": "touches builtins",
    "sys-modules": "touches sys.modules or the import system",
    "ipython": "reaches into IPython or the kernel (get_ipython, In/Out history, magics)",
    "dynamic-code": "runs code built at run time (exec, eval, compile, marshal, pickle, decoding)",
    "exit": "exits or signals the kernel (os._exit, sys.exit, os.kill, signal)",
    "hooks": "installs interpreter hooks or inspects frames (settrace, audit hooks, inspect, gc)",
    "guard": "refers to the grader's integrity guard",
    "file-access": "reads or writes files (answers never need to)",
    "process": "starts processes or shell commands",
    "network": "uses the network",
    "environment": "reads or changes environment variables (e.g. to detect grading)",
    "syntax-error": "a cell that does not parse as Python",
}

DYNAMIC_CALLS = {"exec", "eval", "compile", "__import__", "breakpoint"}
EXIT_CALLS = {"exit", "quit"}
FILE_CALLS = {"open"}
HOOK_ATTRIBUTES = {"settrace", "setprofile", "addaudithook", "excepthook", "displayhook", "_getframe",
                   "setrecursionlimit", "set_custom_exc", "f_globals", "f_locals", "f_back", "__closure__",
                   "__globals__", "__code__"}
MODULE_FLAGS = {
    "builtins": "builtins", "__builtin__": "builtins",
    "importlib": "sys-modules", "imp": "sys-modules", "site": "sys-modules",
    "IPython": "ipython", "ipykernel": "ipython", "traitlets": "ipython",
    "marshal": "dynamic-code", "pickle": "dynamic-code", "dill": "dynamic-code", "base64": "dynamic-code",
    "codecs": "dynamic-code", "zlib": "dynamic-code", "types": "dynamic-code", "ctypes": "dynamic-code",
    "signal": "exit", "atexit": "exit",
    "inspect": "hooks", "gc": "hooks", "threading": "hooks", "faulthandler": "hooks",
    "os": "file-access", "shutil": "file-access", "pathlib": "file-access", "glob": "file-access",
    "io": "file-access", "tempfile": "file-access", "fileinput": "file-access",
    "subprocess": "process", "multiprocessing": "process", "pty": "process",
    "socket": "network", "urllib": "network", "http": "network", "requests": "network", "ftplib": "network",
    "smtplib": "network", "httpx": "network", "aiohttp": "network", "websocket": "network",
    "course_utils.grading": "guard", "course_utils.grading.guard": "guard", "course_utils.grading.gradeguard": "guard",
}
OS_ATTRIBUTE_FLAGS = {"_exit": "exit", "kill": "exit", "abort": "exit", "killpg": "exit",
                      "system": "process", "popen": "process", "spawnl": "process", "execv": "process",
                      "fork": "process", "environ": "environment", "getenv": "environment", "putenv": "environment"}
IPYTHON_NAMES = {"get_ipython", "In", "Out", "_ih", "_oh", "_i", "_ii", "_iii", "__IPYTHON__"}
HARMLESS_MAGICS = {"time", "timeit", "matplotlib", "config", "precision", "who", "whos", "prun", "debug"}


@dataclass(frozen=True)
class Flag:
    code: str
    cell: int  # index of the cell in the submitted notebook
    line: int  # 1-based, in the cell as written
    text: str  # the offending line, shortened

    def short(self) -> str:
        return f"{self.code}@cell{self.cell}:L{self.line}"


def to_python(source: str) -> tuple[str, list[tuple[int, str]]]:
    """Source with IPython magics and shell escapes blanked out, and [(line, magic)] found."""
    lines, magics = [], []
    for number, line in enumerate(source.splitlines(), start=1):
        stripped = line.lstrip()
        if stripped.startswith(("%", "!")) or (stripped.endswith("?") and not stripped.startswith("#")):
            magics.append((number, stripped))
            lines.append(line[: len(line) - len(stripped)] + "pass")
        else:
            lines.append(line)
    return "\n".join(lines), magics


def _root_name(node) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _dotted(node) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))


class _Scanner(ast.NodeVisitor):
    def __init__(self, imported_names: set, protected_names: set):
        self.imported = set(imported_names)  # names bound to modules anywhere in the notebook
        self.protected = set(protected_names)  # names the locked cells import
        self.found: list[tuple[str, int]] = []

    def flag(self, code: str, node) -> None:
        self.found.append((code, getattr(node, "lineno", 1)))

    def _module_flag(self, module: str, node) -> None:
        for prefix, code in MODULE_FLAGS.items():
            if module == prefix or module.startswith(prefix + "."):
                self.flag(code, node)
                return

    def visit_Import(self, node):
        for alias in node.names:
            self._module_flag(alias.name, node)
            self.imported.add(alias.asname or alias.name.split(".")[0])

    def visit_ImportFrom(self, node):
        module = node.module or ""
        self._module_flag(module, node)
        for alias in node.names:
            self._module_flag(f"{module}.{alias.name}", node)
            if alias.name in ("modules", "meta_path", "path_hooks") and module == "sys":
                self.flag("sys-modules", node)

    def _check_target(self, target, node) -> None:
        if isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self._check_target(element, node)
        elif isinstance(target, ast.Name) and target.id in self.protected:
            self.flag("rebinds-import", node)
        elif isinstance(target, (ast.Attribute, ast.Subscript)) and _root_name(target) in self.imported:
            self.flag("module-attribute", node)

    def visit_Assign(self, node):
        for target in node.targets:
            self._check_target(target, node)
        self.generic_visit(node)

    def visit_AugAssign(self, node):
        self._check_target(node.target, node)
        self.generic_visit(node)

    def visit_AnnAssign(self, node):
        self._check_target(node.target, node)
        self.generic_visit(node)

    def visit_Delete(self, node):
        for target in node.targets:
            self._check_target(target, node)
        self.generic_visit(node)

    def visit_FunctionDef(self, node):
        if node.name in self.protected:
            self.flag("rebinds-import", node)
        self.generic_visit(node)

    visit_AsyncFunctionDef = visit_FunctionDef
    visit_ClassDef = visit_FunctionDef

    def visit_Global(self, node):
        if set(node.names) & self.protected:
            self.flag("rebinds-import", node)

    def visit_Call(self, node):
        name = node.func.id if isinstance(node.func, ast.Name) else None
        dotted = _dotted(node.func)
        if name in ("setattr", "delattr") and node.args and _root_name(node.args[0]) in self.imported:
            self.flag("module-attribute", node)
        if name in ("setattr", "delattr", "getattr") and node.args and isinstance(node.args[0], ast.Name) \
                and node.args[0].id in ("__builtins__", "builtins"):
            self.flag("builtins", node)
        if name in DYNAMIC_CALLS:
            self.flag("dynamic-code", node)
        if name in EXIT_CALLS:
            self.flag("exit", node)
        if name in FILE_CALLS or dotted.endswith((".read_text", ".read_bytes", ".write_text", ".write_bytes")):
            self.flag("file-access", node)
        if name == "globals":
            self.flag("hooks", node)
        if dotted in ("sys.exit",):
            self.flag("exit", node)
        if dotted.startswith(("np.load", "np.save", "numpy.load", "numpy.save", "torch.load", "torch.save",
                              "pd.read_", "pandas.read_", "np.fromfile", "np.loadtxt", "np.genfromtxt")):
            self.flag("file-access", node)
        self.generic_visit(node)

    def visit_Attribute(self, node):
        base = _dotted(node.value)
        if node.attr in HOOK_ATTRIBUTES:
            self.flag("hooks", node)
        if base == "sys" and node.attr in ("modules", "meta_path", "path_hooks", "path"):
            self.flag("sys-modules", node)
        if base == "os" and node.attr in OS_ATTRIBUTE_FLAGS:
            self.flag(OS_ATTRIBUTE_FLAGS[node.attr], node)
        if node.attr in ("__builtins__", "__dict__", "__class__", "__subclasses__", "__bases__", "__mro__"):
            self.flag("builtins" if node.attr == "__builtins__" else "hooks", node)
        self.generic_visit(node)

    def visit_Name(self, node):
        if node.id in ("__builtins__", "builtins"):
            self.flag("builtins", node)
        elif node.id in IPYTHON_NAMES:
            self.flag("ipython", node)
        elif node.id == "__course_guard__":
            self.flag("guard", node)


def protected_names(locked_sources) -> set:
    """Names bound by import in the locked cells (np, checks, torch, ...)."""
    names = set()
    for source in locked_sources:
        try:
            tree = ast.parse(to_python(source)[0])
        except SyntaxError:
            continue
        for node in tree.body:  # top level only: imports inside blocks (Colab's install) may not run
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names.update(alias.asname or alias.name.split(".")[0] for alias in node.names if alias.name != "*")
    return names


def scan_cells(cells: list[tuple[int, str]], locked_sources=()) -> list[Flag]:
    """Flags for the code cells [(index in notebook, source)], sorted by cell and line."""
    protected = protected_names(locked_sources)
    flags = []
    for index, source in cells:
        python, magics = to_python(source)
        lines = source.splitlines() or [""]
        for number, magic in magics:
            word = magic.lstrip("%!").split()[0] if magic.lstrip("%!").split() else ""
            if magic.startswith("!") or word in ("system", "sx", "sh", "bash", "script"):
                flags.append(Flag("process", index, number, magic[:80]))
            elif word not in HARMLESS_MAGICS:
                flags.append(Flag("ipython", index, number, magic[:80]))
        try:
            tree = ast.parse(python)
        except SyntaxError as error:
            flags.append(Flag("syntax-error", index, error.lineno or 1, (error.text or "").strip()[:80]))
            continue
        scanner = _Scanner(protected, protected)
        scanner.visit(tree)
        for code, line in dict.fromkeys(scanner.found):
            text = lines[line - 1].strip() if 0 < line <= len(lines) else ""
            flags.append(Flag(code, index, line, text[:80]))
    return sorted(set(flags), key=lambda f: (f.cell, f.line, f.code))
