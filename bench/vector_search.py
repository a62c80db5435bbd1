"""Lesson 08's exact search, IVF and PQ (run from the solution notebook) against faiss, in one run.

GloVe 6B 50d, all 400,000 words normalised, 1,000 held-out queries, 2 threads for both; every
search is timed as the fastest of three runs (the ADC search, which takes seconds, once).
Targets from the lesson's issue: exact search at least 1.0x faiss IndexFlatIP's QPS with the same
results; IVF recall@10 within 0.02 of faiss IVF-Flat at equal nlist/nprobe; PQ recall@10 within
0.03 of faiss PQ at equal m/nbits. The lesson's conclusions also rest on indexes only faiss builds
there (IVF-PQ, IVF-PQ with exact re-ranking, HNSW), so they are recorded too, with the lesson's
settings: recall@10, QPS, and for HNSW the distance computations per query (faiss's hnsw_stats).
Usage: python bench/vector_search.py
"""
import time

import faiss
import numpy as np
import torch
from report import solution_namespace, write_report

import course_utils

ASSIGNMENT = "08_vector_search"
NLIST, NPROBE, M = 1024, 16, 10


def timed(function, repeats=1):
    """(result, seconds) of the fastest of `repeats` runs."""
    best = None
    for _ in range(repeats):
        started = time.perf_counter()
        result = function()
        seconds = time.perf_counter() - started
        best = seconds if best is None else min(best, seconds)
    return result, best


def main():
    faiss.omp_set_num_threads(2)
    torch.set_num_threads(2)
    lesson = solution_namespace(ASSIGNMENT, tags=("reference-code",))
    vectors = course_utils.load_glove().vectors
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    order = np.random.default_rng(0).permutation(len(vectors))
    base, queries = np.ascontiguousarray(vectors[order[1000:]]), np.ascontiguousarray(vectors[order[:1000]])
    recall, rows = lesson["recall_at_k"], []

    flat = faiss.IndexFlatIP(base.shape[1])
    flat.add(base)
    (ours, _), our_seconds = timed(lambda: lesson["exact_knn"](base, queries, 10), repeats=3)
    (_, truth), faiss_seconds = timed(lambda: flat.search(queries, 10), repeats=3)
    ratio = faiss_seconds / our_seconds
    rows.append(("exact search, k=10", f"{1000 / our_seconds:,.0f} QPS", f"{1000 / faiss_seconds:,.0f} QPS",
                 ">= 1.0x QPS, same results",
                 f"{'yes' if ratio >= 1 and np.array_equal(ours, truth) else 'no'}: {ratio:.2f}x, "
                 f"identical {np.mean(ours == truth):.2%}"))

    def our_ivf():
        centroids = lesson["train_kmeans"](base, NLIST)
        return centroids, lesson["ivf_build"](base, centroids)

    (centroids, lists), our_build = timed(our_ivf)
    (found, _), our_search = timed(lambda: lesson["ivf_search"](base, centroids, lists, queries, 10, NPROBE), repeats=3)
    ivf = faiss.IndexIVFFlat(faiss.IndexFlatL2(base.shape[1]), base.shape[1], NLIST)
    _, faiss_build = timed(lambda: (ivf.train(base), ivf.add(base)))
    ivf.nprobe = NPROBE
    (_, faiss_found), faiss_search = timed(lambda: ivf.search(queries, 10), repeats=3)
    ours_r, faiss_r = recall(found, truth, 10), recall(faiss_found, truth, 10)
    rows.append((f"IVF nlist={NLIST} nprobe={NPROBE}: recall@10", f"{ours_r:.3f} at {1000 / our_search:,.0f} QPS "
                 f"(build {our_build:.1f} s)", f"{faiss_r:.3f} at {1000 / faiss_search:,.0f} QPS (build {faiss_build:.1f} s)",
                 "recall within 0.02", f"{'yes' if abs(ours_r - faiss_r) <= 0.02 else 'no'}: {ours_r - faiss_r:+.3f}; "
                 f"QPS ratio {faiss_search / our_search:.2f}x"))

    def our_pq():
        codebooks = lesson["train_pq"](base, M)
        return codebooks, lesson["pq_encode"](base, codebooks)

    (codebooks, codes), our_pq_build = timed(our_pq)
    (pq_found, _), our_pq_search = timed(lambda: lesson["adc_search"](codes, codebooks, queries, 10))
    pq = faiss.IndexPQ(base.shape[1], M, 8, faiss.METRIC_INNER_PRODUCT)
    _, faiss_pq_build = timed(lambda: (pq.train(base), pq.add(base)))
    (_, faiss_pq_found), faiss_pq_search = timed(lambda: pq.search(queries, 10), repeats=3)
    ours_r, faiss_r = recall(pq_found, truth, 10), recall(faiss_pq_found, truth, 10)
    rows.append((f"PQ m={M} nbits=8 (ADC): recall@10", f"{ours_r:.3f} at {1000 / our_pq_search:,.0f} QPS "
                 f"(train+encode {our_pq_build:.1f} s)", f"{faiss_r:.3f} at {1000 / faiss_pq_search:,.0f} QPS "
                 f"(train+encode {faiss_pq_build:.1f} s)", "recall within 0.03",
                 f"{'yes' if abs(ours_r - faiss_r) <= 0.03 else 'no'}: {ours_r - faiss_r:+.3f}; "
                 f"QPS ratio {faiss_pq_search / our_pq_search:.2f}x"))

    ivfpq = faiss.IndexIVFPQ(faiss.IndexFlatL2(base.shape[1]), base.shape[1], NLIST, M, 8)
    _, ivfpq_build = timed(lambda: ivfpq.train(base))
    reranked = faiss.IndexRefineFlat(ivfpq)     # the lesson's re-ranking: exact vectors beside the codes
    reranked.add(base)
    reranked.k_factor = 10
    for name, index in (("IVF-PQ", ivfpq), ("IVF-PQ + re-rank (k_factor 10)", reranked)):
        for nprobe in (4, 16, 64):
            faiss.ParameterSpace().set_index_parameter(index, "nprobe", nprobe)
            (_, found), seconds = timed(lambda: index.search(queries, 10), repeats=3)
            rows.append((f"{name} nlist={NLIST} m={M} nprobe={nprobe}: recall@10", "",
                         f"{recall(found, truth, 10):.3f} at {1000 / seconds:,.0f} QPS", "", ""))
    del ivfpq, reranked

    hnsw = faiss.IndexHNSWFlat(base.shape[1], 32)
    hnsw.hnsw.efConstruction = 40
    _, hnsw_build = timed(lambda: hnsw.add(base))
    for ef in (16, 64, 256):
        hnsw.hnsw.efSearch = ef
        faiss.cvar.hnsw_stats.reset()
        (_, found), seconds = timed(lambda: hnsw.search(queries, 10), repeats=3)
        per_query = faiss.cvar.hnsw_stats.ndis / 3 / len(queries)
        rows.append((f"HNSW M=32 efSearch={ef}: recall@10", "",
                     f"{recall(found, truth, 10):.3f} at {1000 / seconds:,.0f} QPS (build {hnsw_build:.0f} s); "
                     f"{per_query:,.0f} distance computations per query", "", ""))

    note = ("Exact search is one matrix product and a top-k per chunk of 128 queries in PyTorch, which is "
            "what faiss's flat index does too. Our IVF and ADC searches are written for clarity: IVF loops "
            "over queries in Python and ADC gathers from the lookup tables with generic tensor indexing, "
            "so faiss's compiled, batched scans are many times faster at the same recall. The IVF-PQ, re-ranking and "
            "HNSW rows are faiss alone, at the lesson's settings (IVF-PQ trained in "
            f"{ivfpq_build:.1f} s); HNSW's distance computations are counted by faiss.cvar.hnsw_stats.")
    write_report("vector_search", f"Lesson 08: vector search vs faiss (GloVe, {len(base):,} vectors, 1,000 held-out queries)",
                 ("", "lesson 08 solution", "faiss", "target", "met?"), rows, note)


if __name__ == "__main__":
    main()
