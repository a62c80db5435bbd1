"""The repository host's workflows (.github/workflows): valid against the host's published schema (vendored
by check-jsonschema, so this runs offline), and they run what the README and the Makefile say."""
import subprocess
import sys
from pathlib import Path

import yaml
from conftest import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"


def test_workflows_are_valid():
    files = sorted(WORKFLOWS.glob("*.yml"))
    assert {path.name for path in files} == {"test.yml", "site.yml"}
    checker = Path(sys.executable).with_name("check-jsonschema")
    result = subprocess.run([str(checker), "--builtin-schema", "vendor.github-workflows", *map(str, files)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def steps(name):
    workflow = yaml.safe_load((WORKFLOWS / name).read_text())
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def test_the_test_workflow_runs_the_readme_command():
    readme = (ROOT / "README.md").read_text()
    assert "make test" in readme
    assert any("make test" in step.get("run", "") for step in steps("test.yml"))


def test_the_site_workflow_publishes_what_the_build_writes():
    import importlib.util

    spec = importlib.util.spec_from_file_location("build", ROOT / "website" / "build.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    site = steps("site.yml")
    assert any(step.get("run") == "make site" for step in site)
    upload = next(step for step in site if step.get("uses", "").startswith("actions/upload-pages-artifact"))
    assert ROOT / upload["with"]["path"] == build.WEBSITE / "_build" / "html"
    assert "site:" in (ROOT / "Makefile").read_text()
