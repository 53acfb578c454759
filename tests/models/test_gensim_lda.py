"""LDA fits: topic recovery on synthetic data, determinism, inference, save/load, config errors."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest
from gensim.corpora import Dictionary
from scipy.optimize import linear_sum_assignment

from topics.config import ModelConfig, from_mapping
from topics.errors import ConfigError
from topics.models import ENGINES, GensimLda, TopicModel

FAST = ModelConfig(engine="gensim", passes=20, iterations=100)


def fit_lda(bow, dictionary, k, seed, config) -> GensimLda:
    return GensimLda.fit(bow, [dictionary[i] for i in range(len(dictionary))], k, seed, config)


def topic_word(model: TopicModel) -> np.ndarray:
    return model.topic_word()


def infer_gamma(model: TopicModel, bow, seed) -> np.ndarray:
    return model.unit_posterior(bow, seed)


def lda_documents(seed: int, k: int = 4, block: int = 20, n_docs: int = 400, length: int = 60):
    """Documents drawn by LDA's generative process from ``k`` known topics.

    Topic ``j`` puts its mass on its own block of ``block`` words (weights ~ Dirichlet(1));
    each document draws θ ~ Dirichlet(0.3), then each token's topic from θ and its word from
    that topic.
    """
    rng = np.random.RandomState(seed)
    vocab = [f"w{i:02d}" for i in range(k * block)]
    phi = np.zeros((k, len(vocab)))
    for j in range(k):
        phi[j, j * block:(j + 1) * block] = rng.dirichlet(np.ones(block))
    docs = []
    for _ in range(n_docs):
        z = rng.choice(k, size=length, p=rng.dirichlet(np.full(k, 0.3)))
        docs.append([vocab[rng.choice(len(vocab), p=phi[j])] for j in z])
    return phi, vocab, docs


@pytest.fixture(scope="module")
def synthetic():
    phi, vocab, docs = lda_documents(seed=0)
    dictionary = Dictionary(docs)
    return phi, vocab, dictionary, [dictionary.doc2bow(d) for d in docs]


def matched_cosines(true_phi, learned, vocab, dictionary) -> np.ndarray:
    """Cosine of each true topic with the learned topic the Hungarian method pairs it with."""
    aligned = np.zeros_like(true_phi)
    for word_id in range(len(dictionary)):
        aligned[:, vocab.index(dictionary[word_id])] = learned[:, word_id]
    cosine = (true_phi @ aligned.T) / np.outer(np.linalg.norm(true_phi, axis=1), np.linalg.norm(aligned, axis=1))
    rows, cols = linear_sum_assignment(cosine, maximize=True)
    return cosine[rows, cols]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_recovers_known_topics(synthetic, seed):
    # Threshold 0.95: 24,000 tokens pin each topic down to a cosine of about 0.99 with the truth,
    # while a learned topic that merges two true ones has cosine ≈ 0.7 with each, and one that
    # splits a true topic in two falls below 0.9. (With 200 documents instead of 400, gensim's
    # variational fit falls into such merged optima for some seeds.)
    phi, vocab, dictionary, bow = synthetic
    model = fit_lda(bow, dictionary, k=4, seed=seed, config=FAST)
    cosines = matched_cosines(phi, topic_word(model), vocab, dictionary)
    assert cosines.min() >= 0.95, cosines


def test_same_seed_same_topics_different_seed_different(synthetic):
    _, _, dictionary, bow = synthetic
    small = ModelConfig(engine="gensim", passes=3, iterations=50)
    a = topic_word(fit_lda(bow, dictionary, 4, 7, small))
    b = topic_word(fit_lda(bow, dictionary, 4, 7, small))
    c = topic_word(fit_lda(bow, dictionary, 4, 8, small))
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)
    np.testing.assert_allclose(a.sum(axis=1), 1.0)


def _fit_elsewhere(args):
    bow, dictionary = args
    return topic_word(fit_lda(bow, dictionary, 4, 7, ModelConfig(engine="gensim", passes=3, iterations=50)))


def test_fit_is_identical_in_another_process(synthetic):
    _, _, dictionary, bow = synthetic
    here = topic_word(fit_lda(bow, dictionary, 4, 7, ModelConfig(engine="gensim", passes=3, iterations=50)))
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        there = pool.submit(_fit_elsewhere, (bow, dictionary)).result()
    assert np.array_equal(here, there)


def test_inference_does_not_depend_on_earlier_calls(synthetic):
    _, _, dictionary, bow = synthetic
    model = fit_lda(bow[:100], dictionary, 4, 1, ModelConfig(engine="gensim", passes=3, iterations=50))
    first = infer_gamma(model, bow[100:120], seed=1)
    infer_gamma(model, bow[:50], seed=1)  # moves nothing: each call starts from RandomState(seed)
    model.lda.inference(bow[:10])         # ... even after gensim's own calls
    assert np.array_equal(first, infer_gamma(model, bow[100:120], seed=1))


def test_heldout_bound_is_gensim_document_bound(synthetic):
    # Reference: the per-document lines of gensim's LdaModel.bound, word by word (gensim's own
    # bound() cannot run on a float64 model: its Cython logsumexp wants float32 2-D input).
    from gensim.matutils import dirichlet_expectation
    from scipy.special import gammaln, logsumexp

    _, _, dictionary, bow = synthetic
    model = fit_lda(bow[:300], dictionary, 4, 1, ModelConfig(engine="gensim", passes=3, iterations=50))
    heldout = bow[300:]
    gamma = infer_gamma(model, heldout, seed=1)
    elog_beta = dirichlet_expectation(model.lda.state.get_lambda())
    alpha = model.lda.alpha
    score = 0.0
    for doc, gammad in zip(heldout, gamma):
        elog_thetad = dirichlet_expectation(gammad)
        score += sum(cnt * logsumexp(elog_thetad + elog_beta[:, word_id]) for word_id, cnt in doc)
        score += np.sum((alpha - gammad) * elog_thetad)
        score += np.sum(gammaln(gammad) - gammaln(alpha))
        score += gammaln(np.sum(alpha)) - gammaln(np.sum(gammad))
    words = sum(c for doc in heldout for _, c in doc)
    assert model.heldout_log_perplexity(heldout, seed=1) == pytest.approx(score / words, rel=1e-9)
    assert np.isnan(model.heldout_log_perplexity([], seed=1))


def test_save_and_load(tmp_path, synthetic):
    _, _, dictionary, bow = synthetic
    model = fit_lda(bow, dictionary, 3, 1, ModelConfig(engine="gensim", passes=2, iterations=20))
    model.save(tmp_path / "m")
    loaded = GensimLda.load(tmp_path / "m")
    assert np.array_equal(topic_word(model), topic_word(loaded))
    assert np.array_equal(infer_gamma(model, bow[:5], 1), infer_gamma(loaded, bow[:5], 1))
    assert loaded.resolved_alpha() == model.resolved_alpha()
    # nothing in the folder is a pickle: every array loads with allow_pickle=False
    assert sorted(p.name for p in (tmp_path / "m").iterdir()) == ["alpha.npy", "eta.npy", "lambda.npy", "model.json"]


@pytest.mark.parametrize("mapping, message", [
    ({"kk": [2]}, r"unknown setting 'model.kk' — allowed in \[model\] are: engine, k, seeds"),
    ({"k": [1, 5]}, r"model.k\[0\] = 1 is out of range"),
    ({"k": [5, 5]}, r"model.k = \[5, 5\] repeats a value"),
    ({"seeds": []}, r"model.seeds is empty"),
    ({"alpha": "automatic"}, r"model.alpha = 'automatic' is not allowed — use one of: 'symmetric'"),
    ({"eta": -1.0}, r"model.eta = -1.0 is out of range"),
    ({"passes": 0}, r"model.passes = 0 is out of range"),
])
def test_model_config_errors(mapping, message):
    with pytest.raises(ConfigError, match=message):
        from_mapping(ModelConfig, mapping, prefix="model")


def test_numeric_prior_is_accepted():
    assert from_mapping(ModelConfig, {"alpha": 0.1, "eta": 0.01}, prefix="model").alpha == 0.1


def test_gensim_is_a_registered_engine():
    assert ENGINES["gensim"] is GensimLda
    assert GensimLda.engine_version().startswith("gensim ")
