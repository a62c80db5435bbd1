"""The course's bibliography (website/reading/*.yml) agrees with the syllabus and with the notebooks.

Fast and offline: reads YAML, Markdown and notebook JSON, executes nothing.

- website/reading/syllabus_reading_list.md is the committed copy of the course's reading list by
  lesson (shared/reading_list.md, which lives outside the repository); every title in it has exactly
  one YAML entry, and that entry carries the lesson numbers of the section that lists it.
- Every YAML entry is well formed (SCHEMA.md), and no title appears twice across the files.
- Every citation in a solution notebook's reading-list section ("### Reading list", or the
  "**Reading**" paragraph) names a YAML entry by its exact title and gives that entry's year, its
  authors and a Markdown link to its url. (One direction only: notebook -> YAML.)
"""
import importlib.util
import re
from pathlib import Path

import nbformat
import pytest
import yaml
from conftest import ROOT

READING = ROOT / "website" / "reading"
SYLLABUS = READING / "syllabus_reading_list.md"
SHARED_SYLLABUS = ROOT.parent / "shared" / "reading_list.md"  # the original, absent in CI
SOLUTIONS = sorted((ROOT / "solutions").glob("*/*.ipynb"))

REQUIRED = ("title", "authors", "year", "url", "lessons", "summary", "used")
OPTIONAL = ("in_reading_list", "unverified")
LESSON = re.compile(r"\d{2}|backbones")


def _load_reading_list_module():
    """website/reading_list.py, loaded from its file (website/ is not a package; its build.py and
    conf.py must not shadow anything on sys.path)."""
    spec = importlib.util.spec_from_file_location("_course_reading_list", ROOT / "website" / "reading_list.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


reading_list = _load_reading_list_module()
normalise = reading_list.normalise


def raw_entries():
    """(file name, entry) for every entry of every YAML file, unmerged."""
    out = []
    for path in sorted(READING.glob("*.yml")):
        entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        assert isinstance(entries, list), f"{path.name}: the file must hold a list of entries"
        out += [(path.name, entry) for entry in entries]
    return out


RAW = raw_entries()
BY_TITLE = {normalise(entry["title"]): entry for _, entry in RAW}


# --------------------------------------------------------------------------- (a) the syllabus


def syllabus_sections():
    """[(heading, lessons, titles)] from the '## NN Name' sections of the syllabus copy."""
    sections = []
    for line in SYLLABUS.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            heading = line[3:].strip()
            lessons = re.findall(r"(?:^|\band )(\d{2})\b", heading)
            if not lessons and heading.lower().startswith("backbones"):
                lessons = ["backbones"]
            assert lessons, f"syllabus heading without lesson numbers: {heading!r}"
            sections.append((heading, lessons, []))
        elif line.startswith("- ") and sections:
            sections[-1][2].append(line[2:].strip())
    return sections


SECTIONS = syllabus_sections()
SYLLABUS_ITEMS = [(heading, lessons, title) for heading, lessons, titles in SECTIONS for title in titles]


def test_syllabus_copy_parses():
    assert len(SECTIONS) >= 10
    assert all(titles for _, _, titles in SECTIONS), "a syllabus section lists no paper"
    assert len(SYLLABUS_ITEMS) >= 100


@pytest.mark.skipif(not SHARED_SYLLABUS.exists(), reason="shared/reading_list.md is not next to the repository")
def test_syllabus_copy_is_current():
    assert SYLLABUS.read_text(encoding="utf-8") == SHARED_SYLLABUS.read_text(encoding="utf-8"), (
        f"copy {SHARED_SYLLABUS} to {SYLLABUS.relative_to(ROOT)} and update the YAML entries"
    )


@pytest.mark.parametrize("heading,lessons,title", SYLLABUS_ITEMS,
                         ids=[f"{h[:2]}:{t[:40]}" for h, _, t in SYLLABUS_ITEMS])
def test_every_syllabus_title_has_one_entry_with_its_lessons(heading, lessons, title):
    matches = [(name, entry) for name, entry in RAW if normalise(entry["title"]) == normalise(title)]
    assert len(matches) == 1, f"{title!r} ({heading}): {len(matches)} YAML entries: {[n for n, _ in matches]}"
    name, entry = matches[0]
    missing = set(lessons) - {str(lesson) for lesson in entry["lessons"]}
    assert not missing, f"{name}: {title!r} is listed under {heading!r} but its lessons lack {sorted(missing)}"


# --------------------------------------------------------------------------- (b) the YAML entries


@pytest.mark.parametrize("name,entry", RAW, ids=[f"{n}:{e.get('title', '?')[:40]}" for n, e in RAW])
def test_entry_is_well_formed(name, entry):
    where = f"{name}: {entry.get('title')!r}"
    missing = [field for field in REQUIRED if field not in entry]
    assert not missing, f"{where} lacks {missing}"
    unknown = set(entry) - set(REQUIRED) - set(OPTIONAL)
    assert not unknown, f"{where} has unknown fields {sorted(unknown)}"

    assert isinstance(entry["title"], str) and entry["title"].strip() == entry["title"] != "", where
    authors = entry["authors"]
    assert isinstance(authors, list) and authors, f"{where}: authors must be a non-empty list"
    assert all(isinstance(a, str) and a.strip() == a != "" for a in authors), f"{where}: bad author name"
    if "et al." in authors:
        assert authors.index("et al.") == len(authors) - 1 == 6, f"{where}: the first 6 authors, then 'et al.'"
    assert isinstance(entry["year"], int) and re.fullmatch(r"(19|20)\d\d", str(entry["year"])), (
        f"{where}: year must be a 4-digit integer, got {entry['year']!r}"
    )
    url = entry["url"]
    if url is None:
        assert entry.get("in_reading_list") is False, f"{where}: url may be null only with in_reading_list: false"
    else:
        assert isinstance(url, str) and re.fullmatch(r"https?://\S+", url), f"{where}: bad url {url!r}"
    lessons = entry["lessons"]
    assert isinstance(lessons, list) and lessons, f"{where}: lessons must be a non-empty list"
    assert all(isinstance(l, str) and LESSON.fullmatch(l) for l in lessons), (
        f"{where}: lessons are two-digit strings or 'backbones', got {lessons!r}"
    )
    assert len(set(lessons)) == len(lessons), f"{where}: a lesson is listed twice"
    for field in ("summary", "used"):
        assert isinstance(entry[field], str) and entry[field].strip(), f"{where}: empty {field}"
    for flag in OPTIONAL:
        assert entry.get(flag, False) in (True, False), f"{where}: {flag} must be true or false"


def test_no_title_is_listed_twice():
    seen = {}
    duplicates = []
    for name, entry in RAW:
        key = normalise(entry["title"])
        if key in seen:
            duplicates.append(f"{entry['title']!r} in {seen[key]} and {name}")
        seen.setdefault(key, name)
    assert not duplicates, "one entry per paper; merge the lessons of: " + "; ".join(duplicates)


def test_the_loader_reads_every_entry():
    assert len(reading_list.load_entries()) == len(RAW)


# --------------------------------------------------------------------------- (c) the notebooks

SECTION_START = re.compile(r"^(?:#+ Reading list\b|\*\*Reading\*\*)", re.MULTILINE)
HEADING = re.compile(r"^#", re.MULTILINE)
# *Title* [(alias)], [venue words] year   -- e.g. "*Sentence-BERT: ...*, 2019" or "*...* (CLIP), 2021"
# or "*...*, ICLR 2017". Bold (**...**) is not italic.
CITATION = re.compile(
    r"(?<![*\\])\*(?![*\s])(?P<title>[^*]+?)(?<![\s\\])\*(?!\*)"
    r"(?:\s*\([^)]*\))?,\s+(?:[A-Za-z][\w.&-]*\s+){0,3}(?P<year>\d{4})\b"
)
ITALIC = re.compile(r"(?<![*\\])\*(?![*\s])(?P<text>[^*]+?)(?<![\s\\])\*(?!\*)")


def squash(text):
    return " ".join(text.split())


def reading_section(path):
    """The reading-list text of a notebook: from its marker to the next heading or the cell's end."""
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue
        match = SECTION_START.search(cell.source)
        if match:
            end = HEADING.search(cell.source, match.end())
            return cell.source[match.start(): end.start() if end else len(cell.source)]
    return None


def citations(section):
    """[(title, year, authors_text, link_text)] for each citation of a reading-list section.

    authors_text runs from the end of the previous citation to this title; link_text from this
    citation's year to the next citation's title (or the section's end)."""
    matches = list(CITATION.finditer(section))
    out = []
    for i, match in enumerate(matches):
        before = matches[i - 1].end() if i else 0
        after = matches[i + 1].start() if i + 1 < len(matches) else len(section)
        out.append((squash(match["title"]), int(match["year"]), squash(section[before:match.start()]),
                    section[match.end():after]))
    return out


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.parent.name)
def test_reading_list_citations_match_the_bibliography(path):
    lesson = path.parent.name[:2]
    section = reading_section(path)
    assert section, f"{path.parent.name}: no '### Reading list' or '**Reading**' section"
    found = citations(section)
    assert found, f"{path.parent.name}: no citation (*Title*, year) in its reading list"
    problems = []
    for title, year, authors_text, link_text in found:
        entry = BY_TITLE.get(normalise(title))
        if entry is None:
            problems.append(f"*{title}*: no YAML entry with this exact title")
            continue
        if title != entry["title"]:
            problems.append(f"*{title}*: the YAML title is {entry['title']!r}")
        if year != entry["year"]:
            problems.append(f"*{title}*, {year}: the YAML year is {entry['year']}")
        if entry.get("in_reading_list") is False:
            problems.append(f"*{title}*: marked in_reading_list: false in the YAML")
        if entry["url"] and f"]({entry['url']})" not in link_text:
            problems.append(f"*{title}*: no Markdown link to {entry['url']} after the citation")
        absent = [a for a in entry["authors"] if a not in authors_text]
        if absent:
            problems.append(f"*{title}*: authors {absent} (from the YAML) are not named before the title")
        if lesson not in entry["lessons"]:
            problems.append(f"*{title}*: the YAML entry's lessons {entry['lessons']} lack {lesson!r}")
    cited = {normalise(title) for title, *_ in found}
    for match in ITALIC.finditer(section):
        key = normalise(match["text"])
        if key in BY_TITLE and key not in cited:
            problems.append(f"*{squash(match['text'])}*: cited without a year")
    assert not problems, f"{path.parent.name}:\n  " + "\n  ".join(problems)
