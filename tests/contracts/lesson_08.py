"""Lesson 08, vector search: each clause of each graded docstring and a wrong answer that breaks only it."""
from contracts import Contract
from contracts._solution import swap, swap_tagged

ASSIGNMENT = "08_vector_search"

# exact_knn's solution, written so that one line at a time can be made wrong.
EXACT_KNN = '''
def exact_knn(base, queries, k, metric="ip", chunk_size=128, exclude=None, device="cpu"):
    if metric not in ("ip", "l2"):                                          # @metric
        raise ValueError(f"metric must be 'ip' or 'l2', got {metric!r}")
    base_t = torch.as_tensor(np.asarray(base, dtype=np.float32)).to(device)
    queries = np.asarray(queries, dtype=np.float32)                         # @dtype
    limit = base_t.shape[0] - (exclude is not None)                         # @limit
    if not isinstance(k, (int, np.integer)) or not 1 <= k <= limit:        # @range
        raise ValueError(f"k must be an int between 1 and {limit}, got {k!r}")
    if len(queries) == 0:                                                   # @empty
        return np.zeros((0, k), dtype=np.int64), np.zeros((0, k), dtype=np.float32)   # @emptyreturn
    base_norms = (base_t * base_t).sum(1) if metric == "l2" else None
    found_ids, found_scores = [], []
    for start in range(0, len(queries), chunk_size):                        # @chunks
        q = torch.from_numpy(queries[start:start + chunk_size]).to(device)
        scores = q @ base_t.T                                               # @ip
        if metric == "l2":
            scores = -(((q * q).sum(1, keepdim=True) - 2 * scores + base_norms).clamp_min_(0))   # @l2
        if exclude is not None:
            own = torch.as_tensor(np.asarray(exclude[start:start + chunk_size], dtype=np.int64), device=device)  # @exclude
            scores[torch.arange(len(q), device=device), own] = -torch.inf   # @mask
        best = torch.topk(scores, k, dim=1)                                 # @order
        found_ids.append(best.indices)
        found_scores.append(best.values if metric == "ip" else -best.values)
    return torch.cat(found_ids).cpu().numpy().astype(np.int64), torch.cat(found_scores).cpu().numpy()   # @return
'''


def exact_knn(**edits):
    """EXACT_KNN with the lines tagged `# @name` replaced by edits[name] (same indentation)."""
    return swap_tagged(ASSIGNMENT, "exact_knn", EXACT_KNN, **edits)


KMEANS_ASSIGN = '''
def kmeans_assign(x, centroids, chunk_size=8192):
    x = np.asarray(x, dtype=np.float32)
    centroids = torch.as_tensor(np.asarray(centroids, dtype=np.float32))
    if len(centroids) == 0:
        raise ValueError("c = 0")
    half_norms = 0.5 * (centroids * centroids).sum(1)
    labels = []
    for start in range(0, len(x), chunk_size):
        chunk = torch.from_numpy(x[start:start + chunk_size])
        labels.append(torch.argmax(chunk @ centroids.T - half_norms, dim=1))
    return torch.cat(labels).numpy().astype(np.int64) if labels else np.zeros(0, dtype=np.int64)
'''

IVF_SEARCH = '''
def ivf_search(base, centroids, lists, queries, k, nprobe):
    if not isinstance(nprobe, (int, np.integer)) or not 1 <= nprobe <= len(centroids):
        raise ValueError("nprobe")
    base = np.asarray(base, dtype=np.float32)
    queries = np.asarray(queries, dtype=np.float32)
    centroid_scores = queries @ centroids.T - 0.5 * (centroids * centroids).sum(1)
    probes = np.argpartition(-centroid_scores, nprobe - 1, axis=1)[:, :nprobe]
    ids = np.full((len(queries), k), -1, dtype=np.int64)
    scores = np.full((len(queries), k), -np.inf, dtype=np.float32)
    for row, (query, cells) in enumerate(zip(queries, probes)):
        candidates = np.concatenate([lists[j] for j in cells])
        candidate_scores = base[candidates] @ query
        best = np.argsort(-candidate_scores, kind="stable")[:k]
        ids[row, :len(best)] = candidates[best]
        scores[row, :len(best)] = candidate_scores[best]
    return ids, scores
'''


def ivf_search(old, new):
    assert old in IVF_SEARCH, old
    return swap(ASSIGNMENT, "ivf", IVF_SEARCH.replace(old, new))


ADC_SEARCH = '''
def adc_search(codes, codebooks, queries, k, chunk_size=64):
    if not 1 <= k <= len(codes):
        raise ValueError("k")
    m_sub, _, sub = codebooks.shape
    queries = np.asarray(queries, dtype=np.float32)
    if len(queries) == 0:
        return np.zeros((0, k), dtype=np.int64), np.zeros((0, k), dtype=np.float32)
    books = torch.as_tensor(np.asarray(codebooks, dtype=np.float32))
    code_columns = [torch.as_tensor(codes[:, j].astype(np.int64)) for j in range(m_sub)]
    found_ids, found_scores = [], []
    for start in range(0, len(queries), chunk_size):
        q = torch.from_numpy(queries[start:start + chunk_size]).reshape(-1, m_sub, sub)
        tables = torch.einsum("qjs,jcs->qjc", q, books)
        scores = torch.zeros(len(q), len(codes))
        for j in range(m_sub):
            scores += tables[:, j, :][:, code_columns[j]]
        best = torch.topk(scores, k, dim=1)
        found_ids.append(best.indices)
        found_scores.append(best.values)
    return torch.cat(found_ids).numpy().astype(np.int64), torch.cat(found_scores).numpy()
'''


def adc_search(old, new):
    assert old in ADC_SEARCH, old
    return swap(ASSIGNMENT, "adc_search", ADC_SEARCH.replace(old, new))


CONTRACTS = {
    "exact_knn": Contract(test="test_exact_knn", clauses={
        "metric 'ip': largest inner product first (not cosine)": exact_knn(
            ip="scores = torch.nn.functional.normalize(q, dim=1) @ torch.nn.functional.normalize(base_t, dim=1).T"),
        "metric 'l2': smallest squared distance first": exact_knn(
            l2="scores = ((q * q).sum(1, keepdim=True) - 2 * scores + base_norms).clamp_min_(0)"),
        "l2 scores are squared distances, not distances": exact_knn(
            l2="scores = -(((q * q).sum(1, keepdim=True) - 2 * scores + base_norms).clamp_min_(0)).sqrt()"),
        "l2 scores never negative (clamp at zero)": exact_knn(
            l2="scores = -((q * q).sum(1, keepdim=True) - 2 * scores + base_norms)"),
        "any other metric raises ValueError": exact_knn(metric="if False:"),
        "k = n is allowed": exact_knn(range="if not isinstance(k, (int, np.integer)) or not 1 <= k < limit:"),
        "k > n raises ValueError (not torch's error)": exact_knn(range="if not isinstance(k, (int, np.integer)) or k < 1:"),
        "k = 0 raises ValueError": exact_knn(range="if not isinstance(k, (int, np.integer)) or k > limit:"),
        "with exclude, k <= n - 1": exact_knn(limit="limit = base_t.shape[0]"),
        "without exclude, k <= n (not n - 1)": exact_knn(limit="limit = base_t.shape[0] - 1"),
        "exclude: the query's own row never returned": exact_knn(mask="scores[torch.arange(len(q), device=device), own] = 0"),
        "exclude: each chunk excludes its own queries' rows": exact_knn(
            exclude="own = torch.as_tensor(np.asarray(exclude[:len(q)], dtype=np.int64), device=device)"),
        "chunk_size: the last, smaller chunk is kept": exact_knn(
            chunks="for start in range(0, len(queries) - chunk_size + 1, chunk_size):"),
        "best first": exact_knn(order="best = torch.topk(scores, k, dim=1)\n"
                                      "best = torch.return_types.topk((best.values.flip(1), best.indices.flip(1)))"),
        "base and queries may be any float dtype": exact_knn(dtype="queries = np.asarray(queries)"),
        "returns NumPy arrays, not tensors": exact_knn(
            **{"return": "return torch.cat(found_ids), torch.cat(found_scores)"}),
        "ids are int64, scores float32": exact_knn(
            **{"return": "return torch.cat(found_ids).cpu().numpy().astype(np.int32), torch.cat(found_scores).cpu().numpy().astype(np.float64)"}),
        "zero queries give (0, k) arrays (no crash in torch.cat)": exact_knn(empty="if False:"),
        "zero queries give (0, k) arrays, not (0,)": exact_knn(
            emptyreturn="return np.array([], dtype=np.int64), np.array([], dtype=np.float32)"),
        "zero queries: ids int64 and scores float32 too": exact_knn(emptyreturn="return np.zeros((0, k)), np.zeros((0, k))"),
        "one query gives (1, k) arrays (no squeeze)": exact_knn(
            **{"return": "ids, scores = torch.cat(found_ids).cpu().numpy().astype(np.int64), torch.cat(found_scores).cpu().numpy()\n"
                         "return (ids[0], scores[0]) if len(queries) == 1 else (ids, scores)"}),
        "an empty base, or a one-row base with exclude, raises ValueError (no limit clamped to 1)": exact_knn(
            limit="limit = max(base_t.shape[0] - (exclude is not None), 1)"),
    }),
    "recall_at_k": Contract(test="test_recall_at_k", clauses={
        "order inside the top k does not matter": swap(ASSIGNMENT, "recall_at_k", '''
def recall_at_k(found, truth, k):
    found, truth = np.asarray(found), np.asarray(truth)
    if len(found) == 0 or len(found) != len(truth):
        raise ValueError("m")
    if k < 1 or k > found.shape[1] or k > truth.shape[1]:
        raise ValueError("k")
    return float((found[:, :k] == truth[:, :k]).mean())'''),
        "only the first k results count": swap(ASSIGNMENT, "recall_at_k", '''
def recall_at_k(found, truth, k):
    found, truth = np.asarray(found), np.asarray(truth)
    if len(found) == 0 or len(found) != len(truth):
        raise ValueError("m")
    if k < 1 or k > found.shape[1] or k > truth.shape[1]:
        raise ValueError("k")
    return float(np.mean([len(set(f) & set(t[:k])) / k for f, t in zip(found, truth)]))'''),
        "only the true top k count": swap(ASSIGNMENT, "recall_at_k", '''
def recall_at_k(found, truth, k):
    found, truth = np.asarray(found), np.asarray(truth)
    if len(found) == 0 or len(found) != len(truth):
        raise ValueError("m")
    if k < 1 or k > found.shape[1] or k > truth.shape[1]:
        raise ValueError("k")
    return float(np.mean([len(set(f[:k]) & set(t)) / k for f, t in zip(found, truth)]))'''),
        "a repeated id counts once (true neighbours found, not matching slots)": swap(ASSIGNMENT, "recall_at_k", '''
def recall_at_k(found, truth, k):
    found, truth = np.asarray(found), np.asarray(truth)
    if len(found) == 0 or len(found) != len(truth):
        raise ValueError("m")
    if k < 1 or k > found.shape[1] or k > truth.shape[1]:
        raise ValueError("k")
    hits = (found[:, :k, None] == truth[:, None, :k]).any(axis=2).sum(axis=1)
    return float(hits.mean() / k)'''),
        "divide by k, not by the filled slots (-1 is empty)": swap(ASSIGNMENT, "recall_at_k", '''
def recall_at_k(found, truth, k):
    found, truth = np.asarray(found), np.asarray(truth)
    if len(found) == 0 or len(found) != len(truth):
        raise ValueError("m")
    if k < 1 or k > found.shape[1] or k > truth.shape[1]:
        raise ValueError("k")
    return float(np.mean([len(set(f[:k]) & set(t[:k])) / max(1, (f[:k] != -1).sum()) for f, t in zip(found, truth)]))'''),
        "k wider than truth raises ValueError": swap(ASSIGNMENT, "recall_at_k", '''
def recall_at_k(found, truth, k):
    found, truth = np.asarray(found), np.asarray(truth)
    if len(found) == 0 or len(found) != len(truth):
        raise ValueError("m")
    if k < 1 or k > found.shape[1]:
        raise ValueError("k")
    return float(np.mean([len(set(f[:k]) & set(t[:k])) / k for f, t in zip(found, truth)]))'''),
        "k wider than found raises ValueError": swap(ASSIGNMENT, "recall_at_k", '''
def recall_at_k(found, truth, k):
    found, truth = np.asarray(found), np.asarray(truth)
    if len(found) == 0 or len(found) != len(truth):
        raise ValueError("m")
    if k < 1 or k > truth.shape[1]:
        raise ValueError("k")
    return float(np.mean([len(set(f[:k]) & set(t[:k])) / k for f, t in zip(found, truth)]))'''),
        "k = 0 raises ValueError": swap(ASSIGNMENT, "recall_at_k", '''
def recall_at_k(found, truth, k):
    found, truth = np.asarray(found), np.asarray(truth)
    if len(found) == 0 or len(found) != len(truth):
        raise ValueError("m")
    if k > found.shape[1] or k > truth.shape[1]:
        raise ValueError("k")
    return float(np.mean([len(set(f[:k]) & set(t[:k])) / max(k, 1) for f, t in zip(found, truth)]))'''),
        "k equal to both widths is allowed": swap(ASSIGNMENT, "recall_at_k", '''
def recall_at_k(found, truth, k):
    found, truth = np.asarray(found), np.asarray(truth)
    if len(found) == 0 or len(found) != len(truth):
        raise ValueError("m")
    if k < 1 or k >= found.shape[1] or k >= truth.shape[1]:
        raise ValueError("k")
    return float(np.mean([len(set(f[:k]) & set(t[:k])) / k for f, t in zip(found, truth)]))'''),
        "mean over the queries (one number)": swap(ASSIGNMENT, "recall_at_k", '''
def recall_at_k(found, truth, k):
    found, truth = np.asarray(found), np.asarray(truth)
    if len(found) == 0 or len(found) != len(truth):
        raise ValueError("m")
    if k < 1 or k > found.shape[1] or k > truth.shape[1]:
        raise ValueError("k")
    return np.array([len(set(f[:k]) & set(t[:k])) / k for f, t in zip(found, truth)])'''),
        "returns a Python float": swap(ASSIGNMENT, "recall_at_k", '''
def recall_at_k(found, truth, k):
    found, truth = np.asarray(found), np.asarray(truth)
    if len(found) == 0 or len(found) != len(truth):
        raise ValueError("m")
    if k < 1 or k > found.shape[1] or k > truth.shape[1]:
        raise ValueError("k")
    return torch.tensor([len(set(f[:k]) & set(t[:k])) / k for f, t in zip(found, truth)]).mean()'''),
        "zero queries raise ValueError (not a nan mean)": swap(ASSIGNMENT, "recall_at_k", '''
def recall_at_k(found, truth, k):
    found, truth = np.asarray(found), np.asarray(truth)
    if len(found) != len(truth):
        raise ValueError("m")
    if not isinstance(k, (int, np.integer)) or k < 1 or k > found.shape[1] or k > truth.shape[1]:
        raise ValueError("k")
    hits = (truth[:, :k, None] == found[:, None, :k]).any(axis=2).sum(axis=1)
    return float(hits.mean() / k)'''),
        "found and truth need the same number of rows (one row is not broadcast)": swap(ASSIGNMENT, "recall_at_k", '''
def recall_at_k(found, truth, k):
    found, truth = np.asarray(found), np.asarray(truth)
    if len(found) == 0 or len(truth) == 0:
        raise ValueError("m")
    if not isinstance(k, (int, np.integer)) or k < 1 or k > found.shape[1] or k > truth.shape[1]:
        raise ValueError("k")
    hits = (truth[:, :k, None] == found[:, None, :k]).any(axis=2).sum(axis=1)
    return float(hits.mean() / k)'''),
        "one query gives its own fraction of the first k (no shortcut over whole rows)": swap(ASSIGNMENT, "recall_at_k", '''
def recall_at_k(found, truth, k):
    found, truth = np.asarray(found), np.asarray(truth)
    if len(found) == 0 or len(found) != len(truth):
        raise ValueError("m")
    if not isinstance(k, (int, np.integer)) or k < 1 or k > found.shape[1] or k > truth.shape[1]:
        raise ValueError("k")
    if len(found) == 1:
        return len(set(found[0]) & set(truth[0])) / k
    hits = (truth[:, :k, None] == found[:, None, :k]).any(axis=2).sum(axis=1)
    return float(hits.mean() / k)'''),
    }),
    "kmeans_assign": Contract(test="test_kmeans_steps", clauses={
        "nearest by squared L2, not by inner product": swap(ASSIGNMENT, "kmeans_steps", KMEANS_ASSIGN.replace(
            "chunk @ centroids.T - half_norms", "chunk @ centroids.T")),
        "nearest needs half the centroid norms (x.c - |c|^2 / 2)": swap(ASSIGNMENT, "kmeans_steps", KMEANS_ASSIGN.replace(
            "half_norms = 0.5 * ", "half_norms = ")),
        "chunk_size: the last, smaller chunk is kept": swap(ASSIGNMENT, "kmeans_steps", KMEANS_ASSIGN.replace(
            "range(0, len(x), chunk_size)", "range(0, len(x) - chunk_size + 1, chunk_size)")),
        "returns a NumPy int64 array": swap(ASSIGNMENT, "kmeans_steps", KMEANS_ASSIGN.replace(
            "torch.cat(labels).numpy().astype(np.int64)", "torch.cat(labels).numpy().astype(np.int32)")),
        "zero rows give an empty (0,) array (no crash in torch.cat)": swap(ASSIGNMENT, "kmeans_steps", KMEANS_ASSIGN.replace(
            " if labels else np.zeros(0, dtype=np.int64)", "")),
        "one row gives a (1,) array (no squeeze)": swap(ASSIGNMENT, "kmeans_steps", KMEANS_ASSIGN.replace(
            "torch.cat(labels).numpy()", "torch.cat(labels).squeeze().numpy()")),
        "zero centroids raise ValueError (not argmax's IndexError)": swap(ASSIGNMENT, "kmeans_steps", KMEANS_ASSIGN.replace(
            "    if len(centroids) == 0:\n        raise ValueError(\"c = 0\")\n", "")),
    }),
    "kmeans_update": Contract(test="test_kmeans_steps", clauses={
        "the mean of the rows, not their sum": swap(ASSIGNMENT, "kmeans_steps", '''
def kmeans_update(x, labels, centroids):
    updated = np.array(centroids, dtype=np.float32)
    for j in np.unique(labels):
        updated[j] = np.asarray(x)[labels == j].sum(axis=0)
    return updated'''),
        "a centroid with no rows stays put": swap(ASSIGNMENT, "kmeans_steps", '''
def kmeans_update(x, labels, centroids):
    updated = np.zeros_like(np.asarray(centroids, dtype=np.float32))
    for j in np.unique(labels):
        updated[j] = np.asarray(x)[labels == j].mean(axis=0)
    return updated'''),
        "an empty last centroid does not crash (counts over all c)": swap(ASSIGNMENT, "kmeans_steps", '''
def kmeans_update(x, labels, centroids):
    centroids = np.asarray(centroids, dtype=np.float32)
    sums = np.zeros_like(centroids, dtype=np.float64)
    np.add.at(sums, labels, np.asarray(x, dtype=np.float64))
    counts = np.bincount(labels)
    updated = centroids.copy()
    filled = counts > 0
    updated[filled] = (sums[filled] / counts[filled, None]).astype(np.float32)
    return updated'''),
        "the input centroids are not modified": swap(ASSIGNMENT, "kmeans_steps", '''
def kmeans_update(x, labels, centroids):
    updated = np.asarray(centroids, dtype=np.float32)
    for j in np.unique(labels):
        updated[j] = np.asarray(x)[labels == j].mean(axis=0)
    return updated'''),
        "returns float32": swap(ASSIGNMENT, "kmeans_steps", '''
def kmeans_update(x, labels, centroids):
    updated = np.array(centroids, dtype=np.float64)
    for j in np.unique(labels):
        updated[j] = np.asarray(x, dtype=np.float64)[labels == j].mean(axis=0)
    return updated'''),
        "zero rows: every centroid stays put, as float32 (no shortcut returning the input)": swap(ASSIGNMENT, "kmeans_steps", '''
def kmeans_update(x, labels, centroids):
    if len(x) == 0:
        return centroids
    centroids = np.asarray(centroids, dtype=np.float32)
    sums = np.zeros_like(centroids, dtype=np.float64)
    np.add.at(sums, labels, np.asarray(x, dtype=np.float64))
    counts = np.bincount(labels, minlength=len(centroids))
    updated = centroids.copy()
    filled = counts > 0
    updated[filled] = (sums[filled] / counts[filled, None]).astype(np.float32)
    return updated'''),
    }),
    "ivf_build": Contract(test="test_ivf", clauses={
        "an empty base gives c empty lists (not no lists)": swap(ASSIGNMENT, "ivf", '''
def ivf_build(base, centroids):
    if len(base) == 0:
        return []
    labels = kmeans_assign(base, centroids)
    order = np.argsort(labels, kind="stable")
    bounds = np.searchsorted(labels[order], np.arange(len(centroids) + 1))
    return [order[bounds[j]:bounds[j + 1]].astype(np.int64) for j in range(len(centroids))]'''),
        "zero centroids raise ValueError (not an empty list of lists)": swap(ASSIGNMENT, "ivf", '''
def ivf_build(base, centroids):
    if len(centroids) == 0:
        return []
    labels = kmeans_assign(base, centroids)
    order = np.argsort(labels, kind="stable")
    bounds = np.searchsorted(labels[order], np.arange(len(centroids) + 1))
    return [order[bounds[j]:bounds[j + 1]].astype(np.int64) for j in range(len(centroids))]'''),
        "nearest centroid by squared L2 (kmeans_assign), not inner product": swap(ASSIGNMENT, "ivf", '''
def ivf_build(base, centroids):
    labels = np.argmax(np.asarray(base) @ np.asarray(centroids).T, axis=1)
    return [np.flatnonzero(labels == j).astype(np.int64) for j in range(len(centroids))]'''),
        "ids in increasing order inside each list": swap(ASSIGNMENT, "ivf", '''
def ivf_build(base, centroids):
    labels = kmeans_assign(base, centroids)
    order = np.argsort(labels)
    bounds = np.searchsorted(labels[order], np.arange(len(centroids) + 1))
    return [order[bounds[j]:bounds[j + 1]].astype(np.int64) for j in range(len(centroids))]'''),
        "one list per centroid, empty ones included": swap(ASSIGNMENT, "ivf", '''
def ivf_build(base, centroids):
    labels = kmeans_assign(base, centroids)
    return [np.flatnonzero(labels == j).astype(np.int64) for j in np.unique(labels)]'''),
        "every list is an int64 array, even an empty one": swap(ASSIGNMENT, "ivf", '''
def ivf_build(base, centroids):
    labels = kmeans_assign(base, centroids)
    return [np.array([i for i, label in enumerate(labels) if label == j]) for j in range(len(centroids))]'''),
    }),
    "ivf_search": Contract(test="test_ivf", clauses={
        "zero queries give (0, k) arrays (rows collected in a list give (0,))": swap(ASSIGNMENT, "ivf", '''
def ivf_search(base, centroids, lists, queries, k, nprobe):
    if not isinstance(nprobe, (int, np.integer)) or not 1 <= nprobe <= len(centroids):
        raise ValueError("nprobe")
    base = np.asarray(base, dtype=np.float32)
    queries = np.asarray(queries, dtype=np.float32)
    centroid_scores = queries @ centroids.T - 0.5 * (centroids * centroids).sum(1)
    probes = np.argpartition(-centroid_scores, nprobe - 1, axis=1)[:, :nprobe]
    all_ids, all_scores = [], []
    for query, cells in zip(queries, probes):
        candidates = np.concatenate([lists[j] for j in cells])
        candidate_scores = base[candidates] @ query
        best = np.argsort(-candidate_scores, kind="stable")[:k]
        all_ids.append(np.concatenate([candidates[best], np.full(k - len(best), -1)]))
        all_scores.append(np.concatenate([candidate_scores[best], np.full(k - len(best), -np.inf)]))
    return np.array(all_ids, dtype=np.int64), np.array(all_scores, dtype=np.float32)'''),
        "one query gives (1, k) arrays (no squeeze)": ivf_search(
            "    return ids, scores", "    return (ids[0], scores[0]) if len(queries) == 1 else (ids, scores)"),
        "an empty base leaves every slot missing (no error)": ivf_search(
            "    base = np.asarray(base, dtype=np.float32)\n",
            "    base = np.asarray(base, dtype=np.float32)\n    if len(base) == 0:\n        raise ValueError(\"nothing to search\")\n"),
        "zero centroids raise ValueError (not every slot missing)": ivf_search(
            "def ivf_search(base, centroids, lists, queries, k, nprobe):\n",
            "def ivf_search(base, centroids, lists, queries, k, nprobe):\n    if len(centroids) == 0:\n"
            "        return np.full((len(queries), k), -1, dtype=np.int64), np.full((len(queries), k), -np.inf, dtype=np.float32)\n"),
        "probe the nprobe centroids nearest in squared L2, not by inner product": ivf_search(
            "queries @ centroids.T - 0.5 * (centroids * centroids).sum(1)", "queries @ centroids.T"),
        "scan all nprobe lists, not only the nearest": ivf_search(
            "for j in cells]", "for j in cells[np.argmax(centroid_scores[row, cells]):][:1]]"),
        "rank candidates by inner product, not L2": ivf_search(
            "candidate_scores = base[candidates] @ query",
            "candidate_scores = base[candidates] @ query - 0.5 * (base[candidates] ** 2).sum(1)"),
        "scores are the inner products": ivf_search(
            "scores[row, :len(best)] = candidate_scores[best]",
            "scores[row, :len(best)] = ((base[candidates[best]] - query) ** 2).sum(1)"),
        "missing slots: id -1": ivf_search("np.full((len(queries), k), -1, dtype=np.int64)",
                                           "np.zeros((len(queries), k), dtype=np.int64)"),
        "missing slots: score -inf": ivf_search("np.full((len(queries), k), -np.inf, dtype=np.float32)",
                                                "np.zeros((len(queries), k), dtype=np.float32)"),
        "nprobe = c is allowed": ivf_search("1 <= nprobe <= len(centroids)", "1 <= nprobe < len(centroids)"),
        "nprobe outside 1..c raises ValueError (not clamped)": ivf_search(
            "    if not isinstance(nprobe, (int, np.integer)) or not 1 <= nprobe <= len(centroids):\n        raise ValueError(\"nprobe\")",
            "    nprobe = int(np.clip(nprobe, 1, len(centroids)))"),
        "ids int64, scores float32": ivf_search("np.full((len(queries), k), -np.inf, dtype=np.float32)",
                                                "np.full((len(queries), k), -np.inf)"),
    }),
    "pq_encode": Contract(test="test_pq_encode", clauses={
        "zero rows give a (0, M) array (a loop over rows gives (0,))": swap(ASSIGNMENT, "pq_encode", '''
def pq_encode(x, codebooks):
    x = np.asarray(x, dtype=np.float32)
    m, _, sub = codebooks.shape
    return np.array([[kmeans_assign(row[None, j * sub:(j + 1) * sub], codebooks[j])[0] for j in range(m)] for row in x],
                    dtype=np.uint8)'''),
        "one row gives a (1, M) array (no squeeze)": swap(ASSIGNMENT, "pq_encode", '''
def pq_encode(x, codebooks):
    x = np.asarray(x, dtype=np.float32)
    m, _, sub = codebooks.shape
    codes = np.empty((len(x), m), dtype=np.uint8)
    for j in range(m):
        codes[:, j] = kmeans_assign(x[:, j * sub:(j + 1) * sub], codebooks[j])
    return codes[0] if len(x) == 1 else codes'''),
        "sub-vector j is the j-th block of columns": swap(ASSIGNMENT, "pq_encode", '''
def pq_encode(x, codebooks):
    x = np.asarray(x, dtype=np.float32)
    m = codebooks.shape[0]
    codes = np.empty((len(x), m), dtype=np.uint8)
    for j in range(m):
        codes[:, j] = kmeans_assign(np.ascontiguousarray(x[:, j::m]), codebooks[j])
    return codes'''),
        "nearest codeword by squared L2, not inner product": swap(ASSIGNMENT, "pq_encode", '''
def pq_encode(x, codebooks):
    x = np.asarray(x, dtype=np.float32)
    m, _, sub = codebooks.shape
    codes = np.empty((len(x), m), dtype=np.uint8)
    for j in range(m):
        codes[:, j] = np.argmax(x[:, j * sub:(j + 1) * sub] @ codebooks[j].T, axis=1)
    return codes'''),
        "codes are uint8 (one byte)": swap(ASSIGNMENT, "pq_encode", '''
def pq_encode(x, codebooks):
    x = np.asarray(x, dtype=np.float32)
    m, _, sub = codebooks.shape
    return np.stack([kmeans_assign(x[:, j * sub:(j + 1) * sub], codebooks[j]) for j in range(m)], axis=1)'''),
        "codes are unsigned (K up to 256)": swap(ASSIGNMENT, "pq_encode", '''
def pq_encode(x, codebooks):
    x = np.asarray(x, dtype=np.float32)
    m, _, sub = codebooks.shape
    codes = np.empty((len(x), m), dtype=np.int8)
    for j in range(m):
        codes[:, j] = kmeans_assign(x[:, j * sub:(j + 1) * sub], codebooks[j]).astype(np.int8)
    return codes'''),
    }),
    "adc_search": Contract(test="test_adc_search", clauses={
        "zero queries give (0, k) arrays (no crash in torch.cat)": adc_search(
            "    if len(queries) == 0:\n        return np.zeros((0, k), dtype=np.int64), np.zeros((0, k), dtype=np.float32)\n", ""),
        "one query gives (1, k) arrays (no squeeze)": adc_search(
            "    return torch.cat(found_ids).numpy().astype(np.int64), torch.cat(found_scores).numpy()",
            "    ids, scores = torch.cat(found_ids).numpy().astype(np.int64), torch.cat(found_scores).numpy()\n"
            "    return (ids[0], scores[0]) if len(queries) == 1 else (ids, scores)"),
        "k = 0 raises ValueError (not (m, 0) arrays)": adc_search("if not 1 <= k <= len(codes):", "if k > len(codes):"),
        "k above n raises ValueError, an empty code set included (not topk's RuntimeError)": adc_search(
            "if not 1 <= k <= len(codes):", "if k < 1:"),
        "asymmetric: the queries are not quantised": adc_search(
            "tables = torch.einsum(\"qjs,jcs->qjc\", q, books)",
            "q = books[torch.arange(m_sub), ((q[:, :, None, :] - books[None]) ** 2).sum(-1).argmin(-1)]\n"
            "        tables = torch.einsum(\"qjs,jcs->qjc\", q, books)"),
        "score = sum of table entries (inner products), not distances": adc_search(
            "tables = torch.einsum(\"qjs,jcs->qjc\", q, books)",
            "tables = -((q[:, :, None, :] - books[None]) ** 2).sum(-1)"),
        "uint8 codes index correctly": adc_search("torch.as_tensor(codes[:, j].astype(np.int64))",
                                                  "torch.as_tensor(codes[:, j])"),
        "chunk_size: the last, smaller chunk is kept": adc_search(
            "range(0, len(queries), chunk_size)", "range(0, len(queries) - chunk_size + 1, chunk_size)"),
        "best first": adc_search("best = torch.topk(scores, k, dim=1)", "best = torch.topk(scores, k, dim=1, largest=False)"),
        "ids int64, scores float32": adc_search("torch.cat(found_scores).numpy()", "torch.cat(found_scores).double().numpy()"),
    }),
}
