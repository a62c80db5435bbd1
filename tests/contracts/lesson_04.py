"""Lesson 04 (metric learning): every docstring clause of every graded function, each with a wrong
answer a learner might write that breaks that clause only."""
from contracts import Contract

ASSIGNMENT = "04_metric_learning"

PAIRWISE = "def pairwise_squared_distances(X, Y=None):\n"
RECALL = "def recall_at_k(embeddings, labels, ks=(1, 4)):\n"
CONTRASTIVE = "def contrastive_loss(embeddings, labels, margin=0.5):\n"
BATCH_ALL = "def batch_all_triplet_loss(embeddings, labels, margin=0.2):\n"
BATCH_HARD = "def batch_hard_triplet_loss(embeddings, labels, margin=0.2, soft=False):\n"
ARCFACE = "def arcface_logits(embeddings, proxies, labels, scale=16.0, margin=0.3):\n"
NO_PROXY = """\
    if len(proxies) == 0:
        raise ValueError("arcface_logits needs at least one proxy")
"""

# the parts of a correct answer the wrong ones below share
PAIRWISE_TERMS = """\
    same = Y is None
    Y = X if same else Y
    squared = (X * X).sum(dim=1)[:, None] + (Y * Y).sum(dim=1)[None, :] - 2.0 * X @ Y.T
"""
HARD_MASKS = """\
    same = labels[:, None] == labels[None, :]
    eye = torch.eye(len(labels), dtype=torch.bool)
    positives, negatives = same & ~eye, ~same
    usable = positives.any(dim=1) & negatives.any(dim=1)
    if not usable.any():
        return embeddings.sum() * 0.0
"""
HARDEST = """\
    hardest_positive = distance.masked_fill(~positives, float("-inf")).max(dim=1).values
    hardest_negative = distance.masked_fill(~negatives, float("inf")).min(dim=1).values
    gap = (hardest_positive - hardest_negative)[usable]
"""
SAFE_DISTANCE = "    distance = torch.sqrt(pairwise_squared_distances(embeddings).clamp(min=1e-12))\n"
ANGLES = """\
    cosine = F.normalize(embeddings, dim=1) @ F.normalize(proxies, dim=1).T
    theta = torch.acos(cosine.clamp(-1 + 1e-7, 1 - 1e-7))
    is_target = F.one_hot(labels, proxies.shape[0]).bool()
"""
BATCH_ALL_VALID = """\
    D = pairwise_squared_distances(embeddings)
    same = labels[:, None] == labels[None, :]
    eye = torch.eye(len(labels), dtype=torch.bool)
    valid = (same & ~eye)[:, :, None] & (~same)[:, None, :]
    if not valid.any():
        return embeddings.sum() * 0.0
"""

CONTRACTS = {
    "pairwise_squared_distances": Contract(test="test_pairwise_squared_distances", clauses={
        "squared distances, no square root": {"pairwise_squared_distances": PAIRWISE + """\
    return torch.cdist(X, X if Y is None else Y)"""},
        "rows of the result follow X, columns follow Y": {"pairwise_squared_distances": PAIRWISE + PAIRWISE_TERMS + """\
    return squared.clamp(min=0.0).T if not same else squared.clamp(min=0.0) * (1.0 - torch.eye(len(X)))"""},
        "never negative (clamped at 0)": {"pairwise_squared_distances": PAIRWISE + PAIRWISE_TERMS + """\
    return squared * (1.0 - torch.eye(len(X), dtype=X.dtype)) if same else squared"""},
        "diagonal exactly 0 when Y is None": {"pairwise_squared_distances": PAIRWISE + PAIRWISE_TERMS + """\
    return squared.clamp(min=0.0)"""},
        "nothing zeroed when Y is given": {"pairwise_squared_distances": PAIRWISE + PAIRWISE_TERMS + """\
    return squared.clamp(min=0.0) * (1.0 - torch.eye(len(X), len(Y), dtype=X.dtype))"""},
        "keeps X's dtype": {"pairwise_squared_distances": PAIRWISE + """\
    X = X.float()
    Y = X if Y is None else Y.float()
    squared = ((X * X).sum(dim=1)[:, None] + (Y * Y).sum(dim=1)[None, :] - 2.0 * X @ Y.T).clamp(min=0.0)
    return squared.fill_diagonal_(0.0) if Y is X else squared"""},
        "differentiable (not computed in NumPy)": {"pairwise_squared_distances": PAIRWISE + """\
    from scipy.spatial.distance import cdist
    x = X.detach().numpy()
    y = x if Y is None else Y.detach().numpy()
    return torch.from_numpy(cdist(x, y, "sqeuclidean"))"""},
        "gradient reaches Y as well as X": {"pairwise_squared_distances": PAIRWISE + PAIRWISE_TERMS.replace(
            "same = Y is None\n    Y = X if same else Y", "same = Y is None\n    Y = X.detach() if same else Y.detach()") + """\
    squared = squared.clamp(min=0.0)
    return squared * (1.0 - torch.eye(len(X), dtype=X.dtype)) if same else squared"""},
        "zero rows in X give (0, m), and (0, 0) when Y is None": {"pairwise_squared_distances": PAIRWISE + """\
    Y = X if Y is None else Y
    squared = torch.stack([((X[i] - Y) ** 2).sum(dim=1) for i in range(len(X))])   # one row of X at a time
    return squared * (1.0 - torch.eye(len(X), dtype=X.dtype)) if Y is X else squared"""},
        "one row keeps both dimensions: (1, 1) holding 0 when Y is None": {"pairwise_squared_distances": PAIRWISE + PAIRWISE_TERMS + """\
    squared = squared.clamp(min=0.0)
    return (squared * (1.0 - torch.eye(len(X), dtype=X.dtype)) if same else squared).squeeze()"""},
    }),
    "recall_at_k": Contract(test="test_recall_at_k", clauses={
        "the query itself excluded": {"recall_at_k": RECALL + """\
    nearest = torch.cdist(embeddings, embeddings).topk(max(ks), dim=1, largest=False).indices
    hits = labels[nearest] == labels[:, None]
    return {k: float(hits[:, :k].any(dim=1).float().mean()) for k in ks}"""},
        "the query's own row excluded, even with identical rows": {"recall_at_k": RECALL + """\
    order = torch.cdist(embeddings, embeddings).argsort(dim=1)[:, 1:]   # drop the nearest: "the query itself"
    hits = labels[order] == labels[:, None]
    return {k: float(hits[:, :k].any(dim=1).float().mean()) for k in ks}"""},
        "one entry per K in ks": {"recall_at_k": RECALL + """\
    distances = pairwise_squared_distances(embeddings)
    distances.fill_diagonal_(float("inf"))
    hits = labels[distances.topk(4, dim=1, largest=False).indices] == labels[:, None]
    return {k: float(hits[:, :k].any(dim=1).float().mean()) for k in (1, 4)}"""},
        "at least one same-label neighbour (not their fraction)": {"recall_at_k": RECALL + """\
    distances = pairwise_squared_distances(embeddings)
    distances.fill_diagonal_(float("inf"))
    hits = labels[distances.topk(max(ks), dim=1, largest=False).indices] == labels[:, None]
    return {k: float(hits[:, :k].float().mean()) for k in ks}"""},
        "ranked by Euclidean distance (embeddings of any length)": {"recall_at_k": RECALL + """\
    unit = F.normalize(embeddings, dim=1)
    similarity = unit @ unit.T
    similarity.fill_diagonal_(float("-inf"))
    hits = labels[similarity.topk(max(ks), dim=1).indices] == labels[:, None]
    return {k: float(hits[:, :k].any(dim=1).float().mean()) for k in ks}"""},
        "K up to n - 1": {"recall_at_k": RECALL + """\
    distances = pairwise_squared_distances(embeddings)
    distances.fill_diagonal_(float("inf"))
    hits = labels[distances.topk(min(max(ks), 10), dim=1, largest=False).indices] == labels[:, None]
    return {k: float(hits[:, :k].any(dim=1).float().mean()) for k in ks}"""},
        "Python floats": {"recall_at_k": RECALL + """\
    distances = pairwise_squared_distances(embeddings)
    distances.fill_diagonal_(float("inf"))
    hits = labels[distances.topk(max(ks), dim=1, largest=False).indices] == labels[:, None]
    return {k: hits[:, :k].any(dim=1).float().mean() for k in ks}"""},
        "fewer than 2 rows: ValueError (one row has no other row to rank)": {"recall_at_k": RECALL + """\
    if len(embeddings) == 0:
        raise ValueError("recall_at_k needs at least one row")
    if len(ks) == 0:
        return {}
    distances = pairwise_squared_distances(embeddings)
    distances.fill_diagonal_(float("inf"))
    hits = labels[distances.topk(max(ks), dim=1, largest=False).indices] == labels[:, None]
    return {k: float(hits[:, :k].any(dim=1).float().mean()) for k in ks}"""},
        "an empty ks gives an empty dict": {"recall_at_k": RECALL + """\
    if len(embeddings) < 2:
        raise ValueError("recall_at_k needs at least 2 rows")
    distances = pairwise_squared_distances(embeddings)
    distances.fill_diagonal_(float("inf"))
    hits = labels[distances.topk(max(ks), dim=1, largest=False).indices] == labels[:, None]
    return {k: float(hits[:, :k].any(dim=1).float().mean()) for k in ks}"""},
    }),
    "contrastive_loss": Contract(test="test_contrastive_loss", clauses={
        "same-label pairs cost d squared": {"contrastive_loss": CONTRASTIVE + """\
    D = pairwise_squared_distances(embeddings)
    same = labels[:, None] == labels[None, :]
    distance = torch.sqrt(D.clamp(min=1e-12))
    per_pair = torch.where(same, distance, F.relu(margin - distance) ** 2)
    return per_pair[torch.triu(torch.ones_like(same), diagonal=1)].mean()"""},
        "different-label pairs cost the squared hinge": {"contrastive_loss": CONTRASTIVE + """\
    D = pairwise_squared_distances(embeddings)
    same = labels[:, None] == labels[None, :]
    per_pair = torch.where(same, D, F.relu(margin - torch.sqrt(D.clamp(min=1e-12))))
    return per_pair[torch.triu(torch.ones_like(same), diagonal=1)].mean()"""},
        "margin used at its given value": {"contrastive_loss": CONTRASTIVE + """\
    D = pairwise_squared_distances(embeddings)
    same = labels[:, None] == labels[None, :]
    per_pair = torch.where(same, D, F.relu(0.5 - torch.sqrt(D.clamp(min=1e-12))) ** 2)
    return per_pair[torch.triu(torch.ones_like(same), diagonal=1)].mean()"""},
        "mean over the unordered pairs i < j": {"contrastive_loss": CONTRASTIVE + """\
    D = pairwise_squared_distances(embeddings)
    same = labels[:, None] == labels[None, :]
    return torch.where(same, D, F.relu(margin - torch.sqrt(D.clamp(min=1e-12))) ** 2).mean()"""},
        "a scalar tensor": {"contrastive_loss": CONTRASTIVE + """\
    D = pairwise_squared_distances(embeddings)
    same = labels[:, None] == labels[None, :]
    per_pair = torch.where(same, D, F.relu(margin - torch.sqrt(D.clamp(min=1e-12))) ** 2)
    return per_pair[torch.triu(torch.ones_like(same), diagonal=1)].mean().item()"""},
        "finite gradient for identical embeddings (sqrt of the clamped D)": {"contrastive_loss": CONTRASTIVE + """\
    D = pairwise_squared_distances(embeddings)
    same = labels[:, None] == labels[None, :]
    per_pair = torch.where(same, D, F.relu(margin - torch.sqrt(D)) ** 2)
    return per_pair[torch.triu(torch.ones_like(same), diagonal=1)].mean()"""},
        "differentiable through the distance (no detached square root)": {"contrastive_loss": CONTRASTIVE + """\
    D = pairwise_squared_distances(embeddings)
    same = labels[:, None] == labels[None, :]
    distance = torch.sqrt(D.detach().clamp(min=1e-12))   # "no NaN gradients through the square root"
    per_pair = torch.where(same, D, F.relu(margin - distance) ** 2)
    return per_pair[torch.triu(torch.ones_like(same), diagonal=1)].mean()"""},
        "fewer than 2 rows: ValueError (no pair), not a NaN mean": {"contrastive_loss": CONTRASTIVE + """\
    D = pairwise_squared_distances(embeddings)
    same = labels[:, None] == labels[None, :]
    per_pair = torch.where(same, D, F.relu(margin - torch.sqrt(D.clamp(min=1e-12))) ** 2)
    return per_pair[torch.triu(torch.ones_like(same), diagonal=1)].mean()"""},
    }),
    "batch_all_triplet_loss": Contract(test="test_batch_all_triplet_loss", clauses={
        "valid: a != p": {"batch_all_triplet_loss": BATCH_ALL + """\
    D = pairwise_squared_distances(embeddings)
    same = labels[:, None] == labels[None, :]
    valid = same[:, :, None] & (~same)[:, None, :]
    if not valid.any():
        return embeddings.sum() * 0.0
    return F.relu(D[:, :, None] - D[:, None, :] + margin)[valid].mean()"""},
        "valid: the negative has another label": {"batch_all_triplet_loss": BATCH_ALL + """\
    D = pairwise_squared_distances(embeddings)
    same = labels[:, None] == labels[None, :]
    eye = torch.eye(len(labels), dtype=torch.bool)
    valid = (same & ~eye)[:, :, None] & (~eye)[:, None, :]
    if not (same & ~eye).any():
        return embeddings.sum() * 0.0
    return F.relu(D[:, :, None] - D[:, None, :] + margin)[valid].mean()"""},
        "zero-loss triplets still count in the mean": {"batch_all_triplet_loss": BATCH_ALL + BATCH_ALL_VALID + """\
    losses = F.relu(D[:, :, None] - D[:, None, :] + margin)[valid]
    active = losses > 0
    return losses[active].mean() if active.any() else losses.sum()"""},
        "averaged over valid triplets only": {"batch_all_triplet_loss": BATCH_ALL + BATCH_ALL_VALID + """\
    losses = F.relu(D[:, :, None] - D[:, None, :] + margin) * valid
    return losses.sum() / (valid.shape[0] * valid.shape[1])"""},
        "margin used at its given value": {"batch_all_triplet_loss": BATCH_ALL + BATCH_ALL_VALID + """\
    return F.relu(D[:, :, None] - D[:, None, :] + 0.2)[valid].mean()"""},
        "squared distances": {"batch_all_triplet_loss": BATCH_ALL + BATCH_ALL_VALID + """\
    d = torch.sqrt(D.clamp(min=1e-12))
    return F.relu(d[:, :, None] - d[:, None, :] + margin)[valid].mean()"""},
        "0 when no triplet is valid": {"batch_all_triplet_loss": BATCH_ALL + """\
    D = pairwise_squared_distances(embeddings)
    same = labels[:, None] == labels[None, :]
    eye = torch.eye(len(labels), dtype=torch.bool)
    valid = (same & ~eye)[:, :, None] & (~same)[:, None, :]
    return F.relu(D[:, :, None] - D[:, None, :] + margin)[valid].mean()"""},
        "still a tensor when no triplet is valid": {"batch_all_triplet_loss": BATCH_ALL + """\
    D = pairwise_squared_distances(embeddings)
    same = labels[:, None] == labels[None, :]
    eye = torch.eye(len(labels), dtype=torch.bool)
    valid = (same & ~eye)[:, :, None] & (~same)[:, None, :]
    if not valid.any():
        return 0.0
    return F.relu(D[:, :, None] - D[:, None, :] + margin)[valid].mean()"""},
        "keeps the embeddings' dtype": {"batch_all_triplet_loss": BATCH_ALL + """\
    D = pairwise_squared_distances(embeddings.float())
    same = labels[:, None] == labels[None, :]
    eye = torch.eye(len(labels), dtype=torch.bool)
    valid = (same & ~eye)[:, :, None] & (~same)[:, None, :]
    if not valid.any():
        return embeddings.sum() * 0.0
    return F.relu(D[:, :, None] - D[:, None, :] + margin)[valid].mean()"""},
        "zero rows or one row give 0, not an error": {"batch_all_triplet_loss": BATCH_ALL + """\
    if len(labels) < 2:
        raise ValueError("a batch needs at least 2 rows")
""" + BATCH_ALL_VALID + """\
    return F.relu(D[:, :, None] - D[:, None, :] + margin)[valid].mean()"""},
        "zero rows give 0, not NaN": {"batch_all_triplet_loss": BATCH_ALL + BATCH_ALL_VALID.replace(
            "return embeddings.sum() * 0.0", "return embeddings.mean() * 0.0") + """\
    return F.relu(D[:, :, None] - D[:, None, :] + margin)[valid].mean()"""},
    }),
    "batch_hard_triplet_loss": Contract(test="test_batch_hard_triplet_loss", clauses={
        "plain distances, not squared": {"batch_hard_triplet_loss": BATCH_HARD + """\
    distance = pairwise_squared_distances(embeddings)
""" + HARD_MASKS + HARDEST + """\
    return (F.softplus(gap) if soft else F.relu(gap + margin)).mean()"""},
        "safe square root (finite gradient for identical embeddings)": {"batch_hard_triplet_loss": BATCH_HARD + """\
    distance = torch.sqrt(pairwise_squared_distances(embeddings))
""" + HARD_MASKS + HARDEST + """\
    return (F.softplus(gap) if soft else F.relu(gap + margin)).mean()"""},
        "hardest positive is the farthest": {"batch_hard_triplet_loss": BATCH_HARD + SAFE_DISTANCE + HARD_MASKS + """\
    hardest_positive = distance.masked_fill(~positives, float("inf")).min(dim=1).values
    hardest_negative = distance.masked_fill(~negatives, float("inf")).min(dim=1).values
    gap = (hardest_positive - hardest_negative)[usable]
    return (F.softplus(gap) if soft else F.relu(gap + margin)).mean()"""},
        "hardest negative is the closest": {"batch_hard_triplet_loss": BATCH_HARD + SAFE_DISTANCE + HARD_MASKS + """\
    hardest_positive = distance.masked_fill(~positives, float("-inf")).max(dim=1).values
    hardest_negative = distance.masked_fill(~negatives, float("-inf")).max(dim=1).values
    gap = (hardest_positive - hardest_negative)[usable]
    return (F.softplus(gap) if soft else F.relu(gap + margin)).mean()"""},
        "an anchor is never its own positive": {"batch_hard_triplet_loss": BATCH_HARD + SAFE_DISTANCE + HARD_MASKS.replace(
            "positives, negatives = same & ~eye, ~same", "positives, negatives = same, ~same") + HARDEST + """\
    return (F.softplus(gap) if soft else F.relu(gap + margin)).mean()"""},
        "anchors without a positive are skipped": {"batch_hard_triplet_loss": BATCH_HARD + SAFE_DISTANCE + HARD_MASKS + """\
    hardest_positive = distance.masked_fill(~positives, float("-inf")).max(dim=1).values
    hardest_negative = distance.masked_fill(~negatives, float("inf")).min(dim=1).values
    gap = hardest_positive - hardest_negative
    return (F.softplus(gap) if soft else F.relu(gap + margin)).mean()"""},
        "margin used at its given value": {"batch_hard_triplet_loss": BATCH_HARD + SAFE_DISTANCE + HARD_MASKS + HARDEST + """\
    return (F.softplus(gap) if soft else F.relu(gap + 0.2)).mean()"""},
        "soft margin: log(1 + exp(gap)), margin unused": {"batch_hard_triplet_loss": BATCH_HARD + SAFE_DISTANCE + HARD_MASKS + HARDEST + """\
    return (F.softplus(gap + margin) if soft else F.relu(gap + margin)).mean()"""},
        "soft=True switches to the soft margin": {"batch_hard_triplet_loss": BATCH_HARD + SAFE_DISTANCE + HARD_MASKS + HARDEST + """\
    return F.relu(gap + margin).mean()"""},
        "0 when no anchor remains": {"batch_hard_triplet_loss": BATCH_HARD + SAFE_DISTANCE + """\
    same = labels[:, None] == labels[None, :]
    eye = torch.eye(len(labels), dtype=torch.bool)
    positives, negatives = same & ~eye, ~same
    usable = positives.any(dim=1) & negatives.any(dim=1)
""" + HARDEST + """\
    return (F.softplus(gap) if soft else F.relu(gap + margin)).mean()"""},
        "still a tensor when no anchor remains": {"batch_hard_triplet_loss": BATCH_HARD + SAFE_DISTANCE + HARD_MASKS.replace(
            "return embeddings.sum() * 0.0", "return 0.0") + HARDEST + """\
    return (F.softplus(gap) if soft else F.relu(gap + margin)).mean()"""},
        "keeps the embeddings' dtype": {"batch_hard_triplet_loss": BATCH_HARD + SAFE_DISTANCE.replace(
            "(embeddings)", "(embeddings.float())") + HARD_MASKS + HARDEST + """\
    return (F.softplus(gap) if soft else F.relu(gap + margin)).mean()"""},
        "differentiable (no detached distances)": {"batch_hard_triplet_loss": BATCH_HARD + """\
    distance = torch.sqrt(pairwise_squared_distances(embeddings).detach().clamp(min=1e-12))
""" + HARD_MASKS + HARDEST + """\
    return (F.softplus(gap) if soft else F.relu(gap + margin)).mean()"""},
        "zero rows or one row give 0, not an error": {"batch_hard_triplet_loss": BATCH_HARD + """\
    if len(labels) < 2:
        raise ValueError("a batch needs at least 2 rows")
""" + SAFE_DISTANCE + HARD_MASKS + HARDEST + """\
    return (F.softplus(gap) if soft else F.relu(gap + margin)).mean()"""},
        "zero rows give 0, not NaN": {"batch_hard_triplet_loss": BATCH_HARD + SAFE_DISTANCE + HARD_MASKS.replace(
            "return embeddings.sum() * 0.0", "return embeddings.mean() * 0.0") + HARDEST + """\
    return (F.softplus(gap) if soft else F.relu(gap + margin)).mean()"""},
    }),
    "arcface_logits": Contract(test="test_arcface_logits", clauses={
        "the margin on the true class only": {"arcface_logits": ARCFACE + ANGLES + """\
    return scale * torch.where(theta <= math.pi - margin, torch.cos(theta + margin), cosine - margin * math.sin(margin))"""},
        "past pi - margin, cos(theta) - margin sin(margin)": {"arcface_logits": ARCFACE + ANGLES + """\
    return scale * torch.where(is_target, torch.cos(theta + margin), cosine)"""},
        "the fallback value itself": {"arcface_logits": ARCFACE + ANGLES + """\
    with_margin = torch.where(theta <= math.pi - margin, torch.cos(theta + margin), cosine - margin)
    return scale * torch.where(is_target, with_margin, cosine)"""},
        "the embeddings are normalised": {"arcface_logits": ARCFACE + ANGLES.replace(
            "F.normalize(embeddings, dim=1) @", "embeddings @") + """\
    with_margin = torch.where(theta <= math.pi - margin, torch.cos(theta + margin), cosine - margin * math.sin(margin))
    return scale * torch.where(is_target, with_margin, cosine)"""},
        "the proxies are normalised": {"arcface_logits": ARCFACE + ANGLES.replace(
            "@ F.normalize(proxies, dim=1).T", "@ proxies.T") + """\
    with_margin = torch.where(theta <= math.pi - margin, torch.cos(theta + margin), cosine - margin * math.sin(margin))
    return scale * torch.where(is_target, with_margin, cosine)"""},
        "the scale multiplies every logit": {"arcface_logits": ARCFACE + ANGLES + """\
    with_margin = torch.where(theta <= math.pi - margin, torch.cos(theta + margin), cosine - margin * math.sin(margin))
    return torch.where(is_target, scale * with_margin, cosine)"""},
        "scale and margin used at their given values": {"arcface_logits": ARCFACE + ANGLES + """\
    with_margin = torch.where(theta <= math.pi - 0.3, torch.cos(theta + 0.3), cosine - 0.3 * math.sin(0.3))
    return 16.0 * torch.where(is_target, with_margin, cosine)"""},
        "cosines clamped before acos (finite gradient on the proxy)": {"arcface_logits": ARCFACE + ANGLES.replace(
            "torch.acos(cosine.clamp(-1 + 1e-7, 1 - 1e-7))", "torch.acos(cosine)") + """\
    with_margin = torch.where(theta <= math.pi - margin, torch.cos(theta + margin), cosine - margin * math.sin(margin))
    return scale * torch.where(is_target, with_margin, cosine)"""},
        "zero embeddings give a (0, C) tensor": {"arcface_logits": ARCFACE + NO_PROXY + ANGLES + """\
    with_margin = torch.where(theta <= math.pi - margin, torch.cos(theta + margin), cosine - margin * math.sin(margin))
    return torch.stack([scale * torch.where(is_target[b], with_margin[b], cosine[b]) for b in range(len(labels))])"""},
        "one embedding or one class keeps both dimensions": {"arcface_logits": ARCFACE + NO_PROXY + ANGLES + """\
    with_margin = torch.where(theta <= math.pi - margin, torch.cos(theta + margin), cosine - margin * math.sin(margin))
    return (scale * torch.where(is_target, with_margin, cosine)).squeeze()"""},
        "proxies with no rows: ValueError": {"arcface_logits": ARCFACE + ANGLES + """\
    with_margin = torch.where(theta <= math.pi - margin, torch.cos(theta + margin), cosine - margin * math.sin(margin))
    return scale * torch.where(is_target, with_margin, cosine)"""},
    }),
}
