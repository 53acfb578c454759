"""How does prevalence change across years? Group means, and stm's three kinds of effect plot.

* :func:`plot_prevalence` — mean proportion per year group with bootstrap intervals; lines join
  adjacent years only, so a gap in the data is a gap in the figure;
* :func:`plot_year_effects` — stm's ``continuous``: the fitted curve per topic with its band,
  dashed where it bridges years without a speech, a rug where speeches are;
* :func:`plot_difference` — stm's ``difference``: one contrast per topic with its interval;
* :func:`plot_point_estimates` — stm's ``pointestimate``: fitted prevalence at each level of a
  categorical covariate.

When most speeches have no usable year, the figures say so under their title.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .. import analysis
from .common import figure, grid_shape, panel_grid, shorten, warn, year_ticks

__all__ = ["GAP_YEARS", "plot_difference", "plot_point_estimates", "plot_prevalence", "plot_year_effects"]

#: a run of at least this many years without a speech is drawn as a gap
GAP_YEARS = 3
BLUE, DARK = "#4393c3", "#2166ac"


def _group_positions(groups) -> np.ndarray:
    """x positions: years at their value; anonymized / unknown one step apart after a gap."""
    order = analysis.group_order(groups)
    years = [int(g) for g in order if g.isdigit()]
    last = max(years) if years else 0
    positions, extra = {}, 0
    for g in order:
        if g.isdigit():
            positions[g] = int(g)
        else:
            extra += 2
            positions[g] = last + extra
    return np.array([positions[g] for g in groups], dtype=float)


def plot_prevalence(prevalence: pd.DataFrame, labels: dict | None = None, topics=None, ncols: int = 4,
                    warning: str | None = None) -> Figure:
    """Mean topic proportion per year with its bootstrap interval, one panel per topic.

    ``prevalence`` is :func:`topics.analysis.topic_prevalence` output (``by="year"``). Lines join
    consecutive calendar years only: a year without speeches breaks the line. Speeches without a
    usable year appear at the right, in grey, as their own groups; ``warning`` is printed under
    the title.
    """
    labels = labels or {}
    topic_ids = sorted(prevalence["topic"].unique()) if topics is None else list(topics)
    nrows, cols = grid_shape(len(topic_ids), ncols)
    fig = figure(max(3.2 * cols, 5.0), 2.5 * nrows + 0.9)
    axes = panel_grid(fig, len(topic_ids), ncols)
    level = prevalence.attrs.get("level", 0.95)
    for ax, topic in zip(axes, topic_ids):
        rows = prevalence[prevalence["topic"] == topic]
        x = _group_positions(rows["group"].to_numpy())
        dated = rows["group"].str.isdigit().to_numpy()
        means = rows["mean"].to_numpy()
        err = np.vstack([rows["mean"] - rows["lower"], rows["upper"] - rows["mean"]]).clip(min=0)
        for mask, colour in ((dated, DARK), (~dated, "0.45")):
            ax.errorbar(x[mask], means[mask], yerr=err[:, mask], fmt="o", ms=3.5, color=colour, ecolor=colour,
                        elinewidth=1, capsize=2)
        xs, ys = x[dated], means[dated]
        order = np.argsort(xs)
        xs, ys = xs[order], ys[order]
        if len(xs) > 1:  # NaN between years more than one apart: the line stops at a gap
            breaks = np.flatnonzero(np.diff(xs) > 1) + 1
            ax.plot(np.insert(xs, breaks, np.nan), np.insert(ys, breaks, np.nan), color=DARK, lw=0.8, alpha=0.6)
        ax.set_title(shorten(labels.get(topic, f"T{topic}"), 18), fontsize=9, loc="left")
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3, lw=0.5)
        ax.tick_params(labelsize=7)
    groups = prevalence["group"].drop_duplicates().to_numpy()
    x = _group_positions(groups)
    years = sorted(int(g) for g in groups if str(g).isdigit())
    ticks = year_ticks(years[0], years[-1]) if years else []
    undated = [(p, g) for p, g in zip(x, groups) if not str(g).isdigit()]
    for i, ax in enumerate(axes):
        ax.set_xlim(x.min() - 0.7, x.max() + 0.7)
        ax.set_xticks(ticks + [p for p, _ in undated], [str(t) for t in ticks] + [g for _, g in undated],
                      rotation=60, ha="right", rotation_mode="anchor")
        ax.tick_params(axis="x", labelbottom=i + cols >= len(topic_ids))  # year labels on the lowest panels
    fig.supylabel("mean topic proportion per speech", fontsize=9)
    warn(fig, warning, f"Topic prevalence by year ({level:.0%} two-stage bootstrap intervals; lines join adjacent "
                       "years only; grey: speeches without a usable year)")
    return fig


def _supported(years: np.ndarray, counts: np.ndarray, gap: int = GAP_YEARS) -> np.ndarray:
    """True for years not inside a run of ``gap`` or more years without a speech."""
    inside = np.zeros(len(years), dtype=bool)
    start = None
    for i, count in enumerate(list(counts) + [1]):
        if count == 0 and start is None:
            start = i
        elif count > 0 and start is not None:
            if i - start >= gap:
                inside[start:i] = True
            start = None
    return ~inside


def plot_year_effects(year_effects: pd.DataFrame, labels: dict | None = None, topics=None, ncols: int = 3,
                      level: float = 0.95, warning: str | None = None, formula: str = "s(year)") -> Figure:
    """Fitted prevalence against year with its band, one panel per topic (stm's continuous plot).

    ``year_effects`` is ``year_effects.csv`` (:func:`topics.analysis.year_effects`). The curve is
    solid where speeches are, dashed across a run of ``GAP_YEARS`` or more years without one (the
    spline bridges them; no speech speaks there); ticks at the bottom mark years with speeches;
    the dotted line is the topic's mean over the speeches, the flat line a band must leave to show
    a change.
    """
    labels = labels or {}
    topic_ids = sorted(year_effects["topic"].unique()) if topics is None else list(topics)
    nrows, cols = grid_shape(len(topic_ids), ncols)
    fig = figure(max(3.4 * cols, 5.0), 2.6 * nrows + 1.0)
    axes = panel_grid(fig, len(topic_ids), ncols, sharex=True)
    for ax, topic in zip(axes, topic_ids):
        rows = year_effects[year_effects["topic"] == topic].sort_values("year")
        years, counts = rows["year"].to_numpy(int), rows["n_speeches"].to_numpy(int)
        est, low, high = (rows[c].to_numpy(float) for c in ("estimate", "lower", "upper"))
        solid = _supported(years, counts)
        dashed = ~solid | np.r_[~solid[1:], False] | np.r_[False, ~solid[:-1]]  # meets the solid part
        ax.fill_between(years, low, high, where=solid, color=BLUE, alpha=0.3, lw=0, interpolate=False)
        ax.fill_between(years, low, high, where=dashed & ~solid | dashed & np.r_[False, ~solid[:-1]]
                        | dashed & np.r_[~solid[1:], False], color=BLUE, alpha=0.12, lw=0, interpolate=False)
        ax.plot(years, np.where(solid, est, np.nan), color=DARK, lw=1.6)
        ax.plot(years, np.where(dashed, est, np.nan), color=DARK, lw=1.0, ls="--")
        if counts.sum():
            ax.axhline(np.average(est, weights=counts), color="0.3", lw=0.8, ls=":")
        ax.plot(years[counts > 0], np.zeros((counts > 0).sum()), "|", color="0.35", ms=6,
                transform=ax.get_xaxis_transform())
        ax.set_title(shorten(labels.get(topic, f"T{topic}"), 22), fontsize=9, loc="left")
        ax.set_ylim(bottom=min(0, float(np.nanmin(low))))
        ax.grid(alpha=0.3, lw=0.5)
        ax.tick_params(labelsize=7)
    if len(year_effects):
        ticks = year_ticks(int(year_effects["year"].min()), int(year_effects["year"].max()), most=8)
        for ax in axes:
            ax.set_xticks(ticks, [str(t) for t in ticks], rotation=45)
    fig.supylabel("fitted topic proportion", fontsize=9)
    warn(fig, warning, f"Topic prevalence over the years: {formula}, {level:.0%} band (method of composition)\n"
                       f"dashed: {GAP_YEARS}+ years without a speech; dotted: the topic's mean")
    return fig


def plot_difference(effects: pd.DataFrame, term: str, labels: dict | None = None, scale: float = 100.0,
                    unit: str = "percentage points") -> Figure:
    """One term of ``effects.csv`` per topic with its interval (stm's difference plot).

    Estimates are multiplied by ``scale`` (100: proportions → percentage points); intervals that
    exclude zero are drawn darker.
    """
    labels = labels or {}
    rows = effects[effects["term"] == term].sort_values("topic")
    n = len(rows)
    fig = figure(6.5, 0.38 * n + 1.5)
    ax = fig.subplots()
    y = np.arange(n)
    est, low, high = (rows[c].to_numpy(float) * scale for c in ("estimate", "lower", "upper"))
    clear = (low > 0) | (high < 0)
    colours = np.where(clear, DARK, "0.6")
    ax.hlines(y, low, high, color=colours, lw=2)
    ax.scatter(est, y, color=colours, zorder=3, s=22)
    ax.axvline(0, color="0.2", lw=0.8, ls="--")
    ax.set_yticks(y, [shorten(labels.get(int(t), f"T{int(t)}"), 22) for t in rows["topic"]], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(f"{term} ({unit})", fontsize=9)
    ax.tick_params(axis="x", labelsize=8)
    ax.grid(axis="x", alpha=0.3, lw=0.5)
    fig.suptitle(f"Difference in topic prevalence: {term}\nmean and interval over simulations "
                 "(method of composition); grey: interval includes 0", fontsize=9)
    return fig


def plot_point_estimates(effects: pd.DataFrame, variable: str, labels: dict | None = None, ncols: int = 4) -> Figure:
    """Fitted prevalence at each level of ``variable``, one panel per topic (stm's point-estimate plot).

    Reads the ``kind = "level"`` rows of ``effects.csv`` whose term is ``"variable = level"``.
    """
    labels = labels or {}
    rows = effects[(effects["kind"] == "level") & effects["term"].str.startswith(f"{variable} = ")]
    topic_ids = sorted(rows["topic"].unique())
    levels = list(dict.fromkeys(rows["term"]))
    nrows, cols = grid_shape(len(topic_ids), ncols)
    fig = figure(max(3.0 * cols, 5.0), (0.3 * len(levels) + 1.0) * nrows + 0.8)
    for ax, topic in zip(panel_grid(fig, len(topic_ids), ncols, sharex=True), topic_ids):
        part = rows[rows["topic"] == topic].set_index("term").reindex(levels)
        y = np.arange(len(levels))
        ax.hlines(y, part["lower"], part["upper"], color=DARK, lw=2)
        ax.scatter(part["estimate"], y, color=DARK, s=20, zorder=3)
        ax.set_yticks(y, [term.split(" = ", 1)[1] for term in levels], fontsize=8)
        ax.invert_yaxis()
        ax.set_title(shorten(labels.get(int(topic), f"T{int(topic)}"), 20), fontsize=9, loc="left")
        ax.grid(axis="x", alpha=0.3, lw=0.5)
        ax.tick_params(axis="x", labelsize=7)
    fig.supxlabel("fitted topic proportion", fontsize=9)
    fig.suptitle(f"Topic prevalence by {variable} (others held at typical values; method of composition)",
                 fontsize=10)
    return fig
