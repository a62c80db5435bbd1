"""Lesson 01's reference trainer (run from the solution notebook) against gensim's Word2Vec, in one run.

Same corpus (the offline BBC + Wikipedia sample + Lee corpus), same hyperparameters (skip-gram,
dim 100, window 5, 5 negatives, min_count 5, sample 1e-3, 5 epochs, lr 0.025); gensim with 2 worker
threads, ours with 2 lock-free workers of one thread each (the notebook explains why).
Our trainer is the notebook's full-mode run (same settings as its `settings` cell): batches of 2,048
pairs that share 16 negatives, each weighted 5/16.
Targets from the lesson's issue: throughput at least 0.5x gensim's; WordSim353 Spearman no more
than 0.02 below gensim's. Usage: python bench/word2vec.py
"""
import os
import time

import numpy as np
import torch
from gensim.models import KeyedVectors, Word2Vec
from report import solution_namespace, write_report

import course_utils
from course_utils import corpora

ASSIGNMENT = "01_word2vec"
SETTINGS = dict(dim=100, window=5, negatives=5, shared_negatives=16, epochs=5, batch_size=2048, lr=0.025, sample=1e-3,
                workers=2)


def scores(vectors, names):
    kv = KeyedVectors(vector_size=vectors.shape[1])
    kv.add_vectors(list(names), np.asarray(vectors, dtype=np.float32))
    result = {}
    for benchmark in ("wordsim353", "simlex999"):
        result[benchmark] = kv.evaluate_word_pairs(str(course_utils.fetch(benchmark)))[1].statistic
    result["analogies"] = kv.evaluate_word_analogies(str(course_utils.fetch("google-analogies")), restrict_vocab=30_000)[0]
    return result


def main():
    torch.set_num_threads(2)
    lesson = solution_namespace(ASSIGNMENT, tags=("reference-trainer",))
    corpus = corpora.load_word2vec_corpus()
    words, counts = lesson["build_vocabulary"](corpus, 5)
    index = {w: i for i, w in enumerate(words)}
    stream = np.array([index[t] for s in corpus for t in s if t in index], dtype=np.int64)
    tokens = sum(map(len, corpus))

    started = time.perf_counter()
    centre_table, _, _, pairs, split = lesson["train_word2vec"](stream, counts, seed=0, progress=False, **SETTINGS)
    ours_seconds = time.perf_counter() - started
    ours = scores(centre_table.numpy(), words)

    started = time.perf_counter()
    reference = Word2Vec(corpus, vector_size=SETTINGS["dim"], window=SETTINGS["window"], negative=SETTINGS["negatives"],
                         min_count=5, sg=1, epochs=SETTINGS["epochs"], sample=SETTINGS["sample"], alpha=SETTINGS["lr"],
                         workers=2, seed=0)
    gensim_seconds = time.perf_counter() - started
    theirs = scores(reference.wv.vectors, reference.wv.index_to_key)

    ours_speed, gensim_speed = tokens * SETTINGS["epochs"] / ours_seconds, tokens * SETTINGS["epochs"] / gensim_seconds
    ratio = ours_speed / gensim_speed
    gap = ours["wordsim353"] - theirs["wordsim353"]
    rows = [
        ("training time", f"{ours_seconds:.1f} s", f"{gensim_seconds:.1f} s", "", ""),
        ("words per second (corpus words x epochs / time)", f"{ours_speed:,.0f}", f"{gensim_speed:,.0f}",
         "ratio >= 0.5", f"{'yes' if ratio >= 0.5 else 'no'}: {ratio:.2f}x"),
        ("pairs per second", f"{pairs / ours_seconds:,.0f}", "", "", ""),
        ("of our time: making pairs (subsample, skip-gram pairs, shuffle)", f"{split['making pairs']:.1f} s", "", "", ""),
        ("of our time: SGD steps (your train_pairs)", f"{split['SGD']:.1f} s", "", "", ""),
        ("WordSim353 Spearman", f"{ours['wordsim353']:.3f}", f"{theirs['wordsim353']:.3f}",
         "no more than 0.02 below", f"{'yes' if gap >= -0.02 else 'no'}: {gap:+.3f}"),
        ("SimLex-999 Spearman", f"{ours['simlex999']:.3f}", f"{theirs['simlex999']:.3f}", "", ""),
        ("Google analogies (top 30k words)", f"{ours['analogies']:.1%}", f"{theirs['analogies']:.1%}", "", ""),
    ]
    load = os.getloadavg()[0]
    note = ("Our trainer is the notebook's: batches of 2,048 pairs that share 16 negatives (each weighted 5/16, "
            "so each pair still gets the expected push of 5), word2vec's per-pair step 0.025 decaying linearly, "
            "every step made of the learner's functions (`sgns_loss_and_grads`, `sgd_step`, `train_pairs`). Like "
            "gensim, it runs two workers (threads) that update the shared tables without locks (Hogwild), each "
            "worker's operations on one core, so runs with the same seed differ slightly. Where the rest of the gap "
            "is (the notebook times one step by kind of operation): making pairs is the smaller part (NumPy "
            "materialises, shuffles and copies each epoch's pairs on one core; gensim makes each pair inside its C "
            "loop); in an SGD step the gathers, scatters and matrix products together take about half of the "
            "time, the rest is elementwise passes over (2048 x 100) tensors and the dispatch of about 25 operations "
            "from Python; and sharing 16 negatives costs about 10,500 flops per pair against gensim's 3,800 (a dot "
            "product and two axpys of length 100 for each of its 6 targets, plus one axpy into the centre's row, "
            "as read in gensim's word2vec_inner.pyx). "
            "Bigger batches are unstable: the summed updates of the shared negatives feed back through the "
            "direction the centre vectors share; in our trials 4,096 pairs with 16 shared negatives, and 8,192 "
            "with 32, diverged within the first epoch on one worker, while 2,048 stayed stable over three seeds. "
            f"Load average when this run finished: {load:.1f} on 2 cores"
            + (" (other jobs were running; both trainers slow down under load, by different amounts, so treat the "
               "ratio as approximate)." if load > 2.5 else " (nothing else was running)."))
    write_report("word2vec", f"Lesson 01: word2vec trainer vs gensim ({tokens:,} tokens, 5 epochs)",
                 ("", "lesson 01 trainer", "gensim Word2Vec", "target", "met?"), rows, note)


if __name__ == "__main__":
    main()
