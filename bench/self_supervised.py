"""Lesson 06: the lesson's SimCLR pipeline over three seeds, and its NT-Xent against
pytorch-metric-learning's NTXentLoss.

1. NT-Xent: the solution's `nt_xent_loss` and pytorch-metric-learning's `NTXentLoss` (pairs given
   as labels: the two views of image k share label k) on the same projected views: the largest
   difference in value and in gradient, and forward + backward passes per second, same run.
2. Results: the solution notebook's own code (data, networks, training functions, run from the
   notebook) in full mode with seeds 0, 1 and 2: k-NN and linear-probe accuracy of raw pixels, a
   random network, the SimCLR encoder and head and the supervised encoder; the ablations of
   section 7 against the main run at the same step; and the label-efficiency comparison of
   section 8. Each cell is mean ± sd over the seeds.

Usage: python bench/self_supervised.py [--seeds 0 1 2] [--part all|loss|results]
"""
import argparse
import time

import numpy as np
import torch
from pytorch_metric_learning.losses import NTXentLoss
from report import solution_namespace, write_report

from course_utils.metrics import mean_and_spread


def cell(values):
    mean, sd = mean_and_spread(values)
    return f"{mean:.3f} ± {sd:.3f}"


def passes_per_second(loss, views, seconds=3.0):
    """Forward + backward passes of `loss` per second, timed for about `seconds` (at least 3 passes)."""
    z = views.clone().requires_grad_(True)
    loss(z).backward()  # warm-up
    count, started = 0, time.perf_counter()
    while count < 3 or time.perf_counter() - started < seconds:
        z.grad = None
        loss(z).backward()
        count += 1
    return count / (time.perf_counter() - started)


def compare_losses(ns):
    rows = []
    # pytorch-metric-learning pairs every positive pair with every negative pair of the batch (memory
    # grows with the cube of the batch), so the batches stay at the lesson's size and below
    for pairs, dim, temperature in ((64, 64, 0.2), (256, 64, 0.2), (256, 128, 0.5)):
        generator = torch.Generator().manual_seed(pairs + dim)
        base = torch.randn(pairs, dim, generator=generator)
        views = torch.cat([base, base + 0.5 * torch.randn(pairs, dim, generator=generator)])
        labels = torch.arange(pairs).repeat(2)
        reference = NTXentLoss(temperature=temperature)
        ours_z, theirs_z = views.clone().requires_grad_(True), views.clone().requires_grad_(True)
        ours, theirs = ns["nt_xent_loss"](ours_z, temperature), reference(theirs_z, labels)
        ours.backward()
        theirs.backward()
        value_gap = abs(float(ours.detach()) - float(theirs.detach()))
        gradient_gap = float((ours_z.grad - theirs_z.grad).abs().max())
        speeds = {"ours": passes_per_second(lambda z: ns["nt_xent_loss"](z, temperature), views),
                  "pml": passes_per_second(lambda z: reference(z, labels), views)}
        rows.append((f"{2 * pairs} views x {dim}, temperature {temperature}", f"{float(ours.detach()):.6f}", f"{float(theirs.detach()):.6f}",
                     f"{value_gap:.1e}", f"{gradient_gap:.1e}", f"{speeds['ours']:,.1f}", f"{speeds['pml']:,.1f}",
                     f"{speeds['ours'] / speeds['pml']:.1f}x"))
        print(rows[-1], flush=True)
    write_report("nt_xent", "Lesson 06: NT-Xent against pytorch-metric-learning's NTXentLoss",
                 ("batch", "ours", "pytorch-metric-learning", "value gap", "largest gradient gap",
                  "ours: passes/s", "pml: passes/s", "speed ratio"), rows,
                 "One pass is a forward and a backward computation of the loss from the same views (CPU, float32). "
                 "pytorch-metric-learning receives the pairs as labels (the two views of image k share label k), so "
                 "its positives and negatives are exactly the lesson's. The values agree to float32 rounding and the gradients to "
                 "1e-9. The speed gap is structural: pytorch-metric-learning's NTXentLoss lists every (positive pair, negative "
                 "pair) combination, a 2N x 2N(2N - 2) matrix, so its time and memory grow with the cube of N; the lesson's loss "
                 "is one 2N x 2N similarity matrix and a cross-entropy.")


def run_seed(ns, seed):
    """The notebook's section 6 table, section 7 variants and section 8 label budgets for one seed, and
    a fingerprint of the seeded trainings (see check_seeds_take_effect)."""
    torch.manual_seed(seed)
    simclr, log, history = ns["train_simclr"](ns["STEPS"], seed=seed)
    torch.manual_seed(seed)
    random_net = ns["SimCLRNet"]()
    supervised = ns["train_supervised"](np.arange(len(ns["train_images"])), steps=ns["SUPERVISED_STEPS"]["100%"], seed=seed)
    table = ns["feature_table"](simclr, random_net, supervised)
    ablation = ns["one_change_at_a_time"](log, seed=seed)["k-NN accuracy"].to_dict()
    efficiency = ns["accuracy_against_labels"](simclr.encoder, supervised, seed=seed).T.to_dict()
    fingerprint = {"SimCLR: first losses": tuple(round(v, 6) for v in history.step_losses[:3]),
                   "random network: first weights": tuple(random_net.encoder.body[0].weight.flatten()[:3].tolist()),
                   "supervised: first weights": tuple(supervised[0].body[0].weight.flatten()[:3].tolist())}
    return table, ablation, efficiency, fingerprint


def check_seeds_take_effect(seeds, fingerprints):
    """Raise if two different seeds gave the same SimCLR losses (one initialisation, augmentation and
    batch order), random network or supervised network: a seed overridden somewhere would otherwise
    show up only as an implausibly small spread. (Raw pixels and the pixel probes are deterministic:
    they have no parameters, and the probe, test and labelled sets do not depend on the seed.)"""
    for what in fingerprints[0]:
        values = [f[what] for f in fingerprints]
        if len(set(values)) < len(set(seeds)):
            raise RuntimeError(f"{what} repeat across seeds {seeds}: {values}; a seed does not take effect")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--part", choices=("all", "loss", "results"), default="all",
                        help="loss: only the NT-Xent comparison; results: only the seeded trainings")
    args = parser.parse_args()
    ns = solution_namespace("06_self_supervised", ("reference-trainer",))
    if args.part in ("all", "loss"):
        compare_losses(ns)
    if args.part == "loss":
        return
    ns["STEPS"] = 320  # the notebook's full-mode main run (set in a cell the benchmark does not run)
    runs = []
    for seed in args.seeds:
        started = time.perf_counter()
        runs.append(run_seed(ns, seed))
        print(f"seed {seed}: {time.perf_counter() - started:.0f} s", runs[-1], flush=True)
    seeds = ", ".join(map(str, args.seeds))
    tables, ablations, efficiencies, fingerprints = zip(*runs)
    check_seeds_take_effect(args.seeds, fingerprints)
    write_report("self_supervised", f"Lesson 06: k-NN and linear-probe accuracy over seeds {seeds} (full mode)",
                 ("features", "k-NN accuracy", "linear probe"),
                 [(name, cell([t[name]["k-NN"] for t in tables]), cell([t[name]["linear probe"] for t in tables]))
                  for name in tables[0]],
                 f"SimCLR: {ns['STEPS']} steps of {ns['BATCH']} images (two views each), temperature 0.2, Adam 2e-3; "
                 f"the supervised encoder: 300 steps of cross-entropy on all labels with light augmentations (flips, crops of 80-100% of the area). "
                 f"Probes fitted on {len(ns['probe_x']):,} labelled training images, scored on {len(ns['test_x']):,} "
                 "test images. A seed sets the initialisation, the augmentations and the batch order of every training "
                 "(SimCLR, the variants below, the supervised networks) and the random network's weights; the probe, test "
                 "and monitor images and section 8's labelled subsets are the same for every seed, and the k-NN classifier "
                 "and the ridge probe are deterministic, so the rows without a network (raw pixels) have no spread.")
    write_report("self_supervised_ablation", f"Lesson 06: one change at a time, k-NN accuracy after {ns['ABLATION_STEPS']} steps",
                 ("variant", "k-NN accuracy (mean ± sd)"),
                 [(name, cell([a[name] for a in ablations])) for name in ablations[0]],
                 "Each variant trains from the same seed on the same batches as the main run; the main run's row is "
                 "its own monitor at the same step (per seed: " + ", ".join(f"{a[next(iter(a))]:.4f}" for a in ablations) + ").")
    write_report("self_supervised_labels", "Lesson 06: test accuracy against the number of labels",
                 ("labels", *next(iter(efficiencies[0].values())).keys()),
                 [(name, *(cell([e[name][method] for e in efficiencies]) for method in efficiencies[0][name]))
                  for name in efficiencies[0]],
                 "1%, 10% and 100% of the 60,000 training images (nested subsets); the SimCLR encoder saw all of them "
                 "without labels. Supervised from scratch: the same encoder and a linear classifier trained end to end "
                 "on the labelled images only (light augmentations), 80, 150 and 300 steps; the 100% network is the supervised encoder above. "
                 "The labelled subsets are the same for every seed, so the pixel probe's column has no spread.")


if __name__ == "__main__":
    main()
