"""The Colab setup cell, run for real in a Colab-like virtual environment.

The environment is a plain venv (no system site-packages) holding Colab's pinned Jupyter stack
(ipython 7.34.0, notebook 6.5.7, ipykernel 6.17.1, ipywidgets 7.7.1) and the torch available on
this machine, all installed into the venv itself. A stub `google.colab` module, imported at start-up
by a `sitecustomize.py` as Colab does, makes the notebook believe it runs on Colab.
COURSE_INSTALL_SPEC points the install at a copy of this checkout. Lesson 00 then runs in fast mode
through that venv's own nbclient and kernel, setup cell included, and the test checks that no
package the "runtime" had before changed version. Torch goes in from a file URL, as Colab installs it
from a URL, so that `pip freeze` lists it as `torch @ file://...` and only `pip list --format=freeze`
pins it.

It builds a fresh environment (a few minutes, mostly pip); it skips only when pip cannot reach the
package registry.
"""
import os
import shutil
import subprocess
import sys

import nbformat
import pytest
from conftest import ROOT

from course_utils import colab

COLAB_PINS = {"ipython": "7.34.0", "notebook": "6.5.7", "ipykernel": "6.17.1", "ipywidgets": "7.7.1"}
TORCH = "torch==2.13.0+cpu"  # a CPU build on this machine's wheel folder; Colab's own torch is newer
LESSON = ROOT / "solutions" / "00_what_is_an_embedding" / "00_what_is_an_embedding.ipynb"

RUN_NOTEBOOK = """
import sys, nbformat
from nbclient import NotebookClient
notebook = nbformat.read(sys.argv[1], as_version=4)
NotebookClient(notebook, timeout=1200, kernel_name="python3", resources={"metadata": {"path": sys.argv[2]}}).execute()
nbformat.write(notebook, sys.argv[3])
"""


def freeze(python) -> dict:
    """Every installed package and its version (URL installs included, unlike `pip freeze`)."""
    lines = subprocess.run([python, "-m", "pip", "list", "--format=freeze"], capture_output=True, text=True, check=True).stdout
    return {line.split("==")[0].lower(): line.split("==")[1] for line in lines.splitlines() if "==" in line}


def site_packages(python) -> str:
    return subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()


def copy_of_the_course(target):
    """The files `pip install` needs, copied so that the build never writes into the checkout."""
    target.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        if (ROOT / name).exists():
            shutil.copy(ROOT / name, target / name)
    shutil.copytree(ROOT / "course_utils", target / "course_utils", ignore=shutil.ignore_patterns("__pycache__"))
    return target


@pytest.fixture(scope="module")
def colab_like(tmp_path_factory):
    """(python, freeze before the setup cell) of a fresh venv with Colab's pins and google.colab stubbed."""
    root = tmp_path_factory.mktemp("colab")
    subprocess.run([sys.executable, "-m", "venv", str(root / "venv")], check=True)
    python = str(root / "venv" / "bin" / "python")
    probe = subprocess.run([python, "-m", "pip", "download", "--no-deps", "-q", "-d", str(root / "probe"),
                            f"ipython=={COLAB_PINS['ipython']}"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"pip cannot reach the package registry: {probe.stderr.strip()[-300:]}")
    pins = [f"{name}=={version}" for name, version in COLAB_PINS.items()]
    subprocess.run([python, "-m", "pip", "download", "--no-deps", "-q", "-d", str(root / "wheels"), TORCH], check=True)
    torch_url = next((root / "wheels").glob("torch-*.whl")).as_uri()
    subprocess.run([python, "-m", "pip", "install", "-q", *pins, torch_url], check=True)
    site = site_packages(python)
    os.makedirs(os.path.join(site, "google", "colab"))  # no google/__init__.py: google is a namespace package
    with open(os.path.join(site, "google", "colab", "__init__.py"), "w") as stub:
        stub.write('"""Stand-in for Colab\'s google.colab module (tests only)."""\n')
    with open(os.path.join(site, "sitecustomize.py"), "w") as startup:
        startup.write("import google.colab  # noqa: F401  (Colab's kernels have it imported)\n")
    return python, freeze(python), root


def test_the_block_falls_back_to_the_repository_and_pins_nothing_by_hand():
    block = colab.install_block()
    assert "--constraint" in block and '"list", "--format=freeze"' in block and "-q" not in block.split()
    assert f"git+{colab.REPO_URL}@{{COURSE_VERSION}}" in block and colab.INSTALL_SPEC_ENV_VAR in block
    compile(block, "setup-cell", "exec")


def test_setup_cell_installs_the_course_without_changing_the_runtime(colab_like):
    python, before, root = colab_like
    assert {name: before.get(name) for name in COLAB_PINS} == COLAB_PINS
    frozen = subprocess.run([python, "-m", "pip", "freeze"], capture_output=True, text=True, check=True).stdout
    assert "torch @ file://" in frozen and before["torch"] == TORCH.split("==")[1], "torch is a URL install here"
    assert "course_utils" not in subprocess.run([python, "-m", "pip", "list"], capture_output=True, text=True).stdout
    env = dict(os.environ, COURSE_FAST="1", COURSE_DATA=str(root / "cache"), MPLBACKEND="Agg",
               COURSE_INSTALL_SPEC=str(copy_of_the_course(root / "course")))
    env.pop("NBGRADER_EXECUTION", None)
    executed = root / "executed.ipynb"
    completed = subprocess.run([python, "-c", RUN_NOTEBOOK, str(LESSON), str(root), str(executed)], env=env,
                               cwd=root, capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr[-3000:]

    after = freeze(python)
    changed = {name: (version, after.get(name)) for name, version in before.items() if after.get(name) != version}
    assert not changed, f"the setup cell changed packages the runtime already had: {changed}"
    shown = subprocess.run([python, "-m", "pip", "show", "embeddings-course"], capture_output=True, text=True)
    assert shown.returncode == 0, "the course was not installed"
    setup_cell = next(cell for cell in nbformat.read(executed, as_version=4).cells
                      if cell.metadata.get("nbgrader", {}).get("grade_id") == "setup")
    setup_output = "".join(output.get("text", "") for output in setup_cell.outputs)
    assert "Installing the course" in setup_output and "platform: colab" in setup_output, setup_output[-2000:]
    assert "mode: fast" in setup_output
