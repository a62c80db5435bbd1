"""Lesson 03: run the solution notebook in full mode, record every method's retrieval metrics on the
fixed BBC split, and compare the encoding throughput of the lesson's pooling path (transformer +
the learner's mean_pool) with sentence-transformers' `encode` on the same texts, in the same run.

Usage: python bench/sentence_embeddings.py
"""
from report import notebook_measurement, write_report

MEASURE = '''
import json, time
timing = {}
for kind, texts in (("headlines", [headlines[i] for i in test_ids]), ("articles", [bodies[i] for i in test_ids[:200]])):
    started = time.perf_counter(); pooled_embeddings(texts); ours = time.perf_counter() - started
    started = time.perf_counter(); encoder.encode(texts, batch_size=32); library = time.perf_counter() - started
    timing[kind] = {"n": len(texts), "ours": len(texts) / ours, "library": len(texts) / library}
print("BENCH" + json.dumps({"results": results_table.to_dict(orient="index"), "timing": timing,
                           "pairs": FINE_TUNE_PAIRS, "fine_tune_seconds": fine_tune_seconds,
                           "n_test": len(test_ids), "n_train": len(train_ids)}))
'''


def main():
    data = notebook_measurement("03_sentence_embeddings", MEASURE)
    rows = [(method, int(row["dim"]), f"{row['Recall@1']:.3f}", f"{row['MRR@10']:.3f}", f"{row['topic k-NN acc.']:.3f}")
            for method, row in data["results"].items()]
    write_report("sentence_methods", "Lesson 03: every method on the fixed BBC split (full mode)",
                 ("method", "dim", "Recall@1", "MRR@10", "topic 5-NN accuracy"), rows,
                 f"Headline → article retrieval among the {data['n_test']} test articles (chance Recall@1 = "
                 f"{1 / data['n_test']:.4f}); the topic probe votes over {data['n_train']:,} training headlines. "
                 f"Fine-tuning: {data['pairs']:,} pairs, one epoch, batch 16, 96 tokens, "
                 f"{data['fine_tune_seconds']:.0f} s ({data['pairs'] / data['fine_tune_seconds']:.1f} pairs/s).")
    rows = [(kind, t["n"], f"{t['ours']:.0f}", f"{t['library']:.0f}", f"{t['ours'] / t['library']:.2f}x")
            for kind, t in data["timing"].items()]
    write_report("sentence_throughput", "Lesson 03: encoding throughput, all-MiniLM-L6-v2 on the CPU (texts per second)",
                 ("texts", "n", "lesson path (transformer + mean_pool)", "SentenceTransformer.encode", "ratio"), rows,
                 "Batch 32, articles truncated to 96 tokens, the same texts for both, after the notebook's run.")


if __name__ == "__main__":
    main()
