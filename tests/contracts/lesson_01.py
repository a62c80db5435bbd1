"""Lesson 01, word2vec: each clause of each graded docstring and a wrong answer that breaks only it."""
from contracts import Contract
from contracts._solution import swap

ASSIGNMENT = "01_word2vec"


def variant(template, grade_id):
    """make(old, new, ...): the solution `template` with each `old` replaced by its `new`, swapped into the cell."""
    def make(*edits):
        source = template
        for old, new in zip(edits[::2], edits[1::2]):
            assert old in source, old
            source = source.replace(old, new)
        return swap(ASSIGNMENT, grade_id, source)
    return make


def whole(grade_id, source):
    """A wrong answer written out in full (its other functions stay the solution's)."""
    return swap(ASSIGNMENT, grade_id, source)


# The reference solutions, without their docstrings, so that one piece at a time can be made wrong.
SOLUTION = {
    "build_vocabulary": '''
def build_vocabulary(sentences, min_count):
    if not isinstance(min_count, int) or isinstance(min_count, bool) or min_count < 1:
        raise ValueError(f"min_count must be an int >= 1, got {min_count!r}")
    counter = Counter(token for sentence in sentences for token in sentence)
    kept = sorted((word for word, count in counter.items() if count >= min_count),
                  key=lambda word: (-counter[word], word))
    return kept, np.array([counter[word] for word in kept], dtype=np.int64)
''',
    "keep_probabilities": '''
def keep_probabilities(counts, sample=1e-3):
    counts = np.asarray(counts, dtype=np.float64)
    frequency = counts / counts.sum()
    return np.minimum(1.0, (np.sqrt(frequency / sample) + 1) * sample / frequency)
''',
    "subsample": '''
def subsample(token_ids, keep_prob, rng):
    token_ids = np.asarray(token_ids)
    return token_ids[rng.random(len(token_ids)) < keep_prob[token_ids]]
''',
    "skipgram_pairs": '''
def skipgram_pairs(token_ids, window, rng):
    if not isinstance(window, int) or window < 1:
        raise ValueError(f"window must be an int >= 1, got {window!r}")
    token_ids = np.asarray(token_ids, dtype=np.int64)
    n = len(token_ids)
    radii = rng.integers(1, window + 1, size=n)
    centres, contexts = [], []
    for offset in range(1, window + 1):
        right = np.nonzero(radii[: max(n - offset, 0)] >= offset)[0]
        left = np.nonzero(radii[offset:] >= offset)[0] + offset
        centres += [token_ids[right], token_ids[left]]
        contexts += [token_ids[right + offset], token_ids[left - offset]]
    return np.concatenate(centres), np.concatenate(contexts)
''',
    "noise_distribution": '''
def noise_distribution(counts, power=0.75):
    counts = np.asarray(counts, dtype=np.float64)
    if not (counts > 0).any():
        raise ValueError(f"counts must hold at least one positive count, got {counts.size} counts "
                         f"summing to {counts.sum()}")
    weights = counts ** power
    return weights / weights.sum()
''',
    "draw_negatives": '''
def draw_negatives(noise, shape, rng):
    if len(noise) == 0:
        raise ValueError("noise must hold at least one probability, got an empty array")
    cumulative = np.cumsum(noise)
    draws = np.asarray(np.searchsorted(cumulative, rng.random(shape), side="right"), dtype=np.int64)
    return np.minimum(draws, len(noise) - 1, out=draws)
''',
    "sgns_loss": '''
def sgns_loss(centre, context, negatives):
    if centre.shape[0] == 0:
        raise ValueError("centre must hold at least one pair (B >= 1): "
                         "the mean loss of an empty batch is undefined")
    positive = F.logsigmoid((centre * context).sum(dim=-1))
    negative = F.logsigmoid(-torch.bmm(negatives, centre.unsqueeze(-1)).squeeze(-1)).sum(dim=-1)
    return -(positive + negative).mean()
''',
    "score_gradients": '''
def score_gradients(positive_scores, negative_scores):
    return torch.sigmoid(positive_scores) - 1, torch.sigmoid(negative_scores)
''',
    "sgns_loss_and_grads": '''
def sgns_loss_and_grads(centre, context, negatives, negative_weight=1.0):
    batch = centre.shape[0]
    if batch == 0:
        raise ValueError("centre must hold at least one pair (B >= 1): "
                         "the mean loss of an empty batch is undefined")
    positive = (centre * context).sum(-1)
    shared = negatives.dim() == 2
    if shared:
        negative = centre @ negatives.T
    else:
        negative = torch.bmm(negatives, centre.unsqueeze(-1)).squeeze(-1)
    loss = -(F.logsigmoid(positive) + negative_weight * F.logsigmoid(-negative).sum(-1)).mean()
    d_pos = (torch.sigmoid(positive) - 1) / batch
    d_neg = torch.sigmoid(negative) * (negative_weight / batch)
    grad_context = d_pos[:, None] * centre
    if shared:
        grad_centre = d_pos[:, None] * context + d_neg @ negatives
        grad_negatives = d_neg.T @ centre
    else:
        grad_centre = d_pos[:, None] * context + torch.bmm(d_neg.unsqueeze(1), negatives).squeeze(1)
        grad_negatives = d_neg.unsqueeze(-1) * centre.unsqueeze(1)
    return loss, grad_centre, grad_context, grad_negatives
''',
    "sgd_step": '''
def sgd_step(centre_table, context_table, centres, contexts, negatives, lr, negative_weight=1.0):
    with torch.no_grad():
        v = centre_table.index_select(0, centres)
        u = context_table.index_select(0, contexts)
        n = context_table[negatives]
        loss, grad_v, grad_u, grad_n = sgns_loss_and_grads(v, u, n, negative_weight)
        centre_table.index_add_(0, centres, grad_v, alpha=-lr)
        context_table.index_add_(0, contexts, grad_u, alpha=-lr)
        context_table.index_add_(0, negatives.reshape(-1), grad_n.reshape(-1, grad_n.shape[-1]), alpha=-lr)
    return float(loss)
''',
    "linear_decay": '''
def linear_decay(lr, step, total_steps, floor=1e-4):
    return lr * max(floor, 1.0 - step / total_steps)
''',
    "train_pairs": '''
def train_pairs(centre_table, context_table, centres, contexts, negatives, batch_size, lr, first_step,
                total_steps, negative_weight=1.0):
    losses = []
    for j, start in enumerate(range(0, len(centres), batch_size)):
        rate = linear_decay(lr, first_step + j, total_steps)
        losses.append(sgd_step(centre_table, context_table, centres[start:start + batch_size],
                               contexts[start:start + batch_size], negatives[j], rate, negative_weight))
    return losses
''',
    "ppmi": '''
def ppmi(counts, alpha=0.75):
    counts = sparse.coo_matrix(counts, dtype=np.float64)
    counts.sum_duplicates()
    counts.eliminate_zeros()
    words = np.asarray(counts.sum(axis=1)).ravel()
    contexts = np.asarray(counts.sum(axis=0)).ravel() ** alpha
    pmi = np.log(counts.data * contexts.sum() / (words[counts.row] * contexts[counts.col]))
    positive = pmi > 0
    return sparse.csr_matrix((pmi[positive], (counts.row[positive], counts.col[positive])), shape=counts.shape)
''',
}
CELL = {"build_vocabulary": "build_vocabulary", "keep_probabilities": "subsampling", "subsample": "subsampling",
        "skipgram_pairs": "skipgram_pairs", "noise_distribution": "negative_sampling",
        "draw_negatives": "negative_sampling", "sgns_loss": "sgns_loss", "score_gradients": "score_gradients",
        "sgns_loss_and_grads": "sgns_loss_and_grads", "sgd_step": "sgd_step", "linear_decay": "train_pairs",
        "train_pairs": "train_pairs", "ppmi": "ppmi"}

vocabulary, keep, subsample, pairs, noise, draw, loss, scores, grads, step, decay, train, ppmi = (
    variant(SOLUTION[name], CELL[name]) for name in (
        "build_vocabulary", "keep_probabilities", "subsample", "skipgram_pairs", "noise_distribution", "draw_negatives",
        "sgns_loss", "score_gradients", "sgns_loss_and_grads", "sgd_step", "linear_decay", "train_pairs", "ppmi"))

CONTRACTS = {
    "build_vocabulary": Contract(test="test_build_vocabulary", clauses={
        "sentences may be a one-pass iterator (read once)": whole("build_vocabulary", '''
def build_vocabulary(sentences, min_count):
    if not isinstance(min_count, int) or isinstance(min_count, bool) or min_count < 1:
        raise ValueError(f"min_count must be an int >= 1, got {min_count!r}")
    counter = Counter({token: 0 for sentence in sentences for token in sentence})
    counter.update(token for sentence in sentences for token in sentence)
    kept = sorted((word for word, count in counter.items() if count >= min_count),
                  key=lambda word: (-counter[word], word))
    return kept, np.array([counter[word] for word in kept], dtype=np.int64)'''),
        "kept when seen at least min_count times (>=, not >)": vocabulary("count >= min_count", "count > min_count"),
        "min_count = 1 is allowed (the bound's edge)": vocabulary("min_count < 1:", "min_count <= 1:"),
        "min_count = 0 raises ValueError": vocabulary("min_count < 1:", "min_count < 0:"),
        "a non-integer min_count raises ValueError": vocabulary(
            "not isinstance(min_count, int) or isinstance(min_count, bool) or min_count < 1", "min_count < 1"),
        "most frequent first": vocabulary("key=lambda word: (-counter[word], word)", "key=lambda word: (counter[word], word)"),
        "ties broken alphabetically": whole("build_vocabulary", '''
def build_vocabulary(sentences, min_count):
    if not isinstance(min_count, int) or isinstance(min_count, bool) or min_count < 1:
        raise ValueError(f"min_count must be an int >= 1, got {min_count!r}")
    counter = Counter(token for sentence in sentences for token in sentence)
    kept = [word for word, count in counter.most_common() if count >= min_count]
    return kept, np.array([counter[word] for word in kept], dtype=np.int64)'''),
        "counts[i] is the count of words[i]": vocabulary(
            "np.array([counter[word] for word in kept], dtype=np.int64)",
            "np.array([count for count in counter.values() if count >= min_count], dtype=np.int64)"),
        "words is a list": vocabulary("return kept, ", "return np.array(kept), "),
        "counts is an array, not a list": vocabulary("np.array([counter[word] for word in kept], dtype=np.int64)",
                                                     "[counter[word] for word in kept]"),
        "counts are integers, not floats": vocabulary("dtype=np.int64", "dtype=np.float64"),
        "counts are int64, not int32": vocabulary("dtype=np.int64", "dtype=np.int32"),
        "no word reaches min_count: an empty list and an empty int64 array": vocabulary(
            "np.array([counter[word] for word in kept], dtype=np.int64)", "np.array([counter[word] for word in kept])"),
        "no sentences at all: ([], an int64 array of shape (0,)), not a crash": whole("build_vocabulary", '''
def build_vocabulary(sentences, min_count):
    if not isinstance(min_count, int) or isinstance(min_count, bool) or min_count < 1:
        raise ValueError(f"min_count must be an int >= 1, got {min_count!r}")
    tokens = np.concatenate([np.asarray(sentence, dtype=str) for sentence in sentences])
    values, tallies = np.unique(tokens, return_counts=True)
    keep = tallies >= min_count
    values, tallies = values[keep], tallies[keep]
    order = np.lexsort((values, -tallies))
    return values[order].tolist(), tallies[order].astype(np.int64)'''),
    }),
    "keep_probabilities": Contract(test="test_subsampling", clauses={
        "the code's rule (sqrt(f / s) + 1) s / f, not the paper's sqrt(s / f)": keep(
            "(np.sqrt(frequency / sample) + 1) * sample / frequency", "np.sqrt(sample / frequency)"),
        "capped at 1": keep("np.minimum(1.0, (np.sqrt(frequency / sample) + 1) * sample / frequency)",
                            "(np.sqrt(frequency / sample) + 1) * sample / frequency"),
        "sample at values other than the default": keep(
            "(np.sqrt(frequency / sample) + 1) * sample / frequency", "(np.sqrt(frequency / 1e-3) + 1) * 1e-3 / frequency"),
        "f is the share of all tokens (counts / counts.sum())": keep("frequency = counts / counts.sum()",
                                                                     "frequency = counts / counts.max()"),
        "empty counts: an empty float64 array, not a crash": keep(
            "    frequency = counts / counts.sum()\n",
            "    if counts.min() <= 0:\n        raise ValueError('counts must be positive')\n    frequency = counts / counts.sum()\n"),
    }),
    "subsample": Contract(test="test_subsampling", clauses={
        "position i kept when its draw is below keep_prob (not above 1 - keep_prob)": subsample(
            "rng.random(len(token_ids)) < keep_prob[token_ids]", "rng.random(len(token_ids)) >= 1 - keep_prob[token_ids]"),
        "one draw per occurrence, not one per word": subsample(
            "rng.random(len(token_ids)) < keep_prob[token_ids]", "rng.random(len(keep_prob))[token_ids] < keep_prob[token_ids]"),
        "returns the kept ids, not their positions": subsample(
            "return token_ids[rng.random(len(token_ids)) < keep_prob[token_ids]]",
            "return np.flatnonzero(rng.random(len(token_ids)) < keep_prob[token_ids])"),
        "in their original order": subsample("return token_ids[rng.random(len(token_ids)) < keep_prob[token_ids]]",
                                             "return np.sort(token_ids[rng.random(len(token_ids)) < keep_prob[token_ids]])"),
        "empty token_ids: an empty integer array (not float64)": whole("subsampling", '''
def subsample(token_ids, keep_prob, rng):
    draws = rng.random(len(token_ids))
    return np.array([token for token, draw in zip(token_ids, draws) if draw < keep_prob[token]])'''),
    }),
    "skipgram_pairs": Contract(test="test_skipgram_pairs", clauses={
        "window = 0 raises ValueError": pairs(
            '    if not isinstance(window, int) or window < 1:\n        raise ValueError(f"window must be an int >= 1, got {window!r}")\n', "",
            "rng.integers(1, window + 1, size=n)", "rng.integers(1, max(window, 1) + 1, size=n)",
            "centres, contexts = [], []", "centres, contexts = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]"),
        "a non-integer window raises ValueError": pairs("not isinstance(window, int) or window < 1", "window < 1"),
        "a dynamic window, not a fixed one": pairs(
            "right = np.nonzero(radii[: max(n - offset, 0)] >= offset)[0]", "right = np.arange(max(n - offset, 0))",
            "left = np.nonzero(radii[offset:] >= offset)[0] + offset", "left = np.arange(offset, n)"),
        "each centre's own radius (not the context's)": pairs(
            "right = np.nonzero(radii[: max(n - offset, 0)] >= offset)[0]", "right = np.nonzero(radii[offset:] >= offset)[0]",
            "left = np.nonzero(radii[offset:] >= offset)[0] + offset",
            "left = np.nonzero(radii[: max(n - offset, 0)] >= offset)[0] + offset"),
        "radii from 1 to W inclusive (rng.integers(1, window + 1))": pairs(
            "rng.integers(1, window + 1, size=n)", "rng.integers(1, window, size=n)"),
        "the radii drawn in one call": pairs(
            "rng.integers(1, window + 1, size=n)", "np.array([rng.integers(1, window + 1) for _ in range(n)], dtype=np.int64)"),
        "pairs on both sides of the centre": pairs(
            "centres += [token_ids[right], token_ids[left]]", "centres += [token_ids[right]]",
            "contexts += [token_ids[right + offset], token_ids[left - offset]]", "contexts += [token_ids[right + offset]]"),
        "no pair of a position with itself (j != i)": pairs("for offset in range(1, window + 1):",
                                                            "for offset in range(0, window + 1):"),
        "inside the stream (no wrap-around)": whole("skipgram_pairs", '''
def skipgram_pairs(token_ids, window, rng):
    if not isinstance(window, int) or window < 1:
        raise ValueError(f"window must be an int >= 1, got {window!r}")
    token_ids = np.asarray(token_ids, dtype=np.int64)
    radii = rng.integers(1, window + 1, size=len(token_ids))
    centres, contexts = [], []
    for offset in range(1, window + 1):
        keep = radii >= offset
        centres += [token_ids[keep], token_ids[keep]]
        contexts += [np.roll(token_ids, -offset)[keep], np.roll(token_ids, offset)[keep]]
    return np.concatenate(centres), np.concatenate(contexts)'''),
        "a stream shorter than the window": pairs("radii[: max(n - offset, 0)]", "radii[: n - offset]"),
        "word ids, not positions": pairs(
            "centres += [token_ids[right], token_ids[left]]", "centres += [right, left]",
            "contexts += [token_ids[right + offset], token_ids[left - offset]]", "contexts += [right + offset, left - offset]"),
        "int64 arrays, also for int32 token ids": pairs("np.asarray(token_ids, dtype=np.int64)", "np.asarray(token_ids)"),
        "arrays, not lists": pairs("return np.concatenate(centres), np.concatenate(contexts)",
                                   "return np.concatenate(centres).tolist(), np.concatenate(contexts).tolist()"),
        "0 or 1 tokens: two empty int64 arrays (not float64)": whole("skipgram_pairs", '''
def skipgram_pairs(token_ids, window, rng):
    if not isinstance(window, int) or window < 1:
        raise ValueError(f"window must be an int >= 1, got {window!r}")
    token_ids = np.asarray(token_ids, dtype=np.int64)
    n = len(token_ids)
    radii = rng.integers(1, window + 1, size=n)
    pairs = [(token_ids[i], token_ids[j]) for i in range(n)
             for j in range(max(0, i - radii[i]), min(n, i + radii[i] + 1)) if j != i]
    centres, contexts = np.array(pairs).reshape(-1, 2).T
    return centres, contexts'''),
    }),
    "noise_distribution": Contract(test="test_negative_sampling", clauses={
        "counts raised to the power 0.75 by default": noise("** power", ""),
        "power at values other than the default": noise("** power", "** 0.75"),
        "normalised to sum to 1": noise("weights / weights.sum()", "weights / weights.max()"),
        "float64": noise("dtype=np.float64", "dtype=np.float32"),
        "empty counts raise ValueError (no distribution)": noise(
            "    weights = counts ** power\n    return weights / weights.sum()\n",
            "    weights = counts ** power\n    noise = weights / weights.sum()\n"
            "    if np.isnan(noise).any():\n        raise ValueError('counts are all zero')\n    return noise\n",
            "    if not (counts > 0).any():\n", "    if False:\n"),
        "all-zero counts raise ValueError (not NaN)": noise("if not (counts > 0).any():", "if len(counts) == 0:"),
    }),
    "draw_negatives": Contract(test="test_negative_sampling", clauses={
        "an array of the given shape": draw("return np.minimum(draws, len(noise) - 1, out=draws)",
                                            "return np.minimum(draws, len(noise) - 1, out=draws).reshape(-1)"),
        "int64 ids": draw("dtype=np.int64)", "dtype=np.int32)"),
        "an empty noise raises ValueError (no id to draw)": draw(
            '    if len(noise) == 0:\n        raise ValueError("noise must hold at least one probability, got an empty array")\n', ""),
        "a shape with a 0: an empty int64 array of that shape (not float64)": draw(
            '    draws = np.asarray(np.searchsorted(cumulative, rng.random(shape), side="right"), dtype=np.int64)\n'
            '    return np.minimum(draws, len(noise) - 1, out=draws)\n',
            '    x = rng.random(shape)\n'
            '    draws = np.array([min(np.searchsorted(cumulative, value, side="right"), len(noise) - 1) for value in x.ravel()])\n'
            '    return draws.reshape(x.shape)\n'),
        "shape (): a 0-d array (one id), not a crash": draw(
            'np.asarray(np.searchsorted(cumulative, rng.random(shape), side="right"), dtype=np.int64)',
            'np.searchsorted(cumulative, rng.random(shape), side="right").astype(np.int64, copy=False)'),
        "the smallest id i with cumsum(noise)[i] > x (no off-by-one)": draw(
            'np.searchsorted(cumulative, rng.random(shape), side="right")',
            'np.maximum(np.searchsorted(cumulative, rng.random(shape), side="right") - 1, 0)'),
        "drawn from noise, not uniformly": whole("negative_sampling", '''
def draw_negatives(noise, shape, rng):
    return rng.integers(0, len(noise), size=shape, dtype=np.int64)'''),
        "ids below len(noise) even when the probabilities sum to slightly less than 1": draw(
            "return np.minimum(draws, len(noise) - 1, out=draws)", "return draws"),
    }),
    "sgns_loss": Contract(test="test_sgns_loss", clauses={
        "scores are dot products, not cosines": loss("(centre * context).sum(dim=-1)",
                                                     "F.cosine_similarity(centre, context, dim=-1)"),
        "negatives enter as log sigmoid(-u_nk . v_c)": loss("F.logsigmoid(-torch.bmm(", "F.logsigmoid(torch.bmm("),
        "summed over the K negatives": loss(".squeeze(-1)).sum(dim=-1)", ".squeeze(-1)).mean(dim=-1)"),
        "the mean over the batch, not the sum": loss("return -(positive + negative).mean()",
                                                     "return -(positive + negative).sum()"),
        "a scalar, not one loss per pair": loss("return -(positive + negative).mean()", "return -(positive + negative)"),
        "a tensor, not a Python float": loss("return -(positive + negative).mean()",
                                             "return -(positive + negative).mean().item()"),
        "differentiable": loss("return -(positive + negative).mean()", "return -(positive + negative).mean().detach()"),
        "an empty batch (B = 0) raises ValueError (not NaN)": loss(
            "    if centre.shape[0] == 0:\n        raise ValueError(", "    if False:\n        raise ValueError("),
        "K = 1: negatives stay (B, 1, d) (squeeze only the last axis)": loss(
            "centre.unsqueeze(-1)).squeeze(-1)", "centre.unsqueeze(-1)).squeeze()"),
        "K = 0: the positive term alone, not a crash": loss(
            "negative = F.logsigmoid(-torch.bmm(negatives, centre.unsqueeze(-1)).squeeze(-1)).sum(dim=-1)",
            "negative = torch.stack([F.logsigmoid(-(negatives[:, k] * centre).sum(-1)) for k in range(negatives.shape[1])],"
            " dim=1).sum(dim=-1)"),
        "finite for any finite inputs (log-sigmoid, not the log of a sigmoid)": loss(
            "positive = F.logsigmoid((centre * context).sum(dim=-1))",
            "positive = torch.log(torch.sigmoid((centre * context).sum(dim=-1)))",
            "negative = F.logsigmoid(-torch.bmm(negatives, centre.unsqueeze(-1)).squeeze(-1))",
            "negative = torch.log(torch.sigmoid(-torch.bmm(negatives, centre.unsqueeze(-1)).squeeze(-1)))"),
    }),
    "score_gradients": Contract(test="test_score_gradients", clauses={
        "d_positive = sigmoid(s) - 1 (sign)": scores("torch.sigmoid(positive_scores) - 1", "1 - torch.sigmoid(positive_scores)"),
        "the derivative of the loss, not of the sigmoid": scores(
            "torch.sigmoid(positive_scores) - 1", "torch.sigmoid(positive_scores) * (1 - torch.sigmoid(positive_scores))"),
        "d_negative through -s (chain rule)": scores("torch.sigmoid(negative_scores)", "torch.sigmoid(-negative_scores)"),
        "elementwise: the shapes of the inputs": scores("torch.sigmoid(negative_scores)", "torch.sigmoid(negative_scores).sum(-1)"),
        "the dtypes of the inputs": scores(
            "torch.sigmoid(positive_scores) - 1, torch.sigmoid(negative_scores)",
            "torch.sigmoid(positive_scores.float()) - 1, torch.sigmoid(negative_scores.float())"),
        "any shape, also empty or 0-d (a single score)": whole("score_gradients", '''
def score_gradients(positive_scores, negative_scores):
    def rows(scores, derivative):
        return torch.stack([derivative(row) for row in scores])
    return rows(positive_scores, lambda s: torch.sigmoid(s) - 1), rows(negative_scores, torch.sigmoid)'''),
        "finite for any finite scores": whole("score_gradients", '''
def score_gradients(positive_scores, negative_scores):
    sig = lambda s: torch.exp(s) / (1 + torch.exp(s))
    return sig(positive_scores) - 1, sig(negative_scores)'''),
    }),
    "sgns_loss_and_grads": Contract(test="test_sgns_loss_and_grads", clauses={
        "the loss is the mean over the batch": grads("-(F.logsigmoid(positive) + negative_weight * F.logsigmoid(-negative).sum(-1)).mean()",
                                                     "-(F.logsigmoid(positive) + negative_weight * F.logsigmoid(-negative).sum(-1)).sum()"),
        "the gradients are those of the mean (divided by B)": grads(
            "(torch.sigmoid(positive) - 1) / batch", "torch.sigmoid(positive) - 1",
            "torch.sigmoid(negative) * (negative_weight / batch)", "torch.sigmoid(negative) * negative_weight"),
        "negative_weight in the loss": grads("negative_weight * F.logsigmoid(-negative)", "F.logsigmoid(-negative)"),
        "negative_weight in the gradients": grads("torch.sigmoid(negative) * (negative_weight / batch)",
                                                  "torch.sigmoid(negative) / batch"),
        "grad_centre has the negatives' terms": grads(
            "grad_centre = d_pos[:, None] * context + d_neg @ negatives", "grad_centre = d_pos[:, None] * context",
            "grad_centre = d_pos[:, None] * context + torch.bmm(d_neg.unsqueeze(1), negatives).squeeze(1)",
            "grad_centre = d_pos[:, None] * context"),
        "grad_context: d loss / d u_o, with its sign": grads("grad_context = d_pos[:, None] * centre",
                                                             "grad_context = -d_pos[:, None] * centre"),
        "grad_negatives through -s (chain rule)": grads("d_neg = torch.sigmoid(negative)", "d_neg = torch.sigmoid(-negative)"),
        "shared (K, d) negatives are accepted": grads("shared = negatives.dim() == 2", "shared = False"),
        "a shared negative's gradient has its shape (K, d)": grads(
            "        grad_negatives = d_neg.T @ centre\n", "        grad_negatives = d_neg.unsqueeze(-1) * centre.unsqueeze(1)\n"),
        "a shared negative's gradient sums the B contributions": grads("d_neg.T @ centre", "d_neg.T @ centre / batch"),
        "the loss is a tensor": grads("return loss, grad_centre", "return loss.item(), grad_centre"),
        "an empty batch (B = 0) raises ValueError (not ZeroDivisionError)": grads("    if batch == 0:\n", "    if False:\n"),
        "K = 0 (no negatives): the positive term alone and an empty grad_negatives, not a crash": grads(
            "negative = torch.bmm(negatives, centre.unsqueeze(-1)).squeeze(-1)",
            "negative = torch.stack([(negatives[:, k] * centre).sum(-1) for k in range(negatives.shape[1])], dim=1)"),
        "by hand, without autograd (works inside torch.no_grad(), as sgd_step calls it)": whole("sgns_loss_and_grads", '''
def sgns_loss_and_grads(centre, context, negatives, negative_weight=1.0):
    centre, context, negatives = (t.detach().clone().requires_grad_(True) for t in (centre, context, negatives))
    negative = centre @ negatives.T if negatives.dim() == 2 else torch.einsum("bkd,bd->bk", negatives, centre)
    loss = -(F.logsigmoid((centre * context).sum(-1)) + negative_weight * F.logsigmoid(-negative).sum(-1)).mean()
    grad_centre, grad_context, grad_negatives = torch.autograd.grad(loss, (centre, context, negatives))
    return loss.detach(), grad_centre, grad_context, grad_negatives'''),
    }),
    "sgd_step": Contract(test="test_sgd_step", clauses={
        "repeated ids accumulate (index_add_, not fancy-index assignment)": step(
            "        centre_table.index_add_(0, centres, grad_v, alpha=-lr)\n"
            "        context_table.index_add_(0, contexts, grad_u, alpha=-lr)\n"
            "        context_table.index_add_(0, negatives.reshape(-1), grad_n.reshape(-1, grad_n.shape[-1]), alpha=-lr)\n",
            "        centre_table[centres] -= lr * grad_v\n"
            "        context_table[contexts] -= lr * grad_u\n"
            "        context_table[negatives] -= lr * grad_n\n"),
        "the negatives' rows are updated": step(
            "        context_table.index_add_(0, negatives.reshape(-1), grad_n.reshape(-1, grad_n.shape[-1]), alpha=-lr)\n", ""),
        "subtract lr times the gradient (descent)": step("alpha=-lr", "alpha=lr"),
        "each table gets its own rows' gradients": step(
            "centre_table.index_add_(0, centres, grad_v, alpha=-lr)", "centre_table.index_add_(0, centres, grad_u, alpha=-lr)",
            "context_table.index_add_(0, contexts, grad_u, alpha=-lr)", "context_table.index_add_(0, contexts, grad_v, alpha=-lr)"),
        "both tables changed in place": step(
            "centre_table.index_add_(0, centres, grad_v, alpha=-lr)",
            "centre_table = centre_table.index_add(0, centres, grad_v, alpha=-lr)"),
        "negative_weight passed on": step("sgns_loss_and_grads(v, u, n, negative_weight)", "sgns_loss_and_grads(v, u, n)"),
        "shared (K,) negatives, as train_pairs passes them": step(
            "grad_n.reshape(-1, grad_n.shape[-1])", "grad_n.flatten(0, 1)"),
        "every gradient computed before any row changes": whole("sgd_step", '''
def sgd_step(centre_table, context_table, centres, contexts, negatives, lr, negative_weight=1.0):
    with torch.no_grad():
        v = centre_table.index_select(0, centres)
        u = context_table.index_select(0, contexts)
        n = context_table[negatives]
        loss, grad_v, grad_u, grad_n = sgns_loss_and_grads(v, u, n, negative_weight)
        context_table.index_add_(0, contexts, grad_u, alpha=-lr)
        context_table.index_add_(0, negatives.reshape(-1), grad_n.reshape(-1, grad_n.shape[-1]), alpha=-lr)
        _, grad_v, _, _ = sgns_loss_and_grads(v, context_table.index_select(0, contexts), context_table[negatives],
                                              negative_weight)
        centre_table.index_add_(0, centres, grad_v, alpha=-lr)
    return float(loss)'''),
        "the loss before the update": step("    return float(loss)", '''\
        after = sgns_loss_and_grads(centre_table[centres], context_table[contexts], context_table[negatives],
                                    negative_weight)[0]
    return float(after)'''),
        "a Python float": step("    return float(loss)", "    return loss"),
        "an empty batch raises ValueError (not a loss of 0)": step(
            "    with torch.no_grad():\n", "    if len(centres) == 0:\n        return 0.0\n    with torch.no_grad():\n"),
    }),
    "linear_decay": Contract(test="test_train_pairs", clauses={
        "lr itself at step 0": decay("1.0 - step / total_steps", "1.0 - (step + 1) / total_steps"),
        "decays linearly": decay("1.0 - step / total_steps", "0.5 ** (10 * step / total_steps)"),
        "never below lr * floor": decay("lr * max(floor, 1.0 - step / total_steps)", "lr * (1.0 - step / total_steps)"),
        "the floor is relative to lr (lr * floor, not floor)": decay(
            "lr * max(floor, 1.0 - step / total_steps)", "max(floor, lr * (1.0 - step / total_steps))"),
        "floor at values other than the default": decay("max(floor,", "max(1e-4,"),
        "the floor also applies before total_steps": decay(
            "lr * max(floor, 1.0 - step / total_steps)", "lr * (1.0 - step / total_steps) if step < total_steps else lr * floor"),
    }),
    "train_pairs": Contract(test="test_train_pairs", clauses={
        "the rate decays from batch to batch": train("rate = linear_decay(lr, first_step + j, total_steps)", "rate = lr"),
        "the decay starts at first_step": train("linear_decay(lr, first_step + j, total_steps)",
                                                "linear_decay(lr, j, total_steps)"),
        "steps count batches, not pairs": train("linear_decay(lr, first_step + j, total_steps)",
                                                "linear_decay(lr, first_step + start, total_steps)"),
        "the last, shorter batch kept": train("range(0, len(centres), batch_size)",
                                              "range(0, len(centres) - batch_size + 1, batch_size)"),
        "batch j uses negatives[j]": train("negatives[j], rate", "negatives[0], rate"),
        "negative_weight passed on": train("negatives[j], rate, negative_weight)", "negatives[j], rate)"),
        "the pairs in the given order (no reshuffle)": train(
            "    losses = []\n",
            "    losses = []\n    order = torch.randperm(len(centres))\n    centres, contexts = centres[order], contexts[order]\n"),
        "the list of the batch losses, not their mean": train("    return losses", "    return sum(losses) / len(losses)"),
        "zero pairs: an empty list, not one empty batch": whole("train_pairs", '''
def train_pairs(centre_table, context_table, centres, contexts, negatives, batch_size, lr, first_step,
                total_steps, negative_weight=1.0):
    losses = []
    for j, (c, o) in enumerate(zip(centres.split(batch_size), contexts.split(batch_size))):
        rate = linear_decay(lr, first_step + j, total_steps)
        losses.append(sgd_step(centre_table, context_table, c, o, negatives[j], rate, negative_weight))
    return losses'''),
    }),
    "ppmi": Contract(test="test_ppmi", clauses={
        "alpha smooths the context counts": ppmi("np.asarray(counts.sum(axis=0)).ravel() ** alpha",
                                                 "np.asarray(counts.sum(axis=0)).ravel()"),
        "only the context counts are smoothed, not the word counts": ppmi(
            "words = np.asarray(counts.sum(axis=1)).ravel()", "words = np.asarray(counts.sum(axis=1)).ravel() ** alpha"),
        "normalised by the sum of the smoothed context counts": ppmi("counts.data * contexts.sum()",
                                                                     "counts.data * counts.data.sum()"),
        "negative PMI clipped to 0": ppmi("    positive = pmi > 0\n", "    positive = np.isfinite(pmi)\n"),
        "no NaN or infinity for empty rows and columns": whole("ppmi", '''
def ppmi(counts, alpha=0.75):
    dense = sparse.csr_matrix(counts, dtype=np.float64).toarray()
    rows, cols = dense.sum(1), dense.sum(0) ** alpha
    with np.errstate(divide="ignore", invalid="ignore"):
        pmi = np.log(dense * cols.sum() / np.outer(rows, cols))
    return sparse.csr_matrix(np.where(pmi > 0, pmi, np.where(np.isnan(pmi), pmi, 0.0)))'''),
        "a sparse matrix, not a dense array": ppmi(
            "shape=counts.shape)", "shape=counts.shape).toarray()"),
        "CSR, not another sparse format": ppmi("return sparse.csr_matrix(", "return sparse.coo_matrix("),
        "float64, also for float32 counts (the lesson's)": ppmi("sparse.coo_matrix(counts, dtype=np.float64)",
                                                                "sparse.coo_matrix(counts)"),
        "shape (V, C), also when the last rows or columns are empty": ppmi(", shape=counts.shape)", ")"),
        "a COO input's repeated entries add up": ppmi("    counts.sum_duplicates()\n", ""),
        "no rows: an empty CSR matrix of that shape, not a crash": whole("ppmi", '''
def ppmi(counts, alpha=0.75):
    counts = sparse.csr_matrix(counts, dtype=np.float64)
    counts.eliminate_zeros()
    words = np.asarray(counts.sum(axis=1)).ravel()
    contexts = np.asarray(counts.sum(axis=0)).ravel() ** alpha
    rows = []
    for w in range(counts.shape[0]):
        row = counts[w].tocoo()
        pmi = np.log(row.data * contexts.sum() / (words[w] * contexts[row.col]))
        keep = pmi > 0
        rows.append(sparse.csr_matrix((pmi[keep], (np.zeros(keep.sum(), dtype=np.int64), row.col[keep])),
                                      shape=(1, counts.shape[1])))
    return sparse.vstack(rows, format="csr")'''),
        "one row or one column: like any other matrix (ravel, not squeeze)": ppmi(
            "words = np.asarray(counts.sum(axis=1)).ravel()", "words = np.asarray(counts.sum(axis=1)).squeeze()",
            "contexts = np.asarray(counts.sum(axis=0)).ravel() ** alpha", "contexts = np.asarray(counts.sum(axis=0)).squeeze() ** alpha"),
        "any sparse format (a CSC input)": whole("ppmi", '''
def ppmi(counts, alpha=0.75):
    counts = counts.astype(np.float64)
    counts.eliminate_zeros()
    row = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))
    col = counts.indices
    words = np.asarray(counts.sum(axis=1)).ravel()
    contexts = np.asarray(counts.sum(axis=0)).ravel() ** alpha
    pmi = np.log(counts.data * contexts.sum() / (words[row] * contexts[col]))
    positive = pmi > 0
    return sparse.csr_matrix((pmi[positive], (row[positive], col[positive])), shape=counts.shape)'''),
    }),
}
