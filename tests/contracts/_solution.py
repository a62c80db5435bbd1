"""Build a wrong answer from the reference solution: swap one function of an answer cell for a
wrong version and keep the cell's other functions as they are."""
import ast
import textwrap

from test_hidden_tests import load


def swap(assignment, grade_id, wrong_source):
    """{grade_id: the cell's solution with each function defined in `wrong_source` replaced by it}."""
    source = load(assignment)[grade_id]
    wrong = textwrap.dedent(wrong_source).strip("\n")
    replaced = {node.name: ast.get_source_segment(wrong, node) for node in ast.parse(wrong).body
                if isinstance(node, ast.FunctionDef)}
    lines = source.splitlines()
    for node in sorted(ast.parse(source).body, key=lambda node: -node.lineno):
        if isinstance(node, ast.FunctionDef) and node.name in replaced:
            lines[node.lineno - 1:node.end_lineno] = replaced.pop(node.name).splitlines()
    if replaced:
        raise KeyError(f"{grade_id} defines no function named {sorted(replaced)}")
    return {grade_id: "\n".join(lines)}


def swap_tagged(assignment, grade_id, source, **edits):
    """`source` with the lines tagged `# @name` replaced by edits[name] (same indentation), swapped
    into grade_id: one wrong answer per clause from one tagged copy of the solution."""
    lines = []
    for line in source.strip("\n").splitlines():
        code, _, tag = line.partition("# @")
        tag = tag.strip()
        if tag in edits:
            indent = code[:len(code) - len(code.lstrip())]
            lines += [indent + new for new in edits.pop(tag).splitlines()]
        else:
            lines.append(code.rstrip())
    assert not edits, edits
    return swap(assignment, grade_id, "\n".join(lines))
