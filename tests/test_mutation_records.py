"""The mutation-testing records (bench/mutation.py, tests/mutation/) belong to the answer cells as they
are now: every answer cell of every lesson has a record made from its current solution, and every
mutant recorded as equivalent is a recorded survivor with a reason. The mutation run itself is a
command of its own (`make mutation`), like the benchmarks."""
import json
import sys

import nbformat
import pytest
from conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
from mutation import RECORDS, fingerprint, solution_source  # noqa: E402

SOLUTIONS = sorted((ROOT / "solutions").glob("*/*.ipynb"))


def answer_cells(path):
    notebook = nbformat.read(path, as_version=4)
    return {cell.metadata["nbgrader"]["grade_id"]: solution_source(cell) for cell in notebook.cells
            if cell.get("metadata", {}).get("nbgrader", {}).get("solution")}


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.parent.name)
def test_every_answer_cell_has_a_current_record(path):
    record_path = RECORDS / f"lesson_{path.parent.name[:2]}.json"
    assert record_path.is_file(), f"no mutation record for {path.parent.name}: run python bench/mutation.py --lesson {path.parent.name[:2]}"
    cells = json.loads(record_path.read_text())["cells"]
    for grade_id, source in answer_cells(path).items():
        assert grade_id in cells, f"{grade_id} has no mutation record"
        assert cells[grade_id]["source"] == fingerprint(source), \
            f"{grade_id} changed since its mutation record: run python bench/mutation.py --lesson {path.parent.name[:2]} --cell {grade_id}"


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.parent.name)
def test_equivalent_mutants_are_survivors_with_a_reason(path):
    record_path = RECORDS / f"lesson_{path.parent.name[:2]}.json"
    if not record_path.is_file():
        pytest.fail(f"no mutation record for {path.parent.name}")
    for grade_id, cell in json.loads(record_path.read_text())["cells"].items():
        survivors = {s["mutant"] for s in cell["survivors"]}
        for mutant, reason in cell["equivalent"].items():
            assert mutant in survivors, f"{grade_id}: {mutant} is recorded as equivalent but is not a survivor"
            assert isinstance(reason, str) and len(reason) >= 20, f"{grade_id}: {mutant} needs a reason a reviewer can check"
        assert cell["killed"] + len(cell["survivors"]) == cell["mutants"]


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.parent.name)
def test_at_least_95_percent_of_non_equivalent_mutants_are_killed(path):
    from mutation import score

    killed, live = score(json.loads((RECORDS / f"lesson_{path.parent.name[:2]}.json").read_text()))
    assert live and killed / live >= 0.95, f"{path.parent.name}: {killed} of {live} non-equivalent mutants killed"


def test_a_record_follows_the_code_not_the_docstring():
    from mutation import our_mutants  # cosmic-ray's own mutants need its package, which `make test` does not install

    source = 'def f(x, y):\n    """Twice x."""\n    z = 2 * x  # double\n    return max(z, y)\n'
    reworded = 'def f(x, y):\n    """Twice x; x is not modified."""\n    z = 2 * x\n    return max(z, y)\n'
    assert fingerprint(source) == fingerprint(reworded)
    keys = [key for key, _ in our_mutants(source)]
    assert keys and keys == [key for key, _ in our_mutants(reworded)]
    assert fingerprint(source) != fingerprint(source.replace("2 * x", "3 * x"))
