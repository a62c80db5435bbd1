"""Lesson 10, embedding tables at scale: each clause of each graded docstring and a wrong answer that breaks only it."""
from contracts import Contract
from contracts._solution import swap, swap_tagged

ASSIGNMENT = "10_embedding_tables"


def tagged(source, grade_id, **edits):
    """`source` with the lines tagged `# @name` replaced by edits[name], swapped into grade_id."""
    return swap_tagged(ASSIGNMENT, grade_id, source, **edits)


UNIVERSAL_HASH = '''
def universal_hash(ids, num_buckets, seed=0, signed=False):
    if isinstance(num_buckets, bool) or not isinstance(num_buckets, (int, np.integer)) or num_buckets < 1:   # @buckets
        raise ValueError("num_buckets")
    ids = np.asarray(ids)                                                   # @asarray
    if ids.size == 0 and ids.dtype.kind == "f":                             # @emptylist
        ids = ids.astype(np.int64)
    if ids.dtype.kind not in "iu":                                          # @dtype
        raise TypeError("ids")
    if ids.size and (ids.min() < 0 or ids.max() >= P):                      # @range
        raise ValueError("ids")
    x = ids.astype(np.int64)                                                # @int64
    a, b, c, d = (int(v) for v in np.random.default_rng(seed).integers(1, P, size=4))   # @draw
    buckets = (a * x + b) % P % num_buckets                                 # @bucket
    if not signed:                                                          # @signed
        return buckets                                                      # @return
    signs = np.where((c * x + d) % P % 2 == 0, 1.0, -1.0).astype(np.float32)   # @sign
    return buckets, signs                                                   # @pair
'''


def universal_hash(**edits):
    return tagged(UNIVERSAL_HASH, "hashing", **edits)


COLLISION_FRACTION = '''
def collision_fraction(buckets):
    buckets = np.asarray(buckets)
    if buckets.size == 0:                                                   # @empty
        raise ValueError("buckets")
    _, inverse, sizes = np.unique(buckets, return_inverse=True, return_counts=True)
    return float(np.mean(sizes[inverse.ravel()] > 1))                       # @return
'''


def collision_fraction(**edits):
    return tagged(COLLISION_FRACTION, "hashing", **edits)


BIRTHDAY = '''
def birthday_fraction(n, num_buckets):
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:   # @n
        raise ValueError("n")
    if isinstance(num_buckets, bool) or not isinstance(num_buckets, (int, np.integer)) or num_buckets < 1:   # @buckets
        raise ValueError("num_buckets")
    return float(1.0 - (1.0 - 1.0 / num_buckets) ** (n - 1))                # @return
'''


def birthday_fraction(**edits):
    return tagged(BIRTHDAY, "hashing", **edits)


EMBEDDING_BAG = '''
def embedding_bag(weight, ids, offsets, mode="mean", per_sample_weights=None):
    if mode not in ("sum", "mean"):                                         # @mode
        raise ValueError("mode")
    n, n_bags, dim = ids.shape[0], offsets.shape[0], weight.shape[1]
    if n and (int(ids.min()) < 0 or int(ids.max()) >= weight.shape[0]):    # @ids
        raise ValueError("ids")
    if n_bags and (int(offsets[0]) != 0 or bool((offsets[1:] < offsets[:-1]).any()) or int(offsets[-1]) > n):   # @offsets
        raise ValueError("offsets")
    if per_sample_weights is not None and (mode != "sum" or per_sample_weights.shape != (n,)):   # @psw
        raise ValueError("per_sample_weights")
    lengths = torch.diff(offsets, append=offsets.new_tensor([n]))           # @lengths
    bag_of = torch.repeat_interleave(torch.arange(n_bags, device=weight.device), lengths)
    rows = weight[ids[:int(lengths.sum())]]                                 # @rows
    if per_sample_weights is not None:
        rows = rows * per_sample_weights.unsqueeze(1)                       # @weigh
    pooled = weight.new_zeros((n_bags, dim)).index_add(0, bag_of, rows)    # @pool
    if mode == "mean":
        pooled = pooled / lengths.clamp(min=1).unsqueeze(1).to(weight.dtype)   # @mean
    return pooled                                                           # @return
'''


def embedding_bag(**edits):
    return tagged(EMBEDDING_BAG, "embedding_bag", **edits)


HASHED_LOOKUP = '''
def hashed_lookup(ids, table, seed=0):
    buckets = universal_hash(ids.cpu().numpy(), table.shape[0], seed=seed)  # @hash
    return table[torch.as_tensor(buckets, device=table.device)]             # @return
'''


def hashed_lookup(**edits):
    return tagged(HASHED_LOOKUP, "hash_embeddings", **edits)


HASH_EMBEDDING = '''
def hash_embedding(ids, table, importance, seeds, importance_seed=0):
    seeds = list(seeds)                                                     # @list
    if not seeds or len(seeds) != importance.shape[1]:                      # @seeds
        raise ValueError("seeds")
    x = ids.cpu().numpy()
    rows = torch.as_tensor(universal_hash(x, importance.shape[0], seed=importance_seed), device=table.device)   # @rows
    weights = importance[rows]                                              # @weights
    vectors = 0                                                             # @init
    for j, seed in enumerate(seeds):                                        # @loop
        picked = table[torch.as_tensor(universal_hash(x, table.shape[0], seed=seed), device=table.device)]   # @picked
        vectors = vectors + weights[:, j:j + 1] * picked                    # @mix
    return vectors                                                          # @return
'''


def hash_embedding(**edits):
    return tagged(HASH_EMBEDDING, "hash_embeddings", **edits)


QR_EMBEDDING = '''
def qr_embedding(ids, quotient_table, remainder_table, op="mult"):
    if op not in ("mult", "concat"):                                        # @op
        raise ValueError("op")
    if op == "mult" and quotient_table.shape[1] != remainder_table.shape[1]:   # @widths
        raise ValueError("quotient_table and remainder_table")
    m, limit = remainder_table.shape[0], quotient_table.shape[0] * remainder_table.shape[0]   # @m
    if len(ids) and (int(ids.min()) < 0 or int(ids.max()) >= limit):       # @range
        raise ValueError("ids")
    q_rows, r_rows = quotient_table[ids // m], remainder_table[ids % m]     # @rows
    return q_rows * r_rows if op == "mult" else torch.cat([q_rows, r_rows], dim=1)   # @return
'''


def qr_embedding(**edits):
    return tagged(QR_EMBEDDING, "qr_embedding", **edits)


MIXED_BLOCKS = '''
def mixed_dim_blocks(counts, num_blocks, base_dim, alpha=0.5, min_dim=1):
    counts = np.asarray(counts)
    if counts.ndim != 1 or counts.size == 0 or counts.dtype.kind not in "iu" or counts.min() < 0 or counts.sum() <= 0:   # @counts
        raise ValueError("counts")
    for name, value, low, high in (("num_blocks", num_blocks, 1, counts.size), ("base_dim", base_dim, 1, None), ("min_dim", min_dim, 1, base_dim)):   # @limits
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low or (high is not None and value > high):   # @check
            raise ValueError(name)
    order = np.argsort(-counts, kind="stable")                              # @order
    block_of_id = np.empty(counts.size, dtype=np.int64)                     # @blockdtype
    row_in_block = np.empty(counts.size, dtype=np.int64)
    means = []
    for j, members in enumerate(np.array_split(order, num_blocks)):        # @split
        block_of_id[members] = j
        row_in_block[members] = np.arange(len(members))                     # @rows
        means.append(counts[members].mean())                                # @means
    dims = [max(int(min_dim), int(np.floor(base_dim * (p / means[0]) ** alpha + 0.5))) for p in means]   # @dims
    return block_of_id, row_in_block, dims                                  # @return
'''


def mixed_dim_blocks(**edits):
    return tagged(MIXED_BLOCKS, "mixed_dimensions", **edits)


MIXED_LOOKUP = '''
def mixed_dim_lookup(ids, block_of_id, row_in_block, tables, projections):
    if len(tables) != len(projections):                                     # @lengths
        raise ValueError("tables")
    blocks = torch.as_tensor(np.asarray(block_of_id), device=ids.device)[ids]   # @blocks
    rows = torch.as_tensor(np.asarray(row_in_block), device=ids.device)[ids]   # @rows
    out = projections[0].new_zeros((len(ids), projections[0].shape[1]))    # @out
    for b, (table, projection) in enumerate(zip(tables, projections)):
        where = torch.nonzero(blocks == b).flatten()
        if len(where):
            out = out.index_copy(0, where, table[rows[where]] @ projection)   # @copy
    return out                                                              # @return
'''


def mixed_dim_lookup(**edits):
    return tagged(MIXED_LOOKUP, "mixed_dimensions", **edits)


QUANTIZE = '''
def quantize_rows(table):
    x = np.asarray(table, dtype=np.float64)                                 # @x
    low, high = x.min(axis=1), x.max(axis=1)                                # @low
    scale = (high - low) / 255.0                                            # @scale
    safe = np.where(scale > 0, scale, 1.0)                                  # @safe
    codes = np.clip(np.rint((x - low[:, None]) / safe[:, None]), 0, 255).astype(np.uint8)   # @codes
    return codes, scale.astype(np.float32), low.astype(np.float32)          # @return
'''


def quantize_rows(**edits):
    return tagged(QUANTIZE, "quantize_rows", **edits)


DEQUANTIZE = '''
def dequantize_rows(codes, scale, offset):
    codes = np.asarray(codes)
    return (codes.astype(np.float32) * np.asarray(scale, np.float32)[:, None] + np.asarray(offset, np.float32)[:, None]).astype(np.float32)   # @return
'''


def dequantize_rows(**edits):
    return tagged(DEQUANTIZE, "quantize_rows", **edits)


ALL_TO_ALL = '''
def all_to_all_bytes(kind, dim, lookups, batch_size, num_shards):
    if kind not in ("table", "row", "column"):                              # @kind
        raise ValueError("kind")
    if num_shards < 1 or (kind == "table" and num_shards != 1):             # @shards
        raise ValueError("num_shards")
    ids_bytes, vector_bytes = 8 * batch_size * lookups, 4 * batch_size * dim   # @bytes
    if kind == "row":
        return int(ids_bytes + vector_bytes * num_shards)                   # @row
    if kind == "column":
        return int(ids_bytes * num_shards + vector_bytes)                   # @column
    return int(ids_bytes + vector_bytes)                                    # @table
'''


def all_to_all_bytes(**edits):
    return tagged(ALL_TO_ALL, "plan_sharding", **edits)


PLAN = '''
def plan_sharding(tables, device_memory, batch_size):
    if len(device_memory) == 0:                                             # @nodevice
        raise ValueError("device_memory")
    n_dev = len(device_memory)
    free = [int(m) for m in device_memory]                                  # @free
    plan, traffic = {}, {}
    for t in sorted(tables, key=lambda t: (-4 * t["rows"] * t["dim"], t["name"])):   # @order
        size = 4 * t["rows"] * t["dim"]                                     # @size
        best = max(range(n_dev), key=lambda i: (free[i], -i))               # @best
        if size <= free[best]:                                              # @fits
            kind, shards = "table", [(best, t["rows"], t["dim"])]
        elif t["dim"] > 2 * t["lookups"] and t["dim"] >= n_dev:             # @choose
            kind = "column"
            shards = [(i, t["rows"], len(c)) for i, c in enumerate(np.array_split(np.arange(t["dim"]), n_dev))]   # @columns
        else:
            kind = "row"
            shards = [(i, len(r), t["dim"]) for i, r in enumerate(np.array_split(np.arange(t["rows"]), n_dev))]   # @rowsplit
        for device, rows, cols in shards:
            if 4 * rows * cols > free[device]:                              # @shardfit
                raise ValueError("tables")
            free[device] -= 4 * rows * cols                                 # @subtract
        plan[t["name"]] = (kind, shards)                                    # @plan
        traffic[t["name"]] = all_to_all_bytes(kind, t["dim"], t["lookups"], batch_size, len(shards))   # @traffic
    memory = [int(m) - f for m, f in zip(device_memory, free)]              # @memory
    return plan, memory, traffic                                            # @return
'''


def plan_sharding(**edits):
    return tagged(PLAN, "plan_sharding", **edits)


CONTRACTS = {
    "universal_hash": Contract(test="test_hashing", clauses={
        "buckets are a NumPy int64 array whatever ids is (found by red-teaming)": universal_hash(
            **{"return": "return torch.as_tensor(buckets) if hasattr(ids_in, 'detach') else buckets"}, asarray="ids_in = ids\nids = np.asarray(ids)"),
        "bucket = ((a x + b) mod P) mod num_buckets (not x mod num_buckets)": universal_hash(bucket="buckets = x % num_buckets"),
        "the mod P comes before the mod num_buckets": universal_hash(bucket="buckets = (a * x + b) % num_buckets"),
        "a, b, c, d drawn from default_rng(seed) in that order": universal_hash(
            draw="b, a, c, d = (int(v) for v in np.random.default_rng(seed).integers(1, P, size=4))"),
        "the seed picks the hash function (not a fixed one)": universal_hash(
            draw="a, b, c, d = (int(v) for v in np.random.default_rng(0).integers(1, P, size=4))"),
        "a and b drawn in [1, P) (not [0, num_buckets))": universal_hash(
            draw="a, b, c, d = (int(v) for v in np.random.default_rng(seed).integers(1, num_buckets + 1, size=4))"),
        "computed in int64 (int32 overflows)": universal_hash(int64="x = ids.astype(np.int32)"),
        "the sign uses the second pair c, d": universal_hash(sign="signs = np.where((a * x + b) % P % 2 == 0, 1.0, -1.0).astype(np.float32)"),
        "sign +1 for an even value, -1 for an odd one": universal_hash(
            sign="signs = np.where((c * x + d) % P % 2 == 1, 1.0, -1.0).astype(np.float32)"),
        "signs are float32": universal_hash(sign="signs = np.where((c * x + d) % P % 2 == 0, 1, -1)"),
        "signed=True returns a tuple (buckets, signs)": universal_hash(pair="return np.stack([buckets, signs])"),
        "signed=False returns the buckets alone": universal_hash(signed="if False:"),
        "num_buckets < 1 raises ValueError": universal_hash(
            buckets="if isinstance(num_buckets, bool) or not isinstance(num_buckets, (int, np.integer)):"),
        "num_buckets must be an int (a float or a bool raises ValueError)": universal_hash(buckets="if num_buckets < 1:"),
        "ids outside [0, P) raise ValueError": universal_hash(range="if False:"),
        "ids equal to P raise ValueError (the bound is exclusive)": universal_hash(
            range="if ids.size and (ids.min() < 0 or ids.max() > P):"),
        "non-integer ids raise TypeError": universal_hash(dtype="if ids.dtype.kind not in 'iuf':"),
        "bool ids raise TypeError": universal_hash(dtype="if ids.dtype.kind not in 'iub':"),
        "ids may be a list or a tensor (read with np.asarray)": universal_hash(asarray="ids = ids if isinstance(ids, np.ndarray) else np.zeros(0)"),
        "an empty list counts as integer ids": universal_hash(emptylist="if False:"),
        "returns the buckets as int64 (ids of int32 too)": universal_hash(**{"return": "return buckets.astype(np.int32)"}),
        "the buckets keep the shape of ids": universal_hash(**{"return": "return buckets.ravel()"}),
        "one id gives a (1,) array, not a scalar": universal_hash(**{"return": "return buckets[0] if buckets.size == 1 else buckets"}),
        "zero ids keep their empty shape": universal_hash(**{"return": "return buckets if buckets.size else np.zeros(0, dtype=np.int64)"}),
        "ids are not modified": universal_hash(int64="x = ids.astype(np.int64, copy=False)\nids //= 1\nids[...] = ids[::-1] if ids.ndim == 1 else ids"),
    }),
    "collision_fraction": Contract(test="test_hashing", clauses={
        "counts ids whose bucket holds another id (not colliding pairs)": collision_fraction(
            **{"return": "return float((len(buckets) - len(np.unique(buckets))) / len(buckets))"}),
        "an id alone in its bucket does not count": collision_fraction(**{"return": "return float(np.mean(sizes[inverse.ravel()] >= 1))"}),
        "zero ids raise ValueError (not a nan mean)": collision_fraction(empty="if False:"),
        "returns a Python float": collision_fraction(**{"return": "return np.float32(np.mean(sizes[inverse.ravel()] > 1))"}),
        "accepts a list": swap(ASSIGNMENT, "hashing", '''
def collision_fraction(buckets):
    if len(buckets) == 0:
        raise ValueError("buckets")
    return float(np.mean([(buckets == v).sum() > 1 for v in buckets]))'''),
    }),
    "birthday_fraction": Contract(test="test_hashing", clauses={
        "1 - (1 - 1/B) ** (n - 1), not ** n": birthday_fraction(**{"return": "return float(1.0 - (1.0 - 1.0 / num_buckets) ** n)"}),
        "the exact formula, not the exponential approximation": birthday_fraction(
            **{"return": "return float(1.0 - np.exp(-(n - 1) / num_buckets))"}),
        "n < 1 raises ValueError": birthday_fraction(n="if isinstance(n, bool) or not isinstance(n, (int, np.integer)):"),
        "n must be an int": birthday_fraction(n="if n < 1:"),
        "num_buckets < 1 raises ValueError": birthday_fraction(
            buckets="if isinstance(num_buckets, bool) or not isinstance(num_buckets, (int, np.integer)):"),
        "num_buckets must be an int": birthday_fraction(buckets="if num_buckets < 1:"),
        "returns a Python float": birthday_fraction(**{"return": "return np.float32(1.0 - (1.0 - 1.0 / num_buckets) ** (n - 1))"}),
    }),
    "embedding_bag": Contract(test="test_embedding_bag", clauses={
        "bag i runs to the next offset, the last bag to the end": embedding_bag(
            lengths="lengths = torch.diff(offsets, append=offsets.new_tensor([offsets[-1] + 1 if len(offsets) else n]))"),
        "sum mode sums the rows": embedding_bag(pool="pooled = weight.new_zeros((n_bags, dim)).index_add(0, bag_of, rows) * 1.5"),
        "mean mode divides by the bag's length": embedding_bag(mean="pooled = pooled / max(n, 1)"),
        "an empty bag gives zeros in mean mode (no division by zero)": embedding_bag(
            mean="pooled = pooled / lengths.unsqueeze(1).to(weight.dtype)"),
        "per_sample_weights multiply each row": embedding_bag(weigh="rows = rows"),
        "per_sample_weights with mode 'mean' raise ValueError": embedding_bag(
            psw="if per_sample_weights is not None and per_sample_weights.shape != (n,):"),
        "per_sample_weights of the wrong length raise ValueError": embedding_bag(
            psw="if per_sample_weights is not None and mode != 'sum':"),
        "another mode raises ValueError": embedding_bag(mode="if mode not in ('sum', 'mean', 'max', 'MEAN'):"),
        "an id outside [0, V) raises ValueError (not an IndexError)": embedding_bag(ids="if False:"),
        "a negative id raises ValueError (no wrap-around)": embedding_bag(
            ids="if n and int(ids.max()) >= weight.shape[0]:"),
        "offsets must start at 0": embedding_bag(
            offsets="if n_bags and (bool((offsets[1:] < offsets[:-1]).any()) or int(offsets[-1]) > n):"),
        "decreasing offsets raise ValueError": embedding_bag(
            offsets="if n_bags and (int(offsets[0]) != 0 or int(offsets[-1]) > n):"),
        "an offset beyond N raises ValueError": embedding_bag(
            offsets="if n_bags and (int(offsets[0]) != 0 or bool((offsets[1:] < offsets[:-1]).any())):"),
        "an offset equal to N (an empty last bag) is allowed": embedding_bag(
            offsets="if n_bags and (int(offsets[0]) != 0 or bool((offsets[1:] < offsets[:-1]).any()) or int(offsets[-1]) >= n):"),
        "differentiable with respect to weight (no detach)": embedding_bag(rows="rows = weight.detach()[ids[:int(lengths.sum())]]"),
        "differentiable with respect to per_sample_weights": embedding_bag(
            weigh="rows = rows * per_sample_weights.detach().unsqueeze(1)"),
        "the result has weight's dtype (float64 stays float64)": embedding_bag(
            pool="pooled = torch.zeros((n_bags, dim)).index_add(0, bag_of, rows.float())"),
        "zero bags give (0, d) whatever the ids": embedding_bag(rows="rows = weight[ids]"),
        "zero ids in B bags give B rows of zeros (no crash)": embedding_bag(
            lengths="lengths = torch.diff(offsets, append=offsets.new_tensor([n])) if n else None"),
        "one bag gives (1, d), not (d,)": embedding_bag(**{"return": "return pooled.squeeze(0)"}),
        "weight is not modified": embedding_bag(rows="rows = weight[ids[:int(lengths.sum())]]\nweight.data.mul_(1.0001)"),
    }),
    "hashed_lookup": Contract(test="test_hash_embeddings", clauses={
        "rows on the table's device (found by red-teaming)": hashed_lookup(**{"return": "return table.cpu()[torch.as_tensor(buckets)]"}),
        "row universal_hash(ids, len(table), seed) (the seed is used)": hashed_lookup(
            hash="buckets = universal_hash(ids.cpu().numpy(), table.shape[0], seed=0)"),
        "len(table) buckets (not a fixed number)": hashed_lookup(
            hash="buckets = universal_hash(ids.cpu().numpy(), 2, seed=seed) % table.shape[0]"),
        "the result keeps the shape of ids plus d": hashed_lookup(
            hash="buckets = universal_hash(ids.cpu().numpy().ravel(), table.shape[0], seed=seed)"),
        "differentiable with respect to table": hashed_lookup(
            **{"return": "return table.detach()[torch.as_tensor(buckets, device=table.device)]"}),
        "one id gives (1, d)": hashed_lookup(**{"return": "return table[torch.as_tensor(buckets, device=table.device)].squeeze(0)"}),
    }),
    "hash_embedding": Contract(test="test_hash_embeddings", clauses={
        "importance row from importance_seed": hash_embedding(
            rows="rows = torch.as_tensor(universal_hash(x, importance.shape[0], seed=seeds[0]), device=table.device)"),
        "importance row hashed into R rows (not the id itself)": hash_embedding(
            rows="rows = torch.as_tensor(x % importance.shape[0], device=table.device)"),
        "table row j from seeds[j]": hash_embedding(
            picked="picked = table[torch.as_tensor(universal_hash(x, table.shape[0], seed=seeds[0]), device=table.device)]"),
        "weighted by importance column j": hash_embedding(mix="vectors = vectors + weights[:, 0:1] * picked"),
        "a weighted sum, not a mean": hash_embedding(mix="vectors = vectors + weights[:, j:j + 1] * picked / len(seeds)"),
        "the importance weights are used (not all ones)": hash_embedding(mix="vectors = vectors + picked"),
        "differentiable with respect to the importance weights": hash_embedding(weights="weights = importance.detach()[rows]"),
        "differentiable with respect to the table": hash_embedding(
            picked="picked = table.detach()[torch.as_tensor(universal_hash(x, table.shape[0], seed=seed), device=table.device)]"),
        "seeds of the wrong length raise ValueError": hash_embedding(seeds="if not seeds:"),
        "no seeds raise ValueError": hash_embedding(seeds="if seeds and len(seeds) != importance.shape[1]:"),
        "seeds may be a tuple": hash_embedding(list="seeds = seeds if isinstance(seeds, list) else []"),
        "zero ids give (0, d) (not a zero-dimensional 0)": hash_embedding(loop="for j, seed in enumerate(seeds if len(x) else []):"),
        "one id gives (1, d)": hash_embedding(**{"return": "return vectors.squeeze(0)"}),
    }),
    "qr_embedding": Contract(test="test_qr_embedding", clauses={
        "x // m in integers, not through a float division (found by red-teaming)": qr_embedding(
            rows="q_rows, r_rows = quotient_table[(ids / m).long()], remainder_table[ids - (ids / m).long() * m]"),
        "quotient row x // m and remainder row x % m (not swapped)": qr_embedding(
            rows="q_rows, r_rows = quotient_table[ids % quotient_table.shape[0]], remainder_table[ids // quotient_table.shape[0]]"),
        "m is the number of remainder rows": qr_embedding(
            m="m, limit = quotient_table.shape[0], quotient_table.shape[0] * remainder_table.shape[0]"),
        "'mult' multiplies the rows": qr_embedding(**{"return": "return q_rows + r_rows if op == 'mult' else torch.cat([q_rows, r_rows], dim=1)"}),
        "'concat' puts the quotient row first": qr_embedding(
            **{"return": "return q_rows * r_rows if op == 'mult' else torch.cat([r_rows, q_rows], dim=1)"}),
        "another op raises ValueError": qr_embedding(op="if op not in ('mult', 'concat', 'add', 'sum', 'Mult', None):"),
        "'mult' with different widths raises ValueError": qr_embedding(widths="if False:"),
        "'concat' allows different widths": qr_embedding(widths="if quotient_table.shape[1] != remainder_table.shape[1]:"),
        "ids beyond Q * m raise ValueError": qr_embedding(range="if len(ids) and int(ids.min()) < 0:"),
        "negative ids raise ValueError": qr_embedding(range="if len(ids) and int(ids.max()) >= limit:"),
        "the largest id Q * m - 1 is allowed": qr_embedding(range="if len(ids) and (int(ids.min()) < 0 or int(ids.max()) >= limit - 1):"),
        "differentiable with respect to both tables": qr_embedding(
            rows="q_rows, r_rows = quotient_table.detach()[ids // m], remainder_table[ids % m]"),
        "one id gives (1, width)": qr_embedding(
            **{"return": "return (q_rows * r_rows if op == 'mult' else torch.cat([q_rows, r_rows], dim=1)).squeeze(0)"}),
    }),
    "mixed_dim_blocks": Contract(test="test_mixed_dimensions", clauses={
        "floor(x + 0.5), not round half to even (found by red-teaming)": mixed_dim_blocks(
            dims="dims = [max(int(min_dim), int(round(base_dim * (p / means[0]) ** alpha))) for p in means]"),
        "most frequent first": mixed_dim_blocks(order="order = np.argsort(counts, kind='stable')"),
        "ties: the smaller id first (a stable sort)": mixed_dim_blocks(order="order = np.lexsort((-np.arange(counts.size), -counts))"),
        "np.array_split into consecutive blocks": mixed_dim_blocks(split="for j, members in enumerate([order[k::num_blocks] for k in range(num_blocks)]):"),
        "rows numbered in the sorted order": mixed_dim_blocks(rows="row_in_block[members] = np.argsort(np.argsort(members))"),
        "p_j is the mean count, not the total": mixed_dim_blocks(means="means.append(counts[members].sum())"),
        "width base_dim * (p_j / p_0) ** alpha": mixed_dim_blocks(
            dims="dims = [max(int(min_dim), int(np.floor(base_dim * (p / means[0]) * alpha + 0.5))) for p in means]"),
        "rounded to the nearest integer (not truncated)": mixed_dim_blocks(
            dims="dims = [max(int(min_dim), int(base_dim * (p / means[0]) ** alpha)) for p in means]"),
        "never below min_dim": mixed_dim_blocks(dims="dims = [max(1, int(np.floor(base_dim * (p / means[0]) ** alpha + 0.5))) for p in means]"),
        "dims are Python ints": mixed_dim_blocks(
            dims="dims = [max(min_dim, np.floor(base_dim * (p / means[0]) ** alpha + 0.5)) for p in means]"),
        "block_of_id and row_in_block are int64": mixed_dim_blocks(blockdtype="block_of_id = np.empty(counts.size, dtype=np.int32)"),
        "negative or all-zero counts raise ValueError": mixed_dim_blocks(
            counts="if counts.ndim != 1 or counts.size == 0 or counts.dtype.kind not in 'iu':"),
        "float or 2-D counts raise ValueError": mixed_dim_blocks(
            counts="if counts.size == 0 or counts.min() < 0 or counts.sum() <= 0:"),
        "num_blocks above n raises ValueError": mixed_dim_blocks(
            limits="for name, value, low, high in (('num_blocks', num_blocks, 1, None), ('base_dim', base_dim, 1, None), ('min_dim', min_dim, 1, base_dim)):"),
        "min_dim above base_dim raises ValueError": mixed_dim_blocks(
            limits="for name, value, low, high in (('num_blocks', num_blocks, 1, counts.size), ('base_dim', base_dim, 1, None), ('min_dim', min_dim, 1, None)):"),
        "a float num_blocks raises ValueError": mixed_dim_blocks(
            check="if value < low or (high is not None and value > high):"),
    }),
    "mixed_dim_lookup": Contract(test="test_mixed_dimensions", clauses={
        "a block as wide as D is projected too (found by red-teaming)": mixed_dim_lookup(
            copy="out = out.index_copy(0, where, table[rows[where]] if table.shape[1] == projection.shape[1] else table[rows[where]] @ projection)"),
        "row row_in_block[x] of block block_of_id[x]": mixed_dim_lookup(rows="rows = ids"),
        "projected by the block's own matrix": mixed_dim_lookup(copy="out = out.index_copy(0, where, table[rows[where]] @ projections[0][:table.shape[1]])"),
        "in the order of ids": swap(ASSIGNMENT, "mixed_dimensions", '''
def mixed_dim_lookup(ids, block_of_id, row_in_block, tables, projections):
    if len(tables) != len(projections):
        raise ValueError("tables")
    blocks = torch.as_tensor(np.asarray(block_of_id))[ids]
    rows = torch.as_tensor(np.asarray(row_in_block))[ids]
    parts = [table[rows[blocks == b]] @ projection for b, (table, projection) in enumerate(zip(tables, projections))]
    return torch.cat(parts) if parts else projections[0].new_zeros((0, projections[0].shape[1]))'''),
        "differentiable with respect to tables and projections": mixed_dim_lookup(
            copy="out = out.index_copy(0, where, (table[rows[where]] @ projection).detach())"),
        "tables and projections of different lengths raise ValueError": mixed_dim_lookup(lengths="if len(tables) == 0:"),
        "zero ids give (0, D)": mixed_dim_lookup(out="out = projections[0].new_zeros((max(len(ids), 1), projections[0].shape[1]))"),
    }),
    "quantize_rows": Contract(test="test_quantize_rows", clauses={
        "a constant row has scale exactly 0 (found by red-teaming)": quantize_rows(scale="scale = np.maximum((high - low) / 255.0, 1e-8)"),
        "a float64 table is not modified (found by red-teaming)": quantize_rows(
            **{"return": "result = codes, scale.astype(np.float32), low.astype(np.float32)\nx[...] = 0.0\nreturn result"}),
        "offset is the row's minimum": quantize_rows(low="low, high = x.mean(axis=1), x.max(axis=1)"),
        "scale is the row's range / 255": quantize_rows(scale="scale = (high - low) / 256.0"),
        "per row, not one scale for the table": quantize_rows(
            scale="scale = np.full(len(x), (high.max() - low.min()) / 255.0) if len(x) else np.zeros(0)"),
        "codes rounded to the nearest integer": quantize_rows(
            codes="codes = np.clip(np.floor((x - low[:, None]) / safe[:, None]), 0, 255).astype(np.uint8)"),
        "a constant row gets scale 0 and codes 0 (no division by zero)": quantize_rows(safe="safe = scale"),
        "codes are uint8": quantize_rows(codes="codes = np.clip(np.rint((x - low[:, None]) / safe[:, None]), 0, 255).astype(np.int16)"),
        "scale and offset are float32": quantize_rows(**{"return": "return codes, scale, low"}),
        "accepts a nested list": quantize_rows(x="x = table.astype(np.float64)"),
        "zero rows give (0, d), (0,), (0,) (no reshape of an empty table)": quantize_rows(
            codes="codes = np.clip(np.rint((x - low[:, None]) / safe[:, None]), 0, 255).astype(np.uint8).reshape(len(x), -1)"),
        "the offset is the minimum, the scale uses the maximum": quantize_rows(low="low, high = x.min(axis=1), x.min(axis=1) + np.ptp(x, axis=1) * 0.99"),
        "the table is not modified": quantize_rows(x="x = np.asarray(table, dtype=np.float64)\nif isinstance(table, np.ndarray) and table.size:\n    table -= table.min(axis=1, keepdims=True) * 0 + 1e-3"),
    }),
    "dequantize_rows": Contract(test="test_quantize_rows", clauses={
        "codes * scale + offset": dequantize_rows(**{"return": "return (codes.astype(np.float32) * np.asarray(scale, np.float32)[:, None]).astype(np.float32)"}),
        "scale and offset are per row (broadcast over columns)": dequantize_rows(
            **{"return": "return (codes.astype(np.float32) * np.asarray(scale, np.float32)[None, :codes.shape[1]] + np.asarray(offset, np.float32)[None, :codes.shape[1]]).astype(np.float32) if codes.shape[0] != codes.shape[1] else codes * 0"}),
        "returns float32 even for float64 scale and offset": dequantize_rows(
            **{"return": "return codes * np.asarray(scale)[:, None] + np.asarray(offset)[:, None]"}),
        "returns float32": dequantize_rows(**{"return": "return codes.astype(np.float64) * np.asarray(scale, np.float64)[:, None] + np.asarray(offset, np.float64)[:, None]"}),
    }),
    "all_to_all_bytes": Contract(test="test_plan_sharding", clauses={
        "table-wise: ids once and vectors once": all_to_all_bytes(table="return int(vector_bytes)"),
        "row-wise: every shard returns partial sums": all_to_all_bytes(row="return int(ids_bytes + vector_bytes)"),
        "column-wise: every shard needs every id": all_to_all_bytes(column="return int(ids_bytes + vector_bytes)"),
        "ids are 8 bytes and values 4": all_to_all_bytes(bytes="ids_bytes, vector_bytes = 4 * batch_size * lookups, 4 * batch_size * dim"),
        "another kind raises ValueError": all_to_all_bytes(kind="if kind not in ('table', 'row', 'column', 'rows', 'grid', 'Table'):"),
        "a table on several shards raises ValueError": all_to_all_bytes(shards="if num_shards < 1:"),
        "num_shards < 1 raises ValueError": all_to_all_bytes(shards="if kind == 'table' and num_shards != 1:"),
        "returns a Python int": all_to_all_bytes(row="return np.int64(ids_bytes + vector_bytes * num_shards)"),
    }),
    "plan_sharding": Contract(test="test_plan_sharding", clauses={
        "the list of tables is not reordered (found by red-teaming)": plan_sharding(
            order="tables.sort(key=lambda t: (-4 * t['rows'] * t['dim'], t['name']))\nfor t in tables:"),
        "device_memory is not modified (found by red-teaming)": plan_sharding(
            free="capacity = [int(m) for m in device_memory]\nfree = device_memory", memory="memory = [c - f for c, f in zip(capacity, free)]"),
        "largest table first": plan_sharding(order="for t in sorted(tables, key=lambda t: (4 * t['rows'] * t['dim'], t['name'])):"),
        "ties broken by name": plan_sharding(order="for t in sorted(tables, key=lambda t: -4 * t['rows'] * t['dim']):"),
        "the device with the most free memory": plan_sharding(best="best = next((i for i in range(n_dev) if free[i] >= size), 0)"),
        "ties: the lowest index": plan_sharding(best="best = max(range(n_dev), key=lambda i: (free[i], i))"),
        "a table that fits goes whole (free memory, not capacity)": plan_sharding(fits="if size <= int(device_memory[best]):"),
        "column-wise when dim > 2 * lookups": plan_sharding(choose="elif t['dim'] > t['lookups'] and t['dim'] >= n_dev:"),
        "row-wise otherwise": plan_sharding(choose="elif t['dim'] >= n_dev:"),
        "column-wise only when dim >= the number of devices": plan_sharding(choose="elif t['dim'] > 2 * t['lookups']:"),
        "np.array_split sizes for rows (first shards get the extra)": plan_sharding(
            rowsplit="shards = [(i, len(r), t['dim']) for i, r in enumerate(np.array_split(np.arange(t['rows']), n_dev)[::-1])]"),
        "np.array_split sizes for columns": plan_sharding(
            columns="shards = [(i, t['rows'], t['dim'] // n_dev) for i in range(n_dev)]"),
        "a shard that does not fit raises ValueError": plan_sharding(shardfit="if False:"),
        "free memory is updated after each placement": plan_sharding(subtract="pass"),
        "memory counts the bytes used": plan_sharding(memory="memory = free"),
        "traffic from all_to_all_bytes with the number of shards": plan_sharding(
            traffic="traffic[t['name']] = all_to_all_bytes(kind, t['dim'], t['lookups'], batch_size, 1 if kind == 'table' else 2)"),
        "plan maps names to (kind, shards)": plan_sharding(plan="plan[t['name']] = (kind, shards[0] if len(shards) == 1 else shards)"),
        "no devices raise ValueError": plan_sharding(nodevice="if False:"),
        "memory is a list of Python ints": plan_sharding(memory="memory = np.array(device_memory) - np.array(free)"),
        "the input tables are not modified": plan_sharding(
            size="size = 4 * t['rows'] * t['dim']\nt['placed'] = True"),
    }),
}
