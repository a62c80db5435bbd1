"""Mutation testing of every answer cell: how many mechanically broken solutions the tests reject.

For each answer cell of each lesson, the reference solution is mutated one change at a time with
cosmic-ray's operators (arithmetic, comparison, unary and boolean operators, constants, break and
continue, loops that never run, exception types) and two of ours (a statement replaced by `pass`, a
call argument removed). Each mutant replaces the solution in a process that has run the lesson's
setup cell and every other solution (in fast mode), and the test cells that use the cell's names
run against it, visible and hidden parts together. A mutant is killed when a test fails or it runs
past the time limit; a survivor is either killed by a new test or recorded as equivalent, with a
reason, in tests/mutation/lesson_NN.json. The score per lesson goes into bench/README.md.

Usage: python bench/mutation.py [--lesson 00 ...] [--cell GRADE_ID] [--timeout 30]
"""
from __future__ import annotations

import argparse
import ast
import hashlib
import json
import os
import re
import signal
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
RECORDS = ROOT / "tests" / "mutation"
MARKER = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n?", re.M)
# cosmic-ray operators that make a plausible slip; the bitwise and shift swaps of every arithmetic
# operator are left out (on floats they only raise TypeError, which any test notices)
ARITHMETIC = ["Add_Sub", "Sub_Add", "Mul_Div", "Div_Mul", "Div_FloorDiv", "FloorDiv_Div", "Pow_Mul", "Mod_FloorDiv",
              "Add_Mul", "Sub_Mul", "Mul_Add", "Mul_Pow", "MatMult_Mul"]
COMPARISON = ["Eq_NotEq", "NotEq_Eq", "Lt_LtE", "LtE_Lt", "Gt_GtE", "GtE_Gt", "Lt_Gt", "Gt_Lt", "LtE_GtE", "GtE_LtE",
              "Is_IsNot", "IsNot_Is"]
OTHER = ["AddNot", "NumberReplacer", "ReplaceAndWithOr", "ReplaceOrWithAnd", "ReplaceTrueWithFalse",
         "ReplaceFalseWithTrue", "ReplaceBreakWithContinue", "ReplaceContinueWithBreak", "ZeroIterationForLoop",
         "ReplaceUnaryOperator_USub_UAdd", "ReplaceUnaryOperator_Delete_Not", "ReplaceUnaryOperator_Delete_USub",
         "ExceptionReplacer"]
OPERATORS = ([f"core/ReplaceBinaryOperator_{name}" for name in ARITHMETIC]
             + [f"core/ReplaceComparisonOperator_{name}" for name in COMPARISON] + [f"core/{name}" for name in OTHER])


def solution_source(cell) -> str:
    return MARKER.sub("", cell.source)


def code_only(source: str) -> str:
    """The cell's code as the mutants see it: docstrings and comments dropped, layout normalised, so a
    clearer docstring does not make a record stale, while any change to the code does."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and body
                and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)):
            node.body = body[1:] or [ast.Pass()]
    return ast.unparse(tree)


def fingerprint(source: str) -> str:
    return hashlib.sha256(code_only(source).encode()).hexdigest()[:16]


# ---------------------------------------------------------------- mutants

def cosmic_ray_mutants(source: str):
    from cosmic_ray.mutating import mutate_code
    from cosmic_ray.plugins import get_operator, operator_names

    available = set(operator_names())
    for name in OPERATORS:
        if name not in available:
            continue
        operator = get_operator(name)()
        occurrence = 0
        while True:
            try:
                mutated = mutate_code(source, operator, occurrence)
            except Exception:  # an operator that cannot handle some construct: stop this operator here
                break
            if mutated is None:
                break
            if mutated != source:
                yield f"{name.removeprefix('core/')}#{occurrence}", mutated
            occurrence += 1


class _Nth(ast.NodeTransformer):
    """Applies `change` to the n-th node for which `candidates(node)` yields a position."""

    def __init__(self, wanted, candidates, change):
        self.wanted, self.candidates, self.change, self.seen = wanted, candidates, change, 0

    def generic_visit(self, node):
        node = super().generic_visit(node)
        for position in self.candidates(node):
            if self.seen == self.wanted:
                node = self.change(node, position)
            self.seen += 1
        return node


def _function_bodies(tree):
    return [node for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]


def statement_positions(node):
    """Every statement in a function body but the docstring, the def itself and a lone one."""
    body = getattr(node, "body", None)
    if not isinstance(body, list) or isinstance(node, (ast.Module, ast.ClassDef)):
        return []
    return [i for i, statement in enumerate(body)
            if not (i == 0 and isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
                    and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)))
            and not isinstance(statement, (ast.FunctionDef, ast.ClassDef, ast.Pass))]


def remove_statement(node, index):
    node.body[index] = ast.Pass()
    return node


def argument_positions(node):
    if not isinstance(node, ast.Call):
        return []
    return [("keyword", i) for i in range(len(node.keywords))] + ([("last", 0)] if len(node.args) >= 2 else [])


def remove_argument(node, position):
    kind, index = position
    if kind == "keyword":
        del node.keywords[index]
    else:
        node.args.pop()
    return node


def our_mutants(source: str):
    tree = ast.parse(source)
    for label, candidates, change in (("RemoveStatement", statement_positions, remove_statement),
                                      ("RemoveArgument", argument_positions, remove_argument)):
        total = sum(len(candidates(node)) for node in ast.walk(tree))
        for wanted in range(total):
            mutated = _Nth(wanted, candidates, change).visit(ast.parse(source))
            code = ast.unparse(ast.fix_missing_locations(mutated))
            if ast.dump(ast.parse(code)) != ast.dump(tree):
                yield f"{label}#{wanted}", code


def mutants(source: str) -> list[tuple[str, str]]:
    return list(cosmic_ray_mutants(source)) + list(our_mutants(source))


def changed_line(original: str, mutated: str) -> str:
    """A one-line description of where the mutant differs (first differing line, after normalising)."""
    before = ast.unparse(ast.parse(original)).splitlines()
    after = ast.unparse(ast.parse(mutated)).splitlines()
    for old, new in zip(before, after):
        if old != new:
            return f"{old.strip()}  ->  {new.strip()}"
    return f"{len(before)} lines -> {len(after)} lines"


# ---------------------------------------------------------------- running

def defined_names(source: str) -> set[str]:
    tree = ast.parse(source)
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    return names


def used_names(source: str) -> set[str]:
    return {node.id for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Name)}


def run_in_child(namespace: dict, mutant: str, tests: list[str], timeout: float) -> str:
    """'killed', 'survived' or 'timeout', from a forked copy of the prepared process."""
    pid = os.fork()
    if pid == 0:
        status = 1
        try:
            signal.alarm(int(timeout) + 1)
            import io
            from contextlib import redirect_stderr, redirect_stdout

            with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
                exec(compile(mutant, "<mutant>", "exec"), namespace)
                for test in tests:
                    exec(compile(test, "<test>", "exec"), namespace)
            status = 0
        except BaseException:  # noqa: BLE001  (any failure kills the mutant)
            status = 1
        finally:
            os._exit(status)
    deadline = time.monotonic() + timeout
    while True:
        done, code = os.waitpid(pid, os.WNOHANG)
        if done:
            return "survived" if os.WIFEXITED(code) and os.WEXITSTATUS(code) == 0 else "killed"
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return "timeout"
        time.sleep(0.005)


def lesson_cells(notebook):
    """(setup sources, [(grade_id, solution source)], [test sources in order])."""
    setup, answers, tests = [], [], []
    for cell in notebook.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type != "code":
            continue
        if meta.get("solution"):
            answers.append((meta["grade_id"], solution_source(cell)))
        elif meta.get("grade"):
            tests.append(cell.source)
        elif meta.get("locked"):
            setup.append(cell.source)
    return setup, answers, tests


def mutate_lesson(assignment: str, only_cell: str | None, timeout: float) -> dict:
    os.environ["NBGRADER_EXECUTION"] = "autograde"
    os.environ.setdefault("MPLBACKEND", "Agg")
    notebook = nbformat.read(ROOT / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)
    setup, answers, tests = lesson_cells(notebook)
    namespace = {"__name__": "__main__"}
    for source in setup:
        exec(compile(source, "<setup>", "exec"), namespace)
    try:
        import torch

        torch.set_num_threads(1)  # forked children must not wait on a thread pool they did not inherit
    except ImportError:
        pass
    for _, source in answers:
        exec(compile(source, "<answer>", "exec"), namespace)
    record_path = RECORDS / f"lesson_{assignment[:2]}.json"
    previous = json.loads(record_path.read_text()) if record_path.is_file() else {"cells": {}}
    cells = dict(previous.get("cells", {}))
    for grade_id, source in answers:
        if only_cell and grade_id != only_cell:
            continue
        names = defined_names(source)
        relevant = [test for test in tests if used_names(test) & names]
        baseline = run_in_child(namespace, source, relevant, timeout * 3)
        if baseline != "survived":
            raise SystemExit(f"{assignment} {grade_id}: the reference solution fails its own tests ({baseline})")
        found = mutants(source)
        survivors, killed, timeouts = [], 0, 0
        started = time.monotonic()
        for key, mutant in found:
            outcome = run_in_child(namespace, mutant, relevant, timeout)
            if outcome == "survived":
                survivors.append({"mutant": key, "change": changed_line(source, mutant)})
            else:
                killed += 1
                timeouts += outcome == "timeout"
        old = previous.get("cells", {}).get(grade_id, {})
        reasons = old.get("equivalent", {}) if old.get("source") == fingerprint(source) else {}
        equivalent = {s["mutant"]: reasons[s["mutant"]] for s in survivors if s["mutant"] in reasons}
        cells[grade_id] = {"source": fingerprint(source), "mutants": len(found), "killed": killed,
                           "timeouts": timeouts, "survivors": survivors, "equivalent": equivalent,
                           "seconds": round(time.monotonic() - started, 1)}
        live = len(found) - len(equivalent)
        print(f"{assignment} {grade_id}: {killed}/{live} non-equivalent mutants killed "
              f"({len(survivors) - len(equivalent)} unexplained survivors)", flush=True)
    record = {"lesson": assignment, "cells": cells}
    RECORDS.mkdir(parents=True, exist_ok=True)
    record_path.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")
    return record


def score(record: dict) -> tuple[int, int]:
    """(killed, non-equivalent mutants) over a lesson's cells."""
    killed = sum(cell["killed"] for cell in record["cells"].values())
    live = sum(cell["mutants"] - len(cell["equivalent"]) for cell in record["cells"].values())
    return killed, live


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lesson", nargs="*", help="lesson numbers, e.g. 00 03 (default: all)")
    parser.add_argument("--cell", help="only this answer cell's grade id")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per mutant (a mutant that runs longer is killed)")
    args = parser.parse_args()
    assignments = sorted(p.name for p in (ROOT / "solutions").iterdir() if (p / f"{p.name}.ipynb").is_file())
    if args.lesson:
        assignments = [a for a in assignments if a[:2] in args.lesson]
    for assignment in assignments:
        pid = os.fork()  # one process per lesson: lessons do not share imported state
        if pid == 0:
            try:
                mutate_lesson(assignment, args.cell, args.timeout)
                os._exit(0)
            except BaseException as error:  # noqa: BLE001
                print(f"{assignment}: {error}", file=sys.stderr, flush=True)
                os._exit(1)
        os.waitpid(pid, 0)
    write_table()


def write_table():
    sys.path.insert(0, str(ROOT / "bench"))
    from report import write_report

    rows = []
    for path in sorted(RECORDS.glob("lesson_*.json")):
        record = json.loads(path.read_text())
        killed, live = score(record)
        mutants_total = sum(c["mutants"] for c in record["cells"].values())
        equivalent = sum(len(c["equivalent"]) for c in record["cells"].values())
        rows.append((record["lesson"], len(record["cells"]), mutants_total, equivalent, killed,
                     f"{killed / live:.1%}" if live else "-"))
    write_report("mutation", "Mutation testing of the answer cells (`python bench/mutation.py`)",
                 ("lesson", "answer cells", "mutants", "recorded equivalent", "killed", "score (killed / non-equivalent)"),
                 rows, "Each mutant is one mechanical change to a reference solution (cosmic-ray's operators, plus "
                 "statement removal and call-argument removal); it is killed when a visible or hidden test of "
                 "the lesson fails on it or it runs past 30 s. Survivors and the reasons some are equivalent are "
                 "in tests/mutation/lesson_NN.json; `make test` checks that those records belong to the answer "
                 "cells as they are now.")


if __name__ == "__main__":
    main()
