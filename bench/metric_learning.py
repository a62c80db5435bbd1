"""Lesson 04: train the softmax baseline, triplet loss with batch-hard mining and ArcFace with three
seeds each, using the lesson's own training code (executed from the solution notebook), and record
held-out Recall@1 (mean and spread). The two metric losses are also trained with
pytorch-metric-learning's implementations (TripletMarginLoss + BatchHardMiner, ArcFaceLoss) under
the same network, batches, steps and seeds, in the same run. Batch-hard runs as its paper does
(plain distances, P x K batches with K = 4, hinge and soft margin) and, for comparison, on squared
distances with K = 20; semi-hard mining is included because batch-hard collapses on this data.

Usage: python bench/metric_learning.py
"""
import math
import time

from pytorch_metric_learning import losses as pml_losses
from pytorch_metric_learning.distances import LpDistance
from pytorch_metric_learning.miners import BatchHardMiner
from pytorch_metric_learning.reducers import MeanReducer
from report import solution_namespace, write_report
from torch import nn

from course_utils.metrics import mean_and_spread

SEEDS = (0, 1, 2)


def pml_batch_hard(model):
    distance = LpDistance(normalize_embeddings=False, power=1)  # plain distances, as the lesson (and the paper)
    loss, miner = pml_losses.TripletMarginLoss(margin=0.2, distance=distance, reducer=MeanReducer()), BatchHardMiner(distance=distance)

    def loss_fn(model, batch):
        embeddings = model["net"](batch[0])
        return loss(embeddings, batch[1], miner(embeddings, batch[1]))
    return loss_fn


def pml_arcface(ns):
    def make(model):
        model["pml_arcface"] = pml_losses.ArcFaceLoss(num_classes=len(ns["SEEN"]), embedding_size=64,
                                                      margin=math.degrees(ns["ARCFACE_MARGIN"]), scale=ns["ARCFACE_SCALE"])
        return lambda model, batch: model["pml_arcface"](model["net"](batch[0]), batch[1])
    return make


def main():
    ns = solution_namespace("04_metric_learning", ("reference-trainer",))
    ns["LOSSES"]["pytorch-metric-learning: triplet, batch-hard"] = (pml_batch_hard, ns["LOSSES"]["triplet, batch-hard"][1])
    ns["LOSSES"]["pytorch-metric-learning: ArcFace"] = (pml_arcface(ns), ns["random_batches"])
    methods = ["softmax (classifier features)", "triplet, batch-hard, squared distances, K = 20", "triplet, batch-hard",
               "pytorch-metric-learning: triplet, batch-hard", "triplet, batch-hard, soft margin", "triplet, semi-hard",
               "ArcFace (s 16, m 0.3)", "pytorch-metric-learning: ArcFace"]
    rows = []
    for method in methods:
        held, seen, spreads, seconds = [], [], [], []
        for seed in SEEDS:
            started = time.perf_counter()
            net, _ = ns["train_embedding"](method, seed=seed)
            seconds.append(time.perf_counter() - started)
            held_vectors = ns["embed"](net, ns["held_x"])
            held.append(ns["recall_at_k"](held_vectors, ns["held_y"])[1])
            spreads.append(ns["spread"](held_vectors))
            seen.append(ns["recall_at_k"](ns["embed"](net, ns["seen_x"]), ns["seen_y"])[1])
        (h_mean, h_sd), (s_mean, s_sd) = mean_and_spread(held), mean_and_spread(seen)
        rows.append((method, f"{h_mean:.3f} ± {h_sd:.3f}", f"{s_mean:.3f} ± {s_sd:.3f}",
                     f"{sum(spreads) / len(spreads):.3f}", f"{sum(seconds) / len(seconds):.0f} s"))
        print(rows[-1], flush=True)
    pixels = ns["recall_at_k"](nn.functional.normalize(ns["held_x"].flatten(1).float(), dim=1), ns["held_y"])[1]
    write_report("metric_learning", "Lesson 04: held-out Recall@1 over three seeds (full mode)",
                 ("method", "held-out R@1 (mean ± sd)", "seen-classes R@1", "spread", "training time"), rows,
                 f"Trained on Fashion-MNIST classes 0-4 ({ns['STEPS']} steps of {ns['BATCH']} images, 20 for the K = 4 batch-hard rows, Adam 1e-3, "
                 f"seeds {SEEDS}); evaluated on the {len(ns['held_x']):,} test images of classes 5-9 and the "
                 f"{len(ns['seen_x']):,} of classes 0-4. Raw pixels reach held-out R@1 {pixels:.3f}. Spread is the mean "
                 "distance between two held-out embeddings (about 1.4 for random unit vectors): near 0 means the "
                 "training collapsed, and its recall then describes an almost constant function.")


if __name__ == "__main__":
    main()
