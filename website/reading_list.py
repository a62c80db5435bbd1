"""The course's bibliography: one entry per paper, in website/reading/*.yml (format in SCHEMA.md)."""
from __future__ import annotations

import re
from pathlib import Path

import yaml

READING = Path(__file__).resolve().parent / "reading"
REQUIRED = ("title", "authors", "year", "url", "lessons", "summary", "used")


def normalise(title: str) -> str:
    """A title reduced to lower-case letters and digits, for matching citations to entries."""
    return re.sub(r"[^a-z0-9]+", "", title.lower())


def load_entries() -> list[dict]:
    """Every entry of every YAML file; a paper listed in several files is merged (lessons united)."""
    merged: dict[str, dict] = {}
    for path in sorted(READING.glob("*.yml")):
        for entry in yaml.safe_load(path.read_text()) or []:
            missing = [field for field in REQUIRED if field not in entry]
            if missing:
                raise ValueError(f"{path.name}: entry {entry.get('title')!r} lacks {', '.join(missing)}")
            key = normalise(entry["title"])
            if key in merged:
                merged[key]["lessons"] = sorted(set(merged[key]["lessons"]) | set(entry["lessons"]))
            else:
                merged[key] = dict(entry, lessons=sorted(set(entry["lessons"])))
    return list(merged.values())


def entries_by_lesson(entries: list[dict]) -> dict[str, list[dict]]:
    """Entries grouped by lesson number (then "backbones"), each group sorted by year and title."""
    groups: dict[str, list[dict]] = {}
    for entry in entries:
        for lesson in entry["lessons"]:
            groups.setdefault(str(lesson), []).append(entry)
    order = sorted(groups, key=lambda key: (not key.isdigit(), key))
    return {key: sorted(groups[key], key=lambda e: (int(e["year"]), e["title"])) for key in order}


def format_authors(authors: list[str]) -> str:
    if len(authors) == 1:
        return authors[0]
    return ", ".join(authors[:-1]) + (" " if authors[-1] == "et al." else " and ") + authors[-1]


def format_citation(entry: dict) -> str:
    """Authors. *Title*, year. [link](url). (No link for the few printed works that have none online.)"""
    link = f" [{link_label(entry['url'])}]({entry['url']})." if entry.get("url") else ""
    authors = format_authors(entry["authors"])
    return f"{authors}{'' if authors.endswith('.') else '.'} *{entry['title']}*, {entry['year']}.{link}"


def link_label(url: str) -> str:
    match = re.search(r"arxiv\.org/abs/([\w.\-/]+)", url)
    return f"arXiv:{match.group(1)}" if match else re.sub(r"^https?://(www\.)?", "", url).split("/")[0]
