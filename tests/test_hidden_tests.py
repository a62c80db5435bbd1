"""Each test cell, hidden tests included, accepts the solution and rejects typical wrong answers
that the issues name: run directly (no nbgrader) so every case is fast and isolated."""
import nbformat
import pytest
from conftest import ROOT


def load(assignment):
    notebook = nbformat.read(ROOT / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)
    by_id = {c.metadata["nbgrader"]["grade_id"]: c.source for c in notebook.cells if "nbgrader" in c.metadata}
    return by_id


def solution_namespace(assignment, replacements=None):
    """Execute the setup cell and every solution cell (with `replacements` swapped in); return the namespace."""
    replacements = replacements or {}
    cells = load(assignment)
    namespace = {}
    exec(cells["setup"], namespace)
    for grade_id, source in cells.items():
        if grade_id != "setup" and not grade_id.startswith("test_"):
            exec(replacements.get(grade_id, source), namespace)
    return namespace


def run_test_cell(assignment, test_id, replacements):
    """Execute the setup cell, every solution cell (with `replacements` swapped in) and one test cell."""
    exec(load(assignment)[test_id], solution_namespace(assignment, replacements))


WRONG_ANSWERS = {
    ("00_what_is_an_embedding", "test_cosine_similarity_matrix", "dot products instead of cosines"): {
        "cosine_similarity_matrix": "def cosine_similarity_matrix(A, B):\n    return np.asarray(A, float) @ np.asarray(B, float).T"},
    ("00_what_is_an_embedding", "test_top_k_neighbours", "ignores exclude"): {
        "top_k_neighbours": '''
def top_k_neighbours(unit_vectors, query, k, exclude=()):
    scores = unit_vectors @ (query / np.linalg.norm(query))
    best = np.argsort(-scores)[:k]
    return best, scores[best]'''},
    ("00_what_is_an_embedding", "test_analogy_3cosadd", "does not exclude the question words"): {
        "analogy_3cosadd": '''
def analogy_3cosadd(unit_vectors, a, b, c, k=1):
    scores = (unit_vectors[b] - unit_vectors[a] + unit_vectors[c]) @ unit_vectors.T
    return np.argsort(-scores, axis=1)[:, :k]'''},
    ("00_what_is_an_embedding", "test_spearman_rho", "ordinal ranks, ties not averaged"): {
        "spearman_rho": '''
def spearman_rho(x, y):
    x, y = np.asarray(x, float), np.asarray(y, float)
    if x.ndim != 1 or x.shape != y.shape or x.size < 2:
        raise ValueError("bad input")
    if np.all(x == x[0]) or np.all(y == y[0]):
        return float("nan")
    return float(np.corrcoef(np.argsort(np.argsort(x)), np.argsort(np.argsort(y)))[0, 1])'''},
    ("00_what_is_an_embedding", "test_evaluate_similarity", "dot products instead of cosines"): {
        "evaluate_similarity": '''
def evaluate_similarity(word_vectors, triples):
    if not triples:
        raise ValueError("empty")
    kept = [(a, b, s) for a, b, s in triples if a in word_vectors and b in word_vectors]
    if len(kept) < 2:
        return float("nan"), len(kept) / len(triples)
    dots = [float(word_vectors[a] @ word_vectors[b]) for a, b, _ in kept]
    return spearman_rho(dots, [s for *_, s in kept]), len(kept) / len(triples)'''},
    ("01_word2vec", "test_skipgram_pairs", "fixed window instead of a dynamic one"): {
        "skipgram_pairs": '''
def skipgram_pairs(token_ids, window, rng):
    if window < 1:
        raise ValueError("window")
    token_ids = np.asarray(token_ids)
    rng.integers(1, window + 1, size=len(token_ids))
    centres, contexts = [], []
    for offset in range(1, window + 1):
        centres += [token_ids[:-offset], token_ids[offset:]]
        contexts += [token_ids[offset:], token_ids[:-offset]]
    return np.concatenate(centres), np.concatenate(contexts)'''},
    ("01_word2vec", "test_negative_sampling", "noise without the 0.75 power"): {
        "negative_sampling": '''
def noise_distribution(counts, power=0.75):
    counts = np.asarray(counts, dtype=float)
    return counts / counts.sum()


def draw_negatives(noise, shape, rng):
    return np.minimum(np.searchsorted(np.cumsum(noise), rng.random(shape), side="right"), len(noise) - 1)'''},
    ("01_word2vec", "test_sgns_loss", "sign of the negative term flipped"): {
        "sgns_loss": '''
def sgns_loss(centre, context, negatives):
    positive = F.logsigmoid((centre * context).sum(-1))
    negative = F.logsigmoid(torch.bmm(negatives, centre.unsqueeze(-1)).squeeze(-1)).sum(-1)
    return -(positive + negative).mean()'''},
    ("01_word2vec", "test_build_vocabulary", "ties not broken alphabetically"): {
        "build_vocabulary": '''
def build_vocabulary(sentences, min_count):
    if min_count < 1:
        raise ValueError("min_count")
    counter = Counter(t for s in sentences for t in s)
    kept = [(w, c) for w, c in counter.most_common() if c >= min_count]
    return [w for w, _ in kept], np.array([c for _, c in kept], dtype=np.int64)'''},
    ("01_word2vec", "test_most_similar", "query words not excluded"): {
        "most_similar": '''
def most_similar(unit_vectors, words, index, positive, negative=(), k=10):
    unit_vectors = np.asarray(unit_vectors)
    target = sum(unit_vectors[index[w]] for w in positive) - sum((unit_vectors[index[w]] for w in negative), np.zeros(unit_vectors.shape[1]))
    scores = unit_vectors @ (target / np.linalg.norm(target))
    best = np.argsort(-scores)[:k]
    return [(words[i], float(scores[i])) for i in best]'''},
    ("08_vector_search", "test_exact_knn", "returns the query itself although excluded"): {
        "exact_knn": '''
def exact_knn(base, queries, k, metric="ip", chunk_size=256, exclude=None):
    base, queries = np.asarray(base, np.float32), np.asarray(queries, np.float32)
    if metric not in ("ip", "l2") or not 1 <= k <= len(base) - (exclude is not None):
        raise ValueError("bad arguments")
    score = queries @ base.T if metric == "ip" else -((queries[:, None] - base[None]) ** 2).sum(-1)
    ids = np.argsort(-score, axis=1, kind="stable")[:, :k]
    best = np.take_along_axis(score, ids, 1)
    return ids, (best if metric == "ip" else -best)'''},
    ("08_vector_search", "test_exact_knn", "drops the last partial chunk"): {
        "exact_knn": '''
def exact_knn(base, queries, k, metric="ip", chunk_size=256, exclude=None):
    base, queries = np.asarray(base, np.float32), np.asarray(queries, np.float32)
    if metric not in ("ip", "l2") or not 1 <= k <= len(base) - (exclude is not None):
        raise ValueError("bad arguments")
    ids, scores = [], []
    for start in range(0, max(len(queries) - chunk_size, 0) + 1, chunk_size):
        q = queries[start:start + chunk_size]
        score = q @ base.T if metric == "ip" else -((q[:, None] - base[None]) ** 2).sum(-1)
        if exclude is not None:
            score[np.arange(len(q)), exclude[start:start + chunk_size]] = -np.inf
        top = np.argsort(-score, axis=1, kind="stable")[:, :k]
        ids.append(top)
        best = np.take_along_axis(score, top, 1)
        scores.append(best if metric == "ip" else -best)
    return np.concatenate(ids), np.concatenate(scores)'''},
    ("08_vector_search", "test_ivf", "scans only the nearest list whatever nprobe"): {
        "ivf": '''
def ivf_build(base, centroids):
    labels = kmeans_assign(base, centroids)
    return [np.flatnonzero(labels == j) for j in range(len(centroids))]


def ivf_search(base, centroids, lists, queries, k, nprobe):
    if not 1 <= nprobe <= len(centroids):
        raise ValueError("nprobe")
    nearest = kmeans_assign(queries, centroids)
    ids = np.full((len(queries), k), -1)
    scores = np.full((len(queries), k), -np.inf, dtype=np.float32)
    for row, (query, cell) in enumerate(zip(queries, nearest)):
        candidates = lists[cell]
        s = base[candidates] @ query
        best = np.argsort(-s, kind="stable")[:k]
        ids[row, :len(best)] = candidates[best]
        scores[row, :len(best)] = s[best]
    return ids, scores'''},
    ("08_vector_search", "test_adc_search", "symmetric distances (quantised queries)"): {
        "adc_search": '''
def adc_search(codes, codebooks, queries, k, chunk_size=64):
    m, _, sub = codebooks.shape
    q_codes = pq_encode(queries, codebooks)
    decoded_q = np.concatenate([codebooks[j][q_codes[:, j]] for j in range(m)], axis=1)
    decoded_x = np.concatenate([codebooks[j][codes[:, j]] for j in range(m)], axis=1)
    score = decoded_q @ decoded_x.T
    ids = np.argsort(-score, axis=1, kind="stable")[:, :k]
    return ids, np.take_along_axis(score, ids, 1)'''},
    ("03_sentence_embeddings", "test_retrieval_metrics", "ties broken in favour of the relevant document"): {
        "retrieval_metrics": '''
def relevant_ranks(scores, relevant):
    scores = np.asarray(scores, float)
    target = scores[np.arange(len(relevant)), relevant]
    return (scores > target[:, None]).sum(axis=1) + 1

def recall_at_k(scores, relevant, k):
    return float(np.mean(relevant_ranks(scores, relevant) <= k))

def mrr_at_k(scores, relevant, k):
    ranks = relevant_ranks(scores, relevant)
    return float(np.mean(np.where(ranks <= k, 1.0 / ranks, 0.0)))'''},
    ("03_sentence_embeddings", "test_sif_average", "divides by all words, unknown ones included"): {
        "sif_average": '''
def sif_average(token_lists, word_vectors, probability, a=1e-3):
    out = np.zeros((len(token_lists), word_vectors.dim))
    for row, words in enumerate(token_lists):
        for w in words:
            if w in word_vectors.index:
                out[row] += a / (a + probability.get(w, 0.0)) * word_vectors[w] / len(words)
    return out'''},
    ("03_sentence_embeddings", "test_remove_common_component", "direction fitted on X instead of fit_on"): {
        "remove_common_component": '''
def remove_common_component(fit_on, X):
    X = np.asarray(X, float)
    u = np.linalg.svd(X, full_matrices=False)[2][0]
    return X - np.outer(X @ u, u)'''},
    ("03_sentence_embeddings", "test_mean_pool", "pooling ignores the attention mask"): {
        "mean_pool": "def mean_pool(token_embeddings, attention_mask, eps=1e-9):\n    return token_embeddings.mean(dim=1)"},
    ("03_sentence_embeddings", "test_mean_pool", "divides by the padded length"): {
        "mean_pool": '''
def mean_pool(token_embeddings, attention_mask, eps=1e-9):
    mask = attention_mask.unsqueeze(-1).to(token_embeddings.dtype)
    return (token_embeddings * mask).sum(dim=1) / token_embeddings.shape[1]'''},
    ("03_sentence_embeddings", "test_whiten", "whitening fitted on the evaluation set"): {
        "whiten": '''
def whiten(fit_on, X, k=None, eps=1e-8):
    X = np.asarray(X, float)
    k = X.shape[1] if k is None else k
    mu = X.mean(axis=0)
    lam, U = np.linalg.eigh(np.cov((X - mu).T, bias=True))
    order = np.argsort(lam)[::-1][:k]
    return (X - mu) @ (U[:, order] / np.sqrt(lam[order] + eps))'''},
    ("03_sentence_embeddings", "test_whiten", "keeps the smallest eigenvalues"): {
        "whiten": '''
def whiten(fit_on, X, k=None, eps=1e-8):
    fit_on, X = np.asarray(fit_on, float), np.asarray(X, float)
    k = X.shape[1] if k is None else k
    mu = fit_on.mean(axis=0)
    lam, U = np.linalg.eigh(np.cov((fit_on - mu).T, bias=True))
    return (X - mu) @ (U[:, :k] / np.sqrt(lam[:k] + eps))'''},
    ("03_sentence_embeddings", "test_in_batch_contrastive_loss", "positives not on the diagonal"): {
        "in_batch_contrastive_loss": '''
def in_batch_contrastive_loss(queries, documents, scale=20.0):
    sims = F.normalize(queries, dim=1) @ F.normalize(documents, dim=1).T
    return F.cross_entropy(scale * sims, torch.zeros(len(queries), dtype=torch.long))'''},
    ("03_sentence_embeddings", "test_in_batch_contrastive_loss", "softmax over queries instead of documents"): {
        "in_batch_contrastive_loss": '''
def in_batch_contrastive_loss(queries, documents, scale=20.0):
    sims = F.normalize(documents, dim=1) @ F.normalize(queries, dim=1).T
    return F.cross_entropy(scale * sims, torch.arange(len(queries)))'''},
    ("03_sentence_embeddings", "test_in_batch_contrastive_loss", "dot products instead of cosines"): {
        "in_batch_contrastive_loss": '''
def in_batch_contrastive_loss(queries, documents, scale=20.0):
    return F.cross_entropy(scale * queries @ documents.T, torch.arange(len(queries)))'''},
    ("04_metric_learning", "test_pairwise_squared_distances", "can go negative, diagonal not zeroed"): {
        "pairwise_squared_distances": '''
def pairwise_squared_distances(X, Y=None):
    Y = X if Y is None else Y
    return (X * X).sum(1)[:, None] + (Y * Y).sum(1)[None, :] - 2.0 * X @ Y.T'''},
    ("04_metric_learning", "test_pairwise_squared_distances", "clamped but diagonal not exactly zero"): {
        "pairwise_squared_distances": '''
def pairwise_squared_distances(X, Y=None):
    Y = X if Y is None else Y
    return ((X * X).sum(1)[:, None] + (Y * Y).sum(1)[None, :] - 2.0 * X @ Y.T).clamp(min=0)'''},
    ("04_metric_learning", "test_recall_at_k", "the query is its own nearest neighbour"): {
        "recall_at_k": '''
def recall_at_k(embeddings, labels, ks=(1, 4)):
    nearest = torch.cdist(embeddings, embeddings).topk(max(ks), dim=1, largest=False).indices
    hits = labels[nearest] == labels[:, None]
    return {k: float(hits[:, :k].any(dim=1).float().mean()) for k in ks}'''},
    ("04_metric_learning", "test_contrastive_loss", "hinge not squared"): {
        "contrastive_loss": '''
def contrastive_loss(embeddings, labels, margin=0.5):
    D = pairwise_squared_distances(embeddings)
    same = labels[:, None] == labels[None, :]
    per_pair = torch.where(same, D, F.relu(margin - torch.sqrt(D.clamp(min=1e-12))))
    return per_pair[torch.triu(torch.ones_like(same), diagonal=1)].mean()'''},
    ("04_metric_learning", "test_batch_all_triplet_loss", "averaged over invalid triplets too"): {
        "batch_all_triplet_loss": '''
def batch_all_triplet_loss(embeddings, labels, margin=0.2):
    D = pairwise_squared_distances(embeddings)
    same = labels[:, None] == labels[None, :]
    eye = torch.eye(len(labels), dtype=torch.bool)
    valid = (same & ~eye)[:, :, None] & (~same)[:, None, :]
    if not valid.any():
        return embeddings.sum() * 0.0
    losses = F.relu(D[:, :, None] - D[:, None, :] + margin) * valid
    return losses.sum() / (valid.shape[0] * valid.shape[1])'''},
    ("04_metric_learning", "test_batch_hard_triplet_loss", "the anchor can be its own positive"): {
        "batch_hard_triplet_loss": '''
def batch_hard_triplet_loss(embeddings, labels, margin=0.2, soft=False):
    d = torch.sqrt(pairwise_squared_distances(embeddings).clamp(min=1e-12))
    same = labels[:, None] == labels[None, :]
    if (~same).sum() == 0:
        return embeddings.sum() * 0.0
    hardest_positive = d.masked_fill(~same, float("-inf")).max(dim=1).values
    hardest_negative = d.masked_fill(same, float("inf")).min(dim=1).values
    gap = hardest_positive - hardest_negative
    return (F.softplus(gap) if soft else F.relu(gap + margin)).mean()'''},
    ("04_metric_learning", "test_arcface_logits", "margin applied to every class"): {
        "arcface_logits": '''
def arcface_logits(embeddings, proxies, labels, scale=16.0, margin=0.3):
    cosine = F.normalize(embeddings, dim=1) @ F.normalize(proxies, dim=1).T
    theta = torch.acos(cosine.clamp(-1 + 1e-7, 1 - 1e-7))
    return scale * torch.where(theta <= math.pi - margin, torch.cos(theta + margin), cosine - margin * math.sin(margin))'''},
    ("04_metric_learning", "test_arcface_logits", "no switch past pi - margin"): {
        "arcface_logits": '''
def arcface_logits(embeddings, proxies, labels, scale=16.0, margin=0.3):
    cosine = F.normalize(embeddings, dim=1) @ F.normalize(proxies, dim=1).T
    theta = torch.acos(cosine.clamp(-1 + 1e-7, 1 - 1e-7))
    is_target = F.one_hot(labels, proxies.shape[0]).bool()
    return scale * torch.where(is_target, torch.cos(theta + margin), cosine)'''},
    ("07_clip", "test_clip_logits", "temperature on the wrong side (divides by the scale)"): {
        "clip_logits": '''
def clip_logits(image_embeddings, text_embeddings, log_scale):
    return F.normalize(image_embeddings, dim=1) @ F.normalize(text_embeddings, dim=1).T / log_scale.exp()'''},
    ("07_clip", "test_clip_logits", "scale clamped in the forward pass"): {
        "clip_logits": '''
def clip_logits(image_embeddings, text_embeddings, log_scale):
    scale = log_scale.clamp(max=math.log(100.0)).exp()
    return scale * F.normalize(image_embeddings, dim=1) @ F.normalize(text_embeddings, dim=1).T'''},
    ("07_clip", "test_clip_loss", "one direction only (image to text)"): {
        "clip_loss": '''
def clip_loss(logits):
    return F.cross_entropy(logits, torch.arange(len(logits)))'''},
    ("07_clip", "test_clip_loss", "both directions taken along the rows"): {
        "clip_loss": '''
def clip_loss(logits):
    targets = torch.arange(len(logits))
    return (F.cross_entropy(logits, targets) + F.cross_entropy(logits, targets.flip(0))) / 2'''},
    ("07_clip", "test_zero_shot_weights", "averages unnormalised prompt embeddings"): {
        "zero_shot_weights": '''
def zero_shot_weights(prompt_embeddings):
    return F.normalize(prompt_embeddings.mean(dim=1), dim=-1)'''},
    ("07_clip", "test_zero_shot_predict", "the k best classes, least similar first"): {
        "zero_shot_predict": '''
def zero_shot_predict(image_embeddings, class_weights, k=1):
    return (image_embeddings @ class_weights.T).argsort(dim=1)[:, -k:]'''},
    ("07_clip", "test_recall_both_directions", "text-to-image computed along the rows"): {
        "recall_both_directions": '''
def recall_both_directions(similarity, k):
    rank = (similarity >= similarity.diagonal()[:, None]).sum(dim=1)
    value = float((rank <= k).float().mean())
    return value, value'''},
}


@pytest.mark.parametrize("case", sorted(WRONG_ANSWERS), ids=lambda case: f"{case[1]}: {case[2]}")
def test_hidden_tests_reject_wrong_answer(case):
    assignment, test_id, _ = case
    with pytest.raises(AssertionError):
        run_test_cell(assignment, test_id, WRONG_ANSWERS[case])


@pytest.mark.parametrize("assignment", sorted({case[0] for case in WRONG_ANSWERS}))
def test_every_test_cell_accepts_the_solution(assignment):
    for test_id in [grade_id for grade_id in load(assignment) if grade_id.startswith("test_")]:
        run_test_cell(assignment, test_id, {})
