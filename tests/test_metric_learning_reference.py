"""Lesson 04's losses (the solution notebook's functions) against pytorch-metric-learning, a
test-only dependency, where the two definitions coincide."""
import math

import pytest
import torch
from test_hidden_tests import solution_namespace

from pytorch_metric_learning import losses as pml_losses
from pytorch_metric_learning.distances import LpDistance
from pytorch_metric_learning.miners import BatchHardMiner
from pytorch_metric_learning.reducers import MeanReducer


@pytest.fixture(scope="module")
def lesson():
    return solution_namespace("04_metric_learning")


def batch(seed, size=24, dim=8, classes=4):
    generator = torch.Generator().manual_seed(seed)
    embeddings = torch.nn.functional.normalize(torch.randn(size, dim, generator=generator, dtype=torch.float64), dim=1)
    labels = torch.arange(size) % classes
    return embeddings, labels


def squared_l2():
    return LpDistance(normalize_embeddings=False, power=2)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_batch_all_triplet_loss_matches_pml(lesson, seed):
    embeddings, labels = batch(seed)
    reference = pml_losses.TripletMarginLoss(margin=0.2, distance=squared_l2(), reducer=MeanReducer())
    ours = lesson["batch_all_triplet_loss"](embeddings, labels, margin=0.2)
    assert torch.allclose(ours, reference(embeddings, labels), atol=1e-6)


def plain_l2():
    return LpDistance(normalize_embeddings=False, power=1)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_batch_hard_triplet_loss_matches_pml_batch_hard_miner(lesson, seed):
    """Plain (not squared) distances, as in In Defense of the Triplet Loss."""
    embeddings, labels = batch(seed)
    miner = BatchHardMiner(distance=plain_l2())
    reference = pml_losses.TripletMarginLoss(margin=0.2, distance=plain_l2(), reducer=MeanReducer())
    expected = reference(embeddings, labels, miner(embeddings, labels))
    assert torch.allclose(lesson["batch_hard_triplet_loss"](embeddings, labels, margin=0.2), expected, atol=1e-6)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_soft_margin_batch_hard_matches_pml_smooth_loss(lesson, seed):
    embeddings, labels = batch(seed)
    miner = BatchHardMiner(distance=plain_l2())
    reference = pml_losses.TripletMarginLoss(margin=0.0, smooth_loss=True, distance=plain_l2(), reducer=MeanReducer())
    expected = reference(embeddings, labels, miner(embeddings, labels))
    assert torch.allclose(lesson["batch_hard_triplet_loss"](embeddings, labels, soft=True), expected, atol=1e-6)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_arcface_cross_entropy_matches_pml(lesson, seed):
    embeddings, labels = batch(seed, classes=5)
    reference = pml_losses.ArcFaceLoss(num_classes=5, embedding_size=8, margin=math.degrees(0.3), scale=16.0)
    reference.W.data = reference.W.data.double()
    proxies = reference.W.data.T.clone()
    logits = lesson["arcface_logits"](embeddings, proxies, labels, scale=16.0, margin=0.3)
    ours = torch.nn.functional.cross_entropy(logits, labels)
    assert torch.allclose(ours, reference(embeddings, labels), atol=1e-5)


def test_arcface_matches_pml_past_pi_minus_margin(lesson):
    """Embeddings almost opposite their proxy: both switch to cos(theta) - m sin(m)."""
    proxies = torch.eye(3, dtype=torch.float64)
    embeddings = torch.tensor([[-1.0, 0.05, 0.0], [-1.0, 0.0, 0.1]], dtype=torch.float64)
    labels = torch.tensor([0, 0])
    reference = pml_losses.ArcFaceLoss(num_classes=3, embedding_size=3, margin=math.degrees(0.5), scale=4.0)
    reference.W.data = proxies.T.clone()
    logits = lesson["arcface_logits"](embeddings, proxies, labels, scale=4.0, margin=0.5)
    ours = torch.nn.functional.cross_entropy(logits, labels)
    assert torch.allclose(ours, reference(embeddings, labels), atol=1e-5)
