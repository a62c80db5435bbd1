"""Run every solution notebook in full and in fast mode and record wall time and peak memory
against the course budgets (full at most 5 min, fast at most 60 s, kernel peak at most 1.8e9 bytes:
mybinder.org's 2G = 2.0e9 bytes covers the kernel and the Jupyter server together).

A lesson with online extras (`extras.fetch_extra("NAME", ...)` in its code) runs once more in full
mode with every extra asked for, as on an online Binder: the extras are downloaded from a local
stand-in for the Hugging Face Hub (bench/fake_hub.py: the real architecture and size, random
weights) into a throw-away cache, so the run measures the download path and the memory of the real
model size without internet and without leaving fake weights in the course cache.

A lesson that caches what it computes (course_utils.embedcache, lesson 09's embeddings) is measured
on a first run: with a scratch cache that links every asset but holds no computed arrays.

Peak memory is the largest resident size of the kernel's process tree, sampled every 0.1 s.
Usage: python bench/lesson_budgets.py [ASSIGNMENT ...]
"""
import contextlib
import os
import re
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import psutil
from fake_hub import build_clip_folder, serve
from report import README, write_report

from course_utils.registry import cache_dir, get_asset
from course_utils.grading.validate import run_notebook

ROOT = Path(__file__).resolve().parents[1]
BUDGET_SECONDS = {"full": 300, "fast": 60}
BUDGET_BYTES = 1.8e9  # decimal bytes, as Binder counts them
BUILDERS = {"clip-vit-b-32": build_clip_folder}  # online extra -> a stand-in of the same architecture and size


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


def online_extras(path: Path) -> list[str]:
    """Names of the online extras that the notebook's code fetches."""
    code = "\n".join(cell.source for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code")
    return sorted(set(re.findall(r"fetch_extra\(\s*[\"']([^\"']+)[\"']", code)))


@contextlib.contextmanager
def scratch_cache(left_out, **environment):
    """A temporary course cache that links every entry of the real one except `left_out`, with
    COURSE_DATA and `environment` set while it is in use: (scratch folder, cache folder)."""
    with tempfile.TemporaryDirectory(prefix="course-scratch-") as scratch:
        scratch = Path(scratch)
        cache = scratch / "cache"
        cache.mkdir()
        for entry in cache_dir().iterdir() if cache_dir().is_dir() else []:
            if entry.name not in left_out:
                (cache / entry.name).symlink_to(entry)
        settings = {"COURSE_DATA": str(cache), **environment}
        saved = {key: os.environ.get(key) for key in settings}
        os.environ.update(settings)
        try:
            yield scratch, cache
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key)
                else:
                    os.environ[key] = value


@contextlib.contextmanager
def simulated_online(extras: list[str]):
    """Environment of an online run: every extra asked for, served by a local Hub, cached in a temporary folder."""
    with scratch_cache(extras, COURSE_ONLINE_EXTRAS=",".join(extras)) as (scratch, _):
        repositories = {get_asset(name).sources[0].repo_id: BUILDERS[name](scratch / name) for name in extras}
        endpoint, server = serve(repositories)
        saved = os.environ.get("HF_ENDPOINT")
        os.environ["HF_ENDPOINT"] = endpoint
        try:
            yield
        finally:
            server.shutdown()
            if saved is None:
                os.environ.pop("HF_ENDPOINT")
            else:
                os.environ["HF_ENDPOINT"] = saved


def computes_and_caches(path: Path) -> bool:
    """Whether the notebook caches what it computes (course_utils.embedcache): its first run is the slow one."""
    return any("embedcache" in cell.source for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code")


def earlier_rows(skip):
    """The rows already recorded for lessons not in `skip`, each with the date it was measured."""
    text = README.read_text(encoding="utf-8") if README.exists() else ""
    start, end = "<!-- bench:budgets:start -->", "<!-- bench:budgets:end -->"
    if start not in text:
        return []
    section = text.split(start, 1)[1].split(end, 1)[0]
    measured = re.search(r"Measured (\d{4}-\d{2}-\d{2})", section)
    rows = []
    for line in section.splitlines()[1:]:
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not line.startswith("| ") or cells[0] in ("lesson", *skip) or set(cells[0]) <= {"-"} or len(cells) < 7:
            continue
        rows.append(tuple(cells[:7]) + ((cells[7],) if len(cells) > 7 else (measured.group(1) if measured else "",)))
    return rows


def main(assignments):
    """Measure `assignments`; the rows of every other lesson already in bench/README.md are kept."""
    rows = earlier_rows(assignments)
    today = time.strftime("%Y-%m-%d")
    for assignment in assignments:
        path = ROOT / "solutions" / assignment / f"{assignment}.ipynb"
        extras = online_extras(path)
        modes = ["full", "fast"] + (["full, online extras"] if extras else [])
        for mode in modes:
            if mode == "full, online extras":
                with simulated_online(extras):
                    seconds, peak, errors = run(path, fast=False)
            elif computes_and_caches(path):   # measured on a first run, when the embeddings are computed
                with scratch_cache({"computed"}):   # the assets, but none of the computed arrays
                    seconds, peak, errors = run(path, fast=mode == "fast")
            else:
                seconds, peak, errors = run(path, fast=mode == "fast")
            within_time = "ok" if seconds <= BUDGET_SECONDS[mode.split(",")[0]] else "OVER"
            within_memory = "ok" if peak <= BUDGET_BYTES else "OVER"
            rows.append((assignment, mode, f"{seconds:.0f} s", f"{within_time} (≤ {BUDGET_SECONDS[mode.split(',')[0]]} s)",
                         f"{peak / 1e9:.2f} GB", f"{within_memory} (≤ 1.8 GB)", errors, today))
    rows.sort(key=lambda row: (row[0], ["full", "fast", "full, online extras"].index(row[1])))
    write_report("budgets", "Lesson budgets (solution notebooks, top to bottom, CPU)",
                 ("lesson", "mode", "wall time", "budget", "peak memory", "budget", "errors", "measured"), rows,
                 "Wall time includes kernel start-up. Memory is in decimal GB (10^9 bytes), the unit of Binder's limit "
                 "(rows measured before 2026-12-06 were recorded in GiB and are converted here). Running the script "
                 "for some lessons keeps the other rows "
                 "with the date they were measured. \"full, online extras\": the same run with every online "
                 "extra the lesson offers asked for (COURSE_ONLINE_EXTRAS), downloaded from a local stand-in for "
                 "the Hugging Face Hub that serves a model of the real architecture and size with random weights "
                 "(bench/fake_hub.py); its time includes the download from 127.0.0.1, so only its memory "
                 "is a budget figure. A lesson that caches what it computes (09: the MiniLM embeddings of its "
                 "passages) is measured on a first run, with no computed arrays in the cache; later runs are "
                 "faster.")


if __name__ == "__main__":
    main(sys.argv[1:] or sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir()))
