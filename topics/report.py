"""The run report: one Markdown page that says what was run, what was chosen and what it shows.

:func:`write_run_report` writes ``RUN/report.md`` for a finished run folder, with its figures in
``RUN/figures/`` (:func:`topics.plots.make_all_figures`) and the interactive topic map in
``RUN/ldavis.html`` (:func:`topics.ldavis.save_run_html`). The tables it prints are made by the
small functions below, which the notebooks call too, so a number in the report and in a
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

from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from . import audit, compare
from .corpus import BuiltCorpus
from .fileio import write_text

#: the criteria of ``metrics.csv`` summarised per K, in the order of the report's table
METRICS = ("c_npmi", "c_v", "u_mass", "c_uci", "diversity", "exclusivity", "perplexity", "stability")
#: figures made by :func:`topics.plots.make_all_figures`, with the caption the report gives them
FIGURES = {
    "model_selection": "Model selection: each criterion against K (dots: seeds; band: ± 1 sd)",
    "top_words": "Top words of each topic of the selected model",
    "speech_topics": "Topic proportions per speech, ordered by year (strip: how the year is known)",
    "speech_similarity": "Speech similarity (Jensen–Shannon distance) with average-linkage dendrogram",
    "prevalence_by_year": "Topic prevalence by year group with bootstrap intervals",
    "effect_of_year": "Effect of year on topic prevalence, with the topic model's uncertainty",
}


# -- tables ---------------------------------------------------------------------------------------
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
            out[criterion] = _mean_sd(row[(criterion, "mean")], row[(criterion, "sd")], _digits(criterion, digits))
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
    """Wide view of :func:`topics.compare.topic_prevalence`: one row per group, one column per topic.

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


def effect_table(effect: compare.EffectEstimate, term: str = "year", labels: dict | None = None,
                 scale: float = 100.0) -> pd.DataFrame:
    """One covariate's coefficient per topic, scaled (100: percentage points), with its interval.

    Columns: ``topic, label, estimate, std_error, lower, upper, excludes_zero``. For ``term =
    "year"`` the estimate is the change in a topic's mean proportion per calendar year, in
    percentage points, holding the other covariates fixed.
    """
    labels = labels or {}
    rows = effect.table[effect.table["term"] == term].sort_values("topic")
    out = pd.DataFrame({
        "topic": rows["topic"].astype(int).to_numpy(),
        "label": [labels.get(int(t), f"T{int(t)}") for t in rows["topic"]],
        "estimate": rows["estimate"].to_numpy() * scale,
        "std_error": rows["std_error"].to_numpy() * scale,
        "lower": rows["lower"].to_numpy() * scale,
        "upper": rows["upper"].to_numpy() * scale,
    })
    out["excludes_zero"] = (out["lower"] > 0) | (out["upper"] < 0)
    return out


def passages_table(run, n: int = 2, excerpt_chars: int = 80) -> pd.DataFrame:
    """Representative passages of every topic (:func:`topics.compare.find_thoughts_run`), short.

    Columns: ``topic, rank, theta, doc_id, lines, year, year_source, excerpt``; ``lines`` is the
    passage's span in its source file.
    """
    thoughts = compare.find_thoughts_run(run, n=n, excerpt_chars=excerpt_chars)
    if thoughts.empty:
        return thoughts
    lines = [f"{int(s)}–{int(e)}" if not (pd.isna(s) or pd.isna(e)) else ""
             for s, e in zip(thoughts["start_line"], thoughts["end_line"])]
    out = thoughts.assign(lines=lines)
    return out[["topic", "rank", "theta", "doc_id", "lines", "year", "year_source", "excerpt"]]


def topic_stability(run, topn: int | None = None) -> pd.DataFrame:
    """Does each topic of the selected model come back with the other seeds (same K)?

    Each other seed's topics are matched one-to-one to the selected model's by the Hungarian
    method on top-word Jaccard similarity, as the sweep's ``stability`` score does
    (:func:`topics.evaluate.matched_jaccard`; Greene, O'Callaghan & Cunningham 2014), and every
    topic's own Jaccard is reported. A topic that scores low against every seed is one a
    different seed would not have found: read it with care.

    Parameters
    ----------
    run : a :class:`topics.experiment.RunResult`.
    topn : top words compared (default: the run's ``evaluate.stability_topn``).

    Returns
    -------
    DataFrame with ``topic, label, c_npmi, exclusivity``, one column ``seed S`` per other seed
    (``"0.54 (T2)"``: Jaccard and the matched topic there) and ``mean_jaccard``. With a single
    seed there are no seed columns and ``mean_jaccard`` is NaN.
    """
    from scipy.optimize import linear_sum_assignment

    from .evaluate import top_words
    from .model import topic_word
    from .sweep import load_fit_model

    topn = topn or run.config.evaluate.stability_topn
    k, seed = run.selection["k"], run.selection["seed"]
    words = [run.corpus.dictionary[i] for i in range(len(run.corpus.dictionary))]
    own = [set(t) for t in top_words(run.topic_word, words, topn)]
    labels = compare.topic_labels(run.topics)
    scores = run.topic_scores[(run.topic_scores["k"] == k) & (run.topic_scores["seed"] == seed)].set_index("topic")
    table = pd.DataFrame({"topic": range(k), "label": [labels.get(t, f"T{t}") for t in range(k)]})
    for column in ("c_npmi", "exclusivity"):
        if column in scores:
            table[column] = scores[column].reindex(range(k)).to_numpy()
    others = sorted(int(s) for s in run.metrics.loc[run.metrics["k"] == k, "seed"] if int(s) != seed)
    jaccards = []
    for other in others:
        theirs = [set(t) for t in top_words(topic_word(load_fit_model(run.path, k, other)), words, topn)]
        similarity = np.array([[len(a & b) / len(a | b) for b in theirs] for a in own])
        rows, cols = linear_sum_assignment(similarity, maximize=True)
        match = dict(zip(rows, cols))
        values = np.array([similarity[t, match[t]] for t in range(k)])
        jaccards.append(values)
        table[f"seed {other}"] = [f"{values[t]:.2f} (T{match[t]})" for t in range(k)]
    table["mean_jaccard"] = np.mean(jaccards, axis=0) if jaccards else np.nan
    return table


def html_frame(path: str | Path, height: int = 820):
    """Show a self-contained HTML page (e.g. the LDAvis page) inline in Jupyter.

    The page goes into the ``srcdoc`` of an ``<iframe>``, so it displays the same in Jupyter
    Lab, classic Notebook and VS Code, whatever folder the server serves (a plain
    ``IFrame(src=...)`` needs the page to be reachable by URL from the notebook).
    """
    import html

    from IPython.display import HTML

    page = Path(path).read_text(encoding="utf-8")
    return HTML(f'<iframe srcdoc="{html.escape(page, quote=True)}" width="100%" height="{int(height)}" '
                'style="border: 1px solid #ddd;"></iframe>')


# -- Markdown ---------------------------------------------------------------------------------------
def markdown_table(frame: pd.DataFrame, floats: str = "{:.4f}") -> list[str]:
    """Lines of a GitHub Markdown table for ``frame`` (index left out); ``|`` in cells escaped."""
    def cell(value) -> str:
        if value is None or (not isinstance(value, (str, list, tuple)) and pd.isna(value)):
            return ""
        if isinstance(value, (float, np.floating)):
            return floats.format(value)
        return str(value).replace("|", "\\|").replace("\n", " ")

    headers = [str(c) for c in frame.columns]
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return lines


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
        f"- model: gensim LdaModel, K ∈ {{{', '.join(map(str, model.k))}}} × seeds {{{', '.join(map(str, model.seeds))}}}"
        f" = {len(model.k) * len(model.seeds)} fits; passes = {model.passes}, iterations = {model.iterations},"
        f" alpha = {model.alpha}, eta = {model.eta}",
        f"- evaluation: coherence {', '.join(ev.measures)} averaged over top {', '.join(map(str, ev.topn))} words;"
        f" diversity of the top {ev.diversity_topn}; held-out perplexity on {ev.heldout_fraction:.0%} of the units"
        f" (whole speeches, seed {ev.heldout_seed}); stability = matched top-{ev.stability_topn} Jaccard across seeds",
        f"- selection: rule `{config.select.rule}`"
        + (f", min_stability = {config.select.min_stability}" if config.select.rule == "max_npmi_stable" else "")
        + f", seed by {config.select.seed_by}",
    ]


def _timing_lines(manifest: dict) -> list[str]:
    timings = manifest.get("timings", {})
    seconds = [f"{name} {timings[name]:.1f} s" for name in ("build", "fits", "scoring", "total") if name in timings]
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
                      n_boot: int = 1000, n_sims: int = 200, random_state: int = 0) -> str:
    """The text of ``report.md`` for a loaded run (figures are linked, not drawn, here).

    Parameters
    ----------
    run : a :class:`topics.experiment.RunResult`.
    figures : names of the figures in ``figures/`` to link (``FIGURES`` keys).
    ldavis : file name of the LDAvis page beside the report, or None.
    n_boot, n_sims, random_state : bootstrap replicates, effect simulations and their seed
        (the same values as the figures, so tables and figures agree).
    """
    figures = list(figures)
    labels = compare.topic_labels(run.topics)
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
               "stability needs two seeds or more).")
    out += [""] + markdown_table(format_metrics_by_k(metrics_by_k(run.metrics), k))
    out += ["", f"**Rule** `{selection['rule']}`: {selection_rule_text(selection)}", "",
            f"**Reason:** {selection['reason']}."]
    out += figure("model_selection")

    out += ["", f"## Topics of the selected model (K = {k}, seed {seed})", ""]
    out.append("Labels are the top words by relevance (λ = "
               f"{run.config.evaluate.relevance_lambda}: probability weighed against lift; Sievert & Shirley 2014). "
               "FREX ranks words that are both frequent in the topic and exclusive to it (stm's labelTopics).")
    topic_words = compare.label_topics(run.topics, n=8)
    columns = ["topic", "label", "relevance", "prob"] + (["frex"] if "frex" in topic_words else [])
    table = topic_words[columns].rename(columns={"relevance": "top words by relevance", "prob": "by probability",
                                                 "frex": "by FREX"})
    table["label"] = table["topic"].map(labels)
    out += [""] + markdown_table(table)
    out += figure("top_words")

    out += ["", "## Corpus", ""] + _corpus_section(run.corpus)
    if run.corpus.path is not None:  # the config's path: relative to the project root, as the user wrote it
        out += ["", f"The build report (`{run.config.corpus.out}/report.md`) lists every removed line and repair."]

    out += ["", "## Topics across speeches", ""]
    out.append("Each speech's topic proportions are the token-weighted mean of its chunks' proportions.")
    out += figure("speech_topics") + figure("speech_similarity")
    if ldavis:
        out += ["", f"Interactive topic map (offline LDAvis page; circle n is topic T(n−1)): [{ldavis}]({ldavis})"]

    prevalence = compare.topic_prevalence_run(run, n_boot=n_boot, random_state=random_state)
    out += ["", "## Topic prevalence by year group", ""]
    out.append(f"Mean topic proportion per speech in each year group, with {prevalence.attrs['level']:.0%} intervals "
               f"from a two-stage bootstrap ({n_boot} replicates, seed {random_state}: speeches within groups, then "
               "chunks within speeches). Speeches with a hidden (`anonymized`) or unknown year are their own groups.")
    out += [""] + markdown_table(prevalence_table(prevalence, labels))
    out += figure("prevalence_by_year")

    out += ["", "## Effect of year", ""] + _effect_section(run, labels, n_sims, random_state)
    out += figure("effect_of_year")

    out += ["", "## Representative passages", ""]
    out.append("The chunks with the highest proportion of each topic (at most one per speech; stm's findThoughts).")
    passages = passages_table(run)
    if passages.empty:
        out += ["", "(no passages)"]
    for topic, part in passages.groupby("topic", sort=True):
        out += ["", f"**{labels.get(int(topic), f'T{topic}')}**", ""]
        for item in part.itertuples():
            year = "" if pd.isna(item.year) else f"{int(item.year)}, "
            out.append(f"- θ = {item.theta:.2f} — `{item.doc_id}` lines {item.lines} ({year}{item.year_source}): "
                       f"{item.excerpt}")

    out += ["", "## Figures", ""]
    out += [f"- [{key}](figures/{key}.png) ([SVG](figures/{key}.svg)): {FIGURES.get(key, key)}" for key in figures]
    if ldavis:
        out.append(f"- [{ldavis}]({ldavis}): interactive topic map")
    return "\n".join(out) + "\n"


def selection_rule_text(selection: dict) -> str:
    """The selection rule in words (see :mod:`topics.select`)."""
    rule = selection["rule"]
    if rule == "max_npmi_stable":
        return (f"among the K whose mean stability across seeds is at least {selection.get('min_stability')}, the K "
                "with the best mean NPMI coherence; if none qualifies (or there is one seed), the best mean NPMI "
                f"overall. Within K the seed is chosen by {selection.get('seed_by')}.")
    if rule == "max_npmi":
        return f"the K with the best mean NPMI coherence; within K the seed is chosen by {selection.get('seed_by')}."
    return f"K fixed in the config; within K the seed is chosen by {selection.get('seed_by')}."


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


def _effect_section(run, labels: dict, n_sims: int, random_state: int) -> list[str]:
    try:
        effect = compare.estimate_effect_run(run, n_sims=n_sims, random_state=random_state)
    except (ValueError, np.linalg.LinAlgError) as exc:  # too few speeches for the design
        return [f"Not estimated: {exc}."]
    notes = effect.notes
    if "year" not in effect.terms:
        return ["Not estimated: no speech has a usable year (every year is anonymized or unknown)."]
    counts = notes.get("counts", {})
    text = (f"Regression of each topic's speech proportion on year (linear, centred on {notes.get('year_centre', 0):.0f})"
            f"{' and ' + ', '.join(notes['reference']) if notes.get('reference') else ''}, by the method of composition "
            f"({n_sims} simulations, seed {random_state}): θ is drawn from the model's posterior each time, so the "
            f"interval carries the topic model's own uncertainty as well as the sampling of speeches. "
            f"{counts.get('dated', 0)} dated speeches inform the slope; {counts.get('no year', 0)} without a year "
            "stay in the model with their own indicator. Estimates in percentage points per year.")
    if notes.get("reference"):
        text += " Reference levels: " + ", ".join(f"{k} = {v}" for k, v in notes["reference"].items()) + "."
    if notes.get("dropped"):
        text += " Dropped (constant or collinear): " + ", ".join(notes["dropped"]) + "."
    table = effect_table(effect, labels=labels).drop(columns="topic")
    table["excludes_zero"] = table["excludes_zero"].map({True: "yes", False: ""})
    return [text, ""] + markdown_table(table.rename(columns={"excludes_zero": "interval excludes 0"}), floats="{:.2f}")


# -- the report file --------------------------------------------------------------------------------
def write_run_report(run_dir: str | Path, corpus: BuiltCorpus | None = None, n_boot: int = 1000,
                     n_sims: int = 200, random_state: int = 0) -> Path:
    """Write ``RUN/report.md`` with its figures (``RUN/figures/``) and LDAvis page; return the report's path.

    Parameters
    ----------
    run_dir : a finished run folder (``topics run`` output).
    corpus : the corpus of the run, when it is not on disk (in-memory test corpora).
    n_boot, n_sims, random_state : bootstrap replicates, effect simulations and their seed,
        used for the figures and the tables alike.

    Returns
    -------
    Path of ``report.md``. Files are written atomically; writing twice gives the same text.

    Examples
    --------
    >>> write_run_report("runs/default")          # doctest: +SKIP
    PosixPath('runs/default/report.md')
    """
    from .experiment import load_run  # late: experiment imports the sweep machinery
    from .ldavis import save_run_html
    from .plots import make_all_figures

    run_dir = Path(run_dir)
    run = load_run(run_dir, corpus=corpus)
    made = make_all_figures(run, run_dir / "figures", n_boot=n_boot, n_sims=n_sims, random_state=random_state)
    save_run_html(run, run_dir / "ldavis.html")
    text = render_run_report(run, figures=[key for key in FIGURES if key in made] + sorted(set(made) - set(FIGURES)),
                             n_boot=n_boot, n_sims=n_sims, random_state=random_state)
    path = run_dir / "report.md"
    write_text(path, text)
    return path


__all__ = ["FIGURES", "METRICS", "effect_table", "format_metrics_by_k", "html_frame", "markdown_table",
           "metrics_by_k", "passages_table", "prevalence_table", "render_run_report", "selection_rule_text",
           "topic_stability", "write_run_report"]
