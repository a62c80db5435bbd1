"""The course's standard pictures. Each function draws on a new figure (or a given `ax`) and returns the axes."""
from __future__ import annotations

import numpy as np


# The widest figure, in inches, that the website shows at 4/5 of its size or more (its column is 688 px
# at 1280 px; a figure comes out at about 100 px per inch, tick labels included).
FIGURE_MAX_WIDTH = 8.4


def _axes(ax, figsize):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def project_2d(vectors, method: str = "pca", seed: int = 0) -> np.ndarray:
    """(n, d) -> (n, 2) with PCA (linear, keeps global layout) or t-SNE (keeps local neighbourhoods)."""
    vectors = np.asarray(vectors, dtype=np.float64)
    if vectors.ndim != 2 or vectors.shape[0] < 2:
        raise ValueError(f"vectors must be (n >= 2, d), got shape {vectors.shape}")
    if method == "pca":
        centred = vectors - vectors.mean(axis=0)
        _, _, components = np.linalg.svd(centred, full_matrices=False)
        return centred @ components[:2].T
    if method == "tsne":
        from sklearn.manifold import TSNE

        perplexity = min(30.0, (vectors.shape[0] - 1) / 3)
        return TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed).fit_transform(vectors)
    raise ValueError(f"method must be 'pca' or 'tsne', got {method!r}")


def scatter_2d(vectors, labels=None, groups=None, method: str = "pca", ax=None, title: str = ""):
    """Project (n, d) vectors to 2-D and scatter them, coloured by `groups`, annotated with `labels`."""
    points = project_2d(vectors, method) if np.asarray(vectors).shape[1] != 2 else np.asarray(vectors, float)
    n = points.shape[0]
    for argument, name in ((labels, "labels"), (groups, "groups")):
        if argument is not None and len(argument) != n:
            raise ValueError(f"{name} must have one entry per vector ({n}), got {len(argument)}")
    ax = _axes(ax, (7, 6))
    group_values = list(groups) if groups is not None else ["all"] * n
    for group in dict.fromkeys(group_values):
        rows = [i for i, g in enumerate(group_values) if g == group]
        ax.scatter(points[rows, 0], points[rows, 1], s=30, label=None if groups is None else str(group))
    if labels is not None:
        for (x, y), text in zip(points, labels):
            ax.annotate(str(text), (x, y), xytext=(3, 3), textcoords="offset points", fontsize=9)
    if groups is not None:
        ax.legend(loc="best", fontsize=8)
    ax.set_title(title or f"2-D {method.upper()} projection")
    ax.set_xticks([])
    ax.set_yticks([])
    return ax


def similarity_heatmap(matrix, row_labels, col_labels=None, ax=None, title: str = "", vmin=None, vmax=None):
    """Heatmap of an (n, m) matrix with its values written in the cells when small enough."""
    matrix = np.asarray(matrix, dtype=float)
    col_labels = row_labels if col_labels is None else col_labels
    if matrix.ndim != 2 or matrix.shape != (len(row_labels), len(col_labels)):
        raise ValueError(
            f"matrix must be (len(row_labels), len(col_labels)) = ({len(row_labels)}, {len(col_labels)}), "
            f"got {matrix.shape}")
    ax = _axes(ax, (1 + 0.6 * matrix.shape[1], 1 + 0.5 * matrix.shape[0]))
    image = ax.imshow(matrix, cmap="viridis", vmin=vmin, vmax=vmax)
    ax.set_xticks(range(len(col_labels)), [str(c) for c in col_labels], rotation=45, ha="right")
    ax.set_yticks(range(len(row_labels)), [str(r) for r in row_labels])
    if matrix.size <= 400:
        middle = np.nanmean(matrix)
        for (i, j), value in np.ndenumerate(matrix):
            ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=7,
                    color="black" if value > middle else "white")
    ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    ax.set_title(title)
    return ax


def training_curves(history, ax=None, title: str = "training loss", smooth: int = 1):
    """Plot one or more curves: a list of numbers, or a dict name -> list. `smooth` is a moving-average window."""
    series = history if isinstance(history, dict) else {"loss": history}
    if not isinstance(smooth, int) or smooth < 1:
        raise ValueError(f"smooth must be a positive int, got {smooth!r}")
    ax = _axes(ax, (6, 3.5))
    for name, values in series.items():
        values = np.asarray(values, dtype=float)
        if values.ndim != 1 or values.size == 0:
            raise ValueError(f"curve {name!r} must be a non-empty 1-D sequence, got shape {values.shape}")
        if smooth > 1 and values.size >= smooth:
            values = np.convolve(values, np.ones(smooth) / smooth, mode="valid")
        ax.plot(np.arange(values.size), values, label=name)
    ax.set_xlabel("step")
    ax.set_title(title)
    if len(series) > 1:
        ax.legend()
    return ax


def image_grid(images, titles=None, ncols: int = 8, cmap: str = "gray", size: float = 1.4, max_width: float = FIGURE_MAX_WIDTH):
    """Grid of (n, H, W) or (n, H, W, C) images (or (n, C, H, W) tensors); returns the figure.

    Each panel is `size` inches square, shrunk so that the figure is at most `max_width` inches wide."""
    import matplotlib.pyplot as plt

    if hasattr(images, "detach"):
        images = images.detach().cpu().numpy()
    images = np.asarray(images)
    if images.ndim == 4 and images.shape[1] in (1, 3) and images.shape[-1] not in (1, 3):
        images = images.transpose(0, 2, 3, 1)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim not in (3, 4) or images.shape[0] == 0:
        raise ValueError(f"images must be a non-empty (n, H, W[, C]) array, got shape {images.shape}")
    if titles is not None and len(titles) != len(images):
        raise ValueError(f"titles must have one entry per image ({len(images)}), got {len(titles)}")
    ncols = max(1, min(ncols, len(images)))
    nrows = -(-len(images) // ncols)
    size = min(size, max_width / ncols)
    figure, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + 0.3 * (titles is not None)),
                                squeeze=False)
    for position, ax in enumerate(axes.flat):
        ax.axis("off")
        if position < len(images):
            ax.imshow(images[position], cmap=cmap if images.ndim == 3 else None)
            if titles is not None:
                ax.set_title(str(titles[position]), fontsize=8)
    figure.tight_layout()
    return figure
