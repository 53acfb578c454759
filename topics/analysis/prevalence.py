"""How does topic prevalence differ by year, genre or level? Group means with two-stage bootstrap intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse

from .groups import group_labels, group_order, source_mix
from .theta import run_unit_theta, speech_topics, topic_columns

__all__ = ["topic_prevalence", "topic_prevalence_run"]


def topic_prevalence(theta: np.ndarray, units: pd.DataFrame, speeches: pd.DataFrame, by: str = "year",
                     n_boot: int = 1000, level: float = 0.95, random_state: int = 0) -> pd.DataFrame:
    """Mean topic proportion per group of speeches, with two-stage bootstrap intervals.

    The estimate for a group is the unweighted mean of its speeches' proportions (each speech
    counts once, however long). Its interval comes from a two-stage nonparametric bootstrap
    (Davison & Hinkley 1997, *Bootstrap Methods and their Application*, §3.8):

    1. within each group, draw its ``n_g`` speeches with replacement;
    2. within each drawn speech, draw its ``n_c`` chunks with replacement and recompute the
       speech's token-weighted proportions;
    3. average the drawn speeches; repeat ``n_boot`` times; report percentile limits.

    Resampling both stages keeps the within-speech (chunk) variation in the interval; it errs
    slightly on the wide side when speeches have many chunks.

    Parameters
    ----------
    theta, units, speeches : as for :func:`speech_topics`.
    by : ``"year"`` (year groups, with ``"anonymized"``/``"unknown"`` kept) or a speeches column.
    n_boot : number of bootstrap replicates.
    level : coverage of the interval, e.g. 0.95.
    random_state : seed of the :class:`numpy.random.Generator`.

    Returns
    -------
    Long DataFrame: ``group, topic, mean, se, lower, upper, n_speeches, n_units, year_sources``
    (``year_sources`` says how the years of the group's speeches were established).
    """
    rng = np.random.default_rng(random_state)
    table = speech_topics(theta, units, speeches)
    k = np.asarray(theta).shape[1]
    groups = group_labels(table, by).to_numpy()
    order = group_order(groups)
    group_index = np.array([order.index(g) for g in groups])
    n_groups, n_docs = len(order), len(table)

    # Units sorted by speech, so speech s owns units first[s] : first[s] + n_chunks[s].
    doc_row = units["doc_id"].map({d: i for i, d in enumerate(table["doc_id"])}).to_numpy(int)
    by_doc = np.argsort(doc_row, kind="stable")
    n_chunks = np.bincount(doc_row, minlength=n_docs)
    first = np.concatenate([[0], np.cumsum(n_chunks)[:-1]])
    theta_sorted = np.asarray(theta, float)[by_doc]
    tokens_sorted = units["n_tokens"].to_numpy(float)[by_doc]
    members = [np.flatnonzero(group_index == g) for g in range(n_groups)]
    group_sizes = np.array([len(m) for m in members])

    boot = np.empty((n_boot, n_groups, k))
    for b in range(n_boot):
        # Stage 1: speeches within groups.
        copies = np.concatenate([rng.choice(m, size=len(m), replace=True) for m in members])
        copy_group = np.repeat(np.arange(n_groups), group_sizes)
        # Stage 2: chunks within each drawn copy of a speech (independently per copy).
        per_copy = n_chunks[copies]
        copy_of_draw = np.repeat(np.arange(len(copies)), per_copy)
        drawn = first[copies][copy_of_draw] + np.floor(rng.random(len(copy_of_draw)) * per_copy[copy_of_draw]).astype(int)
        weights = tokens_sorted[drawn] + 1e-12  # empty chunks: equal weights instead of 0/0
        mix = sparse.csr_matrix((weights, (copy_of_draw, drawn)), shape=(len(copies), len(theta_sorted)))
        copy_theta = (mix @ theta_sorted) / np.asarray(mix.sum(axis=1))
        sums = np.zeros((n_groups, k))
        np.add.at(sums, copy_group, copy_theta)
        boot[b] = sums / group_sizes[:, None]

    point = np.stack([table.loc[group_index == g, topic_columns(k)].to_numpy().mean(axis=0)
                      for g in range(n_groups)])
    alpha = (1 - level) / 2
    lower, upper = np.quantile(boot, [alpha, 1 - alpha], axis=0)
    rows = []
    for g, name in enumerate(order):
        in_group = table[group_index == g]
        for t in range(k):
            rows.append({"group": name, "topic": t, "mean": point[g, t], "se": boot[:, g, t].std(ddof=1),
                         "lower": lower[g, t], "upper": upper[g, t], "n_speeches": len(in_group),
                         "n_units": int(in_group["n_units"].sum()),
                         "year_sources": source_mix(in_group["year_source"])})
    out = pd.DataFrame(rows)
    out.attrs.update(by=by, n_boot=n_boot, level=level, random_state=random_state,
                     scheme="two-stage bootstrap: speeches within groups, then chunks within speeches")
    return out


def topic_prevalence_run(run, by: str = "year", **kwargs) -> pd.DataFrame:
    """:func:`topic_prevalence` for a run."""
    return topic_prevalence(run_unit_theta(run), run.corpus.units, run.corpus.speeches, by=by, **kwargs)
