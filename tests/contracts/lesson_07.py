"""Lesson 07 (CLIP and dual encoders): every docstring clause of every graded function, each with a
wrong answer a learner might write that breaks that clause only."""
from contracts import Contract

ASSIGNMENT = "07_clip"

CLIP_LOGITS = "def clip_logits(image_embeddings, text_embeddings, log_scale):\n"
# Each header keeps the solution's checks on empty inputs, so that a wrong answer breaks its own clause only.
CLIP_LOSS = "def clip_loss(logits):\n    if len(logits) == 0:\n        raise ValueError('B = 0')\n"
WEIGHTS = ("def zero_shot_weights(prompt_embeddings):\n"
           "    if prompt_embeddings.shape[1] == 0:\n        raise ValueError('T = 0')\n")
PREDICT = ("def zero_shot_predict(image_embeddings, class_weights, k=1):\n"
           "    if not 1 <= k <= len(class_weights):\n        raise ValueError('k')\n")
RECALL = "def recall_both_directions(similarity, k):\n    if len(similarity) == 0:\n        raise ValueError('N = 0')\n"

CONTRACTS = {
    "clip_logits": Contract(test="test_clip_logits", clauses={
        "the image embeddings are normalised": {"clip_logits": CLIP_LOGITS + """\
    return log_scale.exp() * image_embeddings @ F.normalize(text_embeddings, dim=1).T"""},
        "the text embeddings are normalised": {"clip_logits": CLIP_LOGITS + """\
    return log_scale.exp() * F.normalize(image_embeddings, dim=1) @ text_embeddings.T"""},
        "the scale multiplies the cosines (temperature on the wrong side)": {"clip_logits": CLIP_LOGITS + """\
    return F.normalize(image_embeddings, dim=1) @ F.normalize(text_embeddings, dim=1).T / log_scale.exp()"""},
        "the scale is exp(log_scale), not log_scale": {"clip_logits": CLIP_LOGITS + """\
    return log_scale * F.normalize(image_embeddings, dim=1) @ F.normalize(text_embeddings, dim=1).T"""},
        "no clamp in the forward pass (a scale above 100 is used as it is)": {"clip_logits": CLIP_LOGITS + """\
    scale = log_scale.clamp(max=math.log(100.0)).exp()
    return scale * F.normalize(image_embeddings, dim=1) @ F.normalize(text_embeddings, dim=1).T"""},
        "no Python-level clamp (min on the scale, gradient lost above the cap)": {"clip_logits": CLIP_LOGITS + """\
    scale = min(log_scale.exp(), 100.0)
    return scale * F.normalize(image_embeddings, dim=1) @ F.normalize(text_embeddings, dim=1).T"""},
        "differentiable with respect to log_scale (a Python float scale)": {"clip_logits": CLIP_LOGITS + """\
    scale = math.exp(float(log_scale))
    return scale * F.normalize(image_embeddings, dim=1) @ F.normalize(text_embeddings, dim=1).T"""},
        "differentiable with respect to the embeddings (cosines in NumPy)": {"clip_logits": CLIP_LOGITS + """\
    a, b = image_embeddings.detach().numpy(), text_embeddings.detach().numpy()
    cosines = (a / np.linalg.norm(a, axis=1, keepdims=True)) @ (b / np.linalg.norm(b, axis=1, keepdims=True)).T
    return log_scale.exp() * torch.from_numpy(cosines)"""},
        "keeps the inputs' dtype": {"clip_logits": CLIP_LOGITS + """\
    images, texts = F.normalize(image_embeddings.float(), dim=1), F.normalize(text_embeddings.float(), dim=1)
    return log_scale.exp() * images @ texts.T"""},
        "on the inputs' device": {"clip_logits": CLIP_LOGITS + """\
    return (log_scale.exp() * F.normalize(image_embeddings, dim=1) @ F.normalize(text_embeddings, dim=1).T).cpu()"""},
        "zero images give a (0, m) tensor (a loop over images crashes)": {"clip_logits": CLIP_LOGITS + """\
    texts = F.normalize(text_embeddings, dim=1)
    return torch.stack([log_scale.exp() * F.normalize(image, dim=0) @ texts.T for image in image_embeddings])"""},
        "zero texts give an (n, 0) tensor (a loop over texts crashes)": {"clip_logits": CLIP_LOGITS + """\
    images = F.normalize(image_embeddings, dim=1)
    return torch.stack([log_scale.exp() * images @ F.normalize(text, dim=0) for text in text_embeddings], dim=1)"""},
        "one image or one text keeps its axis (no squeeze)": {"clip_logits": CLIP_LOGITS + """\
    return (log_scale.exp() * F.normalize(image_embeddings, dim=1) @ F.normalize(text_embeddings, dim=1).T).squeeze()"""},
    }),
    "clip_loss": Contract(test="test_clip_loss", clauses={
        "both directions (not image-to-text only)": {"clip_loss": CLIP_LOSS + """\
    return F.cross_entropy(logits, torch.arange(len(logits), device=logits.device))"""},
        "text-to-image runs down the columns": {"clip_loss": CLIP_LOSS + """\
    targets = torch.arange(len(logits), device=logits.device)
    return (F.cross_entropy(logits, targets) + F.cross_entropy(logits, targets.flip(0))) / 2"""},
        "each direction averaged over the batch, not summed": {"clip_loss": CLIP_LOSS + """\
    targets = torch.arange(len(logits), device=logits.device)
    return (F.cross_entropy(logits, targets, reduction="sum") + F.cross_entropy(logits.T, targets, reduction="sum")) / 2"""},
        "the two directions averaged, not added": {"clip_loss": CLIP_LOSS + """\
    targets = torch.arange(len(logits), device=logits.device)
    return F.cross_entropy(logits, targets) + F.cross_entropy(logits.T, targets)"""},
        "returns a scalar tensor": {"clip_loss": CLIP_LOSS + """\
    targets = torch.arange(len(logits), device=logits.device)
    return float((F.cross_entropy(logits, targets) + F.cross_entropy(logits.T, targets)) / 2)"""},
        "differentiable (NumPy log-sum-exp)": {"clip_loss": CLIP_LOSS + """\
    from scipy.special import logsumexp
    L = logits.detach().cpu().numpy()
    diagonal = np.diag(L)
    value = ((logsumexp(L, axis=1) - diagonal).mean() + (logsumexp(L, axis=0) - diagonal).mean()) / 2
    return torch.tensor(value, dtype=logits.dtype)"""},
        "keeps the logits' dtype": {"clip_loss": CLIP_LOSS + """\
    logits = logits.float()
    targets = torch.arange(len(logits), device=logits.device)
    return (F.cross_entropy(logits, targets) + F.cross_entropy(logits.T, targets)) / 2"""},
        "on the logits' device (targets made on the CPU)": {"clip_loss": CLIP_LOSS + """\
    targets = torch.arange(len(logits))
    return (F.cross_entropy(logits, targets) + F.cross_entropy(logits.T, targets)) / 2"""},
        "B = 0 raises ValueError (not a silent nan)": {"clip_loss": """\
def clip_loss(logits):
    targets = torch.arange(len(logits), device=logits.device)
    return (F.cross_entropy(logits, targets) + F.cross_entropy(logits.T, targets)) / 2"""},
        "B = 1 gives a loss of 0 (not an error for lack of negatives)": {"clip_loss": """\
def clip_loss(logits):
    if len(logits) < 2:
        raise ValueError("a contrastive loss needs at least two pairs")
    targets = torch.arange(len(logits), device=logits.device)
    return (F.cross_entropy(logits, targets) + F.cross_entropy(logits.T, targets)) / 2"""},
    }),
    "zero_shot_weights": Contract(test="test_zero_shot_weights", clauses={
        "each prompt normalised before averaging": {"zero_shot_weights": WEIGHTS + """\
    return F.normalize(prompt_embeddings.mean(dim=1), dim=-1)"""},
        "the average normalised again": {"zero_shot_weights": WEIGHTS + """\
    return F.normalize(prompt_embeddings, dim=-1).mean(dim=1)"""},
        "averaged over the T prompts of a class": {"zero_shot_weights": WEIGHTS + """\
    return F.normalize(F.normalize(prompt_embeddings, dim=-1).mean(dim=0), dim=-1)"""},
        "each prompt normalised along d (any lengths)": {"zero_shot_weights": WEIGHTS + """\
    return F.normalize(F.normalize(prompt_embeddings, dim=1).mean(dim=1), dim=-1)"""},
        "keeps the dtype": {"zero_shot_weights": WEIGHTS + """\
    return F.normalize(F.normalize(prompt_embeddings.float(), dim=-1).mean(dim=1), dim=-1)"""},
        "zero classes give a (0, d) tensor (a loop over classes crashes)": {"zero_shot_weights": WEIGHTS + """\
    return torch.stack([F.normalize(F.normalize(prompts, dim=-1).mean(dim=0), dim=0) for prompts in prompt_embeddings])"""},
        "one class gives a (1, d) tensor (no squeeze)": {"zero_shot_weights": WEIGHTS + """\
    return F.normalize(F.normalize(prompt_embeddings, dim=-1).mean(dim=1), dim=-1).squeeze(0)"""},
        "T = 1 gives the prompt normalised (no shortcut)": {"zero_shot_weights": WEIGHTS + """\
    if prompt_embeddings.shape[1] == 1:
        return prompt_embeddings[:, 0]
    return F.normalize(F.normalize(prompt_embeddings, dim=-1).mean(dim=1), dim=-1)"""},
        "T = 0 raises ValueError (not a silent nan)": {"zero_shot_weights": """\
def zero_shot_weights(prompt_embeddings):
    return F.normalize(F.normalize(prompt_embeddings, dim=-1).mean(dim=1), dim=-1)"""},
    }),
    "zero_shot_predict": Contract(test="test_zero_shot_predict", clauses={
        "most similar first": {"zero_shot_predict": PREDICT + """\
    scores = F.normalize(image_embeddings, dim=1) @ F.normalize(class_weights, dim=1).T
    return scores.argsort(dim=1)[:, -k:]"""},
        "ranked by cosine (class weights of any length)": {"zero_shot_predict": PREDICT + """\
    return (image_embeddings @ class_weights.T).topk(k, dim=1).indices"""},
        "k = 1 still gives an (n, 1) tensor": {"zero_shot_predict": PREDICT + """\
    scores = F.normalize(image_embeddings, dim=1) @ F.normalize(class_weights, dim=1).T
    return scores.argmax(dim=1) if k == 1 else scores.topk(k, dim=1).indices"""},
        "k at other values (up to k = C)": {"zero_shot_predict": PREDICT + """\
    scores = F.normalize(image_embeddings, dim=1) @ F.normalize(class_weights, dim=1).T
    return scores.argmax(dim=1, keepdim=True)"""},
        "returns a tensor": {"zero_shot_predict": PREDICT + """\
    scores = (F.normalize(image_embeddings, dim=1) @ F.normalize(class_weights, dim=1).T).numpy()
    return np.argsort(-scores, axis=1)[:, :k]"""},
        "int64 indices": {"zero_shot_predict": PREDICT + """\
    scores = F.normalize(image_embeddings, dim=1) @ F.normalize(class_weights, dim=1).T
    return scores.topk(k, dim=1).indices.int()"""},
        "on the inputs' device": {"zero_shot_predict": PREDICT + """\
    scores = F.normalize(image_embeddings, dim=1) @ F.normalize(class_weights, dim=1).T
    return scores.topk(k, dim=1).indices.cpu()"""},
        "zero images give a (0, k) tensor (a loop over images crashes)": {"zero_shot_predict": PREDICT + """\
    weights = F.normalize(class_weights, dim=1)
    return torch.stack([(F.normalize(image, dim=0) @ weights.T).topk(k).indices for image in image_embeddings])"""},
        "one image gives a (1, k) tensor (no squeeze)": {"zero_shot_predict": PREDICT + """\
    scores = F.normalize(image_embeddings, dim=1) @ F.normalize(class_weights, dim=1).T
    return scores.topk(k, dim=1).indices.squeeze(0)"""},
        "k = 0 raises ValueError (not an (n, 0) tensor)": {"zero_shot_predict": """\
def zero_shot_predict(image_embeddings, class_weights, k=1):
    if k > len(class_weights):
        raise ValueError("k")
    scores = F.normalize(image_embeddings, dim=1) @ F.normalize(class_weights, dim=1).T
    return scores.topk(k, dim=1).indices"""},
        "k above C raises ValueError (not topk's RuntimeError)": {"zero_shot_predict": """\
def zero_shot_predict(image_embeddings, class_weights, k=1):
    if k < 1:
        raise ValueError("k")
    scores = F.normalize(image_embeddings, dim=1) @ F.normalize(class_weights, dim=1).T
    return scores.topk(k, dim=1).indices"""},
        "zero classes raise ValueError (not an empty ranking)": {"zero_shot_predict": """\
def zero_shot_predict(image_embeddings, class_weights, k=1):
    if len(class_weights) == 0:
        return torch.zeros((len(image_embeddings), 0), dtype=torch.int64, device=image_embeddings.device)
    if not 1 <= k <= len(class_weights):
        raise ValueError("k")
    scores = F.normalize(image_embeddings, dim=1) @ F.normalize(class_weights, dim=1).T
    return scores.topk(k, dim=1).indices"""},
    }),
    "recall_both_directions": Contract(test="test_recall_both_directions", clauses={
        "text-to-image runs down the columns": {"recall_both_directions": RECALL + """\
    rank = (similarity >= similarity.diagonal()[:, None]).sum(dim=1)
    value = float((rank <= k).float().mean())
    return value, value"""},
        "image-to-text first, text-to-image second": {"recall_both_directions": RECALL + """\
    positives = similarity.diagonal()
    row_rank = (similarity >= positives[:, None]).sum(dim=1)
    column_rank = (similarity >= positives[None, :]).sum(dim=0)
    return float((column_rank <= k).float().mean()), float((row_rank <= k).float().mean())"""},
        "ties count against the positive": {"recall_both_directions": RECALL + """\
    positives = similarity.diagonal()
    row_rank = (similarity > positives[:, None]).sum(dim=1) + 1
    column_rank = (similarity > positives[None, :]).sum(dim=0) + 1
    return float((row_rank <= k).float().mean()), float((column_rank <= k).float().mean())"""},
        "found within the top k (k itself included, up to k = N)": {"recall_both_directions": RECALL + """\
    positives = similarity.diagonal()
    row_rank = (similarity >= positives[:, None]).sum(dim=1)
    column_rank = (similarity >= positives[None, :]).sum(dim=0)
    return float((row_rank < k).float().mean()), float((column_rank < k).float().mean())"""},
        "Python floats": {"recall_both_directions": RECALL + """\
    positives = similarity.diagonal()
    row_rank = (similarity >= positives[:, None]).sum(dim=1)
    column_rank = (similarity >= positives[None, :]).sum(dim=0)
    return (row_rank <= k).float().mean(), (column_rank <= k).float().mean()"""},
        "N = 0 raises ValueError (not a silent nan)": {"recall_both_directions": """\
def recall_both_directions(similarity, k):
    positives = similarity.diagonal()
    row_rank = (similarity >= positives[:, None]).sum(dim=1)
    column_rank = (similarity >= positives[None, :]).sum(dim=0)
    return float((row_rank <= k).float().mean()), float((column_rank <= k).float().mean())"""},
        "N = 1 gives (1.0, 1.0) (not an error for lack of negatives)": {"recall_both_directions": """\
def recall_both_directions(similarity, k):
    if len(similarity) < 2:
        raise ValueError("recall needs at least two pairs")
    positives = similarity.diagonal()
    row_rank = (similarity >= positives[:, None]).sum(dim=1)
    column_rank = (similarity >= positives[None, :]).sum(dim=0)
    return float((row_rank <= k).float().mean()), float((column_rank <= k).float().mean())"""},
    }),
}
