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


KEEP = '''
def keep_probabilities(counts, sample=1e-3):
    counts = np.asarray(counts, dtype=np.float64)
    frequency = counts / counts.sum()
    return np.minimum(1.0, (np.sqrt(frequency / sample) + 1) * sample / frequency)
'''
SUBSAMPLE = '''
def subsample(token_ids, keep_prob, rng):
    token_ids = np.asarray(token_ids)
    return token_ids[rng.random(len(token_ids)) < keep_prob[token_ids]]
'''
NOISE = '''
def noise_distribution(counts, power=0.75):
    weights = np.asarray(counts, dtype=np.float64) ** power
    return weights / weights.sum()
'''
DRAW = '''
def draw_negatives(noise, shape, rng):
    draws = np.searchsorted(np.cumsum(noise), rng.random(shape), side="right").astype(np.int64)
    return np.minimum(draws, len(noise) - 1)
'''
DECAY = '''
def linear_decay(lr, step, total_steps, floor=1e-4):
    return lr * max(floor, 1.0 - step / total_steps)
'''
TRAIN_PAIRS = '''
def train_pairs(centre_table, context_table, centres, contexts, negatives, batch_size, lr, first_step,
                total_steps, negative_weight=1.0):
    losses = []
    for j, start in enumerate(range(0, len(centres), batch_size)):
        rate = linear_decay(lr, first_step + j, total_steps)
        losses.append(sgd_step(centre_table, context_table, centres[start:start + batch_size],
                               contexts[start:start + batch_size], negatives[j], rate, negative_weight))
    return losses
'''


def grads(loss_line="loss = -(F.logsigmoid(positive) + negative_weight * F.logsigmoid(-negative).sum(-1)).mean()",
          d_pos="(torch.sigmoid(positive) - 1) / batch", d_neg="torch.sigmoid(negative) * (negative_weight / batch)",
          centre_shared="d_pos[:, None] * context + d_neg @ negatives", neg_shared="d_neg.T @ centre",
          centre_pair="d_pos[:, None] * context + torch.bmm(d_neg.unsqueeze(1), negatives).squeeze(1)",
          context="d_pos[:, None] * centre"):
    return f'''
def sgns_loss_and_grads(centre, context, negatives, negative_weight=1.0):
    batch = centre.shape[0]
    positive = (centre * context).sum(-1)
    shared = negatives.dim() == 2
    negative = centre @ negatives.T if shared else torch.bmm(negatives, centre.unsqueeze(-1)).squeeze(-1)
    {loss_line}
    d_pos = {d_pos}
    d_neg = {d_neg}
    grad_context = {context}
    if shared:
        return loss, {centre_shared}, grad_context, {neg_shared}
    return loss, {centre_pair}, grad_context, d_neg.unsqueeze(-1) * centre.unsqueeze(1)
'''


def step(body):
    return '''
def sgd_step(centre_table, context_table, centres, contexts, negatives, lr, negative_weight=1.0):
    with torch.no_grad():
        v = centre_table.index_select(0, centres)
        u = context_table.index_select(0, contexts)
        n = context_table[negatives]
        loss, grad_v, grad_u, grad_n = sgns_loss_and_grads(v, u, n, negative_weight)
''' + body


GOOD_STEP_UPDATES = '''        centre_table.index_add_(0, centres, grad_v, alpha=-lr)
        context_table.index_add_(0, contexts, grad_u, alpha=-lr)
        context_table.index_add_(0, negatives.reshape(-1), grad_n.reshape(-1, grad_n.shape[-1]), alpha=-lr)
'''


def ppmi_answer(words="np.asarray(counts.sum(axis=1)).ravel()", contexts="np.asarray(counts.sum(axis=0)).ravel() ** alpha",
                total="contexts.sum()", keep="pmi > 0"):
    return f'''
def ppmi(counts, alpha=0.75):
    counts = sparse.coo_matrix(counts, dtype=np.float64)
    counts.sum_duplicates()
    counts.eliminate_zeros()
    words = {words}
    contexts = {contexts}
    pmi = np.log(counts.data * {total} / (words[counts.row] * contexts[counts.col]))
    positive = {keep}
    return sparse.csr_matrix((np.maximum(pmi[positive], 0), (counts.row[positive], counts.col[positive])), shape=counts.shape)
'''


L01 = "01_word2vec"
# Lesson 01: every clause of every docstring has a wrong answer that breaks only that clause.
WRONG_01 = {
    (L01, "test_build_vocabulary", "ties not broken alphabetically"): {"build_vocabulary": '''
def build_vocabulary(sentences, min_count):
    if min_count < 1:
        raise ValueError("min_count")
    counter = Counter(t for s in sentences for t in s)
    kept = [(w, c) for w, c in counter.most_common() if c >= min_count]
    return [w for w, _ in kept], np.array([c for _, c in kept], dtype=np.int64)'''},
    (L01, "test_build_vocabulary", "keeps only words seen more than min_count times"): {"build_vocabulary": '''
def build_vocabulary(sentences, min_count):
    if min_count < 1:
        raise ValueError("min_count")
    counter = Counter(t for s in sentences for t in s)
    kept = sorted((w for w, c in counter.items() if c > min_count), key=lambda w: (-counter[w], w))
    return kept, np.array([counter[w] for w in kept], dtype=np.int64)'''},
    (L01, "test_build_vocabulary", "min_count not validated"): {"build_vocabulary": '''
def build_vocabulary(sentences, min_count):
    counter = Counter(t for s in sentences for t in s)
    kept = sorted((w for w, c in counter.items() if c >= min_count), key=lambda w: (-counter[w], w))
    return kept, np.array([counter[w] for w in kept], dtype=np.int64)'''},
    (L01, "test_build_vocabulary", "float counts"): {"build_vocabulary": '''
def build_vocabulary(sentences, min_count):
    if min_count < 1:
        raise ValueError("min_count")
    counter = Counter(t for s in sentences for t in s)
    kept = sorted((w for w, c in counter.items() if c >= min_count), key=lambda w: (-counter[w], w))
    return kept, np.array([counter[w] for w in kept], dtype=np.float64)'''},
    (L01, "test_build_vocabulary", "reads the sentences twice (fails on a generator)"): {"build_vocabulary": '''
def build_vocabulary(sentences, min_count):
    if min_count < 1:
        raise ValueError("min_count")
    vocabulary = {t for s in sentences for t in s}
    counter = Counter({w: 0 for w in vocabulary})
    counter.update(t for s in sentences for t in s)
    kept = sorted((w for w, c in counter.items() if c >= min_count), key=lambda w: (-counter[w], w))
    return kept, np.array([counter[w] for w in kept], dtype=np.int64)'''},
    (L01, "test_subsampling", "the paper's rule instead of the code's"): {"subsampling": SUBSAMPLE + '''
def keep_probabilities(counts, sample=1e-3):
    frequency = np.asarray(counts, dtype=np.float64) / np.sum(counts)
    return np.minimum(1.0, np.sqrt(sample / frequency))'''},
    (L01, "test_subsampling", "keep probability not capped at 1"): {"subsampling": SUBSAMPLE + '''
def keep_probabilities(counts, sample=1e-3):
    frequency = np.asarray(counts, dtype=np.float64) / np.sum(counts)
    return (np.sqrt(frequency / sample) + 1) * sample / frequency'''},
    (L01, "test_subsampling", "keeps when the draw is above 1 - p (right rate, wrong draws)"): {"subsampling": KEEP + '''
def subsample(token_ids, keep_prob, rng):
    token_ids = np.asarray(token_ids)
    return token_ids[rng.random(len(token_ids)) >= 1 - keep_prob[token_ids]]'''},
    (L01, "test_skipgram_pairs", "fixed window instead of a dynamic one"): {"skipgram_pairs": '''
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
    (L01, "test_skipgram_pairs", "the context's radius instead of the centre's"): {"skipgram_pairs": '''
def skipgram_pairs(token_ids, window, rng):
    if not isinstance(window, int) or window < 1:
        raise ValueError("window")
    token_ids = np.asarray(token_ids, dtype=np.int64)
    n = len(token_ids)
    radii = rng.integers(1, window + 1, size=n)
    centres, contexts = [], []
    for offset in range(1, window + 1):
        right = np.nonzero(radii[offset:] >= offset)[0]
        left = np.nonzero(radii[: max(n - offset, 0)] >= offset)[0] + offset
        centres += [token_ids[right], token_ids[left]]
        contexts += [token_ids[right + offset], token_ids[left - offset]]
    return np.concatenate(centres), np.concatenate(contexts)'''},
    (L01, "test_skipgram_pairs", "positions instead of word ids"): {"skipgram_pairs": '''
def skipgram_pairs(token_ids, window, rng):
    if not isinstance(window, int) or window < 1:
        raise ValueError("window")
    n = len(token_ids)
    radii = rng.integers(1, window + 1, size=n)
    centres, contexts = [], []
    for offset in range(1, window + 1):
        right = np.nonzero(radii[: max(n - offset, 0)] >= offset)[0]
        left = np.nonzero(radii[offset:] >= offset)[0] + offset
        centres += [right, left]
        contexts += [right + offset, left - offset]
    return np.concatenate(centres), np.concatenate(contexts)'''},
    (L01, "test_skipgram_pairs", "windows wrap around the ends of the stream"): {"skipgram_pairs": '''
def skipgram_pairs(token_ids, window, rng):
    if not isinstance(window, int) or window < 1:
        raise ValueError("window")
    token_ids = np.asarray(token_ids, dtype=np.int64)
    radii = rng.integers(1, window + 1, size=len(token_ids))
    centres, contexts = [], []
    for offset in range(1, window + 1):
        keep = radii >= offset
        centres += [token_ids[keep], token_ids[keep]]
        contexts += [np.roll(token_ids, -offset)[keep], np.roll(token_ids, offset)[keep]]
    return np.concatenate(centres), np.concatenate(contexts)'''},
    (L01, "test_skipgram_pairs", "window not validated"): {"skipgram_pairs": '''
def skipgram_pairs(token_ids, window, rng):
    token_ids = np.asarray(token_ids, dtype=np.int64)
    n = len(token_ids)
    radii = rng.integers(1, max(window, 1) + 1, size=n)
    centres, contexts = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
    for offset in range(1, window + 1):
        right = np.nonzero(radii[: max(n - offset, 0)] >= offset)[0]
        left = np.nonzero(radii[offset:] >= offset)[0] + offset
        centres += [token_ids[right], token_ids[left]]
        contexts += [token_ids[right + offset], token_ids[left - offset]]
    return np.concatenate(centres), np.concatenate(contexts)'''},
    (L01, "test_negative_sampling", "noise without the 0.75 power"): {"negative_sampling": DRAW + '''
def noise_distribution(counts, power=0.75):
    counts = np.asarray(counts, dtype=float)
    return counts / counts.sum()'''},
    (L01, "test_negative_sampling", "power argument ignored"): {"negative_sampling": DRAW + '''
def noise_distribution(counts, power=0.75):
    weights = np.asarray(counts, dtype=float) ** 0.75
    return weights / weights.sum()'''},
    (L01, "test_negative_sampling", "ids not clipped below len(noise)"): {"negative_sampling": NOISE + '''
def draw_negatives(noise, shape, rng):
    return np.searchsorted(np.cumsum(noise), rng.random(shape), side="right").astype(np.int64)'''},
    (L01, "test_negative_sampling", "ignores the shape (flat draws)"): {"negative_sampling": NOISE + '''
def draw_negatives(noise, shape, rng):
    draws = np.searchsorted(np.cumsum(noise), rng.random(shape), side="right").astype(np.int64)
    return np.minimum(draws, len(noise) - 1).reshape(-1)'''},
    (L01, "test_sgns_loss", "sign of the negative term flipped"): {"sgns_loss": '''
def sgns_loss(centre, context, negatives):
    positive = F.logsigmoid((centre * context).sum(-1))
    negative = F.logsigmoid(torch.bmm(negatives, centre.unsqueeze(-1)).squeeze(-1)).sum(-1)
    return -(positive + negative).mean()'''},
    (L01, "test_sgns_loss", "log of sigmoid (overflows)"): {"sgns_loss": '''
def sgns_loss(centre, context, negatives):
    positive = torch.log(torch.sigmoid((centre * context).sum(-1)))
    negative = torch.log(torch.sigmoid(-torch.bmm(negatives, centre.unsqueeze(-1)).squeeze(-1))).sum(-1)
    return -(positive + negative).mean()'''},
    (L01, "test_sgns_loss", "sum over the batch instead of the mean"): {"sgns_loss": '''
def sgns_loss(centre, context, negatives):
    positive = F.logsigmoid((centre * context).sum(-1))
    negative = F.logsigmoid(-torch.bmm(negatives, centre.unsqueeze(-1)).squeeze(-1)).sum(-1)
    return -(positive + negative).sum()'''},
    (L01, "test_score_gradients", "sign of the positive derivative flipped"): {"score_gradients": '''
def score_gradients(positive_scores, negative_scores):
    return 1 - torch.sigmoid(positive_scores), torch.sigmoid(negative_scores)'''},
    (L01, "test_score_gradients", "chain rule through -s forgotten for the negatives"): {"score_gradients": '''
def score_gradients(positive_scores, negative_scores):
    return torch.sigmoid(positive_scores) - 1, torch.sigmoid(-negative_scores)'''},
    (L01, "test_score_gradients", "exp(s) / (1 + exp(s)) overflows"): {"score_gradients": '''
def score_gradients(positive_scores, negative_scores):
    sig = lambda s: torch.exp(s) / (1 + torch.exp(s))
    return sig(positive_scores) - 1, sig(negative_scores)'''},
    (L01, "test_score_gradients", "float32 results for float64 scores"): {"score_gradients": '''
def score_gradients(positive_scores, negative_scores):
    return torch.sigmoid(positive_scores.float()) - 1, torch.sigmoid(negative_scores.float())'''},
    (L01, "test_sgns_loss_and_grads", "gradients of the summed loss, not the mean"): {
        "sgns_loss_and_grads": grads(d_pos="torch.sigmoid(positive) - 1", d_neg="torch.sigmoid(negative) * negative_weight")},
    (L01, "test_sgns_loss_and_grads", "loss summed over the batch"): {
        "sgns_loss_and_grads": grads(loss_line="loss = -(F.logsigmoid(positive) + negative_weight * F.logsigmoid(-negative).sum(-1)).sum()")},
    (L01, "test_sgns_loss_and_grads", "negative_weight left out of the loss"): {
        "sgns_loss_and_grads": grads(loss_line="loss = -(F.logsigmoid(positive) + F.logsigmoid(-negative).sum(-1)).mean()")},
    (L01, "test_sgns_loss_and_grads", "negative_weight left out of the gradients"): {
        "sgns_loss_and_grads": grads(d_neg="torch.sigmoid(negative) / batch")},
    (L01, "test_sgns_loss_and_grads", "centre gradient misses the negatives"): {
        "sgns_loss_and_grads": grads(centre_shared="d_pos[:, None] * context", centre_pair="d_pos[:, None] * context")},
    (L01, "test_sgns_loss_and_grads", "context gradient with the wrong sign"): {
        "sgns_loss_and_grads": grads(context="-d_pos[:, None] * centre")},
    (L01, "test_sgns_loss_and_grads", "shared negatives: gradient averaged over the batch, not summed"): {
        "sgns_loss_and_grads": grads(neg_shared="d_neg.T @ centre / batch")},
    (L01, "test_sgd_step", "repeated ids not accumulated (fancy-index assignment)"): {"sgd_step": step('''
        centre_table[centres] -= lr * grad_v
        context_table[contexts] -= lr * grad_u
        context_table[negatives] -= lr * grad_n
    return float(loss)''')},
    (L01, "test_sgd_step", "negatives' rows never updated"): {"sgd_step": step('''
        centre_table.index_add_(0, centres, grad_v, alpha=-lr)
        context_table.index_add_(0, contexts, grad_u, alpha=-lr)
    return float(loss)''')},
    (L01, "test_sgd_step", "gradient ascent"): {"sgd_step": step(GOOD_STEP_UPDATES.replace("alpha=-lr", "alpha=lr") + "    return float(loss)")},
    (L01, "test_sgd_step", "context rows updated before the centre gradient is used"): {"sgd_step": '''
def sgd_step(centre_table, context_table, centres, contexts, negatives, lr, negative_weight=1.0):
    with torch.no_grad():
        v = centre_table.index_select(0, centres)
        u = context_table.index_select(0, contexts)
        n = context_table[negatives]
        loss, grad_v, grad_u, grad_n = sgns_loss_and_grads(v, u, n, negative_weight)
        context_table.index_add_(0, contexts, grad_u, alpha=-lr)
        context_table.index_add_(0, negatives.reshape(-1), grad_n.reshape(-1, grad_n.shape[-1]), alpha=-lr)
        _, grad_v, _, _ = sgns_loss_and_grads(v, context_table.index_select(0, contexts), context_table[negatives], negative_weight)
        centre_table.index_add_(0, centres, grad_v, alpha=-lr)
    return float(loss)'''},
    (L01, "test_sgd_step", "returns the loss after the update"): {"sgd_step": step(GOOD_STEP_UPDATES + '''
        after = sgns_loss_and_grads(centre_table[centres], context_table[contexts], context_table[negatives], negative_weight)[0]
    return float(after)''')},
    (L01, "test_sgd_step", "returns a tensor, not a float"): {"sgd_step": step(GOOD_STEP_UPDATES + "    return loss")},
    (L01, "test_train_pairs", "constant learning rate"): {"train_pairs": DECAY + TRAIN_PAIRS.replace(
        "rate = linear_decay(lr, first_step + j, total_steps)", "rate = lr")},
    (L01, "test_train_pairs", "decay restarts at every pass (first_step ignored)"): {"train_pairs": DECAY + TRAIN_PAIRS.replace(
        "linear_decay(lr, first_step + j, total_steps)", "linear_decay(lr, j, total_steps)")},
    (L01, "test_train_pairs", "learning rate without a floor"): {"train_pairs": TRAIN_PAIRS + '''
def linear_decay(lr, step, total_steps, floor=1e-4):
    return lr * (1.0 - step / total_steps)'''},
    (L01, "test_train_pairs", "floor argument ignored"): {"train_pairs": TRAIN_PAIRS + '''
def linear_decay(lr, step, total_steps, floor=1e-4):
    return lr * max(1e-4, 1.0 - step / total_steps)'''},
    (L01, "test_train_pairs", "drops the last, shorter batch"): {"train_pairs": DECAY + TRAIN_PAIRS.replace(
        "range(0, len(centres), batch_size)", "range(0, len(centres) - batch_size + 1, batch_size)")},
    (L01, "test_train_pairs", "the same negatives for every batch"): {"train_pairs": DECAY + TRAIN_PAIRS.replace(
        "negatives[j], rate", "negatives[0], rate")},
    (L01, "test_ppmi", "no context smoothing (alpha ignored)"): {"ppmi": ppmi_answer(contexts="np.asarray(counts.sum(axis=0)).ravel()")},
    (L01, "test_ppmi", "smoothing applied to the word counts too"): {
        "ppmi": ppmi_answer(words="np.asarray(counts.sum(axis=1)).ravel() ** alpha")},
    (L01, "test_ppmi", "smoothed context counts normalised by the unsmoothed total"): {"ppmi": ppmi_answer(total="counts.data.sum()")},
    (L01, "test_ppmi", "negative PMI kept"): {"ppmi": '''
def ppmi(counts, alpha=0.75):
    counts = sparse.coo_matrix(counts, dtype=np.float64)
    counts.sum_duplicates()
    counts.eliminate_zeros()
    words = np.asarray(counts.sum(axis=1)).ravel()
    contexts = np.asarray(counts.sum(axis=0)).ravel() ** alpha
    pmi = np.log(counts.data * contexts.sum() / (words[counts.row] * contexts[counts.col]))
    return sparse.csr_matrix((pmi, (counts.row, counts.col)), shape=counts.shape)'''},
    (L01, "test_ppmi", "dense computation: NaN for an empty row or column"): {"ppmi": '''
def ppmi(counts, alpha=0.75):
    dense = sparse.csr_matrix(counts, dtype=np.float64).toarray()
    rows, cols = dense.sum(1), dense.sum(0) ** alpha
    with np.errstate(divide="ignore", invalid="ignore"):
        pmi = np.log(dense * cols.sum() / np.outer(rows, cols))
    return sparse.csr_matrix(np.where(pmi > 0, pmi, np.where(np.isnan(pmi), pmi, 0.0)))'''},
    (L01, "test_ppmi", "returns a dense array"): {"ppmi": '''
def ppmi(counts, alpha=0.75):
    counts = sparse.coo_matrix(counts, dtype=np.float64)
    counts.sum_duplicates()
    counts.eliminate_zeros()
    words = np.asarray(counts.sum(axis=1)).ravel()
    contexts = np.asarray(counts.sum(axis=0)).ravel() ** alpha
    pmi = np.log(counts.data * contexts.sum() / (words[counts.row] * contexts[counts.col]))
    return sparse.csr_matrix((np.maximum(pmi, 0), (counts.row, counts.col)), shape=counts.shape).toarray()'''},
}
for _case, _replacement in WRONG_01.items():
    WRONG_ANSWERS[_case] = {grade_id: ("from scipy import sparse\n" + source if grade_id == "ppmi" else source)
                            for grade_id, source in _replacement.items()}


@pytest.mark.parametrize("case", sorted(WRONG_ANSWERS), ids=lambda case: f"{case[1]}: {case[2]}")
def test_hidden_tests_reject_wrong_answer(case):
    assignment, test_id, _ = case
    with pytest.raises(AssertionError):
        run_test_cell(assignment, test_id, WRONG_ANSWERS[case])


@pytest.mark.parametrize("assignment", sorted({case[0] for case in WRONG_ANSWERS}))
def test_every_test_cell_accepts_the_solution(assignment):
    for test_id in [grade_id for grade_id in load(assignment) if grade_id.startswith("test_")]:
        run_test_cell(assignment, test_id, {})
