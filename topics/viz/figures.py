"""Publication figures for a run, one module per question, gathered here; :func:`make_all_figures`.

* which K?                       :mod:`.selection` — :func:`plot_model_selection`, :func:`plot_topic_quality`
* what are the topics, how do speeches differ?
                                 :mod:`.speeches` — :func:`plot_top_words`, :func:`plot_speech_topics`,
                                 :func:`plot_similarity`
* how does prevalence change across years?
                                 :mod:`.years` — :func:`plot_prevalence`, :func:`plot_year_effects`,
                                 :func:`plot_difference`, :func:`plot_point_estimates`
* how do a topic's words change? :mod:`.dynamic` — :func:`plot_dynamic_topics`, :func:`plot_word_trajectories`

Every ``plot_*`` function takes plain tables (the outputs of :mod:`topics.analysis` or the run's
own tables) and returns a :class:`matplotlib.figure.Figure`; :func:`save_figure` writes it as PNG
(200 dpi) and SVG. Chinese text renders with the font bundled in ``mplfonts`` (:mod:`.fonts`).
Topic labels read ``T3 计划生育·流动人口·社会抚养费`` (:func:`topics.analysis.topic_labels`).
"""

from __future__ import annotations

from pathlib import Path

from .. import analysis
from ..analysis.dynamic import dynamic_run, overlap_warning, topic_overlap, word_trajectories
from .common import YEAR_SOURCE_COLOURS, save_figure
from .dynamic import plot_dynamic_topics, plot_word_trajectories
from .selection import SELECTION_METRICS, plot_model_selection, plot_topic_quality
from .speeches import plot_similarity, plot_speech_topics, plot_top_words
from .years import plot_difference, plot_point_estimates, plot_prevalence, plot_year_effects

__all__ = ["SELECTION_METRICS", "YEAR_SOURCE_COLOURS", "make_all_figures", "plot_difference", "plot_dynamic_topics",
           "plot_model_selection", "plot_point_estimates", "plot_prevalence", "plot_similarity", "plot_speech_topics",
           "plot_top_words", "plot_topic_quality", "plot_word_trajectories", "plot_year_effects", "save_figure",
           "speech_titles"]


def speech_titles(speeches) -> dict:
    """doc_id → title of the speeches that have one (for row labels)."""
    if "title" not in speeches:
        return {}
    return {d: t for d, t in zip(speeches["doc_id"], speeches["title"]) if isinstance(t, str) and t.strip()}


def make_all_figures(run, out_dir: str | Path, n_boot: int = 1000, n_sims: int | None = None,
                     random_state: int = 0, effects: analysis.EffectsResult | None = None) -> dict[str, Path]:
    """Draw and save every figure of a run into ``out_dir``; return ``{name: png path}``.

    Each PNG has an SVG beside it. ``n_boot`` and ``random_state`` drive the bootstrap;
    ``n_sims`` the effect simulations (None: the run's ``[effects] n_sims``, as in
    ``year_effects.csv``); ``effects`` reuses an estimate already made. A figure the run cannot
    support is left out (the report says why): the year curves need a usable year, the
    difference plot a contrast, the point estimates a categorical covariate, speech similarity
    two speeches, the dynamic topics ``[dynamic]``.
    """
    out_dir = Path(out_dir)
    labels = analysis.topic_labels(run.topics)
    speeches = analysis.speech_topics_run(run)
    titles = speech_titles(run.corpus.speeches)
    effects = effects if effects is not None else analysis.effects_run(run, n_sims=n_sims)
    figures = {
        "model_selection": plot_model_selection(run.metrics, run.selection),
        "top_words": plot_top_words(run.topics, labels=labels),
        "speech_topics": plot_speech_topics(speeches, labels=labels, titles=titles),
        "prevalence_by_year": plot_prevalence(
            analysis.topic_prevalence_run(run, n_boot=n_boot, random_state=random_state), labels=labels,
            warning=effects.warning),
    }
    if {"c_npmi", "exclusivity"} <= set(run.metrics.columns) and run.metrics["exclusivity"].notna().any():
        figures["topic_quality"] = plot_topic_quality(run.metrics, run.selection)
    if len(effects.year_effects):
        figures["year_effects"] = plot_year_effects(effects.year_effects, labels=labels, level=effects.effect.level,
                                                    warning=effects.curve_warning, formula=effects.effect.design.formula)
    contrasts = effects.table[effects.table["kind"] == "contrast"]
    if len(contrasts):
        figures["effect_difference"] = plot_difference(effects.table, contrasts["term"].iloc[0], labels=labels)
    if effects.effect is not None and effects.effect.design.notes.get("reference"):
        variable = next(iter(effects.effect.design.notes["reference"]))
        figures["effect_levels"] = plot_point_estimates(effects.table, variable, labels=labels)
    if len(speeches) >= 2:
        distances = analysis.speech_distances_run(run)
        figures["speech_similarity"] = plot_similarity(distances, analysis.cluster_speeches(distances), speeches,
                                                       titles=titles)
    dynamic = dynamic_run(run)
    if dynamic is not None:
        config = run.config.dynamic
        dynamic_labels = dynamic.labels(labels)
        table = dynamic.topics_table(config.top_n)
        figures["dynamic_topics"] = plot_dynamic_topics(table, labels=dynamic_labels,
                                                        warning=overlap_warning(topic_overlap(table)))
        figures["word_trajectories"] = plot_word_trajectories(
            word_trajectories(dynamic.fit.topic_word, dynamic.vocabulary, dynamic.slices.labels, config.words),
            labels=dynamic_labels)
    return {name: save_figure(fig, out_dir / name)["png"] for name, fig in figures.items()}
