"""Build the course website: every lesson rendered from its executed solution notebook, the guides,
the reading list and the benchmark results, as static HTML that needs no network to build or view.

Usage:
    python website/build.py                      # every lesson, full mode (cached: only changed notebooks re-run)
    python website/build.py --fast --lessons 00  # lesson 00 only, fast mode (what CI builds)

Sources are assembled in website/_src (generated, git-ignored) and Sphinx + MyST-NB writes
website/_build/html. Executed notebooks are cached in website/_build/jupyter_cache, keyed by their
content and the run mode, so a rebuild re-runs only the notebooks that changed.
"""
from __future__ import annotations

import argparse
import functools
import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
WEBSITE = ROOT / "website"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(WEBSITE))

from course_utils.syllabus import LESSONS, REPO_URL, BRANCH  # noqa: E402
from reading_list import entries_by_lesson, format_citation, load_entries  # noqa: E402

HIDDEN_TESTS = re.compile(r"\n?[ \t]*### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS[ \t]*\n?", re.S)
SOLUTION_MARKERS = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*(\n|\Z)", re.M)
# Markdown pages copied from the repository: source file -> page name on the site.
PAGES = {"docs/classroom.md": "classroom", "docs/grading.md": "grading", "docs/launch.md": "launch",
         "docs/glossary.md": "glossary", "bench/README.md": "benchmarks", "data/LICENSES.md": "data"}


def published_lessons(only: list[str] | None = None):
    """Lessons whose solution notebook exists, optionally restricted to the given numbers."""
    found = [lesson for lesson in LESSONS if (ROOT / "solutions" / lesson.assignment / f"{lesson.assignment}.ipynb").exists()]
    return [lesson for lesson in found if not only or lesson.number in only]


def lesson_page(lesson, built=None) -> nbformat.NotebookNode:
    """The solution notebook as a learner should read it on the web: outputs cleared, hidden tests
    removed, each answer cell collapsed behind a toggle, and launch links under the title. Links to
    other lessons point at their pages when `built` (default: every written lesson) includes them."""
    built = published_lessons() if built is None else built
    notebook = nbformat.read(ROOT / "solutions" / lesson.assignment / f"{lesson.assignment}.ipynb", as_version=4)
    source = f"solutions/{lesson.assignment}/{lesson.assignment}.ipynb"
    from_lessons = {path: f"../{page}.md" for path, page in PAGES.items()}  # lesson pages sit in lessons/
    for cell in notebook.cells:
        grading = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "markdown":
            cell.source = callouts(rewrite_links(cell.source, source, from_lessons | lesson_links(built)))
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            cell.source = HIDDEN_TESTS.sub("\n", cell.source).rstrip()
            if grading.get("solution"):
                cell.source = SOLUTION_MARKERS.sub("", cell.source).rstrip()
                fold(cell, "solution")
            elif grading.get("grade_id") == "setup":
                fold(cell, "setup code")
            if "import ipywidgets" in cell.source:  # a live widget has no static form here (no widget JS is loaded)
                cell.metadata["tags"] = sorted(set(cell.metadata.get("tags", [])) | {"remove-output"})
    launch = nbformat.v4.new_markdown_cell(
        f'<div class="launch-links">Run this lesson: '
        f'<a class="launch colab" href="{lesson.colab_url()}">Open in Colab</a> '
        f'<a class="launch binder" href="{lesson.binder_url()}">Launch on Binder</a> '
        f'<a class="launch download" href="{REPO_URL}/blob/{BRANCH}/{lesson.notebook_path}">Notebook on GitHub</a></div>\n\n'
        "The page shows the reference solution run in full; each answer is folded away "
        "(**Show solution**): try the exercise in the notebook first.")
    title, _, rest = notebook.cells[0].source.partition("\n")
    notebook.cells[0].source = title
    notebook.cells.insert(1, launch)
    notebook.cells.insert(2, nbformat.v4.new_markdown_cell(rest.lstrip("\n")))
    # The execution cache is keyed by the notebook's code; this removed cell makes a change to the course
    # package count as a change to every notebook, so the site never shows outputs of older code.
    fingerprint = nbformat.v4.new_code_cell(f"# course_utils fingerprint {package_fingerprint()}")
    fingerprint.metadata["tags"] = ["remove-cell"]
    notebook.cells.append(fingerprint)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return notebook


def fold(cell, what: str) -> None:
    """Hide a code cell's source behind a 'Show <what>' toggle; its outputs stay visible."""
    cell.metadata["tags"] = sorted(set(cell.metadata.get("tags", [])) | {"hide-input", what.split()[0]})
    cell.metadata["mystnb"] = {"code_prompt_show": f"Show {what}", "code_prompt_hide": f"Hide {what}"}


WHAT_TO_NOTICE = re.compile(r"^\*\*What to notice\.\*\*[ \t]*(.*?)(?=^#|\Z)", re.M | re.S)
EXERCISE_HEADING = re.compile(r"^(#{2,4} Exercise \d+\b)", re.M)


def callouts(text: str) -> str:
    """'What to notice' paragraphs (up to the next heading) as tip boxes; exercise headings marked for CSS."""
    text = WHAT_TO_NOTICE.sub(lambda m: f":::{{admonition}} What to notice\n:class: tip\n{m.group(1).rstrip()}\n:::\n\n", text)
    return EXERCISE_HEADING.sub(r"{.exercise}\n\1", text)


def lesson_links(built, folder: str = "") -> dict[str, str]:
    """Each built lesson's notebook (solution or learner copy) -> its page, as a link from `folder`."""
    links = {}
    for lesson in built:
        links[f"solutions/{lesson.assignment}/{lesson.assignment}.ipynb"] = f"{folder}{lesson.assignment}.ipynb"
        links[lesson.notebook_path] = f"{folder}{lesson.assignment}.ipynb"
    return links


@functools.lru_cache(maxsize=1)
def package_fingerprint() -> str:
    digest = hashlib.sha256()
    for path in sorted((ROOT / "course_utils").rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def rewrite_links(text: str, source: str, pages: dict[str, str]) -> str:
    """Point relative Markdown links at site pages where the target is published, else at GitHub."""
    base = Path(source).parent

    def fix(match):
        label, target = match.group(1), match.group(2)
        if re.match(r"^[a-z]+:|^#", target):
            return match.group(0)
        path, _, anchor = target.partition("#")
        resolved = os.path.normpath(base / path).replace(os.sep, "/")
        if resolved in pages:
            return f"[{label}]({pages[resolved]}{'#' + anchor if anchor else ''})"
        return f"[{label}]({REPO_URL}/blob/{BRANCH}/{resolved}{'#' + anchor if anchor else ''})"

    return re.sub(r"(?<!!)\[([^\]]*)\]\(([^)\s]+)\)", fix, text)


def readme_section(start: str, stop: str) -> str:
    text = (ROOT / "README.md").read_text()
    return text[text.index(start):text.index(stop)]


def home_page(lessons) -> str:
    built = {lesson.number for lesson in lessons}
    written = {lesson.number for lesson in published_lessons()}
    rows = []
    for lesson in LESSONS:
        name = f"[{lesson.title}](lessons/{lesson.assignment}.ipynb)" if lesson.number in built else lesson.title
        status = "ready" if lesson.number in written else "planned"
        rows.append(f"| {lesson.number} | {name} | {lesson.topics} | {status} |")
    toc_lessons = "\n".join(f"lessons/{lesson.assignment}" for lesson in lessons)
    return f"""# Embeddings: from word vectors to vector search

A hands-on course in Jupyter notebooks. It starts from word vectors and word2vec, goes through
sentence embeddings and metric learning to CLIP-style image-text models, and ends with vector
search. Every lesson asks you to write the core algorithms yourself, checks them with graded tests,
and then puts your code next to the library that practitioners use, on real data.

**Who it is for.** Anyone who knows Python and NumPy and has met PyTorch: students following a
class that uses the course's autograded assignments, and self-learners who want to understand what
an embedding model does rather than only call one. Every notebook runs on a laptop CPU, offline
included; Colab and Binder work too, and a GPU is used when there is one.

**How to read this site.** Each lesson page is the lesson's notebook run from top to bottom with
the reference solutions, so you can see every plot, table and number the text talks about. The
solutions are folded away: open the notebook (Colab, Binder or a local copy) and try each
exercise before you unfold one.

## Syllabus

| # | lesson | topics | status |
| --- | --- | --- | --- |
{chr(10).join(rows)}

```{{toctree}}
:caption: Lessons
:maxdepth: 1

{toc_lessons}
```

```{{toctree}}
:caption: Using the course
:maxdepth: 1

guide
launch
classroom
grading
```

```{{toctree}}
:caption: Reference
:maxdepth: 1

reading_list
glossary
data
benchmarks
```
"""


def reading_list_page() -> str:
    entries = load_entries()
    by_lesson = entries_by_lesson(entries)
    titles = {lesson.number: lesson.title for lesson in LESSONS}
    parts = ["# Reading list\n",
             "The papers behind each lesson, with what each one contributes and where the course uses it. "
             "The summaries are the course's own. Lessons that are not written yet list the papers they "
             "will build on.\n"]
    for key, group in by_lesson.items():
        heading = f"Lesson {key}: {titles[key]}" if key in titles else "Backbones used along the way"
        parts.append(f"## {heading}\n")
        for entry in group:
            parts.append(f"- {format_citation(entry)}  \n  {entry['summary'].strip()} *Where:* {entry['used'].strip()}\n")
    return "\n".join(parts)


def assemble(lessons, source: Path):
    if source.exists():
        shutil.rmtree(source)
    (source / "lessons").mkdir(parents=True)
    pages = {path: f"{name}.md" for path, name in PAGES.items()} | {"README.md": "guide.md"}
    pages |= lesson_links(lessons, "lessons/")
    for path, name in PAGES.items():
        (source / f"{name}.md").write_text(rewrite_links((ROOT / path).read_text(), path, pages))
    guide = readme_section("## How a lesson works", "## For contributors").replace("## ", "# ", 1)
    (source / "guide.md").write_text(rewrite_links(guide, "README.md", pages))
    (source / "index.md").write_text(home_page(lessons))
    (source / "reading_list.md").write_text(reading_list_page())
    for lesson in lessons:
        nbformat.write(lesson_page(lesson, lessons), source / "lessons" / f"{lesson.assignment}.ipynb")
    static = source / "_static"
    shutil.copytree(WEBSITE / "static", static)
    (static / "mathjax").mkdir()
    shutil.copy(mathjax_bundle(), static / "mathjax" / "tex-svg.js")


def mathjax_bundle() -> Path:
    """MathJax 3's single-file TeX-to-SVG bundle, shipped by the sphinx-mathjax-offline wheel."""
    import importlib.util

    spec = importlib.util.find_spec("sphinx-mathjax-offline")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("MathJax is missing: pip install -e '.[site]' (it brings sphinx-mathjax-offline)")
    return Path(list(spec.submodule_search_locations)[0]) / "static" / "mathjax" / "tex-svg.js"


def offer_learner_notebooks(lessons, html: Path) -> None:
    """The theme's download button serves _sources/lessons/<lesson>.ipynb, which Sphinx copies from the
    page's source (the solutions); put the learner's notebook from lessons/ there instead."""
    for lesson in lessons:
        shutil.copyfile(ROOT / lesson.notebook_path, html / "_sources" / "lessons" / f"{lesson.assignment}.ipynb")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fast", action="store_true", help="run the notebooks in fast mode (COURSE_FAST=1)")
    parser.add_argument("--lessons", nargs="*", help="lesson numbers to publish (default: every written lesson)")
    parser.add_argument("--out", type=Path, default=WEBSITE / "_build", help="build folder (html/ and the cache)")
    args = parser.parse_args(argv)
    lessons = published_lessons(args.lessons)
    source = args.out / "src"
    assemble(lessons, source)
    env = dict(os.environ, COURSE_SITE_SRC=str(source), COURSE_FAST="1" if args.fast else "0", COURSE_SITE_CACHE=str(args.out / f"jupyter_cache_{'fast' if args.fast else 'full'}"))
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-c", str(WEBSITE), "-W", "--keep-going", "-q",
               str(source), str(args.out / "html")]
    subprocess.run(command, check=True, env=env)
    offer_learner_notebooks(lessons, args.out / "html")
    print(f"site written to {args.out / 'html' / 'index.html'}")


if __name__ == "__main__":
    main()
