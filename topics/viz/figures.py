"""Publication figures for a run: model selection, topics, speeches, years, effects, similarity.

Every ``plot_*`` function takes plain tables (the outputs of :mod:`topics.analysis` or the run's
own tables) and returns a :class:`matplotlib.figure.Figure`; :func:`save_figure` writes it as PNG
(200 dpi) and SVG; :func:`make_all_figures` draws and saves them all for a
:class:`topics.experiment.RunResult`. Figures are made with ``Figure`` rather than ``pyplot``,
so nothing is shown twice in a notebook and no global figure list grows.

Chinese text renders with the font bundled in ``mplfonts`` (see :mod:`topics.fonts`). Topic
labels read ``T3 计划生育·流动人口·社会抚养费`` (top words by relevance, :func:`topics.analysis.topic_labels`).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from scipy.cluster.hierarchy import dendrogram

from .. import analysis
from ..common.fileio import atomic_path
from ..evaluate.coherence import MEASURES
from .fonts import use_chinese_font

# How a speech's year was established; stronger evidence gets the stronger colour.
YEAR_SOURCE_COLOURS = {"explicit": "#1b7837", "implied": "#7fbf7b", "metadata": "#4393c3",
                       "anonymized": "#f1a340", "unknown": "#bababa"}
# the criteria of the model-selection figure: the headline coherence and C_V (labels from the
# coherence registry), then the other criteria of metrics.csv
SELECTION_METRICS = {**{name: (MEASURES[name].label, "higher is better") for name in ("c_npmi", "c_v") if name in MEASURES},
                     "diversity": ("topic diversity", "higher is better"),
                     "stability": ("stability across seeds", "higher is better"),
                     "perplexity": ("held-out perplexity", "lower is better")}
ACCENT = "#b2182b"


def _figure(width: float, height: float) -> Figure:
    use_chinese_font()
    return Figure(figsize=(width, height), layout="constrained")


def save_figure(fig: Figure, path_without_suffix: str | Path, dpi: int = 200) -> dict[str, Path]:
    """Write ``fig`` to ``<path>.png`` (``dpi``) and ``<path>.svg``; return both paths.

    Files are written atomically; the SVG carries no date and a fixed id salt, so the same
    figure gives the same bytes on every run.
    """
    base = Path(path_without_suffix)
    out = {}
    with mpl.rc_context({"svg.hashsalt": "topics", "svg.fonttype": "path"}):
        for fmt in ("png", "svg"):
            target = base.with_name(base.name + f".{fmt}")
            metadata = {"Date": None} if fmt == "svg" else {"Software": None}
            with atomic_path(target) as tmp:
                fig.savefig(tmp, format=fmt, dpi=dpi, metadata=metadata)
            out[fmt] = target
    return out


# -- model selection ------------------------------------------------------------------------------
def plot_model_selection(metrics: pd.DataFrame, selection: dict | None = None,
                         columns=tuple(SELECTION_METRICS)) -> Figure:
    """Each criterion against K: one dot per seed, the mean over seeds, ± one standard deviation.

    The selected K (``selection["k"]``) is marked by a dashed line, in the spirit of
    ``stm::searchK``'s plot: read the criteria side by side, never one alone.
    """
    columns = [c for c in columns if c in metrics and metrics[c].notna().any()]
    fig = _figure(2.6 * len(columns) + 0.4, 3.0)
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


# -- topics ---------------------------------------------------------------------------------------
def plot_top_words(topics_table: pd.DataFrame, n_words: int = 10, labels: dict | None = None,
                   ncols: int = 4) -> Figure:
    """One bar chart per topic: its ``n_words`` most probable words and their probability φ."""
    labels = labels or analysis.topic_labels(topics_table)
    topic_ids = sorted(topics_table["topic"].unique())
    nrows = int(np.ceil(len(topic_ids) / ncols))
    fig = _figure(3.1 * ncols, 0.22 * n_words * nrows + 0.7 * nrows)
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).ravel()
    for ax, topic in zip(axes, topic_ids):
        words = (topics_table[topics_table["topic"] == topic]
                 .sort_values(["weight", "word"], ascending=[False, True]).head(n_words))
        y = np.arange(len(words))
        ax.barh(y, words["weight"], color="#4393c3", height=0.7)
        ax.set_yticks(y, words["word"], fontsize=8)
        ax.invert_yaxis()
        ax.set_title(_shorten(labels.get(topic, f"T{topic}"), 16), fontsize=9, loc="left")
        ax.tick_params(axis="x", labelsize=7)
        ax.spines[["top", "right"]].set_visible(False)
    for ax in axes[len(topic_ids):]:
        ax.set_visible(False)
    fig.supxlabel("probability of the word in the topic (φ)", fontsize=9)
    return fig


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- speeches -------------------------------------------------------------------------------------
def _year_order(table: pd.DataFrame) -> pd.DataFrame:
    """Speeches sorted by year group (years, then anonymized, unknown), then year source, doc_id."""
    rank = {g: i for i, g in enumerate(analysis.group_order(table["year_group"]))}
    return (table.assign(_g=table["year_group"].map(rank))
            .sort_values(["_g", "year_source", "doc_id"], kind="stable").drop(columns="_g"))


def _source_strip(ax, sources) -> None:
    colours = [mpl.colors.to_rgb(YEAR_SOURCE_COLOURS.get(s, "#000000")) for s in sources]
    ax.imshow(np.array(colours)[:, None, :], aspect="auto", interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])


def _source_legend(fig, sources) -> None:
    present = [s for s in YEAR_SOURCE_COLOURS if s in set(sources)]
    handles = [Patch(color=YEAR_SOURCE_COLOURS[s], label=s) for s in present]
    fig.legend(handles=handles, title="year source", loc="outside lower center", ncols=len(handles),
               fontsize=8, title_fontsize=8, frameon=False)


def plot_speech_topics(speech_table: pd.DataFrame, labels: dict | None = None) -> Figure:
    """Heatmap of speech × topic proportions, speeches ordered by year, year source as a side strip.

    ``speech_table`` is :func:`topics.analysis.speech_topics` output. Rows are grouped by year
    (labelled at the left, separated by thin lines); undated speeches come last.
    """
    table = _year_order(speech_table)
    columns = [c for c in table if c.startswith("topic_")]
    k, n = len(columns), len(table)
    labels = labels or {}
    names = [_shorten(labels.get(i, f"T{i}"), 14) for i in range(k)]
    fig = _figure(2.2 + 0.5 * k, min(max(4.5, 0.06 * n + 2.5), 14))
    heat_ax = fig.subplots()
    # the strip is a child of the heatmap axes, so the layout engine keeps them together
    strip_ax = heat_ax.inset_axes([-0.045, 0, 0.03, 1], sharey=heat_ax)
    _source_strip(strip_ax, table["year_source"])
    image = heat_ax.imshow(table[columns].to_numpy(), aspect="auto", cmap="YlGnBu", vmin=0,
                           interpolation="nearest")
    heat_ax.set_xticks(range(k), names, rotation=50, ha="right", rotation_mode="anchor", fontsize=8)
    groups = table["year_group"].to_numpy()
    starts = [0] + [i for i in range(1, n) if groups[i] != groups[i - 1]]
    ends = starts[1:] + [n]
    strip_ax.set_yticks([(a + b - 1) / 2 for a, b in zip(starts, ends)], [groups[a] for a in starts], fontsize=7)
    strip_ax.tick_params(axis="y", labelleft=True, left=True)
    for boundary in starts[1:]:
        heat_ax.axhline(boundary - 0.5, color="white", lw=0.8)
    heat_ax.tick_params(axis="y", left=False, labelleft=False)
    strip_ax.set_ylabel("speeches, ordered by year", fontsize=9)
    bar = fig.colorbar(image, ax=heat_ax, shrink=0.6)
    bar.set_label("topic proportion θ", fontsize=9)
    bar.ax.tick_params(labelsize=8)
    _source_legend(fig, table["year_source"])
    return fig


# -- prevalence over years ------------------------------------------------------------------------
def _group_positions(groups) -> tuple[np.ndarray, list[str]]:
    """x positions: years at their value; anonymized / unknown one step apart after a gap."""
    order = analysis.group_order(groups)
    years = [int(g) for g in order if g.isdigit()]
    last = max(years) if years else 0
    positions, extra = {}, 0
    for g in order:
        if g.isdigit():
            positions[g] = int(g)
        else:
            extra += 1
            positions[g] = last + 1 + extra
    return np.array([positions[g] for g in groups], dtype=float), order


def plot_prevalence(prevalence: pd.DataFrame, labels: dict | None = None, topics=None, ncols: int = 4) -> Figure:
    """Mean topic proportion per year with its bootstrap interval, one panel per topic.

    ``prevalence`` is :func:`topics.analysis.topic_prevalence` output (``by="year"``). Speeches
    without a usable year appear at the right, in grey, as their own groups.
    """
    labels = labels or {}
    topic_ids = sorted(prevalence["topic"].unique()) if topics is None else list(topics)
    nrows = int(np.ceil(len(topic_ids) / ncols))
    fig = _figure(3.2 * ncols, 2.5 * nrows + 0.6)
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).ravel()
    level = prevalence.attrs.get("level", 0.95)
    for ax, topic in zip(axes, topic_ids):
        rows = prevalence[prevalence["topic"] == topic]
        x, order = _group_positions(rows["group"].to_numpy())
        dated = rows["group"].str.isdigit().to_numpy()
        err = np.vstack([rows["mean"] - rows["lower"], rows["upper"] - rows["mean"]]).clip(min=0)
        for mask, colour in ((dated, "#2166ac"), (~dated, "0.45")):
            ax.errorbar(x[mask], rows["mean"].to_numpy()[mask], yerr=err[:, mask], fmt="o", ms=3.5,
                        color=colour, ecolor=colour, elinewidth=1, capsize=2)
        ax.plot(x[dated], rows["mean"].to_numpy()[dated], color="#2166ac", lw=0.8, alpha=0.6)
        ax.set_title(_shorten(labels.get(topic, f"T{topic}"), 18), fontsize=9, loc="left")
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3, lw=0.5)
        ax.tick_params(labelsize=7)
    for ax in axes[len(topic_ids):]:
        ax.set_visible(False)
    # shared x ticks: at most ~12 round years (1, 2, 5, 10 or 20 apart), plus the undated groups
    groups = prevalence["group"].drop_duplicates().to_numpy()
    x, order = _group_positions(groups)
    years = sorted(int(g) for g in groups if str(g).isdigit())
    ticks = []
    if years:
        step = next(s for s in (1, 2, 5, 10, 20, 50) if (years[-1] - years[0]) / s <= 12)
        ticks = list(range(years[0] - years[0] % step, years[-1] + 1, step))
        ticks = [t for t in ticks if t >= years[0]] or [years[0]]
    undated = [(p, g) for p, g in zip(x, groups) if not str(g).isdigit()]
    for i, ax in enumerate(axes[: len(topic_ids)]):
        ax.set_xlim(x.min() - 0.7, x.max() + 0.7)
        ax.set_xticks(ticks + [p for p, _ in undated], [str(t) for t in ticks] + [g for _, g in undated],
                      rotation=60, ha="right", rotation_mode="anchor")
        # year labels only on the lowest panel of each column
        ax.tick_params(axis="x", labelbottom=i + ncols >= len(topic_ids))
    fig.supylabel("mean topic proportion per speech", fontsize=9)
    fig.suptitle(f"Topic prevalence by year ({level:.0%} two-stage bootstrap intervals; "
                 f"grey: speeches without a usable year)", fontsize=10)
    return fig


# -- effect of year -------------------------------------------------------------------------------
def plot_effect(effect_table: pd.DataFrame, term: str = "year", labels: dict | None = None,
                scale: float = 100.0, unit: str = "percentage points per year") -> Figure:
    """Forest plot of one coefficient per topic with its interval (``stm::plot.estimateEffect``).

    ``effect_table`` is ``EffectEstimate.table``; estimates are multiplied by ``scale`` (100 turns
    proportions into percentage points). Intervals that exclude zero are drawn darker.
    """
    labels = labels or {}
    rows = effect_table[effect_table["term"] == term].sort_values("topic")
    n = len(rows)
    fig = _figure(6.5, 0.38 * n + 1.4)
    ax = fig.subplots()
    y = np.arange(n)
    est, low, high = (rows[c].to_numpy() * scale for c in ("estimate", "lower", "upper"))
    clear = (low > 0) | (high < 0)
    colours = np.where(clear, "#2166ac", "0.6")
    ax.hlines(y, low, high, color=colours, lw=2)
    ax.scatter(est, y, color=colours, zorder=3, s=22)
    ax.axvline(0, color="0.2", lw=0.8, ls="--")
    ax.set_yticks(y, [_shorten(labels.get(t, f"T{t}"), 22) for t in rows["topic"]], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(f"effect of {term} ({unit})", fontsize=9)
    ax.tick_params(axis="x", labelsize=8)
    ax.grid(axis="x", alpha=0.3, lw=0.5)
    fig.suptitle(f"Effect of {term} on topic prevalence\nmean and 95% interval over simulations "
                 "(method of composition); grey: interval includes 0", fontsize=9)
    return fig


# -- speech similarity ----------------------------------------------------------------------------
def plot_similarity(distances: pd.DataFrame, clustering: analysis.Clustering,
                    speech_table: pd.DataFrame | None = None, max_labels: int = 60) -> Figure:
    """Jensen–Shannon distances between speeches, in dendrogram order, dendrogram on top.

    With ``speech_table`` a side strip shows each speech's year source and rows are labelled
    by year group (when there are at most ``max_labels`` speeches).
    """
    order = clustering.order
    matrix = distances.to_numpy()[np.ix_(order, order)]
    n = len(order)
    size = min(max(6.0, 0.1 * n + 3), 13)
    fig = _figure(size + 0.8, size + 1.2)
    grid = fig.add_gridspec(2, 3, width_ratios=[0.15, 6, 0.2], height_ratios=[1.2, 6])
    tree_ax = fig.add_subplot(grid[0, 1])
    heat_ax = fig.add_subplot(grid[1, 1])
    strip_ax = fig.add_subplot(grid[1, 0], sharey=heat_ax)
    colour_ax = fig.add_subplot(grid[1, 2])
    dendrogram(clustering.linkage, ax=tree_ax, color_threshold=0, above_threshold_color="0.3", no_labels=True)
    tree_ax.set_xlim(0, 10 * n)  # scipy puts leaf i at x = 10 i + 5: align with heatmap columns
    tree_ax.set_axis_off()
    image = heat_ax.imshow(matrix, cmap="magma", vmin=0, vmax=1, interpolation="nearest", aspect="auto")
    heat_ax.set_xticks([])
    bar = fig.colorbar(image, cax=colour_ax)
    bar.set_label("Jensen–Shannon distance (base 2)", fontsize=9)
    bar.ax.tick_params(labelsize=8)
    meta = None
    if speech_table is not None:
        meta = speech_table.set_index("doc_id").reindex([distances.index[i] for i in order])
        _source_strip(strip_ax, meta["year_source"].fillna("unknown"))
        _source_legend(fig, meta["year_source"].fillna("unknown"))
    else:
        strip_ax.set_axis_off()
    if meta is not None and n <= max_labels:
        heat_ax.set_yticks(range(n), meta["year_group"].fillna("unknown"), fontsize=6)
        heat_ax.yaxis.tick_right()
    else:
        heat_ax.set_yticks([])
    strip_ax.tick_params(left=False, labelleft=False)
    fig.suptitle(f"Speech similarity: {n} speeches, average-linkage clustering", fontsize=10)
    return fig


# -- everything for a run -------------------------------------------------------------------------
def make_all_figures(run, out_dir: str | Path, n_boot: int = 1000, n_sims: int = 200,
                     random_state: int = 0) -> dict[str, Path]:
    """Draw and save every figure of a run into ``out_dir``; return ``{name: png path}``.

    Each PNG has an SVG beside it. ``n_boot``, ``n_sims`` and ``random_state`` are passed to
    the bootstrap and the effect estimate, so the figures are reproducible. A figure that the run
    cannot support is left out (the report says why): the effect of year needs a regression with
    a usable year; speech similarity needs two speeches.
    """
    out_dir = Path(out_dir)
    labels = analysis.topic_labels(run.topics)
    speeches = analysis.speech_topics_run(run)
    figures = {
        "model_selection": plot_model_selection(run.metrics, run.selection),
        "top_words": plot_top_words(run.topics, labels=labels),
        "speech_topics": plot_speech_topics(speeches, labels=labels),
        "prevalence_by_year": plot_prevalence(
            analysis.topic_prevalence_run(run, n_boot=n_boot, random_state=random_state), labels=labels),
    }
    try:
        effect = analysis.estimate_effect_run(run, n_sims=n_sims, random_state=random_state)
    except ValueError:  # too few speeches for any regression
        effect = None
    if effect is not None and "year" in effect.terms:
        figures["effect_of_year"] = plot_effect(effect.table, labels=labels)
    if len(speeches) >= 2:
        distances = analysis.speech_distances_run(run)
        figures["speech_similarity"] = plot_similarity(distances, analysis.cluster_speeches(distances), speeches)
    return {name: save_figure(fig, out_dir / name)["png"] for name, fig in figures.items()}
