"""The effect tables of a run, as its ``[effects]`` table asks: ``year_effects.csv`` and ``effects.csv``.

One call, :func:`effects_run` (or :func:`effects_from` with plain arrays), fits the formula of
``[effects] prevalence`` by the method of composition (:func:`topics.analysis.effects.estimate_effect`)
and reads off:

* ``year_effects`` — the fitted prevalence per year with its interval (the curves);
* ``table`` — ``effects.csv``: the year contrasts of ``[effects] contrasts`` (default: the first
  half of the usable years against the second), the fitted prevalence at each level of every
  categorical covariate and its difference from the reference, and the linear slope of year.

The slope is kept for comparison, not as the headline: when the formula bends year (``s(year)``)
it comes from a companion fit of the same formula with year entered as a straight line (same
θ draws, same seed), and reads "change per year if the trend were a line" — which a rise and fall
averages away. Speeches without a usable year are counted in :attr:`EffectsResult.notes`; when
they are the majority, :attr:`EffectsResult.warning` says so, and the report and the figures show it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..config import EffectsConfig
from ..errors import TopicsError
from .design import formula_variables, linear_in_year, parse_formula
from .effects import (EffectEstimate, contrasts, dated_share, default_contrast, estimate_effect, level_effects, slope,
                      year_effects)

__all__ = ["EFFECTS_COLUMNS", "YEAR_EFFECTS_COLUMNS", "EffectsResult", "effects_from", "effects_run"]

YEAR_EFFECTS_COLUMNS = ["topic", "year", "estimate", "lower", "upper", "n_speeches"]
EFFECTS_COLUMNS = ["topic", "term", "estimate", "lower", "upper", "kind"]


@dataclass
class EffectsResult:
    """What :func:`effects_run` found.

    Attributes
    ----------
    effect : the fit of the formula (None when no regression could be made: see ``error``).
    linear : the companion fit with year as a straight line (None when the formula is linear in
        year already, or has no year).
    year_effects : ``year_effects.csv`` (empty without a usable year).
    table : ``effects.csv``.
    contrasts : the year contrasts asked for, as ``(from, to)`` (the default when none was set).
    skipped : contrasts left out, with the reason.
    warning : set when most speeches have no usable year (it concerns every year table and figure).
    spline_warning : set when the year spline has nearly a coefficient per dated speech (it concerns
        the fitted curves only).
    error : why no regression was made, or None.
    """

    effect: EffectEstimate | None
    linear: EffectEstimate | None
    year_effects: pd.DataFrame
    table: pd.DataFrame
    contrasts: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    warning: str | None = None
    spline_warning: str | None = None
    error: str | None = None

    @property
    def curve_warning(self) -> str | None:
        """What the fitted curves' figure and table must say: both warnings, in one line."""
        return "; ".join(w for w in (self.warning, self.spline_warning) if w) or None

    @property
    def notes(self) -> dict:
        return {} if self.effect is None else self.effect.notes


def effects_from(gamma, units: pd.DataFrame, speeches: pd.DataFrame, config: EffectsConfig = EffectsConfig(),
                 n_sims: int | None = None, random_state: int | None = None) -> EffectsResult:
    """The effect tables for unit posteriors ``gamma`` (rows in ``units`` order) under ``config``.

    ``n_sims`` and ``random_state`` override ``config.n_sims`` and ``config.seed`` (tests, quick looks).
    """
    n_sims = config.n_sims if n_sims is None else n_sims
    seed = config.seed if random_state is None else random_state
    settings = dict(n_sims=n_sims, level=config.level, random_state=seed, year_sources=config.year_sources,
                    max_unknown=config.max_unknown, max_vif=config.max_vif)
    try:
        effect = estimate_effect(gamma, units, speeches, formula=config.prevalence, **settings)
    except TopicsError as exc:
        if "cannot support" not in str(exc):
            raise
        return EffectsResult(None, None, pd.DataFrame(columns=YEAR_EFFECTS_COLUMNS),
                             pd.DataFrame(columns=EFFECTS_COLUMNS), error=str(exc))
    linear = None
    companion = linear_in_year(parse_formula(effect.design.formula))
    if companion is not None:
        linear = estimate_effect(gamma, units, speeches, formula=companion, **{**settings, "max_vif": float("inf")})
    pairs = list(config.contrasts) or [pair for pair in [default_contrast(effect)] if pair is not None]
    year_table, (contrast_table, skipped) = year_effects(effect), contrasts(effect, pairs)
    blocks = [contrast_table, level_effects(effect), slope(linear if linear is not None else effect)]
    table = pd.concat([b for b in blocks if len(b)], ignore_index=True) if any(len(b) for b in blocks) \
        else pd.DataFrame(columns=EFFECTS_COLUMNS)
    order = {term: i for i, term in enumerate(dict.fromkeys(table["term"]))}
    table = (table.assign(_order=table["term"].map(order)).sort_values(["topic", "_order"], kind="stable")
             .drop(columns="_order").reset_index(drop=True))[EFFECTS_COLUMNS]
    dated, total = dated_share(effect)
    warning = None
    if effect.design.has_year and dated < total / 2:
        warning = (f"only {dated} of {total} speeches ({dated / total:.0%}) have a usable year: the curves describe "
                   f"those {dated}, not the corpus")
    elif "year" in formula_variables(parse_formula(config.prevalence)) and not effect.design.has_year:
        # say why the design left year out (no usable year, too few speeches for the spline, …)
        why = "; ".join(f"{term}: {reason}" for term, reason in effect.design.dropped if "year" in term)
        warning = f"the effect of year was not estimated ({why or 'no speech has a usable year'})"
    return EffectsResult(effect, linear, year_table[YEAR_EFFECTS_COLUMNS], table, contrasts=pairs, skipped=skipped,
                         warning=warning,
                         spline_warning=_crowded_spline(effect.design.notes.get("spline", {}), dated)
                         if effect.design.has_year else None)  # a spline left out of the design has no curve


#: fewer dated speeches than this per coefficient of the year curve, and the curve is the speeches joined up
SPEECHES_PER_COEFFICIENT = 2


def _crowded_spline(splines: dict, dated: int) -> str | None:
    """A warning when a year spline has nearly as many coefficients as there are dated speeches: it then
    passes through each speech's value and swings between them, out of 0–1 where years have none."""
    for term, state in splines.items():
        df = int(state["df"])
        if dated < SPEECHES_PER_COEFFICIENT * (df + 1):
            fewer = max(2, dated // (2 * SPEECHES_PER_COEFFICIENT))
            return (f"the curve {term} has {df} degrees of freedom for {dated} dated speeches: it follows each "
                    f"speech and swings where years have none (even below 0 or above 1) — read the dated points, "
                    f"or write s(year, {fewer}) in [effects] prevalence")
    return None


def effects_run(run, n_sims: int | None = None, random_state: int | None = None) -> EffectsResult:
    """:func:`effects_from` for a run, with its ``[effects]`` settings (draws θ from ``unit_gamma``)."""
    config = getattr(run.config, "effects", EffectsConfig()) if hasattr(run, "config") else EffectsConfig()
    return effects_from(run.unit_gamma, run.corpus.units, run.corpus.speeches, config, n_sims=n_sims,
                        random_state=random_state)
