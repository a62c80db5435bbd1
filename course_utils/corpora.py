"""Text corpora as lists of token lists, with one simple, explainable tokeniser."""
from __future__ import annotations

import bz2
import re
from pathlib import Path

from .registry import fetch

WORD = re.compile(r"[a-z]+")
SOURCES = ("bbc", "wikipedia", "lee")
TEXT8_CHUNK = 1000


def tokenize(text: str) -> list[str]:
    """Lower-case, then keep runs of the letters a-z: "Don't panic, 42!" -> ['don', 't', 'panic']."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    return WORD.findall(text.lower())


def _decode(raw: bytes) -> str:
    """UTF-8, as 646 of the BBC files are; latin-1 for the rest (pure ASCII, or one file's bare 0xA3 pound sign)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def bbc_articles() -> list[dict]:
    """All 2,225 BBC articles as dicts with 'category', 'headline' and 'body', in a fixed order."""
    root = Path(fetch("bbc-news"))
    articles = []
    for path in sorted(root.glob("*/*.txt")):
        headline, _, body = _decode(path.read_bytes()).strip().partition("\n")
        articles.append({"category": path.parent.name, "headline": headline.strip(), "body": body.strip()})
    return articles


def wikipedia_articles() -> list[dict]:
    """The Wikipedia sample's articles as dicts with 'title' and 'text' (markup removed, headings such
    as '==History==' kept), in file order; redirect pages are included (their text starts '#REDIRECT')."""
    from gensim.corpora.wikicorpus import extract_pages, filter_wiki

    with bz2.open(fetch("wikipedia-sample"), "rb") as handle:
        return [{"title": title, "text": filter_wiki(text)} for title, text, _ in extract_pages(handle)]


def wikipedia_texts() -> list[str]:
    """The plain text of each article in the Wikipedia sample, markup removed."""
    return [article["text"] for article in wikipedia_articles()]


def lee_texts() -> list[str]:
    with open(fetch("lee-corpus"), encoding="utf-8") as handle:
        return [line for line in handle if line.strip()]


def _paragraph_sentences(texts) -> list[list[str]]:
    sentences = []
    for text in texts:
        for paragraph in re.split(r"\n\s*\n|\n", text):
            tokens = tokenize(paragraph)
            if tokens:
                sentences.append(tokens)
    return sentences


def load_word2vec_corpus(sources=SOURCES, max_tokens: int | None = None) -> list[list[str]]:
    """The course's offline training corpus: one token list per paragraph.

    sources: any of 'bbc', 'wikipedia', 'lee' (all three make about 1.4M tokens).
    max_tokens: stop after about this many tokens (whole paragraphs), for fast mode.
    """
    unknown = set(sources) - set(SOURCES)
    if unknown or not sources:
        raise ValueError(f"sources must be a non-empty subset of {SOURCES}, got {sources!r}")
    if max_tokens is not None and (not isinstance(max_tokens, int) or max_tokens < 1):
        raise ValueError(f"max_tokens must be a positive int or None, got {max_tokens!r}")
    readers = {
        "bbc": lambda: [f"{a['headline']}\n\n{a['body']}" for a in bbc_articles()],
        "wikipedia": wikipedia_texts,
        "lee": lee_texts,
    }
    sentences = []
    for source in sources:
        sentences += _paragraph_sentences(readers[source]())
    return _truncate(sentences, max_tokens)


def load_text8(max_tokens: int | None = None) -> list[list[str]]:
    """text8 (download only, about 100 MB) as chunks of 1,000 tokens."""
    with open(fetch("text8"), encoding="utf-8") as handle:
        words = handle.read().split()
    chunks = [words[i:i + TEXT8_CHUNK] for i in range(0, len(words), TEXT8_CHUNK)]
    return _truncate(chunks, max_tokens)


def _truncate(sentences, max_tokens):
    if max_tokens is None:
        return sentences
    kept, total = [], 0
    for sentence in sentences:
        if total >= max_tokens:
            break
        kept.append(sentence)
        total += len(sentence)
    return kept
