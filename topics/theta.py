"""Document–topic proportions θ: from a unit's variational γ to speech-level shares.

A modelling unit is a speech or a paragraph chunk of one (see ``units.csv``). The analysis wants
one θ per speech, so chunk proportions are averaged within their speech, weighted by the number
of tokens of each chunk: a 300-token chunk says more about its speech than a 50-token one, and
the weighted mean is what a single-unit fit would approximately give.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def unit_theta(gamma: np.ndarray) -> np.ndarray:
    """Posterior mean topic proportions of each unit: γ rows normalised to sum to 1.

    >>> unit_theta(np.array([[1.0, 3.0], [2.0, 2.0]])).tolist()
    [[0.25, 0.75], [0.5, 0.5]]
    """
    gamma = np.asarray(gamma, dtype=np.float64)
    if gamma.ndim != 2:
        raise ValueError(f"gamma must be a units × K matrix, got shape {gamma.shape}")
    return gamma / gamma.sum(axis=1, keepdims=True)


def topic_columns(k: int) -> list[str]:
    """Column names ``topic_0 … topic_{K-1}``."""
    return [f"topic_{i}" for i in range(k)]


def speech_proportions(theta: np.ndarray, units: pd.DataFrame) -> pd.DataFrame:
    """Aggregate unit proportions to speeches, weighted by ``units.n_tokens``.

    Parameters
    ----------
    theta : units × K proportions, rows in ``units`` order.
    units : the corpus's ``units`` table (needs ``doc_id`` and ``n_tokens``).

    Returns
    -------
    DataFrame indexed by ``doc_id`` (speeches in order of first appearance) with columns
    ``topic_0 … topic_{K-1}``; rows sum to 1. A speech whose chunks have no tokens at all gets
    the unweighted mean of its chunks.

    Examples
    --------
    >>> units = pd.DataFrame({"doc_id": ["a#0", "a#0", "b#0"], "n_tokens": [30, 10, 5]})
    >>> speech_proportions(np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]]), units).round(2).values.tolist()
    [[0.75, 0.25], [0.5, 0.5]]
    """
    theta = np.asarray(theta, dtype=np.float64)
    if len(theta) != len(units):
        raise ValueError(f"theta has {len(theta)} rows but units has {len(units)}")
    weights = units["n_tokens"].to_numpy(dtype=np.float64)
    doc_ids = units["doc_id"].astype(str).to_numpy()
    order = list(dict.fromkeys(doc_ids))
    codes = pd.Index(order).get_indexer(doc_ids)
    totals = np.zeros((len(order), theta.shape[1]))
    weight_sum = np.zeros(len(order))
    np.add.at(totals, codes, theta * weights[:, None])
    np.add.at(weight_sum, codes, weights)
    # speeches whose chunks carry no tokens: plain mean of their rows
    empty = weight_sum == 0
    if empty.any():
        np.add.at(totals, codes, np.where(empty[codes][:, None], theta, 0.0))
        np.add.at(weight_sum, codes, np.where(empty[codes], 1.0, 0.0))
    result = pd.DataFrame(totals / weight_sum[:, None], index=pd.Index(order, name="doc_id"),
                          columns=topic_columns(theta.shape[1]))
    return result


__all__ = ["speech_proportions", "topic_columns", "unit_theta"]
