"""Lesson 03, sentence embeddings: each clause of each graded docstring and a wrong answer that breaks only it."""
from contracts import Contract
from contracts._solution import swap

ASSIGNMENT = "03_sentence_embeddings"


def metrics(source):
    return swap(ASSIGNMENT, "retrieval_metrics", source)


RANKS = '''
def relevant_ranks(scores, relevant):
    scores = np.asarray(scores, dtype=np.float64)
    relevant = np.asarray(relevant)
    if scores.ndim != 2 or relevant.shape != (scores.shape[0],):
        raise ValueError("shapes")
    n_docs = scores.shape[1]
    if relevant.size and (relevant.min() < 0 or relevant.max() >= n_docs):
        raise ValueError("columns")
    target = scores[np.arange(len(relevant)), relevant]
    return (scores >= target[:, None]).sum(axis=1)
'''


def ranks(old, new):
    assert old in RANKS, old
    return metrics(RANKS.replace(old, new))


SIF = '''
def sif_average(token_lists, word_vectors, probability, a=1e-3):
    out = np.zeros((len(token_lists), word_vectors.dim))
    for row, words in enumerate(token_lists):
        known = [w for w in words if w in word_vectors.index]
        if not known:
            continue
        weights = np.array([a / (a + probability.get(w, 0.0)) for w in known])
        rows = word_vectors.vectors[[word_vectors.index[w] for w in known]].astype(np.float64)
        out[row] = weights @ rows / len(known)
    return out
'''


def sif(old, new):
    assert old in SIF, old
    return swap(ASSIGNMENT, "sif_average", SIF.replace(old, new))


REMOVE = '''
def remove_common_component(fit_on, X):
    fit_on = np.asarray(fit_on, dtype=np.float64)
    X = np.asarray(X, dtype=np.float64)
    if fit_on.shape[0] == 0:
        raise ValueError("fit_on needs a row")
    u = np.linalg.svd(fit_on, full_matrices=False)[2][0]
    return X - np.outer(X @ u, u)
'''


def remove(old, new):
    assert old in REMOVE, old
    return swap(ASSIGNMENT, "remove_common_component", REMOVE.replace(old, new))


POOL = '''
def mean_pool(token_embeddings, attention_mask, eps=1e-9):
    mask = attention_mask.unsqueeze(-1).to(token_embeddings.dtype)
    summed = (token_embeddings * mask).sum(dim=1)
    return summed / mask.sum(dim=1).clamp(min=eps)
'''


def pool(old, new):
    assert old in POOL, old
    return swap(ASSIGNMENT, "mean_pool", POOL.replace(old, new))


WHITEN = '''
def whiten(fit_on, X, k=None, eps=1e-8):
    fit_on = np.asarray(fit_on, dtype=np.float64)
    X = np.asarray(X, dtype=np.float64)
    if len(fit_on) < 2:
        raise ValueError("fit_on needs 2 rows")
    d = fit_on.shape[1]
    k = d if k is None else k
    if not 1 <= k <= d:
        raise ValueError("k")
    mu = fit_on.mean(axis=0)
    centred = fit_on - mu
    eigenvalues, eigenvectors = np.linalg.eigh(centred.T @ centred / len(fit_on))
    order = np.argsort(eigenvalues)[::-1][:k]
    W = eigenvectors[:, order] / np.sqrt(eigenvalues[order] + eps)
    return (X - mu) @ W
'''


def whiten(old, new):
    assert old in WHITEN, old
    return swap(ASSIGNMENT, "whiten", WHITEN.replace(old, new))


LOSS = '''
def in_batch_contrastive_loss(queries, documents, scale=20.0):
    if queries.shape[0] == 0:
        raise ValueError("empty batch")
    similarities = F.normalize(queries, dim=1) @ F.normalize(documents, dim=1).T
    targets = torch.arange(len(queries), device=queries.device)
    return F.cross_entropy(scale * similarities, targets)
'''


def loss(old, new):
    assert old in LOSS, old
    return swap(ASSIGNMENT, "in_batch_contrastive_loss", LOSS.replace(old, new))


CONTRACTS = {
    "relevant_ranks": Contract(test="test_retrieval_metrics", clauses={
        "ties count against the relevant document (>=, not >)": metrics('''
def relevant_ranks(scores, relevant):
    scores = np.asarray(scores, float)
    target = scores[np.arange(len(relevant)), relevant]
    return (scores > target[:, None]).sum(axis=1) + 1'''),
        "ties are not broken by position (sorting)": metrics('''
def relevant_ranks(scores, relevant):
    order = np.argsort(-np.asarray(scores, float), axis=1, kind="stable")
    return np.argmax(order == np.asarray(relevant)[:, None], axis=1) + 1'''),
        "relevant[i] names the column of query i (not the diagonal)": metrics('''
def relevant_ranks(scores, relevant):
    scores = np.asarray(scores, float)
    target = np.diagonal(scores)[:len(relevant)]
    return (scores >= target[:, None]).sum(axis=1)'''),
        "returns an int array": metrics('''
def relevant_ranks(scores, relevant):
    scores = np.asarray(scores, float)
    target = scores[np.arange(len(relevant)), relevant]
    return (scores >= target[:, None]).mean(axis=1) * scores.shape[1]'''),
        "zero queries give an empty int array of shape (0,)": ranks(
            "    target = scores[np.arange(len(relevant)), relevant]\n    return (scores >= target[:, None]).sum(axis=1)",
            "    return np.array([(row >= row[j]).sum() for row, j in zip(scores, relevant)])"),
        "a single query gives shape (1,), not a scalar": ranks("return (scores >= target[:, None]).sum(axis=1)",
                                                               "return (scores >= target[:, None]).sum(axis=1).squeeze()"),
        "a column outside 0..n_docs - 1 raises ValueError (any, when there are no documents)": ranks(
            "    if relevant.size and (relevant.min() < 0 or relevant.max() >= n_docs):\n        raise ValueError(\"columns\")\n", ""),
        "a negative column raises too (no wrap-around)": ranks("relevant.min() < 0 or ", ""),
        "relevant of shape (1, 1) for a single query raises ValueError": ranks(
            "scores.ndim != 2 or relevant.shape", "scores.ndim != 2 and relevant.shape"),
    }),
    "recall_at_k": Contract(test="test_retrieval_metrics", clauses={
        "rank <= k counts (not < k)": metrics('''
def recall_at_k(scores, relevant, k):
    return float(np.mean(relevant_ranks(scores, relevant) < k))'''),
        "a fraction of the queries, not a count": metrics('''
def recall_at_k(scores, relevant, k):
    return float(np.sum(relevant_ranks(scores, relevant) <= k))'''),
        "returns a Python float": metrics('''
def recall_at_k(scores, relevant, k):
    return np.mean(relevant_ranks(scores, relevant) <= k, keepdims=True)'''),
        "zero queries raise ValueError, not NaN": metrics('''
def recall_at_k(scores, relevant, k):
    return float(np.mean(relevant_ranks(scores, relevant) <= k))'''),
    }),
    "mrr_at_k": Contract(test="test_retrieval_metrics", clauses={
        "a rank above k counts 0": metrics('''
def mrr_at_k(scores, relevant, k):
    return float(np.mean(1.0 / relevant_ranks(scores, relevant)))'''),
        "a rank equal to k still counts": metrics('''
def mrr_at_k(scores, relevant, k):
    ranks = relevant_ranks(scores, relevant)
    return float(np.mean(np.where(ranks < k, 1.0 / ranks, 0.0)))'''),
        "the mean of 1 / rank, not 1 / mean rank": metrics('''
def mrr_at_k(scores, relevant, k):
    ranks = relevant_ranks(scores, relevant)
    return float(1.0 / np.mean(np.where(ranks <= k, ranks, np.inf)))'''),
        "returns a Python float": metrics('''
def mrr_at_k(scores, relevant, k):
    ranks = relevant_ranks(scores, relevant)
    return torch.tensor(np.where(ranks <= k, 1.0 / ranks, 0.0)).mean()'''),
        "zero queries raise ValueError, not NaN": metrics('''
def mrr_at_k(scores, relevant, k):
    ranks = relevant_ranks(scores, relevant)
    return float(np.mean(np.where(ranks <= k, 1.0 / ranks, 0.0)))'''),
    }),
    "sif_average": Contract(test="test_sif_average", clauses={
        "weight a / (a + p(w))": sif("a / (a + probability.get(w, 0.0))", "probability.get(w, 0.0) / (a + probability.get(w, 0.0))"),
        "a is used at values other than the default": sif("a / (a + probability.get(w, 0.0))", "1e-3 / (1e-3 + probability.get(w, 0.0))"),
        "a word missing from probability has p = 0 (weight 1)": sif(
            "known = [w for w in words if w in word_vectors.index]",
            "known = [w for w in words if w in word_vectors.index and w in probability]"),
        "unknown words do not count in |s|": sif("out[row] = weights @ rows / len(known)", "out[row] = weights @ rows / len(words)"),
        "a repeated word counts every time": sif(
            "known = [w for w in words if w in word_vectors.index]",
            "known = sorted({w for w in words if w in word_vectors.index})"),
        "no known word (or an empty list): a row of zeros, no crash": swap(ASSIGNMENT, "sif_average", '''
def sif_average(token_lists, word_vectors, probability, a=1e-3):
    out = np.zeros((len(token_lists), word_vectors.dim))
    for row, words in enumerate(token_lists):
        known = [w for w in words if w in word_vectors.index]
        out[row] = sum((a / (a + probability.get(w, 0.0)) * word_vectors[w] for w in known), np.zeros(word_vectors.dim)) / len(known)
    return out'''),
        "returns float64": sif("out = np.zeros((len(token_lists), word_vectors.dim))",
                               "out = np.zeros((len(token_lists), word_vectors.dim), dtype=np.float32)"),
        "an empty token_lists gives a (0, d) array": swap(ASSIGNMENT, "sif_average", '''
def sif_average(token_lists, word_vectors, probability, a=1e-3):
    def embed(words):
        known = [w for w in words if w in word_vectors.index]
        if not known:
            return np.zeros(word_vectors.dim)
        weights = np.array([a / (a + probability.get(w, 0.0)) for w in known])
        return weights @ word_vectors.vectors[[word_vectors.index[w] for w in known]].astype(np.float64) / len(known)

    return np.array([embed(words) for words in token_lists])'''),
        "a single token list gives (1, d), not (d,)": sif("    return out\n", "    return np.squeeze(out)\n"),
    }),
    "remove_common_component": Contract(test="test_remove_common_component", clauses={
        "u is fitted on fit_on, not on X": remove("np.linalg.svd(fit_on,", "np.linalg.svd(X,"),
        "fit_on is not centred": remove("np.linalg.svd(fit_on,", "np.linalg.svd(fit_on - fit_on.mean(axis=0),"),
        "the first right singular vector (not the last)": remove("[2][0]", "[2][-1]"),
        "a right singular vector (a direction in d dimensions), not a left one": remove("[2][0]", "[0][:, 0]"),
        "u has unit length": remove("[2][0]", "[2][0] * np.linalg.svd(fit_on, compute_uv=False)[0]"),
        "returns float64": remove("    fit_on = np.asarray(fit_on, dtype=np.float64)\n    X = np.asarray(X, dtype=np.float64)\n", ""),
        "a fit_on without rows raises ValueError": remove(
            "    if fit_on.shape[0] == 0:\n        raise ValueError(\"fit_on needs a row\")\n", ""),
        "a single row of fit_on is enough (u is its direction)": remove(
            "    u = np.linalg.svd", "    if len(fit_on) < 2:\n        return X.copy()\n    u = np.linalg.svd"),
        "an X without rows gives (0, d)": remove("return X - np.outer(X @ u, u)", "return np.array([x - (x @ u) * u for x in X])"),
        "a single row of X gives (1, d), not (d,)": remove("return X - np.outer(X @ u, u)", "return np.squeeze(X - np.outer(X @ u, u))"),
    }),
    "mean_pool": Contract(test="test_mean_pool", clauses={
        "padding (mask 0) is ignored": swap(ASSIGNMENT, "mean_pool",
                                            "def mean_pool(token_embeddings, attention_mask, eps=1e-9):\n    return token_embeddings.mean(dim=1)"),
        "divide by the number of real tokens, not the padded length": pool(
            "summed / mask.sum(dim=1).clamp(min=eps)", "summed / token_embeddings.shape[1]"),
        "a row with no real token is zeros, not NaN": pool("mask.sum(dim=1).clamp(min=eps)", "mask.sum(dim=1)"),
        "eps: the divisor is max(count, eps), used at other values": pool(
            "mask.sum(dim=1).clamp(min=eps)", "mask.sum(dim=1).clamp(min=1e-9)"),
        "eps is a floor on the count, not added to it": pool("mask.sum(dim=1).clamp(min=eps)", "(mask.sum(dim=1) + eps)"),
        "gradients flow (torch operations, nothing detached)": pool(
            "summed = (token_embeddings * mask).sum(dim=1)", "summed = (token_embeddings.detach() * mask).sum(dim=1)"),
        "not normalised": pool("return summed / mask.sum(dim=1).clamp(min=eps)",
                               "return F.normalize(summed / mask.sum(dim=1).clamp(min=eps), dim=1)"),
        "an empty batch gives a (0, dim) tensor": swap(ASSIGNMENT, "mean_pool", '''
def mean_pool(token_embeddings, attention_mask, eps=1e-9):
    rows = []
    for tokens, mask in zip(token_embeddings, attention_mask):
        mask = mask.to(tokens.dtype)
        rows.append((tokens * mask[:, None]).sum(dim=0) / mask.sum().clamp(min=eps))
    return torch.stack(rows)'''),
        "a single sequence gives (1, dim), not (dim,)": pool("return summed / mask.sum(dim=1).clamp(min=eps)",
                                                            "return (summed / mask.sum(dim=1).clamp(min=eps)).squeeze(0)"),
    }),
    "whiten": Contract(test="test_whiten", clauses={
        "mean and covariance from fit_on, not X": whiten("centred = fit_on - mu", "mu = X.mean(axis=0)\n    centred = X - mu"),
        "the k largest eigenvalues, not the smallest (eigh's order)": whiten("np.argsort(eigenvalues)[::-1][:k]", "np.arange(k)"),
        "columns in decreasing order of eigenvalue": whiten("np.argsort(eigenvalues)[::-1][:k]", "np.argsort(eigenvalues)[-k:]"),
        "covariance divisor m, not m - 1": whiten("/ len(fit_on))", "/ (len(fit_on) - 1))"),
        "eps added before the square root, at other values too": whiten("np.sqrt(eigenvalues[order] + eps)",
                                                                        "(np.sqrt(eigenvalues[order]) + eps)"),
        "the mean of fit_on is subtracted from X": whiten("return (X - mu) @ W", "return X @ W"),
        "divide by sqrt(lambda), not lambda": whiten("np.sqrt(eigenvalues[order] + eps)", "(eigenvalues[order] + eps)"),
        "returns float64": whiten("    fit_on = np.asarray(fit_on, dtype=np.float64)\n    X = np.asarray(X, dtype=np.float64)\n",
                                  "    fit_on, X = np.asarray(fit_on), np.asarray(X)\n"),
        "a fit_on with fewer than 2 rows raises ValueError": whiten(
            "    if len(fit_on) < 2:\n        raise ValueError(\"fit_on needs 2 rows\")\n", ""),
        "a single row of fit_on raises too, not only an empty one": whiten("len(fit_on) < 2", "len(fit_on) < 1"),
        "two rows of fit_on are enough (m >= 2)": whiten("len(fit_on) < 2", "len(fit_on) < 3"),
        "an X without rows gives (0, k)": whiten("return (X - mu) @ W", "return np.array([(x - mu) @ W for x in X])"),
        "a single row of X gives (1, k), not (k,)": whiten("    return (X - mu) @ W",
                                                          "    out = (X - mu) @ W\n    return out[0] if len(X) == 1 else out"),
    }),
    "in_batch_contrastive_loss": Contract(test="test_in_batch_contrastive_loss", clauses={
        "positives on the diagonal": loss("torch.arange(len(queries), device=queries.device)",
                                          "torch.zeros(len(queries), dtype=torch.long, device=queries.device)"),
        "softmax over the documents of each query (rows)": loss(
            "F.normalize(queries, dim=1) @ F.normalize(documents, dim=1).T",
            "F.normalize(documents, dim=1) @ F.normalize(queries, dim=1).T"),
        "cosines, not dot products": loss("F.normalize(queries, dim=1) @ F.normalize(documents, dim=1).T", "queries @ documents.T"),
        "scale multiplies (not divides)": loss("scale * similarities", "similarities / scale"),
        "scale is used at values other than the default": loss("scale * similarities", "20.0 * similarities"),
        "the mean over the batch, not the sum": loss("F.cross_entropy(scale * similarities, targets)",
                                                      "F.cross_entropy(scale * similarities, targets, reduction='sum')"),
        "a scalar, not one loss per pair": loss("F.cross_entropy(scale * similarities, targets)",
                                                 "F.cross_entropy(scale * similarities, targets, reduction='none')"),
        "differentiable with respect to the documents too": loss("F.normalize(documents, dim=1).T",
                                                                 "F.normalize(documents.detach(), dim=1).T"),
        "differentiable at all (torch operations only)": loss("return F.cross_entropy(scale * similarities, targets)",
                                                              "return F.cross_entropy(scale * similarities, targets).detach()"),
        "on the inputs' device": loss("torch.arange(len(queries), device=queries.device)", "torch.arange(len(queries))"),
        "an empty batch raises ValueError, not NaN": loss("    if queries.shape[0] == 0:\n        raise ValueError(\"empty batch\")\n", ""),
        "a single pair gives a scalar loss of 0 (nothing squeezed)": loss("scale * similarities,", "scale * similarities.squeeze(),"),
    }),
}
