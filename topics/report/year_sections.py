"""The report's sections on time: effects of year and covariates, and topics whose words move.

Both read the same computations as the run's tables (``year_effects.csv``, ``effects.csv``,
``dynamic_topics.csv``): :func:`topics.analysis.effects_run` and
:func:`topics.analysis.dynamic.dynamic_run`, with the run's ``[effects]`` and ``[dynamic]``.
"""

from __future__ import annotations

from ..analysis.dynamic import WEAK_MATCH, dynamic_run, overlap_warning, topic_overlap
from ..analysis.effect_tables import EffectsResult
from ..common.tables import markdown_table
from .tables import curve_summary, effects_wide, vocabulary_change_table

__all__ = ["dynamic_section", "effects_section"]


def effects_section(run, effects: EffectsResult, labels: dict, figure) -> list[str]:
    """``## Effects of year and covariates``: what was fitted, what was dropped and why, the curves,
    the contrasts, the levels and the slope. ``figure(name)`` gives the lines linking a figure."""
    config = run.config.effects if hasattr(run, "config") else None
    out = ["", "## Effects of year and covariates", ""]
    if effects.curve_warning:
        out += [f"> **Warning:** {effects.curve_warning}.", ""]
    if effects.effect is None:
        return out + [f"Not estimated: {effects.error}."]
    effect = effects.effect
    notes, design = effect.notes, effect.design
    requested = config.prevalence if config is not None else design.requested
    text = (f"Regression of each topic's speech proportion on `{requested}` (as used: `{design.formula}`) by the "
            f"method of composition ({effect.n_sims} simulations, seed {effect.random_state}, {effect.level:.0%} "
            "intervals): θ is drawn from the model's posterior each time, so every interval carries the topic model's "
            "own uncertainty as well as the sampling of speeches.")
    for term, spline in notes.get("spline", {}).items():
        text += (f" `{term}` is a cubic B-spline with {spline['df']} degrees of freedom (stm's `s()`: "
                 f"min(10, distinct years − 1) unless given; {spline['distinct']} distinct years).")
    if design.has_year:
        undated = notes.get("undated", {})
        first, last = notes["year_range"]
        text += (f" {notes['n_dated']} speeches with a usable year ({first}–{last}; year sources "
                 f"{', '.join(config.year_sources) if config is not None else 'pinned'}) shape the curve")
        text += (f"; {sum(undated.values())} without one stay in the regression with an indicator of their own "
                 f"({', '.join(f'{k} {v}' for k, v in undated.items())}), informing the other covariates but not the "
                 "curve." if undated else ".")
    if notes.get("reference"):
        text += " Reference levels (the most frequent): " + ", ".join(f"{k} = {v}" for k, v in notes["reference"].items()) + "."
    out += [text]
    if design.dropped:
        out += ["", "Covariates left out, and why:", ""]
        out += markdown_table(_frame([{"term": t, "reason": why} for t, why in design.dropped]))
    if len(effects.year_effects):
        out += ["", "What each topic's fitted curve does at the years that have speeches (per cent; bands in "
                "brackets; in the years between, no speech holds the curve: the figure dashes gaps of 3 years or more). A "
                "band wholly above or below the topic's mean shows a change a flat line cannot explain:", ""]
        out += markdown_table(curve_summary(effects.year_effects, labels))
        out += figure("year_effects")
    if len(effects.table):
        out += ["", "Differences and levels (`effects.csv`; percentage points, the slope in points per year; "
                "`*`: the interval excludes 0). A contrast `B − A` is the fitted share in B minus that in A (a period: "
                "the mean over its years). The linear slope is shown for comparison only: a straight line averages a "
                "rise and fall away.", ""]
        out += markdown_table(effects_wide(effects.table, labels))
        if effects.skipped:
            out += ["", "Contrasts left out: " + "; ".join(effects.skipped) + "."]
        out += figure("effect_difference") + figure("effect_levels")
    return out


def dynamic_section(run, labels: dict, figure) -> list[str]:
    """``## How the topics' words change`` when ``[dynamic]`` is set (the dynamic topic model)."""
    config = getattr(getattr(run, "config", None), "dynamic", None)
    if config is None or not config.enabled:
        return []
    out = ["", "## How the topics' words change (dynamic topic model)", ""]
    dynamic = dynamic_run(run)
    if dynamic is None:
        return out + [f"Not fitted: fewer than two time slices with dated documents (slices = `{config.slices}`)."]
    slices = dynamic.slices
    table = slices.table()
    notes = slices.notes
    out.append(f"A dynamic topic model ({_engine_name(config.engine)}, K = {dynamic.fit.k} as selected, "
               f"{config.engine_iterations} iterations, seed {config.seed}) over {len(slices.labels)} time slices "
               f"(`slices = \"{config.slices}\"`): each topic has one word distribution per slice, tied to the next "
               "by a random walk (Blei & Lafferty 2006), so a topic keeps its identity while its words change. "
               f"Its topics (D0, D1, …) are numbered after the selected model's by matching their top 30 words; the "
               f"match (Jaccard) is given per topic: a weak match means the dynamic topic is not the same theme. {notes['undated_units']} units without a usable year have no slice"
               + (f"; {notes['outside_units']} dated units fall in no period" if notes["outside_units"] else "")
               + (f"; periods without documents, left out: {', '.join(notes['empty'])}" if notes["empty"] else "")
               + ".")
    out += [""] + markdown_table(table.rename(columns={"n_units": "units"}))
    words = dynamic.topics_table(config.top_n)
    overlap = topic_overlap(words)
    weak = int((dynamic.match_similarity < WEAK_MATCH).sum())
    out += ["", f"How distinct the dynamic topics are: within a period, two of them share on average "
                f"{overlap['overlap'].mean():.2f} of their top 10 words (Jaccard; per period "
                f"{overlap['overlap'].min():.2f}–{overlap['overlap'].max():.2f}); {weak} of {dynamic.fit.k} match their "
                f"LDA topic weakly (below {WEAK_MATCH})."]
    crowded = overlap_warning(overlap)
    if crowded:
        out += ["", f"> **Warning:** {crowded}. Few documents per period or too few iterations "
                    "(`[dynamic] iterations`) make this likelier."]
    out += ["", "How much each topic's top 10 words changed from its first period to its last (`dynamic_topics.csv`):", ""]
    out += markdown_table(vocabulary_change_table(words, {
        t: (f"D{t} ≈ " if m >= WEAK_MATCH else f"D{t}, weak match to ") + labels.get(t, f"T{t}")
        for t, m in enumerate(dynamic.match_similarity)}, match_similarity=dynamic.match_similarity))
    return out + figure("dynamic_topics") + figure("word_trajectories")


def _engine_name(engine: str) -> str:
    return {"tomotopy": "tomotopy DTModel", "gensim": "gensim LdaSeqModel"}.get(engine, engine)


def _frame(rows):
    import pandas as pd

    return pd.DataFrame(rows)
