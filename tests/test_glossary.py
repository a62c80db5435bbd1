"""The glossary (docs/glossary.md) is a reference the lessons use, and every link into it lands on a heading.

Fast and offline: reads Markdown and notebook JSON, executes nothing.

- Every written lesson (a lesson of course_utils.syllabus.LESSONS whose solution notebook exists)
  links to the glossary at least twice in its Markdown cells.
- Every link into the glossary with an anchor, from a solution notebook, from docs/*.md (the
  glossary's own "#anchor" links included) or from README.md, names a heading of the glossary. The
  anchors are computed as the website computes them: MyST's own slug code (github_slugify, made
  unique per page) on the headings down to website/conf.py's myst_heading_anchors, which must reach
  the entries' level 2; GitHub gives the same slugs for these plain ASCII headings.
- Every entry says where the course uses it: a "Used in:" paragraph naming at least one lesson, and
  every lesson it names has a solution notebook. The two comparison entries (Contrastive loss,
  Recall@K) name their lessons in the first column of their table instead.
- The entries are in alphabetical order, as the glossary's introduction says.
"""
import os
import re
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT
from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode
from myst_parser.mdit_to_docutils.base import compute_unique_slug

from course_utils.syllabus import LESSONS

GLOSSARY = ROOT / "docs" / "glossary.md"
GLOSSARY_PATH = "docs/glossary.md"
# website/conf.py's myst_heading_anchors: the deepest heading level that gets an anchor on the site.
_ANCHORS_SETTING = re.search(r"(?m)^myst_heading_anchors\s*=\s*(\d+)", (ROOT / "website" / "conf.py").read_text())
HEADING_ANCHORS = int(_ANCHORS_SETTING.group(1)) if _ANCHORS_SETTING else 0
LINK = re.compile(r"(?<!!)\[([^\]]*)\]\(([^)\s]+)\)")  # the pattern website/build.py rewrites
WRITTEN = [lesson for lesson in LESSONS
           if (ROOT / "solutions" / lesson.assignment / f"{lesson.assignment}.ipynb").is_file()]
WRITTEN_NUMBERS = {lesson.number for lesson in WRITTEN}


def solution_notebook(lesson) -> Path:
    return ROOT / "solutions" / lesson.assignment / f"{lesson.assignment}.ipynb"


def headings(text: str, max_level: int = HEADING_ANCHORS) -> list[tuple[int, str, str]]:
    """(level, title, anchor) of each heading down to `max_level`, in page order, slugged by MyST's code."""
    slugs: set[str] = set()
    found = []
    for node in SyntaxTreeNode(MarkdownIt("commonmark").parse(text)).walk():
        if node.type != "heading" or int(node.tag[1:]) > max_level:
            continue
        slug = compute_unique_slug(node, slugs)
        slugs.add(slug)
        found.append((int(node.tag[1:]), node.children[0].content, slug))
    return found


def glossary_anchors(text: str | None = None) -> set[str]:
    return {anchor for _, _, anchor in headings(GLOSSARY.read_text() if text is None else text)}


def glossary_links(text: str, source: str) -> list[tuple[str, str]]:
    """(link target, anchor) of every Markdown link in `text` (from the file `source`, relative to
    the repository root) that points at the glossary; anchor is '' for a link to the whole page."""
    found = []
    for _, target in LINK.findall(text):
        if re.match(r"^[a-z]+:", target):
            continue
        path, _, anchor = target.partition("#")
        resolved = source if not path else os.path.normpath(Path(source).parent / path).replace(os.sep, "/")
        if resolved == GLOSSARY_PATH:
            found.append((target, anchor))
    return found


def markdown_of(notebook: Path) -> str:
    cells = nbformat.read(notebook, as_version=4).cells
    return "\n\n".join(cell.source for cell in cells if cell.cell_type == "markdown")


def linking_files() -> list[tuple[str, str]]:
    """(path relative to the root, Markdown text) of every file whose glossary links are checked."""
    files = [(str(solution_notebook(lesson).relative_to(ROOT)), markdown_of(solution_notebook(lesson)))
             for lesson in WRITTEN]
    files += [(str(path.relative_to(ROOT)), path.read_text()) for path in sorted((ROOT / "docs").glob("*.md"))]
    files.append(("README.md", (ROOT / "README.md").read_text()))
    return files


def entries(text: str) -> dict[str, str]:
    """Each level-2 heading's title -> the text of its section (up to the next level-2 heading)."""
    parts = re.split(r"(?m)^## ", text)[1:]
    return {part.partition("\n")[0].strip(): part.partition("\n")[2] for part in parts}


def lessons_named(section: str) -> list[str]:
    """The lesson numbers an entry names: in its "Used in:" paragraph, or, for a comparison entry
    without one, in the first column of its table ("| 03 sentence embeddings | ...")."""
    used_in = re.search(r"(?ms)^Used in:(.*?)(?:\n\s*\n|\Z)", section)
    if used_in:
        return re.findall(r"\blessons? (\d{2})\b", used_in.group(1))
    return re.findall(r"(?m)^\| (\d{2}) [^|]*\|", section)


def test_the_site_gives_the_entries_anchors():
    assert HEADING_ANCHORS >= 2, "website/conf.py must set myst_heading_anchors >= 2, or no glossary entry gets an anchor"


def test_the_slugs_are_myst_s():
    # MyST's GitHub-style slugs: lower case, spaces to hyphens, punctuation dropped, repeats suffixed.
    text = "# Glossary\n\n## Recall@K\n\n## Inverted file index (IVF)\n\n### Deeper\n\n## Recall@K\n"
    assert [anchor for _, _, anchor in headings(text, max_level=2)] == ["glossary", "recallk", "inverted-file-index-ivf", "recallk-1"]


@pytest.mark.parametrize("lesson", WRITTEN, ids=lambda lesson: lesson.number)
def test_every_written_lesson_links_to_the_glossary_at_least_twice(lesson):
    notebook = solution_notebook(lesson)
    links = glossary_links(markdown_of(notebook), str(notebook.relative_to(ROOT)))
    assert len(links) >= 2, (
        f"lesson {lesson.number} links to the glossary {len(links)} time(s); link the first use of at least two "
        f"of its terms, as [term](../../docs/glossary.md#anchor)")


def test_every_glossary_link_names_a_heading_of_the_glossary():
    anchors = glossary_anchors()
    checked, broken = 0, []
    for source, text in linking_files():
        for target, anchor in glossary_links(text, source):
            if anchor:
                checked += 1
                if anchor not in anchors:
                    broken.append(f"{source}: {target}")
    assert checked, "no glossary link with an anchor found: is the link pattern still right?"
    assert not broken, f"links to glossary anchors that no heading has (anchors: {sorted(anchors)}):\n" + "\n".join(broken)


def test_every_entry_names_the_lessons_that_use_it():
    sections = entries(GLOSSARY.read_text())
    assert len(sections) >= 2
    problems = []
    for title, section in sections.items():
        named = lessons_named(section)
        if not named:
            problems.append(f"{title!r} has no 'Used in:' paragraph naming a lesson (as 'lesson NN')")
        elif set(named) - WRITTEN_NUMBERS:
            problems.append(f"{title!r} names lesson(s) {sorted(set(named) - WRITTEN_NUMBERS)}, which have no solution notebook")
    assert not problems, "glossary entries:\n" + "\n".join(problems)


def test_entries_are_in_alphabetical_order():
    titles = [title for level, title, _ in headings(GLOSSARY.read_text(), max_level=2) if level == 2]
    assert titles == sorted(titles, key=str.lower), "the glossary's introduction promises alphabetical order"
