"""The K selection rule: each rule on a metrics table with a known answer, and a sweep over a corpus
with three planted topics, which must select K = 3."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from topics.config import ExperimentConfig, SelectConfig, from_mapping
from topics.corpus import corpus_from_tokens
from topics.errors import ConfigError
from topics.evaluate.select import select_model


def metrics(rows):
    return pd.DataFrame(rows, columns=["k", "seed", "c_npmi", "stability"])


TABLE = metrics([
    (3, 1, 0.10, 0.80), (3, 2, 0.12, 0.80),   # stable, coherent
    (4, 1, 0.20, 0.30), (4, 2, 0.22, 0.30),   # most coherent, unstable
    (5, 1, 0.05, 0.90), (5, 2, 0.07, 0.80),   # most stable, least coherent
])


def test_max_npmi_stable_takes_the_best_coherence_among_stable_k():
    selection = select_model(TABLE, SelectConfig(rule="max_npmi_stable", min_stability=0.5))
    assert selection["k"] == 3
    assert "among the 2 K with mean stability >= 0.5" in selection["reason"]


def test_max_npmi_stable_falls_back_and_says_so():
    selection = select_model(TABLE, SelectConfig(rule="max_npmi_stable", min_stability=0.95))
    assert selection["k"] == 4
    assert "no K reached mean stability >= 0.95 (best: 0.8500 at K = 5)" in selection["reason"]
    assert "fell back to the best mean c_npmi" in selection["reason"]


def test_max_npmi_and_fixed():
    assert select_model(TABLE, SelectConfig(rule="max_npmi"))["k"] == 4
    assert select_model(TABLE, SelectConfig(rule="fixed", k=5))["k"] == 5
    with pytest.raises(ConfigError, match=r"select.k = 6 was not fitted"):
        select_model(TABLE, SelectConfig(rule="fixed", k=6))


def test_seed_choice_by_stability_or_coherence():
    table = metrics([(3, 1, 0.10, 0.9), (3, 2, 0.30, 0.5), (3, 3, 0.20, 0.7)])
    assert select_model(table, SelectConfig(rule="max_npmi", seed_by="stability"))["seed"] == 1
    assert select_model(table, SelectConfig(rule="max_npmi", seed_by="c_npmi"))["seed"] == 2


EXCLUSIVE = TABLE.assign(exclusivity=[8.0, 8.2, 9.0, 9.2, 9.5, 9.7])  # rises with K, as it does on real corpora


def test_relative_stability_always_admits_the_most_stable_k():
    """Real corpora rarely reach an absolute floor: the relative one applies where the absolute falls back."""
    low = TABLE.assign(stability=TABLE["stability"] * 0.5)  # best mean stability 0.425 < 0.5
    absolute = select_model(low, SelectConfig(rule="max_npmi_stable", min_stability=0.5))
    assert "fell back" in absolute["reason"] and absolute["k"] == 4
    relative = select_model(low, SelectConfig(rule="max_npmi_relative_stable", relative_stability=0.9))
    assert relative["k"] == 3 and "fell back" not in relative["reason"]
    assert "among the 2 K with mean stability >= 0.9 × the best (0.4250 at K = 5) = 0.3825" in relative["reason"]
    assert relative["relative_stability"] == 0.9 and "min_stability" not in relative


def test_pareto_front_and_the_balanced_point_are_stated():
    dominated = pd.concat([EXCLUSIVE, metrics([(6, 1, 0.04, 0.2), (6, 2, 0.04, 0.2)]).assign(exclusivity=9.0)])
    selection = select_model(dominated, SelectConfig(rule="pareto"))
    assert "the Pareto front of mean c_npmi, exclusivity, stability is K ∈ {3, 4, 5}" in selection["reason"]
    # worst scaled criterion: K = 3 its exclusivity (0.00), K = 5 its c_npmi (0.12), K = 4 its stability (0.15)
    assert selection["k"] == 4
    assert "K = 4 has the best worst criterion on it (scaled 0–1 over the K fitted: c_npmi 1.00, exclusivity 0.67, " \
           "stability 0.15)" in selection["reason"]
    assert {c["k"]: c["exclusivity"] for c in selection["candidates"]}[6] == 9.0


def test_single_seed_has_unknown_stability_and_falls_back():
    table = metrics([(3, 1, 0.1, np.nan), (4, 1, 0.2, np.nan)])
    selection = select_model(table, SelectConfig())
    assert selection["k"] == 4 and "stability is unknown with a single seed" in selection["reason"]


def planted_corpus(seed: int = 0, n_docs: int = 120, length: int = 60):
    """Documents that each draw their words from one or two of three disjoint word blocks."""
    rng = np.random.RandomState(seed)
    blocks = [[f"词{j}{i:02d}" for i in range(20)] for j in "甲乙丙"]
    docs = []
    for _ in range(n_docs):
        theta = rng.dirichlet(np.full(3, 0.2))
        topics = rng.choice(3, size=length, p=theta)
        docs.append([blocks[t][rng.randint(20)] for t in topics])
    return corpus_from_tokens(docs)


@pytest.mark.slow
def test_a_sweep_over_three_planted_topics_selects_k_3(tmp_path):
    from topics.experiment import run_on_corpus

    corpus = planted_corpus()
    config = from_mapping(ExperimentConfig, {
        "name": "planted", "model": {"engine": "gensim", "k": [2, 3, 4, 5], "seeds": [1, 2, 3], "passes": 20, "iterations": 100},
        "evaluate": {"heldout_fraction": 0.0, "topn": [5, 10]}, "select": {"rule": "max_npmi_stable", "min_stability": 0.5}})
    run_dir = run_on_corpus(config, corpus, tmp_path / "run", workers=1, progress=False)
    selection = pd.read_json(run_dir / "selection.json", typ="series")
    assert selection["k"] == 3, selection["reason"]
