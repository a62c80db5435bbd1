"""Every clause of every graded function's docstring has a plausible wrong answer that the test cell
rejects (see tests/contracts/__init__.py for the format)."""
import ast
import importlib

import pytest
from conftest import ROOT
from test_hidden_tests import load, run_test_cell

from contracts import Contract

# Lessons whose contracts are not written yet; the rule applies to every other lesson. Shrink this.
PENDING = set()
ASSIGNMENTS = sorted(path.name for path in (ROOT / "solutions").iterdir() if (path / f"{path.name}.ipynb").is_file())


def contracts_of(assignment) -> dict:
    module = importlib.import_module(f"contracts.lesson_{assignment[:2]}")
    assert module.ASSIGNMENT == assignment
    return module.CONTRACTS


def graded_functions(assignment) -> set:
    """Names of the top-level functions defined in the lesson's answer cells."""
    names = set()
    for grade_id, source in load(assignment).items():
        if grade_id != "setup" and not grade_id.startswith("test_"):
            names |= {node.name for node in ast.parse(source).body if isinstance(node, ast.FunctionDef)}
    return names


COVERED = [a for a in ASSIGNMENTS if a not in PENDING]
CASES = [(a, function, clause) for a in COVERED for function, contract in contracts_of(a).items()
         for clause in contract.clauses]


@pytest.mark.parametrize("assignment", COVERED)
def test_every_graded_function_has_a_contract_with_clauses(assignment):
    contracts = contracts_of(assignment)
    missing = graded_functions(assignment) - set(contracts)
    assert not missing, f"graded functions without a contract: {sorted(missing)}"
    for function, contract in contracts.items():
        assert isinstance(contract, Contract) and contract.clauses, function


@pytest.mark.parametrize("assignment, function, clause", CASES, ids=lambda value: str(value)[:60])
def test_the_test_cell_rejects_the_wrong_answer(assignment, function, clause):
    contract = contracts_of(assignment)[function]
    with pytest.raises(AssertionError):
        run_test_cell(assignment, contract.test, contract.clauses[clause])


@pytest.mark.parametrize("assignment", COVERED)
def test_the_test_cells_accept_the_solution(assignment):
    for contract in contracts_of(assignment).values():
        run_test_cell(assignment, contract.test, {})


def test_pending_lessons_exist():
    assert PENDING <= set(ASSIGNMENTS)
