"""Packaging and launch files: dependency layers, Binder's configuration, the contributor files."""
import os
import re
import shutil
import subprocess
import sys
import tomllib

import pytest
import yaml
from pathlib import Path
from conftest import ROOT

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def names(requirements) -> set:
    return {re.split(r"[<>=!\[ ;]", requirement)[0].lower() for requirement in requirements}


def test_core_has_no_jupyter_front_end_and_no_upper_bounds():
    core = names(PROJECT["dependencies"])
    assert not core & {"jupyterlab", "nbgrader", "ipywidgets", "notebook", "ipython", "copydetect", "distributed"}
    assert not [r for r in PROJECT["dependencies"] if "<" in r or "==" in r], "no upper bounds without a known reason"
    extras = PROJECT["optional-dependencies"]
    assert {"jupyterlab", "nbgrader", "ipywidgets", "copydetect"} <= names(extras["lab"])
    assert names(extras["cluster"]) == {"distributed"}
    assert {"sphinx", "myst-nb", "playwright"} <= names(extras["site"])
    assert "embeddings-course[lab,cluster,site]" in extras["test"] and "pytest" in names(extras["test"])
    assert not [r for group in extras.values() for r in group if "<" in r or "==" in r]


def test_makefile_installs_one_layer_per_command():
    makefile = (ROOT / "Makefile").read_text()
    assert "-e '.[lab]'" in makefile and "-e '.[test]'" in makefile
    assert re.search(r"^start: \$\(LAB_STAMP\)", makefile, re.M) and re.search(r"^test: setup", makefile, re.M)
    assert re.search(r"^\$\(STAMP\): pyproject.toml", makefile, re.M)
    assert re.search(r"^\$\(LAB_STAMP\): pyproject.toml", makefile, re.M)
    assert "make test" in (ROOT / ".ci" / "run").read_text()


BLOCK_FRONT_END = """
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {"nbgrader", "jupyterlab", "ipywidgets", "notebook", "copydetect", "distributed"}:
            raise ModuleNotFoundError(name)
sys.meta_path.insert(0, Block())
import course_utils
from course_utils import checks, cli, colab, datasets, extras, metrics, plots, scenes, training
from course_utils.grading import validate
context = course_utils.setup(lesson="00", quiet=True)
print("ok", context.device)
"""


def test_course_utils_works_without_the_lab_extra():
    completed = subprocess.run([sys.executable, "-c", BLOCK_FRONT_END], cwd=ROOT, capture_output=True, text=True)
    assert completed.returncode == 0 and completed.stdout.startswith("ok"), completed.stderr[-2000:]


def binder_environment():
    return yaml.safe_load((ROOT / "binder" / "environment.yml").read_text())


def test_binder_environment_does_not_depend_on_the_repository():
    environment = binder_environment()
    pip_lines = next(item["pip"] for item in environment["dependencies"] if isinstance(item, dict))
    for line in pip_lines:
        assert not line.startswith(("-e", ".", "/", "-r", "file:", "git+")), f"{line!r} depends on repository contents"
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in pip_lines
    listed = names(line for line in pip_lines if not line.startswith("-"))
    wanted = names(PROJECT["dependencies"]) | names(PROJECT["optional-dependencies"]["lab"]) - {"copydetect"}
    assert listed == wanted, f"binder/environment.yml and pyproject.toml differ: {sorted(listed ^ wanted)}"


def test_binder_post_build_installs_only_the_course_and_prepares_fashion_mnist(tmp_path):
    """postBuild in a fresh venv. The venv stands for Binder's cached environment layer: a .pth line
    lends it this environment's packages (so nothing is downloaded), and postBuild must add only the
    course itself, into the venv's own site-packages."""
    checkout = tmp_path / "repo"
    checkout.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, checkout / name)
    shutil.copytree(ROOT / "course_utils", checkout / "course_utils", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "binder", checkout / "binder")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    own_site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                              capture_output=True, text=True, check=True).stdout.strip()
    lent = subprocess.run([sys.executable, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    with open(os.path.join(own_site, "binder-layer.pth"), "w") as pth:
        pth.write(lent + "\n")
    env = {key: value for key, value in os.environ.items() if key not in ("COURSE_DATA", "VIRTUAL_ENV")}
    env.update(PATH=f"{venv / 'bin'}{os.pathsep}{env['PATH']}", HOME=str(tmp_path / "home"),
               XDG_CACHE_HOME=str(tmp_path / "home" / ".cache"))
    completed = subprocess.run(["bash", "binder/postBuild"], cwd=checkout, env=env, capture_output=True, text=True)
    assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-2000:]

    where = subprocess.run([python, "-c", "import course_utils; print(course_utils.__file__)"], cwd=tmp_path,
                           env=env, capture_output=True, text=True, check=True).stdout.strip()
    assert where.startswith(own_site), f"the course should be installed into the venv, found at {where}"
    added = {entry.split("-")[0].lower() for entry in os.listdir(own_site) if entry.endswith(".dist-info")}
    assert added <= {"embeddings_course", "pip", "setuptools"}, f"postBuild installed dependencies: {added}"
    fetched = [line for line in completed.stdout.splitlines() if line.startswith("fashion-mnist-")]
    if len(fetched) == 4:
        assert all(("/usr/share/datasets/fashion-mnist/" in line) or (".cache/embeddings-course" in line)
                   for line in fetched)
    else:  # offline and without Debian's package: the build goes on and says what happens instead
        assert "Fashion-MNIST not fetched" in completed.stdout


def test_contributor_files_exist_and_agree():
    import course_utils

    for name in ("LICENSE", "CONTRIBUTING.md", "CHANGELOG.md", "CITATION.cff", "docs/design.md", "data/LICENSES.md"):
        assert (ROOT / name).is_file(), f"{name} is missing"
    assert "MIT License" in (ROOT / "LICENSE").read_text() and PROJECT["license"] == {"text": "MIT"}
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert f"## [{course_utils.__version__}]" in changelog and "vX.Y.Z" in changelog
    readme = (ROOT / "README.md").read_text()
    assert "docs/design.md" in readme and "CONTRIBUTING.md" in readme and "course brief" not in readme


def test_citation_cff_is_valid_1_2_0():
    import course_utils

    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert citation["cff-version"] == "1.2.0"
    for key in ("message", "title", "authors"):
        assert citation.get(key), f"CITATION.cff needs {key!r}"
    assert all(author.get("name") or author.get("family-names") for author in citation["authors"])
    assert citation["version"] == course_utils.__version__ and citation["license"] == "MIT"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(citation["date-released"]))
    from course_utils import syllabus

    assert citation["repository-code"] == syllabus.REPO_URL


def test_every_registered_asset_has_a_licence_row():
    from course_utils import registry

    table = (ROOT / "data" / "LICENSES.md").read_text()
    for name in registry.REGISTRY:
        assert f"`{name}`" in table or f"`{name.rsplit('-', 2)[0]}-*`" in table, f"{name} has no licence row"


@pytest.mark.parametrize("path", ["binder/postBuild", "binder/start"])
def test_launch_scripts_are_executable(path):
    assert os.access(ROOT / path, os.X_OK)


def test_every_subpackage_of_course_utils_is_packaged():
    """A non-editable install (Colab, Binder) gets only the packages pyproject.toml names."""
    packaged = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(path.parent.relative_to(ROOT).parts) for path in (ROOT / "course_utils").rglob("__init__.py")}
    assert found == packaged


def test_binder_start_gives_learners_the_learner_config(tmp_path):
    """binder/start (run by Binder before the server) puts jupyter-config/learner first, as `make start` does."""
    completed = subprocess.run(["bash", str(ROOT / "binder" / "start"), "sh", "-c", "echo $JUPYTER_CONFIG_PATH"],
                               env=dict(os.environ, REPO_DIR=str(ROOT), JUPYTER_CONFIG_PATH="/elsewhere"),
                               capture_output=True, text=True, check=True)
    first, rest = completed.stdout.strip().split(":", 1)
    assert Path(first) == ROOT / "jupyter-config" / "learner" and (Path(first) / "labconfig" / "page_config.json").is_file()
    assert rest == "/elsewhere"
