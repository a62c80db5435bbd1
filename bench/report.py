"""Write a benchmark's Markdown table into bench/README.md between its own markers."""
import os
import platform
import re
import time
from pathlib import Path

import numpy as np

README = Path(__file__).with_name("README.md")


def machine_line() -> str:
    import os

    import torch

    return (f"{time.strftime('%Y-%m-%d')}, {platform.machine()}, {os.cpu_count()} CPU cores, "
            f"torch threads {torch.get_num_threads()}, numpy {np.__version__}")


def write_section(name: str, markdown: str) -> None:
    start, end = f"<!-- bench:{name}:start -->", f"<!-- bench:{name}:end -->"
    text = README.read_text(encoding="utf-8") if README.exists() else "# Benchmarks\n"
    block = f"{start}\n{markdown.strip()}\n{end}"
    if start in text and end in text:
        head, rest = text.split(start, 1)
        text = head + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + f"\n\n{block}\n"
    README.write_text(in_lesson_order(text), encoding="utf-8")
    print(markdown)


SECTION = re.compile(r"<!-- bench:([\w-]+):start -->.*?<!-- bench:\1:end -->", re.S)


def section_key(block: str) -> float:
    """The budgets first, then the lessons by number, then the rest (grading, mutation testing)."""
    title = re.search(r"^### (.*)$", block, re.M)
    title = title.group(1) if title else ""
    if title.startswith("Lesson budgets"):
        return -1
    number = re.match(r"Lesson (\d+)", title)
    return int(number.group(1)) if number else 100


def in_lesson_order(text: str) -> str:
    """The README with its sections sorted by section_key (stable: a lesson's sections keep their order)."""
    blocks = [match.group(0) for match in SECTION.finditer(text)]
    if not blocks:
        return text
    head = text[:SECTION.search(text).start()]
    ordered = sorted(blocks, key=section_key)
    return head.rstrip("\n") + "\n\n" + "\n\n".join(ordered) + "\n"


def write_report(name: str, title: str, header: tuple, rows: list, note: str = "") -> None:
    """A section: a title, the machine it was measured on, a table of `rows` (tuples of cells), a note."""
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    text = f"### {title}\n\nMeasured {machine_line()}.\n\n" + "\n".join(lines)
    write_section(name, text + (f"\n\n{note}" if note else ""))


def solution_namespace(assignment: str, tags: tuple = ()) -> dict:
    """Run a lesson's setup cell, every solution cell and the code cells tagged with any of `tags`
    (e.g. a reference trainer), in notebook order, and return the resulting namespace.

    Benchmarks measure the lesson's own reference code this way, never a copy of it.
    """
    import nbformat

    path = Path(__file__).resolve().parents[1] / "solutions" / assignment / f"{assignment}.ipynb"
    notebook = nbformat.read(path, as_version=4)
    namespace = {}
    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader", {})
        tagged = bool(set(cell.metadata.get("tags", [])) & set(tags))
        if meta.get("grade_id") == "setup" or meta.get("solution") or tagged:
            exec(compile(cell.source, f"{path.name}:{cell.get('id')}", "exec"), namespace)
    return namespace


def notebook_measurement(assignment: str, measuring_code: str, timeout: int = 900) -> dict:
    """Run a solution notebook top to bottom in full mode with `measuring_code` appended as a last
    cell; that cell prints one line starting with BENCH and followed by JSON, which is returned."""
    import json

    import nbformat

    from course_utils.grading.validate import run_notebook

    path = Path(__file__).resolve().parents[1] / "solutions" / assignment / f"{assignment}.ipynb"
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(measuring_code))
    started = time.perf_counter()
    run_notebook(notebook, path.parent, timeout=timeout, fast=False)
    seconds = time.perf_counter() - started
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                raise RuntimeError(f"{assignment} failed: {output.ename}: {output.evalue}")
    if os.environ.get("BENCH_EXECUTED_DIR"):  # keep the executed notebook, to read its printed outputs
        nbformat.write(notebook, Path(os.environ["BENCH_EXECUTED_DIR"]) / f"{assignment}.ipynb")
    text = "".join(o.get("text", "") for o in notebook.cells[-1].outputs if o.output_type == "stream")
    return {**json.loads(text.split("BENCH", 1)[1]), "notebook_seconds": seconds}
