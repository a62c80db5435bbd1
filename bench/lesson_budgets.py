"""Run every solution notebook in full and in fast mode and record wall time and peak memory
against the course budgets (full at most 5 min, fast at most 60 s, peak at most 2 GB).

Peak memory is the largest resident size of the kernel's process tree, sampled every 0.1 s.
Usage: python bench/lesson_budgets.py [ASSIGNMENT ...]
"""
import sys
import threading
import time
from pathlib import Path

import nbformat
import psutil
from report import write_report

from course_utils.validate import run_notebook

ROOT = Path(__file__).resolve().parents[1]
BUDGET_SECONDS = {"full": 300, "fast": 60}
BUDGET_BYTES = 2 * 1024 ** 3


def tree_rss(process: psutil.Process) -> int:
    """Resident bytes of a process and its children; 0 for whatever has already exited."""
    try:
        members = [process, *process.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for member in members:
        try:
            total += member.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


def run(path: Path, fast: bool) -> tuple[float, int, int]:
    """(seconds, peak kernel bytes, cells with errors) for one top-to-bottom run."""
    notebook = nbformat.read(path, as_version=4)
    me = psutil.Process()
    peak, done = [0], threading.Event()

    def sample():
        while not done.is_set():
            kernels = me.children()
            if kernels:
                peak[0] = max(peak[0], sum(tree_rss(k) for k in kernels))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    run_notebook(notebook, path.parent, timeout=600, fast=fast)
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    errors = sum(any(o.output_type == "error" for o in c.get("outputs", [])) for c in notebook.cells)
    return seconds, peak[0], errors


def main(assignments):
    rows = []
    for assignment in assignments:
        path = ROOT / "solutions" / assignment / f"{assignment}.ipynb"
        for mode in ("full", "fast"):
            seconds, peak, errors = run(path, fast=mode == "fast")
            within_time = "ok" if seconds <= BUDGET_SECONDS[mode] else "OVER"
            within_memory = "ok" if peak <= BUDGET_BYTES else "OVER"
            rows.append((assignment, mode, f"{seconds:.0f} s", f"{within_time} (≤ {BUDGET_SECONDS[mode]} s)",
                         f"{peak / 1024 ** 3:.2f} GB", f"{within_memory} (≤ 2 GB)", errors))
    write_report("budgets", "Lesson budgets (solution notebooks, top to bottom, CPU)",
                 ("lesson", "mode", "wall time", "budget", "peak memory", "budget", "errors"), rows,
                 "Wall time includes kernel start-up.")


if __name__ == "__main__":
    main(sys.argv[1:] or sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir()))
