"""The Gibbs engine (tomotopy): planted topics, determinism across runs and processes, the
posterior and held-out bound it hands the analysis, saving without pickle, its settings."""

from __future__ import annotations

import json
import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest
from planted import Planted
from scipy.special import gammaln, logsumexp, psi

from topics.config import ModelConfig, from_mapping
from topics.errors import ConfigError
from topics.experiment.settings import experiment_from_mapping
from topics.experiment.sweep import fit_key
from topics.models import ENGINES, TomotopyLda
from topics.models.tomotopy_lda import Sampler, fixed_alpha

FAST = ModelConfig(engine="tomotopy", iterations=200)


@pytest.fixture(scope="module")
def planted() -> Planted:
    return Planted(seed=0)


@pytest.fixture(scope="module")
def model(planted) -> TomotopyLda:
    return TomotopyLda.fit(planted.bow[:300], planted.words, 4, 1, FAST)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_recovers_planted_topics(planted, seed):
    # 24,000 tokens pin each topic to a cosine of about 0.99 with the truth; a topic that merges
    # two planted ones has cosine ≈ 0.7 with each, one that splits a planted topic falls below 0.9
    fitted = TomotopyLda.fit(planted.bow, planted.words, 4, seed, FAST)
    assert planted.matched_cosines(fitted.topic_word()).min() >= 0.95


def test_same_seed_three_times_identical_other_seed_different(planted):
    config = ModelConfig(engine="tomotopy", iterations=30)
    fits = [TomotopyLda.fit(planted.bow, planted.words, 4, 7, config) for _ in range(3)]
    for other in fits[1:]:
        assert np.array_equal(fits[0].topic_word_counts_, other.topic_word_counts_)
        assert np.array_equal(fits[0].topic_word(), other.topic_word())
    different = TomotopyLda.fit(planted.bow, planted.words, 4, 8, config)
    assert not np.array_equal(fits[0].topic_word_counts_, different.topic_word_counts_)


def _fit_elsewhere(args):
    bow, words = args
    fitted = TomotopyLda.fit(bow, words, 4, 7, ModelConfig(engine="tomotopy", iterations=30))
    return fitted.topic_word(), fitted.unit_posterior(bow[:20], seed=7)


def test_fit_is_identical_in_another_process(planted):
    here = TomotopyLda.fit(planted.bow, planted.words, 4, 7, ModelConfig(engine="tomotopy", iterations=30))
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        phi, gamma = pool.submit(_fit_elsewhere, (planted.bow, planted.words)).result()
    assert np.array_equal(here.topic_word(), phi)
    assert np.array_equal(here.unit_posterior(planted.bow[:20], seed=7), gamma)


def test_a_chain_observed_midway_is_the_shorter_fit(planted):
    # what benchmarks/bench_engines.py --gibbs-sweeps relies on: sweeps 1..N of a longer chain
    # are the N-sweep fit (observing the chain changes nothing)
    import tomotopy as tp

    sampler = Sampler(planted.bow, planted.words, 4, 3, ModelConfig(engine="tomotopy"))
    seen = {}
    sampler.model.train(60, workers=1, parallel=tp.ParallelScheme.NONE, callback_interval=30,
                        callback=lambda m, done, total: seen.setdefault(done, sampler.state({}).topic_word_counts_))
    shorter = TomotopyLda.fit(planted.bow, planted.words, 4, 3, ModelConfig(engine="tomotopy", iterations=30))
    assert np.array_equal(seen[30], shorter.topic_word_counts_)
    assert not np.array_equal(seen[60], shorter.topic_word_counts_)


def test_topics_are_the_final_gibbs_counts_plus_prior(planted, model):
    counts = model.topic_word_counts_
    # every training token is assigned exactly one topic, in our word ids
    expected = np.zeros(len(planted.words), dtype=np.int64)
    for doc in planted.bow[:300]:
        for word_id, count in doc:
            expected[word_id] += count
    assert np.array_equal(counts.sum(axis=0), expected)
    weights = counts + 1.0 / 4  # η = 1/K ("symmetric")
    np.testing.assert_allclose(model.topic_word(), weights / weights.sum(axis=1, keepdims=True), rtol=1e-12)
    np.testing.assert_allclose(model.topic_word().sum(axis=1), 1.0)


def test_posterior_is_alpha_plus_expected_counts_of_each_unit(planted, model):
    bow = planted.bow[300:340] + [[]]
    gamma = model.unit_posterior(bow, seed=1)
    lengths = np.array([sum(c for _, c in doc) for doc in bow])
    # γ_d = α + n̂_d, and the expected counts n̂_d add up to the unit's tokens
    np.testing.assert_allclose(gamma.sum(axis=1), lengths + model.alpha_.sum(), rtol=1e-9)
    assert np.array_equal(gamma[-1], model.alpha_)  # no words: the prior
    assert (gamma > model.alpha_ - 1e-12).all()
    # a unit's posterior does not depend on the units inferred with it, nor on the seed
    alone = np.vstack([model.unit_posterior([doc], seed=5) for doc in bow[:10]])
    assert np.array_equal(alone, gamma[:10])


def test_posterior_finds_the_planted_mixture(planted, model):
    # a unit made of one planted topic's words is (almost) all that topic
    match = planted.cosines(model.topic_word()).argmax(axis=1)
    for topic in range(4):
        words = planted.top_block_words(topic, 10)
        doc = planted.dictionary.doc2bow(words * 5)
        theta = model.unit_posterior([doc], seed=1)[0]
        theta = theta / theta.sum()
        assert theta.argmax() == match[topic] and theta.max() > 0.9


def test_heldout_bound_is_the_document_bound_with_fixed_topics(planted, model):
    heldout = planted.bow[300:]
    gamma = model.unit_posterior(heldout, seed=1)
    log_phi, alpha = np.log(model.topic_word()), model.alpha_
    score = 0.0
    for doc, gammad in zip(heldout, gamma):
        elog = psi(gammad) - psi(gammad.sum())
        score += sum(count * logsumexp(elog + log_phi[:, word_id]) for word_id, count in doc)
        score += np.sum((alpha - gammad) * elog) + np.sum(gammaln(gammad) - gammaln(alpha))
        score += gammaln(alpha.sum()) - gammaln(gammad.sum())
    words = sum(c for doc in heldout for _, c in doc)
    bound = model.heldout_log_perplexity(heldout, seed=1)
    assert bound == pytest.approx(score / words, rel=1e-9)
    # the fitted topics explain held-out text far better than uniform word choice
    assert bound > -np.log(len(planted.words)) + 0.5
    assert np.isnan(model.heldout_log_perplexity([], seed=1))


def test_save_and_load_without_pickle(tmp_path, planted, model):
    model.save(tmp_path / "m")
    assert sorted(p.name for p in (tmp_path / "m").iterdir()) == [
        "alpha.npy", "eta.npy", "model.json", "topic_word_counts.npy"]
    for name in ("alpha.npy", "eta.npy", "topic_word_counts.npy"):
        np.load(tmp_path / "m" / name, allow_pickle=False)
    loaded = TomotopyLda.load(tmp_path / "m")
    assert np.array_equal(loaded.topic_word(), model.topic_word())
    assert np.array_equal(loaded.unit_posterior(planted.bow[:30], 1), model.unit_posterior(planted.bow[:30], 1))
    assert loaded.resolved_alpha() == model.resolved_alpha()
    info = json.loads((tmp_path / "m" / "model.json").read_text(encoding="utf-8"))
    assert info["engine_version"] == TomotopyLda.engine_version() and info["iterations"] == 200
    # the training log likelihood is recorded every 50 sweeps, and it rose from the random start
    trace = info["log_likelihood_per_word"]
    assert [step for step, _ in trace] == [0, 50, 100, 150, 200] and trace[-1][1] > trace[0][1]


def test_load_rejects_arrays_that_do_not_match(tmp_path, model):
    model.save(tmp_path / "m")
    np.save(tmp_path / "m" / "alpha.npy", np.ones(3), allow_pickle=False)
    with pytest.raises(ValueError, match=r"arrays do not match model.json \(k = 4"):
        TomotopyLda.load(tmp_path / "m")


def test_learned_alpha(planted):
    config = ModelConfig(engine="tomotopy", iterations=100, alpha="auto", burn_in=20, optimize_interval=10)
    fitted = TomotopyLda.fit(planted.bow, planted.words, 4, 1, config)
    assert fitted.info_["learned_alpha"] and fitted.info_["burn_in"] == 20
    assert not np.allclose(fitted.alpha_, 0.25)  # moved from its start, 1/K
    fixed = TomotopyLda.fit(planted.bow, planted.words, 4, 1, ModelConfig(engine="tomotopy", iterations=20, alpha=0.3))
    assert fixed.resolved_alpha() == [0.3] * 4


def test_fixed_alpha_matches_gensim():
    from gensim.models import LdaModel

    gensim_alpha, _ = LdaModel(num_topics=5, id2word={0: "a"}, alpha="asymmetric").init_dir_prior("asymmetric", "alpha")
    np.testing.assert_allclose(fixed_alpha("asymmetric", 5), gensim_alpha, rtol=1e-6)
    assert fixed_alpha("symmetric", 4).tolist() == [0.25] * 4


def test_fit_key_holds_the_settings_the_engine_reads():
    tomotopy = ModelConfig(engine="tomotopy")
    key = fit_key("hash", tomotopy, {}, 5, 1)
    # gensim-only keys do not change a tomotopy fit; the Gibbs settings do
    assert fit_key("hash", ModelConfig(engine="tomotopy", passes=7), {}, 5, 1) == key
    assert fit_key("hash", ModelConfig(engine="tomotopy", iterations=10), {}, 5, 1) != key
    assert fit_key("hash", ModelConfig(engine="tomotopy", burn_in=3), {}, 5, 1) == key  # α fixed: unused
    auto = ModelConfig(engine="tomotopy", alpha="auto")
    assert fit_key("hash", auto, {}, 5, 1) != fit_key("hash", ModelConfig(engine="tomotopy", alpha="auto", burn_in=3),
                                                     {}, 5, 1)
    assert fit_key("hash", ModelConfig(engine="gensim"), {}, 5, 1) != key
    assert tomotopy.fit_settings() == {"iterations": 500, "alpha": "symmetric", "eta": "symmetric",
                                       "gamma_threshold": 0.001}
    assert ModelConfig(engine="gensim").fit_settings()["iterations"] == 200


@pytest.mark.parametrize("model, message", [
    ({"engine": "tomotopy", "eta": "auto"}, r"model.eta = 'auto' is not available with engine = 'tomotopy'"),
    ({"engine": "mallet"}, r"model.engine = 'mallet' is not allowed — use one of: 'gensim', 'tomotopy'"),
    ({"engine": "tomotopy", "iterations": 0}, r"model.iterations = 0 is out of range"),
    ({"engine": "tomotopy", "optimize_interval": 0}, r"model.optimize_interval = 0 is out of range"),
    ({"engine": "tomotopy", "burn_in": -1}, r"model.burn_in = -1 is out of range"),
])
def test_engine_config_errors(model, message):
    with pytest.raises(ConfigError, match=message):
        experiment_from_mapping({"model": model})


def test_tomotopy_is_a_registered_engine():
    assert ENGINES["tomotopy"] is TomotopyLda
    assert TomotopyLda.engine_version().startswith("tomotopy 0.")
    assert from_mapping(ModelConfig, {"engine": "tomotopy"}, prefix="model").engine_iterations() == 500
