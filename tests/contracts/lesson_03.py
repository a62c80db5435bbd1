"""Lesson 03, sentence embeddings: each clause of each graded docstring and a wrong answer that breaks only it."""
from contracts import Contract
from contracts._solution import swap

ASSIGNMENT = "03_sentence_embeddings"


def metrics(source):
    return swap(ASSIGNMENT, "retrieval_metrics", source)


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
    d = fit_on.shape[1]
    k = d if k is None else k
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
    }),
    "remove_common_component": Contract(test="test_remove_common_component", clauses={
        "u is fitted on fit_on, not on X": remove("np.linalg.svd(fit_on,", "np.linalg.svd(X,"),
        "fit_on is not centred": remove("np.linalg.svd(fit_on,", "np.linalg.svd(fit_on - fit_on.mean(axis=0),"),
        "the first right singular vector (not the last)": remove("[2][0]", "[2][-1]"),
        "a right singular vector (a direction in d dimensions), not a left one": remove("[2][0]", "[0][:, 0]"),
        "u has unit length": remove("[2][0]", "[2][0] * np.linalg.svd(fit_on, compute_uv=False)[0]"),
        "returns float64": remove("    fit_on = np.asarray(fit_on, dtype=np.float64)\n    X = np.asarray(X, dtype=np.float64)\n", ""),
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
    }),
}
