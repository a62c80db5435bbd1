"""Procedurally drawn scenes of coloured shapes with compositional captions (lesson 07).

A scene holds one or two shapes, each with a size, a colour and a kind, and, for two shapes, a
spatial relation: "a small red circle to the left of a large blue square". Everything is
deterministic from a seed. Some colour-shape combinations (HELD_OUT_PAIRS) never appear in the
'train' split, so a model can be tested on combinations it has only seen in parts.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

COLOURS = {"red": (215, 40, 40), "green": (40, 160, 60), "blue": (40, 80, 215), "yellow": (225, 195, 20),
           "purple": (140, 60, 180)}
SHAPES = ("circle", "square", "triangle")
SIZES = {"small": 0.13, "large": 0.22}  # half-width as a fraction of the image side
RELATIONS = ("to the left of", "to the right of", "above", "below")
HELD_OUT_PAIRS = (("red", "square"), ("green", "triangle"), ("blue", "circle"), ("yellow", "triangle"),
                  ("purple", "square"))
SPLITS = ("train", "held_out", "all")
BACKGROUND = 245


@dataclass(frozen=True)
class Shape:
    size: str
    colour: str
    kind: str

    def describe(self) -> str:
        return f"{self.size} {self.colour} {self.kind}"


@dataclass(frozen=True)
class Scene:
    """One or two shapes; `relation` says where the first shape is relative to the second."""

    shapes: tuple
    relation: str | None = None

    def caption(self) -> str:
        first = f"a {self.shapes[0].describe()}"
        if len(self.shapes) == 1:
            return first
        return f"{first} {self.relation} a {self.shapes[1].describe()}"


def is_held_out(shape: Shape) -> bool:
    return (shape.colour, shape.kind) in HELD_OUT_PAIRS


def _random_shape(rng: np.random.Generator, split: str) -> Shape:
    while True:
        shape = Shape(rng.choice(list(SIZES)), rng.choice(list(COLOURS)), rng.choice(SHAPES))
        if split != "train" or not is_held_out(shape):
            return shape


def random_scene(rng: np.random.Generator, split: str = "train", two_shapes_probability: float = 0.5) -> Scene:
    """A scene for `split`: 'train' never contains a held-out colour-shape pair, 'held_out' always
    contains at least one, 'all' draws freely."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    while True:
        count = 2 if rng.random() < two_shapes_probability else 1
        shapes = tuple(_random_shape(rng, split) for _ in range(count))
        if split == "held_out" and not any(is_held_out(s) for s in shapes):
            continue
        if count == 2 and shapes[0].colour == shapes[1].colour and shapes[0].kind == shapes[1].kind:
            continue  # "a red circle above a red circle" is ambiguous to caption
        return Scene(shapes, rng.choice(RELATIONS) if count == 2 else None)


def _mask(kind: str, xs: np.ndarray, ys: np.ndarray, cx: float, cy: float, half: float) -> np.ndarray:
    if kind == "circle":
        return (xs - cx) ** 2 + (ys - cy) ** 2 <= half ** 2
    if kind == "square":
        return (np.abs(xs - cx) <= half * 0.9) & (np.abs(ys - cy) <= half * 0.9)
    if kind == "triangle":  # apex up; the width grows linearly from the apex to the base
        depth = (ys - (cy - half)) / (2 * half)
        return (depth >= 0) & (depth <= 1) & (np.abs(xs - cx) <= depth * half)
    raise ValueError(f"kind must be one of {SHAPES}, got {kind!r}")


def _centres(scene: Scene, rng: np.random.Generator, side: int) -> list[tuple[float, float]]:
    jitter = lambda: rng.uniform(-0.06, 0.06) * side  # noqa: E731
    if len(scene.shapes) == 1:
        return [(side * rng.uniform(0.3, 0.7), side * rng.uniform(0.3, 0.7))]
    near, far, middle = 0.27 * side, 0.73 * side, 0.5 * side
    first, second = {
        "to the left of": ((near, middle), (far, middle)),
        "to the right of": ((far, middle), (near, middle)),
        "above": ((middle, near), (middle, far)),
        "below": ((middle, far), (middle, near)),
    }[scene.relation]
    return [(x + jitter(), y + jitter()) for x, y in (first, second)]


def draw(scene: Scene, rng: np.random.Generator, side: int = 48) -> np.ndarray:
    """Render a scene as a (side, side, 3) uint8 RGB image on a light background, with mild noise."""
    if not isinstance(side, int) or side < 16:
        raise ValueError(f"side must be an int of at least 16 pixels, got {side!r}")
    image = np.full((side, side, 3), BACKGROUND, dtype=np.float32)
    ys, xs = np.mgrid[0:side, 0:side].astype(np.float32) + 0.5
    for shape, (cx, cy) in zip(scene.shapes, _centres(scene, rng, side)):
        mask = _mask(shape.kind, xs, ys, cx, cy, SIZES[shape.size] * side)
        image[mask] = COLOURS[shape.colour]
    image += rng.normal(0.0, 6.0, size=image.shape)
    return np.clip(image, 0, 255).astype(np.uint8)


def generate(n: int, seed: int, split: str = "train", side: int = 48, two_shapes_probability: float = 0.5):
    """n scenes for `split`, deterministic from `seed`.

    Returns (images (n, side, side, 3) uint8, captions list of n str, scenes list of n Scene).
    """
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive int, got {n!r}")
    rng = np.random.default_rng(seed)
    scenes = [random_scene(rng, split, two_shapes_probability) for _ in range(n)]
    images = np.stack([draw(scene, rng, side) for scene in scenes])
    return images, [scene.caption() for scene in scenes], scenes


def single_shape_classes(held_out: bool | None = None) -> list[tuple[str, str]]:
    """Every (colour, kind) pair; only the held-out ones (True), only the others (False), or all (None)."""
    pairs = [(colour, kind) for colour in COLOURS for kind in SHAPES]
    if held_out is None:
        return pairs
    return [pair for pair in pairs if (pair in HELD_OUT_PAIRS) == held_out]
