"""Document–topic proportions θ: from a unit's posterior γ to speech-level shares, with the speech's metadata.

A modelling unit is a speech or a paragraph chunk of one (see ``units.csv``). The analysis wants
one θ per speech, so chunk proportions are averaged within their speech, weighted by the number
of tokens of each chunk: a 300-token chunk says more about its speech than a 50-token one, and
the weighted mean is what a single-unit fit would approximately give.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse

from .groups import year_groups

__all__ = ["aggregation_matrix", "run_unit_theta", "speech_proportions", "speech_topics", "speech_topics_run",
           "topic_columns", "unit_theta"]


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


def aggregation_matrix(units: pd.DataFrame, doc_ids=None) -> sparse.csr_matrix:
    """Sparse (n_speeches × n_units) matrix turning unit θ into speech θ, weighted by tokens.

    Row ``i`` holds each chunk's share of speech ``i``'s tokens, so ``A @ theta_units`` is the
    token-weighted mean of its chunks' proportions (the same quantity as
    :func:`speech_proportions`). A speech whose chunks are all empty weighs them equally.
    """
    doc_ids = list(dict.fromkeys(units["doc_id"])) if doc_ids is None else list(doc_ids)
    row_of = {doc: i for i, doc in enumerate(doc_ids)}
    rows = units["doc_id"].map(row_of)
    if rows.isna().any():
        missing = units.loc[rows.isna(), "doc_id"].iloc[0]
        raise ValueError(f"unit of speech {missing!r} has no row among the speeches given")
    rows = rows.to_numpy(int)
    tokens = units["n_tokens"].to_numpy(float)
    totals = np.bincount(rows, weights=tokens, minlength=len(doc_ids))
    counts = np.bincount(rows, minlength=len(doc_ids))
    weights = np.where(totals[rows] > 0, tokens / np.maximum(totals[rows], 1e-300), 1.0 / counts[rows])
    return sparse.csr_matrix((weights, (rows, np.arange(len(units)))), shape=(len(doc_ids), len(units)))


def speech_topics(theta: np.ndarray, units: pd.DataFrame, speeches: pd.DataFrame) -> pd.DataFrame:
    """Speech × topic proportions with the speech's metadata beside them.

    Parameters
    ----------
    theta : (n_units, K) array of unit topic proportions, rows in ``units`` order.
    units : the corpus ``units`` table (``doc_id``, ``n_tokens``) in model order.
    speeches : the corpus ``speeches`` table; only speeches with units are kept.

    Returns
    -------
    DataFrame with ``doc_id, year, year_source, year_group, genre, admin_level, n_units,
    n_tokens, topic_0 … topic_{K-1}``, in the order speeches first appear in ``units``.
    """
    table = speech_proportions(theta, units).reset_index()
    return _with_metadata(table, units, speeches)


def _with_metadata(table: pd.DataFrame, units: pd.DataFrame, speeches: pd.DataFrame) -> pd.DataFrame:
    meta = speeches.set_index("doc_id").reindex(table["doc_id"])
    out = pd.DataFrame({"doc_id": table["doc_id"].to_numpy()})
    out["year"] = meta["year"].to_numpy() if "year" in meta else pd.NA
    out["year"] = out["year"].astype("Int64")
    out["year_source"] = (meta["year_source"] if "year_source" in meta else pd.Series("unknown", index=meta.index)).fillna("unknown").to_numpy()
    out["year_group"] = year_groups(out).to_numpy()
    for column in ("genre", "admin_level"):
        out[column] = meta[column].fillna("unknown").to_numpy() if column in meta else "unknown"
    grouped = units.groupby("doc_id", sort=False)
    out["n_units"] = grouped.size().reindex(out["doc_id"]).fillna(0).astype(int).to_numpy()
    out["n_tokens"] = grouped["n_tokens"].sum().reindex(out["doc_id"]).fillna(0).astype(int).to_numpy()
    topics = [c for c in table.columns if c.startswith("topic_")]
    return pd.concat([out, table[topics].reset_index(drop=True)], axis=1)


def run_unit_theta(run) -> np.ndarray:
    """Unit-level θ of a run: the posterior mean of each unit's Dirichlet."""
    return unit_theta(run.unit_gamma)


def speech_topics_run(run) -> pd.DataFrame:
    """:func:`speech_topics` for a run, from its saved speech-level θ (``doc_topics``)."""
    units, speeches = run.corpus.units, run.corpus.speeches
    doc_topics = run.doc_topics if "doc_id" in run.doc_topics.columns else run.doc_topics.reset_index()
    present = doc_topics[doc_topics["doc_id"].isin(set(units["doc_id"]))]
    return _with_metadata(present.reset_index(drop=True), units, speeches)
