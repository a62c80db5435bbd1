"""Similarity of answers across a class, per exercise, with copydetect's winnowed fingerprints
(the method of MOSS). The released stub of each answer cell is boilerplate, so the docstring and
`raise NotImplementedError()` that everyone starts from do not count."""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from dataclasses import astuple, dataclass
from itertools import combinations

import numpy as np

NOISE_THRESHOLD = 15  # k: matches shorter than this many characters of filtered code are ignored
GUARANTEE_THRESHOLD = 25  # matches at least this long are always found
MIN_FINGERPRINTS = 5  # shorter answers (`return 0`) agree by coincidence, not by copying


@dataclass(frozen=True)
class SimilarPair:
    exercise: str
    first: str
    second: str
    similarity: float  # the smaller of the two overlap fractions, in [0, 1]


def _fingerprint(source: str, boilerplate=None):
    from copydetect import CodeFingerprint

    window = GUARANTEE_THRESHOLD - NOISE_THRESHOLD + 1
    return CodeFingerprint("answer.py", NOISE_THRESHOLD, window, boilerplate=boilerplate,
                           fp=io.StringIO(source))


def similar_pairs(answers: dict[str, dict[str, str]], stubs: dict[str, str],
                  threshold: float = 0.9) -> list[SimilarPair]:
    """answers: exercise -> {student: answer cell source}; stubs: exercise -> released cell source.
    Pairs whose overlap (after removing the stub) is at least `threshold` for both students.

    copydetect fingerprints with Python's salted string hash, so the work runs in a child process
    with a fixed PYTHONHASHSEED: the same class gives the same report every time."""
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold must be in (0, 1], got {threshold!r}")
    if os.environ.get("PYTHONHASHSEED") != "0":
        completed = subprocess.run([sys.executable, "-m", "course_utils.grading.similarity"], check=True, text=True,
                                   capture_output=True, env={**os.environ, "PYTHONHASHSEED": "0"},
                                   input=json.dumps({"answers": answers, "stubs": stubs, "threshold": threshold}))
        return [SimilarPair(*pair) for pair in json.loads(completed.stdout)]
    return _pairs(answers, stubs, threshold)


def _pairs(answers, stubs, threshold) -> list[SimilarPair]:
    from copydetect import compare_files

    pairs = []
    for exercise, by_student in sorted(answers.items()):
        boilerplate = np.unique(np.array(list(_fingerprint(stubs.get(exercise, "")).hashes)))
        prints = {student: _fingerprint(source, boilerplate) for student, source in sorted(by_student.items())}
        prints = {student: fp for student, fp in prints.items() if len(fp.hashes) >= MIN_FINGERPRINTS}
        for first, second in combinations(sorted(prints), 2):
            _, (one, two), _ = compare_files(prints[first], prints[second])
            similarity = float(min(one, two))
            if similarity >= threshold:
                pairs.append(SimilarPair(exercise, first, second, round(similarity, 3)))
    return pairs


if __name__ == "__main__":  # the child process of similar_pairs: JSON in, JSON out
    request = json.load(sys.stdin)
    json.dump([astuple(pair) for pair in similar_pairs(**request)], sys.stdout)
