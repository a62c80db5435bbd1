"""nbgrader's Validate button for learners, answered by `course validate`.

A Jupyter server extension, switched on by the learner configuration (jupyter-config/learner) in
place of nbgrader's own validate handler. It serves the same URL, so nbgrader's button and dialog
are unchanged, but the dialog shows the per-exercise table of `course validate` (points and the first
failing message of each exercise) instead of the source and traceback of every failing test cell.
The notebook runs in its own process (through the judge, sandboxed where bubblewrap works), never in
the server.
"""
from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

HINT_HTML = ("Fix the first failing message of each exercise, run the notebook from the top, save, and "
             "validate again. In a terminal, <code>course validate NOTEBOOK</code> prints the same table.")


def dialog_value(passed: bool, table: str) -> dict:
    """What nbgrader's dialog expects: {} reads "Success!", one "failed" entry shows its source (the
    table, as text) and its error (HTML) below it."""
    return {} if passed else {"failed": [{"source": table, "error": HINT_HTML}]}


async def validate_in_subprocess(path: Path) -> tuple[bool, str]:
    """(every exercise passed, the table) from `course validate path` in a new process."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "course_utils.cli", "validate", str(path), cwd=str(path.parent),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    output, _ = await process.communicate()
    text = output.decode("utf-8", errors="replace")
    lines = [line for line in text.splitlines() if not line.startswith(("per-cell time limit:", "Notebook: "))]
    return process.returncode == 0, "\n".join(lines).strip()


def _handlers(root: Path):
    from jupyter_server.base.handlers import JupyterHandler
    from nbgrader.server_extensions.validate_assignment.handlers import NbGraderVersionHandler
    from tornado import web

    class ValidateHandler(JupyterHandler):
        @web.authenticated
        async def post(self):
            try:
                path = self.get_argument("path")
            except web.MissingArgumentError:
                path = (self.get_json_body() or {}).get("path", "")
            target = (root / path).resolve()
            if not target.is_relative_to(root) or not target.is_file() or target.suffix != ".ipynb":
                raise web.HTTPError(403 if not target.is_relative_to(root) else 404, "not a notebook in this folder")
            passed, table = await validate_in_subprocess(target)
            self.finish(json.dumps({"success": True, "value": dialog_value(passed, table)}))

    return [(r"/assignments/validate", ValidateHandler), (r"/nbgrader_version", NbGraderVersionHandler)]


def _jupyter_server_extension_points():
    return [{"module": "course_utils.grading.lab_validate"}]


def _load_jupyter_server_extension(serverapp):
    from jupyter_server.utils import url_path_join

    base_url = serverapp.web_app.settings["base_url"]
    root = Path(serverapp.root_dir).expanduser().resolve()
    serverapp.web_app.add_handlers(".*$", [(url_path_join(base_url, pattern), handler)
                                           for pattern, handler in _handlers(root)])
    serverapp.log.info("course: the Validate button prints the course's per-exercise table")
