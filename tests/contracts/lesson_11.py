"""Lesson 11, inside embedding spaces: each clause of each graded docstring and a wrong answer that breaks only it."""
from contracts import Contract
from contracts._solution import swap_tagged

ASSIGNMENT = "11_inside_embedding_spaces"


def tagged(source, grade_id, **edits):
    """`source` with the lines tagged `# @name` replaced by edits[name], swapped into grade_id."""
    return swap_tagged(ASSIGNMENT, grade_id, source, **edits)


MEAN_PAIRWISE_COSINE = '''
def mean_pairwise_cosine(X):
    X = np.asarray(X, dtype=np.float64)                                     # @asarray
    if X.ndim != 2 or len(X) < 2:                                           # @shape
        raise ValueError("X")
    norms = np.linalg.norm(X, axis=1)                                       # @norms
    if np.any(norms == 0):                                                  # @zero
        raise ValueError("X")
    n = len(X)
    s = (X / norms[:, None]).sum(axis=0)                                    # @sum
    return float((s @ s - n) / (n * (n - 1)))                               # @return
'''


def mean_pairwise_cosine(**edits):
    return tagged(MEAN_PAIRWISE_COSINE, "anisotropy", **edits)


ISOTROPY = '''
def isotropy(X):
    X = np.asarray(X, dtype=np.float64)                                     # @asarray
    _, _, Vt = np.linalg.svd(X, full_matrices=len(X) < X.shape[1])          # @svd
    directions = np.concatenate([Vt, -Vt])                                  # @directions
    scores = X @ directions.T                                               # @scores
    peak = scores.max(axis=0)                                               # @peak
    log_z = peak + np.log(np.exp(scores - peak).sum(axis=0))                # @logz
    return float(np.exp(log_z.min() - log_z.max()))                        # @return
'''


def isotropy(**edits):
    return tagged(ISOTROPY, "anisotropy", **edits)


ALL_BUT_THE_TOP = '''
def all_but_the_top(X, D):
    if isinstance(D, bool) or not isinstance(D, (int, np.integer)):         # @type
        raise ValueError("D")
    X = np.asarray(X, dtype=np.float64)                                     # @asarray
    if not 0 <= D <= min(X.shape):                                          # @range
        raise ValueError("D")
    centred = X - X.mean(axis=0)                                            # @centre
    if D == 0:                                                              # @zero
        return centred                                                      # @zeroreturn
    _, _, Vt = np.linalg.svd(centred, full_matrices=False)                  # @svd
    top = Vt[:D]                                                            # @top
    return centred - (centred @ top.T) @ top                                # @return
'''


def all_but_the_top(**edits):
    return tagged(ALL_BUT_THE_TOP, "all_but_the_top", **edits)


EFFECTIVE_RANK = '''
def effective_rank(X):
    X = np.asarray(X, dtype=np.float64)                                     # @asarray
    if len(np.unique(X, axis=0)) < 2:                                       # @zero
        raise ValueError("X")
    s = np.linalg.svd(X - X.mean(axis=0), compute_uv=False)                 # @svd
    p = s / s.sum()                                                         # @p
    p = p[p > 0]                                                            # @positive
    return float(np.exp(-(p * np.log(p)).sum()))                            # @return
'''


def effective_rank(**edits):
    return tagged(EFFECTIVE_RANK, "layer_geometry", **edits)


TWONN = '''
def twonn_dimension(X, discard=0.1):                                        # @def
    if isinstance(discard, bool) or not isinstance(discard, (int, float, np.integer, np.floating)) or not 0 <= discard < 1:   # @discard
        raise ValueError("discard")
    X = np.asarray(X, dtype=np.float64)                                     # @asarray
    if X.ndim != 2 or len(X) < 3:                                           # @rows
        raise ValueError("X")
    X = X - X.mean(axis=0)                                                  # @centre
    squared = (X * X).sum(axis=1)
    d2 = squared[:, None] + squared[None, :] - 2 * X @ X.T                  # @d2
    np.fill_diagonal(d2, np.inf)                                            # @diag
    m = min(3, len(X) - 1)                                                  # @candidates
    near = np.argpartition(d2, m - 1, axis=1)[:, :m]                        # @near
    exact = np.sort(np.linalg.norm(X[:, None, :] - X[near], axis=2), axis=1)   # @exact
    r1, r2 = exact[:, 0], exact[:, 1]                                       # @r
    keep = r1 > 0                                                           # @keep
    mu = np.sort(r2[keep] / r1[keep])                                       # @mu
    m = len(mu)
    used = min(int(np.floor(m * (1 - discard))), m - 1)                     # @used
    if used < 1:
        raise ValueError("X")
    x = np.log(mu[:used])                                                   # @x
    y = -np.log(1 - np.arange(1, used + 1) / m)                             # @y
    if x @ x == 0:                                                          # @flat
        raise ValueError("X")
    return float(x @ y / (x @ x))                                           # @return
'''


def twonn_dimension(**edits):
    return tagged(TWONN, "layer_geometry", **edits)


LINEAR_CKA = '''
def linear_cka(X, Y):
    X = np.asarray(X, dtype=np.float64)                                     # @x
    Y = np.asarray(Y, dtype=np.float64)                                     # @y
    if len(X) != len(Y):                                                    # @rows
        raise ValueError("Y")
    if len(np.unique(X, axis=0)) < 2:                                       # @zx
        raise ValueError("X")
    if len(np.unique(Y, axis=0)) < 2:                                       # @zy
        raise ValueError("Y")
    X = X - X.mean(axis=0)                                                  # @cx
    Y = Y - Y.mean(axis=0)                                                  # @cy
    return float(np.linalg.norm(Y.T @ X) ** 2 / (np.linalg.norm(X.T @ X) * np.linalg.norm(Y.T @ Y)))   # @return
'''


def linear_cka(**edits):
    return tagged(LINEAR_CKA, "linear_cka", **edits)


PROCRUSTES = '''
def procrustes(X, Y):
    X = np.asarray(X, dtype=np.float64)                                     # @x
    Y = np.asarray(Y, dtype=np.float64)                                     # @y
    if X.shape != Y.shape:                                                  # @shape
        raise ValueError("Y")
    U, _, Vt = np.linalg.svd(X.T @ Y)                                       # @svd
    return U @ Vt                                                           # @return
'''


def procrustes(**edits):
    return tagged(PROCRUSTES, "procrustes_csls", **edits)


CSLS = '''
def csls(queries, targets, k=10, sources=None, block=1024):                 # @def
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):         # @ktype
        raise ValueError("k")

    def unit(a):
        a = np.asarray(a, dtype=np.float32)                                 # @asarray
        return a / np.linalg.norm(a, axis=1, keepdims=True)                 # @unit

    Q, T = unit(queries), unit(targets)
    S = Q if sources is None else unit(sources)                             # @S
    if not 1 <= k <= min(len(T), len(S)):                                   # @krange
        raise ValueError("k")

    def top_k_mean(A, B):
        out = np.empty(len(A), dtype=np.float32)                            # @out
        for first in range(0, len(A), block):                               # @loop
            sims = A[first:first + block] @ B.T                             # @sims
            out[first:first + block] = -np.partition(-sims, k - 1, axis=1)[:, :k].mean(axis=1)   # @topk
        return out                                                          # @outreturn

    r_t, r_s = top_k_mean(Q, T), top_k_mean(T, S)                           # @r
    return (2 * (Q @ T.T) - r_t[:, None] - r_s[None, :]).astype(np.float32)   # @return
'''

SORTED_TOP_K = "out[first:first + block] = np.sort(sims, axis=1)[:, ::-1][:, :k].mean(axis=1)"


def csls(**edits):
    return tagged(CSLS, "procrustes_csls", **edits)


CONTROL_LABELS = '''
def control_labels(types, labels, seed=0):                                  # @def
    types = np.asarray(types)                                               # @types
    labels = np.asarray(labels)                                             # @labels
    if labels.shape != types.shape:                                         # @shape
        raise ValueError("labels")
    distinct, first, inverse = np.unique(types, return_index=True, return_inverse=True)   # @unique
    class_of_type = labels[first]
    if np.any(class_of_type[inverse] != labels):                            # @consistent
        raise ValueError("labels")
    perm = np.random.default_rng(seed).permutation(len(distinct))           # @perm
    return class_of_type[perm][inverse].astype(np.int64)                    # @return
'''


def control_labels(**edits):
    return tagged(CONTROL_LABELS, "control_labels", **edits)


TOPK_RELU = '''
def topk_relu(pre, k):
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= pre.shape[-1]:   # @k
        raise ValueError("k")
    values, indices = torch.topk(pre, int(k), dim=-1)                       # @topk
    return torch.zeros_like(pre).scatter(-1, indices, torch.relu(values))   # @return
'''


def topk_relu(**edits):
    return tagged(TOPK_RELU, "sparse_autoencoder", **edits)


FVU = '''
def fraction_of_variance_unexplained(x, x_hat):
    as_array = lambda a: a.detach().cpu().double().numpy() if torch.is_tensor(a) else np.asarray(a, dtype=np.float64)   # @as_array
    x, x_hat = as_array(x), as_array(x_hat)                                 # @convert
    if x.shape != x_hat.shape:                                              # @shape
        raise ValueError("x_hat")
    if len(np.unique(x, axis=0)) < 2:                                       # @constant
        raise ValueError("x")
    spread = ((x - x.mean(axis=0)) ** 2).sum()                              # @spread
    return float(((x - x_hat) ** 2).sum() / spread)                         # @return
'''


def fvu(**edits):
    return tagged(FVU, "sparse_autoencoder", **edits)


CONTRACTS = {
    "mean_pairwise_cosine": Contract(test="test_anisotropy", clauses={
        "cosines of unit rows, not dot products": mean_pairwise_cosine(sum="s = X.sum(axis=0)"),
        "the n diagonal terms u_i . u_i are subtracted": mean_pairwise_cosine(**{"return": "return float((s @ s) / (n * (n - 1)))"}),
        "divided by n (n - 1), not n^2": mean_pairwise_cosine(**{"return": "return float((s @ s - n) / (n * n))"}),
        "ordered pairs: not divided by n (n - 1) / 2": mean_pairwise_cosine(**{"return": "return float((s @ s - n) / (n * (n - 1) / 2))"}),
        "returns a Python float": mean_pairwise_cosine(**{"return": "return np.float32((s @ s - n) / (n * (n - 1)))"}),
        "one row raises ValueError (no pair)": mean_pairwise_cosine(shape="if X.ndim != 2 or len(X) == 0:"),
        "zero rows raise ValueError": mean_pairwise_cosine(shape="if X.ndim != 2 or len(X) == 1:"),
        "a row of zeros raises ValueError": mean_pairwise_cosine(zero="if False:"),
        "a 1-D X raises ValueError (not read as a column)": mean_pairwise_cosine(
            asarray="X = np.asarray(X, dtype=np.float64)\nX = X.reshape(len(X), -1)"),
        "X is not modified (no in-place normalising)": mean_pairwise_cosine(
            asarray="X = np.asarray(X)", sum="X /= norms[:, None]\ns = X.astype(np.float64).sum(axis=0)"),
        "X is not modified (float64 input: np.asarray returns it)": mean_pairwise_cosine(
            sum="X /= norms[:, None]\ns = X.sum(axis=0)"),
        "only exact zero rows are rejected (tiny rows are valid)": mean_pairwise_cosine(zero="if np.any(np.isclose(norms, 0)):"),
        "computed in float64 (float32 input)": mean_pairwise_cosine(asarray="X = np.asarray(X, dtype=np.float32)"),
        "O(n d) memory: no (n, n) matrix of cosines": mean_pairwise_cosine(
            sum="U = X / norms[:, None]\nG = U @ U.T", **{"return": "return float((G.sum() - np.trace(G)) / (n * (n - 1)))"}),
        "accepts nested lists": mean_pairwise_cosine(asarray="X = X.astype(np.float64)"),
    }),
    "isotropy": Contract(test="test_anisotropy", clauses={
        "both signs of every direction": isotropy(directions="directions = Vt"),
        "X used as it is, not centred": isotropy(asarray="X = np.asarray(X, dtype=np.float64)\nX = X - X.mean(axis=0)"),
        "right singular vectors are the rows of Vt, not its columns": isotropy(directions="directions = np.concatenate([Vt.T, -Vt.T])"),
        "log-sum-exp: rows of large norm do not overflow": isotropy(logz="log_z = np.log(np.exp(scores).sum(axis=0))"),
        "computed in float64": isotropy(asarray="X = np.asarray(X, dtype=np.float32)"),
        "min Z over max Z, not max over min": isotropy(**{"return": "return float(np.exp(log_z.max() - log_z.min()))"}),
        "the ratio of Z, not the difference of log Z": isotropy(**{"return": "return float(log_z.min() - log_z.max())"}),
        "returns a Python float": isotropy(**{"return": "return np.asarray(np.exp(log_z.min() - log_z.max()))"}),
        "X is not modified": isotropy(asarray="X_in = np.asarray(X)\nX_in[:] = X_in[np.argsort(np.linalg.norm(X_in, axis=1))]\nX = X_in.astype(np.float64)"),
        "all d right singular vectors, the null directions too (n < d)": isotropy(svd="_, _, Vt = np.linalg.svd(X, full_matrices=False)"),
        "accepts nested lists": isotropy(asarray="X = X.astype(np.float64)"),
        "float32 X is computed in float64": isotropy(asarray="X = np.asarray(X)"),
    }),
    "all_but_the_top": Contract(test="test_all_but_the_top", clauses={
        "the mean row is subtracted": all_but_the_top(centre="centred = X"),
        "the mean row (over axis 0), not each row's mean": all_but_the_top(centre="centred = X - X.mean(axis=1, keepdims=True)"),
        "directions of the centred rows, not of X": all_but_the_top(svd="_, _, Vt = np.linalg.svd(X, full_matrices=False)"),
        "the top D directions, not the bottom D": all_but_the_top(top="top = Vt[-D:]"),
        "exactly D directions (not D + 1)": all_but_the_top(top="top = Vt[:D + 1]"),
        "directions are the rows of Vt, not its columns": all_but_the_top(top="top = Vt.T[:D]"),
        "the projection is removed, not kept": all_but_the_top(**{"return": "return (centred @ top.T) @ top"}),
        "D = 0 only centres": all_but_the_top(zeroreturn="return X"),
        "D above min(n, d) raises ValueError": all_but_the_top(range="if D < 0:"),
        "D is bounded by n as well as d": all_but_the_top(range="if not 0 <= D <= X.shape[1]:"),
        "a negative D raises ValueError": all_but_the_top(range="if D > min(X.shape):"),
        "a float or None D raises ValueError": all_but_the_top(type="if isinstance(D, bool):"),
        "a bool D raises ValueError": all_but_the_top(type="if not isinstance(D, (int, np.integer)):"),
        "a NumPy integer D is accepted": all_but_the_top(type="if isinstance(D, bool) or not isinstance(D, int):"),
        "returns float64 for float32 X": all_but_the_top(asarray="X = np.asarray(X)"),
        "X is not modified (no in-place centring)": all_but_the_top(centre="X -= X.mean(axis=0)\ncentred = X"),
        "accepts nested lists": all_but_the_top(asarray="X = X.astype(np.float64)"),
    }),
    "effective_rank": Contract(test="test_layer_geometry", clauses={
        "the rows are centred first": effective_rank(svd="s = np.linalg.svd(X, compute_uv=False)"),
        "singular values, not their squares": effective_rank(p="p = s ** 2 / (s ** 2).sum()"),
        "p normalised by the sum, not the norm": effective_rank(p="p = s / np.linalg.norm(s)"),
        "exp of the entropy, not the entropy": effective_rank(**{"return": "return float(-(p * np.log(p)).sum())"}),
        "natural log inside the exp (not log2)": effective_rank(**{"return": "return float(np.exp(-(p * np.log2(p)).sum()))"}),
        "terms with p_i = 0 count 0 (no nan from 0 log 0)": effective_rank(positive="pass"),
        "constant rows raise ValueError": effective_rank(zero="if False:"),
        "returns a Python float": effective_rank(**{"return": "return np.float32(np.exp(-(p * np.log(p)).sum()))"}),
        "X is not modified (no in-place centring)": effective_rank(
            asarray="X = np.asarray(X)\nX -= X.mean(axis=0)\nX = X.astype(np.float64)"),
        "X is not modified (float64 input: np.asarray returns it)": effective_rank(
            asarray="X = np.asarray(X, dtype=np.float64)\nX -= X.mean(axis=0)", svd="s = np.linalg.svd(X, compute_uv=False)"),
        "small is not constant (no tolerance on the singular values)": effective_rank(
            zero="s = np.linalg.svd(X - X.mean(axis=0), compute_uv=False)\nif s.sum() < 1e-8:", svd=""),
        "every non-zero singular value counts (no cut below 1e-3 of the largest)": effective_rank(
            p="s = s[s > 1e-3 * s.max()]\np = s / s.sum()"),
        "rows equal up to rounding count as no variation (not a centred all-zero test)": effective_rank(
            zero="s = np.linalg.svd(X - X.mean(axis=0), compute_uv=False)\nif s.sum() == 0:", svd=""),
        "accepts nested lists": effective_rank(asarray="X = X.astype(np.float64)"),
        "float32 X is computed in float64": effective_rank(asarray="X = np.asarray(X)"),
    }),
    "twonn_dimension": Contract(test="test_layer_geometry", clauses={
        "mu = r2 / r1, not r1 / r2": twonn_dimension(mu="mu = np.sort(r1[keep] / r2[keep])"),
        "the nearest and second-nearest, not first and third": twonn_dimension(r="r1, r2 = exact[:, 0], exact[:, 2]"),
        "Euclidean distances, not squared": twonn_dimension(
            exact="exact = np.sort(((X[:, None, :] - X[near]) ** 2).sum(axis=2), axis=1)"),
        "mu sorted in increasing order": twonn_dimension(mu="mu = r2[keep] / r1[keep]"),
        "F_i = i / m, not i / (m + 1)": twonn_dimension(y="y = -np.log(1 - np.arange(1, used + 1) / (m + 1))"),
        "m counts the rows left after dropping duplicates, not n": twonn_dimension(y="y = -np.log(1 - np.arange(1, used + 1) / len(X))"),
        "rows with r1 = 0 are dropped": twonn_dimension(keep="keep = r1 >= 0"),
        "a duplicate counts at distance 0 (not skipped for the next distinct row)": twonn_dimension(
            exact="exact = np.linalg.norm(X[:, None, :] - X[near], axis=2)\nexact[exact == 0] = np.inf\nexact = np.sort(exact, axis=1)"),
        "a duplicate has r1 exactly 0 (exact distances, not the expanded formula)": twonn_dimension(
            d2="d2 = np.maximum(squared[:, None] + squared[None, :] - 2 * X @ X.T, 0)", candidates="", near="",
            exact="two = np.sqrt(np.partition(d2, 1, axis=1)[:, :2])", r="r1, r2 = two.min(axis=1), two.max(axis=1)"),
        "floor(m (1 - discard)) ratios kept, not rounded up": twonn_dimension(
            used="used = min(int(np.ceil(m * (1 - discard))), m - 1)"),
        "the largest ratios are left out, not the smallest": twonn_dimension(
            x="x = np.log(mu[m - 1 - used:m - 1])", y="y = -np.log(1 - np.arange(m - used, m) / m)"),
        "never the m-th ratio (discard = 0)": twonn_dimension(used="used = int(np.floor(m * (1 - discard)))"),
        "least squares through the origin, not with an intercept": twonn_dimension(**{"return": "return float(np.polyfit(x, y, 1)[0])"}),
        "d = sum(x y) / sum(x x), not its inverse": twonn_dimension(**{"return": "return float(x @ x / (x @ y))"}),
        "default discard = 0.1": twonn_dimension(**{"def": "def twonn_dimension(X, discard=0.0):"}),
        "a negative discard raises ValueError": twonn_dimension(
            discard="if isinstance(discard, bool) or not isinstance(discard, (int, float, np.integer, np.floating)) or not discard < 1:"),
        "a None discard raises ValueError (not TypeError)": twonn_dimension(discard="if isinstance(discard, bool) or not 0 <= discard < 1:"),
        "a bool discard raises ValueError": twonn_dimension(
            discard="if not isinstance(discard, (int, float, np.integer, np.floating)) or not 0 <= discard < 1:"),
        "fewer than three rows raise ValueError": twonn_dimension(rows="if X.ndim != 2 or len(X) < 2:"),
        "sum(x x) = 0 raises ValueError": twonn_dimension(flat="if False:"),
        "returns a Python float": twonn_dimension(**{"return": "return np.float32(x @ y / (x @ x))"}),
        "X is not modified (no in-place centring)": twonn_dimension(
            asarray="X = np.asarray(X)\nX -= X.mean(axis=0)\nX = X.astype(np.float64)"),
        "exact distances, not sklearn's expanded formula (a 384-wide duplicate has r1 = 0)": twonn_dimension(
            d2="", diag="", candidates="", near="",
            exact="from sklearn.neighbors import NearestNeighbors\nexact = NearestNeighbors(n_neighbors=3).fit(X).kneighbors(X)[0][:, 1:]"),
        "accepts nested lists": twonn_dimension(asarray="X = X.astype(np.float64)"),
        "distances in float64 (float32 input)": twonn_dimension(asarray="X = np.asarray(X)"),
    }),
    "linear_cka": Contract(test="test_linear_cka", clauses={
        "rows equal up to rounding count as no variation (not a centred all-zero test)": linear_cka(
            zx="if not (X - X.mean(axis=0)).any():", zy="if not (Y - Y.mean(axis=0)).any():"),
        "float32 inputs are computed in float64": linear_cka(x="X = np.asarray(X)", y="Y = np.asarray(Y)"),
        "the columns of X are centred": linear_cka(cx="pass"),
        "the columns of Y are centred": linear_cka(cy="pass"),
        "columns centred (axis 0), not rows": linear_cka(
            cx="X = X - X.mean(axis=1, keepdims=True)", cy="Y = Y - Y.mean(axis=1, keepdims=True)"),
        "the numerator is squared": linear_cka(
            **{"return": "return float(np.linalg.norm(Y.T @ X) / (np.linalg.norm(X.T @ X) * np.linalg.norm(Y.T @ Y)))"}),
        "the denominator's norms are not squared": linear_cka(
            **{"return": "return float(np.linalg.norm(Y.T @ X) ** 2 / (np.linalg.norm(X.T @ X) ** 2 * np.linalg.norm(Y.T @ Y) ** 2))"}),
        "Frobenius norms, not spectral": linear_cka(
            **{"return": "return float(np.linalg.norm(Y.T @ X, 2) ** 2 / (np.linalg.norm(X.T @ X, 2) * np.linalg.norm(Y.T @ Y, 2)))"}),
        "Y^T X (features), not X Y^T": linear_cka(
            **{"return": "return float(np.linalg.norm(X @ Y.T) ** 2 / (np.linalg.norm(X.T @ X) * np.linalg.norm(Y.T @ Y)))"}),
        "a constant X raises ValueError": linear_cka(zx="if False:"),
        "a constant Y raises ValueError": linear_cka(zy="if False:"),
        "constant, not only all-zero, X raises ValueError": linear_cka(zx="if not X.any():"),
        "constant, not only all-zero, Y raises ValueError": linear_cka(zy="if not Y.any():"),
        "equal rows, not only equal entries, count as no variation": linear_cka(
            zx="if np.all(X == X.flat[0]):", zy="if np.all(Y == Y.flat[0]):"),
        "returns a Python float": linear_cka(
            **{"return": "return np.float32(np.linalg.norm(Y.T @ X) ** 2 / (np.linalg.norm(X.T @ X) * np.linalg.norm(Y.T @ Y)))"}),
        "Y is not modified (no in-place centring)": linear_cka(cy="Y -= Y.mean(axis=0)"),
        "accepts nested lists": linear_cka(x="X = X.astype(np.float64)", y="Y = Y.astype(np.float64)"),
    }),
    "procrustes": Contract(test="test_procrustes_csls", clauses={
        "the SVD of X^T Y, not Y^T X": procrustes(svd="U, _, Vt = np.linalg.svd(Y.T @ X)"),
        "W = U V^T with V^T as returned": procrustes(**{"return": "return U @ Vt.T"}),
        "orthogonal, not least squares": procrustes(svd="pass", **{"return": "return np.linalg.lstsq(X, Y, rcond=None)[0]"}),
        "the singular values dropped (U V^T, not U S V^T)": procrustes(
            svd="U, S, Vt = np.linalg.svd(X.T @ Y)", **{"return": "return U @ np.diag(S) @ Vt"}),
        "reflections allowed (no det = +1 correction)": procrustes(
            **{"return": "return U @ np.diag([1.0] * (len(Vt) - 1) + [np.sign(np.linalg.det(U @ Vt))]) @ Vt"}),
        "a different d raises ValueError": procrustes(
            shape="if len(X) != len(Y):", svd="U, _, Vt = np.linalg.svd(X.T @ Y, full_matrices=False)"),
        "returns float64 for float32 inputs": procrustes(x="X = np.asarray(X)", y="Y = np.asarray(Y)"),
        "Y is not modified (no in-place scaling)": procrustes(y="Y = np.asarray(Y)\nY /= np.linalg.norm(Y)\nY = Y.astype(np.float64)"),
        "W^T W = I when X^T Y is rank-deficient (no inverse square root of M^T M)": procrustes(
            svd="M = X.T @ Y\nw, V = np.linalg.eigh(M.T @ M)",
            **{"return": "return M @ V @ np.diag(1 / np.sqrt(np.maximum(w, 1e-300))) @ V.T"}),
        "accepts nested lists": procrustes(x="X = X.astype(np.float64)", y="Y = Y.astype(np.float64)"),
    }),
    "csls": Contract(test="test_procrustes_csls", clauses={
        "rows scaled to unit length (cosines)": csls(unit="return a"),
        "sources = None means the queries, not the targets": csls(S="S = T if sources is None else unit(sources)"),
        "sources are used when given": csls(S="S = Q"),
        "r_T over the targets, not the sources": csls(r="r_t, r_s = top_k_mean(Q, S), top_k_mean(T, S)"),
        "the k most similar, not the k least": csls(
            topk="out[first:first + block] = np.partition(sims, k - 1, axis=1)[:, :k].mean(axis=1)"),
        "k neighbours, not k + 1": csls(
            topk="out[first:first + block] = -np.partition(-sims, k - 1, axis=1)[:, :k + 1].mean(axis=1)"),
        "the mean of the k, not the k-th alone": csls(
            topk="out[first:first + block] = -np.partition(-sims, k - 1, axis=1)[:, k - 1]"),
        "2 cos(x, y), not cos(x, y)": csls(**{"return": "return (Q @ T.T - r_t[:, None] - r_s[None, :]).astype(np.float32)"}),
        "r_S subtracted, not added": csls(**{"return": "return (2 * (Q @ T.T) - r_t[:, None] + r_s[None, :]).astype(np.float32)"}),
        "default k = 10": csls(**{"def": "def csls(queries, targets, k=5, sources=None, block=1024):"}),
        "every block is scored, the last partial one too": csls(loop="for first in range(0, len(A) // block * block, block):"),
        "k above the number of sources raises ValueError": csls(krange="if not 1 <= k:", topk=SORTED_TOP_K),
        "k above the number of targets raises ValueError": csls(krange="if not 1 <= k <= len(S):", topk=SORTED_TOP_K),
        "k = 0 raises ValueError": csls(krange="if not k <= min(len(T), len(S)):"),
        "a float or None k raises ValueError": csls(ktype="if isinstance(k, bool):"),
        "a bool k raises ValueError": csls(ktype="if not isinstance(k, (int, np.integer)):"),
        "a NumPy integer k is accepted": csls(ktype="if isinstance(k, bool) or not isinstance(k, int):"),
        "k = min(t, s) is allowed": csls(krange="if not 1 <= k < min(len(T), len(S)):"),
        "works in and returns float32": csls(
            asarray="a = np.asarray(a, dtype=np.float64)", **{"return": "return 2 * (Q @ T.T) - r_t[:, None] - r_s[None, :]"}),
        "queries are not modified (no in-place normalising)": csls(
            unit="a /= np.linalg.norm(a, axis=1, keepdims=True)\nreturn a"),
        "at most `block` rows compared at once (no (t, s) matrix)": csls(
            out="sims = A @ B.T\nreturn -np.partition(-sims, k - 1, axis=1)[:, :k].mean(axis=1)",
            loop="", sims="", topk="", outreturn=""),
        "accepts nested lists": csls(asarray="a = a.astype(np.float32)"),
    }),
    "control_labels": Contract(test="test_control_labels", clauses={
        "one class per type, not a shuffle of occurrences": control_labels(
            **{"return": "return labels[np.random.default_rng(seed).permutation(len(labels))].astype(np.int64)"}),
        "distinct types in increasing order, not first-seen order": control_labels(
            unique="_, first, inverse = np.unique(types, return_index=True, return_inverse=True)\norder = np.argsort(first)\n"
                   "distinct, first, inverse = _[order], first[order], np.argsort(order)[inverse]"),
        "control class c_perm[i], not the inverse permutation": control_labels(
            **{"return": "out = np.empty_like(class_of_type)\nout[perm] = class_of_type\nreturn out[inverse].astype(np.int64)"}),
        "a random class per type, not a relabelling of the classes": control_labels(
            **{"return": "classes = np.unique(labels)\nshuffled = np.random.default_rng(seed).permutation(classes)\n"
                         "return shuffled[np.searchsorted(classes, labels)].astype(np.int64)"}),
        "the permutation drawn with seed": control_labels(perm="perm = np.random.default_rng(0).permutation(len(distinct))"),
        "drawn by default_rng, not RandomState": control_labels(perm="perm = np.random.RandomState(seed).permutation(len(distinct))"),
        "returns int64": control_labels(**{"return": "return class_of_type[perm][inverse].astype(types.dtype)"}),
        "a type with two labels raises ValueError": control_labels(consistent="if False:"),
        "zero occurrences give an empty int64 array": control_labels(
            types="types = np.asarray(types)\nif types.size == 0:\n    return np.array([])"),
        "labels are not modified (no overwriting)": control_labels(
            **{"return": "labels[...] = class_of_type[perm][inverse]\nreturn labels.astype(np.int64)"}),
        "labels of another shape raise ValueError": control_labels(shape="if False:"),
        "default seed = 0": control_labels(**{"def": "def control_labels(types, labels, seed=1):"}),
        "int64 whatever the dtype of labels": control_labels(**{"return": "return class_of_type[perm][inverse]"}),
        "accepts nested lists": control_labels(types="types = types.astype(np.int64)", labels="labels = labels.astype(np.int64)"),
    }),
    "topk_relu": Contract(test="test_sparse_autoencoder", clauses={
        "the k largest, not the k smallest": topk_relu(topk="values, indices = torch.topk(pre, int(k), dim=-1, largest=False)"),
        "the k largest, not the k largest in magnitude": topk_relu(
            topk="indices = torch.topk(pre.abs(), int(k), dim=-1).indices\nvalues = pre.gather(-1, indices)"),
        "ReLU after keeping: a kept negative becomes 0": topk_relu(
            **{"return": "return torch.zeros_like(pre).scatter(-1, indices, values)"}),
        "per row, not over the whole batch": topk_relu(
            topk="values, indices = torch.topk(pre.flatten(), int(k))",
            **{"return": "return torch.zeros_like(pre).flatten().scatter(0, indices, torch.relu(values)).view_as(pre)"}),
        "the k-th largest is kept (k, not k - 1)": topk_relu(
            **{"return": "kth = values[..., -1:]\nreturn torch.relu(pre) * (pre > kth)"}),
        "gradients only through the kept entries (no straight-through)": topk_relu(
            **{"return": "kept = torch.zeros_like(pre).scatter(-1, indices, torch.relu(values))\nreturn torch.relu(pre) + (kept - torch.relu(pre)).detach()"}),
        "k above m raises ValueError": topk_relu(k="if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:"),
        "k = 0 raises ValueError": topk_relu(k="if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k > pre.shape[-1]:"),
        "a bool k raises ValueError": topk_relu(k="if not isinstance(k, (int, np.integer)) or not 1 <= k <= pre.shape[-1]:"),
        "a float k raises ValueError": topk_relu(k="if isinstance(k, bool) or not 1 <= k <= pre.shape[-1]:"),
        "a NumPy integer k is accepted": topk_relu(k="if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= pre.shape[-1]:"),
        "keeps pre's device (not a new CPU tensor)": topk_relu(
            **{"return": "return torch.zeros(pre.shape, dtype=pre.dtype).scatter(-1, indices, torch.relu(values))"}),
        "keeps pre's dtype": topk_relu(**{"return": "return torch.zeros(pre.shape).scatter(-1, indices, torch.relu(values).float())"}),
        "zero rows give a (0, m) tensor": topk_relu(
            **{"return": "return torch.stack([torch.zeros_like(row).scatter(-1, i, torch.relu(v)) for row, i, v in zip(pre, indices, values)])"}),
        "pre is not modified (no reuse of its storage)": topk_relu(
            **{"return": "out = pre if not pre.requires_grad else pre.clone()\nout.zero_()\nreturn out.scatter_(-1, indices, torch.relu(values))"}),
        "exactly k kept per row when values tie": topk_relu(**{"return": "return torch.relu(pre) * (pre >= values[..., -1:])"}),
    }),
    "fraction_of_variance_unexplained": Contract(test="test_sparse_autoencoder", clauses={
        "rows equal up to rounding count as no variance (not spread == 0)": fvu(
            constant="if ((x - x.mean(axis=0)) ** 2).sum() == 0:"),
        "the spread of x around its mean row, not its sum of squares": fvu(spread="spread = (x ** 2).sum()"),
        "the mean row, not one global mean": fvu(spread="spread = ((x - x.mean()) ** 2).sum()"),
        "squared error, not its square root": fvu(**{"return": "return float(np.sqrt(((x - x_hat) ** 2).sum() / spread))"}),
        "summed error, not the mean": fvu(**{"return": "return float(((x - x_hat) ** 2).mean() / spread)"}),
        "a ratio of sums, not the mean of per-dimension ratios": fvu(
            **{"return": "return float((((x - x_hat) ** 2).sum(0) / ((x - x.mean(0)) ** 2).sum(0)).mean())"}),
        "shapes that differ raise ValueError": fvu(shape="if False:"),
        "x with no variance raises ValueError": fvu(constant="if False:"),
        "constant, not only all-zero, x raises ValueError": fvu(constant="if not x.any():"),
        "returns a Python float, not a tensor": fvu(**{"return": "return torch.tensor(((x - x_hat) ** 2).sum() / spread)"}),
        "x_hat is not modified (no in-place shift)": fvu(
            convert="x, x_hat = as_array(x), as_array(x_hat)\nx_hat -= x.mean(axis=0)\nx = x - x.mean(axis=0)"),
        "float32 tensors converted to float64 first": fvu(
            as_array="as_array = lambda a: a.detach().cpu().numpy() if torch.is_tensor(a) else np.asarray(a, dtype=np.float64)"),
        "float64 tensors stay float64 (not through float32)": fvu(
            as_array="as_array = lambda a: a.detach().cpu().float().numpy().astype(np.float64) if torch.is_tensor(a) else np.asarray(a, dtype=np.float64)"),
        "small is not constant (no tolerance on the spread)": fvu(
            constant="spread = ((x - x.mean(axis=0)) ** 2).sum()\nif spread < 1e-9:", spread=""),
        "shapes, not only lengths, compared": fvu(shape="if len(x) != len(x_hat):"),
        "accepts nested lists": fvu(
            as_array="as_array = lambda a: a.detach().cpu().double().numpy() if torch.is_tensor(a) else a.astype(np.float64)"),
    }),
}
