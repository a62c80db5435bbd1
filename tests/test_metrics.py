import numpy as np
import pytest

from course_utils import metrics


def test_accuracy():
    assert metrics.accuracy([1, 2, 3, 4], [1, 2, 0, 4]) == 0.75
    with pytest.raises(ValueError, match="equally long"):
        metrics.accuracy([1, 2], [1])
    with pytest.raises(ValueError, match="must be 1-D"):
        metrics.accuracy(np.zeros((2, 2)), np.zeros((2, 2)))


def test_probes_separate_two_clusters():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(size=(50, 4)) + 5, rng.normal(size=(50, 4)) - 5])
    y = np.repeat([0, 1], 50)
    order = rng.permutation(100)
    x, y = x[order], y[order]
    assert metrics.knn_accuracy(x[:70], y[:70], x[70:], y[70:], k=3) == 1.0
    assert metrics.linear_probe_accuracy(x[:70], y[:70], x[70:], y[70:]) == 1.0
    with pytest.raises(ValueError, match="k must be"):
        metrics.knn_accuracy(x, y, x, y, k=0)


def test_mean_and_spread():
    assert metrics.mean_and_spread([1.0, 3.0]) == (2.0, pytest.approx(np.sqrt(2)))
    assert metrics.mean_and_spread([4.0]) == (4.0, 0.0)
    with pytest.raises(ValueError, match="non-empty"):
        metrics.mean_and_spread([])
