"""Tests for topics.analysis on synthetic data with a known answer."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.spatial.distance import jensenshannon

from topics import analysis


def make_data(rng, n_speeches=30, alpha=(2.0, 1.0, 1.0), years=None, chunk_conc=20.0, gamma_scale=200.0,
              trend=None):
    """Speeches of 1–4 chunks; speech θ ~ Dirichlet(alpha) (or a planted trend), chunk θ ~ Dirichlet(c·θ_s).

    Returns (theta_units, gamma_units, units, speeches); E[speech θ] = alpha / sum(alpha).
    """
    years = [2010] * n_speeches if years is None else list(years)
    unit_rows, thetas = [], []
    for i in range(n_speeches):
        if trend is None:
            speech = rng.dirichlet(alpha)
        else:  # planted: topic 0 share moves linearly with year, topics 1-2 share the rest
            p0 = np.clip(trend(years[i]) + rng.normal(0, 0.03), 0.02, 0.98)
            speech = np.array([p0, (1 - p0) * 0.5, (1 - p0) * 0.5])
        for c in range(int(rng.integers(1, 5))):
            thetas.append(rng.dirichlet(speech * chunk_conc + 1e-3))
            unit_rows.append({"unit_id": f"s{i}#0/{c}", "doc_id": f"s{i}#0", "chunk": c,
                              "start_line": c + 1, "end_line": c + 1, "n_tokens": int(rng.integers(20, 100))})
    theta = np.array(thetas)
    units = pd.DataFrame(unit_rows)
    known = [y is not None for y in years]
    speeches = pd.DataFrame({
        "doc_id": [f"s{i}#0" for i in range(n_speeches)],
        "source_file": [f"s{i}.txt" for i in range(n_speeches)],
        "year": pd.array([y if k else pd.NA for y, k in zip(years, known)], dtype="Int64"),
        "year_source": ["explicit" if k else "unknown" for k in known],
        "genre": "speech", "admin_level": "city"})
    return theta, theta * gamma_scale + 1e-3, units, speeches


def test_speech_topics_weights_chunks_by_tokens():
    units = pd.DataFrame({"unit_id": ["a/0", "a/1", "b/0"], "doc_id": ["a", "a", "b"], "chunk": [0, 1, 0],
                          "n_tokens": [30, 10, 5]})
    speeches = pd.DataFrame({"doc_id": ["a", "b"], "year": pd.array([2005, pd.NA], dtype="Int64"),
                             "year_source": ["explicit", "anonymized"], "genre": "speech", "admin_level": "city"})
    theta = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]])
    table = analysis.speech_topics(theta, units, speeches)
    assert table["topic_0"].tolist() == pytest.approx([0.75, 0.5])
    assert table["year_group"].tolist() == ["2005", "anonymized"]
    assert table["year_source"].tolist() == ["explicit", "anonymized"]


def test_aggregation_matrix_agrees_with_speech_proportions():
    """The sparse matrix used inside the simulations computes the same speech θ as topics.analysis.theta."""
    rng = np.random.default_rng(1)
    theta, _, units, speeches = make_data(rng, n_speeches=8)
    units.loc[0, "n_tokens"] = 0
    ours = analysis.aggregation_matrix(units) @ theta
    theirs = analysis.speech_proportions(theta, units)
    np.testing.assert_allclose(ours, theirs.to_numpy(), atol=1e-12)


def test_bootstrap_intervals_reach_nominal_coverage():
    """200 simulated datasets: the 90% interval covers the true mean in 85–95% of them."""
    rng = np.random.default_rng(2024)
    truth = 2.0 / 4.0
    covered = 0
    for replicate in range(200):
        theta, _, units, speeches = make_data(rng, n_speeches=30)
        table = analysis.topic_prevalence(theta, units, speeches, n_boot=200, level=0.90, random_state=replicate)
        row = table[table["topic"] == 0].iloc[0]
        covered += row["lower"] <= truth <= row["upper"]
    assert 0.85 <= covered / 200 <= 0.95, covered / 200


def test_prevalence_keeps_unknown_and_anonymized_years_as_groups():
    rng = np.random.default_rng(3)
    theta, _, units, speeches = make_data(rng, n_speeches=12, years=[2003, 2004, 2005] * 3 + [None] * 3)
    speeches.loc[10, "year_source"] = "anonymized"
    table = analysis.topic_prevalence(theta, units, speeches, n_boot=50)
    groups = list(dict.fromkeys(table["group"]))
    assert groups == ["2003", "2004", "2005", "anonymized", "unknown"]
    per_group = table.drop_duplicates("group").set_index("group")
    assert per_group["n_speeches"].sum() == 12  # nobody dropped
    assert per_group.loc["unknown", "year_sources"] == "unknown 2"
    assert per_group.loc["anonymized", "year_sources"] == "anonymized 1"
    assert (table["lower"] <= table["mean"] + 1e-12).all() and (table["mean"] <= table["upper"] + 1e-12).all()


def test_prevalence_is_reproducible_with_a_seed():
    rng = np.random.default_rng(4)
    theta, _, units, speeches = make_data(rng, n_speeches=10)
    first = analysis.topic_prevalence(theta, units, speeches, n_boot=50, random_state=7)
    again = analysis.topic_prevalence(theta, units, speeches, n_boot=50, random_state=7)
    pd.testing.assert_frame_equal(first, again)


def test_jensen_shannon_distances_are_symmetric_bounded_and_zero_for_identical_speeches():
    rng = np.random.default_rng(7)
    theta = rng.dirichlet(np.ones(5), size=9)
    theta[3] = theta[0]
    theta[4] = [1, 0, 0, 0, 0]
    theta[5] = [0, 1, 0, 0, 0]
    distances = analysis.speech_distances(theta, [f"d{i}" for i in range(9)]).to_numpy()
    np.testing.assert_array_equal(distances, distances.T)
    assert distances[0, 3] == 0 and np.all(np.diag(distances) == 0)
    assert distances[4, 5] == pytest.approx(1.0)
    assert (distances >= 0).all() and (distances <= 1 + 1e-12).all()
    assert distances[1, 2] == pytest.approx(jensenshannon(theta[1], theta[2], base=2))


def test_cluster_speeches_groups_similar_mixtures():
    theta = np.array([[0.9, 0.1], [0.85, 0.15], [0.1, 0.9], [0.12, 0.88]])
    clusters = analysis.cluster_speeches(analysis.speech_distances(theta, list("abcd")))
    order = list(clusters.order)
    assert {order[0], order[1]} in ({0, 1}, {2, 3})


def test_find_thoughts_returns_highest_theta_passages_with_provenance():
    units = pd.DataFrame({"unit_id": ["a/0", "a/1", "b/0", "c/0"], "doc_id": ["a", "a", "b", "c"],
                          "chunk": [0, 1, 0, 0], "start_line": [1, 5, 1, 1], "end_line": [4, 9, 3, 2],
                          "n_tokens": [10, 10, 10, 10]})
    speeches = pd.DataFrame({"doc_id": ["a", "b", "c"], "source_file": ["a.txt", "b.txt", "c.txt"],
                             "year": pd.array([2005, pd.NA, 2010], dtype="Int64"),
                             "year_source": ["explicit", "unknown", "explicit"]})
    theta = np.array([[0.9, 0.1], [0.95, 0.05], [0.8, 0.2], [0.1, 0.9]])
    texts = ["计划生育", "流动人口服务管理" * 30, "社会抚养费", "优质服务"]
    found = analysis.find_thoughts(theta, units, speeches, topics=[0], n=2, texts=texts, excerpt_chars=10)
    assert found["unit_id"].tolist() == ["a/1", "b/0"]  # a/0 skipped: one passage per speech
    assert found.iloc[0][["start_line", "end_line", "source_file"]].tolist() == [5, 9, "a.txt"]
    assert found.iloc[0]["excerpt"] == "流动人口服务管理流动…"
    assert found.iloc[1]["year_source"] == "unknown"


def test_unit_texts_cuts_passages_by_line_span():
    speeches = pd.DataFrame({"doc_id": ["a"], "start_line": [10], "end_line": [13]})
    units = pd.DataFrame({"doc_id": ["a", "a"], "start_line": [10, 12], "end_line": [11, 13]})
    texts = {"a": "一\n二\n三\n四"}
    assert analysis.unit_texts(speeches, units, texts) == ["一\n二", "三\n四"]


def test_label_topics_uses_relevance_for_labels():
    table = pd.DataFrame({"topic": [3, 3, 3], "rank": [0, 1, 2], "word": ["工作", "计划生育", "流动人口"],
                          "weight": [0.3, 0.2, 0.1], "relevance": [-3.0, -1.0, -2.0]})
    labels = analysis.label_topics(table, n=2)
    assert labels.loc[0, "label"] == "T3 计划生育·流动人口"
    assert labels.loc[0, "prob"] == "工作、计划生育"
    assert analysis.topic_labels(table, n_words=1) == {3: "T3 计划生育"}
