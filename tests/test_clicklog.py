"""The click-log generator of lesson 10: determinism, shapes, Zipf popularity, CTR, Bayes AUC, errors."""
import numpy as np
import pytest
from sklearn.metrics import log_loss, roc_auc_score

from course_utils.clicklog import frequency_buckets, generate_click_log, split_events


@pytest.fixture(scope="module")
def log():
    return generate_click_log(3_000, 2_000, 300_000, dim=8, zipf_exponent=1.05, user_zipf_exponent=0.8, seed=3)


def test_same_seed_same_log_and_other_seed_differs():
    a = generate_click_log(500, 400, 5_000, seed=7)
    b = generate_click_log(500, 400, 5_000, seed=7)
    c = generate_click_log(500, 400, 5_000, seed=8)
    for name in ("user_ids", "item_ids", "clicks", "prob"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    np.testing.assert_array_equal(a.model.item_vectors, b.model.item_vectors)
    assert a.model.base_logit == b.model.base_logit
    assert not np.array_equal(a.item_ids, c.item_ids)
    assert not np.array_equal(a.model.user_vectors, c.model.user_vectors)


def test_shapes_dtypes_and_ranges(log):
    n = 300_000
    assert len(log) == n
    assert log.user_ids.shape == log.item_ids.shape == log.clicks.shape == log.prob.shape == (n,)
    assert log.user_ids.dtype == log.item_ids.dtype == np.int64
    assert log.clicks.dtype == np.float32 and set(np.unique(log.clicks)) <= {0.0, 1.0}
    assert log.prob.dtype == np.float64 and np.all((log.prob > 0) & (log.prob < 1))
    assert 0 <= log.user_ids.min() and log.user_ids.max() < 3_000
    assert 0 <= log.item_ids.min() and log.item_ids.max() < 2_000
    m = log.model
    assert (m.n_users, m.n_items, m.dim) == (3_000, 2_000, 8)
    assert m.user_vectors.shape == (3_000, 8) and m.item_vectors.shape == (2_000, 8)
    assert m.user_vectors.dtype == m.item_vectors.dtype == np.float32
    assert m.user_bias.shape == (3_000,) and m.item_bias.shape == (2_000,)
    np.testing.assert_allclose([m.user_popularity.sum(), m.item_popularity.sum()], 1.0)


def test_prob_is_the_stated_logistic_model(log):
    m, idx = log.model, np.arange(0, 300_000, 997)
    u, i = log.user_ids[idx], log.item_ids[idx]
    dot = np.sum(m.user_vectors[u].astype(float) * m.item_vectors[i], axis=1)
    logit = m.base_logit + m.user_bias[u] + m.item_bias[i] + m.interaction_scale * dot
    np.testing.assert_allclose(log.prob[idx], 1 / (1 + np.exp(-logit)), rtol=1e-6)
    np.testing.assert_allclose(m.probability(u, i), log.prob[idx], rtol=1e-12)


@pytest.mark.parametrize("which, exponent", [("item", 1.05), ("user", 0.8)])
def test_id_frequencies_follow_the_zipf_exponent(log, which, exponent):
    ids = getattr(log, f"{which}_ids")
    popularity = getattr(log.model, f"{which}_popularity")
    counts = np.bincount(ids, minlength=popularity.size)[np.argsort(-popularity)]  # by true rank
    ranks = np.arange(1, 201)  # the head, where counts are large enough to be measured well
    slope = np.polyfit(np.log(ranks), np.log(counts[:200]), 1)[0]
    assert abs(-slope - exponent) < 0.1, f"log-log slope {slope:.3f}, expected about {-exponent}"


def test_popularity_is_not_ordered_by_id(log):
    top = np.argsort(-log.model.item_popularity)[:20]
    assert not np.array_equal(top, np.arange(20))


@pytest.mark.parametrize("ctr", [0.03, 0.1, 0.3])
def test_empirical_ctr_matches_the_stated_rate(ctr):
    n = 200_000
    clicks = generate_click_log(2_000, 2_000, n, ctr=ctr, seed=1).clicks
    tolerance = 4 * np.sqrt(ctr * (1 - ctr) / n) + 0.001  # sampling noise plus the calibration's own error
    assert abs(clicks.mean() - ctr) < tolerance


def test_bayes_auc_is_informative_but_not_perfect(log):
    train, test = split_events(len(log))
    auc = roc_auc_score(log.clicks[test], log.prob[test])
    assert 0.65 < auc < 0.95
    bayes = log_loss(log.clicks[test], log.prob[test])
    constant = log_loss(log.clicks[test], np.full(test.size, log.clicks[train].mean()))
    assert bayes < constant


def test_no_interaction_and_no_bias_means_no_signal():
    flat = generate_click_log(200, 200, 20_000, interaction_scale=0.0, bias_std=0.0, seed=0)
    np.testing.assert_allclose(flat.prob, flat.prob[0])


def test_split_by_time_and_at_random():
    train, test = split_events(10, 0.3)
    np.testing.assert_array_equal(train, np.arange(7))
    np.testing.assert_array_equal(test, [7, 8, 9])
    assert train.dtype == test.dtype == np.int64
    train, test = split_events(1_000, 0.25, shuffle=True, seed=5)
    assert test.size == 250 and np.intersect1d(train, test).size == 0
    np.testing.assert_array_equal(np.sort(np.concatenate([train, test])), np.arange(1_000))
    np.testing.assert_array_equal(test, split_events(1_000, 0.25, shuffle=True, seed=5)[1])
    assert not np.array_equal(test, np.arange(750, 1_000))


def test_frequency_buckets():
    ids = np.array([0] * 12 + [1] * 3 + [2])
    bucket, counts, labels = frequency_buckets(ids, 5, edges=(1, 2, 10))
    np.testing.assert_array_equal(counts, [12, 3, 1, 0, 0])
    np.testing.assert_array_equal(bucket, [3, 2, 1, 0, 0])
    assert labels == ["unseen", "1", "2-9", ">=10"]
    assert bucket.dtype == counts.dtype == np.int64
    assert frequency_buckets(ids, 5)[2] == ["unseen", "1-9", "10-99", "100-999", ">=1000"]
    assert frequency_buckets(ids, 5, edges=(5,))[2] == ["0-4", ">=5"]
    bucket, counts, _ = frequency_buckets([], 3)
    np.testing.assert_array_equal(bucket, [0, 0, 0])
    np.testing.assert_array_equal(counts, [0, 0, 0])


@pytest.mark.parametrize("kwargs, name", [
    (dict(n_users=0), "n_users"), (dict(n_items=2.5), "n_items"), (dict(n_events=True), "n_events"),
    (dict(dim=0), "dim"), (dict(zipf_exponent=-1.0), "zipf_exponent"),
    (dict(user_zipf_exponent=float("nan")), "user_zipf_exponent"), (dict(ctr=0.0), "ctr"), (dict(ctr=1.0), "ctr"),
    (dict(interaction_scale=-0.1), "interaction_scale"), (dict(bias_std="1"), "bias_std"), (dict(seed=-1), "seed"),
    (dict(seed=1.5), "seed"),
])
def test_generator_argument_errors_name_the_argument(kwargs, name):
    args = dict(n_users=10, n_items=10, n_events=10) | kwargs
    n_users, n_items, n_events = args.pop("n_users"), args.pop("n_items"), args.pop("n_events")
    with pytest.raises(ValueError, match=f"^{name} must"):
        generate_click_log(n_users, n_items, n_events, **args)


def test_helper_argument_errors():
    with pytest.raises(ValueError, match="^test_fraction must"):
        split_events(10, 1.0)
    with pytest.raises(ValueError, match="empty train or test"):
        split_events(3, 0.1)
    with pytest.raises(ValueError, match="^n_events must"):
        split_events(0)
    with pytest.raises(ValueError, match="^ids must lie in"):
        frequency_buckets([0, 5], 5)
    with pytest.raises(ValueError, match="^ids must be a 1-D array of ints"):
        frequency_buckets([0.5], 5)
    with pytest.raises(ValueError, match="^edges must be positive and strictly increasing"):
        frequency_buckets([0], 5, edges=(10, 10))
    log = generate_click_log(10, 10, 10)
    with pytest.raises(ValueError, match="^item_ids must lie in"):
        log.model.probability([0], [10])
    with pytest.raises(ValueError, match="same length"):
        log.model.probability([0, 1], [0])
