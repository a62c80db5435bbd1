"""Lesson 09 (a semantic search engine): every docstring clause of every graded function, each with a
wrong answer a learner might write that breaks that clause only. Each wrong answer is the reference
solution (copied below without docstrings) with one targeted edit, given as the whole answer cell:
both functions where the cell defines two, and no solution markers."""
import ast
import functools

from test_hidden_tests import load

from contracts import Contract

ASSIGNMENT = "09_semantic_search"


@functools.lru_cache(maxsize=None)
def functions_of(grade_id):
    """Names of the functions the solution's answer cell `grade_id` defines."""
    return frozenset(node.name for node in ast.parse(load(ASSIGNMENT)[grade_id]).body if isinstance(node, ast.FunctionDef))


def cell(grade_id, source):
    """{grade_id: source}: a whole answer cell, which must define the same functions as the solution's."""
    defined = {node.name for node in ast.parse(source).body if isinstance(node, ast.FunctionDef)}
    assert defined == functions_of(grade_id), (grade_id, defined)
    return {grade_id: source.strip("\n") + "\n"}


def edit(source, *edits):
    """`source` with each (old, new) pair of `edits` (old1, new1, old2, new2, ...) replaced; every old
    text must occur exactly once, so that a solution that changes makes a stale edit fail loudly."""
    assert len(edits) % 2 == 0, edits
    for old, new in zip(edits[::2], edits[1::2]):
        assert source.count(old) == 1, old
        source = source.replace(old, new)
    return source


CHUNK = '''
def chunk_documents(documents, max_words, overlap):
    if isinstance(max_words, bool) or not isinstance(max_words, int) or max_words < 1:
        raise ValueError(f"max_words must be an int >= 1, got {max_words!r}")
    if isinstance(overlap, bool) or not isinstance(overlap, int) or not 0 <= overlap < max_words:
        raise ValueError(f"overlap must be an int with 0 <= overlap < max_words ({max_words}), got {overlap!r}")
    passages = []
    for index, document in enumerate(documents):
        text = document["text"]
        words = [match.span() for match in re.finditer(r"\\S+", text)]
        metadata = {key: value for key, value in document.items() if key != "text"}
        first = 0
        while first < len(words):
            last = min(first + max_words, len(words)) - 1
            start, end = words[first][0], words[last][1]
            passages.append({**metadata, "text": text[start:end], "doc": index, "start": start, "end": end})
            if last == len(words) - 1:
                break
            first += max_words - overlap
    return passages
'''


def chunk(*edits):
    return cell("chunk_documents", edit(CHUNK, *edits))


NDCG = '''
def ndcg_at_k(ranking, grades, k, scores=None):
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be an int >= 1, got {k!r}")
    ranking = list(ranking)
    if len(set(ranking)) != len(ranking):
        raise ValueError("ranking must not contain an id twice")
    gains = np.array([2.0 ** grades.get(item, 0) - 1 for item in ranking])
    if scores is not None:
        scores = np.asarray(scores, dtype=np.float64)
        if scores.shape != (len(ranking),):
            raise ValueError(f"scores must have one value per ranked id ({len(ranking)}), got shape {scores.shape}")
        if np.any(np.diff(scores) > 0):
            raise ValueError("scores must never increase along the ranking")
        start = 0
        while start < len(gains):
            stop = start + 1
            while stop < len(gains) and scores[stop] == scores[start]:
                stop += 1
            gains[start:stop] = gains[start:stop].mean()
            start = stop
    discounts = 1 / np.log2(np.arange(2, k + 2))
    dcg = float(gains[:k] @ discounts[:len(gains[:k])])
    ideal_gains = 2.0 ** np.sort(np.array(list(grades.values()), dtype=np.float64))[::-1][:k] - 1
    ideal = float(ideal_gains @ discounts[:len(ideal_gains)])
    return dcg / ideal if ideal > 0 else 0.0
'''

RECIPROCAL_RANK = '''
def reciprocal_rank(ranking, grades, k):
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be an int >= 1, got {k!r}")
    ranking = list(ranking)
    if len(set(ranking)) != len(ranking):
        raise ValueError("ranking must not contain an id twice")
    for position, item in enumerate(ranking[:k], start=1):
        if grades.get(item, 0) > 0:
            return 1.0 / position
    return 0.0
'''


def ndcg(*edits):
    """The ranking_metrics cell (both functions) with ndcg_at_k edited."""
    return cell("ranking_metrics", edit(NDCG, *edits) + "\n\n" + RECIPROCAL_RANK)


def reciprocal(*edits):
    """The ranking_metrics cell (both functions) with reciprocal_rank edited."""
    return cell("ranking_metrics", NDCG + "\n\n" + edit(RECIPROCAL_RANK, *edits))


RRF = '''
def reciprocal_rank_fusion(rankings, k=60, weights=None, limit=None):
    if isinstance(k, bool) or not isinstance(k, (int, float, np.integer, np.floating)) or k < 0:
        raise ValueError(f"k must be a number >= 0, got {k!r}")
    rankings = [list(ranking) for ranking in rankings]
    weights = [1.0] * len(rankings) if weights is None else [float(w) for w in weights]
    if len(weights) != len(rankings) or any(w < 0 for w in weights):
        raise ValueError(f"weights must hold one number >= 0 per ranking ({len(rankings)}), got {weights!r}")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, (int, np.integer)) or limit < 1):
        raise ValueError(f"limit must be None or an int >= 1, got {limit!r}")
    fused = {}
    for ranking, weight in zip(rankings, weights):
        if len(set(ranking)) != len(ranking):
            raise ValueError("a ranking must not contain an id twice")
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + weight / (k + rank)
    ids = sorted(fused, key=lambda item: -fused[item])
    ids = ids if limit is None else ids[:limit]
    return ids, np.array([fused[item] for item in ids], dtype=np.float64)
'''


def rrf(*edits):
    return cell("rrf", edit(RRF, *edits))


MAXSIM = '''
def maxsim_scores(query_tokens, passage_tokens, passage_mask):
    if query_tokens.ndim != 2 or query_tokens.shape[0] < 1:
        raise ValueError(f"query_tokens must have shape (q, d) with q >= 1, got {tuple(query_tokens.shape)}")
    if passage_tokens.ndim != 3 or passage_tokens.shape[2] != query_tokens.shape[1]:
        raise ValueError(f"passage_tokens must have shape (n, t, {query_tokens.shape[1]}), got {tuple(passage_tokens.shape)}")
    if tuple(passage_mask.shape) != tuple(passage_tokens.shape[:2]):
        raise ValueError(f"passage_mask must have shape {tuple(passage_tokens.shape[:2])}, got {tuple(passage_mask.shape)}")
    if not bool(passage_mask.any(dim=1).all()):
        raise ValueError("every passage needs at least one real token in passage_mask")
    if passage_tokens.shape[0] == 0:
        return torch.zeros(0, dtype=torch.float32, device=query_tokens.device)
    q = F.normalize(query_tokens.float(), dim=-1)
    p = F.normalize(passage_tokens.float(), dim=-1)
    similarity = torch.einsum("qd,ntd->nqt", q, p)
    similarity = similarity.masked_fill(~passage_mask.bool()[:, None, :], float("-inf"))
    return similarity.max(dim=2).values.sum(dim=1)
'''


def maxsim(*edits):
    return cell("maxsim", edit(MAXSIM, *edits))


FILTERED = '''
def filtered_search(base, queries, allowed, k, mode, candidates=None):
    base = np.asarray(base, dtype=np.float32)
    queries = np.asarray(queries, dtype=np.float32)
    n, m = len(base), len(queries)
    if mode not in ("pre", "post"):
        raise ValueError(f"mode must be 'pre' or 'post', got {mode!r}")
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= n:
        raise ValueError(f"k must be an int between 1 and {n}, got {k!r}")
    allowed = np.asarray(allowed)
    if allowed.dtype != bool or allowed.shape not in ((n,), (m, n)):
        raise ValueError(f"allowed must be a bool array of shape ({n},) or ({m}, {n}), got {allowed.dtype} {allowed.shape}")
    allowed = np.broadcast_to(allowed, (m, n))
    candidates = k if candidates is None else candidates
    if isinstance(candidates, bool) or not isinstance(candidates, (int, np.integer)) or not k <= candidates <= n:
        raise ValueError(f"candidates must be an int between k ({k}) and {n}, got {candidates!r}")
    scores = queries @ base.T
    ids = np.full((m, k), -1, dtype=np.int64)
    best_scores = np.full((m, k), -np.inf, dtype=np.float32)
    for row in range(m):
        order = np.lexsort((np.arange(n), -scores[row]))
        if mode == "post":
            order = order[:candidates]
        order = order[allowed[row, order]][:k]
        ids[row, :len(order)] = order
        best_scores[row, :len(order)] = scores[row, order]
    return ids, best_scores
'''


def filtered(*edits):
    return cell("filtered_search", edit(FILTERED, *edits))


QUANTIZE = '''
def quantize_int8(x, lo, hi):
    x = np.asarray(x, dtype=np.float64)
    lo, hi = np.asarray(lo, dtype=np.float64), np.asarray(hi, dtype=np.float64)
    if x.ndim != 2 or lo.shape != (x.shape[1],) or hi.shape != (x.shape[1],):
        raise ValueError(f"x must be (n, d) and lo, hi (d,), got {x.shape}, {lo.shape}, {hi.shape}")
    if not np.all(hi > lo):
        raise ValueError("hi must be larger than lo in every dimension")
    codes = np.round((x - lo) / (hi - lo) * 255) - 128
    return np.clip(codes, -128, 127).astype(np.int8)
'''

BINARY = '''
def binary_search_rescored(queries, base_bits, base_vectors, k, shortlist):
    queries = np.asarray(queries, dtype=np.float32)
    n = len(base_bits)
    for name, value, low in (("k", k, 1), ("shortlist", shortlist, k if isinstance(k, (int, np.integer)) else 1)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not low <= value <= n:
            raise ValueError(f"{name} must be an int with 1 <= k <= shortlist <= n ({n}), got {name}={value!r}")
    query_bits = np.packbits(queries > 0, axis=1)
    popcount = np.array([bin(b).count("1") for b in range(256)], dtype=np.int32)
    ids = np.empty((len(queries), k), dtype=np.int64)
    scores = np.empty((len(queries), k), dtype=np.float32)
    for row, (query, bits) in enumerate(zip(queries, query_bits)):
        distances = popcount[np.bitwise_xor(base_bits, bits)].sum(axis=1)
        short = np.lexsort((np.arange(n), distances))[:shortlist]
        exact = np.asarray(base_vectors[np.sort(short)], dtype=np.float32) @ query
        short = np.sort(short)
        best = np.lexsort((short, -exact))[:k]
        ids[row], scores[row] = short[best], exact[best]
    return ids, scores
'''


def quantize(*edits):
    """The quantization cell (both functions) with quantize_int8 edited."""
    return cell("quantization", edit(QUANTIZE, *edits) + "\n\n" + BINARY)


def binary(*edits):
    """The quantization cell (both functions) with binary_search_rescored edited."""
    return cell("quantization", QUANTIZE + "\n\n" + edit(BINARY, *edits))


MAXSIM_EARLY = """\
    if passage_tokens.shape[0] == 0:
        return torch.zeros(0, dtype=torch.float32, device=query_tokens.device)
"""
CHUNK_SPANS = r'words = [match.span() for match in re.finditer(r"\S+", text)]'
CHUNK_APPEND = 'passages.append({**metadata, "text": text[start:end], "doc": index, "start": start, "end": end})'
NDCG_TIES = '''\
        start = 0
        while start < len(gains):
            stop = start + 1
            while stop < len(gains) and scores[stop] == scores[start]:
                stop += 1
            gains[start:stop] = gains[start:stop].mean()
            start = stop
'''
IDEAL = "ideal_gains = 2.0 ** np.sort(np.array(list(grades.values()), dtype=np.float64))[::-1][:k] - 1"
RRF_SORT = "ids = sorted(fused, key=lambda item: -fused[item])"
FILTER_CANDIDATES = "not k <= candidates <= n:"
BINARY_CHECK = "not low <= value <= n:"

CONTRACTS = {
    "chunk_documents": Contract(test="test_chunk_documents", clauses={
        "every other key of the document is copied into its passages": chunk(
            "        metadata = {key: value for key, value in document.items() if key != \"text\"}\n", "        metadata = {}\n"),
        "a word is a run of non-whitespace: any whitespace separates (not ' ' only)": chunk(
            r'r"\S+"', r'r"[^ ]+"'),
        "whitespace as str.split() sees it (no-break space included, not ASCII only)": chunk(
            r'r"\S+"', r'r"[^ \t\n\r\f\v]+"'),
        "punctuation belongs to the word (not \\w+ runs)": chunk(
            r'r"\S+"', r'r"\w+"'),
        "a passage takes up to max_words words (not one fewer)": chunk(
            "last = min(first + max_words, len(words)) - 1", "last = min(first + max_words - 1, len(words)) - 1"),
        "the next passage advances max_words - overlap words (not max_words)": chunk(
            "first += max_words - overlap", "first += max_words"),
        "consecutive passages share overlap words (not overlap - 1)": chunk(
            "first += max_words - overlap", "first += max_words - overlap + 1"),
        "stop at the first passage that reaches the last word (no trailing passage inside the previous one)": chunk(
            "            if last == len(words) - 1:\n                break\n", ""),
        "the last words get a passage (a short tail is not dropped)": chunk(
            "while first < len(words):", "while first + max_words <= len(words):"),
        "a document without words gives no passage (not an empty one)": chunk(
            "        first = 0\n",
            '        first = 0\n        if not words:\n'
            '            passages.append({**metadata, "text": "", "doc": index, "start": 0, "end": 0})\n'),
        "text is the original slice, whitespace kept (not the words joined by spaces)": chunk(
            '"text": text[start:end]', '"text": " ".join(text[s:e] for s, e in words[first:last + 1])'),
        "a passage starts at its first word (leading whitespace not included)": chunk(
            "start, end = words[first][0], words[last][1]",
            "start, end = (words[first][0] if first else 0), words[last][1]"),
        "a passage ends at its last word's last character (trailing whitespace not included)": chunk(
            "start, end = words[first][0], words[last][1]",
            "start, end = words[first][0], (words[last + 1][0] if last + 1 < len(words) else len(text))"),
        "start and end are offsets into the original text (not into the stripped text)": chunk(
            'text = document["text"]', 'text = document["text"].strip()'),
        "start and end are Python ints (not NumPy integers)": chunk(
            CHUNK_SPANS, CHUNK_SPANS + "\n        words = np.array(words, dtype=np.int64).reshape(-1, 2)"),
        "doc is the index in documents (from 0)": chunk(
            "for index, document in enumerate(documents):", "for index, document in enumerate(documents, start=1):"),
        "doc counts documents without words too": chunk(
            "for index, document in enumerate(documents):",
            'for index, document in enumerate([d for d in documents if d["text"].split()]):'),
        "an empty documents gives [] (refused with ValueError instead)": chunk(
            "    passages = []\n", "    if not documents:\n        raise ValueError('no documents')\n    passages = []\n"),
        "a one-word document gives one passage whatever overlap (no passage when it has <= overlap words)": chunk(
            "while first < len(words):", "while first < len(words) - overlap:"),
        "each passage carries its own document's metadata (not the first document's)": chunk(
            "        metadata = {key: value for key, value in document.items() if key != \"text\"}\n", "",
            "    passages = []\n",
            "    passages = []\n"
            "    metadata = {key: value for key, value in documents[0].items() if key != \"text\"} if documents else {}\n"),
        "text, doc, start, end win over metadata keys of the same name": chunk(
            CHUNK_APPEND,
            'passages.append({"text": text[start:end], "doc": index, "start": start, "end": end, **metadata})'),
        "documents in order, each one's passages in order (not sorted by offset)": chunk(
            "    return passages", "    return sorted(passages, key=lambda passage: passage[\"start\"])"),
        "returns a list": chunk("    return passages", "    return tuple(passages)"),
        "max_words must be an int (2.5 raises ValueError)": chunk(
            "isinstance(max_words, bool) or not isinstance(max_words, int) or max_words < 1",
            "isinstance(max_words, bool) or max_words < 1"),
        "overlap < max_words (overlap = max_words raises ValueError)": chunk(
            "not 0 <= overlap < max_words", "not 0 <= overlap <= max_words",
            "first += max_words - overlap", "first += max(max_words - overlap, 1)"),
        "overlap >= 0 (a negative overlap raises ValueError)": chunk(
            "not 0 <= overlap < max_words", "not overlap < max_words"),
        "overlap must be an int (1.0 raises ValueError)": chunk(
            "isinstance(overlap, bool) or not isinstance(overlap, int) or not 0 <= overlap < max_words",
            "isinstance(overlap, bool) or not 0 <= overlap < max_words"),
    }),
    "ndcg_at_k": Contract(test="test_ranking_metrics", clauses={
        "equal scores are allowed (never increasing, not strictly decreasing)": ndcg("np.any(np.diff(scores) > 0)", "np.any(np.diff(scores) >= 0)"),
        "k may be a NumPy integer": ndcg("not isinstance(k, (int, np.integer)) or k < 1:", "not isinstance(k, int) or k < 1:"),
        "scores may be a NumPy array (no truth test on it)": ndcg("    if scores is not None:\n", "    if scores:\n"),
        "gain 2**grade - 1 (not the grade itself)": ndcg(
            "gains = np.array([2.0 ** grades.get(item, 0) - 1 for item in ranking])",
            "gains = np.array([float(grades.get(item, 0)) for item in ranking])",
            IDEAL, "ideal_gains = np.sort(np.array(list(grades.values()), dtype=np.float64))[::-1][:k]"),
        "discount 1 / log2(i + 1) with i from 1 (not log2(i + 2))": ndcg(
            "discounts = 1 / np.log2(np.arange(2, k + 2))", "discounts = 1 / np.log2(np.arange(3, k + 3))"),
        "a result ranked below k adds nothing": ndcg(
            "discounts = 1 / np.log2(np.arange(2, k + 2))",
            "discounts = 1 / np.log2(np.arange(2, max(k, len(gains)) + 2))",
            "dcg = float(gains[:k] @ discounts[:len(gains[:k])])", "dcg = float(gains @ discounts[:len(gains)])"),
        "the ideal sorts all of grades' values (not the ranked ids' grades)": ndcg(
            IDEAL, "ideal_gains = 2.0 ** np.sort(np.array([grades.get(item, 0) for item in ranking], "
                   "dtype=np.float64))[::-1][:k] - 1"),
        "the ideal DCG is cut at k": ndcg(
            "ideal = float(ideal_gains @ discounts[:len(ideal_gains)])",
            "ideal = float(sum((2.0 ** g - 1) / np.log2(i + 2) for i, g in enumerate(sorted(grades.values(), reverse=True))))"),
        "the ideal sorts grades from high to low": ndcg(
            IDEAL, "ideal_gains = 2.0 ** np.sort(np.array(list(grades.values()), dtype=np.float64))[:k] - 1"),
        "a ranking shorter than k: the ideal still takes k grades": ndcg(
            IDEAL, IDEAL.replace("[:k]", "[:min(k, len(ranking))]")),
        "ids grades does not hold have grade 0 (they keep their position)": ndcg(
            "    ranking = list(ranking)\n", "    ranking = [item for item in ranking if item in grades]\n"),
        "grades may be real numbers (not truncated to ints)": ndcg(
            IDEAL, IDEAL.replace("dtype=np.float64", "dtype=np.int64")),
        "0.0 when the ideal DCG is 0 (not nan)": ndcg(
            "return dcg / ideal if ideal > 0 else 0.0", "return dcg / ideal if ideal > 0 else float(\"nan\")"),
        "returns a Python float": ndcg(
            "return dcg / ideal if ideal > 0 else 0.0", "return np.float32(dcg / ideal if ideal > 0 else 0.0)"),
        "scores: a tie group shares the mean gain (scores ignored)": ndcg(NDCG_TIES, ""),
        "scores: the mean over the whole group even where k cuts it": ndcg(
            "gains[start:stop] = gains[start:stop].mean()",
            "gains[start:stop] = gains[start:max(min(stop, k), start + 1)].mean()"),
        "scores: never increasing, else ValueError": ndcg(
            "        if np.any(np.diff(scores) > 0):\n"
            "            raise ValueError(\"scores must never increase along the ranking\")\n", ""),
        "scores: one per ranked id, else ValueError": ndcg(
            "        if scores.shape != (len(ranking),):\n"
            "            raise ValueError(f\"scores must have one value per ranked id ({len(ranking)}), got shape {scores.shape}\")\n",
            ""),
        "an id twice in ranking raises ValueError": ndcg(
            "    if len(set(ranking)) != len(ranking):\n"
            "        raise ValueError(\"ranking must not contain an id twice\")\n", ""),
        "an empty ranking gives 0.0 (refused with ValueError instead)": ndcg(
            "    ranking = list(ranking)\n", "    ranking = list(ranking)\n    if not ranking:\n        raise ValueError('empty ranking')\n"),
        "k = 0 raises ValueError": ndcg(
            "not isinstance(k, (int, np.integer)) or k < 1:", "not isinstance(k, (int, np.integer)) or k < 0:"),
        "k must be an int: True raises ValueError": ndcg(
            "isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1",
            "not isinstance(k, (int, np.integer)) or k < 1"),
    }),
    "reciprocal_rank": Contract(test="test_ranking_metrics", clauses={
        "k may be a NumPy integer": reciprocal("not isinstance(k, (int, np.integer)) or k < 1:", "not isinstance(k, int) or k < 1:"),
        "k=True is not an int here: ValueError": reciprocal("isinstance(k, bool) or not isinstance(k, (int, np.integer))", "not isinstance(k, (int, np.integer))"),
        "positions count from 1": reciprocal("start=1", "start=0", "return 1.0 / position", "return 1.0 / max(position, 1)"),
        "only ranking[:k] counts": reciprocal("ranking[:k]", "ranking"),
        "relevant means grade > 0 (an id graded 0 is not)": reciprocal(
            "if grades.get(item, 0) > 0:", "if item in grades:"),
        "0.0 when nothing relevant is within k (not None)": reciprocal("    return 0.0\n", ""),
        "returns a Python float": reciprocal("return 1.0 / position", "return np.float32(1.0 / position)"),
        "an empty ranking gives 0.0 (the max of no hits raises)": reciprocal(
            "    for position, item in enumerate(ranking[:k], start=1):\n"
            "        if grades.get(item, 0) > 0:\n"
            "            return 1.0 / position\n"
            "    return 0.0\n",
            "    hits = np.array([grades.get(item, 0) > 0 for item in ranking[:k]])\n"
            "    if hits.max() == 0:\n"
            "        return 0.0\n"
            "    return 1.0 / (int(np.argmax(hits)) + 1)\n"),
        "an id twice in ranking raises ValueError": reciprocal(
            "    if len(set(ranking)) != len(ranking):\n"
            "        raise ValueError(\"ranking must not contain an id twice\")\n", ""),
        "k = 0 raises ValueError": reciprocal(
            "    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:\n"
            "        raise ValueError(f\"k must be an int >= 1, got {k!r}\")\n", ""),
    }),
    "reciprocal_rank_fusion": Contract(test="test_rrf", clauses={
        "k = 0 is allowed (k >= 0)": rrf("np.floating)) or k < 0:", "np.floating)) or k <= 0:"),
        "k may be a float": rrf("not isinstance(k, (int, float, np.integer, np.floating))", "not isinstance(k, (int, np.integer))"),
        "a weight of 0 is allowed (weights >= 0)": rrf("any(w < 0 for w in weights)", "any(w <= 0 for w in weights)"),
        "rankings may be any iterable, read once": rrf("    rankings = [list(ranking) for ranking in rankings]\n", ""),
        "ranks start at 1": rrf("enumerate(ranking, start=1)", "enumerate(ranking)"),
        "k is used (not always 60)": rrf("weight / (k + rank)", "weight / (60 + rank)"),
        "each list's weight multiplies its terms": rrf("weight / (k + rank)", "1.0 / (k + rank)"),
        "an id's terms are summed over the lists (not their maximum)": rrf(
            "fused[item] = fused.get(item, 0.0) + weight / (k + rank)",
            "fused[item] = max(fused.get(item, 0.0), weight / (k + rank))"),
        "ids by decreasing score": rrf(RRF_SORT, "ids = sorted(fused, key=lambda item: fused[item])"),
        "equal scores keep first-met order (not by id)": rrf(
            RRF_SORT, "ids = sorted(fused, key=lambda item: (-fused[item], item))"),
        "equal scores keep first-met order (not reversed)": rrf(
            RRF_SORT, "ids = [item for item, _ in sorted(fused.items(), key=lambda pair: pair[1])][::-1]"),
        "an empty list contributes nothing (the lists after it still count)": rrf(
            "        if len(set(ranking)) != len(ranking):",
            "        if not ranking:\n            break\n        if len(set(ranking)) != len(ranking):"),
        "no rankings, or only empty ones, give ([], an empty float64 array) (ids and scores unzipped from no pairs)": rrf(
            "    ids = sorted(fused, key=lambda item: -fused[item])\n"
            "    ids = ids if limit is None else ids[:limit]\n"
            "    return ids, np.array([fused[item] for item in ids], dtype=np.float64)",
            "    ids, scores = zip(*sorted(fused.items(), key=lambda pair: -pair[1]))\n"
            "    ids = list(ids) if limit is None else list(ids)[:limit]\n"
            "    return ids, np.array(scores[:len(ids)], dtype=np.float64)"),
        "limit keeps only the limit best": rrf("ids = ids if limit is None else ids[:limit]", ""),
        "limit = 0 raises ValueError": rrf(
            "not isinstance(limit, (int, np.integer)) or limit < 1)", "not isinstance(limit, (int, np.integer)) or limit < 0)"),
        "k < 0 raises ValueError": rrf(
            "not isinstance(k, (int, float, np.integer, np.floating)) or k < 0:",
            "not isinstance(k, (int, float, np.integer, np.floating)):"),
        "a wrong number of weights raises ValueError": rrf(
            "if len(weights) != len(rankings) or any(w < 0 for w in weights):", "if any(w < 0 for w in weights):"),
        "a negative weight raises ValueError": rrf(
            "if len(weights) != len(rankings) or any(w < 0 for w in weights):", "if len(weights) != len(rankings):"),
        "an id twice in one list raises ValueError": rrf(
            "        if len(set(ranking)) != len(ranking):\n"
            "            raise ValueError(\"a ranking must not contain an id twice\")\n", ""),
        "returns the ids as a list (not an array)": rrf(
            "return ids, np.array(", "return np.array(ids), np.array("),
        "returns the scores as a NumPy array": rrf(
            "np.array([fused[item] for item in ids], dtype=np.float64)", "[fused[item] for item in ids]"),
        "the scores are float64": rrf("dtype=np.float64)", "dtype=np.float32)"),
    }),
    "maxsim_scores": Contract(test="test_maxsim", clauses={
        "query token vectors are L2-normalised": maxsim(
            "q = F.normalize(query_tokens.float(), dim=-1)", "q = query_tokens.float()"),
        "passage token vectors are L2-normalised": maxsim(
            "p = F.normalize(passage_tokens.float(), dim=-1)", "p = passage_tokens.float()"),
        "each token vector is normalised on its own (not the whole matrix)": maxsim(
            "q = F.normalize(query_tokens.float(), dim=-1)", "q = query_tokens.float() / query_tokens.float().norm()"),
        "normalised along the vector's dimension (not across tokens)": maxsim(
            "p = F.normalize(passage_tokens.float(), dim=-1)", "p = F.normalize(passage_tokens.float(), dim=1)"),
        "the best passage token for each query token (max over passage tokens, not query tokens)": maxsim(
            "return similarity.max(dim=2).values.sum(dim=1)", "return similarity.max(dim=1).values.sum(dim=1)"),
        "summed over query tokens (not averaged)": maxsim(
            "return similarity.max(dim=2).values.sum(dim=1)", "return similarity.max(dim=2).values.mean(dim=1)"),
        "padding never wins (the mask is applied)": maxsim(
            "    similarity = similarity.masked_fill(~passage_mask.bool()[:, None, :], float(\"-inf\"))\n", ""),
        "padding is -inf, not 0 (a best match may be negative)": maxsim(
            'float("-inf"))', "0.0)"),
        "cosines are not clipped at 0": maxsim(
            'similarity = torch.einsum("qd,ntd->nqt", q, p)', 'similarity = torch.einsum("qd,ntd->nqt", q, p).clamp(min=0)'),
        "a passage without a real token raises ValueError": maxsim(
            "    if not bool(passage_mask.any(dim=1).all()):\n"
            "        raise ValueError(\"every passage needs at least one real token in passage_mask\")\n", ""),
        "a query with no tokens raises ValueError": maxsim(
            "if query_tokens.ndim != 2 or query_tokens.shape[0] < 1:", "if query_tokens.ndim != 2:"),
        "a mask of the wrong shape raises ValueError": maxsim(
            "    if tuple(passage_mask.shape) != tuple(passage_tokens.shape[:2]):\n"
            "        raise ValueError(f\"passage_mask must have shape {tuple(passage_tokens.shape[:2])}, got {tuple(passage_mask.shape)}\")\n",
            ""),
        "query and passage vectors of different widths raise ValueError": maxsim(
            "if passage_tokens.ndim != 3 or passage_tokens.shape[2] != query_tokens.shape[1]:",
            "if passage_tokens.ndim != 3:"),
        "zero passages give an empty (0,) tensor (a loop over passages stacks nothing)": maxsim(
            MAXSIM_EARLY, "",
            '    similarity = torch.einsum("qd,ntd->nqt", q, p)\n'
            '    similarity = similarity.masked_fill(~passage_mask.bool()[:, None, :], float("-inf"))\n'
            '    return similarity.max(dim=2).values.sum(dim=1)',
            "    scores = [(q @ tokens[mask].T).max(dim=1).values.sum() for tokens, mask in zip(p, passage_mask.bool())]\n"
            "    return torch.stack(scores)"),
        "zero passages padded to 0 tokens give an empty (0,) tensor (the max over no tokens fails)": maxsim(MAXSIM_EARLY, ""),
        "one passage gives a (1,) tensor (squeezed to 0-d)": maxsim(
            "return similarity.max(dim=2).values.sum(dim=1)", "return similarity.max(dim=2).values.sum(dim=1).squeeze()"),
        "returns a tensor (not a NumPy array)": maxsim(
            "return similarity.max(dim=2).values.sum(dim=1)", "return similarity.max(dim=2).values.sum(dim=1).numpy()"),
        "returns shape (n,) (not (n, 1))": maxsim(
            "return similarity.max(dim=2).values.sum(dim=1)", "return similarity.max(dim=2).values.sum(dim=1, keepdim=True)"),
    }),
    "filtered_search": Contract(test="test_filtered_search", clauses={
        "candidates may equal n": filtered("not k <= candidates <= n:", "not k <= candidates < n:"),
        "k may equal n": filtered("not 1 <= k <= n:", "not 1 <= k < n:"),
        "candidates may be a NumPy integer": filtered("not isinstance(candidates, (int, np.integer))", "not isinstance(candidates, int)"),
        "allowed is (n,) or (m, n): (1, n) for two queries raises": filtered("allowed.shape not in ((n,), (m, n))", "allowed.ndim not in (1, 2) or allowed.shape[-1] != n"),
        "inner products (not cosines)": filtered(
            "scores = queries @ base.T",
            "scores = (queries / np.linalg.norm(queries, axis=1, keepdims=True)) @ "
            "(base / np.linalg.norm(base, axis=1, keepdims=True)).T"),
        "best first": filtered("np.lexsort((np.arange(n), -scores[row]))", "np.lexsort((np.arange(n), scores[row]))"),
        "equal scores: the smaller row first": filtered(
            "np.lexsort((np.arange(n), -scores[row]))", "np.lexsort((-np.arange(n), -scores[row]))"),
        "pre: every allowed row is searched (no candidate cut)": filtered(
            "        if mode == \"post\":\n            order = order[:candidates]\n",
            "        order = order[:candidates]\n"),
        "post: only the candidates best of all rows are kept (not an exact filtered search)": filtered(
            "        if mode == \"post\":\n            order = order[:candidates]\n", ""),
        "post: candidates=None means k (not n)": filtered(
            "candidates = k if candidates is None else candidates", "candidates = n if candidates is None else candidates"),
        "candidates < k raises ValueError": filtered(FILTER_CANDIDATES, "not 1 <= candidates <= n:"),
        "candidates > n raises ValueError": filtered(FILTER_CANDIDATES, "not k <= candidates:"),
        "allowed (m, n): one filter per query": filtered(
            "allowed = np.broadcast_to(allowed, (m, n))",
            "allowed = np.broadcast_to(allowed if allowed.ndim == 1 else allowed[0], (m, n))"),
        "allowed must be bool (integers raise ValueError)": filtered(
            "if allowed.dtype != bool or allowed.shape not in ((n,), (m, n)):",
            "if allowed.shape not in ((n,), (m, n)):"),
        "a mode other than 'pre' or 'post' raises ValueError": filtered(
            "    if mode not in (\"pre\", \"post\"):\n"
            "        raise ValueError(f\"mode must be 'pre' or 'post', got {mode!r}\")\n", ""),
        "k = 0 raises ValueError": filtered("not 1 <= k <= n:", "not k <= n:"),
        "an empty slot holds id -1 (not 0)": filtered("ids = np.full((m, k), -1, dtype=np.int64)",
                                                      "ids = np.zeros((m, k), dtype=np.int64)"),
        "an empty slot holds score -inf (not 0)": filtered(
            "best_scores = np.full((m, k), -np.inf, dtype=np.float32)", "best_scores = np.zeros((m, k), dtype=np.float32)"),
        "ids are int64": filtered("ids = np.full((m, k), -1, dtype=np.int64)", "ids = np.full((m, k), -1, dtype=np.int32)"),
        "scores are float32": filtered(
            "best_scores = np.full((m, k), -np.inf, dtype=np.float32)", "best_scores = np.full((m, k), -np.inf)"),
        "zero queries give (0, k) arrays (rows gathered in a list: shape (0,))": filtered(
            "    ids = np.full((m, k), -1, dtype=np.int64)\n    best_scores = np.full((m, k), -np.inf, dtype=np.float32)\n",
            "    ids = [np.full(k, -1, dtype=np.int64) for _ in range(m)]\n"
            "    best_scores = [np.full(k, -np.inf, dtype=np.float32) for _ in range(m)]\n",
            "        ids[row, :len(order)] = order\n        best_scores[row, :len(order)] = scores[row, order]\n",
            "        ids[row][:len(order)] = order\n        best_scores[row][:len(order)] = scores[row, order]\n",
            "    return ids, best_scores", "    return np.array(ids), np.array(best_scores)"),
        "an empty base raises ValueError (every slot empty instead)": filtered(
            "    if mode not in", "    if n == 0:\n"
            "        return np.full((m, k), -1, dtype=np.int64), np.full((m, k), -np.inf, dtype=np.float32)\n    if mode not in"),
        "returns a tuple (ids, scores)": filtered("    return ids, best_scores", "    return [ids, best_scores]"),
    }),
    "quantize_int8": Contract(test="test_quantization", clauses={
        "lo and hi must have shape (d,) (not (1,), which broadcasts)": quantize("x.ndim != 2 or lo.shape != (x.shape[1],) or hi.shape != (x.shape[1],)", "lo.ndim != 1 or hi.ndim != 1"),
        "x must be 2-D": quantize("x.ndim != 2 or lo.shape != (x.shape[1],) or hi.shape != (x.shape[1],)", "lo.shape != (x.shape[-1],) or hi.shape != (x.shape[-1],)"),
        "rounded (not floored)": quantize("np.round((x - lo) / (hi - lo) * 255)", "np.floor((x - lo) / (hi - lo) * 255)"),
        "halves rounded to even (not up)": quantize(
            "np.round((x - lo) / (hi - lo) * 255)", "np.floor((x - lo) / (hi - lo) * 255 + 0.5)"),
        "scaled by 255 (not 256)": quantize("(hi - lo) * 255", "(hi - lo) * 256"),
        "minus 128 (not the uint8 range)": quantize("* 255) - 128", "* 255)"),
        "values outside [lo, hi] clipped to the end codes (no int8 wrap-around)": quantize(
            "return np.clip(codes, -128, 127).astype(np.int8)", "return codes.astype(np.int8)"),
        "lo and hi per dimension (not one global range)": quantize(
            "codes = np.round((x - lo) / (hi - lo) * 255) - 128",
            "codes = np.round((x - lo.min()) / (hi.max() - lo.min()) * 255) - 128"),
        "hi below lo raises ValueError": quantize(
            "    if not np.all(hi > lo):\n        raise ValueError(\"hi must be larger than lo in every dimension\")\n", ""),
        "hi == lo raises ValueError (hi must be strictly larger)": quantize(
            "if not np.all(hi > lo):", "if not np.all(hi >= lo):"),
        "zero rows give a (0, d) array (rows stacked one by one: nothing to stack)": quantize(
            "    codes = np.round((x - lo) / (hi - lo) * 255) - 128\n",
            "    codes = np.stack([np.round((row - lo) / (hi - lo) * 255) - 128 for row in x])\n"),
        "returns int8": quantize("return np.clip(codes, -128, 127).astype(np.int8)", "return np.clip(codes, -128, 127)"),
    }),
    "binary_search_rescored": Contract(test="test_quantization", clauses={
        "shortlist may equal k": binary("not low <= value <= n:", "not low <= value <= n or (name == 'shortlist' and value == low):"),
        "shortlist may equal n": binary("not low <= value <= n:", "not low <= value < n + (name == 'k'):"),
        "read only the shortlisted rows of base_vectors": binary("np.asarray(base_vectors[np.sort(short)], dtype=np.float32)", "np.asarray(base_vectors, dtype=np.float32)[np.sort(short)]"),
        "shortlist by smallest Hamming distance (not largest)": binary(
            "short = np.lexsort((np.arange(n), distances))", "short = np.lexsort((np.arange(n), -distances))"),
        "Hamming distance counts differing bits (not differing bytes)": binary(
            "distances = popcount[np.bitwise_xor(base_bits, bits)].sum(axis=1)",
            "distances = (base_bits != bits).sum(axis=1)"),
        "query bits are query > 0 (not >= 0)": binary(
            "query_bits = np.packbits(queries > 0, axis=1)", "query_bits = np.packbits(queries >= 0, axis=1)"),
        "equal distances: the smaller row first in the shortlist": binary(
            "short = np.lexsort((np.arange(n), distances))", "short = np.lexsort((-np.arange(n), distances))"),
        "the shortlist has `shortlist` rows (not k)": binary("[:shortlist]", "[:k]"),
        "the shortlist is rescored (not returned in Hamming order)": binary(
            "best = np.lexsort((short, -exact))[:k]",
            "best = np.searchsorted(short, np.lexsort((np.arange(n), distances))[:shortlist])[:k]"),
        "rescored with the float query (not its signs)": binary(
            "dtype=np.float32) @ query", "dtype=np.float32) @ np.sign(query)"),
        "rescored by inner product (not cosine)": binary(
            "exact = np.asarray(base_vectors[np.sort(short)], dtype=np.float32) @ query",
            "exact = np.asarray(base_vectors[np.sort(short)], dtype=np.float32) @ query\n"
            "        exact = exact / np.linalg.norm(np.asarray(base_vectors[np.sort(short)], dtype=np.float32), axis=1)"),
        "best first": binary("best = np.lexsort((short, -exact))[:k]", "best = np.lexsort((short, exact))[:k]"),
        "equal scores: the smaller row first": binary(
            "best = np.lexsort((short, -exact))[:k]", "best = np.lexsort((-short, -exact))[:k]"),
        "scores float32 (not float64, even when rescored in float64)": binary(
            "scores = np.empty((len(queries), k), dtype=np.float32)", "scores = np.empty((len(queries), k))",
            "dtype=np.float32) @ query", "dtype=np.float64) @ query.astype(np.float64)"),
        "ids int64": binary("ids = np.empty((len(queries), k), dtype=np.int64)", "ids = np.empty((len(queries), k), dtype=np.int32)"),
        "shortlist < k raises ValueError (not silently widened)": binary(
            "    query_bits = np.packbits(queries > 0, axis=1)\n",
            "    query_bits = np.packbits(queries > 0, axis=1)\n    shortlist = max(shortlist, k)\n",
            '("shortlist", shortlist, k if isinstance(k, (int, np.integer)) else 1)', '("shortlist", shortlist, 1)'),
        "shortlist > n raises ValueError": binary(BINARY_CHECK, "not low <= value <= (n if name == \"k\" else np.inf):"),
        "zero queries give (0, k) arrays (rows gathered in a list: shape (0,))": binary(
            "    ids = np.empty((len(queries), k), dtype=np.int64)\n    scores = np.empty((len(queries), k), dtype=np.float32)\n",
            "    ids, scores = [], []\n",
            "        ids[row], scores[row] = short[best], exact[best]\n",
            "        ids.append(short[best])\n        scores.append(exact[best])\n",
            "    return ids, scores", "    return np.array(ids, dtype=np.int64), np.array(scores, dtype=np.float32)"),
        "an empty base raises ValueError (every slot empty instead)": binary(
            "    n = len(base_bits)\n", "    n = len(base_bits)\n    if n == 0:\n"
            "        return np.full((len(queries), k), -1, dtype=np.int64), np.full((len(queries), k), -np.inf, dtype=np.float32)\n"),
        "k = 0 raises ValueError": binary('(("k", k, 1),', '(("k", k, 0),'),
        "k must be an int (1.5 raises ValueError)": binary(
            "isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not low <= value <= n",
            "isinstance(value, bool) or not low <= value <= n"),
    }),
}
