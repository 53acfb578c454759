"""One deterministic LDA fit per (K, seed), with gensim's ``LdaModel``.

Determinism is the point of this module: the same bag of words, settings, K and seed give the
same topics on any machine with the same package versions, whatever the number of worker
processes. Three things make that true:

* ``LdaModel`` (never ``LdaMulticore``, whose workers race) with ``random_state=seed``;
* BLAS limited to one thread inside a fit (threadpoolctl), because a multi-threaded BLAS may
  sum in a different order and drift in the last bits; a process-wide lock keeps two fits that
  share a process (Dask worker threads) from changing each other's thread limit;
* every inference after training (held-out bound, θ of all units) starts from a fresh
  ``RandomState(seed)``, so its result does not depend on what was inferred before.

Reference: Blei, Ng & Jordan (2003), "Latent Dirichlet allocation", JMLR; gensim implements the
online variational Bayes of Hoffman, Blei & Bach (2010), NIPS.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import numpy as np
from gensim.matutils import dirichlet_expectation
from gensim.models import LdaModel
from scipy.special import gammaln, logsumexp
from threadpoolctl import threadpool_limits

from .base import Bow, TopicModel
from .seed_words import resolved_eta, seed_prior

if TYPE_CHECKING:  # pragma: no cover
    from ..config import ModelConfig

__all__ = ["GensimLda"]

_FIT_LOCK = threading.RLock()
_ARRAYS = ("lambda.npy", "alpha.npy", "eta.npy")


class GensimLda(TopicModel):
    """gensim's ``LdaModel`` (online variational Bayes) behind the :class:`TopicModel` interface.

    Attributes
    ----------
    lda : the gensim model (for gensim's own tools: ``print_topics``, ``get_document_topics``).
    """

    engine = "gensim"

    def __init__(self, lda: LdaModel, lambda_: np.ndarray | None = None):
        self.lda = lda
        # the variational topic–word parameters; kept as fitted (a loaded model must give the same φ)
        self._lambda = np.asarray(lda.state.get_lambda() if lambda_ is None else lambda_, dtype=np.float64)

    @classmethod
    def engine_version(cls) -> str:
        import gensim

        return f"gensim {gensim.__version__}"

    @classmethod
    def fit(cls, bow: Bow, vocabulary: Sequence[str], k: int, seed: int, config: "ModelConfig") -> "GensimLda":
        """Fit one LDA model on ``bow`` with ``k`` topics and random seed ``seed``.

        Examples
        --------
        >>> from topics.config import ModelConfig
        >>> bow = [[(0, 5), (1, 5)], [(2, 5), (3, 5)]] * 10
        >>> GensimLda.fit(bow, ["人口", "计划生育", "扶贫", "产业"], k=2, seed=1, config=ModelConfig(passes=5)).k
        2
        """
        settings = config.fit_settings(cls.engine)
        if config.seed_words:
            return cls._fit_seeded(bow, vocabulary, k, seed, config, settings)
        with _single_threaded():
            lda = LdaModel(
                corpus=list(bow), id2word=dict(enumerate(vocabulary)), num_topics=k, random_state=seed,
                eval_every=None, dtype=np.float64, **settings,
            )
        return cls(lda)

    @classmethod
    def _fit_seeded(cls, bow: Bow, vocabulary: Sequence[str], k: int, seed: int, config: "ModelConfig",
                    settings: dict) -> "GensimLda":
        """A fit with seed words: η is the K × V matrix of :mod:`.seed_words`, and it shapes the first E-step.

        gensim starts its first E-step from the random statistics alone (``exp(E[log β])`` of the
        Gamma draws, without η), and after one M-step the data's counts dwarf a prior of a few
        pseudo-counts, so a seed prior would barely steer anything. Starting from
        ``λ₀ = η + the same random draws``, the variational counterpart of the Gibbs sampler's
        start (whose first assignments follow the prior), lets the seed words pull their topic
        together; afterwards the fit is gensim's own ``update``.
        """
        prior = seed_prior(config.seed_words, vocabulary, config.seed_weight)
        settings = {**settings, "eta": prior.eta(k, len(vocabulary), resolved_eta(config.eta, k))}
        with _single_threaded():
            lda = LdaModel(id2word=dict(enumerate(vocabulary)), num_topics=k, random_state=seed,
                           eval_every=None, dtype=np.float64, **settings)
            lda.expElogbeta = np.exp(dirichlet_expectation(lda.state.get_lambda()))
            lda.update(list(bow), chunks_as_numpy=False)
        return cls(lda)

    @property
    def k(self) -> int:
        return int(self.lda.num_topics)

    def topic_word(self) -> np.ndarray:
        return self._lambda / self._lambda.sum(axis=1, keepdims=True)

    def unit_posterior(self, bow: Bow, seed: int) -> np.ndarray:
        """Variational Dirichlet parameters γ (units × K) under the fitted topics.

        Inference starts from ``RandomState(seed)`` so that the result does not depend on earlier calls.
        """
        if len(bow) == 0:
            return np.zeros((0, self.k))
        with _single_threaded(), _fresh_random_state(self.lda, seed):
            gamma, _ = self.lda.inference(list(bow), collect_sstats=False)
        return np.asarray(gamma, dtype=np.float64)

    def heldout_log_perplexity(self, bow: Bow, seed: int) -> float:
        """Per-word variational bound of held-out units (natural log); ``nan`` without held-out words.

        For each held-out unit ``d`` with the trained topics held fixed, the document part of the
        evidence lower bound (Blei, Ng & Jordan 2003, eq. 15; Hoffman, Blei & Bach 2010):
        ``E_q[log p(w_d | θ, β)] + E_q[log p(θ | α)] − E_q[log q(θ | γ_d)]``, summed and divided by
        the number of held-out tokens. The held-out perplexity is ``exp(−bound)``.

        gensim's ``log_perplexity`` adds the whole topic–word term ``E[log p(β | η) − log q(β | λ)]``
        to a small held-out set's bound, which then grows with K for reasons unrelated to held-out
        fit; we leave that corpus-level term out.
        """
        n_words = sum(count for doc in bow for _, count in doc)
        if len(bow) == 0 or n_words == 0:
            return float("nan")
        gamma = self.unit_posterior(bow, seed)
        elog_beta = dirichlet_expectation(self._lambda)
        alpha = np.asarray(self.lda.alpha, dtype=np.float64)
        score = 0.0
        for doc, gamma_d in zip(bow, gamma):
            elog_theta = dirichlet_expectation(gamma_d)
            if doc:
                ids = np.array([word_id for word_id, _ in doc])
                counts = np.array([count for _, count in doc], dtype=np.float64)
                score += counts @ logsumexp(elog_theta[:, None] + elog_beta[:, ids], axis=0)
            score += np.sum((alpha - gamma_d) * elog_theta)
            score += np.sum(gammaln(gamma_d) - gammaln(alpha)) + gammaln(alpha.sum()) - gammaln(gamma_d.sum())
        return float(score / n_words)

    def resolved_alpha(self) -> list[float]:
        return [float(a) for a in np.asarray(self.lda.alpha, dtype=np.float64)]

    # -- saving without pickle ---------------------------------------------------------------------
    def save(self, folder: Path) -> None:
        """``lambda.npy`` (K × V), ``alpha.npy``, ``eta.npy`` and ``model.json`` (the inference settings)."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / "lambda.npy", self._lambda, allow_pickle=False)
        np.save(folder / "alpha.npy", np.asarray(self.lda.alpha, dtype=np.float64), allow_pickle=False)
        np.save(folder / "eta.npy", np.asarray(self.lda.eta, dtype=np.float64), allow_pickle=False)
        settings = {"engine": self.engine, "engine_version": self.engine_version(), "k": self.k,
                    "n_words": int(self._lambda.shape[1]), "iterations": int(self.lda.iterations),
                    "gamma_threshold": float(self.lda.gamma_threshold)}
        (folder / "model.json").write_text(json.dumps(settings, indent=2, sort_keys=True) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> "GensimLda":
        folder = Path(folder)
        settings = json.loads((folder / "model.json").read_text(encoding="utf-8"))
        lambda_, alpha, eta = (np.load(folder / name, allow_pickle=False) for name in _ARRAYS)
        k, n_words = int(settings["k"]), int(settings["n_words"])
        if lambda_.shape != (k, n_words) or alpha.shape != (k,):
            raise ValueError(f"{folder}: arrays do not match model.json (k = {k}, words = {n_words})")
        lda = LdaModel(num_topics=k, id2word={i: str(i) for i in range(n_words)}, alpha=alpha, eta=eta,
                       iterations=settings["iterations"], gamma_threshold=settings["gamma_threshold"],
                       dtype=np.float64, random_state=0)
        # state.eta + state.sstats must equal λ exactly (inference reads exp(E[log β]) from it)
        lda.state.sstats = lambda_.copy()
        lda.state.eta = np.zeros_like(lda.state.eta)
        lda.sync_state()
        return cls(lda, lambda_)


class _single_threaded:
    """Hold the fit lock and limit BLAS/OpenMP pools to one thread."""

    def __enter__(self):
        _FIT_LOCK.acquire()
        self._limits = threadpool_limits(limits=1)
        return self

    def __exit__(self, *exc):
        self._limits.restore_original_limits()
        _FIT_LOCK.release()
        return False


class _fresh_random_state:
    """Temporarily give ``model`` a ``RandomState(seed)`` (inference draws its starting γ there)."""

    def __init__(self, model: LdaModel, seed: int):
        self.model, self.seed = model, seed

    def __enter__(self):
        self.saved = self.model.random_state
        self.model.random_state = np.random.RandomState(self.seed)

    def __exit__(self, *exc):
        self.model.random_state = self.saved
        return False
