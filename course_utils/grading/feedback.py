"""The feedback page a student gets: their graded notebook as HTML, with the judge's score per test
at the top. Everything the student's code produced is sanitised (no scripts) before it is shown."""
from __future__ import annotations

import copy
import html
from pathlib import Path

import nbformat


def score_table(verdicts: list, status: str, reasons: list) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(v.grade_id)}</td><td>{(v.points if v.passed else 0):g} / {v.points:g}</td>"
        f"<td>{'passed' if v.passed else html.escape(v.message.splitlines()[0][:300] if v.message else 'failed')}</td></tr>"
        for v in verdicts)
    earned = sum(v.points for v in verdicts if v.passed)
    possible = sum(v.points for v in verdicts)
    notes = "".join(f"<li>{html.escape(reason)}</li>" for reason in reasons)
    return (f"<h2>Score: {earned:g} / {possible:g}</h2>"
            + (f"<p>Status: <b>{html.escape(status)}</b></p><ul>{notes}</ul>" if status != "ok" or notes else "")
            + "<table><tr><th>test</th><th>points</th><th>result</th></tr>" + rows + "</table>"
            + "<p>Scores were decided by the course's judge, which runs the tests outside your notebook's process.</p>")


def write_feedback(notebook, verdicts: list, status: str, reasons: list, path: Path) -> None:
    """Write the feedback page for `notebook` (the graded notebook, outputs included) to `path`."""
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors.sanitize import SanitizeHTML

    shown = copy.deepcopy(notebook)
    shown.cells.insert(0, nbformat.v4.new_markdown_cell(score_table(verdicts, status, reasons)))
    exporter = HTMLExporter()
    exporter.register_preprocessor(SanitizeHTML(), enabled=True)
    body, _ = exporter.from_notebook_node(shown)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body, encoding="utf-8")
