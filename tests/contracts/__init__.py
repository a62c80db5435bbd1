"""The contract of every graded function, one module per lesson (`lesson_NN.py`).

Each module defines ASSIGNMENT (the notebook's folder name) and CONTRACTS:

    CONTRACTS = {
        "function_name": Contract(
            test="test_cell_grade_id",
            clauses={
                "one clause of the docstring, in a few words": {"answer_grade_id": "wrong answer source"},
                ...
            }),
    }

A clause is one promise of the docstring: an argument, a default used at another value, a bound
(tested at its edge), an invariant, an edge case, an error it must raise, the returned type, dtype
or device, the gradient where the function is differentiable. Its wrong answer is what a learner
might plausibly write that breaks that clause and nothing else; the replacement maps the answer
cell's grade_id to the wrong source (a cell may define several functions: give all of them).
tests/test_contracts.py checks that every graded function has a contract, that the solution passes,
and that the test cell rejects every wrong answer with an AssertionError (a helpful message from
the checks, not a crash inside the learner's code or torch).
"""
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Contract:
    test: str
    clauses: dict = field(default_factory=dict)
