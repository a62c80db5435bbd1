import re

import pytest

from course_utils import corpora


def test_tokenize():
    assert corpora.tokenize("Don't panic, 42 Ways!") == ["don", "t", "panic", "ways"]
    with pytest.raises(TypeError, match="text must be a str"):
        corpora.tokenize(None)


def test_bbc_articles():
    articles = corpora.bbc_articles()
    assert len(articles) == 2225
    assert {a["category"] for a in articles} == {"business", "entertainment", "politics", "sports", "tech"}
    assert articles[0]["headline"] == "Ad sales boost Time Warner profit"
    assert all(a["headline"] and a["body"] for a in articles)


def test_word2vec_corpus_sizes():
    corpus = corpora.load_word2vec_corpus()
    tokens = sum(map(len, corpus))
    assert 1_300_000 < tokens < 1_500_000
    assert all(isinstance(t, str) and t.isalpha() for t in corpus[0])
    lee = corpora.load_word2vec_corpus(("lee",))
    assert 55_000 < sum(map(len, lee)) < 65_000
    small = corpora.load_word2vec_corpus(("bbc",), max_tokens=10_000)
    assert 10_000 <= sum(map(len, small)) < 11_000


def test_word2vec_corpus_errors():
    with pytest.raises(ValueError, match="sources must be"):
        corpora.load_word2vec_corpus(("reddit",))
    with pytest.raises(ValueError, match="max_tokens"):
        corpora.load_word2vec_corpus(max_tokens=0)


def test_text8_reads_from_the_cache_in_chunks(cache):
    folder = cache / "text8"
    folder.mkdir(parents=True)
    (folder / "text8").write_text(" ".join(f"w{i % 7}" for i in range(2500)))
    chunks = corpora.load_text8()
    assert [len(c) for c in chunks] == [1000, 1000, 500]
    assert chunks[0][:3] == ["w0", "w1", "w2"]
    assert sum(map(len, corpora.load_text8(max_tokens=1500))) == 2000


def test_wikipedia_articles_have_titles_and_agree_with_the_texts():
    articles = corpora.wikipedia_articles()
    assert len(articles) == 206
    assert articles[0]["title"] == "AccessibleComputing" and articles[0]["text"].lstrip().startswith("#REDIRECT")
    anarchism = next(a for a in articles if a["title"] == "Anarchism")
    assert "==History==" in anarchism["text"]                 # headings survive, lesson 09 splits at them
    assert [a["text"] for a in articles] == corpora.wikipedia_texts()


# UTF-8 read as latin-1 turns "£" into "Â£" and "é" into "Ã©"; "’" read as cp1252 becomes "â€™".
MOJIBAKE = re.compile("[ÂÃ][\u0080-\u00bf]|â€")


def test_bbc_text_is_decoded_as_written():
    texts = [a["headline"] + "\n" + a["body"] for a in corpora.bbc_articles()]
    assert sum("£" in t for t in texts) > 100                  # UTF-8 files and the one latin-1 file alike
    assert not [t[:60] for t in texts if MOJIBAKE.search(t)]


@pytest.mark.parametrize("texts", [corpora.wikipedia_texts, corpora.lee_texts], ids=["wikipedia", "lee"])
def test_corpora_have_no_mojibake(texts):
    assert not [t[:60] for t in texts() if MOJIBAKE.search(t)]


def test_decode_prefers_utf8_and_falls_back_to_latin1():
    assert corpora._decode("£15.8m".encode("utf-8")) == "£15.8m"
    assert corpora._decode(b"\xa315.8m") == "£15.8m"
