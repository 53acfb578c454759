"""Tests for topics.viz.figures and topics.viz.fonts: every figure draws Chinese with the bundled font."""

from __future__ import annotations

import io
import warnings
from pathlib import Path
from types import SimpleNamespace

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont

from topics import analysis
from topics.viz import figures as plots
from topics.viz.fonts import chinese_font_path, use_chinese_font

WORDS = ["计划生育", "流动人口", "社会抚养费", "出生人口性别比", "优质服务", "人口老龄化", "独生子女", "避孕节育",
         "综合治理", "服务管理", "奖励扶助", "生殖健康"]


def fake_run(k: int = 5, n_speeches: int = 30, seed: int = 0) -> SimpleNamespace:
    """A RunResult-shaped object with Chinese top words, years 2003–2016 and undated speeches."""
    rng = np.random.default_rng(seed)
    years = [int(y) for y in rng.integers(2003, 2017, size=n_speeches - 4)] + [None] * 4
    sources = ["explicit" if i % 3 else "implied" for i in range(n_speeches - 4)] + ["anonymized"] * 2 + ["unknown"] * 2
    speeches = pd.DataFrame({"doc_id": [f"{i:03d}#0" for i in range(n_speeches)],
                             "source_file": [f"{i:03d}.txt" for i in range(n_speeches)],
                             "year": pd.array(years, dtype="Int64"), "year_source": sources,
                             "genre": rng.choice(["speech", "work_report"], n_speeches),
                             "admin_level": rng.choice(["province", "city", "county"], n_speeches)})
    unit_rows, gamma = [], []
    for doc in speeches["doc_id"]:
        for chunk in range(int(rng.integers(1, 4))):
            unit_rows.append({"unit_id": f"{doc}/{chunk}", "doc_id": doc, "chunk": chunk,
                              "start_line": chunk + 1, "end_line": chunk + 1, "n_tokens": int(rng.integers(20, 80))})
            gamma.append(rng.dirichlet(np.ones(k)) * 50 + 0.1)
    units, gamma = pd.DataFrame(unit_rows), np.array(gamma)
    theta = gamma / gamma.sum(axis=1, keepdims=True)
    doc_topics = analysis.speech_proportions(theta, units).reset_index()
    topic_word = rng.dirichlet(np.ones(len(WORDS)), size=k)
    topics = pd.DataFrame([{"topic": t, "rank": r, "word": WORDS[j], "weight": topic_word[t, j],
                            "relevance": np.log(topic_word[t, j]) - 0.4 * np.log(topic_word[:, j].mean())}
                           for t in range(k) for r, j in enumerate(np.argsort(-topic_word[t])[:8])])
    metrics = pd.DataFrame([{"k": kk, "seed": s, "c_npmi": rng.normal(0.05, 0.01), "c_v": rng.normal(0.5, 0.02),
                             "exclusivity": rng.normal(9, 0.3),
                             "diversity": rng.uniform(0.6, 0.9), "stability": rng.uniform(0.5, 0.9),
                             "perplexity": rng.normal(800, 20)} for kk in (3, 5, 8) for s in range(3)])
    speeches["title"] = [f"第{i}次会议上的讲话" if i % 2 else None for i in range(n_speeches)]
    corpus = SimpleNamespace(speeches=speeches, units=units)
    return SimpleNamespace(corpus=corpus, metrics=metrics, selection={"k": 5, "seed": 0, "rule": "max c_npmi"},
                           topics=topics, doc_topics=doc_topics, topic_word=topic_word, unit_gamma=gamma)


def glyph_warnings(caught) -> list[str]:
    return [str(w.message) for w in caught if "Glyph" in str(w.message)]


def test_font_comes_from_mplfonts_and_becomes_the_default():
    path = chinese_font_path()
    assert path.name == "NotoSansCJKsc-Regular.otf" and "mplfonts" in path.parts
    assert use_chinese_font() == "Noto Sans CJK SC"
    assert Path(findfont(FontProperties(family=["sans-serif"]))) == path
    assert matplotlib.rcParams["axes.unicode_minus"] is False


def test_glyph_check_catches_a_font_without_chinese():
    """Control for the tests below: drawing Chinese in DejaVu Sans does warn."""
    fig = Figure()
    fig.text(0.1, 0.5, "计划生育", fontproperties=FontProperties(family=["DejaVu Sans"]))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(io.BytesIO(), format="png")
    assert glyph_warnings(caught)


def test_every_figure_draws_chinese_and_is_saved_as_png_and_svg(tmp_path):
    run = fake_run()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        saved = plots.make_all_figures(run, tmp_path, n_boot=50, n_sims=20)
    assert glyph_warnings(caught) == []
    assert set(saved) == {"model_selection", "topic_quality", "top_words", "speech_topics", "prevalence_by_year",
                          "year_effects", "effect_difference", "speech_similarity"}
    for png in saved.values():
        assert png.suffix == ".png" and png.stat().st_size > 10_000
        assert png.with_suffix(".svg").stat().st_size > 10_000


def test_prevalence_figure_shows_undated_groups_after_the_years():
    run = fake_run()
    prevalence = analysis.topic_prevalence_run(run, n_boot=20)
    fig = plots.plot_prevalence(prevalence, labels=analysis.topic_labels(run.topics))
    bottom_left = fig.axes[4]  # five topics in rows of four: topic 4 is bottom left
    ticks = [t.get_text() for t in bottom_left.get_xticklabels()]
    assert ticks[-2:] == ["anonymized", "unknown"] and ticks[0].isdigit()
    assert fig.axes[0].get_title(loc="left").startswith("T0 ")


def test_save_figure_is_byte_reproducible(tmp_path):
    run = fake_run()
    first = plots.save_figure(plots.plot_model_selection(run.metrics, run.selection), tmp_path / "a")
    again = plots.save_figure(plots.plot_model_selection(run.metrics, run.selection), tmp_path / "b")
    for fmt in ("png", "svg"):
        assert first[fmt].read_bytes() == again[fmt].read_bytes()


def test_no_empty_panels_with_three_topics():
    run = fake_run(k=3)
    labels = analysis.topic_labels(run.topics)
    for fig in (plots.plot_top_words(run.topics, labels=labels),
                plots.plot_prevalence(analysis.topic_prevalence_run(run, n_boot=20), labels=labels)):
        panels = [ax for ax in fig.axes if ax.get_title(loc="left")]
        assert len(panels) == 3 and all(ax.get_visible() for ax in fig.axes)


def test_prevalence_lines_stop_at_years_without_speeches():
    prevalence = pd.DataFrame({"group": ["2010", "2011", "2013", "unknown"], "topic": 0, "mean": [0.2, 0.3, 0.4, 0.1],
                               "lower": 0.0, "upper": 0.5, "n_speeches": 1, "year_sources": "explicit 1"})
    fig = plots.plot_prevalence(prevalence)
    line = [ln for ln in fig.axes[0].get_lines() if len(ln.get_xdata()) > 1][-1]
    x, y = np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)
    assert x[:2].tolist() == [2010, 2011] and np.isnan(x[2]) and x[3] == 2013  # 2011 → 2013 is not joined
    assert 2012 not in x and not np.isnan(y[:2]).any()


def test_heatmap_rows_name_their_speech_and_year():
    run = fake_run()
    speeches = analysis.speech_topics_run(run)
    fig = plots.plot_speech_topics(speeches, titles=plots.speech_titles(run.corpus.speeches))
    every = [a for ax in fig.axes for a in [ax, *ax.child_axes]]  # the source strip is an inset of the heatmap
    ticks = max(([t.get_text() for t in ax.get_yticklabels()] for ax in every), key=len)
    assert len(ticks) == len(speeches) and len(set(ticks)) == len(ticks)
    assert any(t.endswith("第1次会议上的讲话") for t in ticks)
    assert any(t.startswith("unknown · ") for t in ticks) and any(t[:4].isdigit() and "#0" in t for t in ticks)


def test_similarity_colours_span_the_distances_present():
    theta = np.array([[0.50, 0.50], [0.55, 0.45], [0.60, 0.40]])
    distances = analysis.speech_distances(theta, ["a", "b", "c"])
    fig = plots.plot_similarity(distances, analysis.cluster_speeches(distances))
    image = fig.axes[1].get_images()[0]
    off = distances.to_numpy()[~np.eye(3, dtype=bool)]
    assert image.get_clim() == (off.min(), off.max())


def test_year_curves_show_the_warning_when_most_speeches_are_undated():
    run = fake_run(n_speeches=30)
    run.corpus.speeches.loc[5:, "year"] = pd.NA
    run.corpus.speeches.loc[5:, "year_source"] = "unknown"
    effects = analysis.effects_run(run, n_sims=20)
    assert effects.warning.startswith("only 5 of 30 speeches (17%) have a usable year")
    fig = plots.plot_year_effects(effects.year_effects, warning=effects.warning)
    assert "⚠ only 5 of 30 speeches" in fig.get_suptitle()


def test_dynamic_figures_draw_chinese_and_mark_new_words():
    table = pd.DataFrame({"topic": [0] * 4, "period": ["九五", "九五", "十四五", "十四五"], "rank": [0, 1, 0, 1],
                          "word": ["计划生育", "独生子女", "计划生育", "三孩"], "weight": [0.3, 0.2, 0.25, 0.2]})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = plots.plot_dynamic_topics(table, n_words=2)
        fig.savefig(io.BytesIO(), format="png")
        trajectories = pd.DataFrame({"topic": 0, "word": ["三孩", "三孩"], "period": ["九五", "十四五"],
                                     "probability": [0.01, 0.2]})
        plots.plot_word_trajectories(trajectories).savefig(io.BytesIO(), format="png")
    assert glyph_warnings(caught) == []
    colours = {t.get_text(): t.get_color() for t in fig.axes[0].texts}
    assert colours["三孩"] == "#b2182b" and colours["独生子女"] != "#b2182b"  # new in 十四五: red


def test_end_labels_that_would_overlap_are_spread_apart_around_their_values():
    from topics.viz.common import spread_labels

    values = [0.50, 0.10, 0.11, 0.12, 0.80]
    positions = spread_labels(values, gap=0.05)
    assert positions[0] == 0.50 and positions[4] == 0.80  # room enough: left where they are
    assert np.allclose(sorted(positions[1:4]), [0.06, 0.11, 0.16])  # a group centred on its values' mean
    assert list(np.argsort(positions[1:4])) == [0, 1, 2]  # in the order of their values
    floored = spread_labels([0.0, 0.01, 0.3], gap=0.05, low=0.02)
    assert np.allclose(floored, [0.02, 0.07, 0.3])  # pushed up off the floor, not below it
    chained = spread_labels([0.0, 0.04, 0.08, 0.12], gap=0.05)
    assert np.all(np.diff(np.sort(chained)) >= 0.05 - 1e-12)


def test_a_long_title_is_broken_to_fit_the_figure_and_the_trajectory_panels_keep_the_match():
    from topics.viz.common import fit_title

    title = fit_title("Dynamic topics: top words per period (shade: probability in the topic; red: new to the top "
                      "words since the period before)", 6.0, 10)
    assert title.count("\n") == 1 and all(len(line) <= 82 for line in title.split("\n"))
    assert fit_title("short", 6.0, 10) == "short" and fit_title("计划生育 " * 30, 6.0, 10).count("\n") >= 2
    trajectories = pd.DataFrame({"topic": 0, "word": ["三孩", "三孩", "托育", "托育"], "period": ["九五", "十四五"] * 2,
                                 "probability": [0.01, 0.2, 0.02, 0.201]})
    fig = plots.plot_word_trajectories(trajectories, labels={0: "D0 ≈ T0 人口·生育·服务 (match 0.31)"})
    assert fig.axes[0].get_title(loc="left").endswith("(match 0.31)")
    labels = {t.get_text(): t.get_position()[1] for t in fig.axes[0].texts}
    assert abs(labels["三孩"] - labels["托育"]) >= 0.075 * 0.201 - 1e-9  # ends 0.001 apart; labels do not overlap


def test_a_long_warning_is_broken_to_stay_inside_the_figure():
    """A warning line wider than the figure was cut at both edges (the crowded-spline warning)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    run = fake_run(n_speeches=30)
    effects = analysis.effects_run(run, n_sims=20)
    warning = ("the curve s(year) has 10 degrees of freedom for 18 dated speeches: it follows each speech and swings "
               "where years have none (even below 0 or above 1) — read the dated points, or write s(year, 4) in "
               "[effects] prevalence")
    for fig in (plots.plot_year_effects(effects.year_effects, warning=warning),
                plots.plot_prevalence(analysis.topic_prevalence_run(run, n_boot=20), warning=warning)):
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        box = fig._suptitle.get_window_extent(canvas.get_renderer())
        assert 0 <= box.x0 and box.x1 <= fig.bbox.width, (box, fig.bbox.width)
        assert "s(year, 4)" in fig.get_suptitle()  # broken into lines, not cut


def test_the_dynamic_figure_says_when_its_topics_are_not_distinct():
    from topics.analysis.dynamic import overlap_warning, topic_overlap

    table = pd.DataFrame({"topic": [0, 0, 1, 1], "period": ["九五", "九五", "九五", "九五"], "rank": [0, 1, 0, 1],
                          "word": ["计划生育", "独生子女", "计划生育", "独生子女"], "weight": 0.2})
    warning = overlap_warning(topic_overlap(table, n=2))
    assert warning.startswith("in 1 of 1 periods the dynamic topics share more than 0.3")
    fig = plots.plot_dynamic_topics(table, n_words=2, warning=warning)
    assert "⚠ in 1 of 1 periods" in fig.get_suptitle()
    assert overlap_warning(topic_overlap(table.assign(word=["计划生育", "独生子女", "扶贫", "产业"]), n=2)) is None
