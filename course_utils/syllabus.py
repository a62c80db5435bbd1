"""The course's lessons, its repository URL (defined here and only here) and where things live."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

REPOSITORY = "embeddings-course/embeddings-course"
BRANCH = "main"
REPO_URL = f"https://github.com/{REPOSITORY}"
PIP_URL = f"git+{REPO_URL}@{BRANCH}"
# What the Colab setup cell installs by default: the branch, or a release tag "vX.Y.Z" (see CHANGELOG.md).
INSTALL_REF = BRANCH


@dataclass(frozen=True)
class Lesson:
    number: str
    slug: str
    title: str
    topics: str

    @property
    def assignment(self) -> str:
        """The nbgrader assignment id, also the folder and notebook name."""
        return f"{self.number}_{self.slug}"

    @property
    def notebook_path(self) -> str:
        return f"lessons/{self.assignment}/{self.assignment}.ipynb"

    def colab_url(self) -> str:
        return f"https://colab.research.google.com/github/{REPOSITORY}/blob/{BRANCH}/{self.notebook_path}"

    def binder_url(self) -> str:
        return f"https://mybinder.org/v2/gh/{REPOSITORY}/{BRANCH}?labpath={quote(self.notebook_path, safe='')}"


LESSONS = (
    Lesson("00", "what_is_an_embedding", "What is an embedding",
           "one-hot vs dense vectors, dot/cosine/Euclidean, nearest neighbours, analogies (3CosAdd, 3CosMul), "
           "Spearman evaluation on WordSim353 and SimLex-999"),
    Lesson("01", "word2vec", "word2vec from scratch",
           "vocabulary, subsampling, skip-gram pairs, negative sampling, SGNS loss, training, comparison with gensim"),
    Lesson("02", "graph_embeddings", "Graph embeddings", "random walks, DeepWalk, node2vec, link prediction"),
    Lesson("03", "sentence_embeddings", "Sentence embeddings",
           "pooling, SIF, whitening, in-batch contrastive loss, retrieval metrics, Matryoshka truncation"),
    Lesson("04", "metric_learning", "Metric learning",
           "pairwise distances, contrastive and triplet losses, mining, ArcFace, Recall@K on unseen classes"),
    Lesson("06", "self_supervised", "Self-supervised contrastive learning",
           "augmentations, NT-Xent, alignment and uniformity, linear probe"),
    Lesson("07", "clip", "CLIP and dual encoders",
           "symmetric InfoNCE, learnable temperature, zero-shot classification, text-image retrieval"),
    Lesson("08", "vector_search", "Vector search", "exact k-NN, IVF, product quantisation, HNSW, recall vs QPS"),
    Lesson("09", "semantic_search", "Semantic search engine (capstone)",
           "filtered and hybrid search, reranking, nDCG/MRR, quantised and truncated embeddings"),
    Lesson("10", "embedding_tables", "Embedding tables at scale",
           "hash families, embedding bags, hashing trick and hash embeddings, quotient-remainder and mixed-dimension "
           "tables, 8-bit rows, sharding, memory vs quality"),
    Lesson("11", "inside_embedding_spaces", "Inside embedding spaces",
           "anisotropy and all-but-the-top, effective rank and TwoNN by layer, linear CKA, Procrustes and CSLS, "
           "probes with control tasks, top-k sparse autoencoders and steering"),
)


def find_course_root(start: str | os.PathLike | None = None) -> Path:
    """The folder holding nbgrader_config.py, searched upwards from `start` (default: the working directory)."""
    here = Path(start or os.getcwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "nbgrader_config.py").is_file() and (folder / "solutions").is_dir():
            return folder
    raise FileNotFoundError(
        f"no course folder (one with nbgrader_config.py and solutions/) at or above {here}; "
        "run this command inside your clone of the course")


def available_assignments(root: Path) -> list[str]:
    """Assignment ids that have a solution notebook, sorted."""
    return sorted(p.name for p in (root / "solutions").iterdir() if (p / f"{p.name}.ipynb").is_file())


def syllabus_table(root: Path) -> str:
    """The README's syllabus as a Markdown table; a lesson is 'ready' once its solution notebook exists."""
    ready = set(available_assignments(root))
    rows = ["| # | lesson | topics | status | open |", "| --- | --- | --- | --- | --- |"]
    for lesson in LESSONS:
        if lesson.assignment in ready:
            status = "ready"
            badges = (f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]({lesson.colab_url()}) "
                      f"[![Binder](https://mybinder.org/badge_logo.svg)]({lesson.binder_url()})")
        else:
            status, badges = "planned", ""
        rows.append(f"| {lesson.number} | {lesson.title} | {lesson.topics} | {status} | {badges} |")
    return "\n".join(rows)
