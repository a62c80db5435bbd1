"""Lesson 06 (self-supervised contrastive learning): every docstring clause of every graded
function, each with a wrong answer a learner might write that breaks that clause only."""
from contracts import Contract

ASSIGNMENT = "06_self_supervised"

CROP = "def resized_crop(images, boxes, size=28):\n"
CROP_CHECKS = """\
    if images.ndim != 3:
        raise ValueError("images")
    if boxes.shape != (len(images), 4):
        raise ValueError("boxes")
"""
BOX = "top, left, box_height, box_width = boxes.to(images.dtype).unbind(dim=1)"
CROP_EMPTY = """\
    if len(images) == 0:
        return images.new_zeros((0, size, size))
"""


def crop(checks=CROP_CHECKS, box=BOX, out="size", mode="bilinear", padding="border", corners="False",
         dtype="images.dtype", theta_device="images.device", empty=CROP_EMPTY, pick="[:, 0]"):
    return {"resized_crop": CROP + checks + empty + f"""\
    count, height, width = images.shape
    {box}
    theta = torch.zeros(count, 2, 3, dtype={dtype}, device={theta_device})
    theta[:, 0, 0] = box_width / width
    theta[:, 0, 2] = (2 * left + box_width) / width - 1
    theta[:, 1, 1] = box_height / height
    theta[:, 1, 2] = (2 * top + box_height) / height - 1
    grid = F.affine_grid(theta, [count, 1, {out}, {out}], align_corners={corners})
    return F.grid_sample(images[:, None].to({dtype}), grid, mode="{mode}", padding_mode="{padding}",
                         align_corners={corners}){pick}"""}


AUGMENT = ("def augment(images, generator, crop_scale=(0.35, 1.0), ratio=(3 / 4, 4 / 3), flip=True, jitter=0.4, "
           "noise=0.05):\n")


def augment(convert="x = images.float() / 255.0 if images.dtype == torch.uint8 else images.float()",
            draw="torch.rand(count, generator=generator, device=x.device)",
            area="uniform(*crop_scale) * height * width",
            aspect="torch.exp(uniform(math.log(ratio[0]), math.log(ratio[1])))",
            sides="torch.sqrt(area / aspect).clamp(max=height), torch.sqrt(area * aspect).clamp(max=width)",
            top="uniform(0.0, 1.0) * (height - box_height)", left="uniform(0.0, 1.0) * (width - box_width)",
            when_flip="flip", mirror="x.flip(-1)", flip_chance="0.5",
            factors="uniform(1 - jitter, 1 + jitter), uniform(1 - jitter, 1 + jitter)",
            mean="x.mean(dim=(1, 2), keepdim=True)",
            noisy="x + noise * torch.randn(x.shape, generator=generator, device=x.device)",
            crop_size="height", clip_first=False, flipped=None, squeeze=False):
    clip_before, clip_after = ("x = x.clamp(0.0, 1.0)", "return x") if clip_first else ("", "return x.clamp(0.0, 1.0)")
    clip_after += ".squeeze()" if squeeze else ""
    flipped = flipped or f"torch.where(mirrored[:, None, None], {mirror}, x)"
    crop_size = f", size={crop_size}" if crop_size else ""
    return {"augment": AUGMENT + f"""\
    {convert}
    count, height, width = x.shape

    def uniform(low, high):
        return low + (high - low) * {draw}

    area = {area}
    aspect = {aspect}
    box_height, box_width = {sides}
    top = {top}
    left = {left}
    x = resized_crop(x, torch.stack([top, left, box_height, box_width], dim=1){crop_size})
    if {when_flip}:
        mirrored = uniform(0.0, 1.0) < {flip_chance}
        x = {flipped}
    if jitter > 0:
        contrast, brightness = {factors}
        mean = {mean}
        x = ((x - mean) * contrast[:, None, None] + mean) * brightness[:, None, None]
    {clip_before}
    if noise > 0:
        x = {noisy}
    {clip_after}"""}


NT_XENT = "def nt_xent_loss(z, temperature=0.5):\n"
NT_XENT_CHECKS = """\
    if z.ndim != 2 or len(z) < 2 or len(z) % 2:
        raise ValueError("z")
    if not temperature > 0:
        raise ValueError("temperature")
"""
CROSS_ENTROPY = "return F.cross_entropy(similarities, positives)"


def nt_xent(checks=NT_XENT_CHECKS, unit="F.normalize(z, dim=1)", scaled="unit @ unit.T / temperature",
            masked="similarities.masked_fill(torch.eye(rows, dtype=torch.bool, device=z.device), float('-inf'))",
            positives="(torch.arange(rows, device=z.device) + rows // 2) % rows", finish=CROSS_ENTROPY):
    return {"nt_xent_loss": NT_XENT + checks + f"""\
    rows = len(z)
    unit = {unit}
    similarities = {scaled}
    similarities = {masked}
    positives = {positives}
    {finish}"""}


ALIGNMENT = "def alignment(z1, z2, alpha=2.0):\n"
ALIGNMENT_CHECKS = """\
    if z1.ndim != 2 or z1.shape != z2.shape:
        raise ValueError("z1, z2")
"""
ALIGNMENT_EMPTY = """\
    if len(z1) == 0:
        raise ValueError("no rows")
"""
UNIFORMITY = "def uniformity(z, t=2.0):\n"
UNIFORMITY_CHECKS = """\
    if z.ndim != 2 or len(z) < 2:
        raise ValueError("z")
"""


def aligned(checks=ALIGNMENT_CHECKS, body="(F.normalize(z1, dim=1) - F.normalize(z2, dim=1)).norm(dim=1).pow(alpha).mean()",
            empty=ALIGNMENT_EMPTY):
    return {"alignment_uniformity": ALIGNMENT + checks + empty + f"    return {body}\n\n\n" + UNIFORMITY + UNIFORMITY_CHECKS + """\
    squared = torch.pdist(F.normalize(z, dim=1)).pow(2)
    return torch.logsumexp(-t * squared, dim=0) - math.log(len(squared))"""}


def uniform_(checks=UNIFORMITY_CHECKS, squared="torch.pdist(F.normalize(z, dim=1)).pow(2)",
             finish="torch.logsumexp(-t * squared, dim=0) - math.log(len(squared))"):
    return {"alignment_uniformity": ALIGNMENT + ALIGNMENT_CHECKS + ALIGNMENT_EMPTY + """\
    return (F.normalize(z1, dim=1) - F.normalize(z2, dim=1)).norm(dim=1).pow(alpha).mean()


""" + UNIFORMITY + checks + f"""\
    squared = {squared}
    return {finish}"""}


KNN = "def knn_accuracy(train_z, train_y, test_z, test_y, k=20, temperature=0.1):\n"
KNN_CHECKS = """\
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= len(train_z):
        raise ValueError("k")
"""


KNN_EMPTY = """\
    if len(test_z) == 0:
        raise ValueError("test_z")
"""


def knn(checks=KNN_CHECKS, unit="F.normalize(z, dim=1)", chosen="k", weights="torch.exp(nearest / temperature)",
        predict="votes.argmax(dim=1)", result="correct / len(test_z)", empty=KNN_EMPTY,
        similar="normalise(test_z) @ normalise(train_z).T"):
    return {"knn_accuracy": KNN + checks + empty + f"""\
    classes = int(max(train_y.max(), test_y.max())) + 1
    normalise = lambda z: {unit}
    similarities = {similar}
    nearest, rows = similarities.topk({chosen}, dim=1)
    votes = torch.zeros(len(similarities), classes, dtype=nearest.dtype, device=nearest.device)
    votes.scatter_add_(1, train_y[rows], {weights})
    correct = int(({predict} == test_y).sum())
    return {result}"""}


PROBE = "def linear_probe(train_z, train_y, test_z, l2=1e-2):\n"
PROBE_CHECKS = """\
    if not l2 >= 0:
        raise ValueError("l2")
    if train_z.ndim != 2 or test_z.ndim != 2 or train_z.shape[1] != test_z.shape[1]:
        raise ValueError("columns")
"""


PROBE_EMPTY = """\
    if len(train_z) == 0:
        raise ValueError("train_z")
"""


def probe(checks=PROBE_CHECKS, empty=PROBE_EMPTY, cast="double()", spread="train_z.std(dim=0, unbiased=False)",
          guard="torch.where(spread > 0, spread, torch.ones_like(spread))", test_stats="mean, spread",
          bias="torch.ones(len(z), 1, dtype=z.dtype, device=z.device)", classes="int(train_y.max()) + 1",
          penalty="l2 * len(X)", free_bias="penalty[-1] = 0.0", out="design(test_z, test_mean, test_spread) @ W"):
    return {"linear_probe": PROBE + checks + empty + f"""\
    train_z, test_z = train_z.{cast}, test_z.{cast}.to(train_z.device)
    mean, spread = train_z.mean(dim=0), {spread}
    spread = {guard}

    def design(z, mean, spread):
        return torch.cat([(z - mean) / spread, {bias}], dim=1)

    X = design(train_z, mean, spread)
    Y = F.one_hot(train_y.to(X.device), {classes}).to(X.dtype)
    penalty = torch.full((X.shape[1],), {penalty}, dtype=X.dtype, device=X.device)
    {free_bias}
    W = torch.linalg.solve(X.T @ X + torch.diag(penalty), X.T @ Y)
    test_mean, test_spread = {test_stats}
    return {out}"""}


CONTRACTS = {
    "resized_crop": Contract(test="test_resized_crop", clauses={
        "boxes are (top, left, height, width), not (left, top, ...)":
            crop(box="left, top, box_height, box_width = boxes.to(images.dtype).unbind(dim=1)"),
        "boxes hold a height and a width, not corners (bottom, right)": crop(box="""\
top, left, bottom, right = boxes.to(images.dtype).unbind(dim=1)
    box_height, box_width = bottom - top, right - left"""),
        "box b crops image b (the first box for every image)":
            crop(box="top, left, box_height, box_width = boxes.to(images.dtype)[:1].expand(len(boxes), 4).unbind(dim=1)"),
        "pixels are unit squares (align_corners=True instead)": crop(corners="True"),
        "bilinear between pixel centres (nearest pixel instead)": crop(mode="nearest"),
        "the edge pixel's value beyond the centres (zeros instead)": crop(padding="zeros"),
        "the output is size x size (always 28 x 28)": crop(out="28"),
        "images are (B, H, W) (read as (B, W, H))": crop(box="height, width = width, height\n    " + BOX),
        "returns images' dtype (float32 always)": crop(dtype="torch.float32"),
        "on images' device (theta made on the CPU)": crop(theta_device="None"),
        "a 2-D image raises ValueError (taken as one image instead)": crop(checks="""\
    if images.ndim == 2:
        images = images[None]
    if boxes.shape != (len(images), 4):
        raise ValueError("boxes")
"""),
        "boxes must be (B, 4) (not checked: a crash instead of ValueError)": crop(checks="""\
    if images.ndim != 3:
        raise ValueError("images")
"""),
        "zero images give (0, size, size) (not handled: F.affine_grid's error)": crop(empty=""),
        "one image keeps its batch dimension (squeezed to (size, size))": crop(pick=".squeeze()"),
    }),
    "augment": Contract(test="test_augment", clauses={
        "uint8 images are divided by 255 (floats too)": augment(convert="x = images.float() / 255.0"),
        "uint8 images are divided by 255 (not divided)": augment(convert="x = images.float()"),
        "views are (B, S, S) like the images (resized_crop's default size, 28)": augment(crop_size=""),
        "the noise is drawn from generator too (the global generator)":
            augment(noisy="x + noise * torch.randn(x.shape, device=x.device)"),
        "the noise is drawn per image (one pattern for the whole batch)":
            augment(noisy="x + noise * torch.randn(x.shape[1:], generator=generator, device=x.device)"),
        "crop_scale's lower bound is used (0 always)": augment(area="uniform(0.0, crop_scale[1]) * height * width"),
        "the ratio argument is used (3/4 to 4/3 always)":
            augment(aspect="torch.exp(uniform(math.log(3 / 4), math.log(4 / 3)))"),
        "the jitter argument is used (0.4 always)": augment(factors="uniform(0.6, 1.4), uniform(0.6, 1.4)"),
        "the noise argument is used (0.05 always)":
            augment(noisy="x + 0.05 * torch.randn(x.shape, generator=generator, device=x.device)"),
        "returns float32 (float64 images stay float64)":
            augment(convert="x = images / 255.0 if images.dtype == torch.uint8 else images"),
        "every draw comes from generator (the global generator instead)": augment(draw="torch.rand(count, device=x.device)"),
        "one draw per image (one per batch)": augment(draw="torch.rand(1, generator=generator, device=x.device).expand(count)"),
        "the area fraction is drawn from crop_scale (the side's fraction instead)":
            augment(area="uniform(*crop_scale) ** 2 * height * width"),
        "crop_scale's upper bound is used (1.0 always)": augment(area="uniform(crop_scale[0], 1.0) * height * width"),
        "the aspect ratio is log-uniform (uniform instead)": augment(aspect="uniform(ratio[0], ratio[1])"),
        "the ratio is width / height (height / width instead)":
            augment(sides="torch.sqrt(area * aspect).clamp(max=height), torch.sqrt(area / aspect).clamp(max=width)"),
        "the box's position is uniform (always centred)":
            augment(top="(height - box_height) / 2", left="(width - box_width) / 2"),
        "flips mirror left-right (upside down instead)": augment(mirror="x.flip(-2)"),
        "flips happen with probability 1/2 (always)": augment(flip_chance="1.1"),
        "flip=False never flips (the flag is ignored)": augment(when_flip="True"),
        "contrast and brightness are independent draws (one shared factor)":
            augment(factors="(uniform(1 - jitter, 1 + jitter),) * 2"),
        "jitter factors span [1 - jitter, 1 + jitter] (half of it)":
            augment(factors="uniform(1 - jitter / 2, 1 + jitter / 2), uniform(1 - jitter / 2, 1 + jitter / 2)"),
        "contrast is around each view's mean (the batch's mean instead)": augment(mean="x.mean()"),
        "noise is the standard deviation (used as the variance)":
            augment(noisy="x + noise ** 0.5 * torch.randn(x.shape, generator=generator, device=x.device)"),
        "views are clipped after the noise (before it)": augment(clip_first=True),
        "zero images give (0, S, S) (flips stacked image by image)": augment(
            flipped="torch.stack([view.flip(-1) if m else view for view, m in zip(x, mirrored)])"),
        "one image keeps its batch dimension (squeezed to (S, S))": augment(squeeze=True),
    }),
    "nt_xent_loss": Contract(test="test_nt_xent_loss", clauses={
        "the positive of row i is row (i + N) mod 2N (neighbouring rows instead)":
            nt_xent(positives="torch.arange(rows, device=z.device) ^ 1"),
        "the self-similarity is masked out (kept in the denominator)": nt_xent(masked="similarities"),
        "the positive stays in the denominator (removed with the self-similarity)": nt_xent(finish="""\
picked = similarities[torch.arange(rows), positives]
    others = similarities.masked_fill(F.one_hot(positives, rows).bool(), float('-inf'))
    return (torch.logsumexp(others, dim=1) - picked).mean()"""),
        "rows are L2-normalised (raw dot products)": nt_xent(unit="z"),
        "similarities are divided by the temperature (multiplied)": nt_xent(scaled="unit @ unit.T * temperature"),
        "the temperature argument is used (0.5 always)": nt_xent(scaled="unit @ unit.T / 0.5"),
        "the mean over all 2N rows (the first N only)":
            nt_xent(finish="return F.cross_entropy(similarities[:rows // 2], positives[:rows // 2])"),
        "the mean, not the sum": nt_xent(finish="return F.cross_entropy(similarities, positives, reduction='sum')"),
        "finite down to temperature 0.01 (plain exp overflows)": nt_xent(finish="""\
e = torch.exp(similarities)
    return -torch.log(e[torch.arange(rows), positives] / e.sum(dim=1)).mean()"""),
        "differentiable (detached)": nt_xent(finish="return F.cross_entropy(similarities, positives).detach()"),
        "the gradient flows through the normalisation (the norms detached)":
            nt_xent(unit="z / z.norm(dim=1, keepdim=True).detach()"),
        "a 0-dim tensor (shape (1,))": nt_xent(finish="return F.cross_entropy(similarities, positives).reshape(1)"),
        "no rows (N = 0) raises ValueError (only odd counts checked)": nt_xent(checks="""\
    if z.ndim != 2 or len(z) % 2:
        raise ValueError("z")
    if not temperature > 0:
        raise ValueError("temperature")
"""),
        "temperature 0 raises ValueError (only negative ones checked)": nt_xent(checks="""\
    if z.ndim != 2 or len(z) < 2 or len(z) % 2:
        raise ValueError("z")
    if temperature < 0:
        raise ValueError("temperature")
"""),
        "returns z's dtype (float32 always)": nt_xent(unit="F.normalize(z.float(), dim=1)"),
        "an odd number of rows raises ValueError": nt_xent(checks="""\
    if z.ndim != 2 or len(z) < 2:
        raise ValueError("z")
    if not temperature > 0:
        raise ValueError("temperature")
"""),
        "a 1-D z raises ValueError": nt_xent(checks="""\
    if len(z) < 2 or len(z) % 2:
        raise ValueError("z")
    if not temperature > 0:
        raise ValueError("temperature")
"""),
        "temperature <= 0 raises ValueError": nt_xent(checks="""\
    if z.ndim != 2 or len(z) < 2 or len(z) % 2:
        raise ValueError("z")
"""),
        "N = 1 gives 0 (refused for want of a negative)": nt_xent(checks="""\
    if z.ndim != 2 or len(z) < 4 or len(z) % 2:
        raise ValueError("z needs at least one negative")
    if not temperature > 0:
        raise ValueError("temperature")
"""),
    }),
    "alignment": Contract(test="test_alignment_uniformity", clauses={
        "rows are L2-normalised (raw vectors)": aligned(body="(z1 - z2).norm(dim=1).pow(alpha).mean()"),
        "alpha is the power (2 always)": aligned(body="(F.normalize(z1, dim=1) - F.normalize(z2, dim=1)).norm(dim=1).pow(2).mean()"),
        "the distance to the power alpha (the squared distance to the power alpha)":
            aligned(body="(F.normalize(z1, dim=1) - F.normalize(z2, dim=1)).pow(2).sum(dim=1).pow(alpha).mean()"),
        "returns z1's dtype (float32 always)":
            aligned(body="(F.normalize(z1.float(), dim=1) - F.normalize(z2.float(), dim=1)).norm(dim=1).pow(alpha).mean()"),
        "differentiable (detached)":
            aligned(body="(F.normalize(z1, dim=1) - F.normalize(z2, dim=1)).norm(dim=1).pow(alpha).mean().detach()"),
        "row i of z1 pairs with row i of z2 (every row with every row)":
            aligned(body="torch.cdist(F.normalize(z1, dim=1), F.normalize(z2, dim=1)).pow(alpha).mean()"),
        "the mean over rows (the sum)":
            aligned(body="(F.normalize(z1, dim=1) - F.normalize(z2, dim=1)).norm(dim=1).pow(alpha).sum()"),
        "a 0-dim tensor (shape (1,))": aligned(
            body="(F.normalize(z1, dim=1) - F.normalize(z2, dim=1)).norm(dim=1, keepdim=True).pow(alpha).mean(dim=0)"),
        "the gradient flows through the normalisation (the norms detached)": aligned(
            body="(z1 / z1.norm(dim=1, keepdim=True).detach() - F.normalize(z2, dim=1)).norm(dim=1).pow(alpha).mean()"),
        "differentiable with respect to z2 too (a stop-gradient on z2)": aligned(
            body="(F.normalize(z1, dim=1) - F.normalize(z2.detach(), dim=1)).norm(dim=1).pow(alpha).mean()"),
        "shapes that differ raise ValueError (not checked)": aligned(checks=""),
        "1-D tensors raise ValueError (only the shapes compared)": aligned(checks="""\
    if z1.shape != z2.shape:
        raise ValueError("z1, z2")
"""),
        "zero rows raise ValueError (a NaN mean instead)": aligned(empty=""),
        "one row is a pair like any other (refused, as uniformity refuses it)": aligned(empty="""\
    if len(z1) < 2:
        raise ValueError("z1, z2 need 2 rows")
"""),
    }),
    "uniformity": Contract(test="test_alignment_uniformity", clauses={
        "rows are L2-normalised (raw vectors)": uniform_(squared="torch.pdist(z).pow(2)"),
        "pairs i < j only (the diagonal's zeros included)":
            uniform_(squared="torch.cdist(F.normalize(z, dim=1), F.normalize(z, dim=1)).pow(2).flatten()"),
        "squared distances (plain distances instead)": uniform_(squared="torch.pdist(F.normalize(z, dim=1))"),
        "the log of the mean (the mean of the logs instead)": uniform_(finish="(-t * squared).mean()"),
        "t is the scale (2 always)": uniform_(finish="torch.logsumexp(-2.0 * squared, dim=0) - math.log(len(squared))"),
        "differentiable (detached)": uniform_(finish="(torch.logsumexp(-t * squared, dim=0) - math.log(len(squared))).detach()"),
        "returns z's dtype (float32 always)": uniform_(squared="torch.pdist(F.normalize(z.float(), dim=1)).pow(2)"),
        "the log of the mean (the log of the sum)": uniform_(finish="torch.logsumexp(-t * squared, dim=0)"),
        "a 0-dim tensor (shape (1,))":
            uniform_(finish="torch.logsumexp(-t * squared, dim=0, keepdim=True) - math.log(len(squared))"),
        "the gradient flows through the normalisation (the norms detached)":
            uniform_(squared="torch.pdist(z / z.norm(dim=1, keepdim=True).detach()).pow(2)"),
        "fewer than 2 rows raise ValueError (not checked)":
            uniform_(checks="", finish="torch.exp(-t * squared).mean().log()"),
        "a 1-D z raises ValueError (only the row count checked)": uniform_(checks="""\
    if len(z) < 2:
        raise ValueError("z")
"""),
    }),
    "knn_accuracy": Contract(test="test_knn_accuracy", clauses={
        "votes are weighted by exp(similarity / temperature) (one vote each)": knn(weights="torch.ones_like(nearest)"),
        "weights are exp(similarity / temperature) (the similarity itself)": knn(weights="nearest"),
        "the temperature argument is used (0.1 always)": knn(weights="torch.exp(nearest / 0.1)"),
        "cosine similarity of normalised rows (raw dot products)": knn(unit="z"),
        "the k nearest (k + 1, as if skipping the query itself)": knn(chosen="k + 1"),
        "a tie goes to the smaller label (the larger one)": knn(predict="classes - 1 - votes.flip(1).argmax(dim=1)"),
        "returns a Python float (a tensor)": knn(result="torch.tensor(correct / len(test_z))"),
        "similarities are divided by the temperature (multiplied)": knn(weights="torch.exp(nearest * temperature)"),
        "the k most similar rows (the k least similar)": knn(chosen="k, largest=False"),
        "a fraction (a percentage)": knn(result="100.0 * correct / len(test_z)"),
        "k outside [1, n] raises ValueError (not checked)": knn(checks=""),
        "k = 0 raises ValueError (only k > n checked)": knn(checks="""\
    if isinstance(k, bool) or not isinstance(k, int) or k > len(train_z):
        raise ValueError("k")
"""),
        "k > n raises ValueError (only k < 1 checked)": knn(checks="""\
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError("k")
"""),
        "a float k raises ValueError (only the range checked)": knn(checks="""\
    if isinstance(k, bool) or not 1 <= k <= len(train_z):
        raise ValueError("k")
"""),
        "k must be an int (True accepted as 1)": knn(checks="""\
    if not isinstance(k, int) or not 1 <= k <= len(train_z):
        raise ValueError("k")
"""),
        "zero test rows raise ValueError (not checked: a crash)": knn(empty=""),
        "one test row gives 0.0 or 1.0 (its similarities squeezed to 1-D)":
            knn(similar="(normalise(test_z) @ normalise(train_z).T).squeeze()"),
    }),
    "linear_probe": Contract(test="test_linear_probe", clauses={
        "standardised with the training rows' statistics (the test rows' own)":
            probe(test_stats="test_z.mean(dim=0), torch.where(test_z.std(dim=0, unbiased=False) > 0, "
                             "test_z.std(dim=0, unbiased=False), torch.ones(test_z.shape[1], dtype=test_z.dtype))"),
        "features are standardised (left as they are)": probe(spread="torch.ones(train_z.shape[1], dtype=train_z.dtype)",
                                                             guard="spread", test_stats="0.0 * mean, spread"),
        "the population standard deviation (the sample one)": probe(spread="train_z.std(dim=0)"),
        "a constant feature is only centred (divided by 0)": probe(guard="spread"),
        "the bias is not penalised": probe(free_bias="pass"),
        "the penalty is l2 * n (l2 alone)": probe(penalty="l2"),
        "a bias feature is appended (none)": probe(bias="torch.zeros(len(z), 0, dtype=z.dtype)"),
        "C = the largest training label + 1 (the number of distinct labels)": probe(classes="len(train_y.unique())"),
        "computed and returned in float64 (float32)": probe(cast="float()"),
        "computed in float64 (float32, cast to float64 at the end)":
            probe(cast="float()", out="(design(test_z, test_mean, test_spread) @ W).double()"),
        "the l2 argument is used (0.01 always)": probe(penalty="1e-2 * len(X)"),
        "l2 = 0 is allowed (raises ValueError)": probe(checks="""\
    if not l2 > 0:
        raise ValueError("l2")
    if train_z.ndim != 2 or test_z.ndim != 2 or train_z.shape[1] != test_z.shape[1]:
        raise ValueError("columns")
"""),
        "l2 < 0 raises ValueError (not checked)": probe(checks="""\
    if train_z.ndim != 2 or test_z.ndim != 2 or train_z.shape[1] != test_z.shape[1]:
        raise ValueError("columns")
"""),
        "different column counts raise ValueError (not checked)": probe(checks="""\
    if not l2 >= 0:
        raise ValueError("l2")
"""),
        "zero training rows raise ValueError (not checked: a crash)": probe(empty=""),
        "zero test rows give (0, C) (refused, as knn_accuracy refuses them)": probe(empty=PROBE_EMPTY + """\
    if len(test_z) == 0:
        raise ValueError("test_z")
"""),
        "one training row is allowed (refused for its undefined spread)": probe(empty="""\
    if len(train_z) < 2:
        raise ValueError("train_z needs 2 rows")
"""),
    }),
}
