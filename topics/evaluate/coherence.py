"""Coherence measures: a registry that metrics.csv, the run report and the figures all read.

A measure is a :class:`Measure`: its name, the window type its counts need (0 = boolean
documents, else a sliding window of that many tokens), a label and reference for people, and a
function scoring one topic (the rows of its top words in a :class:`CooccurrenceCounts`). Adding a
measure is a function and one :func:`register` call in this module (and its test); the sweep
counts co-occurrences once per window type the chosen measures need.

The four measures (Röder, Both & Hinneburg 2015, "Exploring the space of topic coherence
measures", WSDM) differ in segmentation, probability estimation and confirmation measure:

========  ===================  =======================  ====================================
measure   windows              pairs                    confirmation
========  ===================  =======================  ====================================
u_mass    whole document       (w_i, w_j), j < i        log P(w_i, w_j) + ε / P(w_j)
c_uci     sliding, 10 tokens   all ordered pairs        PMI
c_npmi    sliding, 10 tokens   all ordered pairs        NPMI
c_v       sliding, 110 tokens  (w_i, whole top set)     cosine of NPMI context vectors
========  ===================  =======================  ====================================
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from .cooccurrence import CooccurrenceCounts

__all__ = ["EPSILON", "MEASURES", "Measure", "coherence", "register", "topic_coherence"]

EPSILON = 1e-12  # gensim.topic_coherence.direct_confirmation_measure.EPSILON


@dataclass(frozen=True)
class Measure:
    """A registered coherence measure.

    Attributes
    ----------
    name : the name in ``[evaluate] measures`` and the column of ``metrics.csv``.
    window : 0 for boolean documents, else the sliding-window size its counts need.
    label : how figures and reports name it.
    score : ``score(counts, idx)``: coherence of one topic whose top words (best first) are the
        rows ``idx`` of ``counts``.
    reference : where the measure is defined.
    """

    name: str
    window: int
    label: str
    score: Callable[[CooccurrenceCounts, np.ndarray], float]
    reference: str


#: name → measure, in registration order (the order of the columns of metrics.csv)
MEASURES: dict[str, Measure] = {}


def register(measure: Measure) -> Measure:
    """Add ``measure`` to :data:`MEASURES`."""
    if measure.name in MEASURES:
        raise ValueError(f"coherence measure {measure.name!r} is registered twice")
    MEASURES[measure.name] = measure
    return measure


def _pmi_matrices(counts: CooccurrenceCounts, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """PMI and NPMI (gensim's ``log_ratio_measure``) between all pairs of the given words."""
    n = float(counts.num_windows)
    single = counts.pairs[idx, idx] / n
    joint = counts.pairs[np.ix_(idx, idx)] / n
    with np.errstate(divide="ignore"):
        pmi = np.log((joint + EPSILON) / np.outer(single, single))
    npmi = pmi / -np.log(joint + EPSILON)
    return pmi, npmi


def _u_mass(counts: CooccurrenceCounts, idx: np.ndarray) -> float:
    n = float(counts.num_windows)
    lower = np.tril_indices(len(idx), k=-1)  # (w_i, w_j) with j < i: condition on the better word
    joint = counts.pairs[np.ix_(idx, idx)][lower] / n
    given = counts.pairs[idx, idx][lower[1]] / n
    with np.errstate(divide="ignore", invalid="ignore"):
        values = np.where(given > 0, np.log((joint + EPSILON) / given), 0.0)
    return float(np.mean(values))


def _c_uci(counts: CooccurrenceCounts, idx: np.ndarray) -> float:
    pmi, _ = _pmi_matrices(counts, idx)
    return float(np.mean(pmi[~np.eye(len(idx), dtype=bool)]))


def _c_npmi(counts: CooccurrenceCounts, idx: np.ndarray) -> float:
    _, npmi = _pmi_matrices(counts, idx)
    return float(np.mean(npmi[~np.eye(len(idx), dtype=bool)]))


def _c_v(counts: CooccurrenceCounts, idx: np.ndarray) -> float:
    # each word's NPMI context vector against the topic's summed context vector
    _, npmi = _pmi_matrices(counts, idx)
    whole = npmi.sum(axis=0)
    cosine = (npmi @ whole) / (np.linalg.norm(npmi, axis=1) * np.linalg.norm(whole))
    return float(np.mean(cosine))


# Registration order = column order of metrics.csv (the headline, c_npmi, first).
register(Measure("c_npmi", 10, "NPMI coherence", _c_npmi,
                 "Bouma (2009); Aletras & Stevenson (2013), IWCS"))
register(Measure("c_v", 110, "C_V coherence", _c_v, "Röder, Both & Hinneburg (2015), WSDM"))
register(Measure("u_mass", 0, "UMass coherence", _u_mass,
                 "Mimno, Wallach, Talley, Leenders & McCallum (2011), EMNLP"))
register(Measure("c_uci", 10, "UCI coherence", _c_uci, "Newman, Lau, Grieser & Baldwin (2010), NAACL"))


def topic_coherence(counts: CooccurrenceCounts, topic: Sequence[str], measure: str) -> float:
    """Coherence of one topic (its top words, best first) under the registered ``measure``."""
    spec = MEASURES[measure]
    if counts.window != spec.window:
        raise ValueError(f"{measure} needs window {spec.window}, counts have {counts.window}")
    return spec.score(counts, counts.index(topic))


def coherence(counts: CooccurrenceCounts, topics: Sequence[Sequence[str]], measure: str) -> np.ndarray:
    """Per-topic coherence of several topics (each a list of top words, best first)."""
    return np.array([topic_coherence(counts, topic, measure) for topic in topics], dtype=np.float64)
