"""A learner's first minutes in JupyterLab, in headless Chromium: start the server as `make start`
does (on a copy of lesson 00, so lessons/ is never touched), run the setup cell, paste an answer to
exercise 1, run its test cell, save, and press nbgrader's Validate button."""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LESSON = "00_what_is_an_embedding"
ANSWER = """def cosine_similarity_matrix(A, B):
    A = np.asarray(A, dtype=float)
    B = np.asarray(B, dtype=float)
    a = np.linalg.norm(A, axis=1, keepdims=True)
    b = np.linalg.norm(B, axis=1, keepdims=True)
    A = np.divide(A, a, out=np.zeros_like(A), where=a > 0)
    B = np.divide(B, b, out=np.zeros_like(B), where=b > 0)
    return np.clip(A @ B.T, -1.0, 1.0)
"""
# A cell has finished running when it has output and its prompt no longer shows [*].
FINISHED = """i => { const c = document.querySelectorAll('.jp-Notebook .jp-Cell')[i];
  return c && c.querySelector('.jp-OutputArea-output') && !c.querySelector('.jp-InputArea-prompt').textContent.includes('*') }"""


LEARNER_CONFIG = ROOT / "jupyter-config" / "learner"
ARTIFACTS = ROOT / "website" / "_build" / "test-artifacts"


@contextlib.contextmanager
def jupyter_lab(tmp_path, notebook_folder: Path, learner: bool = True):
    """JupyterLab as `make start` runs it (or `make start-instructor` when learner is False), serving a
    copy of `notebook_folder` under tmp_path/lessons/."""
    shutil.copytree(notebook_folder, tmp_path / "lessons" / notebook_folder.name)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    token = "course-test"
    # The Makefile's `start` command, with a port, a token and no browser of its own.
    command = [str(Path(sys.executable).parent / "jupyter"), "lab", f"--ServerApp.root_dir={tmp_path}",
               "--LabApp.default_url=/lab/tree/lessons", "--no-browser", "--ServerApp.ip=127.0.0.1", f"--port={port}",
               f"--IdentityProvider.token={token}"] + (["--allow-root"] if os.getuid() == 0 else [])
    log = open(tmp_path / "lab.log", "w")
    env = dict(os.environ, COURSE_FAST="1")
    if learner:  # the Makefile's LEARNER_CONFIG
        env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(filter(None, [str(LEARNER_CONFIG), os.environ.get("JUPYTER_CONFIG_PATH")]))
    server = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                assert server.poll() is None, (tmp_path / "lab.log").read_text()
                time.sleep(0.5)
        yield base, token, tmp_path
    finally:
        server.terminate()
        server.wait(20)
        log.close()


@pytest.fixture
def lab(tmp_path, chromium):
    with jupyter_lab(tmp_path, ROOT / "lessons" / LESSON) as served:
        yield served


def open_notebook(playwright, chromium, url):
    """A headless Chromium page on a notebook in JupyterLab, once its kernel is idle: (browser, page)."""
    browser = playwright.chromium.launch(executable_path=chromium, args=[
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"])
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(url)
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
    # wait until the kernel has started (the status bar reads "... | Idle")
    page.wait_for_function("() => /\\|\\s*Idle/.test(document.querySelector('#jp-main-statusbar')?.innerText || '')",
                           timeout=90_000)
    return browser, page


def test_a_learner_runs_setup_answers_exercise_1_and_validates(lab, chromium):
    from playwright.sync_api import sync_playwright

    base, token, folder = lab
    with sync_playwright() as playwright:
        browser, page = open_notebook(playwright, chromium, f"{base}/lab/tree/lessons/{LESSON}/{LESSON}.ipynb?token={token}")
        cells = page.locator(".jp-Notebook .jp-Cell")

        cells.nth(2).locator(".jp-InputArea-prompt").click()   # the setup cell
        page.keyboard.press("Shift+Enter")
        page.wait_for_function(FINISHED, arg=2, timeout=120_000)
        assert "Lesson 00" in cells.nth(2).locator(".jp-OutputArea").inner_text()

        cells.nth(6).locator(".jp-InputArea-prompt").click()   # exercise 1 and its test cell, not answered yet
        page.keyboard.press("Shift+Enter")
        page.keyboard.press("Shift+Enter")
        page.wait_for_function(FINISHED, arg=7, timeout=60_000)
        assert "not answered yet" in cells.nth(7).locator(".jp-OutputArea").inner_text()

        cells.nth(6).locator(".cm-content").click()            # exercise 1: replace the stub with an answer
        page.keyboard.press("Control+A")
        page.keyboard.insert_text(ANSWER)
        page.keyboard.press("Shift+Enter")                      # define the function ...
        page.keyboard.press("Shift+Enter")                      # ... and run its test cell
        page.wait_for_function(FINISHED, arg=7, timeout=60_000)
        assert "cosine_similarity_matrix passes the visible checks" in cells.nth(7).locator(".jp-OutputArea").inner_text()

        page.keyboard.press("Control+S")
        page.wait_for_function("() => !document.title.startsWith('*') && !document.querySelector('.jp-mod-dirty')",
                               timeout=30_000)
        page.locator("button:has-text('Validate'), [title*='Validate' i]").first.click()  # nbgrader's toolbar button
        page.wait_for_selector(".jp-Dialog", timeout=180_000)
        report = page.locator(".jp-Dialog").inner_text()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "lab-validate-dialog.png"))  # for a person to look at
        browser.close()

    saved = (folder / "lessons" / LESSON / f"{LESSON}.ipynb").read_text()
    assert "np.clip(A @ B.T, -1.0, 1.0)" in saved, "the answer was saved to the learner's notebook"
    # Exercise 1 now passes, the others are still stubs. The dialog is nbgrader's, its content the table
    # of `course validate` (jupyter-config/learner): one line per exercise, no source, no traceback.
    assert "Validation Results" in report, report
    rows = {line.split()[0]: line.split()[1:] for line in report.splitlines() if line.split()}
    assert rows["test_cosine_similarity_matrix"][:2] == ["2/2", "passed"], report
    assert "not answered yet" in " ".join(rows["test_top_k_neighbours"]), report
    assert "total" in rows and "course validate" in report, report
    for dumped in ("Traceback", "raise NotImplementedError", "checks.check", "cosine_similarity_matrix(A, B) for A of shape"):
        assert dumped not in report, (dumped, report)


@pytest.mark.parametrize("learner", [True, False], ids=["make start", "make start-instructor"])
def test_learners_see_no_instructor_tools_and_no_news_pop_up(tmp_path, chromium, learner):
    from playwright.sync_api import sync_playwright

    assert f"jupyter-config/learner" in (ROOT / "Makefile").read_text()
    with jupyter_lab(tmp_path, ROOT / "lessons" / LESSON, learner) as (base, token, _), sync_playwright() as playwright:
        browser, page = open_notebook(playwright, chromium, f"{base}/lab/tree/lessons/{LESSON}/{LESSON}.ipynb?token={token}")
        page.wait_for_timeout(5_000)  # the news question comes a moment after the page is ready
        menus = page.locator(".lm-MenuBar-itemLabel").all_inner_texts()
        tabs = page.evaluate("() => [...document.querySelectorAll('.jp-SideBar .lm-TabBar-tab')].map(t => t.title || t.innerText)")
        toasts = page.locator(".Toastify__toast").all_inner_texts()
        has_validate = page.locator("button:has-text('Validate'), [title*='Validate' i]").count() > 0
        browser.close()
    instructor_tools = ("Nbgrader" in menus) + any("Create Assignment" in tab for tab in tabs)
    news = any("Jupyter news" in toast for toast in toasts)
    assert "Run" in menus and has_validate, (menus, tabs)
    if learner:
        assert instructor_tools == 0 and not news, (menus, tabs, toasts)
    else:
        assert instructor_tools == 2 and news, (menus, tabs, toasts)   # the instructor's lab keeps them


def test_lesson_09_search_box_answers_a_typed_query_with_highlights(tmp_path, chromium):
    """Lesson 09's solution, run top to bottom in JupyterLab (fast mode): type a query into the search
    box and press Enter; the results appear with the query's words highlighted."""
    from playwright.sync_api import sync_playwright

    assignment = "09_semantic_search"
    with jupyter_lab(tmp_path, ROOT / "solutions" / assignment) as (base, token, _), sync_playwright() as playwright:
        browser, page = open_notebook(playwright, chromium, f"{base}/lab/tree/lessons/{assignment}/{assignment}.ipynb?token={token}")
        page.locator(".jp-Notebook .jp-Cell").first.click()
        page.locator(".lm-MenuBar-itemLabel:text-is('Run')").click()
        page.locator(".lm-Menu-itemLabel:text-is('Run All Cells')").click()
        box = page.locator("input[placeholder='type a query and press Enter']")
        box.wait_for(timeout=240_000)
        box.scroll_into_view_if_needed()
        box.fill("election campaign")
        box.press("Enter")
        marks = page.locator(".widget-html mark")
        marks.first.wait_for(timeout=60_000)
        highlighted = {text.lower() for text in marks.all_inner_texts()}
        shown = page.locator(".widget-html", has_text="MaxSim").first.inner_text()
        browser.close()
    assert highlighted and highlighted <= {"election", "campaign"}, highlighted
    assert "1." in shown and "MaxSim" in shown, shown[:500]
