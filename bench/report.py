"""Write a benchmark's Markdown table into bench/README.md between its own markers."""
import platform
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
    README.write_text(text, encoding="utf-8")
    print(markdown)


def solution_functions(assignment: str, names: list[str]) -> dict:
    """Execute the named solution cells of a lesson's source notebook and return those functions.

    Benchmarks measure the lesson's own reference code this way, never a copy of it.
    """
    import nbformat

    path = Path(__file__).resolve().parents[1] / "solutions" / assignment / f"{assignment}.ipynb"
    notebook = nbformat.read(path, as_version=4)
    namespace = {"np": np}
    for cell in notebook.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") in names:
            exec(compile(cell.source, f"{path.name}:{cell.metadata['nbgrader']['grade_id']}", "exec"), namespace)
    missing = [name for name in names if name not in namespace]
    if missing:
        raise KeyError(f"{path} defines no solution cell for {missing}")
    return {name: namespace[name] for name in names}
