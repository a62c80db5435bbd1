"""course_utils.embedcache: computed arrays cached on disk, keyed by what they depend on."""
import os

import numpy as np
import pytest

from course_utils import embedcache


def arrays():
    return {"sentence": np.arange(12, dtype=np.float32).reshape(3, 4), "offsets": np.array([0, 2, 5, 9])}


def test_computes_once_then_reads_back(cache):
    calls = []

    def compute():
        calls.append(1)
        return arrays()

    key = embedcache.cache_key("model", ["a text", "another"], 256)
    first = embedcache.cached_arrays("demo", key, compute)
    again = embedcache.cached_arrays("demo", key, compute)
    mapped = embedcache.cached_arrays("demo", key, compute, mmap=True)
    assert len(calls) == 1
    for got in (first, again, mapped):
        assert set(got) == {"sentence", "offsets"}
        np.testing.assert_array_equal(got["sentence"], arrays()["sentence"])
        assert got["sentence"].dtype == np.float32
    assert isinstance(mapped["sentence"], np.memmap) and not mapped["sentence"].flags.writeable
    assert (cache / "computed" / "demo" / key / "arrays.json").exists()


def test_the_key_changes_with_every_part():
    base = embedcache.cache_key("model", ["a", "b"], 256)
    assert base == embedcache.cache_key("model", ["a", "b"], 256)
    assert len(base) == 64
    assert len({base, embedcache.cache_key("model", ["a", "c"], 256), embedcache.cache_key("model", ["a", "b"], 128),
                embedcache.cache_key("other", ["a", "b"], 256), embedcache.cache_key("model", ["b", "a"], 256)}) == 5
    with pytest.raises(TypeError, match="JSON"):
        embedcache.cache_key(object())


def test_a_failed_computation_leaves_nothing(cache):
    key = embedcache.cache_key("broken")

    def compute():
        raise RuntimeError("the encoder ran out of memory")

    with pytest.raises(RuntimeError, match="out of memory"):
        embedcache.cached_arrays("demo", key, compute)
    assert not (cache / "computed" / "demo" / key).exists()


def test_an_interrupted_write_is_not_read_back(cache, monkeypatch):
    key = embedcache.cache_key("interrupted")
    real_save = np.save

    def failing_save(path, array, **kwargs):
        if str(path).endswith("offsets.npy"):
            raise OSError("disk full")
        return real_save(path, array, **kwargs)

    monkeypatch.setattr(np, "save", failing_save)
    with pytest.raises(OSError, match="disk full"):
        embedcache.cached_arrays("demo", key, arrays)
    monkeypatch.setattr(np, "save", real_save)
    folder = cache / "computed" / "demo"
    assert not (folder / key).exists() and os.listdir(folder) == []      # no partial folder left behind
    got = embedcache.cached_arrays("demo", key, arrays)                 # and the next run computes it afresh
    np.testing.assert_array_equal(got["offsets"], arrays()["offsets"])


@pytest.mark.parametrize("name, key, compute, error", [
    ("", "0" * 64, arrays, ValueError),
    ("../up", "0" * 64, arrays, ValueError),
    ("demo", "short", arrays, ValueError),
    ("demo", "0" * 64, lambda: [np.zeros(2)], TypeError),
    ("demo", "0" * 64, lambda: {"x": [1, 2]}, TypeError),
    ("demo", "0" * 64, lambda: {}, TypeError),
])
def test_bad_arguments_name_what_is_wrong(cache, name, key, compute, error):
    with pytest.raises(error):
        embedcache.cached_arrays(name, key, compute)


def test_a_read_only_cache_computes_without_keeping(cache, monkeypatch):
    """The grading sandbox mounts the cache read-only: the arrays are computed and used, not stored."""
    def refuse(*args, **kwargs):
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(embedcache.tempfile, "mkdtemp", refuse)
    key = embedcache.cache_key("read-only")
    got = embedcache.cached_arrays("demo", key, arrays)
    np.testing.assert_array_equal(got["offsets"], arrays()["offsets"])
    assert not (cache / "computed" / "demo" / key).exists()
