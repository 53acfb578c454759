"""Find speeches that repeat other speeches: near-verbatim duplicates and short previews.

Sites often carry the same speech twice (differing by a few characters) or show a short
"preview" of a speech that follows in full. Both are found with character 5-gram shingles and
*containment* ``|A ∩ B| / |A|`` of the shorter text A in the longer B:

* containment ≥ ``threshold`` and similar lengths (the shorter has at least
  ``duplicate_ratio`` of the longer's shingles) → ``duplicate`` of the *earlier* speech;
* containment ≥ ``threshold`` and the shorter is much shorter → ``preview`` of the longer one.

Candidates come from a MinHash LSH Ensemble (:mod:`topics.build.lshensemble`), built for containment queries,
so the work grows about linearly with the corpus (no all-pairs loop); every candidate pair is
then checked with the exact containment of the shingle sets. Texts with identical shingle sets
are grouped first and searched as one, so a compilation that repeats a speech hundreds of times
costs one check per group, not one per pair of copies. Hash functions use fixed seeds, and ties
are broken by corpus order: results are deterministic.

The work is split so that the per-document part can run where the text is (the build's worker
processes): :func:`sketch` turns one text into a small :class:`Sketch` (its shingle count and
its MinHash signature, computed with vectorised 32-bit affine permutations — datasketch's
``affine32`` scheme, without its per-value Python hashing). :func:`link_duplicates` takes the sketches, finds
candidate pairs and checks them exactly, asking for the shingles of candidates (and of documents
with equal sketches) only;
:func:`find_duplicates` does both for texts in memory.

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
import re
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

import numpy as np

from ..common.arrays import sorted_unique
from .lshensemble import candidate_pairs

SHINGLE = 5
NUM_PERM = 128
SEED = 1
# Candidate search is looser than the final check so that MinHash noise does not lose pairs
# (0.3: a 100-character preview of an 800-character speech is found every time; with 0.15
# about half the time). Extra candidates only cost an exact check.
_CANDIDATE_SLACK = 0.3
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


def link_duplicates(ids: Sequence[str], sketches: Sequence[Sketch],
                    shingles_of: Callable[[set[int]], dict[int, np.ndarray]], threshold: float = 0.8, *,
                    duplicate_ratio: float = 0.8, num_perm: int = NUM_PERM) -> dict[str, DuplicateLink]:
    """:func:`find_duplicates` from precomputed sketches.

    Parameters
    ----------
    ids, sketches : ``doc_id`` and :func:`sketch` of every document, in corpus order.
    shingles_of : given positions of documents, returns their :func:`shingles` (position -> array);
        asked for the documents whose sketches are equal (to tell identical texts apart) and for
        the candidates of the exact containment check, nothing else.
    threshold, duplicate_ratio, num_perm : as in :func:`find_duplicates`.

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
    groups, sets = _identical_groups(sketches, shingles_of)
    pairs = _candidate_pairs([sketches[members[0]] for members in groups], threshold, num_perm)
    wanted = {groups[g][0] for pair in pairs for g in pair} - sets.keys()
    if wanted:
        sets.update(shingles_of(wanted))
    # per group: the groups whose first member its members may repeat, (similarity, group, kind)
    options: dict[int, list[tuple[float, int, str]]] = {}
    for a, b in pairs:
        i, j = groups[a][0], groups[b][0]
        short, long_ = (a, b) if (sets[i].size, i) <= (sets[j].size, j) else (b, a)
        similarity = containment(sets[groups[short][0]], sets[groups[long_][0]])
        if similarity < threshold:
            continue
        if sets[groups[short][0]].size >= duplicate_ratio * sets[groups[long_][0]].size:
            options.setdefault(a, []).append((similarity, b, "duplicate"))  # the later text is the copy
            options.setdefault(b, []).append((similarity, a, "duplicate"))
        else:
            options.setdefault(short, []).append((similarity, long_, "preview"))  # the shorter is the copy
    best: dict[int, tuple[int, str, float]] = {}
    for g, members in enumerate(groups):
        for copy in members:
            # the most similar original, the earliest among equals (as a check of every pair decides)
            choice = (1.0, members[0], "duplicate") if copy != members[0] else None
            for similarity, other, kind in options.get(g, ()):
                original = groups[other][0]
                if kind == "duplicate" and original > copy:
                    continue
                if choice is None or (similarity, -original) > (choice[0], -choice[1]):
                    choice = (similarity, original, kind)
            if choice is not None:
                best[copy] = (choice[1], choice[2], choice[0])
    return _resolve(list(ids), best)


def _identical_groups(sketches: Sequence[Sketch], shingles_of: Callable[[set[int]], dict[int, np.ndarray]]
                      ) -> tuple[list[list[int]], dict[int, np.ndarray]]:
    """Positions of the non-empty documents grouped by identical shingle sets, groups in corpus
    order of their first member; and the shingles loaded to tell them apart.

    Equal sketches are necessary, not sufficient (two texts a character apart often share every
    MinHash value), so documents with equal sketches are compared by their shingles.
    """
    by_sketch: dict[tuple[int, bytes], list[int]] = {}
    for position, item in enumerate(sketches):
        if item.size:
            by_sketch.setdefault((item.size, item.signature.tobytes()), []).append(position)
    alike = {position for members in by_sketch.values() if len(members) > 1 for position in members}
    sets = shingles_of(alike) if alike else {}
    groups: list[list[int]] = []
    for members in by_sketch.values():
        if len(members) == 1:
            groups.append(members)
            continue
        same: dict[bytes, list[int]] = {}
        for position in members:
            same.setdefault(hashlib.blake2b(sets[position].tobytes(), digest_size=16).digest(), []).append(position)
        groups.extend(same.values())
    groups.sort(key=lambda members: members[0])
    return groups, sets


def _candidate_pairs(sketches: Sequence[Sketch], threshold: float, num_perm: int) -> list[tuple[int, int]]:
    """Pairs (i, j), i < j, whose containment may reach ``threshold`` (LSH Ensemble query)."""
    present = [i for i, s in enumerate(sketches) if s.size]
    if len(present) < 2:
        return []
    signatures = np.stack([sketches[i].signature for i in present])
    sizes = np.array([sketches[i].size for i in present])
    pairs = candidate_pairs(signatures, sizes, max(threshold - _CANDIDATE_SLACK, 0.05))
    return [(present[i], present[j]) for i, j in pairs.tolist()]


def _resolve(ids: list[str], best: dict[int, tuple[int, str, float]]) -> dict[str, DuplicateLink]:
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
