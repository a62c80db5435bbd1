"""Lesson 11's reimplementations against references, run from the solution notebook (never a copy).

- procrustes against scipy.linalg.orthogonal_procrustes: the largest difference between the two
  maps and the time of each, on anchors shaped like the lesson's (5,000 and 16,000 pairs of
  50-dimensional unit vectors) and on 384-dimensional ones;
- linear_cka (the feature form, O(n d^2)) against the Gram-matrix (HSIC) form of Kornblith et al.
  (O(n^2 d)): agreement and time, on representations shaped like MiniLM's layers;
- the sparse autoencoder of section 6 (the notebook's TopKSAE and train_sae around the learner's
  topk_relu): training throughput in sentence vectors per second, and FVU, at the lesson's sizes.

Usage: python bench/inside_spaces.py
"""
import time

import numpy as np
import torch
from report import solution_namespace, write_report
from scipy.linalg import orthogonal_procrustes

ASSIGNMENT = "11_inside_embedding_spaces"


def fastest(function, repeats=5):
    best, result = None, None
    for _ in range(repeats):
        started = time.perf_counter()
        result = function()
        seconds = time.perf_counter() - started
        best = seconds if best is None else min(best, seconds)
    return best, result


def unit_rows(rng, n, d):
    x = rng.normal(size=(n, d))
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def gram_cka(X, Y):
    """Linear CKA from the centred Gram matrices: <HKH, HLH> / (||HKH|| ||HLH||)."""
    X = np.asarray(X, np.float64); Y = np.asarray(Y, np.float64)
    K, L = X @ X.T, Y @ Y.T
    centre = lambda G: G - G.mean(0) - G.mean(1)[:, None] + G.mean()
    K, L = centre(K), centre(L)
    return float((K * L).sum() / np.sqrt((K * K).sum() * (L * L).sum()))


def main():
    lesson = solution_namespace(ASSIGNMENT, tags=("sae",))
    rng = np.random.default_rng(0)
    rows = []
    for n, d in ((5_000, 50), (16_000, 50), (5_000, 384)):
        X = unit_rows(rng, n, d)
        Q = np.linalg.qr(rng.normal(size=(d, d)))[0]
        Y = X @ Q + 0.1 * unit_rows(rng, n, d)
        ours_s, ours = fastest(lambda: lesson["procrustes"](X, Y))
        scipy_s, (theirs, _) = fastest(lambda: orthogonal_procrustes(X, Y))
        rows.append((f"procrustes, {n:,} pairs x {d}", f"{ours_s * 1e3:.2f} ms", f"{scipy_s * 1e3:.2f} ms",
                     "scipy.linalg.orthogonal_procrustes", f"{np.abs(ours - theirs).max():.1e}"))
    for n, d1, d2 in ((1_000, 384, 384), (3_000, 384, 384), (3_000, 384, 50)):
        X = rng.normal(size=(n, d1))
        Y = X[:, :d2] @ rng.normal(size=(d2, d2)) + rng.normal(size=(n, d2))
        ours_s, ours = fastest(lambda: lesson["linear_cka"](X, Y), repeats=3)
        gram_s, theirs = fastest(lambda: gram_cka(X, Y), repeats=3)
        rows.append((f"linear_cka, {n:,} items, widths {d1} and {d2}", f"{ours_s * 1e3:.1f} ms", f"{gram_s * 1e3:.1f} ms",
                     "Gram-matrix (HSIC) form", f"{abs(ours - theirs):.1e}"))
    write_report("inside_spaces_reference", "Lesson 11: Procrustes and CKA against references",
                 ("function", "ours (fastest of 5, or 3 for CKA)", "reference", "reference is", "largest difference"), rows,
                 "Inputs in float64. The Gram form of CKA needs two n x n matrices; the feature form only d x d ones.")

    torch.set_num_threads(2)
    data = torch.tensor(unit_rows(rng, 5_000, 384), dtype=torch.float32)
    sae_rows = []
    lesson["train_sae"](data[:512], 64, 4, epochs=1)      # warm up torch's kernels before timing
    for n_latents, k in ((512, 16), (2_048, 16), (2_048, 32)):
        started = time.perf_counter()
        sae = lesson["train_sae"](data, n_latents, k, tied=False, epochs=3)
        seconds = time.perf_counter() - started
        with torch.no_grad():
            x_hat, z = sae(data)
        sae_rows.append((n_latents, k, f"{3 * len(data) / seconds:,.0f}", f"{lesson['fraction_of_variance_unexplained'](data, x_hat):.3f}",
                         int((z.sum(0) == 0).sum())))
    write_report("inside_spaces_sae", "Lesson 11: sparse autoencoder training throughput",
                 ("latents", "k", "vectors per second (Adam, batch 256, 2 threads)", "FVU after 3 epochs", "dead latents"), sae_rows,
                 "The notebook's TopKSAE and train_sae with the solution's topk_relu, on 5,000 random unit vectors of width 384 "
                 "(random data has no sparse structure: FVU here measures nothing about language, only that training runs).")


if __name__ == "__main__":
    main()
