"""Lesson 00's reference code against gensim's KeyedVectors on the same GloVe vectors, in one run.

Measures neighbour search (queries per second and agreement of the top-10 lists), 3CosAdd on the
Google analogy questions (accuracy and questions per second) and Spearman rho on WordSim353 and
SimLex-999. Usage: python bench/lesson00_similarity.py
"""
import time

import numpy as np
from gensim.models import KeyedVectors
from report import solution_namespace, write_report

import course_utils

ASSIGNMENT = "00_what_is_an_embedding"
VOCABULARY = 100_000
QUERIES = 1000


def timed(function):
    started = time.perf_counter()
    result = function()
    return result, time.perf_counter() - started


def main():
    ours = solution_namespace(ASSIGNMENT)
    glove = course_utils.load_glove(max_words=VOCABULARY)
    unit = glove.vectors / np.linalg.norm(glove.vectors, axis=1, keepdims=True)
    kv = KeyedVectors(vector_size=glove.dim)
    kv.add_vectors(glove.words, glove.vectors)
    kv.fill_norms()
    rows = []

    # Neighbour search, one query at a time, as a learner uses it.
    queries = np.random.default_rng(0).choice(VOCABULARY, size=QUERIES, replace=False)
    our_lists, our_time = timed(lambda: [ours["top_k_neighbours"](unit, unit[q], 10, exclude=[q])[0] for q in queries])
    gensim_lists, gensim_time = timed(lambda: [kv.most_similar(glove.words[q], topn=10) for q in queries])
    agree = np.mean([[glove.words[i] for i in mine] == [w for w, _ in theirs]
                     for mine, theirs in zip(our_lists, gensim_lists)])
    rows.append(("top-10 neighbours, 1 query per call", f"{QUERIES / our_time:,.0f} q/s", f"{QUERIES / gensim_time:,.0f} q/s",
                 f"{gensim_time / our_time:.2f}x", f"identical lists: {agree:.1%}"))

    # 3CosAdd on the Google analogies restricted to the vocabulary, batched by 128.
    sections = course_utils.load_analogies()
    questions = np.array([[glove.index[w] for w in q] for items in sections.values() for q in items
                          if all(w in glove for w in q)])

    def our_analogies():
        hits = [ours["analogy_3cosadd"](unit, *questions[s:s + 128, :3].T)[:, 0] == questions[s:s + 128, 3]
                for s in range(0, len(questions), 128)]
        return np.concatenate(hits).mean()

    our_accuracy, our_time = timed(our_analogies)
    (gensim_accuracy, _), gensim_time = timed(lambda: kv.evaluate_word_analogies(
        str(course_utils.fetch("google-analogies")), restrict_vocab=VOCABULARY, case_insensitive=True))
    rows.append((f"3CosAdd, {len(questions):,} Google analogies", f"{len(questions) / our_time:,.0f} q/s",
                 f"{len(questions) / gensim_time:,.0f} q/s", f"{gensim_time / our_time:.2f}x",
                 f"accuracy {our_accuracy:.1%} vs {gensim_accuracy:.1%}"))

    for name in ("wordsim353", "simlex999"):
        (rho, coverage), _ = timed(lambda: ours["evaluate_similarity"](glove, course_utils.load_word_similarity(name)))
        _, gensim_rho, oov = kv.evaluate_word_pairs(str(course_utils.fetch(name)))
        rows.append((f"Spearman on {name}", f"rho {rho:.4f}", f"rho {gensim_rho.statistic:.4f}", "",
                     f"coverage {coverage:.1%} vs OOV {oov:.1f}%"))

    write_report("lesson00", f"Lesson 00: similarity, neighbours, analogies (GloVe 6B 50d, top {VOCABULARY:,} words)",
                 ("task", "lesson 00 solution", "gensim KeyedVectors", "speed ratio (ours / gensim)", "agreement"), rows)


if __name__ == "__main__":
    main()
