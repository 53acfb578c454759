"""One deterministic Gibbs-sampled LDA fit per (K, seed), with tomotopy's ``LDAModel``.

tomotopy (Lee 2022, github.com/bab2min/tomotopy) samples LDA's topic assignments by collapsed
Gibbs sampling (Griffiths & Steyvers 2004, "Finding scientific topics", PNAS), as MALLET does,
in compiled code. What this module adds is what the sweep and the analysis ask of every engine:

* **determinism**: ``seed`` seeds tomotopy's generator and the sampler runs on one thread
  (``workers=1``), so the same bag of words, settings, K and seed give the same topics in any
  process. tomotopy's vectorised code path (``tomotopy.isa``: avx512, avx2, sse2, none) is part
  of :meth:`TomotopyLda.engine_version`, hence of every fit's cache key and the manifest;
* **topics** from the final Gibbs state: with ``n_kw`` the tokens of word ``w`` assigned to
  topic ``k`` and η the topic–word prior (K × V; seed words raise it, :mod:`.seed_words`),
  ``φ_kw = (n_kw + η_kw) / Σ_v (n_kv + η_kv)`` over the whole vocabulary;
* **θ of any unit** under the fitted topics (:meth:`TomotopyLda.unit_posterior`): the
  Dirichlet parameters ``γ_dk = α_k + n̂_dk``, where ``n̂_dk`` is the expected number of the
  unit's tokens in topic ``k`` with φ held fixed (the mean-field E-step of Blei, Ng & Jordan
  2003, iterated until the mean change of γ is below ``gamma_threshold``). θ is then
  ``(n̂_dk + α_k) / (N_d + Σα)``, the smoothing of Griffiths & Steyvers (2004). This fold-in
  is deterministic (no second sampler whose noise would need its own seed), takes a fraction
  of the training time, and gives training and held-out units the same treatment;
* the **held-out bound** of the same fold-in (per word, natural log), the formula of the
  gensim engine with ``log φ`` in place of ``E[log β]``, so the perplexity column means the
  same thing for both engines;
* **saving without pickle**: ``topic_word_counts.npy`` (n_kw), ``eta.npy``, ``alpha.npy`` and
  ``model.json``. tomotopy's own model file is not used: ``LDAModel.load`` (0.14) unpickles
  data stored inside the file, so opening one can run code. Everything inference needs is in
  the arrays, so a loaded model infers exactly as the fitted one did.

Settings read (``[model]``): ``iterations`` (Gibbs sweeps), ``alpha`` (``"auto"``: learned by
tomotopy's fixed-point update every ``optimize_interval`` sweeps after ``burn_in`` sweeps),
``eta`` (fixed: tomotopy does not learn η), ``gamma_threshold`` (inference), ``seed_words`` and
``seed_weight``.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import numpy as np
from scipy import sparse
from scipy.special import gammaln, psi

from .base import Bow, TopicModel
from .seed_words import resolved_eta, seed_prior

if TYPE_CHECKING:  # pragma: no cover
    from ..config import ModelConfig

__all__ = ["Sampler", "TomotopyLda", "fixed_alpha", "import_tomotopy"]


def import_tomotopy():
    """The ``tomotopy`` module, imported quietly: its compiled types make Python warn "builtin type
    _VocabDict has no __module__ attribute" on import — noise in a notebook, not ours to fix."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"builtin type \w+ has no __module__ attribute",
                                category=DeprecationWarning)
        import tomotopy
    return tomotopy

_ARRAYS = ("topic_word_counts.npy", "eta.npy", "alpha.npy")
#: inference stops earlier when γ has converged (``gamma_threshold``); this only bounds a pathological case
MAX_INFERENCE_ITERATIONS = 1000
#: nonzero (unit, word) cells per inference block: bounds the memory of the (cells × K) work array
_BLOCK_CELLS = 250_000
#: Gibbs sweeps between two log-likelihood records in ``model.json`` (shows whether the chain settled)
TRACE_INTERVAL = 50


def fixed_alpha(alpha: str | float, k: int) -> np.ndarray:
    """The document–topic prior a fit starts from: ``"symmetric"`` and ``"auto"`` 1/K, ``"asymmetric"``
    gensim's 1/(i + √K) normalised, a number that number.

    >>> fixed_alpha("asymmetric", 2).round(3).tolist()
    [0.586, 0.414]
    """
    if alpha in ("symmetric", "auto"):
        return np.full(k, 1.0 / k)
    if alpha == "asymmetric":
        prior = 1.0 / (np.arange(k) + np.sqrt(k))
        return prior / prior.sum()
    return np.full(k, float(alpha))


class TomotopyLda(TopicModel):
    """tomotopy's ``LDAModel`` (collapsed Gibbs sampling) behind the :class:`TopicModel` interface.

    Attributes
    ----------
    topic_word_counts_ : K × V tokens of each word assigned to each topic in the final Gibbs state.
    eta_ : K × V topic–word prior (the seed words' cells raised).
    alpha_ : document–topic prior (learned when ``alpha = "auto"``).
    info_ : settings and the training log-likelihood trace (``model.json``).
    """

    engine = "tomotopy"

    def __init__(self, topic_word_counts: np.ndarray, eta: np.ndarray, alpha: np.ndarray, info: dict):
        self.topic_word_counts_ = np.asarray(topic_word_counts, dtype=np.int64)
        self.eta_ = np.asarray(eta, dtype=np.float64)
        self.alpha_ = np.asarray(alpha, dtype=np.float64)
        self.info_ = dict(info)
        weights = self.topic_word_counts_ + self.eta_
        self._phi = weights / weights.sum(axis=1, keepdims=True)

    @classmethod
    def engine_version(cls) -> str:
        tomotopy = import_tomotopy()
        return f"tomotopy {tomotopy.__version__} ({tomotopy.isa})"

    @classmethod
    def fit(cls, bow: Bow, vocabulary: Sequence[str], k: int, seed: int, config: "ModelConfig") -> "TomotopyLda":
        """Sample ``config.engine_iterations("tomotopy")`` Gibbs sweeps over ``bow`` with ``k`` topics from ``seed``.

        Examples
        --------
        >>> from topics.config import ModelConfig
        >>> bow = [[(0, 5), (1, 5)], [(2, 5), (3, 5)]] * 10
        >>> config = ModelConfig(engine="tomotopy", iterations=50)
        >>> TomotopyLda.fit(bow, ["人口", "计划生育", "扶贫", "产业"], k=2, seed=1, config=config).k
        2
        """
        tp = import_tomotopy()

        sampler = Sampler(bow, vocabulary, k, seed, config)
        iterations = config.engine_iterations(cls.engine)
        trace: list[list[float]] = []

        def record(m, step: int, total: int) -> None:
            trace.append([int(step), float(m.ll_per_word)])

        sampler.model.train(iterations, workers=1, parallel=tp.ParallelScheme.NONE,
                            callback_interval=TRACE_INTERVAL, callback=record)
        info = {"iterations": iterations, "seed": seed, "alpha_setting": config.alpha,
                "learned_alpha": sampler.learn_alpha, "gamma_threshold": config.gamma_threshold,
                "seeded_topics": list(sampler.prior.names), "log_likelihood_per_word": trace}
        if sampler.learn_alpha:
            info.update(burn_in=config.burn_in, optimize_interval=config.optimize_interval)
        return sampler.state(info)

    @property
    def k(self) -> int:
        return int(self.topic_word_counts_.shape[0])

    def topic_word(self) -> np.ndarray:
        return self._phi

    def unit_posterior(self, bow: Bow, seed: int) -> np.ndarray:
        """Dirichlet parameters ``α + n̂`` (units × K): α plus each unit's expected topic counts.

        ``n̂_dk`` are the unit's tokens expected in topic ``k`` under the fitted φ (mean-field
        fold-in, see the module docstring); θ is the row normalised. Deterministic: ``seed`` is
        not needed, and each unit's result does not depend on the other units inferred with it.
        """
        if len(bow) == 0:
            return np.zeros((0, self.k))
        return _fold_in(_bow_matrix(bow, self._phi.shape[1]), self._phi, self.alpha_,
                        float(self.info_.get("gamma_threshold", 0.001)))

    def heldout_log_perplexity(self, bow: Bow, seed: int) -> float:
        """Per-word bound of held-out units (natural log); ``nan`` without held-out words.

        For each unit, with φ and α fixed and γ from :meth:`unit_posterior`:
        ``Σ_w n_w log Σ_k exp(E[log θ_k]) φ_kw + E[log p(θ | α)] − E[log q(θ | γ)]``, a lower
        bound of ``log p(w_d | α, φ)``; summed and divided by the number of held-out tokens.
        """
        matrix = _bow_matrix(bow, self._phi.shape[1])
        n_words = float(matrix.sum())
        if len(bow) == 0 or n_words == 0:
            return float("nan")
        gamma = _fold_in(matrix, self._phi, self.alpha_, float(self.info_.get("gamma_threshold", 0.001)))
        elog_theta = psi(gamma) - psi(gamma.sum(axis=1, keepdims=True))
        rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
        phinorm = (np.exp(elog_theta)[rows] * self._phi.T[matrix.indices]).sum(axis=1)
        score = float(matrix.data @ np.log(phinorm))
        alpha = self.alpha_
        score += float(np.sum((alpha - gamma) * elog_theta))
        score += float(np.sum(gammaln(gamma) - gammaln(alpha)))
        score += float(np.sum(gammaln(alpha.sum()) - gammaln(gamma.sum(axis=1))))
        return score / n_words

    def resolved_alpha(self) -> list[float]:
        return [float(a) for a in self.alpha_]

    # -- saving without pickle ---------------------------------------------------------------------
    def save(self, folder: Path) -> None:
        """``topic_word_counts.npy`` (K × V), ``eta.npy`` (K × V), ``alpha.npy`` and ``model.json``."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        for name, array in zip(_ARRAYS, (self.topic_word_counts_, self.eta_, self.alpha_)):
            np.save(folder / name, array, allow_pickle=False)
        settings = {"engine": self.engine, "engine_version": self.engine_version(), "k": self.k,
                    "n_words": int(self.topic_word_counts_.shape[1]), **self.info_}
        (folder / "model.json").write_text(json.dumps(settings, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
                                           encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> "TomotopyLda":
        folder = Path(folder)
        info = json.loads((folder / "model.json").read_text(encoding="utf-8"))
        counts, eta, alpha = (np.load(folder / name, allow_pickle=False) for name in _ARRAYS)
        k, n_words = int(info["k"]), int(info["n_words"])
        if counts.shape != (k, n_words) or eta.shape != (k, n_words) or alpha.shape != (k,):
            raise ValueError(f"{folder}: arrays do not match model.json (k = {k}, words = {n_words})")
        for key in ("engine", "engine_version", "k", "n_words"):
            info.pop(key, None)
        return cls(counts, eta, alpha, info)


class Sampler:
    """A tomotopy ``LDAModel`` loaded with the training units and the priors, ready to train.

    :meth:`TomotopyLda.fit` trains it; ``benchmarks/bench_engines.py`` observes the same chain
    sweep by sweep (:meth:`state` at any point gives the engine's model at that point).
    """

    def __init__(self, bow: Bow, vocabulary: Sequence[str], k: int, seed: int, config: "ModelConfig"):
        tp = import_tomotopy()

        self.vocabulary, self.k = list(vocabulary), k
        self.alpha = fixed_alpha(config.alpha, k)
        self.prior = seed_prior(config.seed_words, vocabulary, config.seed_weight)
        base_eta = resolved_eta(config.eta, k)
        self.eta = self.prior.eta(k, len(vocabulary), base_eta)
        self.learn_alpha = config.alpha == "auto"
        model = tp.LDAModel(k=k, alpha=self.alpha.tolist(), eta=base_eta, seed=seed, min_cf=0, min_df=0, rm_top=0)
        model.optim_interval = config.optimize_interval if self.learn_alpha else 0  # 0: α stays as given
        model.burn_in = config.burn_in if self.learn_alpha else 0
        for doc in bow:
            words = [vocabulary[word_id] for word_id, count in doc for _ in range(int(count))]
            if words:
                model.add_doc(words)
        known = set(model.vocabs)
        for ids in self.prior.word_ids:
            for word_id in ids:
                if vocabulary[word_id] in known:  # a seed word only in held-out units has no tokens to steer
                    model.set_word_prior(vocabulary[word_id], self.eta[:, word_id].tolist())
        self.model = model

    def state(self, info: dict) -> TomotopyLda:
        """The engine's model from the chain's current state (α as learned so far, when learned)."""
        alpha = np.asarray(self.model.alpha, dtype=np.float64) if self.learn_alpha else self.alpha
        return TomotopyLda(_topic_word_counts(self.model, self.vocabulary, self.k), self.eta, alpha, info)


def _topic_word_counts(model, vocabulary: Sequence[str], k: int) -> np.ndarray:
    """n_kw of the final Gibbs state, in our word ids (tomotopy numbers words its own way)."""
    index = {word: i for i, word in enumerate(vocabulary)}
    ours = np.array([index[word] for word in model.vocabs], dtype=np.int64)
    docs = list(model.docs)
    if not docs:
        return np.zeros((k, len(vocabulary)), dtype=np.int64)
    words = ours[np.concatenate([np.asarray(doc.words, dtype=np.int64) for doc in docs])]
    topics = np.concatenate([np.asarray(doc.topics, dtype=np.int64) for doc in docs])
    flat = topics * len(vocabulary) + words
    return np.bincount(flat, minlength=k * len(vocabulary)).reshape(k, len(vocabulary))


def _bow_matrix(bow: Bow, n_words: int) -> sparse.csr_matrix:
    """Units × words count matrix of a bag-of-words corpus."""
    lengths = [len(doc) for doc in bow]
    indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    ids = np.fromiter((word_id for doc in bow for word_id, _ in doc), dtype=np.int64, count=int(indptr[-1]))
    counts = np.fromiter((count for doc in bow for _, count in doc), dtype=np.float64, count=int(indptr[-1]))
    if ids.size and (ids.min() < 0 or ids.max() >= n_words):
        raise ValueError(f"word ids must lie in 0..{n_words - 1}")
    return sparse.csr_matrix((counts, ids, indptr), shape=(len(bow), n_words))


def _fold_in(matrix: sparse.csr_matrix, phi: np.ndarray, alpha: np.ndarray, threshold: float) -> np.ndarray:
    """γ (units × K) with φ fixed: iterate ``γ = α + exp(E[log θ]) ⊙ Σ_w n_w φ_·w / Σ_k exp(E[log θ_k]) φ_kw``.

    Each unit stops when the mean absolute change of its γ falls below ``threshold`` (gensim's
    rule), and units are processed in blocks whose rows never mix, so a unit's γ is the same
    whether it is inferred alone or with others.
    """
    n_units, k = matrix.shape[0], phi.shape[0]
    phi_t = np.ascontiguousarray(phi.T)
    lengths = np.asarray(matrix.sum(axis=1)).ravel()
    gamma = alpha[None, :] + lengths[:, None] / k  # start: the unit's tokens spread evenly
    start = 0
    while start < n_units:
        # the units from ``start`` whose cells fit in one block (at least one unit)
        stop = max(start + 1, int(np.searchsorted(matrix.indptr, matrix.indptr[start] + _BLOCK_CELLS, side="right")) - 1)
        block = np.arange(start, min(stop, n_units))
        gamma[block] = _fold_in_block(matrix[block], gamma[block], phi_t, alpha, threshold)
        start = int(block[-1]) + 1
    return gamma


def _fold_in_block(matrix: sparse.csr_matrix, gamma: np.ndarray, phi_t: np.ndarray, alpha: np.ndarray,
                   threshold: float) -> np.ndarray:
    gamma = gamma.copy()
    active = np.flatnonzero(np.diff(matrix.indptr) > 0)  # units without words keep γ = α
    for _ in range(MAX_INFERENCE_ITERATIONS):
        if active.size == 0:
            break
        sub, current = matrix[active], gamma[active]
        exp_elog = np.exp(psi(current) - psi(current.sum(axis=1, keepdims=True)))
        rows = np.repeat(np.arange(active.size), np.diff(sub.indptr))
        phinorm = (exp_elog[rows] * phi_t[sub.indices]).sum(axis=1) + 1e-100
        ratio = sparse.csr_matrix((sub.data / phinorm, sub.indices, sub.indptr), shape=sub.shape)
        updated = alpha[None, :] + exp_elog * (ratio @ phi_t)
        change = np.abs(updated - current).mean(axis=1)
        gamma[active] = updated
        active = active[change >= threshold]
    return gamma
