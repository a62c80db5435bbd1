"""Evaluation helpers shared by lessons. Nothing here is an exercise's answer: lessons that teach
a metric have the learner write it, and later lessons may use these."""
from __future__ import annotations

import numpy as np


def _labels(values, name: str) -> np.ndarray:
    array = np.asarray(values)
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {array.shape}")
    return array


def accuracy(predicted, target) -> float:
    """Fraction of equal entries of two 1-D label arrays of the same length."""
    predicted, target = _labels(predicted, "predicted"), _labels(target, "target")
    if predicted.shape != target.shape or predicted.size == 0:
        raise ValueError(f"predicted and target must be non-empty and equally long, got {predicted.shape} and {target.shape}")
    return float((predicted == target).mean())


def knn_accuracy(train_x, train_y, test_x, test_y, k: int = 5) -> float:
    """Accuracy of a cosine k-nearest-neighbour majority vote (a standard probe of an embedding).

    train_x: (n, d), train_y: (n,), test_x: (m, d), test_y: (m,).
    """
    from sklearn.neighbors import KNeighborsClassifier

    if not isinstance(k, int) or k < 1:
        raise ValueError(f"k must be a positive int, got {k!r}")
    classifier = KNeighborsClassifier(n_neighbors=k, metric="cosine").fit(np.asarray(train_x), _labels(train_y, "train_y"))
    return accuracy(classifier.predict(np.asarray(test_x)), test_y)


def linear_probe_accuracy(train_x, train_y, test_x, test_y, max_iter: int = 1000) -> float:
    """Accuracy of a logistic-regression probe fitted on standardised training features."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    probe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=max_iter))
    probe.fit(np.asarray(train_x), _labels(train_y, "train_y"))
    return accuracy(probe.predict(np.asarray(test_x)), test_y)


def mean_and_spread(values) -> tuple[float, float]:
    """Mean and sample standard deviation (0 for a single value) of repeated measurements."""
    array = np.asarray(values, dtype=float)
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"values must be a non-empty 1-D sequence, got shape {array.shape}")
    return float(array.mean()), float(array.std(ddof=1)) if array.size > 1 else 0.0
