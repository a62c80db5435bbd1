"""Lesson 00, what is an embedding: each clause of each graded docstring and a wrong answer that breaks only it."""
from contracts import Contract
from contracts._solution import swap

ASSIGNMENT = "00_what_is_an_embedding"


def variant(template, grade_id):
    def make(old, new):
        assert old in template, old
        return swap(ASSIGNMENT, grade_id, template.replace(old, new))
    return make


cosine = variant('''
def cosine_similarity_matrix(A, B):
    A = np.asarray(A, dtype=np.float64)
    B = np.asarray(B, dtype=np.float64)
    norms_a = np.linalg.norm(A, axis=1, keepdims=True)
    norms_b = np.linalg.norm(B, axis=1, keepdims=True)
    A_unit = np.divide(A, norms_a, out=np.zeros_like(A), where=norms_a > 0)
    B_unit = np.divide(B, norms_b, out=np.zeros_like(B), where=norms_b > 0)
    return np.clip(A_unit @ B_unit.T, -1.0, 1.0)
''', "cosine_similarity_matrix")

top_k = variant('''
def top_k_neighbours(unit_vectors, query, k, exclude=()):
    unit_vectors = np.asarray(unit_vectors)
    excluded = np.unique(np.asarray(list(exclude), dtype=int))
    available = unit_vectors.shape[0] - len(excluded)
    if not isinstance(k, (int, np.integer)) or not 1 <= k <= available:
        raise ValueError("k")
    query = np.asarray(query, dtype=np.float64)
    scores = unit_vectors @ (query / np.linalg.norm(query))
    scores[excluded] = -np.inf
    best = np.argpartition(-scores, k - 1)[:k]
    best = best[np.argsort(-scores[best], kind="stable")]
    return best, scores[best]
''', "top_k_neighbours")

ANALOGY_TAIL = '''
    rows = np.arange(len(a))
    for words in (a, b, c):
        scores[rows, words] = -np.inf
    best = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    order = np.argsort(-np.take_along_axis(scores, best, axis=1), axis=1, kind="stable")
    return np.take_along_axis(best, order, axis=1)
'''
cosadd = variant('''
def analogy_3cosadd(unit_vectors, a, b, c, k=1):
    a, b, c = (np.asarray(words, dtype=int) for words in (a, b, c))
    targets = unit_vectors[b] - unit_vectors[a] + unit_vectors[c]
    scores = targets @ unit_vectors.T''' + ANALOGY_TAIL, "analogy_3cosadd")
cosmul = variant('''
def analogy_3cosmul(unit_vectors, a, b, c, k=1, eps=1e-3):
    a, b, c = (np.asarray(words, dtype=int) for words in (a, b, c))
    shifted = [(unit_vectors[words] @ unit_vectors.T + 1) / 2 for words in (a, b, c)]
    scores = shifted[1] * shifted[2] / (shifted[0] + eps)''' + ANALOGY_TAIL, "analogy_3cosmul")

spearman = variant('''
def spearman_rho(x, y):
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.ndim != 1 or x.shape != y.shape or x.size < 2:
        raise ValueError("bad input")

    def average_ranks(values):
        _, group, counts = np.unique(values, return_inverse=True, return_counts=True)
        last_position = np.cumsum(counts)
        return (last_position - (counts - 1) / 2)[group]

    rx, ry = average_ranks(x), average_ranks(y)
    rx, ry = rx - rx.mean(), ry - ry.mean()
    denominator = np.sqrt((rx ** 2).sum() * (ry ** 2).sum())
    if denominator == 0:
        return float("nan")
    return float((rx * ry).sum() / denominator)
''', "spearman_rho")

evaluate = variant('''
def evaluate_similarity(word_vectors, triples):
    if len(triples) == 0:
        raise ValueError("empty")
    kept = [(w1, w2, score) for w1, w2, score in triples if w1 in word_vectors and w2 in word_vectors]
    coverage = len(kept) / len(triples)
    if len(kept) < 2:
        return float("nan"), coverage
    first = np.stack([word_vectors[w1] for w1, _, _ in kept]).astype(np.float64)
    second = np.stack([word_vectors[w2] for _, w2, _ in kept]).astype(np.float64)
    cosines = (first * second).sum(axis=1) / (np.linalg.norm(first, axis=1) * np.linalg.norm(second, axis=1))
    return spearman_rho(cosines, [score for _, _, score in kept]), coverage
''', "evaluate_similarity")

CONTRACTS = {
    "cosine_similarity_matrix": Contract(test="test_cosine_similarity_matrix", clauses={
        "cosines, not dot products": swap(ASSIGNMENT, "cosine_similarity_matrix",
                                          "def cosine_similarity_matrix(A, B):\n    return np.asarray(A, float) @ np.asarray(B, float).T"),
        "S[i, j] pairs row i of A with row j of B (shape (n, m))": cosine("A_unit @ B_unit.T", "B_unit @ A_unit.T"),
        "a zero row of A gives 0, not NaN": cosine("np.divide(A, norms_a, out=np.zeros_like(A), where=norms_a > 0)", "A / norms_a"),
        "a zero row of B gives 0, not NaN": cosine("np.divide(B, norms_b, out=np.zeros_like(B), where=norms_b > 0)", "B / norms_b"),
        "every value in [-1, 1] (rounding clipped)": cosine("np.clip(A_unit @ B_unit.T, -1.0, 1.0)", "A_unit @ B_unit.T"),
        "any int or float dtype": swap(ASSIGNMENT, "cosine_similarity_matrix", '''
def cosine_similarity_matrix(A, B):
    A, B = np.array(A), np.array(B)
    norms_a = np.linalg.norm(A, axis=1, keepdims=True)
    norms_b = np.linalg.norm(B, axis=1, keepdims=True)
    A /= np.where(norms_a > 0, norms_a, 1)
    B /= np.where(norms_b > 0, norms_b, 1)
    return np.clip(A @ B.T, -1.0, 1.0)'''),
        "no rows in A give an empty (0, m) array, not (0,)": swap(ASSIGNMENT, "cosine_similarity_matrix", '''
def cosine_similarity_matrix(A, B):
    A = np.asarray(A, dtype=np.float64)
    B = np.asarray(B, dtype=np.float64)

    def unit(row):
        length = np.linalg.norm(row)
        return row / length if length > 0 else np.zeros_like(row)

    return np.array([[np.clip(unit(a) @ unit(b), -1.0, 1.0) for b in B] for a in A])'''),
        "a single row keeps both axes ((1, m), not squeezed)": cosine(
            "return np.clip(A_unit @ B_unit.T, -1.0, 1.0)", "return np.squeeze(np.clip(A_unit @ B_unit.T, -1.0, 1.0))"),
    }),
    "top_k_neighbours": Contract(test="test_top_k_neighbours", clauses={
        "excluded rows never returned": top_k("    scores[excluded] = -np.inf\n", ""),
        "exclude may be any iterable (set, array, generator)": top_k(
            "excluded = np.unique(np.asarray(list(exclude), dtype=int))", "excluded = exclude"),
        "the default exclude=() excludes nothing": top_k(
            "    excluded = np.unique(np.asarray(list(exclude), dtype=int))\n    available = unit_vectors.shape[0] - len(excluded)",
            "    excluded = exclude\n    available = unit_vectors.shape[0] - len(excluded)"),
        "a row excluded twice counts once in the bound on k": top_k(
            "available = unit_vectors.shape[0] - len(excluded)", "available = unit_vectors.shape[0] - len(list(exclude))"),
        "k above the rows left raises ValueError": top_k("not 1 <= k <= available", "not 1 <= k"),
        "k = 0 raises ValueError": top_k("not 1 <= k <= available", "not k <= available"),
        "the query's length does not matter (cosines)": top_k("unit_vectors @ (query / np.linalg.norm(query))",
                                                               "unit_vectors @ query"),
        "best first (decreasing score)": top_k("best[np.argsort(-scores[best], kind=\"stable\")]",
                                               "best[np.argsort(scores[best], kind=\"stable\")]"),
        "a matrix with no rows raises ValueError (no k fits), not empty arrays": top_k(
            "    excluded = np.unique(", "    if unit_vectors.shape[0] == 0:\n        return np.zeros(0, dtype=int), np.zeros(0)\n"
            "    excluded = np.unique("),
        "a single row gives arrays of shape (1,)": top_k(
            "unit_vectors = np.asarray(unit_vectors)", "unit_vectors = np.squeeze(np.asarray(unit_vectors))"),
    }),
    "analogy_3cosadd": Contract(test="test_analogy_3cosadd", clauses={
        "a, b and c excluded": swap(ASSIGNMENT, "analogy_3cosadd", '''
def analogy_3cosadd(unit_vectors, a, b, c, k=1):
    scores = (unit_vectors[b] - unit_vectors[a] + unit_vectors[c]) @ unit_vectors.T
    return np.argsort(-scores, axis=1)[:, :k]'''),
        "b - a + c, not a - b + c": cosadd("unit_vectors[b] - unit_vectors[a] + unit_vectors[c]",
                                           "unit_vectors[a] - unit_vectors[b] + unit_vectors[c]"),
        "each question excludes only its own words": cosadd(
            "    rows = np.arange(len(a))\n    for words in (a, b, c):\n        scores[rows, words] = -np.inf",
            "    scores[:, np.concatenate([a, b, c])] = -np.inf"),
        "excluded words lose to every candidate (k up to V - 3)": cosadd("scores[rows, words] = -np.inf", "scores[rows, words] = 0.0"),
        "k answers, best first": cosadd("    return np.take_along_axis(best, order, axis=1)",
                                        "    return np.take_along_axis(best, order, axis=1)[:, ::-1]"),
        "k is used": cosadd("np.argpartition(-scores, k - 1, axis=1)[:, :k]", "np.argpartition(-scores, 0, axis=1)[:, :1]"),
        "zero questions give an empty (0, k) int array": swap(ASSIGNMENT, "analogy_3cosadd", '''
def analogy_3cosadd(unit_vectors, a, b, c, k=1):
    answers = []
    for i in range(len(a)):
        score = unit_vectors @ unit_vectors[b[i]] - unit_vectors @ unit_vectors[a[i]] + unit_vectors @ unit_vectors[c[i]]
        score[[a[i], b[i], c[i]]] = -np.inf
        answers.append(np.argsort(-score, kind="stable")[:k])
    return np.array(answers)'''),
        "one question gives (1, k), not (k,)": cosadd("    return np.take_along_axis(best, order, axis=1)",
                                                      "    answers = np.take_along_axis(best, order, axis=1)\n"
                                                      "    return answers[0] if len(a) == 1 else answers"),
    }),
    "analogy_3cosmul": Contract(test="test_analogy_3cosmul", clauses={
        "cosines shifted to [0, 1]": cosmul("(unit_vectors[words] @ unit_vectors.T + 1) / 2", "unit_vectors[words] @ unit_vectors.T"),
        "eps at values other than the default": cosmul("(shifted[0] + eps)", "(shifted[0] + 1e-3)"),
        "b * c / a, not a sum": cosmul("shifted[1] * shifted[2] / (shifted[0] + eps)", "shifted[1] + shifted[2] - shifted[0]"),
        "a, b and c excluded": cosmul("        scores[rows, words] = -np.inf", "        pass"),
        "k answers, best first": cosmul("    return np.take_along_axis(best, order, axis=1)", "    return best[:, ::-1]"),
        "zero questions give an empty (0, k) int array": swap(ASSIGNMENT, "analogy_3cosmul", '''
def analogy_3cosmul(unit_vectors, a, b, c, k=1, eps=1e-3):
    answers = []
    for i in range(len(a)):
        cos_a, cos_b, cos_c = ((unit_vectors @ unit_vectors[w[i]] + 1) / 2 for w in (a, b, c))
        score = cos_b * cos_c / (cos_a + eps)
        score[[a[i], b[i], c[i]]] = -np.inf
        answers.append(np.argsort(-score, kind="stable")[:k])
    return np.array(answers)'''),
        "one question gives (1, k), not (k,)": cosmul("    return np.take_along_axis(best, order, axis=1)",
                                                      "    answers = np.take_along_axis(best, order, axis=1)\n"
                                                      "    return answers[0] if len(a) == 1 else answers"),
    }),
    "spearman_rho": Contract(test="test_spearman_rho", clauses={
        "ties get the average rank": swap(ASSIGNMENT, "spearman_rho", '''
def spearman_rho(x, y):
    x, y = np.asarray(x, float), np.asarray(y, float)
    if x.ndim != 1 or x.shape != y.shape or x.size < 2:
        raise ValueError("bad input")
    if np.all(x == x[0]) or np.all(y == y[0]):
        return float("nan")
    return float(np.corrcoef(np.argsort(np.argsort(x)), np.argsort(np.argsort(y)))[0, 1])'''),
        "different lengths raise ValueError": spearman("x.shape != y.shape or ", ""),
        "n < 2 raises ValueError": spearman(" or x.size < 2", ""),
        "empty inputs raise ValueError too (not NaN)": spearman(" or x.size < 2", " or x.size == 1"),
        "two pairs are enough (no ValueError at n = 2)": spearman(" or x.size < 2", " or x.size < 3"),
        "2-D input raises ValueError": spearman("x.ndim != 1 or ", ""),
        "NaN for a constant input": spearman('return float("nan")', "return 0.0"),
        "a Python float": spearman("return float((rx * ry).sum() / denominator)", "return np.float32((rx * ry).sum() / denominator)"),
        "the Pearson correlation of the ranks, not of the values": spearman(
            "rx, ry = average_ranks(x), average_ranks(y)", "rx, ry = x.copy(), y.copy()"),
    }),
    "evaluate_similarity": Contract(test="test_evaluate_similarity", clauses={
        "cosines, not dot products": evaluate(
            "(first * second).sum(axis=1) / (np.linalg.norm(first, axis=1) * np.linalg.norm(second, axis=1))",
            "(first * second).sum(axis=1)"),
        "a pair is skipped when either word is missing": evaluate(
            "if w1 in word_vectors and w2 in word_vectors", "if w1 in word_vectors"),
        "coverage is a fraction": evaluate("coverage = len(kept) / len(triples)", "coverage = len(kept)"),
        "fewer than 2 kept pairs: NaN, no crash": evaluate(
            '    if len(kept) < 2:\n        return float("nan"), coverage\n', '    if not kept:\n        return float("nan"), coverage\n'),
        "an empty benchmark raises ValueError": evaluate('    if len(triples) == 0:\n        raise ValueError("empty")\n', ""),
        "a single triple gives (nan, coverage), no ValueError": evaluate("if len(triples) == 0:", "if len(triples) < 2:"),
        "rho against the human scores (not the coverage or the pairs' order)": evaluate(
            "[score for _, _, score in kept]", "list(range(len(kept)))"),
    }),
}
