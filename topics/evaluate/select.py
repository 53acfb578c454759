"""Choosing K (and one seed) from a sweep's metrics with a stated, configurable rule.

Rules (``[select] rule``):

``max_npmi_stable`` (default)
    Among the K whose mean stability across seeds is at least ``min_stability``, the K with the
    best mean ``c_npmi``. Coherence alone favours solutions that a different seed would not
    reproduce; the stability floor keeps only K whose topics recur. When no K reaches the
    floor (or there is one seed, so stability is unknown), the best mean ``c_npmi`` over all K
    is taken and the reason says so.
``max_npmi_relative_stable``
    The floor is relative: among the K whose mean stability is at least ``relative_stability``
    (default 0.9) times the best mean stability of the sweep, the K with the best mean ``c_npmi``.
    Real corpora rarely reach an absolute floor such as 0.5 (the work reports: 0.45 at best;
    measured in the README), so the absolute rule falls back to coherence alone; the relative
    floor always admits the most stable K and applies whenever stability is known.
``pareto``
    The K on the Pareto front of mean ``c_npmi``, ``exclusivity`` and ``stability`` (no other K is
    at least as good on all three and better on one); among them, the K whose worst criterion,
    each scaled 0–1 over the K fitted, is best (a balanced choice, not the extreme of one
    criterion). The reason lists the front and the chosen point's scaled scores.
``max_npmi``
    The K with the best mean ``c_npmi``.
``fixed``
    The K given as ``k`` (for rerunning a choice made by reading the topics).

Within the chosen K the seed is, by default (``seed_by = "stability"``), the one whose topics
agree most with the other seeds' (the most typical solution, not the luckiest); with
``seed_by = "c_npmi"`` the most coherent one. Ties go to the smaller K and the smaller seed.
"""

from __future__ import annotations


import numpy as np
import pandas as pd

from ..config import SelectConfig
from ..errors import ConfigError


def by_k(metrics: pd.DataFrame) -> pd.DataFrame:
    """Mean of each metric over the seeds of every K (index ``k``)."""
    return metrics.drop(columns="seed").groupby("k").mean()


def select_model(metrics: pd.DataFrame, config: SelectConfig) -> dict:
    """Pick (k, seed) from ``metrics`` (one row per fit) and say why.

    Returns ``{"k", "seed", "rule", "reason", "candidates"}``; ``candidates`` lists every K's
    mean c_npmi and stability as used by the rule.
    """
    summary = by_k(metrics)
    npmi = summary["c_npmi"]
    stable = summary["stability"]
    if config.rule == "fixed":
        if config.k not in summary.index:
            raise ConfigError(f"select.k = {config.k} was not fitted — add it to model.k = {sorted(summary.index)}")
        k = config.k
        reason = f"K = {k} fixed in the config (select.rule = 'fixed')"
    elif config.rule == "max_npmi":
        k = _best(npmi)
        reason = f"K = {k} has the best mean c_npmi ({npmi[k]:.4f}) over {len(summary)} values of K"
    elif stable.isna().all():
        k = _best(npmi)
        reason = f"stability is unknown with a single seed; fell back to the best mean c_npmi: K = {k} ({npmi[k]:.4f})"
    elif config.rule == "max_npmi_relative_stable":
        floor = config.relative_stability * stable.max()
        eligible = stable[stable >= floor - 1e-12].index
        k = _best(npmi[eligible])
        reason = (f"K = {k} has the best mean c_npmi ({npmi[k]:.4f}) among the {len(eligible)} K with mean stability "
                  f">= {config.relative_stability} × the best ({stable.max():.4f} at K = {_best(stable)}) = {floor:.4f} "
                  f"(its stability: {stable[k]:.4f})")
    elif config.rule == "pareto":
        k, reason = _pareto(summary)
    else:
        eligible = stable[stable >= config.min_stability].index
        if len(eligible):
            k = _best(npmi[eligible])
            reason = (f"K = {k} has the best mean c_npmi ({npmi[k]:.4f}) among the {len(eligible)} K "
                      f"with mean stability >= {config.min_stability} (its stability: {stable[k]:.4f})")
        else:
            k = _best(npmi)
            why = ("stability is unknown with a single seed" if stable.isna().all() else
                   f"no K reached mean stability >= {config.min_stability} (best: {stable.max():.4f} at K = {stable.idxmax()})")
            reason = f"{why}; fell back to the best mean c_npmi: K = {k} ({npmi[k]:.4f})"
    seed, tied = _pick_seed(metrics[metrics["k"] == k], config.seed_by)
    reason += (f"; seed {seed} chosen by {config.seed_by}" if not tied else
               f"; the seeds tie on {config.seed_by}, so the smallest, seed {seed}, was taken")
    candidates = [{"k": int(kk), "c_npmi": _round(npmi[kk]), "stability": _round(stable[kk]),
                   **({"exclusivity": _round(summary.loc[kk, "exclusivity"])} if "exclusivity" in summary else {})}
                  for kk in summary.index]
    settings = {"min_stability": config.min_stability} if config.rule == "max_npmi_stable" else \
        {"relative_stability": config.relative_stability} if config.rule == "max_npmi_relative_stable" else {}
    return {"k": int(k), "seed": int(seed), "rule": config.rule, "reason": reason, **settings,
            "seed_by": config.seed_by, "candidates": candidates}


PARETO_CRITERIA = ("c_npmi", "exclusivity", "stability")


def _pareto(summary: pd.DataFrame) -> tuple[int, str]:
    """The balanced K of the Pareto front of :data:`PARETO_CRITERIA` (see the module docstring)."""
    criteria = [c for c in PARETO_CRITERIA if c in summary and summary[c].notna().any()]
    values = summary[criteria].sort_index()
    front = [k for k in values.index
             if not any((values.loc[o] >= values.loc[k]).all() and (values.loc[o] > values.loc[k]).any()
                        for o in values.index if o != k)]
    spread = (values.max() - values.min()).replace(0, 1)
    scaled = (values - values.min()) / spread
    worst = scaled.loc[front].min(axis=1)
    k = int(worst.idxmax())  # ties: the first, i.e. the smallest K
    scores = ", ".join(f"{c} {scaled.loc[k, c]:.2f}" for c in criteria)
    return k, (f"the Pareto front of mean {', '.join(criteria)} is K ∈ {{{', '.join(map(str, front))}}}; K = {k} has the "
               f"best worst criterion on it (scaled 0–1 over the K fitted: {scores})")


def _best(values: pd.Series) -> int:
    """Index of the largest value; ties (and NaN-only series) go to the smallest index."""
    values = values.sort_index()
    if values.isna().all():
        return int(values.index[0])
    return int(values.index[int(np.nanargmax(values.to_numpy()))])


def _pick_seed(rows: pd.DataFrame, seed_by: str) -> tuple[int, bool]:
    """The seed with the best ``seed_by`` (the smallest among equals), and whether others tied with it
    (with two seeds, stability is one value shared by both: a tie, not a choice)."""
    rows = rows.sort_values("seed")
    key = (rows[seed_by] if rows[seed_by].notna().any() else rows["c_npmi"]).to_numpy(dtype=float)
    best = int(np.nanargmax(key))
    return int(rows["seed"].iloc[best]), len(rows) > 1 and int((key == key[best]).sum()) > 1


def _round(value: float) -> float | None:
    return None if pd.isna(value) else round(float(value), 6)


__all__ = ["by_k", "select_model"]
