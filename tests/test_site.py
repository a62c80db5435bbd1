"""The course website: built for two lessons in fast mode, then checked as files and in headless Chromium.

Every page must load with no console error and no failed request, fetch nothing from another host,
typeset its math, load its images, start with the solutions folded and unfold them on a click, and
link only to files that exist; launch links must point at the lesson's released notebook.
Screenshots of the two lesson pages go to website/_build/test-artifacts/.

COURSE_SITE_BUILT=website/_build/html runs the same checks on a site that is already built (for example
`make site`, every lesson in full mode) instead of building two lessons in fast mode.
"""
from __future__ import annotations

import functools
import html
import json
import os
import http.server
import re
import subprocess
import sys
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "website"))

from course_utils.syllabus import LESSONS  # noqa: E402
from reading_list import load_entries, normalise  # noqa: E402

PREBUILT = os.environ.get("COURSE_SITE_BUILT")
BUILT = tuple(lesson.number for lesson in LESSONS if PREBUILT and
              (Path(PREBUILT) / "lessons" / f"{lesson.assignment}.html").exists()) or ("00", "01")
ARTIFACTS = ROOT / "website" / "_build" / "test-artifacts"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    if PREBUILT:
        return Path(PREBUILT).resolve()
    out = tmp_path_factory.mktemp("site")
    subprocess.run([sys.executable, str(ROOT / "website" / "build.py"), "--fast", "--lessons", *BUILT, "--out", str(out)],
                   check=True, cwd=ROOT, timeout=900)
    return out / "html"


class Links(HTMLParser):
    """Every href and src of a page, with the tag and rel that carry it."""

    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("href", "src"):
            if attrs.get(name):
                self.found.append((tag, attrs.get("rel") or "", attrs[name]))


def page_links(page: Path):
    parser = Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.found


def site_pages(site: Path):
    """The site's HTML pages (not the theme's template fragments under _static)."""
    return sorted(p for p in site.rglob("*.html") if "_static" not in p.relative_to(site).parts)


def lessons_built():
    return [lesson for lesson in LESSONS if lesson.number in BUILT]


def test_every_local_link_points_at_a_file(site):
    missing = []
    for page in site_pages(site):
        for tag, _, target in page_links(page):
            parsed = urlparse(target)
            if parsed.scheme or target.startswith(("#", "mailto:", "data:")):
                continue
            path = (page.parent / unquote(parsed.path)).resolve() if parsed.path else page
            if not path.exists():
                missing.append(f"{page.relative_to(site)} -> {target}")
    assert not missing, "links to missing files:\n" + "\n".join(missing[:20])


def test_pages_load_nothing_from_other_hosts(site):
    """Scripts, styles, fonts and images all come with the site (it must work offline)."""
    remote = []
    for page in site_pages(site):
        for tag, rel, target in page_links(page):
            loads = tag in ("script", "img", "iframe") or (tag == "link" and "stylesheet" in rel or "preload" in rel)
            if loads and urlparse(target).scheme in ("http", "https"):
                remote.append(f"{page.relative_to(site)}: <{tag}> {target}")
    assert not remote, "\n".join(remote[:20])


def test_launch_links_point_at_the_released_notebooks(site):
    for lesson in lessons_built():
        page = (site / "lessons" / f"{lesson.assignment}.html").read_text(encoding="utf-8").replace("&amp;", "&")
        assert f'href="{lesson.colab_url()}"' in page
        assert f'href="{lesson.binder_url()}"' in page
        assert (ROOT / lesson.notebook_path).exists(), lesson.notebook_path


MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")


def test_no_file_of_the_site_holds_a_solution_marker_or_a_hidden_test(site):
    """Pages, page sources and every downloadable file (the theme's .ipynb download included)."""
    leaks = []
    for path in site.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".ipynb", ".md", ".txt", ".js", ".json", ".py"):
            text = path.read_text(encoding="utf-8", errors="replace")
            leaks += [f"{path.relative_to(site)}: {marker}" for marker in MARKERS if marker in text]
    assert not leaks, leaks[:10]


def test_the_download_button_gives_the_learners_notebook(site):
    for lesson in lessons_built():
        page = (site / "lessons" / f"{lesson.assignment}.html").read_text(encoding="utf-8")
        assert f'href="../_sources/lessons/{lesson.assignment}.ipynb"' in page
        served = (site / "_sources" / "lessons" / f"{lesson.assignment}.ipynb").read_bytes()
        assert served == (ROOT / lesson.notebook_path).read_bytes(), "the download is the notebook in lessons/"


def test_lesson_pages_hide_the_hidden_tests_and_fold_every_answer(site):
    import nbformat

    for lesson in lessons_built():
        page = (site / "lessons" / f"{lesson.assignment}.html").read_text(encoding="utf-8")
        notebook = nbformat.read(ROOT / "solutions" / lesson.assignment / f"{lesson.assignment}.ipynb", as_version=4)
        answers = sum(bool(c.metadata.get("nbgrader", {}).get("solution")) for c in notebook.cells if c.cell_type == "code")
        assert page.count('<details class="admonition hide above-input">') == answers + 1, lesson.assignment
        assert page.count('title">Show solution<') == answers and page.count('title">Show setup code<') == 1
        notices = sum(c.source.count("**What to notice.**") for c in notebook.cells if c.cell_type == "markdown")
        exercises = sum(len(re.findall(r"^#+ Exercise \d", c.source, re.M)) for c in notebook.cells if c.cell_type == "markdown")
        assert page.count('<p class="admonition-title">What to notice</p>') == notices > 0
        assert page.count('<section class="exercise"') == exercises >= 5


def test_the_home_page_marks_every_written_lesson_ready(site):
    text = re.sub(r"<[^>]+>", "", (site / "index.html").read_text(encoding="utf-8"))
    for lesson in LESSONS:
        written = (ROOT / "solutions" / lesson.assignment / f"{lesson.assignment}.ipynb").exists()
        row = re.search(rf"{re.escape(lesson.number)}\s*{re.escape(html.escape(lesson.title))}\s*(.*?)\s*(ready|planned)", text, re.S)
        assert row and row.group(2) == ("ready" if written else "planned"), lesson.number


def test_reading_list_page_lists_every_entry(site):
    text = normalise(html.unescape(re.sub(r"<[^>]+>", "", (site / "reading_list.html").read_text(encoding="utf-8"))))
    absent = [entry["title"] for entry in load_entries() if normalise(entry["title"]) not in text]
    assert not absent, absent


@pytest.fixture(scope="module")
def browser(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--no-first-run", "--disable-sync"])
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def served(site):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()


def open_page(browser, url):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    problems = []
    page.on("console", lambda message: problems.append(f"console {message.type}: {message.text}")
            if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("requestfailed", lambda request: problems.append(f"failed request: {request.url}"))
    page.on("response", lambda response: problems.append(f"HTTP {response.status}: {response.url}")
            if response.status >= 400 else None)
    page.on("request", lambda request: problems.append(f"request to another host: {request.url}")
            if not request.url.startswith(url.split("/", 3)[0] + "//" + url.split("/", 3)[2]) and
            not request.url.startswith(("data:", "blob:", "about:")) else None)
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.wait_for_function("() => !document.querySelector('.math') || document.querySelector('mjx-container')",
                           timeout=15_000)
    return page, problems


def test_every_page_loads_cleanly_in_chromium(site, served, browser):
    pages = [str(p.relative_to(site)) for p in site_pages(site)]
    assert len(pages) >= 10
    for name in pages:
        page, problems = open_page(browser, served + name)
        page.wait_for_timeout(300)
        broken = page.evaluate("[...document.images].filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)")
        untypeset = page.evaluate("[...document.querySelectorAll('.math')].filter(m => !m.querySelector('mjx-container')).length")
        page.close()
        assert not problems, f"{name}: {problems}"
        assert not broken, f"{name}: images that did not load: {broken}"
        assert untypeset == 0, f"{name}: {untypeset} formulas were not typeset"


def test_lesson_pages_show_plots_math_and_folded_solutions(site, served, browser):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for lesson in lessons_built():
        page, problems = open_page(browser, f"{served}lessons/{lesson.assignment}.html")
        assert page.locator("mjx-container").count() > 10, "math is typeset"
        notebook = json.loads((ROOT / "solutions" / lesson.assignment / f"{lesson.assignment}.ipynb").read_text())
        shows = sum("plt.show()" in "".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "code")
        plots_shown = page.evaluate("[...document.querySelectorAll('div.cell_output img')].filter(i => i.naturalWidth > 100).length")
        assert plots_shown >= shows > 0, f"{lesson.assignment}: {plots_shown} plots for {shows} cells that show one"
        toggles = page.locator("details.hide")
        assert toggles.count() >= 5
        assert not any(toggles.nth(i).evaluate("d => d.open") for i in range(toggles.count())), "solutions start folded"
        page.screenshot(path=str(ARTIFACTS / f"{lesson.assignment}-top.png"))
        first = toggles.first
        first.scroll_into_view_if_needed()
        first.locator("summary").click()
        assert first.evaluate("d => d.open"), "a click unfolds the solution"
        assert first.locator("pre").first.is_visible()
        page.screenshot(path=str(ARTIFACTS / f"{lesson.assignment}-solution.png"))
        page.close()
        assert not problems, problems


OVERFLOW = """() => ({
  page: document.documentElement.scrollWidth - window.innerWidth,
  code: [...document.querySelectorAll('pre, div.cell_output, code')].filter(e => e.offsetParent && e.scrollWidth > e.clientWidth + 1)
        .map(e => e.tagName + ' ' + e.textContent.slice(0, 60)),
  headers: [...document.querySelectorAll('header.bd-header')].filter(e => e.offsetParent).length,
  shrunk: [...document.querySelectorAll('div.cell_output img')].filter(i => i.naturalWidth && i.clientWidth < 0.75 * i.naturalWidth)
        .map(i => `${i.naturalWidth} px shown at ${i.clientWidth} px, after: ${(i.closest('div.cell')?.previousElementSibling?.textContent || '').trim().slice(0, 60)}`),
  searchFields: [...document.querySelectorAll('.search-button-field, input[type=search]')].filter(e => e.offsetParent).length,
})"""


@pytest.mark.parametrize("viewport", [(1280, 900), (390, 844)], ids=["desktop", "phone"])
def test_no_page_scrolls_sideways_and_there_is_one_header(site, served, browser, viewport):
    """Code and printed output wrap in the column (tables scroll in their own box), at desktop and phone widths."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for name in [str(p.relative_to(site)) for p in site_pages(site)]:
        page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
        page.goto(served + name)
        page.wait_for_load_state("networkidle")
        found = page.evaluate(OVERFLOW)
        if name.startswith("lessons/"):
            page.screenshot(path=str(ARTIFACTS / f"{Path(name).stem}-{viewport[0]}px.png"))
        page.close()
        assert found["page"] <= 0, f"{name} at {viewport[0]} px scrolls sideways by {found['page']} px"
        assert not found["code"], f"{name} at {viewport[0]} px: code or output wider than the column: {found['code'][:3]}"
        assert found["headers"] == 0, f"{name}: a second header bar"
        if viewport[0] >= 1280:  # figures are drawn for the desktop column (plots.FIGURE_MAX_WIDTH): labels stay readable
            assert not found["shrunk"], f"{name}: figures shrunk below 3/4 of their size: {found['shrunk']}"
        assert found["searchFields"] <= 1 + (name == "search.html"), f"{name}: a second search box"


def test_code_has_a_copy_button_and_plots_open_at_full_size(site, served, browser):
    lesson = lessons_built()[0]
    page, problems = open_page(browser, f"{served}lessons/{lesson.assignment}.html")
    assert page.locator("button.copybtn").count() >= 5
    page.set_viewport_size({"width": 390, "height": 844})  # on a phone every plot is shrunk to the column
    shrunk = page.locator("div.cell_output img").filter(has=page.locator("xpath=self::*[@src]"))
    wide = next(i for i in range(shrunk.count()) if shrunk.nth(i).evaluate("i => i.naturalWidth > i.clientWidth"))
    shrunk.nth(wide).scroll_into_view_if_needed()
    shrunk.nth(wide).click()
    assert shrunk.nth(wide).evaluate("i => i.classList.contains('course-zoomed') && i.clientWidth > 0.95 * Math.min(i.naturalWidth, 0.98 * window.innerWidth)")
    page.keyboard.press("Escape")
    assert not shrunk.nth(wide).evaluate("i => i.classList.contains('course-zoomed')")
    page.close()
    assert not problems, problems


@pytest.mark.parametrize("lesson", [lesson for lesson in LESSONS
                                    if (ROOT / "solutions" / lesson.assignment / f"{lesson.assignment}.ipynb").exists()],
                         ids=lambda lesson: lesson.number)
def test_every_lesson_page_links_only_to_site_pages_or_absolute_urls(lesson):
    # The build above covers two lessons; this covers the links of every written lesson without executing it
    # (Sphinx, run with -W, fails the whole site on one link to a file that is not a page).
    import build

    pages = {f"../{page}.md" for page in build.PAGES.values()}
    pages |= {f"{other.assignment}.ipynb" for other in build.published_lessons()}
    notebook = build.lesson_page(lesson)
    for cell in notebook.cells:  # widgets would print as their repr (VBox(children=...)) on a static page
        if cell.cell_type == "code" and "ipywidgets" in cell.source:
            assert "remove-output" in cell.metadata.get("tags", []) and "display(HTML(" not in cell.source
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue
        for target in re.findall(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)", cell.source):
            path = target.partition("#")[0]
            assert re.match(r"^[a-z]+:", target) or target.startswith("#") or path in pages, \
                f"lesson {lesson.number} links to {target!r}, which the site does not publish"
