"""The tables of the run report, as DataFrames the notebooks show too (same code, same numbers).

* :func:`metrics_by_k`: mean and standard deviation over seeds of every selection criterion;
* :func:`prevalence_table`: topic prevalence per year group as ``mean [lower, upper]``;
* :func:`effect_table`: the effect of one covariate per topic, in percentage points;
* :func:`passages_table`: representative passages (``findThoughts``) as short excerpts.
"""

from __future__ import annotations

from typing import Sequence

import pandas as pd

from .. import analysis
from ..evaluate.coherence import MEASURES

__all__ = ["METRICS", "effect_table", "format_metrics_by_k", "metrics_by_k", "passages_table", "prevalence_table",
           "selection_rule_text"]

#: the criteria of ``metrics.csv`` summarised per K, in the order of the report's table
METRICS = (*MEASURES, "diversity", "exclusivity", "perplexity", "stability")


def metrics_by_k(metrics: pd.DataFrame, columns: Sequence[str] = METRICS) -> pd.DataFrame:
    """Mean and standard deviation over seeds of each criterion, one row per K.

    Parameters
    ----------
    metrics : ``metrics.csv`` (one row per (k, seed)).
    columns : criteria to summarise; those absent from ``metrics`` are skipped.

    Returns
    -------
    DataFrame indexed by ``k`` with a column ``n_seeds`` and two-level columns
    ``(criterion, "mean")`` and ``(criterion, "sd")``. The sd is NaN with a single seed, and
    ``stability`` is NaN throughout (it compares seeds).

    Examples
    --------
    >>> m = pd.DataFrame({"k": [3, 3, 4], "seed": [1, 2, 1], "c_npmi": [0.1, 0.3, 0.2]})
    >>> metrics_by_k(m, ["c_npmi"]).round(3).to_dict("list")[("c_npmi", "mean")]
    [0.2, 0.2]
    """
    columns = [c for c in columns if c in metrics]
    grouped = metrics.groupby("k", sort=True)
    table = grouped[columns].agg(["mean", "std"]).rename(columns={"std": "sd"}, level=1)
    table.insert(0, ("n_seeds", ""), grouped.size())
    return table


def format_metrics_by_k(summary: pd.DataFrame, selected_k: int | None = None, digits: int = 4) -> pd.DataFrame:
    """:func:`metrics_by_k` as text: ``"-0.0438 ± 0.0170"`` per cell, ``—`` where unknown.

    The row of ``selected_k`` is marked with ``◀ selected`` in a last column.
    """
    criteria = [c for c in dict.fromkeys(summary.columns.get_level_values(0)) if c != "n_seeds"]
    rows = []
    for k, row in summary.iterrows():
        out = {"K": int(k), "seeds": int(row[("n_seeds", "")])}
        for criterion in criteria:
            out[criterion] = _mean_sd(row[(criterion, "mean")], row[(criterion, "sd")], _digits(criterion, digits))
        out[""] = "◀ selected" if selected_k is not None and int(k) == int(selected_k) else ""
        rows.append(out)
    return pd.DataFrame(rows)


def _digits(criterion: str, digits: int) -> int:
    # perplexity is in the thousands: decimals there are noise
    return 1 if criterion == "perplexity" else digits


def _mean_sd(mean: float, sd: float, digits: int) -> str:
    if pd.isna(mean):
        return "—"
    text = f"{mean:.{digits}f}"
    return text if pd.isna(sd) else f"{text} ± {sd:.{digits}f}"


def prevalence_table(prevalence: pd.DataFrame, labels: dict | None = None, digits: int = 2) -> pd.DataFrame:
    """Wide view of :func:`topics.analysis.topic_prevalence`: one row per group, one column per topic.

    Cells read ``"0.31 [0.22, 0.40]"`` (mean proportion and the bootstrap interval); the columns
    ``n_speeches`` and ``year_sources`` say how many speeches the group has and how their years
    are known. Groups keep the order of the prevalence table (years, then anonymized, unknown).
    """
    labels = labels or {}
    groups = list(dict.fromkeys(prevalence["group"]))
    rows = []
    for group in groups:
        part = prevalence[prevalence["group"] == group].sort_values("topic")
        row = {"group": group, "n_speeches": int(part["n_speeches"].iloc[0]),
               "year_sources": part["year_sources"].iloc[0]}
        for item in part.itertuples():
            row[labels.get(item.topic, f"T{item.topic}")] = (
                f"{item.mean:.{digits}f} [{item.lower:.{digits}f}, {item.upper:.{digits}f}]")
        rows.append(row)
    return pd.DataFrame(rows)


def effect_table(effect: analysis.EffectEstimate, term: str = "year", labels: dict | None = None,
                 scale: float = 100.0) -> pd.DataFrame:
    """One covariate's coefficient per topic, scaled (100: percentage points), with its interval.

    Columns: ``topic, label, estimate, std_error, lower, upper, excludes_zero``. For ``term =
    "year"`` the estimate is the change in a topic's mean proportion per calendar year, in
    percentage points, holding the other covariates fixed.
    """
    labels = labels or {}
    rows = effect.table[effect.table["term"] == term].sort_values("topic")
    out = pd.DataFrame({
        "topic": rows["topic"].astype(int).to_numpy(),
        "label": [labels.get(int(t), f"T{int(t)}") for t in rows["topic"]],
        "estimate": rows["estimate"].to_numpy() * scale,
        "std_error": rows["std_error"].to_numpy() * scale,
        "lower": rows["lower"].to_numpy() * scale,
        "upper": rows["upper"].to_numpy() * scale,
    })
    out["excludes_zero"] = (out["lower"] > 0) | (out["upper"] < 0)
    return out


def passages_table(run, n: int = 2, excerpt_chars: int = 80) -> pd.DataFrame:
    """Representative passages of every topic (:func:`topics.analysis.find_thoughts_run`), short.

    Columns: ``topic, rank, theta, doc_id, lines, year, year_source, excerpt``; ``lines`` is the
    passage's span in its source file.
    """
    thoughts = analysis.find_thoughts_run(run, n=n, excerpt_chars=excerpt_chars)
    if thoughts.empty:
        return thoughts
    lines = [f"{int(s)}–{int(e)}" if not (pd.isna(s) or pd.isna(e)) else ""
             for s, e in zip(thoughts["start_line"], thoughts["end_line"])]
    out = thoughts.assign(lines=lines)
    return out[["topic", "rank", "theta", "doc_id", "lines", "year", "year_source", "excerpt"]]


def selection_rule_text(selection: dict) -> str:
    """The selection rule in words (see :mod:`topics.select`)."""
    rule = selection["rule"]
    if rule == "max_npmi_stable":
        return (f"among the K whose mean stability across seeds is at least {selection.get('min_stability')}, the K "
                "with the best mean NPMI coherence; if none qualifies (or there is one seed), the best mean NPMI "
                f"overall. Within K the seed is chosen by {selection.get('seed_by')}.")
    if rule == "max_npmi":
        return f"the K with the best mean NPMI coherence; within K the seed is chosen by {selection.get('seed_by')}."
    return f"K fixed in the config; within K the seed is chosen by {selection.get('seed_by')}."
