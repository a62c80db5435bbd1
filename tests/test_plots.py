import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from course_utils import plots


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_project_2d_pca_keeps_the_main_direction():
    rng = np.random.default_rng(0)
    line = np.outer(np.linspace(-5, 5, 40), [1.0, 2.0, 0.0]) + rng.normal(scale=0.01, size=(40, 3))
    points = plots.project_2d(line)
    assert points.shape == (40, 2)
    assert np.var(points[:, 0]) > 100 * np.var(points[:, 1])
    assert plots.project_2d(rng.normal(size=(12, 5)), method="tsne").shape == (12, 2)
    with pytest.raises(ValueError, match="method must be"):
        plots.project_2d(line, method="umap")
    with pytest.raises(ValueError, match="vectors must be"):
        plots.project_2d(np.zeros(5))


def test_scatter_2d_labels_and_groups():
    vectors = np.random.default_rng(1).normal(size=(6, 10))
    ax = plots.scatter_2d(vectors, labels=list("abcdef"), groups=["x", "x", "y", "y", "z", "z"])
    assert len(ax.collections) == 3 and len(ax.texts) == 6
    with pytest.raises(ValueError, match="labels must have one entry per vector"):
        plots.scatter_2d(vectors, labels=["a"])


def test_similarity_heatmap():
    ax = plots.similarity_heatmap(np.eye(3), ["a", "b", "c"])
    assert len(ax.texts) == 9
    with pytest.raises(ValueError, match="matrix must be"):
        plots.similarity_heatmap(np.eye(3), ["a", "b"])


def test_training_curves():
    ax = plots.training_curves({"train": [3, 2, 1, 0.5], "valid": [3, 2.5, 2, 1.8]}, smooth=2)
    assert len(ax.lines) == 2 and len(ax.lines[0].get_xdata()) == 3
    with pytest.raises(ValueError, match="non-empty"):
        plots.training_curves([])
    with pytest.raises(ValueError, match="smooth"):
        plots.training_curves([1, 2], smooth=0)


def test_image_grid_layouts():
    assert len(plots.image_grid(np.zeros((5, 8, 8)), titles=list("abcde"), ncols=3).axes) == 6
    assert len(plots.image_grid(torch.zeros(4, 1, 8, 8)).axes) == 4
    assert len(plots.image_grid(np.zeros((2, 8, 8, 3))).axes) == 2
    assert plots.image_grid(np.zeros((10, 8, 8)), ncols=10).get_size_inches()[0] == pytest.approx(plots.FIGURE_MAX_WIDTH)
    assert plots.image_grid(np.zeros((3, 8, 8)), ncols=3, size=2.0).get_size_inches()[0] == pytest.approx(6.0)
    with pytest.raises(ValueError, match="images must be"):
        plots.image_grid(np.zeros((8, 8)))
    with pytest.raises(ValueError, match="titles must have"):
        plots.image_grid(np.zeros((2, 8, 8)), titles=["a"])
