"""Shared fixtures: a local HTTP server with scripted failures, and an isolated data cache."""
import http.server
import threading
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]


class ScriptedHandler(http.server.BaseHTTPRequestHandler):
    """Serves `routes`: path -> bytes (200), or ('drop', bytes, claimed_length) to cut the connection."""

    routes: dict = {}

    def do_GET(self):  # noqa: N802  (name required by BaseHTTPRequestHandler)
        route = self.routes.get(self.path)
        if route is None:
            self.send_error(404, "Not Found")
            return
        if isinstance(route, tuple) and route[0] == "drop":
            _, body, claimed = route
            self.send_response(200)
            self.send_header("Content-Length", str(claimed))
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()
            self.close_connection = True
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(route)))
        self.end_headers()
        self.wfile.write(route)

    def log_message(self, *args):
        pass


@pytest.fixture
def http_server():
    """Yields (base_url, routes); add routes before requesting them. Bound to 127.0.0.1 only."""
    routes = {}
    handler = type("Handler", (ScriptedHandler,), {"routes": routes})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", routes
    server.shutdown()
    server.server_close()


@pytest.fixture
def closed_port_url():
    """A URL on 127.0.0.1 where nothing listens (connection refused), as when offline."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("COURSE_DATA", str(folder))
    return folder


def script_environment() -> dict:
    """The environment for course/nbgrader subprocesses, with the fast-mode switches cleared."""
    from course_utils.cli import environment_with_scripts

    env = environment_with_scripts()
    env.pop("COURSE_FAST", None)
    env.pop("NBGRADER_EXECUTION", None)
    return env


def run_course(*arguments, cwd=ROOT, timeout=900):
    """Run the `course` command line in a subprocess; returns the CompletedProcess (text)."""
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "course_utils.cli", *arguments], cwd=cwd, env=script_environment(),
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="session")
def course_copy(tmp_path_factory):
    """A copy of the course (config, solutions/, lessons/) where `course release` has just run."""
    import shutil

    copy = tmp_path_factory.mktemp("course")
    shutil.copy(ROOT / "nbgrader_config.py", copy)
    shutil.copytree(ROOT / "solutions", copy / "solutions", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    completed = run_course("release", cwd=copy)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return copy


@pytest.fixture(scope="session")
def chromium() -> str:
    """Path of Debian's chromium for the browser tests (installed by `make system-browser`)."""
    import os
    import shutil

    if os.environ.get("COURSE_SKIP_BROWSER") == "1":
        pytest.skip("COURSE_SKIP_BROWSER=1")
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    assert path, "chromium is not installed (make system-browser), or set COURSE_SKIP_BROWSER=1"
    return path



# Running in parallel (`make test` uses pytest-xdist with --dist loadfile, docs/testing.md): each test
# file is one unit of work on one worker, so its module and session fixtures are built once there.
# Units are handed out in collection order, so the longest files come first (the class-grading
# fixture alone is about half the suite) and the many short ones fill in at the end.
LONG_FILES = ["test_grading", "test_classroom", "test_colab_setup", "test_site", "test_lab_browser", "test_exchange",
              "test_red_team", "test_contracts", "test_semester_seed", "test_hidden_tests"]


def pytest_collection_modifyitems(items):
    rank = {name: position for position, name in enumerate(LONG_FILES)}
    items.sort(key=lambda item: rank.get(item.path.stem, len(LONG_FILES)))  # stable: a file's order is kept
