"""Lesson 02's walk generators (run from the solution notebook) against pecanpy's compiled node2vec, in one run.

Same graph (the larva connectome's left hemisphere, binary and undirected, 209 neurons), same settings
(10 walks of 40 nodes from every neuron), same (p, q). Two measures:
- walks per second: ours are NumPy (DeepWalk, every walker moving at once) and a Python loop over
  walkers (node2vec, cached transition tables); pecanpy's are numba-compiled (PreComp mode, which
  precomputes the second-order alias tables; preprocessing is counted), on one thread like ours,
  timed after a warm-up run that pays numba's compilation;
- link-prediction ROC-AUC downstream: the lesson's split (15% of the edges held out), walks from
  each generator on the training graph, the same skip-gram (the lesson's embed_walks), 3 seeds.

pecanpy needs numba, which pins NumPy below the course's version, so it runs in a separate virtual
environment (created on first use: COURSE_BENCH_PECANPY_VENV, default a folder in the temp dir;
pip installs pecanpy==2.0.9 from the package index). Usage: python bench/graph_walks.py
"""
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from report import solution_namespace, write_report
from scipy import sparse

from course_utils import datasets

ASSIGNMENT = "02_graph_embeddings"
WALK_LENGTH, WALKS_PER_NODE, SEEDS = 40, 10, (0, 1, 2)
LARGE_WALKS_PER_NODE = 200   # a second, larger run per setting, where pecanpy's compilation per call is amortised
SETTINGS = {"DeepWalk (p = q = 1)": (1.0, 1.0), "node2vec (p = 1, q = 0.5)": (1.0, 0.5)}
PECANPY = "pecanpy==2.0.9"

SIDE_SCRIPT = r'''
import json, sys, time
import numpy as np
from pecanpy import pecanpy
adjacency, p, q, length, per_node, seed, out = np.load(sys.argv[1]), *map(float, sys.argv[2:4]), *map(int, sys.argv[4:7]), sys.argv[7]
ids = [str(i) for i in range(len(adjacency))]
warm = pecanpy.PreComp.from_mat(adjacency[:20, :20], ids[:20], p=p, q=q, workers=1, random_state=seed)
warm.preprocess_transition_probs()
warm.simulate_walks(num_walks=1, walk_length=5)          # numba compiles here
started = time.perf_counter()
graph = pecanpy.PreComp.from_mat(adjacency, ids, p=p, q=q, workers=1, random_state=seed)
graph.preprocess_transition_probs()
walks = graph.simulate_walks(num_walks=per_node, walk_length=length - 1)   # pecanpy counts steps, we count nodes
seconds = time.perf_counter() - started
padded = np.full((len(walks), length), -1, dtype=np.int64)
for row, walk in enumerate(walks):
    padded[row, :len(walk)] = [int(v) for v in walk]
np.save(out, padded)
print(json.dumps({"seconds": seconds, "walks": len(walks)}))
'''


def side_python() -> Path:
    """The pecanpy environment's python, created (pip install) when missing."""
    folder = Path(os.environ.get("COURSE_BENCH_PECANPY_VENV", Path(tempfile.gettempdir()) / "course-bench-pecanpy"))
    python = folder / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", PECANPY], check=True)
    return python


def pecanpy_walks(python, adjacency, p, q, seed, folder, per_node=WALKS_PER_NODE):
    """(walks, seconds) from pecanpy in its own environment, numba on one thread."""
    matrix, out = folder / "adjacency.npy", folder / "walks.npy"
    np.save(matrix, adjacency)
    env = dict(os.environ, NUMBA_NUM_THREADS="1")
    done = subprocess.run([str(python), "-c", SIDE_SCRIPT, str(matrix), str(p), str(q), str(WALK_LENGTH),
                           str(per_node), str(seed), str(out)], capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"pecanpy failed:\n{done.stderr[-3000:]}")
    return np.load(out), json.loads(done.stdout.strip().splitlines()[-1])["seconds"]


def our_walks(lesson, csr, p, q, per_node, seed):
    """(walks, seconds) from the lesson's generators."""
    started = time.perf_counter()
    if p == q == 1.0:
        walks = lesson["uniform_walks"](csr.indptr, csr.indices, WALK_LENGTH, per_node, np.random.default_rng(seed))
    else:
        walks = lesson["node2vec_walks"](csr.indptr, csr.indices, csr.data, WALK_LENGTH, per_node, p, q,
                                         np.random.default_rng(seed))
    return walks, time.perf_counter() - started


def main():
    lesson = solution_namespace(ASSIGNMENT, tags=("reference-walks",))
    synapses, _ = datasets.load_larva_connectome("left")
    binary = ((synapses + synapses.T) > 0).astype(np.float64)
    n = len(binary)
    edges = np.argwhere(np.triu(binary, 1) > 0)
    python = side_python()
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        for name, (p, q) in SETTINGS.items():
            speed = {"ours": [], "pecanpy": []}
            auc = {"ours": [], "pecanpy": []}
            for seed in SEEDS:
                rng = np.random.default_rng(seed)
                train, test = lesson["split_edges"](edges, n, 0.15, rng)
                negatives = lesson["sample_non_edges"](edges, n, len(test), rng)
                train_matrix = np.zeros((n, n))
                train_matrix[train[:, 0], train[:, 1]] = train_matrix[train[:, 1], train[:, 0]] = 1.0
                csr = sparse.csr_matrix(train_matrix)
                csr.sort_indices()
                ours, ours_seconds = our_walks(lesson, csr, p, q, WALKS_PER_NODE, seed)
                theirs, theirs_seconds = pecanpy_walks(python, train_matrix, p, q, seed, scratch)
                for label, walks, seconds in (("ours", ours, ours_seconds), ("pecanpy", theirs, theirs_seconds)):
                    speed[label].append(len(walks) / seconds)
                    vectors = lesson["embed_walks"](walks, n, dim=16, seed=seed)
                    score = lambda pairs: lesson["edge_scores"](vectors, pairs)
                    auc[label].append(lesson["roc_auc"](score(test), score(negatives)))
            ratio = np.mean(speed["ours"]) / np.mean(speed["pecanpy"])
            rows.append((name, f"{WALKS_PER_NODE * n:,}", f"{np.mean(speed['ours']):,.0f}", f"{np.mean(speed['pecanpy']):,.0f}",
                         f"{ratio:.2f}x", f"{np.mean(auc['ours']):.3f} ± {np.std(auc['ours'], ddof=1):.3f}",
                         f"{np.mean(auc['pecanpy']):.3f} ± {np.std(auc['pecanpy'], ddof=1):.3f}"))
            full = sparse.csr_matrix(binary)
            full.sort_indices()
            ours, ours_seconds = our_walks(lesson, full, p, q, LARGE_WALKS_PER_NODE, 0)
            theirs, theirs_seconds = pecanpy_walks(python, binary, p, q, 0, scratch, LARGE_WALKS_PER_NODE)
            rows.append((name, f"{len(ours):,} (whole graph, one run)", f"{len(ours) / ours_seconds:,.0f}",
                         f"{len(theirs) / theirs_seconds:,.0f}",
                         f"{(len(ours) / ours_seconds) / (len(theirs) / theirs_seconds):.2f}x", "", ""))
    load = os.getloadavg()[0]
    note = ("Walks per second: 10 walks of 40 nodes from each of the 209 neurons (2,090 walks) on the training "
            "graph, mean over 3 seeds, then one larger run of 200 walks per neuron on the whole graph; ours from the solution notebook (`uniform_walks` for DeepWalk, the "
            "notebook's `node2vec_walks` built on `node2vec_probabilities` for node2vec), pecanpy 2.0.9's "
            "PreComp mode with numba on one thread, its alias tables' preprocessing included and numba's "
            "compilation excluded as far as a warm-up run can: pecanpy builds its walk step as a new numba function "
            "on every call, so each call compiles again, which dominates on a graph this small (the larger run "
            "shows the rate once that cost is spread over 20 times more walks). AUC: link prediction as in the lesson (15% of the edges held out, "
            "as many non-edges), 16-dimensional skip-gram vectors from the lesson's `embed_walks` on each "
            "generator's walks, mean ± sd over the same 3 seeds. "
            f"Load average when this run finished: {load:.1f} on 2 cores"
            + (" (other jobs were running; both generators slow down under load, by different amounts, so treat "
               "the speed ratios as approximate)." if load > 2.5 else " (nothing else was running)."))
    write_report("graph_walks", "Lesson 02: walk generators vs pecanpy (larva connectome, 209 neurons)",
                 ("walks", "walks generated", "ours: walks/s", "pecanpy: walks/s", "ours / pecanpy", "AUC with our walks",
                  "AUC with pecanpy's walks"), rows, note)


if __name__ == "__main__":
    main()
