"""The run report: one Markdown page that says what was run, what was chosen and what it shows.

:func:`write_run_report` writes ``RUN/report.md`` for a loaded run, with its figures in
``RUN/figures/`` (:func:`topics.viz.figures.make_all_figures`) and the interactive topic map in
``RUN/ldavis.html`` (:func:`topics.viz.ldavis.save_run_html`). The tables it prints are made by
:mod:`topics.report.tables`, which the notebooks call too, so a number in the report and in a
notebook comes from the same code:

* :func:`metrics_by_k`: mean and standard deviation over seeds of every selection criterion;
* :func:`prevalence_table`: topic prevalence per year group as ``mean [lower, upper]``;
* :func:`effect_table`: the effect of one covariate per topic, in percentage points;
* :func:`passages_table`: representative passages (``findThoughts``) as short excerpts.

The report is deterministic: the same run folder gives the same text, except the lines of the
"This execution" section (how long the run took, when and from which commit it was made, which
change when a cached run is executed again). Bootstrap and simulation seeds are
arguments with fixed defaults.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Iterable

import pandas as pd

from .. import analysis
from ..analysis import audit
from ..common.fileio import write_text
from ..common.tables import markdown_table
from ..corpus import BuiltCorpus
from ..models.seed_words import TOP_N as SEED_TOP_N, seed_word_table
from ..viz.figures import make_all_figures
from ..viz.ldavis import save_run_html
from .tables import format_metrics_by_k, metrics_by_k, passages_table, prevalence_table, selection_rule_text
from .year_sections import dynamic_section, effects_section

__all__ = ["FIGURES", "render_run_report", "write_run_report"]

#: figures made by :func:`topics.viz.figures.make_all_figures`, with the caption the report gives them
FIGURES = {
    "model_selection": "Model selection: each criterion against K (dots: seeds; band: ± 1 sd)",
    "top_words": "Top words of each topic of the selected model",
    "speech_topics": "Topic proportions per speech, ordered by year (strip: how the year is known)",
    "speech_similarity": "Speech similarity (Jensen–Shannon distance) with average-linkage dendrogram",
    "topic_quality": "Coherence against exclusivity of every fit (stm's topicQuality)",
    "prevalence_by_year": "Topic prevalence by year group with bootstrap intervals",
    "year_effects": "Fitted topic prevalence over the years with its band (method of composition)",
    "effect_difference": "Difference in topic prevalence between two periods",
    "effect_levels": "Topic prevalence by level of a categorical covariate",
    "dynamic_topics": "Dynamic topics: top words per period",
    "word_trajectories": "Dynamic topics: trajectories of the words that moved most",
}


#: how the report names each engine of ``[model] engine``
ENGINE_NAMES = {"gensim": "gensim LdaModel (variational Bayes)", "tomotopy": "tomotopy LDAModel (collapsed Gibbs sampling)"}


def _config_lines(run) -> list[str]:
    config = run.config
    corpus, model, ev = config.corpus, config.model, config.evaluate
    source = (f"`{', '.join(corpus.raw)}` → `{corpus.out}`" if run.corpus.path is not None
              else "an in-memory corpus (not built from files)")
    return [
        f"- corpus: {source} (split = {corpus.split}, unit = {corpus.unit}"
        + (f", chunks of ≥ {corpus.chunk_min_tokens} tokens" if corpus.unit == "paragraph" else "")
        + f", duplicates {'excluded' if corpus.exclude_duplicates else 'kept'}"
        + f", vocabulary filter no_below = {corpus.no_below}, no_above = {corpus.no_above})",
        f"- corpus content hash: `{run.corpus.content_hash}`",
        f"- model: {ENGINE_NAMES.get(model.engine, model.engine)}, K ∈ {{{', '.join(map(str, model.k))}}} × seeds"
        f" {{{', '.join(map(str, model.seeds))}}} = {len(model.k) * len(model.seeds)} fits; "
        + ", ".join(f"{key} = {value}" for key, value in model.fit_settings().items())
        + (f"; seed words for {len(model.seed_words)} topic(s), weight {model.seed_weight}" if model.seed_words else ""),
        f"- evaluation: coherence {', '.join(ev.measures)} averaged over top {', '.join(map(str, ev.topn))} words;"
        f" diversity of the top {ev.diversity_topn}; held-out perplexity on {ev.heldout_fraction:.0%} of the units"
        f" (whole speeches, seed {ev.heldout_seed}); stability = matched top-{ev.stability_topn} Jaccard across seeds",
        f"- selection: rule `{config.select.rule}`"
        + (f", min_stability = {config.select.min_stability}" if config.select.rule == "max_npmi_stable" else "")
        + (f", relative_stability = {config.select.relative_stability}"
           if config.select.rule == "max_npmi_relative_stable" else "")
        + f", seed by {config.select.seed_by}",
    ]


def _timing_lines(manifest: dict) -> list[str]:
    timings = manifest.get("timings", {})
    seconds = [f"{name} {timings[name]:.1f} s" for name in ("build", "fits", "scoring", "effects", "dynamic", "total")
               if name in timings]
    lines = [f"- time taken: {', '.join(seconds)}"]
    if "fits_cached" in timings:
        lines.append(f"- fits reused from the cache: {timings['fits_cached']}")
    execution = manifest.get("execution", {})
    lines.append(f"- run made {manifest.get('created', '?')} with {execution.get('workers', '?')} worker(s)"
                 + (f" on {execution['scheduler']}" if execution.get("scheduler") else ""))
    git = manifest.get("git", {})
    if git.get("commit"):
        lines.append(f"- code: git commit `{git['commit'][:12]}`" + (" (with uncommitted changes)" if git.get("dirty") else ""))
    return lines


def _counts_line(corpus: BuiltCorpus) -> str:
    speeches = corpus.speeches
    in_model = int(speeches["in_model"].sum()) if "in_model" in speeches else len(speeches)
    n_tokens = int(corpus.units["n_tokens"].sum())
    return (f"{len(speeches)} speeches, {in_model} in the model as {corpus.n_units} units "
            f"({n_tokens:,} tokens, vocabulary {len(corpus.dictionary):,}).")


def render_run_report(run, figures: Iterable[str] = tuple(FIGURES), ldavis: str | None = "ldavis.html",
                      n_boot: int = 1000, n_sims: int | None = None, random_state: int = 0,
                      effects: "analysis.EffectsResult | None" = None) -> str:
    """The text of ``report.md`` for a loaded run (figures are linked, not drawn, here).

    Parameters
    ----------
    run : a :class:`topics.experiment.RunResult`.
    figures : names of the figures in ``figures/`` to link (``FIGURES`` keys).
    ldavis : file name of the LDAvis page beside the report, or None.
    n_boot, n_sims, random_state : bootstrap replicates, effect simulations (None: the run's
        ``[effects] n_sims``, as in ``year_effects.csv``) and the bootstrap's seed (the same values
        as the figures, so tables and figures agree).
    effects : an effect estimate already made (:func:`topics.analysis.effects_run`), to reuse.
    """
    figures = list(figures)
    labels = analysis.topic_labels(run.topics)
    effects = effects if effects is not None else analysis.effects_run(run, n_sims=n_sims)
    selection = run.selection
    k, seed = selection["k"], selection["seed"]
    name = run.config.name

    def figure(key: str) -> list[str]:
        return ["", f"![{FIGURES.get(key, key)}](figures/{key}.png)"] if key in figures else []

    out = [f"# Run report: {name}", ""]
    out.append(f"Selected model: **K = {k}**, seed {seed}, by the rule `{selection['rule']}`. "
               "Every table below is computed from the run folder by `topics.report.write_run_report`.")

    out += ["", "## What was run", ""] + _config_lines(run)
    versions = run.manifest.get("versions", {})
    if versions:
        out.append("- versions: " + ", ".join(f"{key} {value}" for key, value in sorted(versions.items())))

    # Everything that may differ when the same run is executed again (from the cache) goes here.
    out += ["", "### This execution", ""] + _timing_lines(run.manifest)

    out += ["", "## Model selection", ""]
    n_seeds = run.metrics.groupby("k").size()
    out.append(f"{len(n_seeds)} value(s) of K, {int(n_seeds.max())} seed(s) each. Mean ± standard deviation "
               "over seeds (higher is better except perplexity; u_mass and c_uci are log-scale coherences; "
               "stability needs two seeds or more, and with two it is one comparison, shown without ±).")
    out += [""] + markdown_table(format_metrics_by_k(metrics_by_k(run.metrics), k))
    out += ["", f"**Rule** `{selection['rule']}`: {selection_rule_text(selection)}", "",
            f"**Reason:** {selection['reason']}."]
    out += figure("model_selection") + figure("topic_quality")

    out += ["", f"## Topics of the selected model (K = {k}, seed {seed})", ""]
    out.append("Labels are the top words by relevance (λ = "
               f"{run.config.evaluate.relevance_lambda}: probability weighed against lift; Sievert & Shirley 2014). "
               "FREX ranks words that are both frequent in the topic and exclusive to it (stm's labelTopics).")
    topic_words = analysis.label_topics(run.topics, n=8)
    columns = ["topic", "label", "relevance", "prob"] + (["frex"] if "frex" in topic_words else [])
    table = topic_words[columns].rename(columns={"relevance": "top words by relevance", "prob": "by probability",
                                                 "frex": "by FREX"})
    table["label"] = table["topic"].map(labels)
    out += [""] + markdown_table(table)
    out += _seed_word_section(run)
    out += figure("top_words")

    out += ["", "## Corpus", ""] + _corpus_section(run.corpus)
    if run.corpus.path is not None:  # the config's path: relative to the project root, as the user wrote it
        out += ["", f"The build report (`{run.config.corpus.out}/report.md`) lists every removed line and repair."]

    out += ["", "## Topics across speeches", ""]
    out.append("Each speech's topic proportions are the token-weighted mean of its chunks' proportions.")
    out += figure("speech_topics") + figure("speech_similarity")
    if ldavis:
        out += ["", f"Interactive topic map (offline LDAvis page; circle n is topic T(n−1)): [{ldavis}]({ldavis})"]

    prevalence = analysis.topic_prevalence_run(run, n_boot=n_boot, random_state=random_state)
    out += ["", "## Topic prevalence by year group", ""]
    out.append(f"Mean topic proportion per speech in each year group, with {prevalence.attrs['level']:.0%} intervals "
               f"from a two-stage bootstrap ({n_boot} replicates, seed {random_state}: speeches within groups, then "
               "chunks within speeches). Speeches with a hidden (`anonymized`) or unknown year are their own groups.")
    out += [""] + markdown_table(prevalence_table(prevalence, labels))
    if effects.warning:
        out += ["", f"> **Warning:** {effects.warning}."]
    out += figure("prevalence_by_year")

    out += effects_section(run, effects, labels, figure)
    out += dynamic_section(run, labels, figure)

    out += ["", "## Representative passages", ""]
    out.append("The chunks with the highest proportion of each topic (at most one per speech; stm's findThoughts).")
    passages = passages_table(run)
    if passages.empty:
        out += ["", "(no passages)"]
    for topic, part in passages.groupby("topic", sort=True):
        out += ["", f"**{labels.get(int(topic), f'T{topic}')}**", ""]
        for item in part.itertuples():
            year = "" if pd.isna(item.year) else f"{int(item.year)}, "
            out.append(f"- θ = {item.theta:.2f} — `{item.doc_id}` {'lines' if '–' in item.lines else 'line'} {item.lines} ({year}{item.year_source}): "
                       f"{item.excerpt}")

    out += ["", "## Figures", ""]
    out += [f"- [{key}](figures/{key}.png) ([SVG](figures/{key}.svg)): {FIGURES.get(key, key)}" for key in figures]
    if ldavis:
        out.append(f"- [{ldavis}]({ldavis}): interactive topic map")
    return "\n".join(out) + "\n"


def _seed_word_section(run) -> list[str]:
    """Per seeded topic: how many of its seed words are among its top words, and where the others went."""
    seed_words = run.config.model.seed_words
    if not seed_words:
        return []
    vocabulary = [run.corpus.dictionary[i] for i in range(len(run.corpus.dictionary))]
    table = seed_word_table(run.topic_word, vocabulary, seed_words, topn=SEED_TOP_N)
    out = ["", "### Seed words", "",
           f"Seeded topics (`[model.seed_words]`, prior weight {run.config.model.seed_weight} for a seed word in its "
           f"own topic): how many seed words are among the topic's top {SEED_TOP_N} words by probability; seed words "
           "the data pulled elsewhere (to the topic in which the word is most probable); seed words that stayed "
           "but fell below the top words; seed words not in the vocabulary (removed by the build's filters or "
           "absent from the corpus), which had no effect.", ""]
    table["in_top"] = [f"{row.in_top} of {row.seeds}" for row in table.itertuples()]
    table = table.drop(columns="seeds").rename(columns={
        "in_top": f"in top {SEED_TOP_N}", "top_seeds": "seeds in the top words", "elsewhere": "pulled elsewhere",
        "not_in_top": "below the top words", "unknown": "not in the vocabulary"})
    return out + markdown_table(table)


def _corpus_section(corpus: BuiltCorpus) -> list[str]:
    speeches = corpus.speeches
    out = [_counts_line(corpus), "", "Years, by how they were established:", ""]
    out += markdown_table(audit.year_sources(speeches))
    for column, title in (("genre", "Genres"), ("admin_level", "Administrative levels")):
        if column in speeches:
            out += ["", f"{title}:", ""] + markdown_table(audit.category_counts(speeches, column))
    duplicates = audit.duplicates_table(corpus)
    if len(duplicates):
        out += ["", f"Near-duplicates left out of the model ({len(duplicates)}):", ""]
        out += markdown_table(duplicates[["doc_id", "lines", "kind", "duplicate_of", "kept_lines"]])
    else:
        out += ["", "No near-duplicates were found."]
    return out


def write_run_report(run, n_boot: int = 1000, n_sims: int | None = None, random_state: int = 0) -> Path:
    """Write ``RUN/report.md`` with its figures (``RUN/figures/``) and LDAvis page; return the report's path.

    Parameters
    ----------
    run : a loaded run (:func:`topics.experiment.load_run`); the report goes into ``run.path``.
    n_boot, n_sims, random_state : bootstrap replicates, effect simulations (None: the run's
        ``[effects] n_sims``) and the bootstrap's seed, used for the figures and the tables alike.

    Returns
    -------
    Path of ``report.md``. Files are written atomically; writing twice gives the same text.

    Examples
    --------
    >>> write_run_report(load_run("runs/default"))          # doctest: +SKIP
    PosixPath('runs/default/report.md')
    """
    run_dir = Path(run.path)
    path = run_dir / "report.md"
    key = content_key(run, n_boot, n_sims, random_state)
    shown = _shown_before(path, key)
    if shown is not None:  # same content: figures, LDAvis page and text kept; only "This execution" is new
        write_text(path, _with_execution(shown, run.manifest))
        return path
    effects = analysis.effects_run(run, n_sims=n_sims)  # once, for the figures and the tables alike
    made = make_all_figures(run, run_dir / "figures", n_boot=n_boot, random_state=random_state, effects=effects)
    save_run_html(run, run_dir / "ldavis.html")
    text = render_run_report(run, figures=[key for key in FIGURES if key in made] + sorted(set(made) - set(FIGURES)),
                             n_boot=n_boot, random_state=random_state, effects=effects)
    write_text(path, text + _KEY_LINE.format(key=key))
    return path


# -- a rerun that changed nothing redraws nothing ----------------------------------------------------
_KEY_LINE = "\n<!-- content key {key} -->\n"
_KEY = re.compile(r"\n<!-- content key ([0-9a-f]{64}) -->\n$")
_LINKED = re.compile(r"\]\(((?:figures/)?[^)\s]+\.(?:png|svg|html))\)")


def content_key(run, n_boot: int, n_sims: int | None, random_state: int) -> str:
    """sha256 of what the report, its figures and the LDAvis page show: the run's tables and fits
    (the sha256 its manifest records), the corpus (its content hash), the settings, the bootstrap
    and simulation settings, the package versions and the code of the modules that compute and draw."""
    manifest = run.manifest
    digest = hashlib.sha256(json.dumps(
        [manifest.get("artifacts"), (manifest.get("corpus") or {}).get("content_hash"), manifest.get("config"),
         manifest.get("versions"), n_boot, n_sims, random_state], sort_keys=True, default=str).encode("utf-8"))
    package = Path(__file__).resolve().parents[1]
    for folder in ("report", "viz", "analysis", "common"):
        for module in sorted((package / folder).glob("*.py")):
            digest.update(module.name.encode() + b"\0" + module.read_bytes())
    return digest.hexdigest()


def _shown_before(path: Path, key: str) -> str | None:
    """The report's text if it was written for this content key and every page it links is there."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    match = _KEY.search(text)
    if match is None or match.group(1) != key:
        return None
    if not all((path.parent / link).is_file() for link in _LINKED.findall(text)):
        return None
    return text


def _with_execution(text: str, manifest: dict) -> str:
    """The report with its "This execution" lines (timings, date) taken from this run's manifest."""
    head, marker, rest = text.partition("\n### This execution\n\n")
    if not marker:
        return text
    _, _, tail = rest.partition("\n\n## ")
    return head + marker + "\n".join(_timing_lines(manifest)) + "\n\n## " + tail
