"""The tables of the run report, as DataFrames the notebooks show too (same code, same numbers).

* :func:`metrics_by_k`: mean and standard deviation over seeds of every selection criterion;
* :func:`prevalence_table`: topic prevalence per year group as ``mean [lower, upper]``;
* :func:`effects_wide`: ``effects.csv`` per topic in percentage points; :func:`curve_summary`: what
  each fitted year curve does; :func:`vocabulary_change_table`: how each dynamic topic's words changed;
* :func:`passages_table`: representative passages (``findThoughts``) as short excerpts.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from .. import analysis
from ..evaluate.coherence import MEASURES

__all__ = ["METRICS", "curve_summary", "effects_wide", "format_metrics_by_k", "metrics_by_k", "passages_table", "prevalence_table",
           "selection_rule_text", "vocabulary_change_table"]

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
            # with two seeds stability is one comparison, shared by both: no spread to show
            sd = float("nan") if criterion == "stability" and out["seeds"] == 2 else row[(criterion, "sd")]
            out[criterion] = _mean_sd(row[(criterion, "mean")], sd, _digits(criterion, digits))
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


def effects_wide(effects: pd.DataFrame, labels: dict | None = None, kinds=("contrast", "slope", "difference", "level"),
                 digits: int = 1) -> pd.DataFrame:
    """``effects.csv`` as one row per topic and one column per term, in percentage points.

    Cells read ``"+12.3 [8.1, 16.0]"``, with ``*`` when the interval excludes 0 (for a
    ``level``, the fitted share itself in per cent, no star). The slope is in percentage
    points per year.
    """
    labels = labels or {}
    rows = effects[effects["kind"].isin(kinds)]
    terms = list(dict.fromkeys(rows["term"]))
    out = []
    for topic, part in rows.groupby("topic", sort=True):
        row = {"topic": labels.get(int(topic), f"T{int(topic)}")}
        for item in part.itertuples():
            est, low, high = (100 * v for v in (item.estimate, item.lower, item.upper))
            d = digits + 1 if item.kind == "slope" else digits
            if item.kind == "level":
                row[item.term] = f"{est:.{d}f} [{low:.{d}f}, {high:.{d}f}]"
            else:
                star = " *" if low > 0 or high < 0 else ""
                row[item.term] = f"{est:+.{d}f} [{low:+.{d}f}, {high:+.{d}f}]{star}"
        out.append(row)
    return pd.DataFrame(out, columns=["topic"] + terms)


def curve_summary(year_effects: pd.DataFrame, labels: dict | None = None, digits: int = 1) -> pd.DataFrame:
    """What each topic's fitted curve does, in per cent: first and last year, peak and trough with
    their bands, and the years in which the band lies wholly above or below the topic's mean (the
    flat line a change must leave). Only years with speeches are read: between them the spline
    bridges a gap without data (the figure draws it dashed), and what it does there is no finding."""
    labels = labels or {}
    out = []
    for topic, part in year_effects.groupby("topic", sort=True):
        part = part.sort_values("year")
        part = part[part["n_speeches"] > 0] if (part["n_speeches"] > 0).any() else part
        years = part["year"].to_numpy(int)
        est, low, high = (100 * part[c].to_numpy(float) for c in ("estimate", "lower", "upper"))
        weights = part["n_speeches"].to_numpy(float)
        mean = float(np.average(est, weights=weights)) if weights.sum() else float(est.mean())
        cell = lambda i: f"{est[i]:.{digits}f} [{low[i]:.{digits}f}, {high[i]:.{digits}f}] ({years[i]})"  # noqa: E731
        out.append({"topic": labels.get(int(topic), f"T{int(topic)}"), "mean": f"{mean:.{digits}f}",
                    "first": cell(0), "peak": cell(int(np.argmax(est))), "trough": cell(int(np.argmin(est))),
                    "last": cell(len(est) - 1), "band above the mean": _year_runs(years[low > mean]),
                    "band below the mean": _year_runs(years[high < mean])})
    return pd.DataFrame(out, columns=["topic", "mean", "first", "peak", "trough", "last", "band above the mean",
                                      "band below the mean"])


def _year_runs(years) -> str:
    """``[1984, 1985, 1986, 1990]`` → ``"1984–1986, 1990"``; empty → ``"—"``."""
    years = list(years)
    if not years:
        return "—"
    runs, start = [], years[0]
    for previous, year in zip(years, years[1:] + [None]):
        if year != previous + 1 if year is not None else True:
            runs.append(str(start) if start == previous else f"{start}–{previous}")
            start = year
    return ", ".join(runs)


def vocabulary_change_table(dynamic_topics: pd.DataFrame, labels: dict | None = None, n: int = 10,
                            match_similarity=None) -> pd.DataFrame:
    """Per dynamic topic: how much its top ``n`` words changed from its first period to its last
    (:func:`topics.analysis.dynamic.vocabulary_change`), with the words that left and entered."""
    from ..analysis.dynamic import vocabulary_change

    labels = labels or {}
    change = vocabulary_change(dynamic_topics, n=n)
    table = pd.DataFrame({
        "topic": [labels.get(int(t), f"T{int(t)}") for t in change["topic"]],
        "periods": [f"{a} → {b}" for a, b in zip(change["first"], change["last"])],
        f"top {n} kept": [f"{k} of {n}" for k in change["kept"]],
        "turnover per period": [f"{t:.0%}" for t in change["turnover"]],
        "left": change["left"], "entered": change["entered"]})
    if match_similarity is not None:
        table.insert(1, "match to the LDA topic", [f"{float(m):.2f}" for m in match_similarity][:len(table)])
    return table


def passages_table(run, n: int = 2, excerpt_chars: int = 80) -> pd.DataFrame:
    """Representative passages of every topic (:func:`topics.analysis.find_thoughts_run`), short.

    Columns: ``topic, rank, theta, doc_id, lines, year, year_source, excerpt``; ``lines`` is the
    passage's span in its source file.
    """
    thoughts = analysis.find_thoughts_run(run, n=n, excerpt_chars=excerpt_chars)
    if thoughts.empty:
        return thoughts
    lines = ["" if pd.isna(s) or pd.isna(e) else str(int(s)) if int(s) == int(e) else f"{int(s)}–{int(e)}"
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
    if rule == "max_npmi_relative_stable":
        return (f"among the K whose mean stability across seeds is at least {selection.get('relative_stability')} times "
                "the best K's, the K with the best mean NPMI coherence (with one seed, stability is unknown: the best "
                f"mean NPMI overall). Within K the seed is chosen by {selection.get('seed_by')}.")
    if rule == "pareto":
        return ("the K on the Pareto front of mean NPMI coherence, exclusivity and stability (no other K at least as "
                "good on all three and better on one) whose worst criterion, each scaled 0–1 over the K fitted, is best "
                "(with one seed, stability is unknown: the best mean NPMI overall). Within K the seed is chosen by "
                f"{selection.get('seed_by')}.")
    if rule == "max_npmi":
        return f"the K with the best mean NPMI coherence; within K the seed is chosen by {selection.get('seed_by')}."
    return f"K fixed in the config; within K the seed is chosen by {selection.get('seed_by')}."
