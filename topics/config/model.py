"""The ``[model]`` table: the engine, the K grid, the seeds, the fit settings and seed words."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Mapping

from ..errors import ConfigError
from .loading import check_choice, check_range

__all__ = ["ALPHAS", "ETAS", "ModelConfig"]

ALPHAS = ("symmetric", "asymmetric", "auto")

ETAS = ("symmetric", "auto")


@dataclass(frozen=True)
class ModelConfig:
    """The ``[model]`` table of an experiment: the engine, the K grid, the seeds and the fit settings.

    Both engines read ``engine, k, seeds, alpha, eta, gamma_threshold, seed_words, seed_weight``
    and ``iterations`` (with an engine's own meaning); only gensim reads ``passes, chunksize,
    update_every, decay, offset``; only tomotopy reads ``burn_in`` and ``optimize_interval``
    (and only with ``alpha = "auto"``). :meth:`fit_settings` lists the keys the chosen engine
    reads; they, and nothing else, enter the fit cache key.

    Parameters
    ----------
    engine : the topic-model engine (a name registered in :mod:`topics.models`): ``"tomotopy"``
        (collapsed Gibbs sampling, tomotopy's ``LDAModel``, one thread; the default) or
        ``"gensim"`` (online variational Bayes, gensim's ``LdaModel``). The default is measured
        (benchmarks/RESULTS.md, "Engines"): on the bench-corpus sample (K = 10, 20, 30 × 3 seeds)
        tomotopy had the higher c_npmi (0.084–0.096 vs −0.010–0.039), stability (0.50–0.57 vs
        0.25–0.31) and agreement with the 9 news categories (NMI 0.57–0.59 vs 0.47–0.53) at every
        K, in 0.6× the time per fit; on the embedded corpus (K = 3–10 × 3 seeds) its c_npmi was
        higher at every K too.
    k : numbers of topics to fit.
    seeds : random seeds; every K is fitted once per seed (stability needs at least two).
    passes : gensim: passes over the training units. Small corpora need many passes to converge.
    iterations : gensim: maximum E-step iterations per document and pass (default 200);
        tomotopy: Gibbs sweeps over the training units (default 500). Unset = the engine's
        default (:meth:`engine_iterations`). 500 is measured (benchmarks/RESULTS.md, "Gibbs sweeps
        and α"): on the bench-corpus sample (K = 20, 2 seeds) c_npmi and the NMI with the
        categories are level from 250 sweeps to 2000, and the log likelihood per word at 500 is
        within 0.003 of 1000; on the embedded corpus (K = 4, 6, 10 × 3 seeds) c_npmi is level from
        250 too. MALLET's and tomotopy's customary 1000 cost twice the time for no measured gain.
    alpha : document–topic prior: ``"symmetric"`` (1/K), ``"auto"`` (learned, asymmetric),
        ``"asymmetric"`` (gensim's fixed 1/(i + √K), normalised) or a number. Default
        ``"symmetric"``, measured on the embedded corpus (7 K × 3 seeds, paragraph units,
        gensim): ``"auto"`` gave the same mean c_npmi (within ±0.004, inside seed noise) and
        3–5 % *higher* held-out perplexity at every K. Wallach, Mimno & McCallum (2009) found
        asymmetric α helps on large corpora with corpus-wide topics; with a few hundred units
        that gain does not show, and a fixed prior keeps every fit free of gensim's per-chunk
        Newton updates of α.
    eta : topic–word prior: ``"symmetric"`` (1/K; Wallach et al. found a symmetric β best),
        ``"auto"`` (gensim only) or a number.
    chunksize : gensim: units per online update; larger than the corpus means one update per pass.
    update_every : gensim: chunks between M-steps.
    decay, offset : gensim: learning-rate schedule of online VB (κ and τ₀ of Hoffman et al. 2010).
    gamma_threshold : E-step convergence threshold on the mean change of γ (gensim's training and
        inference; tomotopy's inference of θ for any unit, see :mod:`topics.models.tomotopy_lda`).
    burn_in : tomotopy with ``alpha = "auto"``: Gibbs sweeps before α is first optimised
        (MALLET's ``--optimize-burn-in``, default 200).
    optimize_interval : tomotopy with ``alpha = "auto"``: sweeps between two updates of α
        (Minka's fixed point; MALLET's ``--optimize-interval``). Defaults 200 / 20: of the two
        pairs measured on the bench-corpus sample (100 / 10 and 200 / 20), the one with the higher
        c_npmi at 1000 and 2000 sweeps; neither beat a fixed symmetric α (same NMI, c_npmi within
        seed noise), so ``alpha`` stays ``"symmetric"`` for both engines.
    seed_words : the ``[model.seed_words]`` table: topic name → list of words, e.g.
        ``enforcement = ["社会抚养费", "违法生育", "征收"]``. Seeded topics are topics 0, 1, …
        in the order of their names (sorted, so the order in the file does not matter) and keep
        their names in ``topics.csv``, the labels and the figures. Both engines read them as a
        topic–word prior (:mod:`topics.models.seed_words`). Words not in the vocabulary are
        listed in the report, not fatal.
    seed_weight : the prior pseudo-count of a seed word in its own topic (its prior in other
        topics stays ``eta``). Default 2, measured: on a synthetic corpus of 4 planted topics
        (3 seed words from one of them, 6 seeds) the seeded topic became the planted one in 6/6
        fits from weight 0.5 with tomotopy and from weight 2 with gensim (3/6 at 0.5, 5/6 at 1);
        on the embedded corpus (two seeded topics of 3 words, K = 5 and 8 × 3 seeds) weight 2
        put all 6 seed words in their topics' top 20 in every fit of both engines (tomotopy:
        4.0 of 6 on average at 0.5, 5.2 at 1). A larger weight steers harder and leaves the data
        less room to pull a seed word elsewhere.
    """

    engine: str = "tomotopy"
    k: tuple[int, ...] = (4, 6, 8, 10, 12, 15)
    seeds: tuple[int, ...] = (1, 2, 3)
    passes: int = 30
    iterations: int | None = None
    alpha: str | float = "symmetric"
    eta: str | float = "symmetric"
    chunksize: int = 2000
    update_every: int = 1
    decay: float = 0.5
    offset: float = 1.0
    gamma_threshold: float = 0.001
    burn_in: int = 200
    optimize_interval: int = 20
    seed_words: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    seed_weight: float = 2.0

    #: ``iterations`` when unset, per engine (see the docstring)
    DEFAULT_ITERATIONS: ClassVar[Mapping[str, int]] = {"gensim": 200, "tomotopy": 500}

    def __post_init__(self) -> None:
        if not self.k:
            raise ConfigError("model.k is empty — list at least one number of topics, e.g. k = [5, 10]")
        for i, k in enumerate(self.k):
            check_range(f"model.k[{i}]", k, low=2)
        if len(set(self.k)) != len(self.k):
            raise ConfigError(f"model.k = {list(self.k)} repeats a value — list each K once")
        if not self.seeds:
            raise ConfigError("model.seeds is empty — list at least one seed, e.g. seeds = [1, 2, 3]")
        for i, seed in enumerate(self.seeds):
            check_range(f"model.seeds[{i}]", seed, low=0, high=2**32 - 1)
        if len(set(self.seeds)) != len(self.seeds):
            raise ConfigError(f"model.seeds = {list(self.seeds)} repeats a value — list each seed once")
        for key in ("passes", "chunksize", "update_every", "optimize_interval"):
            check_range(f"model.{key}", getattr(self, key), low=1)
        if self.iterations is not None:
            check_range("model.iterations", self.iterations, low=1)
        check_range("model.burn_in", self.burn_in, low=0)
        check_range("model.decay", self.decay, low=0.5, high=1.0)
        check_range("model.offset", self.offset, low=1.0)
        check_range("model.gamma_threshold", self.gamma_threshold, low=0.0)
        check_range("model.seed_weight", self.seed_weight, low=1e-12)
        _check_prior("model.alpha", self.alpha, ALPHAS)
        _check_prior("model.eta", self.eta, ETAS)
        object.__setattr__(self, "seed_words", _checked_seed_words(self.seed_words, min(self.k)))

    def engine_iterations(self, engine: str | None = None) -> int:
        """``iterations`` as ``engine`` (default: the chosen one) reads it: the value set, else its default."""
        engine = engine or self.engine
        return self.iterations if self.iterations is not None else self.DEFAULT_ITERATIONS.get(engine, 200)

    def fit_settings(self, engine: str | None = None) -> dict:
        """The settings ``engine`` (default: the chosen one) reads, shared by every fit of the sweep
        (everything but K, seed and seed words; part of the fit cache key). For gensim, exactly
        ``LdaModel``'s keywords."""
        engine = engine or self.engine
        if engine == "tomotopy":
            settings = {"iterations": self.engine_iterations(engine), "alpha": self.alpha, "eta": self.eta,
                        "gamma_threshold": self.gamma_threshold}
            if self.alpha == "auto":
                settings.update(burn_in=self.burn_in, optimize_interval=self.optimize_interval)
            return settings
        return {
            "passes": self.passes, "iterations": self.engine_iterations(engine), "alpha": self.alpha,
            "eta": self.eta, "chunksize": self.chunksize, "update_every": self.update_every,
            "decay": self.decay, "offset": self.offset, "gamma_threshold": self.gamma_threshold,
        }

    def seed_settings(self) -> dict:
        """Seed words and their weight, in a canonical order (empty without seed words; part of the fit cache key)."""
        if not self.seed_words:
            return {}
        return {"seed_words": {name: sorted(words) for name, words in sorted(self.seed_words.items())},
                "seed_weight": self.seed_weight}

def _checked_seed_words(table: Any, max_topics: int) -> dict[str, tuple[str, ...]]:
    """``[model.seed_words]`` as ``{name: (word, ...)}``, or a ConfigError naming the entry."""
    example = 'e.g. enforcement = ["社会抚养费", "违法生育"]'
    if not isinstance(table, Mapping):
        raise ConfigError(f"model.seed_words = {table!r} must be a table of topic name = [words] — {example}")
    checked = {}
    for name, words in table.items():
        key = f"model.seed_words.{name}"
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(f"model.seed_words has an empty topic name — name every seeded topic, {example}")
        if isinstance(words, str):
            words = [words]
        if (not isinstance(words, (list, tuple)) or not words
                or not all(isinstance(word, str) and word.strip() for word in words)):
            raise ConfigError(f"{key} = {words!r} must be a non-empty list of words — {example}")
        if len(set(words)) != len(words):
            raise ConfigError(f"{key} = {list(words)} repeats a word — list each word once")
        checked[name] = tuple(words)
    if len(checked) > max_topics:
        raise ConfigError(f"model.seed_words names {len(checked)} topics but the smallest K is {max_topics} — "
                          "seed at most as many topics as the smallest K, or drop that K")
    return checked

def _check_prior(key: str, value: str | float, names: tuple[str, ...]) -> None:
    if isinstance(value, str):
        check_choice(key, value, names)
    else:
        check_range(key, value, low=1e-12)
