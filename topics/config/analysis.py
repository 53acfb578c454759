"""The ``[effects]`` and ``[dynamic]`` tables: covariates of topic prevalence, and topics over time."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Mapping

from ..errors import ConfigError
from .loading import check_choice, check_range

__all__ = ["DYNAMIC_ENGINES", "SLICE_MODES", "DynamicConfig", "EffectsConfig", "year_span"]

SLICE_MODES = ("none", "year", "width", "periods")

DYNAMIC_ENGINES = ("tomotopy", "gensim")


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
