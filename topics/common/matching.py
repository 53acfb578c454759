"""Matching the topics of two models one to one (Hungarian method), by top-word Jaccard similarity.

Used by the stability score of a sweep (:mod:`topics.evaluate.stability`) and by the per-topic
stability table of a run (:func:`topics.analysis.stability.topic_stability`), so both agree.
Greene, O'Callaghan & Cunningham (2014), "How many topics? Stability analysis for topic models",
ECML PKDD.
"""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np
from scipy.optimize import linear_sum_assignment

__all__ = ["jaccard_matrix", "match_topics"]


def jaccard_matrix(topics_a: Sequence[Iterable[str]], topics_b: Sequence[Iterable[str]]) -> np.ndarray:
    """Jaccard similarity of every topic of ``a`` (rows) with every topic of ``b`` (columns)."""
    sets_a = [set(t) for t in topics_a]
    sets_b = [set(t) for t in topics_b]
    return np.array([[len(a & b) / len(a | b) if a | b else 0.0 for b in sets_b] for a in sets_a], dtype=float)


def match_topics(topics_a: Sequence[Iterable[str]], topics_b: Sequence[Iterable[str]]) -> tuple[np.ndarray, np.ndarray]:
    """One-to-one matching that maximises the total Jaccard similarity of top words.

    Returns ``(match, similarity)``: topic ``i`` of ``a`` is matched to topic ``match[i]`` of ``b``
    (``-1`` when ``b`` has fewer topics) with Jaccard ``similarity[i]``.

    >>> match, sim = match_topics([["a", "b"], ["c", "d"]], [["c", "d"], ["a", "e"]])
    >>> match.tolist(), sim.round(3).tolist()
    ([1, 0], [0.333, 1.0])
    """
    similarity = jaccard_matrix(topics_a, topics_b)
    match = np.full(len(similarity), -1, dtype=int)
    matched = np.zeros(len(similarity))
    if similarity.size:
        rows, cols = linear_sum_assignment(similarity, maximize=True)
        match[rows] = cols
        matched[rows] = similarity[rows, cols]
    return match, matched
