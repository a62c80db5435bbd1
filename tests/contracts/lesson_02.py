"""Lesson 02 (graph embeddings): every docstring clause of every graded function, each with a wrong
answer a learner might write that breaks that clause only."""
from contracts import Contract
from contracts._solution import swap

ASSIGNMENT = "02_graph_embeddings"

WALKS = "def uniform_walks(indptr, indices, walk_length, walks_per_node, rng):\n"
WALKS_CHECKS = """\
    indptr, indices = np.asarray(indptr), np.asarray(indices)
    for name, value in (("walk_length", walk_length), ("walks_per_node", walks_per_node)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
            raise ValueError(name)
"""


def walks(checks=WALKS_CHECKS, starts="np.tile(np.arange(n), walks_per_node)", offsets="rng.integers(0, degree[rows])",
          stop="moving &= degree > 0", dtype="np.int64", fill="-1"):
    return {"uniform_walks": WALKS + checks + f"""\
    n = len(indptr) - 1
    walks = np.full((n * walks_per_node, walk_length), {fill}, dtype={dtype})
    walks[:, 0] = {starts}
    current = walks[:, 0].astype(np.int64)
    moving = np.ones(len(walks), dtype=bool)
    for step in range(1, walk_length):
        degree = indptr[current + 1] - indptr[current]
        {stop}
        rows = np.flatnonzero(moving)
        if len(rows) == 0:
            break
        current[rows] = indices[indptr[current[rows]] + {offsets}]
        walks[rows, step] = current[rows]
    return walks"""}


PROBABILITIES = "def node2vec_probabilities(indptr, indices, weights, previous, current, p, q):\n"
PROBABILITY_CHECKS = """\
    for name, value in (("p", p), ("q", q)):
        if not isinstance(value, (int, float, np.integer, np.floating)) or isinstance(value, bool) or not value > 0:
            raise ValueError(name)
"""


def probabilities(checks=PROBABILITY_CHECKS, back="1.0 / p", near="1.0", away="1.0 / q",
                  bias="np.asarray(weights[start:stop], dtype=np.float64).copy()", first="",
                  finish="return bias / bias.sum()", dead="return bias"):
    return {"node2vec_probabilities": PROBABILITIES + checks + f"""\
    start, stop = indptr[current], indptr[current + 1]
    neighbours = np.asarray(indices[start:stop])
    bias = {bias}
    if len(neighbours) == 0:
        {dead}
    {first}
    if previous != -1:
        alpha = np.where(np.isin(neighbours, indices[indptr[previous]:indptr[previous + 1]]), {near}, {away})
        alpha[neighbours == previous] = {back}
        bias = bias * alpha
    {finish}"""}


SPLIT = "def split_edges(edges, n, test_fraction, rng):\n"
SPLIT_CHECKS = """\
    edges = np.asarray(edges)
    if isinstance(test_fraction, bool) or not isinstance(test_fraction, (int, float)) or not 0 <= test_fraction < 1:
        raise ValueError("test_fraction")
"""


def split(checks=SPLIT_CHECKS, order="rng.permutation(len(edges))", count="int(round(test_fraction * len(edges)))",
          pool="np.flatnonzero(~in_forest)", pick="rng.choice(candidates, size=take, replace=False)", dtype="np.int64",
          rows="edges", train=None):
    train = train or f"{rows}[~test].astype({dtype})"
    return swap(ASSIGNMENT, "split_edges", SPLIT + checks + f"""\
    order = {order}
    parent = np.arange(n)

    def root(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    in_forest = np.zeros(len(edges), dtype=bool)
    for e in order:
        a, b = root(edges[e, 0]), root(edges[e, 1])
        if a != b:
            parent[a] = b
            in_forest[e] = True
    candidates = {pool}
    take = min({count}, len(candidates))
    test = np.zeros(len(edges), dtype=bool)
    test[{pick}] = True
    return {train}, {rows}[test].astype({dtype})""")


NON_EDGES = "def sample_non_edges(edges, n, count, rng):\n"


def non_edges(checks="if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or not 0 <= count <= available:\n"
                     "        raise ValueError('count')",
              draw="u, v = (int(x) for x in rng.integers(0, n, size=2))", pair="(min(u, v), max(u, v))",
              accept="u != v and pair not in taken", store="chosen.setdefault(pair, None)", chosen="{}",
              result="np.array(list(chosen), dtype=np.int64).reshape(count, 2)"):
    return swap(ASSIGNMENT, "split_edges", NON_EDGES + f"""\
    edges = np.asarray(edges)
    available = n * (n - 1) // 2 - len(edges)
    {checks}
    taken = set(map(tuple, edges.tolist()))
    chosen = {chosen}
    while len(chosen) < count:
        {draw}
        pair = {pair}
        if {accept}:
            {store}
    return {result}""")


AUC = "def roc_auc(positive_scores, negative_scores):\n"
AUC_CHECKS = """\
    positive, negative = np.asarray(positive_scores, dtype=np.float64), np.asarray(negative_scores, dtype=np.float64)
    if positive.ndim != 1 or negative.ndim != 1 or len(positive) == 0 or len(negative) == 0:
        raise ValueError("bad input")
"""
RANKS = """\
    _, group, counts = np.unique(np.concatenate([positive, negative]), return_inverse=True, return_counts=True)
    ranks = (np.cumsum(counts) - (counts - 1) / 2)[group]
    wins = ranks[:len(positive)].sum() - len(positive) * (len(positive) + 1) / 2
"""

SPECTRAL = "def spectral_embedding(adjacency, dim):\n"
SPECTRAL_READ = """\
    A = adjacency.toarray() if sparse.issparse(adjacency) else np.asarray(adjacency)
    A = A.astype(np.float64)
    n = A.shape[0]
"""
SPECTRAL_CHECKS = """\
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)) or not 1 <= dim <= n - 1:
        raise ValueError("dim")
    degree = A.sum(axis=1)
    if (degree <= 0).any():
        raise ValueError("isolated node")
"""


def spectral(read=SPECTRAL_READ, checks=SPECTRAL_CHECKS, matrix="np.eye(n) - scale[:, None] * A * scale[None, :]",
             columns="vectors[:, 1:dim + 1]", result="scale[:, None] * picked"):
    return {"spectral_embedding": SPECTRAL + read + checks + f"""\
    degree = A.sum(axis=1)
    scale = 1.0 / np.sqrt(degree)
    laplacian = {matrix}
    values, vectors = np.linalg.eigh(laplacian)
    picked = {columns}
    return {result}"""}


STRATIFIED = "def stratified_split(labels, test_fraction, rng):\n"
STRATIFIED_CHECKS = """\
    if isinstance(test_fraction, bool) or not isinstance(test_fraction, (int, float)) or not 0 < test_fraction < 1:
        raise ValueError("test_fraction")
"""


def stratified(checks=STRATIFIED_CHECKS, take="0 if size < 2 else min(max(int(round(test_fraction * size)), 1), size - 1)",
               pick="rng.choice(members, size=take, replace=False).tolist()", order="np.sort(np.array(test, dtype=np.int64))",
               dtype="np.int64"):
    return {"stratified_split": STRATIFIED + "    labels = np.asarray(labels)\n" + checks + f"""\
    test = []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        size = len(members)
        take = {take}
        test.extend({pick})
    test = {order}
    return np.setdiff1d(np.arange(len(labels)), test).astype({dtype}), test.astype({dtype})"""}


CONTRACTS = {
    "uniform_walks": Contract(test="test_uniform_walks", clauses={
        "row r * n + v is walk r from node v (not the walks of one node together)":
            walks(starts="np.repeat(np.arange(n), walks_per_node)"),
        "each next node is a uniformly random neighbour (the last neighbour is never picked)":
            walks(offsets="rng.integers(0, np.maximum(degree[rows] - 1, 1))"),
        "one draw per walker (all walkers share one random number per step)":
            walks(offsets="(rng.random() * degree[rows]).astype(np.int64)"),
        "rng is the source of every draw (the global NumPy generator instead)":
            walks(offsets="np.random.randint(0, degree[rows])"),
        "a walker stops on a node without neighbours (it stays there instead)": {"uniform_walks": WALKS + WALKS_CHECKS + """\
    n = len(indptr) - 1
    walks = np.full((n * walks_per_node, walk_length), -1, dtype=np.int64)
    walks[:, 0] = np.tile(np.arange(n), walks_per_node)
    current = walks[:, 0].copy()
    for step in range(1, walk_length):
        degree = indptr[current + 1] - indptr[current]
        rows = np.flatnonzero(degree > 0)
        current[rows] = indices[indptr[current[rows]] + rng.integers(0, degree[rows])]
        walks[:, step] = current
    return walks"""},
        "the rest of a stopped walk is -1 (zeros instead)": walks(fill="0"),
        "returns int64 (int32 instead)": walks(dtype="np.int32"),
        "walks_per_node >= 1 (only walk_length is checked)": walks(checks="""\
    indptr, indices = np.asarray(indptr), np.asarray(indices)
    if not isinstance(walk_length, (int, np.integer)) or isinstance(walk_length, bool) or walk_length < 1:
        raise ValueError("walk_length")
"""),
        "a graph without nodes gives (0, walk_length) (an empty 1-D array instead)": walks(
            checks=WALKS_CHECKS + "    if len(indptr) < 2:\n        return np.array([], dtype=np.int64)\n"),
        "walk_length must be an int (floats accepted by rounding)": walks(checks="""\
    indptr, indices = np.asarray(indptr), np.asarray(indices)
    walk_length = int(walk_length)
    if walk_length < 1 or walks_per_node < 1:
        raise ValueError("bad sizes")
"""),
    }),
    "node2vec_probabilities": Contract(test="test_node2vec_probabilities", clauses={
        "going back is weighted 1/p (p instead)": probabilities(back="p"),
        "moving away is weighted 1/q (q instead)": probabilities(away="q"),
        "a neighbour of previous is weighted 1 (1/q like any other node)": probabilities(near="1.0 / q"),
        "edge weights multiply the bias (ignored)": probabilities(bias="np.ones(stop - start)"),
        "probabilities in CSR order (sorted by node id instead)":
            probabilities(finish="order = np.argsort(neighbours)\n    return (bias / bias.sum())[order]"),
        "the first step is proportional to the weights (uniform instead)":
            probabilities(first="if previous == -1:\n        return np.full(len(neighbours), 1.0 / len(neighbours))"),
        "sums to 1 (not normalised)": probabilities(finish="return bias"),
        "a node without neighbours gives an empty float64 array (a list instead)": probabilities(dead="return []"),
        "a single neighbour gets 1.0 as a float64 array (an int array [1] instead)":
            probabilities(first="if len(neighbours) == 1:\n        return np.array([1])"),
        "p and q must be > 0 (not checked)": probabilities(checks=""),
        "returns float64 (float32 instead)": probabilities(finish="return (bias / bias.sum()).astype(np.float32)"),
    }),
    "split_edges": Contract(test="test_split_edges", clauses={
        "a spanning forest stays in training (test edges drawn from all edges)": split(pool="np.arange(len(edges))"),
        "round(test_fraction * m) test edges (rounded down instead)": split(count="int(test_fraction * len(edges))"),
        "at most the edges outside the forest (forest edges added when there are too few)":
            split(pick="np.concatenate([rng.choice(candidates, size=take, replace=False), "
                       "rng.permutation(np.flatnonzero(in_forest))[:int(round(test_fraction * len(edges))) - take]])"),
        "the forest is built from the edges in a random order (input order instead)":
            split(order="np.arange(len(edges))"),
        "test edges drawn uniformly among the non-forest edges (the first ones in the forest's order instead)":
            split(pick="order[~in_forest[order]][:take]"),
        "rng is the source of every draw (the global NumPy generator instead)": split(order="np.random.permutation(len(edges))"),
        "test_fraction must be in [0, 1) (not checked)": split(checks="    edges = np.asarray(edges)\n"),
        "returns int64 (int32 instead)": split(dtype="np.int32"),
        "rows as in edges (each pair written (v, u) instead)": split(rows="edges[:, ::-1]"),
        "no edges give a (0, 2) train_edges (rows gathered in a list: shape (0,))":
            split(train="np.array([tuple(e) for e in edges[~test]], dtype=np.int64)"),
        "a single edge stays in training (edges squeezed: one edge becomes shape (2,))":
            split(checks=SPLIT_CHECKS + "    edges = np.squeeze(edges)\n"),
    }),
    "sample_non_edges": Contract(test="test_split_edges", clauses={
        "negatives are not edges (edges not excluded)": non_edges(accept="u != v"),
        "pairs are distinct (duplicates kept)": non_edges(chosen="[]", store="chosen.append(pair)",
                                                          result="np.array(chosen, dtype=np.int64).reshape(count, 2)"),
        "u < v (pairs left as drawn)": non_edges(pair="(u, v)", accept="u != v and (min(u, v), max(u, v)) not in taken "
                                                                    "and (v, u) not in chosen"),
        "uniform over non-edges (first node uniform, then a partner)": non_edges(
            draw="u = int(rng.integers(0, n))\n        free = [w for w in range(u + 1, n) if (u, w) not in taken and (u, w) not in chosen]\n"
                 "        if not free:\n            continue\n        v = int(rng.choice(free))"),
        "count above the number of non-edges raises ValueError (silently capped)": non_edges(
            checks="count = min(count, available)\n    if count < 0:\n        raise ValueError('count')"),
        "count = 0 gives shape (0, 2) (shape (0,) instead)": non_edges(result="np.array(list(chosen), dtype=np.int64)"),
        "returns int64 (int32 instead)": non_edges(result="np.array(list(chosen), dtype=np.int32).reshape(count, 2)"),
        "edges may be empty (a graph without edges refused)": non_edges(
            checks="if len(edges) == 0:\n        raise ValueError('edges')\n"
                   "    if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or not 0 <= count <= available:\n"
                   "        raise ValueError('count')"),
        "count = 1 gives shape (1, 2) (squeezed to (2,))":
            non_edges(result="np.array(list(chosen), dtype=np.int64).reshape(count, 2).squeeze()"),
    }),
    "edge_scores": Contract(test="test_roc_auc", clauses={
        "dot products (cosines instead)": {"roc_auc": swap(ASSIGNMENT, "roc_auc", """\
def edge_scores(vectors, pairs):
    vectors = np.asarray(vectors, dtype=np.float64)
    vectors = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors[pairs[:, 0]] * vectors[pairs[:, 1]]).sum(1)""")["roc_auc"]},
        "zero pairs give an empty (0,) array (np.vectorize, which refuses empty inputs)": {"roc_auc": swap(ASSIGNMENT, "roc_auc", """\
def edge_scores(vectors, pairs):
    vectors, pairs = np.asarray(vectors, dtype=np.float64), np.asarray(pairs)
    return np.vectorize(lambda u, v: float(vectors[u] @ vectors[v]))(pairs[:, 0], pairs[:, 1])""")["roc_auc"]},
        "one pair gives shape (1,) (batched matmul squeezed to a 0-d array)": {"roc_auc": swap(ASSIGNMENT, "roc_auc", """\
def edge_scores(vectors, pairs):
    vectors, pairs = np.asarray(vectors, dtype=np.float64), np.asarray(pairs)
    return (vectors[pairs[:, 0]][:, None, :] @ vectors[pairs[:, 1]][:, :, None]).squeeze()""")["roc_auc"]},
        "returns float64 (the vectors' dtype instead)": {"roc_auc": swap(ASSIGNMENT, "roc_auc", """\
def edge_scores(vectors, pairs):
    vectors = np.asarray(vectors)
    return (vectors[pairs[:, 0]] * vectors[pairs[:, 1]]).sum(1)""")["roc_auc"]},
    }),
    "roc_auc": Contract(test="test_roc_auc", clauses={
        "ties count one half (strict wins only)": swap(ASSIGNMENT, "roc_auc", AUC + AUC_CHECKS + """\
    return float((positive[:, None] > negative[None, :]).mean())"""),
        "a positive scoring above a negative is a win (reversed)": swap(ASSIGNMENT, "roc_auc", AUC + AUC_CHECKS + RANKS + """\
    return float(1 - wins / (len(positive) * len(negative)))"""),
        "1-D arrays only (flattened instead)": swap(ASSIGNMENT, "roc_auc", AUC + """\
    positive, negative = np.ravel(positive_scores).astype(float), np.ravel(negative_scores).astype(float)
    if len(positive) == 0 or len(negative) == 0:
        raise ValueError("empty")
""" + RANKS + """\
    return float(wins / (len(positive) * len(negative)))"""),
        "empty input raises ValueError (nan instead)": swap(ASSIGNMENT, "roc_auc", AUC + """\
    positive, negative = np.asarray(positive_scores, dtype=np.float64), np.asarray(negative_scores, dtype=np.float64)
    if positive.ndim != 1 or negative.ndim != 1:
        raise ValueError("bad input")
    if len(positive) == 0 or len(negative) == 0:
        return float("nan")
""" + RANKS + """\
    return float(wins / (len(positive) * len(negative)))"""),
        "one score on each side: a tie gives 0.5 (a one-pair shortcut that forgets ties)": swap(
            ASSIGNMENT, "roc_auc", AUC + AUC_CHECKS + """\
    if len(positive) == 1 and len(negative) == 1:
        return float(positive[0] > negative[0])
""" + RANKS + """\
    return float(wins / (len(positive) * len(negative)))"""),
        "returns a Python float (a 0-d array instead)": swap(ASSIGNMENT, "roc_auc", AUC + AUC_CHECKS + RANKS + """\
    return np.array(wins / (len(positive) * len(negative)))"""),
    }),
    "spectral_embedding": Contract(test="test_spectral_embedding", clauses={
        "the trivial eigenvector u_0 is skipped (kept)": spectral(columns="vectors[:, :dim]"),
        "the normalised Laplacian (D - A instead)": spectral(matrix="np.diag(degree) - A"),
        "columns scaled by D^-1/2 (unscaled eigenvectors)": spectral(result="picked"),
        "the weights are used (binarised)": spectral(read=SPECTRAL_READ + "    A = (A > 0).astype(np.float64)\n"),
        "eigenvalues by increasing value (the largest instead)": spectral(columns="vectors[:, ::-1][:, :dim]"),
        "dim <= n - 1 (dim = n accepted)": spectral(checks="""\
    if not 1 <= dim <= n:
        raise ValueError("dim")
    if (A.sum(axis=1) <= 0).any():
        raise ValueError("isolated node")
"""),
        "an isolated node raises ValueError (not checked)": spectral(checks="""\
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)) or not 1 <= dim <= n - 1:
        raise ValueError("dim")
"""),
        "a graph of fewer than 2 nodes raises ValueError (a zero embedding instead)":
            spectral(checks="    if n < 2:\n        return np.zeros((n, dim))\n" + SPECTRAL_CHECKS),
        "accepts a scipy sparse matrix (NumPy only)": spectral(read="""\
    A = np.asarray(adjacency).astype(np.float64)
    n = A.shape[0]
"""),
        "returns float64 (float32 instead)": spectral(result="(scale[:, None] * picked).astype(np.float32)"),
    }),
    "stratified_split": Contract(test="test_stratified_split", clauses={
        "round(test_fraction * c) per class (rounded down)":
            stratified(take="0 if size < 2 else min(max(int(test_fraction * size), 1), size - 1)"),
        "at least one test node per class of two or more (zero allowed)":
            stratified(take="0 if size < 2 else min(int(round(test_fraction * size)), size - 1)"),
        "at most c - 1 test nodes per class (the whole class allowed)":
            stratified(take="0 if size < 2 else max(int(round(test_fraction * size)), 1)"),
        "a class of one node stays in train (sent to test)":
            stratified(take="min(max(int(round(test_fraction * size)), 1), max(size - 1, 1))"),
        "nodes chosen at random within a class (the first ones instead)": stratified(pick="members[:take].tolist()"),
        "rng is the source of every draw (the global NumPy generator instead)":
            stratified(pick="np.random.choice(members, size=take, replace=False).tolist()"),
        "sorted outputs (test in drawing order)": stratified(order="np.array(test, dtype=np.int64)"),
        "test_fraction strictly between 0 and 1 (not checked)": stratified(checks=""),
        "returns int64 (int32 instead)": stratified(dtype="np.int32"),
        "empty labels give two empty int64 arrays (np.concatenate of no per-class arrays raises)":
            stratified(pick="[rng.choice(members, size=take, replace=False)]",
                       order="np.sort(np.concatenate(test)).astype(np.int64)"),
        "a single node goes to train (labels squeezed: one label becomes a 0-d array)":
            stratified(checks="    labels = np.squeeze(labels)\n" + STRATIFIED_CHECKS),
    }),
}
