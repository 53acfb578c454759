"""Scores: coherence by hand and against gensim, diversity, exclusivity, stability, held-out split."""

from __future__ import annotations

import math

import numpy as np
import pytest
from gensim.corpora import Dictionary
from gensim.models import CoherenceModel
from gensim.topic_coherence.text_analysis import WordOccurrenceAccumulator

from topics.config import EvaluateConfig
from topics.errors import ConfigError
from topics.evaluate.coherence import MEASURES, coherence
from topics.evaluate.cooccurrence import count_cooccurrence
from topics.evaluate.heldout import heldout_split
from topics.evaluate.scores import exclusivity, topic_diversity
from topics.evaluate.stability import matched_jaccard, stability

WINDOWS = {name: measure.window for name, measure in MEASURES.items()}
from topics.evaluate.word_scores import frex, labels, relevance
from topics.analysis.theta import speech_proportions, unit_theta


def test_npmi_by_hand():
    # Each text is shorter than the 10-token window, so each is one window: N = 3.
    texts = [["a", "b", "c"], ["a", "b"], ["c", "d"]]
    counts = count_cooccurrence(texts, ["a", "b", "c"], window=10)
    assert counts.num_windows == 3
    # P(a) = P(b) = P(c) = 2/3; P(a, b) = 2/3 → NPMI(a, b) = log(1.5) / -log(2/3) = 1.
    # P(a, c) = P(b, c) = 1/3 → NPMI = log((1/3) / (4/9)) / -log(1/3) = log(0.75) / log(3).
    expected = (1.0 + 2 * math.log(0.75) / math.log(3)) / 3
    assert coherence(counts, [["a", "b", "c"]], "c_npmi")[0] == pytest.approx(expected, abs=1e-9)


def test_sliding_window_follows_gensim_unmarking():
    # Windows of 3 over "a x a y z": [a x a] [x a y] [a y z]. gensim un-marks "a" when the
    # first "a" leaves, although the second is still inside: it counts "a" in 1 window, not 3.
    text = ["a", "x", "a", "y", "z"]
    dictionary = Dictionary([text])
    ids = {dictionary.token2id[w] for w in ("a", "y")}
    reference = WordOccurrenceAccumulator(ids, dictionary).accumulate([text], 3)
    ours = count_cooccurrence([text], ["a", "y"], window=3)
    a, y = dictionary.token2id["a"], dictionary.token2id["y"]
    assert ours.num_windows == reference.num_docs == 3
    assert ours.pairs[0, 0] == reference[a] == 1
    assert ours.pairs[1, 1] == reference[y]
    assert ours.pairs[0, 1] == reference[a, y]


def _random_texts(seed: int, n_texts: int = 60) -> list[list[str]]:
    rng = np.random.RandomState(seed)
    vocab = [f"w{i}" for i in range(40)]
    weights = rng.dirichlet(np.full(40, 0.3))
    # lengths straddle the 10- and 110-token windows
    return [list(rng.choice(vocab, size=rng.randint(0, 160), p=weights)) for _ in range(n_texts)]


@pytest.mark.parametrize("measure", list(WINDOWS))
def test_agrees_with_gensim_coherence_model(measure):
    texts = _random_texts(0)
    dictionary = Dictionary(texts)
    rng = np.random.RandomState(1)
    words = sorted(dictionary.token2id)
    topics = [list(rng.choice(words, 12, replace=False)) for _ in range(5)]
    counts = count_cooccurrence(texts, {w for t in topics for w in t}, WINDOWS[measure])
    for topn in (5, 10):
        reference = CoherenceModel(topics=topics, texts=texts, dictionary=dictionary, coherence=measure,
                                   topn=topn, processes=1)
        expected = np.array(reference.get_coherence_per_topic())
        ours = coherence(counts, [t[:topn] for t in topics], measure)
        np.testing.assert_allclose(ours, expected, rtol=0, atol=1e-6)
        assert ours.mean() == pytest.approx(reference.get_coherence(), abs=1e-6)


def test_counts_do_not_depend_on_the_other_counted_words():
    # Counting the union of all models' top words once must give each word pair the same counts
    # as counting that model's words alone (what a per-model CoherenceModel does).
    texts = _random_texts(2)
    small = count_cooccurrence(texts, ["w1", "w2", "w3"], window=10)
    large = count_cooccurrence(texts, [f"w{i}" for i in range(40)], window=10)
    idx = large.index(["w1", "w2", "w3"])
    np.testing.assert_array_equal(small.pairs, large.pairs[np.ix_(idx, idx)])


def test_topic_diversity_and_exclusivity():
    disjoint = np.array([[0.5, 0.5, 0.0, 0.0], [0.0, 0.0, 0.5, 0.5]]) + 1e-9
    same = np.array([[0.5, 0.4, 0.1, 0.0], [0.5, 0.4, 0.1, 0.0]]) + 1e-9
    assert topic_diversity(disjoint, n=2) == 1.0
    assert topic_diversity(same, n=2) == 0.5
    assert np.all(exclusivity(disjoint, n=2) > exclusivity(same, n=2))


def test_matched_jaccard_ignores_topic_order():
    topics = [["a", "b", "c"], ["d", "e", "f"], ["g", "h", "i"]]
    assert matched_jaccard(topics, topics[::-1]) == 1.0
    assert matched_jaccard(topics, [["x", "y", "z"]] * 3) == 0.0
    scores = stability({(3, 1): topics, (3, 2): topics[::-1], (4, 1): topics})
    assert scores[(3, 1)] == scores[(3, 2)] == 1.0
    assert math.isnan(scores[(4, 1)])  # one seed: stability unknown


def test_heldout_split_holds_out_whole_speeches():
    doc_ids = [f"s{i // 3}#0" for i in range(60)]  # 20 speeches of 3 chunks
    mask = heldout_split(doc_ids, 0.1, seed=0)
    assert mask.sum() == 6  # two whole speeches
    held = {d for d, m in zip(doc_ids, mask) if m}
    assert all(m == (d in held) for d, m in zip(doc_ids, mask))
    assert np.array_equal(mask, heldout_split(doc_ids, 0.1, seed=0))
    assert not np.array_equal(mask, heldout_split(doc_ids, 0.1, seed=1))
    assert not heldout_split(doc_ids, 0.0, seed=0).any()
    assert not heldout_split(["only#0"] * 5, 0.5, seed=0).any()  # never the whole corpus


def test_labels_frex_and_relevance():
    phi = np.array([[0.50, 0.30, 0.15, 0.05], [0.50, 0.05, 0.15, 0.30]])
    words = ["工作", "人口", "发展", "扶贫"]
    # "工作" is the most probable word of both topics but exclusive to neither
    assert labels(phi, words, by="prob", n=1) == ["工作", "工作"]
    assert labels(phi, words, by="frex", n=1) == ["人口", "扶贫"]
    word_prob = np.array([0.5, 0.175, 0.15, 0.175])
    assert relevance(phi, word_prob, lam=0.0)[0].argmax() == 1  # pure lift
    assert frex(phi).shape == phi.shape


def test_speech_proportions_weight_chunks_by_tokens():
    import pandas as pd

    units = pd.DataFrame({"doc_id": ["b#0", "b#0", "a#0"], "n_tokens": [100, 300, 50]})
    theta = unit_theta(np.array([[2.0, 2.0], [3.0, 1.0], [1.0, 9.0]]))
    result = speech_proportions(theta, units)
    assert list(result.index) == ["b#0", "a#0"]
    assert list(result.columns) == ["topic_0", "topic_1"]
    np.testing.assert_allclose(result.loc["b#0"], [0.25 * 0.5 + 0.75 * 0.75, 0.25 * 0.5 + 0.75 * 0.25])
    np.testing.assert_allclose(result.sum(axis=1), 1.0)


def test_unknown_measure_is_refused_on_load():
    from topics.experiment.settings import experiment_from_mapping

    with pytest.raises(ConfigError, match=r"evaluate.measures\[1\] = 'npmi' is not allowed — use one of: 'c_npmi'"):
        experiment_from_mapping({"evaluate": {"measures": ["c_npmi", "npmi"]}})


@pytest.mark.parametrize("mapping, message", [
    ({"topn": [1, 10]}, r"evaluate.topn\[0\] = 1 is out of range"),
    ({"heldout_fraction": 0.9}, r"evaluate.heldout_fraction = 0.9 is out of range"),
])
def test_evaluate_config_errors(mapping, message):
    from topics.config import from_mapping

    with pytest.raises(ConfigError, match=message):
        from_mapping(EvaluateConfig, mapping, prefix="evaluate")


def test_a_tie_between_seeds_is_said_to_be_one_and_two_seeds_show_no_spread_of_stability():
    import pandas as pd

    from topics.evaluate.select import _pick_seed
    from topics.report.tables import format_metrics_by_k

    rows = pd.DataFrame({"seed": [2, 1], "stability": [0.6, 0.6], "c_npmi": [0.05, 0.04]})
    assert _pick_seed(rows, "stability") == (1, True)  # tie: the smallest seed, and said so
    assert _pick_seed(rows.assign(stability=[0.7, 0.6]), "stability") == (2, False)
    summary = pd.DataFrame({("n_seeds", ""): [2], ("stability", "mean"): [0.6508], ("stability", "sd"): [0.0],
                            ("c_npmi", "mean"): [0.03], ("c_npmi", "sd"): [0.01]}, index=pd.Index([4], name="k"))
    table = format_metrics_by_k(summary)
    assert table.loc[0, "stability"] == "0.6508" and table.loc[0, "c_npmi"] == "0.0300 ± 0.0100"
