"""Lesson 10's embedding bag against torch.nn.EmbeddingBag, and the click model's quality against memory.

--part bag: the solution notebook's embedding_bag (run from the notebook, never a copy) against
torch.nn.EmbeddingBag's functional form on the same inputs: lookups per second, forward only and
forward plus backward, mean pooling, at two shapes (short bags like headlines, long bags like
articles), the fastest of five runs each; and the largest difference in values and in gradients.

--part quality: the notebook's section-7 experiment in full mode (the same click log, 5,000 users x
5,000 items, 1M events split by time, the notebook's Table, ClickNet and train_clicks), every table
kind at the notebook's three sizes, over three seeds: test AUC and log loss, mean and standard
deviation, against the megabytes of the user and item tables, with the true model (Bayes) and the
full tables as references.

Usage: python bench/embedding_tables.py [--part bag|quality|all]   (default all)
"""
import argparse
import time

import numpy as np
import torch
from report import solution_namespace, write_report
from sklearn.metrics import log_loss, roc_auc_score

from course_utils import clicklog

ASSIGNMENT = "10_embedding_tables"


def fastest(function, repeats=5):
    best = None
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        seconds = time.perf_counter() - started
        best = seconds if best is None else min(best, seconds)
    return best


def bag_part():
    lesson = solution_namespace(ASSIGNMENT)
    embedding_bag = lesson["embedding_bag"]
    torch.set_num_threads(1)
    rows = []
    for label, n_rows, n_bags, max_length in (("headline-like: 512 bags of 0-24 ids, 10,000 x 32 table", 10_000, 512, 25),
                                              ("article-like: 64 bags of 200-600 ids, 300,000 x 32 table", 300_000, 64, 600)):
        g = torch.Generator().manual_seed(0)
        weight = torch.randn(n_rows, 32, generator=g)
        low = 0 if max_length == 25 else 200
        lengths = torch.randint(low, max_length, (n_bags,), generator=g)
        ids = torch.randint(0, n_rows, (int(lengths.sum()),), generator=g)
        offsets = torch.cumsum(lengths, 0) - lengths
        ours_w, theirs_w = weight.clone().requires_grad_(True), weight.clone().requires_grad_(True)
        ours = embedding_bag(ours_w, ids, offsets, mode="mean")
        theirs = torch.nn.functional.embedding_bag(ids, theirs_w, offsets, mode="mean")
        upstream = torch.randn(ours.shape, generator=g)
        (ours * upstream).sum().backward()
        (theirs * upstream).sum().backward()
        value_gap = float((ours - theirs).detach().abs().max())
        grad_gap = float((ours_w.grad - theirs_w.grad).abs().max())
        speeds = {}
        for name, pool in (("ours", lambda w: embedding_bag(w, ids, offsets, mode="mean")),
                           ("torch", lambda w: torch.nn.functional.embedding_bag(ids, w, offsets, mode="mean"))):
            with torch.no_grad():
                forward = fastest(lambda: pool(weight))
            w = weight.clone().requires_grad_(True)
            both = fastest(lambda: pool(w).sum().backward())
            speeds[name] = (len(ids) / forward, len(ids) / both)
        rows.append((label, f"{speeds['ours'][0] / 1e6:.1f} M/s", f"{speeds['torch'][0] / 1e6:.1f} M/s",
                     f"{speeds['ours'][0] / speeds['torch'][0]:.2f}x", f"{speeds['ours'][1] / 1e6:.1f} M/s",
                     f"{speeds['torch'][1] / 1e6:.1f} M/s", f"{speeds['ours'][1] / speeds['torch'][1]:.2f}x",
                     f"{value_gap:.1e} / {grad_gap:.1e}"))
    write_report("embedding_bag", "Lesson 10: the learner's embedding bag vs torch.nn.EmbeddingBag (mean pooling, one thread)",
                 ("inputs", "ours, forward", "torch, forward", "ratio", "ours, forward + backward", "torch, forward + backward",
                  "ratio", "largest gap: values / gradients"), rows,
                 "Lookups per second (ids pooled per second), the fastest of five runs on the same inputs; torch's is "
                 "`torch.nn.functional.embedding_bag`, the function behind `torch.nn.EmbeddingBag`, which never builds the "
                 "(ids, d) matrix of looked-up rows that ours gathers before `index_add`. In the forward-and-backward columns "
                 "both fill a dense gradient for the whole table, which dominates for the large one. The gaps are the largest absolute "
                 "differences between the two results and between the two gradients with respect to the table.")


def quality_part():
    lesson = solution_namespace(ASSIGNMENT, tags=("reference-code",))
    torch.set_num_threads(1)
    n = 5_000
    log = clicklog.generate_click_log(n, n, 1_000_000, dim=8, seed=0)
    train_idx, test_idx = clicklog.split_events(len(log))
    lesson.update(log=log, train_idx=train_idx, test_idx=test_idx, n_users=n, n_items=n)
    user_counts = np.bincount(log.user_ids[train_idx], minlength=n)
    item_counts = np.bincount(log.item_ids[train_idx], minlength=n)
    configs = ([("full", None)] + [("hash", r) for r in (250, 600, 1500)] + [("hashemb", r) for r in (250, 600, 1500)]
               + [("qr", m) for m in (70, 500, 1500)] + [("mixed", a) for a in (0.25, 0.5, 1.0)])
    names = {"full": "full tables", "hash": "hashing (rows)", "hashemb": "hash embeddings, k = 2 (rows)",
             "qr": "quotient-remainder (m)", "mixed": "mixed dimensions, 16 blocks (alpha)"}
    rows, started = [], time.perf_counter()
    bayes_auc = roc_auc_score(log.clicks[test_idx], log.prob[test_idx])
    bayes_loss = log_loss(log.clicks[test_idx], log.prob[test_idx])
    rows.append(("true model (Bayes line)", "", "", f"{bayes_auc:.4f}", f"{bayes_loss:.4f}"))
    for kind, size in configs:
        results = []
        for seed in (0, 1, 2):
            model = lesson["ClickNet"](lesson["click_table"](kind, size, seed, user_counts),
                                       lesson["click_table"](kind, size, seed + 100, item_counts), seed=seed)
            results.append((*lesson["train_clicks"](model, seed), model.megabytes()))
        auc, loss, mb = np.array(results).T
        rows.append((names[kind], "" if size is None else size, f"{mb[0]:.3f}", f"{auc.mean():.4f} ± {auc.std(ddof=1):.4f}",
                     f"{loss.mean():.4f} ± {loss.std(ddof=1):.4f}"))
        print(rows[-1], flush=True)
    minutes = (time.perf_counter() - started) / 60
    write_report("embedding_tables_quality", "Lesson 10: click model quality against table memory (5,000 x 5,000 ids, 1M events, 3 seeds)",
                 ("tables", "setting", "MB (user + item)", "test AUC, mean ± sd", "test log loss, mean ± sd"), rows,
                 f"The notebook's section-7 experiment in full mode: both tables of the given kind (16 values per row), a "
                 f"DLRM-style model trained for 2 epochs on the first 80% of the events, scored on the last 20%; seeds 0, 1, 2 "
                 f"(initialisation, batch order and hash functions). {len(configs) * 3} models in {minutes:.1f} minutes.")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--part", choices=("bag", "quality", "all"), default="all")
    args = parser.parse_args()
    if args.part in ("bag", "all"):
        bag_part()
    if args.part in ("quality", "all"):
        quality_part()


if __name__ == "__main__":
    main()
