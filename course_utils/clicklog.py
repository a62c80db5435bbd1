"""A documented generator of synthetic click logs, for lesson 10 (embedding tables at scale).

Each event is one impression: a user, an item and whether the user clicked. The generator's true
model, which the lesson shows in full, is

    user  ~ Zipf(user_zipf_exponent) over n_users ids      P(rank r) proportional to r ** -s
    item  ~ Zipf(zipf_exponent)      over n_items ids      (user and item drawn independently)
    logit = base_logit + user_bias[user] + item_bias[item]
            + interaction_scale * <user_vectors[user], item_vectors[item]>
    click ~ Bernoulli(sigmoid(logit))

Popularity ranks are assigned to ids by a random permutation, so an id's number says nothing about
its popularity (as with real ids; it matters for modulo hashing and quotient-remainder tables).
Latent vectors have independent normal entries of variance 1/sqrt(dim), so the dot product of a
user and an item vector has mean 0 and variance 1 whatever `dim` is; biases are N(0, bias_std**2).
`base_logit` is solved for, not chosen: it is set so that the expected click-through rate of an
event drawn from the generator equals `ctr` (estimated on 2**18 independent draws, to about
+-0.0005). Events are independent and identically distributed, in time order by index; nothing
drifts.

Because the true click probability of every event is returned (`ClickLog.prob`), a lesson can
score it like a model: its AUC and log loss on a test split are the Bayes-optimal values that no
model trained on the log can beat in expectation.
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np

__all__ = ["ClickModel", "ClickLog", "generate_click_log", "split_events", "frequency_buckets"]

_CALIBRATION_DRAWS = 2**18


@dataclass(frozen=True)
class ClickModel:
    """The generator's true parameters. Arrays are indexed by id (not by popularity rank).

    user_vectors: (n_users, dim) float32; item_vectors: (n_items, dim) float32.
    user_bias: (n_users,) float32; item_bias: (n_items,) float32.
    user_popularity, item_popularity: (n_users,), (n_items,) float64, the probability that an
    event has that user or item (each sums to 1).
    base_logit: the global offset, solved so that the expected click-through rate is `ctr`.
    """

    user_vectors: np.ndarray
    item_vectors: np.ndarray
    user_bias: np.ndarray
    item_bias: np.ndarray
    user_popularity: np.ndarray
    item_popularity: np.ndarray
    base_logit: float
    interaction_scale: float
    ctr: float
    zipf_exponent: float
    user_zipf_exponent: float
    seed: int

    @property
    def n_users(self) -> int:
        return int(self.user_vectors.shape[0])

    @property
    def n_items(self) -> int:
        return int(self.item_vectors.shape[0])

    @property
    def dim(self) -> int:
        return int(self.user_vectors.shape[1])

    def logits(self, user_ids, item_ids) -> np.ndarray:
        """True logits, float64 of shape (n,), for 1-D int arrays of user and item ids of length n."""
        users = _id_array(user_ids, "user_ids", self.n_users)
        items = _id_array(item_ids, "item_ids", self.n_items)
        if users.shape != items.shape:
            raise ValueError(f"user_ids and item_ids must have the same length, got {users.shape} and {items.shape}")
        return _logits(self, users, items)

    def probability(self, user_ids, item_ids) -> np.ndarray:
        """True click probabilities, float64 of shape (n,), for paired 1-D arrays of ids."""
        return _sigmoid(self.logits(user_ids, item_ids))


@dataclass(frozen=True)
class ClickLog:
    """A click log: n_events impressions in time order (index = time).

    user_ids, item_ids: (n_events,) int64. clicks: (n_events,) float32 holding 0.0 or 1.0 (float
    so that it goes straight into torch's binary cross-entropy). prob: (n_events,) float64, the true
    click probability of each event. model: the ClickModel that drew them.
    """

    user_ids: np.ndarray
    item_ids: np.ndarray
    clicks: np.ndarray
    prob: np.ndarray
    model: ClickModel

    def __len__(self) -> int:
        return int(self.clicks.shape[0])


def generate_click_log(n_users: int, n_items: int, n_events: int, *, dim: int = 16, zipf_exponent: float = 1.05,
                       user_zipf_exponent: float | None = None, ctr: float = 0.1, interaction_scale: float = 1.0,
                       bias_std: float = 0.5, seed: int = 0) -> ClickLog:
    """Draw a click log from a Zipf-popularity, latent-factor logistic model (see the module docstring).

    n_users, n_items: number of distinct user and item ids (ids are 0 .. n - 1).
    n_events: number of impressions to draw.
    dim: length of the true latent vectors.
    zipf_exponent: s in P(rank r) proportional to r ** -s for items; 0 gives uniform popularity,
        about 1 is typical of real catalogues. user_zipf_exponent: the same for users (None: the
        item exponent).
    ctr: the expected click-through rate, in (0, 1); the base logit is solved to meet it.
    interaction_scale: standard deviation of the user-item interaction term of the logit.
    bias_std: standard deviation of the per-user and per-item biases (logit units).
    seed: the same seed and arguments give the same log, bit for bit.

    Returns a ClickLog (user_ids, item_ids int64; clicks float32 0/1; prob float64; model).
    """
    n_users = _positive_int(n_users, "n_users")
    n_items = _positive_int(n_items, "n_items")
    n_events = _positive_int(n_events, "n_events")
    dim = _positive_int(dim, "dim")
    zipf_exponent = _nonnegative_float(zipf_exponent, "zipf_exponent")
    user_zipf_exponent = zipf_exponent if user_zipf_exponent is None else _nonnegative_float(
        user_zipf_exponent, "user_zipf_exponent")
    interaction_scale = _nonnegative_float(interaction_scale, "interaction_scale")
    bias_std = _nonnegative_float(bias_std, "bias_std")
    if isinstance(ctr, bool) or not isinstance(ctr, numbers.Real) or not 0.0 < float(ctr) < 1.0:
        raise ValueError(f"ctr must be a real number strictly between 0 and 1, got {ctr!r}")
    ctr = float(ctr)
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    seed = int(seed)

    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(5)]
    params, calibration, user_stream, item_stream, click_stream = streams

    user_popularity = _zipf_popularity(n_users, user_zipf_exponent, params)
    item_popularity = _zipf_popularity(n_items, zipf_exponent, params)
    scale = dim ** -0.25  # entries of variance 1/sqrt(dim): the dot product then has variance 1
    user_vectors = (params.standard_normal((n_users, dim)) * scale).astype(np.float32)
    item_vectors = (params.standard_normal((n_items, dim)) * scale).astype(np.float32)
    user_bias = (params.standard_normal(n_users) * bias_std).astype(np.float32)
    item_bias = (params.standard_normal(n_items) * bias_std).astype(np.float32)

    model = ClickModel(user_vectors, item_vectors, user_bias, item_bias, user_popularity, item_popularity,
                       0.0, interaction_scale, ctr, zipf_exponent, user_zipf_exponent, seed)
    sample_users = _draw(user_popularity, _CALIBRATION_DRAWS, calibration)
    sample_items = _draw(item_popularity, _CALIBRATION_DRAWS, calibration)
    base_logit = _solve_offset(_logits(model, sample_users, sample_items), ctr)
    model = ClickModel(user_vectors, item_vectors, user_bias, item_bias, user_popularity, item_popularity,
                       base_logit, interaction_scale, ctr, zipf_exponent, user_zipf_exponent, seed)

    user_ids = _draw(user_popularity, n_events, user_stream)
    item_ids = _draw(item_popularity, n_events, item_stream)
    prob = _sigmoid(_logits(model, user_ids, item_ids))
    clicks = (click_stream.random(n_events) < prob).astype(np.float32)
    return ClickLog(user_ids, item_ids, clicks, prob, model)


def split_events(n_events: int, test_fraction: float = 0.2, *, shuffle: bool = False, seed: int = 0):
    """Indices of a train/test split of a log of n_events: (train_idx, test_idx), int64, sorted.

    By default the split is by time: the first events train and the last round(test_fraction *
    n_events) test, as in production, where a model trained on the past is served on the future.
    The generator's events are independent and identically distributed, so here the two kinds of
    split are statistically alike; time is the default because with real logs a random split lets
    a model train on the future. Either way some rare ids reach the test set unseen in training.
    shuffle=True draws a random split instead (seeded), for comparison.
    """
    n_events = _positive_int(n_events, "n_events")
    if isinstance(test_fraction, bool) or not isinstance(test_fraction, numbers.Real) or not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be a real number strictly between 0 and 1, got {test_fraction!r}")
    n_test = int(round(float(test_fraction) * n_events))
    if n_test < 1 or n_test >= n_events:
        raise ValueError(f"test_fraction={test_fraction!r} of n_events={n_events} leaves an empty train or test set")
    if not shuffle:
        return np.arange(n_events - n_test, dtype=np.int64), np.arange(n_events - n_test, n_events, dtype=np.int64)
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    order = np.random.default_rng(int(seed)).permutation(n_events)
    return np.sort(order[n_test:]).astype(np.int64), np.sort(order[:n_test]).astype(np.int64)


def frequency_buckets(ids, n_ids: int, edges=(1, 10, 100, 1000)):
    """Group ids by how often they occur in `ids` (usually the training events).

    ids: 1-D int array of ids in [0, n_ids). edges: strictly increasing positive ints; bucket 0
    holds ids seen fewer than edges[0] times, bucket k ids seen edges[k-1] .. edges[k] - 1 times,
    and the last bucket ids seen at least edges[-1] times. With the default edges the buckets are
    unseen, 1-9, 10-99, 100-999 and 1000 or more.

    Returns (bucket_of_id, counts, labels): bucket_of_id (n_ids,) int64, counts (n_ids,) int64
    occurrences of each id, labels a list of len(edges) + 1 strings. Index bucket_of_id with test
    ids to group test events, e.g. for a loss per frequency bucket.
    """
    n_ids = _positive_int(n_ids, "n_ids")
    array = _id_array(ids, "ids", n_ids)
    edges = np.asarray(edges)
    if edges.ndim != 1 or edges.size == 0 or not np.issubdtype(edges.dtype, np.integer):
        raise ValueError(f"edges must be a non-empty 1-D sequence of ints, got {edges!r}")
    if edges[0] < 1 or np.any(np.diff(edges) <= 0):
        raise ValueError(f"edges must be positive and strictly increasing, got {edges.tolist()}")
    counts = np.bincount(array, minlength=n_ids).astype(np.int64)
    bucket_of_id = np.searchsorted(edges, counts, side="right").astype(np.int64)
    labels = ["unseen" if edges[0] == 1 else f"0-{edges[0] - 1}"]
    labels += [f"{lo}" if hi - lo == 1 else f"{lo}-{hi - 1}" for lo, hi in zip(edges[:-1], edges[1:])]
    labels.append(f">={edges[-1]}")
    return bucket_of_id, counts, labels


# --------------------------------------------------------------------------------------------- helpers


def _zipf_popularity(n: int, exponent: float, rng) -> np.ndarray:
    """Probabilities proportional to rank ** -exponent, handed to ids by a random permutation."""
    by_rank = np.arange(1, n + 1, dtype=np.float64) ** -exponent
    by_rank /= by_rank.sum()
    popularity = np.empty(n, dtype=np.float64)
    popularity[rng.permutation(n)] = by_rank
    return popularity


def _draw(popularity: np.ndarray, size: int, rng) -> np.ndarray:
    cdf = np.cumsum(popularity)
    cdf /= cdf[-1]
    return np.minimum(np.searchsorted(cdf, rng.random(size), side="right"), popularity.size - 1).astype(np.int64)


def _logits(model: ClickModel, users: np.ndarray, items: np.ndarray) -> np.ndarray:
    out = np.empty(users.shape[0], dtype=np.float64)
    for start in range(0, users.shape[0], 1 << 18):  # chunks keep the (chunk, dim) gathers small
        u, i = users[start:start + (1 << 18)], items[start:start + (1 << 18)]
        dot = np.einsum("nd,nd->n", model.user_vectors[u], model.item_vectors[i], dtype=np.float64)
        out[start:start + u.shape[0]] = (model.base_logit + model.user_bias[u].astype(np.float64)
                                         + model.item_bias[i] + model.interaction_scale * dot)
    return out


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def _solve_offset(logits: np.ndarray, target: float) -> float:
    """The b with mean(sigmoid(logits + b)) == target, by bisection (the mean is increasing in b)."""
    lo, hi = -60.0, 60.0
    for _ in range(100):
        mid = 0.5 * (lo + hi)
        if _sigmoid(logits + mid).mean() < target:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-10:
            break
    return 0.5 * (lo + hi)


def _positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return int(value)


def _nonnegative_float(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite real number >= 0, got {value!r}")
    return float(value)


def _id_array(values, name: str, n: int) -> np.ndarray:
    array = np.asarray(values)
    if array.ndim == 1 and array.size == 0:
        return np.zeros(0, dtype=np.int64)
    if array.ndim != 1 or not np.issubdtype(array.dtype, np.integer):
        raise ValueError(f"{name} must be a 1-D array of ints, got shape {array.shape} and dtype {array.dtype}")
    if array.size and (array.min() < 0 or array.max() >= n):
        raise ValueError(f"{name} must lie in [0, {n}), got values from {array.min()} to {array.max()}")
    return array.astype(np.int64, copy=False)
