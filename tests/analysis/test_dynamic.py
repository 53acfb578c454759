"""The dynamic topic model: slices, a deterministic fit, its cache, and the tables read off it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from topics.analysis.dynamic import dynamic_fit, dynamic_topics_table, time_slices, vocabulary_change, word_trajectories
from topics.config import DynamicConfig
from topics.corpus import corpus_from_tokens
from topics.errors import ConfigError, EngineError
from topics.models.dynamic import dynamic_engine_version, fit_dynamic
from topics.models.tomotopy_dtm import DTM_ISA


def drifting_corpus(seed: int = 0):
    """Two topics over 1990–1999; topic A says 计划生育 early and 人口发展 late, topic B never changes."""
    rng = np.random.default_rng(seed)
    early = ["计划生育", "独生子女", "社会抚养费", "节育"]
    late = ["人口发展", "优化生育", "三孩", "托育"]
    steady = ["扶贫", "产业", "就业", "农村"]
    tokens, doc_ids, years = [], [], {}
    for d in range(60):
        year = 1990 + d % 10
        words = early if year < 1995 else late
        doc = f"d{d:02d}#0"
        for _ in range(2):
            tokens.append(list(rng.choice(words, 30)) + list(rng.choice(steady, 30)))
            doc_ids.append(doc)
        years[doc] = year
    corpus = corpus_from_tokens(tokens, doc_ids)
    corpus.speeches["year"] = pd.array([years[d] for d in corpus.speeches["doc_id"]], dtype="Int64")
    corpus.speeches["year_source"] = "explicit"
    corpus.speeches.loc[0, ["year", "year_source"]] = [pd.NA, "unknown"]  # one undated speech: no slice
    return corpus


def test_time_slices_by_year_width_and_periods():
    corpus = drifting_corpus()
    by_width = time_slices(corpus.units, corpus.speeches, DynamicConfig(slices="width", width=5))
    assert by_width.labels == ("1990–1994", "1995–1999") and by_width.notes["undated_units"] == 2
    assert (by_width.unit_slice == -1).sum() == 2
    uneven = time_slices(corpus.units, corpus.speeches, DynamicConfig(slices="width", width=4))
    assert uneven.labels == ("1990–1993", "1994–1997", "1998–1999")  # the last bin ends at the last year
    assert all(type(year) is int for span in uneven.spans for year in span)  # they go into the fit's JSON key
    by_year = time_slices(corpus.units, corpus.speeches, DynamicConfig(slices="year"))
    assert by_year.labels[0] == "1990" and len(by_year.labels) == 10
    periods = DynamicConfig(slices="periods", periods={"b": [1995, 1999], "a": [1985, 1989], "c": [1990, 1993]})
    sliced = time_slices(corpus.units, corpus.speeches, periods)
    assert sliced.labels == ("c", "b") and sliced.notes["empty"] == ["a"] and sliced.notes["outside_units"] == 12
    with pytest.raises(ConfigError, match=r"'c' and 'b' overlap"):
        DynamicConfig(slices="periods", periods={"c": [1990, 1996], "b": [1995, 1999]})


def test_dynamic_fit_is_deterministic_and_finds_the_changing_words(tmp_path):
    corpus = drifting_corpus()
    config = DynamicConfig(slices="width", width=5, iterations=60, seed=3)
    reference = np.full((2, len(corpus.dictionary)), 1.0 / len(corpus.dictionary))
    first = dynamic_fit(corpus, config, 2, reference, tmp_path / "a")
    again = dynamic_fit(corpus, config, 2, reference, tmp_path / "b")
    np.testing.assert_array_equal(first.fit.topic_word, again.fit.topic_word)
    np.testing.assert_array_equal(first.fit.doc_topic, again.fit.doc_topic)
    table = first.topics_table(top_n=4)
    pd.testing.assert_frame_equal(table, again.topics_table(top_n=4))
    assert list(table.columns) == ["topic", "period", "rank", "word", "weight"]
    change = vocabulary_change(table, n=4).set_index("topic")
    moving = change["jaccard"].idxmin()
    assert set(change.loc[moving, "left"].split("、")) & {"计划生育", "独生子女", "社会抚养费", "节育"}
    assert set(change.loc[moving, "entered"].split("、")) & {"人口发展", "优化生育", "三孩", "托育"}
    cached = dynamic_fit(corpus, config, 2, reference, tmp_path / "a")  # read back, not refitted
    assert cached.cached and not first.cached
    np.testing.assert_array_equal(cached.fit.topic_word, first.fit.topic_word)
    changed = dynamic_fit(corpus, DynamicConfig(slices="width", width=5, iterations=61, seed=3), 2, reference,
                          tmp_path / "a")
    assert not changed.cached  # another setting is another key


def test_the_tomotopy_fit_runs_on_the_pinned_code_path_whatever_this_process_loaded(tmp_path, monkeypatch):
    """AVX sums in DTModel depend on heap alignment (fits differed in their last bits 2 times in 5): the
    fit runs in a child with SSE2. Here this process holds tomotopy's widest module, and a file named
    like a module the child imports sits in the working folder: neither reaches the fit."""
    from topics.models.tomotopy_lda import import_tomotopy

    import_tomotopy()
    (tmp_path / "json.py").write_text("raise SystemExit('the working folder was imported')\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    bow, slices = [[(0, 3), (1, 1)], [(1, 2), (2, 2)], [(0, 1), (2, 3)], [(2, 4)]], [0, 0, 1, 1]
    fits = [fit_dynamic(bow, ["人口", "生育", "托育"], slices, 2, seed=5, iterations=30) for _ in range(3)]
    for fit in fits[1:]:
        np.testing.assert_array_equal(fit.topic_word, fits[0].topic_word)
        np.testing.assert_array_equal(fit.doc_topic, fits[0].doc_topic)
    assert fits[0].settings["isa"] == DTM_ISA and fits[0].version == dynamic_engine_version("tomotopy")
    assert fits[0].version.endswith(f"({DTM_ISA})")


def test_a_failed_child_fit_is_one_line_naming_the_cause():
    with pytest.raises(EngineError, match=r"^the dynamic model's fit .* failed: IndexError: list index out of range$"):
        fit_dynamic([[(0, 1)], [(7, 1)]], ["人口"], [0, 1], 2, 1, iterations=5)  # word 7 is not in the vocabulary


def test_a_dynamic_model_needs_two_slices():
    corpus = drifting_corpus()
    with pytest.raises(ValueError, match=r"1 time slice\(s\) with dated documents"):
        dynamic_fit(corpus, DynamicConfig(slices="width", width=20), 2, np.ones((2, len(corpus.dictionary))), None)
    with pytest.raises(ValueError, match=r"each with documents \(empty: \[1\]\)"):
        fit_dynamic([[(0, 1)], [(0, 1)]], ["人口"], [0, 2], 2, 1)


def test_word_trajectories_follow_the_words_that_move():
    topic_word = np.array([[[0.5, 0.3, 0.2], [0.1, 0.3, 0.6]]])  # one topic, two slices
    chosen = word_trajectories(topic_word, ["a", "b", "c"], ["p1", "p2"], per_topic=2)
    assert list(dict.fromkeys(chosen["word"])) == ["a", "c"]  # b does not move
    given = word_trajectories(topic_word, ["a", "b", "c"], ["p1", "p2"], words=["b", "zzz"])
    assert given["word"].tolist() == ["b", "b"] and given["probability"].tolist() == [0.3, 0.3]
    table = dynamic_topics_table(topic_word, ["a", "b", "c"], ["p1", "p2"], top_n=1)
    assert table["word"].tolist() == ["a", "c"]


def test_kept_words_overlap_of_the_topics_and_weak_matches_are_said_as_they_are():
    from topics.analysis.dynamic import NOT_DISTINCT, DynamicResult, topic_overlap

    table = pd.DataFrame({"topic": [0] * 4 + [1] * 4, "period": ["a", "a", "b", "b"] * 2, "rank": [0, 1] * 4,
                          "word": ["计划生育", "节育", "计划生育", "三孩", "扶贫", "产业", "计划生育", "三孩"],
                          "weight": 0.1})
    change = vocabulary_change(table, n=2).set_index("topic")
    assert change.loc[0, "kept"] == 1 and change.loc[0, "jaccard"] == pytest.approx(1 / 3)  # 1 of 2 kept: not "33%"
    overlap = topic_overlap(table, n=2).set_index("period")["overlap"]
    assert overlap["a"] == 0.0 and overlap["b"] == 1.0 > NOT_DISTINCT  # in period b both topics are the same words
    result = DynamicResult(fit=None, slices=None, vocabulary=[], match_similarity=np.array([0.35, 0.12]), cached=False,
                           key="")
    labels = result.labels({0: "T0 人口", 1: "T1 扶贫"})
    assert labels == {0: "D0 ≈ T0 人口 (match 0.35)", 1: "D1, weak match to T1 扶贫 (0.12)"}
