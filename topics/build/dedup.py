"""Find speeches that repeat other speeches: near-verbatim duplicates and short previews.

Sites often carry the same speech twice (differing by a few characters) or show a short
"preview" of a speech that follows in full. Both are found with character 5-gram shingles and
*containment* ``|A ∩ B| / |A|`` of the shorter text A in the longer B:

* containment ≥ ``threshold`` and similar lengths (the shorter has at least
  ``duplicate_ratio`` of the longer's shingles) → ``duplicate`` of the *earlier* speech;
* containment ≥ ``threshold`` and the shorter is much shorter → ``preview`` of the longer one.

Candidates come from a MinHash LSH Ensemble (:mod:`topics.build.lshensemble`), built for containment queries,
so there is no all-pairs loop. A candidate is checked exactly only if its MinHash signatures
leave it a chance: containment ``c`` of A (``q`` shingles) in B (``x`` shingles) implies Jaccard
similarity at least ``c·q / (x + q − c·q)``, and the number of equal signature values of two texts
is binomial in their Jaccard similarity; a pair whose count is below what that least similarity
gives with probability :data:`MISS_PROBABILITY` cannot be a link (it is set aside before any
shingle is read). A short text inside much longer ones keeps that chance on one or two equal
values, so every long text that shares a sentence with it stays a candidate, and their number
grows with the corpus: of these "long shots" (pairs whose signatures do not show the similarity
a link needs) a text is checked against at most :data:`LONG_SHOTS`, the most similar first.
The rest are checked with the exact containment of the shingle sets, read a bounded block of
documents at a time. Texts with identical shingle sets are grouped first and
searched as one, so a compilation that repeats a speech hundreds of times costs one check per
group, not one per pair of copies. Hash functions use fixed seeds, and ties are broken by corpus
order: results are deterministic.

The work is split so that the per-document part can run where the text is (the build's worker
processes): :func:`sketch` turns one text into a small :class:`Sketch` (its shingle count and
its MinHash signature, computed with vectorised 32-bit affine permutations — datasketch's
``affine32`` scheme, without its per-value Python hashing). :func:`link_duplicates` takes the
sketches (a list, or a :class:`SketchTable` of two arrays, as the build keeps them), finds
candidate pairs and checks them, asking for the shingles of candidates (and of documents with
equal sketches) only; :func:`find_duplicates` does both for texts in memory.

Examples
--------
>>> speech = ("同志们：今天我们召开全县人口和计划生育工作会议，总结去年工作，部署今年任务。"
...           "去年全县出生人口控制在计划之内，政策符合率稳步提高，优质服务不断深化。"
...           "今年要稳定低生育水平，加强流动人口服务管理，落实奖励扶助政策。")
>>> links = find_duplicates([("a#0", speech), ("a#1", speech[:30]), ("b#0", speech + "谢谢")])
>>> sorted((k, v.duplicate_of, v.kind) for k, v in links.items())
[('a#1', 'a#0', 'preview'), ('b#0', 'a#0', 'duplicate')]
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

import numpy as np

from ..common.arrays import sorted_unique
from .lshensemble import BandingTable, banding_table, candidate_pairs

SHINGLE = 5
NUM_PERM = 128
SEED = 1
# Candidate search is looser than the final check so that MinHash noise does not lose pairs
# (0.3: a 100-character preview of an 800-character speech is found every time; with 0.15
# about half the time). Extra candidates only cost an exact check.
_CANDIDATE_SLACK = 0.3
#: chance that a pair whose containment reaches the threshold is set aside by its signatures
#: (:func:`_may_reach`): small against the LSH search's own misses
MISS_PROBABILITY = 1e-6
#: candidate pairs checked exactly at a time (their documents' shingles are read together)
VERIFY_PAIRS = 2048
#: per document, the candidates checked although their signatures estimate a containment below
#: the threshold (a short text in a much longer one keeps a chance on one or two equal values, and
#: every long text that shares a sentence with it is such a candidate: their number grows with the
#: corpus); the most similar are checked first
LONG_SHOTS = 64
_NOT_TEXT = re.compile(r"[\W_]+")  # whitespace and punctuation: formatting, not content
_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)


@dataclass(frozen=True)
class DuplicateLink:
    """``doc_id`` repeats ``duplicate_of`` (the canonical speech); ``kind`` is duplicate|preview."""

    doc_id: str
    duplicate_of: str
    kind: str
    similarity: float


def shingles(text: str, size: int = SHINGLE) -> np.ndarray:
    """Sorted unique 32-bit hashes of the character ``size``-grams of ``text``.

    Whitespace and punctuation are ignored. A text shorter than ``size`` is one shingle.
    The hash is a fixed polynomial over code points (no Python ``hash``), so results do not
    depend on the process.
    """
    codes = np.frombuffer(_NOT_TEXT.sub("", text).encode("utf-32-le"), dtype=np.uint32)
    if codes.size == 0:
        return np.zeros(0, dtype=np.uint32)
    codes = codes.astype(np.uint64)
    n = max(codes.size - size + 1, 1)
    h = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(min(size, codes.size)):
            h = h * _MULTIPLIER + codes[k:k + n]
        h ^= h >> np.uint64(29)
        h *= _MULTIPLIER
        h ^= h >> np.uint64(32)
    return sorted_unique((h & np.uint64(0xFFFFFFFF)).astype(np.uint32))


@dataclass(frozen=True)
class Sketch:
    """What :func:`link_duplicates` needs of one text: shingle count and MinHash signature."""

    size: int
    signature: np.ndarray  # uint32, num_perm values (empty when size == 0)


@dataclass(frozen=True)
class SketchTable:
    """The sketches of a corpus as two arrays: how :func:`link_duplicates` holds them (a list of
    :class:`Sketch` costs a Python object and an array header per document)."""

    sizes: np.ndarray  # int64, the shingle count of each document
    signatures: np.ndarray  # uint32, one row of num_perm values per document (zeros when size == 0)

    @classmethod
    def of(cls, sketches: Sequence[Sketch], num_perm: int = NUM_PERM) -> "SketchTable":
        signatures = np.zeros((len(sketches), num_perm), dtype=np.uint32)
        for row, item in enumerate(sketches):
            if item.size:
                signatures[row] = item.signature
        return cls(np.array([item.size for item in sketches], dtype=np.int64), signatures)


def sketch(text: str, num_perm: int = NUM_PERM, seed: int = SEED) -> Sketch:
    """The :class:`Sketch` of ``text`` (see the module docstring)."""
    return sketch_shingles(shingles(text), num_perm, seed)


@functools.lru_cache(maxsize=8)
def _permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.RandomState(seed)
    a = rng.randint(0, 2**32, size=(num_perm, 1), dtype=np.uint64).astype(np.uint32) | np.uint32(1)
    b = rng.randint(0, 2**32, size=(num_perm, 1), dtype=np.uint64).astype(np.uint32)
    return a, b


def sketch_shingles(values: np.ndarray, num_perm: int = NUM_PERM, seed: int = SEED) -> Sketch:
    """MinHash signature of shingle hashes: per permutation ``a*h + b mod 2**32`` (``a`` odd), the minimum.

    This is datasketch's ``affine32`` scheme applied to our already mixed shingle hashes,
    computed in blocks of 4,096 shingles into one reused buffer.
    """
    if values.size == 0:
        return Sketch(0, np.zeros(0, dtype=np.uint32))
    a, b = _permutations(num_perm, seed)
    signature = np.full(num_perm, np.iinfo(np.uint32).max, dtype=np.uint32)
    buffer = np.empty((num_perm, min(values.size, 4096)), dtype=np.uint32)
    for start in range(0, values.size, 4096):
        block = values[start:start + 4096]
        out = buffer[:, :block.size]
        np.multiply(a, block, out=out)
        np.add(out, b, out=out)
        np.minimum(signature, out.min(axis=1), out=signature)
    return Sketch(int(values.size), signature)


class SketchSpool:
    """The sketches and shingles of a corpus kept in files while it is read, for :func:`link_duplicates`.

    The build's main process receives each speech's sketch (and, from a worker, its shingles) one
    at a time; holding them as Python objects cost about 1 KB a speech. Here a speech costs four
    numbers in memory: its shingle count, where its shingles are in ``folder/shingles.tmp`` and
    where its line is in the texts file. Its signature goes to ``folder/signatures.tmp``.
    Speeches that come with no shingles (a file result from the cache) are shingled again from
    their line of the texts file (JSON with a ``text`` field) when they turn out to be candidates.
    """

    def __init__(self, folder: Path, texts: Path, num_perm: int = NUM_PERM):
        self.folder, self.texts, self.num_perm = Path(folder), Path(texts), num_perm
        self._signatures = open(self.folder / "signatures.tmp", "wb")
        self._shingles = open(self.folder / "shingles.tmp", "wb")
        self._sizes = array("q")
        self._shingle_offsets = array("q")  # in 4-byte values; -1: not kept
        self._text_offsets = array("q")
        self._end = 0
        self._zeros = np.zeros(num_perm, dtype=np.uint32).tobytes()

    def __len__(self) -> int:
        return len(self._sizes)

    def add(self, item: Sketch, values: np.ndarray | None, text_offset: int) -> None:
        """The next speech: its sketch, its shingles if known, where its line starts in the texts file."""
        self._sizes.append(item.size)
        self._signatures.write(np.asarray(item.signature, dtype=np.uint32).tobytes() if item.size else self._zeros)
        self._text_offsets.append(text_offset)
        if values is None:
            self._shingle_offsets.append(-1)
        else:
            self._shingle_offsets.append(self._end)
            self._shingles.write(np.asarray(values, dtype=np.uint32).tobytes())
            self._end += len(values)

    def close(self) -> None:
        self._signatures.close()
        self._shingles.close()

    def table(self) -> SketchTable:
        """The sketches, read back (the signatures are the one per-speech array held in memory)."""
        self.close()
        signatures = np.fromfile(self.folder / "signatures.tmp", dtype=np.uint32).reshape(len(self), self.num_perm)
        return SketchTable(np.frombuffer(self._sizes, dtype=np.int64).copy(), signatures)

    def shingles_of(self, wanted: set[int]) -> dict[int, np.ndarray]:
        """The shingles of the speeches at the positions ``wanted`` (for :func:`link_duplicates`)."""
        self.close()
        found: dict[int, np.ndarray] = {}
        with open(self.folder / "shingles.tmp", "rb") as kept, open(self.texts, "rb") as texts:
            for position in sorted(wanted):  # in file order
                offset = self._shingle_offsets[position]
                if offset >= 0:
                    kept.seek(4 * offset)
                    found[position] = np.frombuffer(kept.read(4 * self._sizes[position]), dtype=np.uint32)
                else:
                    texts.seek(self._text_offsets[position])
                    found[position] = shingles(json.loads(texts.readline())["text"])
        return found

    def remove(self) -> None:
        self.close()
        for name in ("signatures.tmp", "shingles.tmp"):
            (self.folder / name).unlink(missing_ok=True)


def containment(a: np.ndarray, b: np.ndarray) -> float:
    """``|a ∩ b| / |a|`` for sorted unique shingle arrays (0.0 when ``a`` is empty)."""
    if a.size == 0:
        return 0.0
    if b.size == 0:
        return 0.0
    where = np.minimum(np.searchsorted(b, a), b.size - 1)  # binary search: no sort of a ∪ b
    return int(np.count_nonzero(b[where] == a)) / a.size


def find_duplicates(docs: Iterable[tuple[str, str]], threshold: float = 0.8, *,
                    duplicate_ratio: float = 0.8, num_perm: int = NUM_PERM,
                    seed: int = SEED) -> dict[str, DuplicateLink]:
    """Link each repeated speech to the speech it repeats.

    Parameters
    ----------
    docs : ``(doc_id, text)`` pairs in corpus order (read once).
    threshold : containment of the shorter text in the longer one from which a pair counts.
    duplicate_ratio : size ratio (shorter / longer, in shingles) from which a pair is a
        near-verbatim ``duplicate`` (the earlier one is canonical) rather than a ``preview``
        (the longer one is canonical).
    num_perm, seed : MinHash settings of the candidate index.

    Returns
    -------
    dict
        ``doc_id -> DuplicateLink`` for every non-canonical speech, in corpus order; canonical
        speeches are absent. ``duplicate_of`` is resolved to the end of a chain (a preview of a
        duplicate points at the original).
    """
    ids: list[str] = []
    sets: list[np.ndarray] = []
    for doc_id, text in docs:
        ids.append(doc_id)
        sets.append(shingles(text))
    sketches = [sketch_shingles(values, num_perm, seed) for values in sets]
    return link_duplicates(ids, sketches, lambda wanted: {i: sets[i] for i in wanted}, threshold,
                           duplicate_ratio=duplicate_ratio, num_perm=num_perm)


def link_duplicates(ids: Sequence[str], sketches: "Sequence[Sketch] | SketchTable",
                    shingles_of: Callable[[set[int]], dict[int, np.ndarray]], threshold: float = 0.8, *,
                    duplicate_ratio: float = 0.8, num_perm: int = NUM_PERM,
                    banding: Callable[[float, int], BandingTable] = banding_table) -> dict[str, DuplicateLink]:
    """:func:`find_duplicates` from precomputed sketches.

    Parameters
    ----------
    ids : ``doc_id`` of every document, in corpus order (only those of linked documents are read).
    sketches : :func:`sketch` of every document, in corpus order: a list, or a :class:`SketchTable`.
    shingles_of : given positions of documents, returns their :func:`shingles` (position -> array);
        asked for the documents whose sketches are equal (to tell identical texts apart) and for
        the candidates of the exact containment check, nothing else, at most
        :data:`VERIFY_PAIRS` pairs' worth of documents at a time.
    threshold, duplicate_ratio, num_perm : as in :func:`find_duplicates`.
    banding : the LSH Ensemble's banding table (:func:`topics.build.lshensemble.banding_table`, or a memo).

    Notes
    -----
    Documents with identical shingle sets (a compilation that repeats a speech 200 times) form
    one group: the candidate search and the exact check run once per group, not once per pair
    of copies (which grows with the square of the copies), and the links are then handed out to
    the members exactly as a check of every pair would: a later copy repeats the group's first
    member, and a link to another group goes to that group's first member.
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    table = sketches if isinstance(sketches, SketchTable) else SketchTable.of(sketches, num_perm)
    firsts, copies = _identical_groups(table, shingles_of)
    every = len(firsts) == len(table.sizes)  # no copies, no empty texts: no copy of the signatures
    signatures = table.signatures if every else table.signatures[firsts]
    pairs = _candidate_pairs(signatures, table.sizes[firsts], threshold, banding)
    pairs = _fewer_long_shots(pairs, signatures, table.sizes[firsts].astype(np.float64), threshold)
    del signatures
    options = _checked_pairs(firsts[pairs], table.sizes, shingles_of, threshold, duplicate_ratio)
    best: dict[int, tuple[int, str, float]] = {}
    for first in sorted(copies.keys() | options.keys()):
        for copy in (first, *copies.get(first, ())):
            # the most similar original, the earliest among equals (as a check of every pair decides)
            choice = (1.0, first, "duplicate") if copy != first else None
            for similarity, original, kind in options.get(first, ()):
                if kind == "duplicate" and original > copy:
                    continue
                if choice is None or (similarity, -original) > (choice[0], -choice[1]):
                    choice = (similarity, original, kind)
            if choice is not None:
                best[copy] = (choice[1], choice[2], choice[0])
    return _resolve(ids, best)


def _identical_groups(table: SketchTable, shingles_of: Callable[[set[int]], dict[int, np.ndarray]]
                      ) -> tuple[np.ndarray, dict[int, list[int]]]:
    """The non-empty documents grouped by identical shingle sets: the first member of every group
    (sorted positions), and the later members of the groups that have any.

    Equal sketches are necessary, not sufficient (two texts a character apart often share every
    MinHash value), so documents with equal sketches are compared by their shingles, read a
    block at a time.
    """
    present = np.flatnonzero(table.sizes > 0)
    digest = table.sizes[present].astype(np.uint64)
    with np.errstate(over="ignore"):  # a 64-bit mix of each sketch, a column at a time: equal sketches, equal digests
        for column in range(table.signatures.shape[1]):
            digest = (digest ^ table.signatures[present, column]) * _MULTIPLIER
            digest ^= digest >> np.uint64(29)
    order = np.argsort(digest, kind="stable")
    starts = np.flatnonzero(np.concatenate([[True], digest[order][1:] != digest[order][:-1], [True]]))
    alike = [present[order[a:b]] for a, b in zip(starts[:-1], starts[1:]) if b - a > 1]  # corpus order
    copies: dict[int, list[int]] = {}
    for block in _blocks(alike, 2 * VERIFY_PAIRS):
        sets = shingles_of({int(p) for members in block for p in members})
        for members in block:
            same: dict[tuple, list[int]] = {}
            for position in members.tolist():
                key = (int(table.sizes[position]), table.signatures[position].tobytes(),
                       hashlib.blake2b(sets[position].tobytes(), digest_size=16).digest())
                same.setdefault(key, []).append(position)
            for group in same.values():
                if len(group) > 1:
                    copies[group[0]] = group[1:]
        del sets
    later = np.fromiter((p for group in copies.values() for p in group), dtype=np.int64)
    return np.setdiff1d(present, later), copies


def _blocks(groups: list[np.ndarray], size: int) -> Iterator[list[np.ndarray]]:
    """Consecutive groups, about ``size`` documents at a time."""
    block: list[np.ndarray] = []
    count = 0
    for members in groups:
        block.append(members)
        count += len(members)
        if count >= size:
            yield block
            block, count = [], 0
    if block:
        yield block


def _candidate_pairs(signatures: np.ndarray, sizes: np.ndarray, threshold: float,
                     banding: Callable[[float, int], BandingTable] = banding_table) -> np.ndarray:
    """Pairs (i, j), i < j, whose containment may reach ``threshold``: found by the LSH Ensemble
    (with a looser threshold) and left a chance by their signatures (:func:`_may_reach`)."""
    if len(sizes) < 2:
        return np.zeros((0, 2), dtype=np.int64)
    return candidate_pairs(signatures, sizes, max(threshold - _CANDIDATE_SLACK, 0.05),
                           keep=functools.partial(_may_reach, signatures, np.asarray(sizes, dtype=np.float64),
                                                  threshold), banding=banding)


@functools.lru_cache(maxsize=8)
def _greatest_similarity(num_perm: int, miss: float) -> np.ndarray:
    """Per number ``m`` of equal signature values, the greatest Jaccard similarity that gives at most
    ``m`` equal values with probability ``miss`` or more (binomial lower tail)."""
    from scipy.special import bdtri  # here: the build's workers import this module and need no scipy

    return np.append(bdtri(np.arange(num_perm), num_perm, miss), 1.0)


def _may_reach(signatures: np.ndarray, sizes: np.ndarray, threshold: float, pairs: np.ndarray) -> np.ndarray:
    """Which ``pairs`` may have containment ≥ ``threshold`` given their signatures (a boolean mask).

    Containment ``threshold`` of the shorter text (``q`` shingles) in the longer (``x``) means
    Jaccard similarity ≥ ``t·q / (x + q − t·q)``; a pair whose signatures agree in fewer places
    than that similarity gives with probability :data:`MISS_PROBABILITY` is set aside.
    """
    greatest = _greatest_similarity(signatures.shape[1], MISS_PROBABILITY)
    mask = np.empty(len(pairs), dtype=bool)
    for start in range(0, len(pairs), 32768):  # bounded: two blocks of signature rows at a time
        a, b = pairs[start:start + 32768, 0], pairs[start:start + 32768, 1]
        agree = np.count_nonzero(signatures[a] == signatures[b], axis=1)
        short, long_ = np.minimum(sizes[a], sizes[b]), np.maximum(sizes[a], sizes[b])
        least = threshold * short / (long_ + short - threshold * short)
        mask[start:start + 32768] = least <= greatest[agree]
    return mask


def _fewer_long_shots(pairs: np.ndarray, signatures: np.ndarray, sizes: np.ndarray, threshold: float) -> np.ndarray:
    """The candidate pairs, with at most :data:`LONG_SHOTS` "long shots" per shorter text: pairs whose
    signatures do not show (at 99.9 %) the Jaccard similarity that containment ``threshold`` needs.
    A shorter text's long shots are checked most similar first (estimated containment, then the
    earliest partner); the other pairs — near-verbatim copies among them, however many — are all kept."""
    if len(pairs) == 0:
        return pairs
    num_perm = signatures.shape[1]
    least_shown = _least_similarity(num_perm, 1e-3)
    estimate, long_shot = np.empty(len(pairs)), np.empty(len(pairs), dtype=bool)
    for start in range(0, len(pairs), 32768):
        a, b = pairs[start:start + 32768, 0], pairs[start:start + 32768, 1]
        agree = np.count_nonzero(signatures[a] == signatures[b], axis=1)
        short, long_ = np.minimum(sizes[a], sizes[b]), np.maximum(sizes[a], sizes[b])
        jaccard = agree / num_perm
        estimate[start:start + 32768] = jaccard * (short + long_) / (short * (1 + jaccard))  # |A ∩ B| / |A|
        long_shot[start:start + 32768] = least_shown[agree] < threshold * short / (long_ + short - threshold * short)
    a, b = pairs[:, 0], pairs[:, 1]
    a_short = (sizes[a] < sizes[b]) | ((sizes[a] == sizes[b]) & (a < b))  # the text whose containment is checked
    short, other = np.where(a_short, a, b), np.where(a_short, b, a)
    shots = np.flatnonzero(long_shot)
    order = shots[np.lexsort((other[shots], -estimate[shots], short[shots]))]
    group_start = np.flatnonzero(np.concatenate([[True], short[order][1:] != short[order][:-1]]))
    rank = np.arange(len(order)) - np.repeat(group_start, np.diff(np.append(group_start, len(order))))
    keep = np.ones(len(pairs), dtype=bool)
    keep[order[rank >= LONG_SHOTS]] = False
    return pairs[keep]


@functools.lru_cache(maxsize=8)
def _least_similarity(num_perm: int, chance: float) -> np.ndarray:
    """Per number ``m`` of equal signature values, the least Jaccard similarity that gives ``m`` or
    more with probability ``chance`` (binomial upper tail): a lower bound of the similarity."""
    from scipy.special import bdtri

    return np.concatenate([[0.0], bdtri(np.arange(num_perm), num_perm, 1 - chance)])


def _checked_pairs(pairs: np.ndarray, sizes: np.ndarray, shingles_of: Callable[[set[int]], dict[int, np.ndarray]],
                   threshold: float, duplicate_ratio: float) -> dict[int, list[tuple[float, int, str]]]:
    """The exact check of candidate pairs of positions: per position, the positions its group's
    members may repeat, as ``(similarity, position, kind)``; shingles read a block of pairs at a time."""
    options: dict[int, list[tuple[float, int, str]]] = {}
    for start in range(0, len(pairs), VERIFY_PAIRS):
        block = pairs[start:start + VERIFY_PAIRS].tolist()
        sets = shingles_of({position for pair in block for position in pair})
        for i, j in block:
            short, long_ = (i, j) if (sizes[i], i) <= (sizes[j], j) else (j, i)
            similarity = containment(sets[short], sets[long_])
            if similarity < threshold:
                continue
            if sets[short].size >= duplicate_ratio * sets[long_].size:
                options.setdefault(i, []).append((similarity, j, "duplicate"))  # the later text is the copy
                options.setdefault(j, []).append((similarity, i, "duplicate"))
            else:
                options.setdefault(short, []).append((similarity, long_, "preview"))  # the shorter is the copy
        del sets
    return options


def _resolve(ids: Sequence[str], best: dict[int, tuple[int, str, float]]) -> dict[str, DuplicateLink]:
    """Follow chains of links to the canonical speech; break any cycle at its earliest member."""
    links: dict[str, DuplicateLink] = {}
    for copy in sorted(best):
        seen = [copy]
        target = best[copy][0]
        while target in best and target not in seen:
            seen.append(target)
            target = best[target][0]
        if target in seen:  # a cycle: the earliest member is canonical
            target = min(seen)
            if target == copy:
                continue
        _, kind, similarity = best[copy]
        links[ids[copy]] = DuplicateLink(ids[copy], ids[target], kind, round(similarity, 6))
    return links
