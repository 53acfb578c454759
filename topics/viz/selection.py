"""Which K? The selection criteria against K (stm's ``searchK`` plot) and coherence against
exclusivity for every fit (stm's ``topicQuality``, one point per K and seed)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..evaluate.coherence import MEASURES
from .common import ACCENT, figure

__all__ = ["SELECTION_METRICS", "plot_model_selection", "plot_topic_quality"]

# the criteria of the model-selection figure: the headline coherence and C_V (labels from the
# coherence registry), then the other criteria of metrics.csv
SELECTION_METRICS = {**{name: (MEASURES[name].label, "higher is better") for name in ("c_npmi", "c_v") if name in MEASURES},
                     "exclusivity": ("exclusivity (FREX)", "higher is better"),
                     "diversity": ("topic diversity", "higher is better"),
                     "stability": ("stability across seeds", "higher is better"),
                     "perplexity": ("held-out perplexity", "lower is better")}


def plot_model_selection(metrics: pd.DataFrame, selection: dict | None = None,
                         columns=tuple(SELECTION_METRICS)) -> Figure:
    """Each criterion against K: one dot per seed, the mean over seeds, ± one standard deviation.

    The selected K (``selection["k"]``) is marked by a dashed line, in the spirit of
    ``stm::searchK``'s plot: read the criteria side by side, never one alone.
    """
    columns = [c for c in columns if c in metrics and metrics[c].notna().any()]
    fig = figure(2.6 * len(columns) + 0.4, 3.0)
    axes = np.atleast_1d(fig.subplots(1, len(columns)))
    summary = metrics.groupby("k")[columns].agg(["mean", "std"])
    ks = summary.index.to_numpy()
    for ax, column in zip(axes, columns):
        mean, spread = summary[(column, "mean")].to_numpy(), summary[(column, "std")].fillna(0).to_numpy()
        ax.scatter(metrics["k"], metrics[column], s=10, color="0.6", alpha=0.7, lw=0, label="one seed")
        ax.fill_between(ks, mean - spread, mean + spread, color="#4393c3", alpha=0.2, lw=0, label="± 1 sd")
        ax.plot(ks, mean, color="#2166ac", marker="o", ms=3.5, lw=1.5, label="mean over seeds")
        if selection and selection.get("k") in set(ks):
            k = selection["k"]
            ax.axvline(k, color=ACCENT, ls="--", lw=1)
            ax.plot([k], [summary.loc[k, (column, "mean")]], marker="*", ms=11, color=ACCENT, zorder=5,
                    label=f"selected K = {k}")
        title, direction = SELECTION_METRICS.get(column, (column, ""))
        ax.set_title(f"{title}\n({direction})", fontsize=9)
        ax.set_xlabel("number of topics K")
        ax.set_xticks(ks)
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.3, lw=0.5)
    handles, names = axes[0].get_legend_handles_labels()
    fig.legend(handles, names, loc="outside lower center", ncols=len(names), fontsize=8, frameon=False)
    if selection:
        fig.suptitle(f"Model selection — rule: {selection.get('rule', '?')}", fontsize=10)
    return fig


def plot_topic_quality(metrics: pd.DataFrame, selection: dict | None = None, x: str = "c_npmi",
                       y: str = "exclusivity") -> Figure:
    """Mean coherence against mean exclusivity of every fit: one point per (K, seed), coloured by K.

    stm's ``topicQuality`` puts coherence and exclusivity side by side because each alone can be
    gamed (a few broad topics are coherent; many narrow ones are exclusive); good models sit up
    and to the right. Each K's seeds are joined to their mean (a larger dot, labelled K); the
    selected fit is starred.
    """
    table = metrics.dropna(subset=[x, y])
    fig = figure(6.2, 4.6)
    ax = fig.subplots()
    ks = sorted(table["k"].unique())
    colours = dict(zip(ks, _palette(len(ks))))
    for k in ks:
        rows = table[table["k"] == k]
        centre = rows[[x, y]].mean()
        for _, row in rows.iterrows():
            ax.plot([centre[x], row[x]], [centre[y], row[y]], color=colours[k], lw=0.6, alpha=0.6)
        ax.scatter(rows[x], rows[y], s=18, color=colours[k], alpha=0.8, lw=0)
        ax.scatter([centre[x]], [centre[y]], s=70, color=colours[k], edgecolor="white", lw=0.8, zorder=3,
                   label=f"K = {k}")
        ax.annotate(f"K={k}", (centre[x], centre[y]), xytext=(5, 4), textcoords="offset points", fontsize=8,
                    color=colours[k])
    if selection:
        chosen = table[(table["k"] == selection.get("k")) & (table["seed"] == selection.get("seed"))]
        if len(chosen):
            ax.scatter(chosen[x], chosen[y], marker="*", s=180, color=ACCENT, zorder=4,
                       label=f"selected: K = {selection['k']}, seed {selection['seed']}")
    ax.set_xlabel(f"{SELECTION_METRICS.get(x, (x,))[0]} (mean over topics)", fontsize=9)
    ax.set_ylabel(f"{SELECTION_METRICS.get(y, (y,))[0]} (mean over topics)", fontsize=9)
    ax.grid(alpha=0.3, lw=0.5)
    ax.tick_params(labelsize=8)
    ax.legend(fontsize=8, frameon=False, loc="best")
    fig.suptitle("Topic quality: coherence against exclusivity, one small dot per seed (stm's topicQuality)",
                 fontsize=10)
    return fig


def _palette(n: int) -> list:
    import matplotlib as mpl

    cmap = mpl.colormaps["viridis"]
    return [cmap(v) for v in np.linspace(0.05, 0.85, max(n, 1))][:n]
