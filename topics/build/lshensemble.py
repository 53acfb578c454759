"""Candidate pairs for containment search: LSH Ensemble (Zhu et al., VLDB 2016) in numpy.

Given MinHash signatures and set sizes, :func:`candidate_pairs` returns the pairs of documents
whose containment (of one in the other) may reach a threshold; :mod:`topics.build.dedup` then checks
each pair exactly. It follows datasketch's ``MinHashLSHEnsemble`` — the same banding
parameters (``datasketch.lshensemble._optimal_param``: for each ratio of partition size to query
size, the number of bands ``b`` and band width ``r`` that balance false positives and
negatives), the same bands (the first ``b`` bands of width ``r``), every document queried
against every partition — with differences that make it fast and keep its work linear:

* partitions are equi-depth by size (equal numbers of documents), not datasketch's "optimal"
  partitioning, whose dynamic programme costs the square of the number of distinct sizes
  (40 s for 2,449 documents); the paper shows equi-depth is close to optimal — but only when
  each partition spans a narrow range of sizes. A query is banded for the *largest* size of the
  partition, so one very long document at the top of a partition made every much shorter
  document query it with single-value bands (``r = 1``): at 10^5 documents that proposed 3.7
  million pairs, nearly all of documents sharing a sentence. So a partition wider than
  :data:`MAX_SIZE_RATIO` (largest / smallest size) is split further;
* the band tables are sorted numpy arrays matched with ``searchsorted``, one call per partition,
  band width and band, instead of a Python dictionary lookup per document and band; band
  keys are computed for the rows a band needs, never kept for all bands;
* matches are produced a bounded block at a time and may be filtered as they come (``keep``),
  so memory holds the pairs that pass the filter, not every match.

Deterministic: no randomness, stable sorts, pairs returned sorted.
"""

from __future__ import annotations

import functools
from typing import Callable

import numpy as np

__all__ = ["BandingTable", "banding_table", "candidate_pairs", "partitions"]

#: ratios ``x/q`` and the ``(b, r)`` to use up to each ratio (see :func:`banding_table`)
BandingTable = tuple[np.ndarray, np.ndarray]

_MIX = np.uint64(0x9E3779B97F4A7C15)
#: largest / smallest size within a partition: a query's bands are chosen for the largest one
MAX_SIZE_RATIO = 1.5
#: matches handled at once (pairs of int64): bounds memory whatever the bucket sizes
BLOCK_PAIRS = 1 << 20


@functools.lru_cache(maxsize=16)
def banding_table(threshold: float, num_perm: int, max_r: int = 8,
                  weights: tuple[float, float] = (0.5, 0.5)) -> BandingTable:
    """datasketch's table: ratios ``x/q`` and the ``(b, r)`` to use up to each ratio.

    Costs 0.23 s in a fresh process (importing datasketch and scipy, ten numerical integrations): a caller that
    builds often keeps it (the build stores it in its cache, keyed by the arguments and
    datasketch's version)."""
    # imported here: datasketch brings scipy, which the build's worker processes (they import this
    # module through topics.build.dedup) would load for nothing, ~1 s each
    from datasketch.lshensemble import _optimal_param

    xqs = np.exp(np.linspace(-5, 5, 10))
    params = np.array([_optimal_param(threshold, num_perm, max_r, xq, *weights) for xq in xqs], dtype=np.int64)
    return xqs, params


def _band_keys(values: np.ndarray) -> np.ndarray:
    """One uint64 key per row of ``values`` (the ``r`` signature values of one band)."""
    values = values.astype(np.uint64)
    r = values.shape[1]
    if r == 1:
        return values[:, 0]
    if r == 2:
        return (values[:, 0] << np.uint64(32)) | values[:, 1]
    keys = np.zeros(len(values), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for column in range(r):
            keys = (keys ^ values[:, column]) * _MIX
            keys ^= keys >> np.uint64(31)
    return keys


def partitions(sizes: np.ndarray, num_part: int = 16, max_ratio: float = MAX_SIZE_RATIO) -> list[np.ndarray]:
    """Positions of the documents by size: ``num_part`` equi-depth partitions, each split further
    so that its largest size is at most ``max_ratio`` times its smallest."""
    sizes = np.asarray(sizes, dtype=np.float64)
    found = []
    for part in np.array_split(np.argsort(sizes, kind="stable"), min(num_part, len(sizes))):
        ordered = sizes[part]
        start = 0
        while start < len(part):
            end = max(int(np.searchsorted(ordered, ordered[start] * max_ratio, side="right")), start + 1)
            found.append(part[start:end])
            start = end
    return found


def candidate_pairs(signatures: np.ndarray, sizes: np.ndarray, threshold: float, num_part: int = 16,
                    keep: Callable[[np.ndarray], np.ndarray] | None = None,
                    banding: Callable[[float, int], BandingTable] = banding_table) -> np.ndarray:
    """Pairs ``(i, j)``, ``i < j``, that LSH Ensemble finds for containment ``threshold``.

    Parameters
    ----------
    signatures : MinHash values, one row per document (all of the same scheme and length).
    sizes : number of distinct elements of each document's set (> 0).
    threshold : containment threshold of the search (candidates, not the final check).
    num_part : number of equi-depth size partitions (before splitting wide ones).
    keep : optional filter: given a block of pairs (m × 2), which to keep (a boolean mask).
        Applied as matches are found, so memory holds only what it keeps.
    banding : ``(threshold, num_perm) -> table``: :func:`banding_table`, or a memo of it.

    Returns
    -------
    int64 array of shape (m, 2), rows sorted.

    Notes
    -----
    A document *q* queries partition *P* with the bands ``(b, r)`` of the ratio (largest size in
    *P*) / (size of *q*); the pair (*q*, *m*), *m* in *P*, is a candidate when one of those *b*
    bands of width *r* has equal keys. Bands are visited once each: the keys of every document
    for band *k* of width *r* are sorted, and within each group of equal keys a member *m* pairs
    with the documents that ask its partition for that band.
    """
    n, num_perm = signatures.shape
    if n < 2:
        return np.zeros((0, 2), dtype=np.int64)
    sizes = np.asarray(sizes, dtype=np.float64)
    xqs, params = banding(float(threshold), int(num_perm))
    parts = partitions(sizes, num_part)
    upper = np.empty(n)  # the largest size in each document's partition
    asked: dict[int, np.ndarray] = {}  # band width -> per partition, the number of bands asked of it
    for index, part in enumerate(parts):
        upper[part] = sizes[part].max()
        which = np.unique(np.minimum(np.searchsorted(xqs, upper[part[0]] / sizes, side="left"), len(params) - 1))
        for b, r in params[which].tolist():
            counts = asked.setdefault(r, np.zeros(len(parts), dtype=np.int64))
            counts[index] = max(counts[index], b)
    part_of = np.empty(n, dtype=np.int64)
    for index, part in enumerate(parts):
        part_of[part] = index
    kept: list[np.ndarray] = []  # pair codes i * n + j
    for r in sorted(asked):
        for k in range(int(asked[r].max())):
            keys = _band_keys(signatures[:, k * r:(k + 1) * r])
            members = np.flatnonzero(asked[r][part_of] > k)  # documents whose partition is asked band k
            kept.extend(_band_matches(keys, members, upper, sizes, xqs, params, r, k, n, keep))
    if not kept:
        return np.zeros((0, 2), dtype=np.int64)
    codes = np.unique(np.concatenate(kept))
    return np.stack([codes // n, codes % n], axis=1)


def _band_matches(keys: np.ndarray, members: np.ndarray, upper: np.ndarray, sizes: np.ndarray, xqs: np.ndarray,
                  params: np.ndarray, r: int, k: int, n: int,
                  keep: Callable[[np.ndarray], np.ndarray] | None) -> list[np.ndarray]:
    """Codes ``i * n + j`` (``i < j``) of the pairs (member, query) with equal ``keys`` where the
    query asks band ``k`` of width ``r`` of the member's partition; filtered by ``keep``; found a
    block of at most :data:`BLOCK_PAIRS` matches at a time."""
    order = np.argsort(keys)  # the order within a group of equal keys does not matter
    ordered = keys[order]
    first = np.concatenate([[True], ordered[1:] != ordered[:-1]])
    bucket_start = np.flatnonzero(first)
    bucket_size = np.diff(np.append(bucket_start, n))
    bucket_of = np.empty(n, dtype=np.int64)
    bucket_of[order] = np.cumsum(first) - 1
    members = members[bucket_size[bucket_of[members]] > 1]  # alone in its bucket: no match
    if not len(members):
        return []
    counts = bucket_size[bucket_of[members]]
    ends = np.cumsum(counts)
    found = []
    done = 0
    while done < len(members):
        before = int(ends[done - 1]) if done else 0
        last = max(int(np.searchsorted(ends, before + BLOCK_PAIRS, side="right")), done + 1)
        block, block_counts = members[done:last], counts[done:last]
        total = int(ends[last - 1]) - before
        offsets = np.arange(total) - np.repeat(np.cumsum(block_counts) - block_counts, block_counts)
        member = np.repeat(block, block_counts)
        query = order[np.repeat(bucket_start[bucket_of[block]], block_counts) + offsets]
        which = np.minimum(np.searchsorted(xqs, upper[member] / sizes[query], side="left"), len(params) - 1)
        asks = (params[which, 1] == r) & (params[which, 0] > k) & (query != member)
        pairs = np.stack([member[asks], query[asks]], axis=1)
        pairs.sort(axis=1)
        if keep is not None and len(pairs):
            pairs = pairs[keep(pairs)]
        if len(pairs):
            found.append(np.unique(pairs[:, 0] * n + pairs[:, 1]))
        done = last
    return found
