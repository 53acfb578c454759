"""Every setting of the toolkit: one frozen dataclass per TOML table, loaded with strict checking.

An experiment TOML has the tables ``[corpus]`` (:class:`BuildConfig`), ``[model]``
(:class:`ModelConfig`), ``[evaluate]`` (:class:`EvaluateConfig`), ``[select]``
(:class:`SelectConfig`), ``[effects]`` (:class:`EffectsConfig`), ``[dynamic]``
(:class:`DynamicConfig`) and ``[run]`` (:class:`RunConfig`), gathered in
:class:`ExperimentConfig`. An unknown key fails naming the key and the allowed ones; a value of the
wrong type or outside its allowed set fails naming key, value and what is allowed.

Values that name an entry of a registry (a coherence measure, a model engine) are checked against
that registry by :func:`topics.experiment.settings.load_experiment_config`, so that adding a
measure or an engine is a change in one module; this module stays at the bottom of the package
and imports nothing of it but :mod:`topics.errors`.

Paths in a TOML file are relative to that file's folder (:func:`anchor_paths`); paths on the command
line are relative to the current folder. ``topics:NAME`` names a resource file shipped in the
package (:mod:`topics.resources`).
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Mapping

from .errors import ConfigError
from .resources import PACKAGED

SPLIT_MODES = ("auto", "none")
UNIT_MODES = ("speech", "paragraph")
ALPHAS = ("symmetric", "asymmetric", "auto")
ETAS = ("symmetric", "auto")
SELECT_RULES = ("max_npmi_stable", "max_npmi_relative_stable", "pareto", "max_npmi", "fixed")
SEED_BY = ("stability", "c_npmi")
DEFAULT_MEASURES = ("u_mass", "c_v", "c_uci", "c_npmi")
SLICE_MODES = ("none", "year", "width", "periods")
DYNAMIC_ENGINES = ("tomotopy", "gensim")


@dataclass(frozen=True)
class BuildConfig:
    """Settings of the corpus build (``topics build`` and the ``[corpus]`` table of an experiment).

    Parameters
    ----------
    raw : input files or folders, searched recursively (default: ``raw``, the folder ``topics init`` makes).
    out : output folder of the built corpus.
    split : ``auto`` finds speeches inside files; ``none`` keeps each file as one document
        (for corpora that are already clean, such as the government work reports).
    unit : modelling unit: whole ``speech`` or ``paragraph`` chunks (each mapped back to its speech).
    chunk_min_tokens : with ``unit = "paragraph"``, consecutive paragraphs are merged until a chunk
        has at least this many tokens (short paragraphs are headings, not evidence).
    drop_single_chars : drop one-character tokens (most are function words in Chinese).
    exclude_duplicates : leave near-duplicate speeches and previews out of the model (still listed).
    duplicate_threshold : character 5-gram containment above which a speech counts as a copy.
    no_below, no_above, keep_n : gensim ``Dictionary.filter_extremes`` settings (``no_below`` counts
        modelling units; ``keep_n = 0`` keeps every word).
    userdict, stopwords, boilerplate, repairs, dated_events : language resources, each a list of
        files read in order and combined; ``topics:NAME`` names a file shipped in the package
        (:mod:`topics.resources`), and the defaults are the packaged files. List a packaged file
        and your own to extend it, or only your own to replace it.
    metadata : CSV of human metadata overrides ("" = none).
    strict : unreadable input files are errors instead of warnings.
    cache_dir : where per-file results, segmentations and token stores are cached by content hash.

    Where the build runs (how many processes, a Dask cluster) is not a corpus setting: it comes
    from ``topics build --workers/--scheduler`` or an experiment's ``[run]`` table, and never
    changes the corpus.
    """

    raw: tuple[str, ...] = ("raw",)
    out: str = "build/corpus"
    split: str = "auto"
    unit: str = "speech"
    chunk_min_tokens: int = 50
    drop_single_chars: bool = True
    exclude_duplicates: bool = True
    duplicate_threshold: float = 0.8
    no_below: int = 1
    no_above: float = 1.0
    keep_n: int = 0
    userdict: tuple[str, ...] = ("topics:userdict.txt",)
    stopwords: tuple[str, ...] = ("topics:stopwords/general.txt", "topics:stopwords/speech.txt")
    boilerplate: tuple[str, ...] = ("topics:boilerplate.tsv",)
    repairs: tuple[str, ...] = ("topics:repairs.tsv",)
    dated_events: tuple[str, ...] = ("topics:dated_events.tsv",)
    metadata: str = ""
    strict: bool = False
    cache_dir: str = "build/cache"

    def __post_init__(self) -> None:
        check_choice("corpus.split", self.split, SPLIT_MODES)
        check_choice("corpus.unit", self.unit, UNIT_MODES)
        check_range("corpus.chunk_min_tokens", self.chunk_min_tokens, low=1)
        check_range("corpus.duplicate_threshold", self.duplicate_threshold, low=0.0, high=1.0)
        check_range("corpus.no_below", self.no_below, low=1)
        check_range("corpus.no_above", self.no_above, low=0.0, high=1.0)
        check_range("corpus.keep_n", self.keep_n, low=0)

    def settings_for_hash(self) -> dict[str, Any]:
        """Settings that change the built corpus, without paths: the inputs and resources enter the
        content hash by their content, so a project folder can move without a rebuild."""
        data = to_dict(self)
        for key in ("out", "cache_dir", "strict", "raw", "metadata", *RESOURCE_KEYS):
            data.pop(key)
        return data


#: the BuildConfig settings that name language-resource files (see topics.resources)
RESOURCE_KEYS = ("userdict", "stopwords", "boilerplate", "repairs", "dated_events")
#: the BuildConfig settings that are paths (taken relative to the TOML file that sets them)
_BUILD_PATHS = ("raw", "out", "cache_dir", "metadata", *RESOURCE_KEYS)


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
    engine : the topic-model engine (a name registered in :mod:`topics.models`): ``"gensim"``
        (online variational Bayes, gensim's ``LdaModel``) or ``"tomotopy"`` (collapsed Gibbs
        sampling, tomotopy's ``LDAModel``, one thread).
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

    engine: str = "gensim"
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


@dataclass(frozen=True)
class EvaluateConfig:
    """The ``[evaluate]`` table of an experiment.

    Parameters
    ----------
    measures : coherence measures to compute (names registered in :mod:`topics.evaluate.coherence`:
        ``c_npmi, c_v, u_mass, c_uci``).
    topn : numbers of top words each coherence is averaged over.
    diversity_topn : top words per topic for topic diversity (OCTIS uses 25).
    exclusivity_topn, exclusivity_weight : top words summed and FREX weight of stm's exclusivity.
    stability_topn : top words per topic compared across seeds (Jaccard).
    heldout_fraction : share of units (whole speeches) held out of training for perplexity;
        0 trains on everything and reports no perplexity.
    heldout_seed : seed of the held-out draw (kept apart from the model seeds, so every fit of
        the sweep sees the same split).
    relevance_lambda, frex_weight : labelling settings of ``topics.csv`` (see
        :mod:`topics.evaluate.word_scores`).
    label_topn : words per topic in ``topics.csv``.
    """

    measures: tuple[str, ...] = DEFAULT_MEASURES
    topn: tuple[int, ...] = (5, 10, 15, 20)
    diversity_topn: int = 25
    exclusivity_topn: int = 10
    exclusivity_weight: float = 0.7
    stability_topn: int = 10
    heldout_fraction: float = 0.1
    heldout_seed: int = 0
    relevance_lambda: float = 0.6
    frex_weight: float = 0.5
    label_topn: int = 30

    def __post_init__(self) -> None:
        if not self.measures:
            raise ConfigError("evaluate.measures is empty — list at least 'c_npmi'")
        if len(set(self.measures)) != len(self.measures):
            raise ConfigError(f"evaluate.measures = {list(self.measures)} repeats a value — list each measure once")
        if not self.topn:
            raise ConfigError("evaluate.topn is empty — list the top-word counts, e.g. topn = [5, 10, 15, 20]")
        for i, n in enumerate(self.topn):
            check_range(f"evaluate.topn[{i}]", n, low=2)
        for key in ("diversity_topn", "exclusivity_topn", "stability_topn", "label_topn"):
            check_range(f"evaluate.{key}", getattr(self, key), low=1)
        check_range("evaluate.heldout_fraction", self.heldout_fraction, low=0.0, high=0.5)
        check_range("evaluate.heldout_seed", self.heldout_seed, low=0, high=2**32 - 1)
        for key in ("exclusivity_weight", "relevance_lambda", "frex_weight"):
            check_range(f"evaluate.{key}", getattr(self, key), low=0.0, high=1.0)


@dataclass(frozen=True)
class SelectConfig:
    """The ``[select]`` table: the rule that picks K and a seed (see :mod:`topics.evaluate.select`).

    The default rule, ``pareto``, applies whenever stability is known (two seeds or more): an
    absolute stability floor (``max_npmi_stable``) is rarely reached on real corpora and then
    falls back to coherence alone (measured in the README, "Choosing K").
    """

    rule: str = "pareto"
    min_stability: float = 0.5
    relative_stability: float = 0.9
    k: int = 0
    seed_by: str = "stability"

    def __post_init__(self) -> None:
        check_choice("select.rule", self.rule, SELECT_RULES)
        check_choice("select.seed_by", self.seed_by, SEED_BY)
        check_range("select.min_stability", self.min_stability, low=0.0, high=1.0)
        check_range("select.relative_stability", self.relative_stability, low=0.0, high=1.0)
        if self.rule == "fixed" and self.k < 2:
            raise ConfigError("select.k must be set (>= 2) when select.rule = 'fixed' — e.g. k = 8")


@dataclass(frozen=True)
class EffectsConfig:
    """The ``[effects]`` table: how topic prevalence is regressed on the speeches' metadata
    (stm's ``estimateEffect``, :mod:`topics.analysis.effects`).

    Parameters
    ----------
    prevalence : the right-hand side of the regression, a Wilkinson formula over columns of
        ``speeches.csv`` read by formulaic, e.g. ``"s(year) + genre"``. ``s(year)`` is stm's
        spline: a cubic B-spline basis (formulaic's ``bs``, R's ``splines::bs``) with ``df``
        degrees of freedom, by default ``min(10, distinct years − 1)`` as in stm; ``s(year, 5)``
        sets df. ``year`` alone is a straight line. Text columns are categorical, coded against
        their most frequent value. A covariate that is constant, collinear with an earlier one, or
        mostly unknown is dropped and the report says why.
    contrasts : differences in fitted prevalence to report (``effects.csv``, the difference plot),
        each ``[from, to]`` with a year (``1980``) or a period (``"1978-1992"``: the mean over its
        years) at each end. Empty: the first half of the dated years against the second.
    n_sims : simulations of the method of composition (θ drawn from its posterior each time).
    level : coverage of the intervals.
    seed : seed of the simulations.
    year_sources : the ``year_source`` values whose year is used; speeches with another source
        (or no year) stay in the regression with an indicator of their own, outside the curve.
    max_unknown : a categorical covariate whose value is missing or ``unknown`` for more than this
        share of the speeches is dropped (inferred with too little evidence to adjust for).
    max_vif : a covariate whose columns are predicted by the covariates before it with a variance
        inflation factor of this or more (R² ≥ 1 − 1/max_vif) is dropped as collinear.
    """

    prevalence: str = "s(year)"
    contrasts: tuple[tuple[int | str, ...], ...] = ()
    n_sims: int = 200
    level: float = 0.95
    seed: int = 0
    year_sources: tuple[str, ...] = ("explicit", "implied", "filename", "metadata")
    max_unknown: float = 0.5
    max_vif: float = 10.0

    def __post_init__(self) -> None:
        if not self.prevalence.strip():
            raise ConfigError('effects.prevalence is empty — give a formula, e.g. prevalence = "s(year)"')
        for i, pair in enumerate(self.contrasts):
            if len(pair) != 2:
                raise ConfigError(f"effects.contrasts[{i}] = {list(pair)!r} must name two ends — e.g. [1980, 1995] "
                                  'or ["1954-1977", "1978-1992"]')
            for end in pair:
                year_span(f"effects.contrasts[{i}]", end)
        check_range("effects.n_sims", self.n_sims, low=2)
        check_range("effects.level", self.level, low=0.5, high=0.999)
        check_range("effects.seed", self.seed, low=0, high=2**32 - 1)
        if not self.year_sources:
            raise ConfigError('effects.year_sources is empty — list the year sources to trust, e.g. ["explicit", "metadata"]')
        check_range("effects.max_unknown", self.max_unknown, low=0.0, high=1.0)
        check_range("effects.max_vif", self.max_vif, low=1.0)


def year_span(key: str, value: int | str) -> tuple[int, int]:
    """A contrast end or a period as ``(first, last)`` year: ``1980`` → (1980, 1980); ``"1978-1992"`` → (1978, 1992).

    >>> year_span("x", "1978-1992")
    (1978, 1992)
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return value, value
    text = str(value).strip().replace("–", "-")
    parts = text.split("-")
    if 1 <= len(parts) <= 2 and all(p.strip().isdigit() for p in parts):
        first, last = int(parts[0]), int(parts[-1])
        if first <= last:
            return first, last
    raise ConfigError(f'{key}: {value!r} is not a year or a period — write 1980 or "1978-1992" (first year ≤ last)')


@dataclass(frozen=True)
class DynamicConfig:
    """The ``[dynamic]`` table: a dynamic topic model of how each topic's words change over time
    (:mod:`topics.analysis.dynamic`). Off unless ``slices`` is set.

    Parameters
    ----------
    slices : how dated documents are grouped into time slices: ``"none"`` (no dynamic model),
        ``"year"`` (one slice per calendar year with documents), ``"width"`` (bins of ``width``
        years from the first dated year) or ``"periods"`` (the named periods of ``periods``).
        Slices without documents are left out; so are undated documents (they have no slice).
    width : years per slice with ``slices = "width"``.
    periods : with ``slices = "periods"``, the ``[dynamic.periods]`` table: name = [first year,
        last year], e.g. ``"六五" = [1981, 1985]``; periods must not overlap.
    engine : ``"tomotopy"`` (``DTModel``, Gibbs sampling with stochastic-gradient Langevin
        dynamics) or ``"gensim"`` (``LdaSeqModel``, variational Kalman filtering, Blei &
        Lafferty 2006); measured in benchmarks/RESULTS.md ("Dynamic topic model").
    iterations : tomotopy: Gibbs sweeps (default 200); gensim: the maximum number of EM iterations
        (default 10). Unset = the engine's default (:meth:`engine_iterations`). Measured on the work
        reports (benchmarks/RESULTS.md): 200 tomotopy sweeps gave more coherent slices than 1000
        (mean NPMI −0.008 against −0.024) in a quarter of the time.
    seed : the model's random seed.
    top_n : words per topic and slice in ``dynamic_topics.csv``.
    words : words whose probability in their topic is followed over the slices (the trajectory
        figure); empty: for each topic, the words whose probability moves the most.
    """

    slices: str = "none"
    width: int = 10
    periods: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    engine: str = "tomotopy"
    iterations: int | None = None
    seed: int = 1
    top_n: int = 15
    words: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        check_choice("dynamic.slices", self.slices, SLICE_MODES)
        check_choice("dynamic.engine", self.engine, DYNAMIC_ENGINES)
        check_range("dynamic.width", self.width, low=1)
        if self.iterations is not None:
            check_range("dynamic.iterations", self.iterations, low=1)
        check_range("dynamic.seed", self.seed, low=0, high=2**31 - 1)
        check_range("dynamic.top_n", self.top_n, low=1)
        object.__setattr__(self, "periods", _checked_periods(self.periods))
        if self.slices == "periods" and not self.periods:
            raise ConfigError('dynamic.slices = "periods" needs a [dynamic.periods] table — e.g. "六五" = [1981, 1985]')

    #: ``iterations`` when unset, per engine (see the docstring)
    DEFAULT_ITERATIONS: ClassVar[Mapping[str, int]] = {"tomotopy": 200, "gensim": 10}

    @property
    def enabled(self) -> bool:
        return self.slices != "none"

    @property
    def engine_iterations(self) -> int:
        """``iterations`` as the chosen engine reads it: the value set, else its default."""
        return self.iterations if self.iterations is not None else self.DEFAULT_ITERATIONS[self.engine]


def _checked_periods(table: Any) -> dict[str, tuple[int, int]]:
    """``[dynamic.periods]`` as ``{name: (first, last)}`` in time order, or a ConfigError naming the entry."""
    if not isinstance(table, Mapping):
        raise ConfigError(f'dynamic.periods = {table!r} must be a table of name = [first year, last year]')
    spans = {}
    for name, span in table.items():
        key = f"dynamic.periods.{name}"
        if (not isinstance(span, (list, tuple)) or len(span) != 2
                or not all(isinstance(y, int) and not isinstance(y, bool) for y in span) or span[0] > span[1]):
            raise ConfigError(f"{key} = {span!r} must be [first year, last year] — e.g. [1981, 1985]")
        spans[str(name)] = (int(span[0]), int(span[1]))
    ordered = sorted(spans.items(), key=lambda item: item[1])
    for (name_a, (_, last_a)), (name_b, (first_b, _)) in zip(ordered, ordered[1:]):
        if first_b <= last_a:
            raise ConfigError(f"dynamic.periods: {name_a!r} and {name_b!r} overlap — each year belongs to one period")
    return dict(ordered)


@dataclass(frozen=True)
class RunConfig:
    """The ``[run]`` table: where the build and the fits run. Changing it never changes a number.

    Parameters
    ----------
    workers : local worker processes (0 = one per CPU core; 1 = everything in the main process).
    scheduler : address of a Dask scheduler (``tcp://host:8786``); empty = local processes.
    """

    workers: int = 0
    scheduler: str = ""

    def __post_init__(self) -> None:
        check_range("run.workers", self.workers, low=0)


@dataclass(frozen=True)
class ExperimentConfig:
    """A whole experiment: ``name``, ``out`` and the ``[corpus]``, ``[model]``, ``[evaluate]``,
    ``[select]``, ``[effects]``, ``[dynamic]`` and ``[run]`` tables (each a frozen dataclass;
    unknown keys are errors)."""

    name: str = "experiment"
    out: str = ""
    corpus: BuildConfig = field(default_factory=BuildConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    evaluate: EvaluateConfig = field(default_factory=EvaluateConfig)
    select: SelectConfig = field(default_factory=SelectConfig)
    effects: EffectsConfig = field(default_factory=EffectsConfig)
    dynamic: DynamicConfig = field(default_factory=DynamicConfig)
    run: RunConfig = field(default_factory=RunConfig)

    def __post_init__(self) -> None:
        if self.select.rule == "fixed" and self.select.k not in self.model.k:
            raise ConfigError(f"select.k = {self.select.k} is not in model.k = {list(self.model.k)} — add it to the grid")

    @property
    def run_dir(self) -> Path:
        return Path(self.out or f"runs/{self.name}")


# --------------------------------------------------------------------------------------------
# Generic checking and loading
# --------------------------------------------------------------------------------------------


def check_choice(key: str, value: Any, allowed: tuple[Any, ...]) -> None:
    if value not in allowed:
        raise ConfigError(f"{key} = {value!r} is not allowed — use one of: {', '.join(map(repr, allowed))}")


def check_range(key: str, value: float, low: float | None = None, high: float | None = None) -> None:
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = f"{'' if low is None else f'>= {low}'}{' and ' if low is not None and high is not None else ''}{'' if high is None else f'<= {high}'}"
        raise ConfigError(f"{key} = {value!r} is out of range — it must be {bounds}")


def _coerce(key: str, value: Any, annotation: Any) -> Any:
    """Check ``value`` against a dataclass field annotation; lists become tuples."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(annotation)
        if value is None and type(None) in options:
            return None
        errors = []
        for option in options:
            if option is type(None):
                continue
            try:
                return _coerce(key, value, option)
            except ConfigError as exc:
                errors.append(str(exc))
        raise ConfigError(errors[0] if errors else f"{key}: invalid value {value!r}")
    if origin is tuple:
        item_type = typing.get_args(annotation)[0]
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            value = [value]  # a single value where a list is expected
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"{key} = {value!r} must be a list")
        return tuple(_coerce(f"{key}[{i}]", item, item_type) for i, item in enumerate(value))
    if annotation is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{key} = {value!r} must be true or false")
        return value
    if annotation is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{key} = {value!r} must be a whole number")
        return value
    if annotation is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{key} = {value!r} must be a number")
        return float(value)
    if annotation is str:
        if not isinstance(value, str):
            raise ConfigError(f"{key} = {value!r} must be a string")
        return value
    if dataclasses.is_dataclass(annotation):
        if not isinstance(value, Mapping):
            raise ConfigError(f"[{key}] must be a table")
        return from_mapping(annotation, value, prefix=key)
    return value


def from_mapping(cls: type, mapping: Mapping[str, Any], prefix: str = "") -> Any:
    """Build the frozen dataclass ``cls`` from a mapping, rejecting unknown keys.

    >>> from_mapping(BuildConfig, {"split": "none"}).split
    'none'
    """
    hints = typing.get_type_hints(cls)
    allowed = [f.name for f in dataclasses.fields(cls)]
    kwargs = {}
    for key, value in mapping.items():
        full = f"{prefix}.{key}" if prefix else key
        if key not in allowed:
            raise ConfigError(f"unknown setting {full!r} — allowed {('in [' + prefix + '] ') if prefix else ''}are: {', '.join(allowed)}")
        kwargs[key] = _coerce(full, value, hints[key])
    try:
        return cls(**kwargs)
    except TypeError as exc:  # a required field is missing
        raise ConfigError(f"[{prefix or cls.__name__}]: {exc}") from None


def to_dict(obj: Any) -> Any:
    """Plain (JSON/TOML-friendly) representation of a config dataclass; tuples become lists."""
    if dataclasses.is_dataclass(obj):
        return {f.name: to_dict(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, (list, tuple)):
        return [to_dict(item) for item in obj]
    return obj


def read_toml(path: str | Path) -> dict[str, Any]:
    """Read a TOML file, turning syntax errors into a message that names the file."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: config file not found — check the path")
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML ({exc}) — fix the syntax") from None


def anchor_paths(config: BuildConfig, base: str | Path) -> BuildConfig:
    """``config`` with every relative path made absolute against the folder ``base``.

    Paths in a TOML file are relative to the file's folder; ``topics:NAME`` (a packaged resource)
    and empty values are left alone.
    """
    base = Path(base)

    def anchored(value: str) -> str:
        if not value or value.startswith(PACKAGED):
            return value
        path = Path(value).expanduser()
        return os.path.abspath(path if path.is_absolute() else base / path)

    changes = {}
    for key in _BUILD_PATHS:
        value = getattr(config, key)
        changes[key] = tuple(anchored(v) for v in value) if isinstance(value, tuple) else anchored(value)
    return dataclasses.replace(config, **changes)


def load_build_config(path: str | Path | None = None, **overrides: Any) -> BuildConfig:
    """Build settings from an optional TOML file (top level or its ``[corpus]`` table) plus overrides.

    Paths in the file (and the defaults) are relative to the file's folder; paths given as
    ``overrides`` (the command line) to the current folder. ``None`` overrides are ignored, so
    CLI options that were not given keep the file's value.
    """
    data: dict[str, Any] = {}
    base = Path.cwd()
    if path is not None:
        raw = read_toml(path)
        data = dict(raw.get("corpus", raw))
        base = Path(path).resolve().parent
    try:
        config = anchor_paths(from_mapping(BuildConfig, data, prefix="corpus"), base)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}" if path is not None else str(exc)) from None
    given = {key: value for key, value in overrides.items() if value is not None}
    if not given:
        return config
    merged = from_mapping(BuildConfig, {**to_dict(config), **given}, prefix="corpus")
    return anchor_paths(merged, Path.cwd())


def anchor_experiment(config: ExperimentConfig, base: str | Path) -> ExperimentConfig:
    """An experiment's paths made absolute against ``base`` (its TOML file's folder); an empty
    ``out`` becomes ``runs/NAME`` there."""
    base = Path(base)
    out = config.out or f"runs/{config.name}"
    out = os.path.abspath(Path(out).expanduser() if Path(out).expanduser().is_absolute() else base / out)
    return dataclasses.replace(config, out=out, corpus=anchor_paths(config.corpus, base))


__all__ = [
    "BuildConfig", "ConfigError", "DynamicConfig", "EffectsConfig", "EvaluateConfig", "ExperimentConfig",
    "ModelConfig", "RunConfig", "SelectConfig", "anchor_experiment", "anchor_paths", "check_choice", "check_range", "from_mapping",
    "load_build_config", "read_toml", "to_dict", "year_span",
]
