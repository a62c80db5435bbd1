"""Shared helpers for the embeddings course: setup, data registry, checks for test cells,
plots, metrics and a training loop. Infrastructure only; the exercises' answers are never here."""
from . import catalog  # noqa: F401  (registers every asset)
from .datasets import WordVectors, load_analogies, load_glove, load_word_similarity
from .registry import AssetNotFoundError, fetch
from .runtime import RunContext, release_memory, setup

__version__ = "0.2.0"  # the one place; pyproject.toml reads it, release tags are v<this>
__all__ = ["AssetNotFoundError", "RunContext", "WordVectors", "fetch", "load_analogies", "load_glove",
           "load_word_similarity", "release_memory", "setup"]
