"""How do a topic's words change? The dynamic topic model's top words per period, and word trajectories.

* :func:`plot_dynamic_topics` — for each topic, a grid of periods × ranks: the word at each rank
  in each period, shaded by its probability; a word that is new to a topic's top words (not in
  the previous period's) is set in red, so the change reads off the figure (the bundled CJK font has
  no bold weight);
* :func:`plot_word_trajectories` — the probability of chosen words in their topic over the periods.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .common import figure, grid_shape, panel_grid, shorten, spread_labels, warn

__all__ = ["NEW_WORD", "plot_dynamic_topics", "plot_word_trajectories"]

#: colour of a word new to a topic's top words since the period before
NEW_WORD = "#b2182b"


def plot_dynamic_topics(table: pd.DataFrame, labels: dict | None = None, n_words: int = 8, topics=None,
                        warning: str | None = None) -> Figure:
    """Top ``n_words`` of each topic in each period (``dynamic_topics.csv``), one panel per topic;
    ``warning`` (e.g. :func:`topics.analysis.dynamic.overlap_warning`) is printed under the title."""
    labels = labels or {}
    table = table[table["rank"] < n_words]
    topic_ids = sorted(table["topic"].unique()) if topics is None else list(topics)
    periods = list(dict.fromkeys(table["period"]))
    fig = figure(max(6.0, 0.85 * len(periods) + 1.2), (0.24 * n_words + 0.55) * len(topic_ids) + 0.8)
    axes = panel_grid(fig, len(topic_ids), 1)
    top = table["weight"].max() if len(table) else 1.0
    for ax, topic in zip(axes, topic_ids):
        part = table[table["topic"] == topic]
        weights = np.zeros((n_words, len(periods)))
        previous: set = set()
        for j, period in enumerate(periods):
            column = part[part["period"] == period].sort_values("rank")
            words = list(column["word"])
            for r, (word, weight) in enumerate(zip(words, column["weight"])):
                weights[r, j] = weight
                new = j and word not in previous
                ax.text(j, r, word, ha="center", va="center", fontsize=7,
                        color=NEW_WORD if new else ("white" if weight > 0.6 * top else "black"))
            previous = set(words)
        ax.imshow(weights, aspect="auto", cmap="Blues", vmin=0, vmax=top, interpolation="nearest")
        ax.set_xticks(range(len(periods)), periods, fontsize=7)
        ax.set_yticks(range(n_words), [str(r + 1) for r in range(n_words)], fontsize=6)
        ax.set_title(shorten(labels.get(int(topic), f"T{int(topic)}"), 40), fontsize=9, loc="left")
        ax.tick_params(length=0)
    warn(fig, warning, "Dynamic topics: top words per period (shade: probability in the topic; red: new to the top "
                       "words since the period before)")
    return fig


def plot_word_trajectories(trajectories: pd.DataFrame, labels: dict | None = None, ncols: int = 3) -> Figure:
    """Each chosen word's probability in its topic across the periods, one panel per topic.

    ``trajectories`` is :func:`topics.analysis.dynamic.word_trajectories` output.
    """
    labels = labels or {}
    topic_ids = sorted(trajectories["topic"].unique())
    periods = list(dict.fromkeys(trajectories["period"]))
    nrows, cols = grid_shape(len(topic_ids), ncols)
    fig = figure(max(3.8 * cols, 5.0), 2.8 * nrows + 0.8)
    x = np.arange(len(periods))
    for ax, topic in zip(panel_grid(fig, len(topic_ids), ncols), topic_ids):
        part = trajectories[trajectories["topic"] == topic]
        ends, colours, words = [], [], []
        for word, rows in part.groupby("word", sort=False):
            values = rows.set_index("period").reindex(periods)["probability"].to_numpy(float)
            line, = ax.plot(x, values, marker="o", ms=2.5, lw=1.3)
            ends.append(values[-1])
            colours.append(line.get_color())
            words.append(word)
        # words that end close together get their labels spread apart, each joined to its line's end
        top = float(np.nanmax(part["probability"])) if len(part) else 1.0
        positions = spread_labels(np.nan_to_num(ends), 0.075 * top, low=0.04 * top)  # not on the x axis
        for word, end, at, colour in zip(words, ends, positions, colours):
            ax.annotate(word, (x[-1], end), xytext=(x[-1] + 0.18, at), textcoords="data", fontsize=7, color=colour,
                        va="center", arrowprops={"arrowstyle": "-", "lw": 0.4, "color": colour, "shrinkA": 0,
                                                 "shrinkB": 0} if abs(at - end) > 0.01 * top else None)
        ax.set_xticks(x, periods, fontsize=6, rotation=60)
        ax.set_xlim(-0.3, len(periods) - 0.3 + 0.16 * len(periods) + 0.5)
        ax.set_ylim(0, max([top * 1.05, *(positions + 0.04 * top)]))  # room for labels spread upwards
        ax.set_title(shorten(labels.get(int(topic), f"T{int(topic)}"), 34), fontsize=9, loc="left")
        ax.grid(alpha=0.3, lw=0.5)
        ax.tick_params(axis="y", labelsize=7)
    fig.supylabel("probability of the word in the topic", fontsize=9)
    fig.suptitle("Word trajectories in the dynamic topic model", fontsize=10)
    return fig
