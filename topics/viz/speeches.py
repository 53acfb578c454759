"""What are the topics, and how do speeches differ? Top words, speech × topic heatmap, speech similarity.

Rows of the speech figures are labelled by speech (its short title, else its doc_id) with its
year, so every row can be found in ``speeches.csv``; the similarity colour scale spans the
distances present, so a small run is not one dark block.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy.cluster.hierarchy import dendrogram

from .. import analysis
from .common import figure, panel_grid, shorten, source_legend, source_strip

__all__ = ["plot_similarity", "plot_speech_topics", "plot_top_words", "speech_labels"]

#: at most this many rows are labelled one by one (more would overlap); beyond it, year groups
MAX_ROW_LABELS = 90


def plot_top_words(topics_table: pd.DataFrame, n_words: int = 10, labels: dict | None = None,
                   ncols: int = 4) -> Figure:
    """One bar chart per topic: its ``n_words`` most probable words and their probability φ."""
    labels = labels or analysis.topic_labels(topics_table)
    topic_ids = sorted(topics_table["topic"].unique())
    nrows = int(np.ceil(len(topic_ids) / max(1, min(ncols, len(topic_ids)))))
    width = 3.1 * min(ncols, len(topic_ids))
    fig = figure(max(width, 4.0), 0.22 * n_words * nrows + 0.7 * nrows)
    for ax, topic in zip(panel_grid(fig, len(topic_ids), ncols), topic_ids):
        words = (topics_table[topics_table["topic"] == topic]
                 .sort_values(["weight", "word"], ascending=[False, True]).head(n_words))
        y = np.arange(len(words))
        ax.barh(y, words["weight"], color="#4393c3", height=0.7)
        ax.set_yticks(y, words["word"], fontsize=8)
        ax.invert_yaxis()
        ax.set_title(shorten(labels.get(topic, f"T{topic}"), 16), fontsize=9, loc="left")
        ax.tick_params(axis="x", labelsize=7)
        ax.spines[["top", "right"]].set_visible(False)
    fig.supxlabel("probability of the word in the topic (φ)", fontsize=9)
    return fig


def speech_labels(table: pd.DataFrame, titles: dict | None = None, limit: int = 16) -> list[str]:
    """``"1990 政府工作报告"`` or ``"unknown · 001_39ec4a…#0"``: the year group and the speech's short
    title (else its doc_id), one per row of ``table`` (needs ``doc_id`` and ``year_group``)."""
    titles = titles or {}
    out = []
    for doc_id, group in zip(table["doc_id"], table["year_group"].fillna("unknown")):
        title = titles.get(doc_id)
        name = shorten(str(title), limit) if isinstance(title, str) and title.strip() else _short_id(str(doc_id))
        out.append(f"{group} · {name}")
    return out


def _short_id(doc_id: str, keep: int = 10) -> str:
    stem, _, index = doc_id.partition("#")
    return (stem if len(stem) <= keep else stem[:keep] + "…") + (f"#{index}" if index else "")


def _year_order(table: pd.DataFrame) -> pd.DataFrame:
    """Speeches sorted by year group (years, then anonymized, unknown), then year source, doc_id."""
    rank = {g: i for i, g in enumerate(analysis.group_order(table["year_group"]))}
    return (table.assign(_g=table["year_group"].map(rank))
            .sort_values(["_g", "year_source", "doc_id"], kind="stable").drop(columns="_g"))


def plot_speech_topics(speech_table: pd.DataFrame, labels: dict | None = None, titles: dict | None = None) -> Figure:
    """Heatmap of speech × topic proportions, speeches ordered by year, year source as a side strip.

    ``speech_table`` is :func:`topics.analysis.speech_topics` output; ``titles`` maps doc_id to
    the speech's title (``speeches.csv``). Each row is labelled by its year and speech (up to
    ``MAX_ROW_LABELS`` rows; beyond that by year group, separated by thin lines).
    """
    table = _year_order(speech_table)
    columns = [c for c in table if c.startswith("topic_")]
    k, n = len(columns), len(table)
    labels = labels or {}
    names = [shorten(labels.get(i, f"T{i}"), 14) for i in range(k)]
    each = n <= MAX_ROW_LABELS
    fig = figure(3.6 + 0.5 * k if each else 2.2 + 0.5 * k, min(max(4.5, (0.14 if each else 0.06) * n + 2.5), 16))
    heat_ax = fig.subplots()
    # the strip is a child of the heatmap axes, so the layout engine keeps them together
    strip_ax = heat_ax.inset_axes([-0.045, 0, 0.03, 1], sharey=heat_ax)
    source_strip(strip_ax, table["year_source"])
    image = heat_ax.imshow(table[columns].to_numpy(), aspect="auto", cmap="YlGnBu", vmin=0,
                           interpolation="nearest")
    heat_ax.set_xticks(range(k), names, rotation=50, ha="right", rotation_mode="anchor", fontsize=8)
    groups = table["year_group"].to_numpy()
    starts = [0] + [i for i in range(1, n) if groups[i] != groups[i - 1]]
    if each:
        strip_ax.set_yticks(range(n), speech_labels(table, titles), fontsize=6 if n > 40 else 7)
    else:
        ends = starts[1:] + [n]
        strip_ax.set_yticks([(a + b - 1) / 2 for a, b in zip(starts, ends)], [groups[a] for a in starts], fontsize=7)
    strip_ax.tick_params(axis="y", labelleft=True, left=True)
    for boundary in starts[1:]:
        heat_ax.axhline(boundary - 0.5, color="white", lw=0.8)
    heat_ax.tick_params(axis="y", left=False, labelleft=False)
    strip_ax.set_ylabel("speeches, ordered by year" + ("" if each else " (labelled by year group)"), fontsize=9)
    bar = fig.colorbar(image, ax=heat_ax, shrink=0.6)
    bar.set_label("topic proportion θ", fontsize=9)
    bar.ax.tick_params(labelsize=8)
    source_legend(fig, table["year_source"])
    return fig


def plot_similarity(distances: pd.DataFrame, clustering: analysis.Clustering,
                    speech_table: pd.DataFrame | None = None, titles: dict | None = None,
                    max_labels: int = MAX_ROW_LABELS) -> Figure:
    """Jensen–Shannon distances between speeches, in dendrogram order, dendrogram on top.

    The colour scale runs from the smallest to the largest distance between two different
    speeches (not a fixed 0–1), so differences show in any run. With ``speech_table`` a side
    strip shows each speech's year source and rows are labelled by year and speech (up to
    ``max_labels`` speeches).
    """
    order = clustering.order
    matrix = distances.to_numpy()[np.ix_(order, order)]
    n = len(order)
    off_diagonal = matrix[~np.eye(n, dtype=bool)]
    low, high = (float(off_diagonal.min()), float(off_diagonal.max())) if off_diagonal.size else (0.0, 1.0)
    if high <= low:
        low, high = max(0.0, low - 0.05), high + 0.05
    size = min(max(6.0, 0.1 * n + 3), 13)
    fig = figure(size + 2.2, size + 1.2)
    grid = fig.add_gridspec(2, 3, width_ratios=[0.15, 6, 0.2], height_ratios=[1.2, 6])
    tree_ax = fig.add_subplot(grid[0, 1])
    heat_ax = fig.add_subplot(grid[1, 1])
    strip_ax = fig.add_subplot(grid[1, 0], sharey=heat_ax)
    colour_ax = fig.add_subplot(grid[1, 2])
    dendrogram(clustering.linkage, ax=tree_ax, color_threshold=0, above_threshold_color="0.3", no_labels=True)
    tree_ax.set_xlim(0, 10 * n)  # scipy puts leaf i at x = 10 i + 5: align with heatmap columns
    tree_ax.set_axis_off()
    image = heat_ax.imshow(matrix, cmap="magma", vmin=low, vmax=high, interpolation="nearest", aspect="auto")
    heat_ax.set_xticks([])
    bar = fig.colorbar(image, cax=colour_ax)
    bar.set_label(f"Jensen–Shannon distance (base 2; scale {low:.2f}–{high:.2f})", fontsize=9)
    bar.ax.tick_params(labelsize=8)
    meta = None
    if speech_table is not None:
        meta = speech_table.set_index("doc_id").reindex([distances.index[i] for i in order]).reset_index()
        source_strip(strip_ax, meta["year_source"].fillna("unknown"))
        source_legend(fig, meta["year_source"].fillna("unknown"))
    else:
        strip_ax.set_axis_off()
    if meta is not None and n <= max_labels:
        heat_ax.set_yticks(range(n), speech_labels(meta, titles), fontsize=6)
        heat_ax.yaxis.tick_right()
    else:
        heat_ax.set_yticks([])
    strip_ax.tick_params(left=False, labelleft=False)
    fig.suptitle(f"Speech similarity: {n} speeches, average-linkage clustering", fontsize=10)
    return fig
