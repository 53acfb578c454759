"""The run report: written, deterministic, links figures that exist, states K and the rule.

Small sweeps on the embedded corpus (the default experiment's corpus settings, built into the
test's own folder) are run into temporary folders: one with two K and two seeds, one with a
single K and a single seed (no spread, no stability).
"""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from conftest import ROOT

FAST = {"n_boot": 100, "n_sims": 20}  # the report's defaults are larger; these keep the test quick
#: figures every run of the embedded corpus has (no [dynamic]; the formula s(year) has no categorical)
CORE_FIGURES = {"model_selection", "topic_quality", "top_words", "speech_topics", "speech_similarity",
                "prevalence_by_year", "year_effects", "effect_difference"}


def _small_run(out, k, seeds):
    from topics.experiment import load_experiment_config, run_config

    config = load_experiment_config(ROOT / "experiments" / "default.toml")
    # The corpus is built into the test's own folder: build/corpus-paragraph may be rebuilt by
    # another process meanwhile (the segmentation cache in build/cache is still shared).
    config = replace(config, name=f"test-{len(k)}k-{len(seeds)}s", out=str(out),
                     corpus=replace(config.corpus, out=str(out.parent / f"{out.name}-corpus")),
                     model=replace(config.model, k=tuple(k), seeds=tuple(seeds), passes=5, iterations=50))
    return run_config(config, out=out, workers=1, progress=False)


@pytest.fixture(scope="module")
def sweep_run(tmp_path_factory):
    import os

    os.chdir(ROOT)
    return _small_run(tmp_path_factory.mktemp("run") / "two-by-two", k=[3, 4], seeds=[1, 2])


@pytest.fixture(scope="module")
def single_run(tmp_path_factory):
    import os

    os.chdir(ROOT)
    return _small_run(tmp_path_factory.mktemp("run") / "single", k=[3], seeds=[1])


def _figure_links(text):
    return re.findall(r"!\[[^\]]*\]\((figures/[^)]+\.png)\)", text)


@pytest.mark.slow
def test_report_written_with_figures_and_selection(sweep_run):
    import json

    from topics.experiment import load_run
    from topics.report.run_report import FIGURES, write_run_report

    path = write_run_report(load_run(sweep_run), **FAST)
    assert path == sweep_run / "report.md"
    text = path.read_text(encoding="utf-8")
    links = _figure_links(text)
    assert sorted(links) == sorted(f"figures/{name}.png" for name in FIGURES if name in CORE_FIGURES)
    for link in links:
        assert (sweep_run / link).is_file(), link
        assert (sweep_run / link).with_suffix(".svg").is_file()
    assert "(ldavis.html)" in text and (sweep_run / "ldavis.html").is_file()
    selection = json.loads((sweep_run / "selection.json").read_text(encoding="utf-8"))
    assert f"K = {selection['k']}" in text
    assert f"`{selection['rule']}`" in text and selection["reason"] in text
    manifest = json.loads((sweep_run / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["corpus"]["content_hash"] in text
    for heading in ("## What was run", "## Model selection", "## Topics of the selected model", "## Corpus",
                    "## Topic prevalence by year group", "## Effects of year and covariates",
                    "## Representative passages"):
        assert heading in text
    assert "anonymized" in text and "unknown" in text  # undated speeches are groups of their own


@pytest.mark.slow
def test_report_identical_across_writes(sweep_run):
    from topics.experiment import load_run
    from topics.report.run_report import write_run_report

    first = write_run_report(load_run(sweep_run), **FAST).read_text(encoding="utf-8")
    figure = (sweep_run / "figures" / "model_selection.png").read_bytes()
    second = write_run_report(load_run(sweep_run), **FAST).read_text(encoding="utf-8")
    assert first == second
    assert (sweep_run / "figures" / "model_selection.png").read_bytes() == figure
    assert not list(sweep_run.glob(".report.md.*"))  # no temporary file left behind


@pytest.mark.slow
def test_report_single_k_single_seed(single_run):
    from topics.experiment import load_run
    from topics.report.run_report import write_run_report

    text = write_run_report(load_run(single_run), **FAST).read_text(encoding="utf-8")
    assert "K = 3" in text
    assert "stability is unknown with a single seed" in text
    for link in _figure_links(text):
        assert (single_run / link).is_file()
    # the K row shows values without a spread, and "—" for the unknown stability
    row = next(line for line in text.splitlines() if line.startswith("| 3 | 1 |"))
    assert "±" not in row and "—" in row


def test_metrics_by_k_mean_and_sd():
    from topics.report.tables import format_metrics_by_k, metrics_by_k

    metrics = pd.DataFrame({"k": [3, 3, 5], "seed": [1, 2, 1], "c_npmi": [0.1, 0.3, 0.2],
                            "stability": [0.6, 0.6, np.nan]})  # two seeds: one comparison, shared by both
    summary = metrics_by_k(metrics)
    assert summary.loc[3, ("c_npmi", "mean")] == pytest.approx(0.2)
    assert summary.loc[3, ("c_npmi", "sd")] == pytest.approx(np.std([0.1, 0.3], ddof=1))
    assert np.isnan(summary.loc[5, ("c_npmi", "sd")])
    text = format_metrics_by_k(summary, selected_k=5)
    assert list(text["c_npmi"]) == ["0.2000 ± 0.1414", "0.2000"]
    assert list(text["stability"]) == ["0.6000", "—"]  # no "± 0.0000": there is no spread to show
    assert list(text[""]) == ["", "◀ selected"]


def test_markdown_table_escapes_pipes():
    from topics.common.tables import markdown_table

    lines = markdown_table(pd.DataFrame({"a": ["x|y"], "b": [0.5]}))
    assert lines == ["| a | b |", "|---|---|", "| x\\|y | 0.5000 |"]


@pytest.mark.slow
def test_audit_tables_of_the_embedded_corpus(sweep_run):
    """The builder-findings tables the report and notebook 01 show (topics.analysis.audit)."""
    from topics.analysis import audit
    from topics.experiment import load_run

    corpus = load_run(sweep_run).corpus
    speeches = corpus.speeches
    report = audit.load_build_report(corpus)
    assert audit.year_sources(speeches)["n_speeches"].sum() == len(speeches)
    assert audit.category_counts(speeches, "genre")["n_speeches"].sum() == len(speeches)
    assert len(audit.duplicates_table(corpus)) == int(speeches["duplicate_of"].notna().sum())
    assert audit.boilerplate_by_category(report)["n_removed"].sum() == report["boilerplate"]["n_removed"]
    spun = audit.spun_speeches(corpus, report)
    assert list(spun["source_file"]) == ["003_e1f57943a5a615e3.txt"]  # the one synonym-spun page
    assert "方案→计划" in spun["pairs"].iloc[0]
    examples = audit.spinner_examples(corpus, spun["doc_id"].iloc[0], n=3)
    assert len(examples) == 3
    for row in examples.itertuples():
        assert row.before in row.source and row.after in row.repaired
    overview = audit.speeches_overview(corpus)
    assert overview["lines"].str.contains("–").all()


@pytest.mark.slow
def test_report_states_the_formula_the_undated_and_the_warning(sweep_run):
    """The embedded corpus: most speeches have no usable year, so the report warns, and says how the
    undated enter the regression."""
    from topics.experiment import load_run
    from topics.report.run_report import render_run_report

    run = load_run(sweep_run)
    text = render_run_report(run, **FAST)
    assert "Regression of each topic's speech proportion on `s(year)`" in text
    assert "stay in the regression with an indicator of their own" in text
    dated = int(run.corpus.speeches["year"].notna().sum())
    if dated < len(run.corpus.speeches) / 2:
        assert "> **Warning:** only " in text and "have a usable year" in text
    assert "What each topic's fitted curve does" in text and "| topic | mean | first | peak |" in text
    assert (sweep_run / "year_effects.csv").is_file() and (sweep_run / "effects.csv").is_file()


def test_effects_wide_and_curve_summary():
    from topics.report.tables import curve_summary, effects_wide

    effects = pd.DataFrame({"topic": [0, 0], "term": ["2020 − 2015", "year (linear slope per year)"],
                            "estimate": [0.12, 0.001], "lower": [0.05, -0.002], "upper": [0.2, 0.004],
                            "kind": ["contrast", "slope"]})
    wide = effects_wide(effects, {0: "T0 市场"})
    assert wide.to_dict("records") == [{"topic": "T0 市场", "2020 − 2015": "+12.0 [+5.0, +20.0] *",
                                        "year (linear slope per year)": "+0.10 [-0.20, +0.40]"}]
    years = np.arange(2000, 2011)
    curve = pd.DataFrame({"topic": 0, "year": years, "estimate": 0.2 + 0.1 * (years == 2005),
                          "lower": 0.15 + 0.1 * (years == 2005), "upper": 0.25 + 0.1 * (years == 2005),
                          "n_speeches": 1})
    row = curve_summary(curve).iloc[0]
    assert row["peak"] == "30.0 [25.0, 35.0] (2005)" and row["band above the mean"] == "2005"
    assert row["band below the mean"] == "—"
