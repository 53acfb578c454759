"""Stability across seeds: do the topics of one K come back when the seed changes?

Greene, O'Callaghan & Cunningham (2014), "How many topics? Stability analysis for topic models",
ECML PKDD: topics of two fits are matched one to one (Hungarian method) by top-word Jaccard
similarity (:func:`topics.common.matching.match_topics`), and the mean matched similarity is
the agreement of the two fits.
"""

from __future__ import annotations

from typing import Iterable, Mapping, Sequence

import numpy as np

from ..common.matching import match_topics

__all__ = ["matched_jaccard", "stability"]


def matched_jaccard(topics_a: Sequence[Iterable[str]], topics_b: Sequence[Iterable[str]]) -> float:
    """Mean top-word Jaccard similarity of two models' topics after optimal one-to-one matching.

    Topics are paired by the Hungarian method to maximise the total Jaccard similarity; unmatched
    topics (when the two models differ in K) count as 0.

    >>> matched_jaccard([["a", "b"], ["c", "d"]], [["c", "d"], ["a", "e"]])
    0.6666666666666666
    """
    _, similarity = match_topics(topics_a, topics_b)
    return float(similarity.sum() / max(len(topics_a), len(topics_b)))


def stability(tops: Mapping[tuple[int, int], Sequence[Sequence[str]]]) -> dict[tuple[int, int], float]:
    """Stability of every (k, seed) fit: mean matched Jaccard with the other seeds' fits at the same K.

    Averaging these per-seed values over the seeds of a K gives the mean over all seed pairs.
    A K fitted with one seed only gets ``nan``.
    """
    result = {}
    for (k, seed), topics in tops.items():
        others = [other for (k2, s2), other in sorted(tops.items()) if k2 == k and s2 != seed]
        result[(k, seed)] = float(np.mean([matched_jaccard(topics, o) for o in others])) if others else float("nan")
    return result
