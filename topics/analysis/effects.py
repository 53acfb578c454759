"""How does prevalence change with year (and other covariates)? stm's ``estimateEffect`` by the method of composition.

:func:`estimate_effect` regresses each topic's speech proportion on a design built from a formula
(:mod:`.design`: ``"s(year) + genre"``), carrying the topic model's own uncertainty; the
functions after it turn the simulated coefficients into what a researcher reads, as stm's
``plot.estimateEffect`` does:

* :func:`year_effects` — ``method = "continuous"``: the fitted prevalence in every year with its
  interval (a curve with a band; ``year_effects.csv``);
* :func:`contrasts` — ``method = "difference"``: the difference in fitted prevalence between two
  years or periods (``effects.csv``);
* :func:`level_effects` — ``method = "pointestimate"``: the fitted prevalence at each level of a
  categorical covariate, and its difference from the reference level (``effects.csv``).

Each is computed from the same coefficient draws, so every interval carries both the sampling of
speeches and the uncertainty in θ. :func:`topics.analysis.effect_tables.effects_run` gathers them
for a run as its ``[effects]`` table sets them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..config import year_span
from .design import Design, build_design
from .theta import aggregation_matrix

__all__ = ["EffectEstimate", "contrasts", "dated_share", "default_contrast", "estimate_effect", "level_effects", "predict",
           "slope", "year_effects"]

DATED_SOURCES = ("explicit", "implied", "filename", "metadata")


@dataclass(frozen=True)
class EffectEstimate:
    """Result of :func:`estimate_effect`.

    Attributes
    ----------
    table : one row per (topic, term): ``estimate`` (mean of the draws), ``std_error`` (their
        standard deviation), ``lower``/``upper`` (percentile interval), ``n_speeches``.
    draws : (n_sims, n_terms, K) simulated coefficients.
    design : the checked design (:class:`topics.analysis.design.Design`): its matrix, the formula
        as used, the terms dropped and why, the coding notes.
    doc_ids : the speeches of the regression, in the design's row order.
    year_sources : ``year_source`` of each of them.
    level, n_sims, random_state : as given.
    """

    table: pd.DataFrame
    draws: np.ndarray
    design: Design
    doc_ids: list
    year_sources: list
    level: float
    n_sims: int
    random_state: int

    @property
    def terms(self) -> list[str]:
        return self.design.terms

    @property
    def notes(self) -> dict:
        return {**self.design.notes, "dropped": [f"{term} ({why})" for term, why in self.design.dropped],
                "formula": self.design.formula, "n_sims": self.n_sims, "level": self.level,
                "random_state": self.random_state}


def estimate_effect(gamma: np.ndarray, units: pd.DataFrame, speeches: pd.DataFrame, formula: str = "s(year)",
                    n_sims: int = 200, level: float = 0.95, random_state: int = 0, year_sources=DATED_SOURCES,
                    max_unknown: float = 0.5, max_vif: float = 10.0) -> EffectEstimate:
    """Regress each topic's speech proportion on ``formula``, carrying the topic model's uncertainty.

    The "method of composition" of R ``stm::estimateEffect`` (Roberts, Stewart & Tingley 2019,
    *J. Stat. Softw.* 91(2), §3.5; Treier & Jackman 2008, *AJPS* 52(1)). Repeat ``n_sims`` times:

    1. draw every unit's θ from its variational posterior Dirichlet(γ_u);
    2. aggregate units to speeches (token-weighted, :func:`aggregation_matrix`);
    3. fit OLS of each topic's proportion on the design (:func:`topics.analysis.design.build_design`);
    4. draw the coefficients from their sampling distribution N(β̂, σ̂²(XᵀX)⁻¹).

    Parameters
    ----------
    gamma : (n_units, K) variational Dirichlet parameters, rows in ``units`` order.
    units : the corpus ``units`` table; speeches : the corpus ``speeches`` table.
    formula : right-hand side over columns of ``speeches`` (``"s(year)"``, ``"year + genre"``…).
    n_sims : number of simulations (stm's default is 25; more gives smoother intervals).
    level : interval coverage. random_state : seed of the :class:`numpy.random.Generator`.
    year_sources, max_unknown, max_vif : which years are usable and when a covariate is dropped
        (:func:`topics.analysis.design.build_design`).
    """
    rng = np.random.default_rng(random_state)
    gamma = np.asarray(gamma, dtype=float)
    doc_ids = list(dict.fromkeys(units["doc_id"]))
    meta = speeches.drop_duplicates("doc_id").set_index("doc_id").reindex(doc_ids).reset_index()
    if "year_source" not in meta:
        meta["year_source"] = "unknown"
    meta["year_source"] = meta["year_source"].astype("string").fillna("unknown")
    design = build_design(meta, formula, year_sources=year_sources, max_unknown=max_unknown, max_vif=max_vif)
    x = design.matrix.to_numpy()
    n, p = x.shape
    xtx_inv = np.linalg.inv(x.T @ x)
    hat = xtx_inv @ x.T
    chol = np.linalg.cholesky(xtx_inv)
    aggregate = aggregation_matrix(units, doc_ids)
    draws = np.empty((n_sims, p, gamma.shape[1]))
    for s in range(n_sims):
        raw = rng.standard_gamma(gamma)  # Dirichlet draws, one per unit, vectorised
        sums = raw.sum(axis=1, keepdims=True)
        theta = np.where(sums > 0, raw / np.where(sums > 0, sums, 1), gamma / gamma.sum(1, keepdims=True))
        y = aggregate @ theta
        beta = hat @ y
        sigma2 = ((y - x @ beta) ** 2).sum(axis=0) / (n - p)
        draws[s] = beta + (chol @ rng.standard_normal(beta.shape)) * np.sqrt(sigma2)
    lower, upper = _interval(draws, level)
    rows = [{"topic": t, "term": term, "estimate": draws[:, j, t].mean(), "std_error": draws[:, j, t].std(ddof=1),
             "lower": lower[j, t], "upper": upper[j, t], "n_speeches": n}
            for t in range(gamma.shape[1]) for j, term in enumerate(design.terms)]
    return EffectEstimate(table=pd.DataFrame(rows), draws=draws, design=design, doc_ids=doc_ids,
                          year_sources=list(meta["year_source"]), level=level, n_sims=n_sims,
                          random_state=random_state)


def _interval(draws: np.ndarray, level: float, axis: int = 0) -> tuple[np.ndarray, np.ndarray]:
    alpha = (1 - level) / 2
    lower, upper = np.quantile(draws, [alpha, 1 - alpha], axis=axis)
    return lower, upper


def predict(effect: EffectEstimate, values: pd.DataFrame) -> np.ndarray:
    """Draws of the fitted prevalence for rows of covariate ``values``: (n_sims, rows, K).

    Columns not in ``values`` take typical values (the reference level of a categorical, the
    median of a number), as stm's ``plot.estimateEffect`` holds the other covariates fixed.
    """
    rows = effect.design.rows(values)
    return np.einsum("rp,spk->srk", rows, effect.draws)


def _summary(draws: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(estimate, lower, upper) over the first axis."""
    lower, upper = _interval(draws, level)
    return draws.mean(axis=0), lower, upper


def year_effects(effect: EffectEstimate, years=None) -> pd.DataFrame:
    """Fitted prevalence per calendar year with its interval (stm's continuous plot as a table).

    Parameters
    ----------
    effect : an estimate whose formula uses ``year``.
    years : the years to predict (default: every year from the first to the last usable year;
        never beyond them, where nothing was observed).

    Returns
    -------
    ``topic, year, estimate, lower, upper, n_speeches`` (proportions; ``n_speeches``: speeches
    with a usable year that year, 0 in a gap). Empty when the design has no year.
    """
    columns = ["topic", "year", "estimate", "lower", "upper", "n_speeches"]
    if not effect.design.has_year:
        return pd.DataFrame(columns=columns)
    first, last = effect.design.notes["year_range"]
    years = np.arange(first, last + 1) if years is None else np.asarray(sorted(years), dtype=int)
    estimate, lower, upper = _summary(predict(effect, pd.DataFrame({"year": years})), effect.level)
    counts = _dated_counts(effect)
    k = effect.draws.shape[2]
    return pd.DataFrame({
        "topic": np.repeat(np.arange(k), len(years)), "year": np.tile(years, k),
        "estimate": estimate.T.ravel(), "lower": lower.T.ravel(), "upper": upper.T.ravel(),
        "n_speeches": np.tile([counts.get(int(y), 0) for y in years], k)}, columns=columns)


def _dated_counts(effect: EffectEstimate) -> dict[int, int]:
    """Speeches with a usable year, per year."""
    centre = effect.design.notes["year_centre"]
    data = effect.design.data
    undated = effect.design.matrix[[c for c in effect.design.matrix if c.startswith("year[")]].sum(axis=1) > 0
    years = np.rint(data["year"].to_numpy(float) + centre).astype(int)[~undated.to_numpy()]
    values, counts = np.unique(years, return_counts=True)
    return {int(v): int(c) for v, c in zip(values, counts)}


def default_contrast(effect: EffectEstimate) -> tuple[str, str] | None:
    """The first half of the usable years against the second (``("1954-1989", "1990-2025")``)."""
    if not effect.design.has_year:
        return None
    first, last = effect.design.notes["year_range"]
    if last == first:
        return None
    middle = (first + last) // 2
    return f"{first}-{middle}", f"{middle + 1}-{last}"


def contrasts(effect: EffectEstimate, pairs) -> tuple[pd.DataFrame, list[str]]:
    """Differences in fitted prevalence between two years or periods (stm's difference plot as a table).

    Parameters
    ----------
    effect : an estimate whose formula uses ``year``.
    pairs : ``[(from, to), …]``, each end a year (``1980``) or a period (``"1978-1992"``: the
        mean of the fitted prevalence over its years). The estimate is ``to − from``.

    Returns
    -------
    (table, skipped): ``topic, term, estimate, lower, upper, kind`` with ``term`` such as
    ``"1990–2025 − 1954–1989"`` and ``kind = "contrast"``; ``skipped`` says which pairs reach
    outside the usable years (no extrapolation) and were left out.
    """
    columns = ["topic", "term", "estimate", "lower", "upper", "kind"]
    if not effect.design.has_year:
        return pd.DataFrame(columns=columns), []
    first, last = effect.design.notes["year_range"]
    rows, skipped = [], []
    for start, end in pairs:
        spans = [year_span("effects.contrasts", value) for value in (start, end)]
        if any(a < first or b > last for a, b in spans):
            skipped.append(f"{_span_text(spans[0])} → {_span_text(spans[1])}: outside the usable years {first}–{last}")
            continue
        means = [predict(effect, pd.DataFrame({"year": np.arange(a, b + 1)})).mean(axis=1) for a, b in spans]
        estimate, lower, upper = _summary(means[1] - means[0], effect.level)
        term = f"{_span_text(spans[1])} − {_span_text(spans[0])}"
        rows += [{"topic": t, "term": term, "estimate": estimate[t], "lower": lower[t], "upper": upper[t],
                  "kind": "contrast"} for t in range(len(estimate))]
    return pd.DataFrame(rows, columns=columns), skipped


def _span_text(span: tuple[int, int]) -> str:
    return str(span[0]) if span[0] == span[1] else f"{span[0]}–{span[1]}"


def level_effects(effect: EffectEstimate) -> pd.DataFrame:
    """Fitted prevalence at each level of every categorical covariate, and its difference from the
    reference level (stm's point-estimate plot as a table).

    The other covariates are held at typical values (year at its centre, the median usable year;
    other categoricals at their reference). Rows: ``term = "genre = work_report"`` with ``kind =
    "level"`` and ``term = "genre: work_report − speech"`` with ``kind = "difference"``.
    """
    columns = ["topic", "term", "estimate", "lower", "upper", "kind"]
    rows = []
    data = effect.design.data
    for variable, reference in effect.design.notes.get("reference", {}).items():
        if data is None or variable not in data:
            continue
        levels = list(data[variable].cat.categories)
        fitted = predict(effect, pd.DataFrame({variable: levels}))
        for i, level in enumerate(levels):
            estimate, lower, upper = _summary(fitted[:, i], effect.level)
            rows += [{"topic": t, "term": f"{variable} = {level}", "estimate": estimate[t], "lower": lower[t],
                      "upper": upper[t], "kind": "level"} for t in range(len(estimate))]
        for i, level in enumerate(levels[1:], start=1):
            estimate, lower, upper = _summary(fitted[:, i] - fitted[:, 0], effect.level)
            rows += [{"topic": t, "term": f"{variable}: {level} − {reference}", "estimate": estimate[t],
                      "lower": lower[t], "upper": upper[t], "kind": "difference"} for t in range(len(estimate))]
    return pd.DataFrame(rows, columns=columns)


def slope(effect: EffectEstimate) -> pd.DataFrame:
    """The coefficient of a linear ``year`` term as an ``effects.csv`` block (``kind = "slope"``,
    change in proportion per year); empty when the design has no such term."""
    columns = ["topic", "term", "estimate", "lower", "upper", "kind"]
    rows = effect.table[effect.table["term"] == "year"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    return pd.DataFrame({"topic": rows["topic"].to_numpy(), "term": "year (linear slope per year)",
                         "estimate": rows["estimate"].to_numpy(), "lower": rows["lower"].to_numpy(),
                         "upper": rows["upper"].to_numpy(), "kind": "slope"}, columns=columns)


def dated_share(effect: EffectEstimate) -> tuple[int, int]:
    """(speeches with a usable year, speeches in the regression)."""
    return int(effect.design.notes.get("n_dated", 0)), len(effect.doc_ids)
