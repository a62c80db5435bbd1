import numpy as np
import pytest

from course_utils import scenes


def colour_mask(image, colour):
    return (np.abs(image.astype(int) - np.array(scenes.COLOURS[colour])) < 40).all(axis=2)


def test_same_seed_same_scenes_and_different_seed_different():
    a_images, a_captions, _ = scenes.generate(20, seed=3)
    b_images, b_captions, _ = scenes.generate(20, seed=3)
    c_images, c_captions, _ = scenes.generate(20, seed=4)
    assert np.array_equal(a_images, b_images) and a_captions == b_captions
    assert not np.array_equal(a_images, c_images) and a_captions != c_captions


def test_train_split_never_contains_a_held_out_pair_and_held_out_split_always_does():
    _, _, train = scenes.generate(400, seed=0, split="train")
    _, _, held = scenes.generate(400, seed=0, split="held_out")
    assert not any(scenes.is_held_out(shape) for scene in train for shape in scene.shapes)
    assert all(any(scenes.is_held_out(shape) for shape in scene.shapes) for scene in held)
    seen_pairs = {(s.colour, s.kind) for scene in train for s in scene.shapes}
    assert seen_pairs == set(scenes.single_shape_classes(held_out=False))
    # every held-out pair is made of a colour and a kind that training does show, in other pairs
    for colour, kind in scenes.HELD_OUT_PAIRS:
        assert any(c == colour for c, _ in seen_pairs) and any(k == kind for _, k in seen_pairs)


@pytest.mark.parametrize("seed", range(5))
def test_single_shape_captions_match_the_drawn_colour_kind_and_size(seed):
    images, captions, drawn = scenes.generate(30, seed=seed, split="all", two_shapes_probability=0.0)
    for image, caption, scene in zip(images, captions, drawn):
        shape = scene.shapes[0]
        assert caption == f"a {shape.size} {shape.colour} {shape.kind}"
        mask = colour_mask(image, shape.colour)
        rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
        height, width = rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1
        fill = mask.sum() / (height * width)
        expected_fill = {"circle": np.pi / 4, "square": 1.0, "triangle": 0.5}[shape.kind]
        assert abs(fill - expected_fill) < 0.12, (caption, fill)
        expected_width = 2 * scenes.SIZES[shape.size] * image.shape[0] * (0.9 if shape.kind == "square" else 1.0)
        assert abs(width - expected_width) <= 3, (caption, width, expected_width)


@pytest.mark.parametrize("seed", range(5))
def test_two_shape_captions_match_the_drawn_relation(seed):
    images, captions, drawn = scenes.generate(40, seed=seed, split="all", two_shapes_probability=1.0)
    checked = 0
    for image, caption, scene in zip(images, captions, drawn):
        first, second = scene.shapes
        assert caption == f"a {first.describe()} {scene.relation} a {second.describe()}"
        if first.colour == second.colour:
            continue
        (y1, x1), (y2, x2) = (np.argwhere(colour_mask(image, s.colour)).mean(axis=0) for s in (first, second))
        holds = {"to the left of": x1 < x2 - 8, "to the right of": x1 > x2 + 8, "above": y1 < y2 - 8, "below": y1 > y2 + 8}
        assert holds[scene.relation], caption
        checked += 1
    assert checked > 20


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="split"):
        scenes.generate(3, seed=0, split="test")
    with pytest.raises(ValueError, match="n must"):
        scenes.generate(0, seed=0)
    with pytest.raises(ValueError, match="side"):
        scenes.draw(scenes.Scene((scenes.Shape("small", "red", "circle"),)), np.random.default_rng(0), side=8)
