"""Does prevalence change with year, all else equal? stm's ``estimateEffect`` by the method of composition."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .groups import NO_YEAR_GROUPS, year_groups
from .theta import aggregation_matrix

__all__ = ["EffectEstimate", "design_matrix", "estimate_effect", "estimate_effect_run"]


@dataclass(frozen=True)
class EffectEstimate:
    """Result of :func:`estimate_effect`.

    Attributes
    ----------
    table : one row per (topic, term): ``estimate`` (mean of the draws), ``std_error`` (their
        standard deviation), ``lower``/``upper`` (percentile interval), ``n_speeches``.
    draws : (n_sims, n_terms, K) simulated coefficients.
    design : the design matrix, one row per speech (``doc_id``, ``year_source`` and the terms).
    terms : column names of the design matrix (``year`` is per calendar year).
    notes : how covariates were coded: reference levels, year centre, dropped terms.
    """

    table: pd.DataFrame
    draws: np.ndarray
    design: pd.DataFrame
    terms: list
    notes: dict


def design_matrix(speeches: pd.DataFrame, covariates=("year", "genre", "admin_level")):
    """Regression design for :func:`estimate_effect`: intercept, year and treatment-coded categories.

    * ``year`` enters linearly, centred on the median known year (the slope is per year).
      Speeches with no usable year get year = centre plus an indicator ``year[anonymized]`` or
      ``year[unknown]``: they stay in the model (informing the other coefficients) without
      pretending to a year, and the slope is estimated from dated speeches only.
    * each categorical covariate is dummy-coded against its most frequent level (ties:
      alphabetical); missing values are the level ``"unknown"``.
    * a term that is constant or a linear combination of earlier ones is dropped (as R's ``lm``
      does) and listed in ``notes["dropped"]``.

    Returns
    -------
    (X, notes): X a DataFrame indexed like ``speeches``; notes a dict.
    """
    columns: dict[str, np.ndarray] = {"(Intercept)": np.ones(len(speeches))}
    notes: dict = {"reference": {}, "dropped": []}
    for covariate in covariates:
        if covariate == "year":
            groups = year_groups(speeches).to_numpy()
            known = np.array([g.isdigit() for g in groups])
            if not known.any():
                notes["dropped"].append("year")
                continue
            years = np.array([float(g) if k else np.nan for g, k in zip(groups, known)])
            centre = float(np.median(years[known]))
            notes["year_centre"] = centre
            columns["year"] = np.where(known, years - centre, 0.0)
            for name in NO_YEAR_GROUPS:
                columns[f"year[{name}]"] = (groups == name).astype(float)
        else:
            values = speeches[covariate].astype("string").fillna("unknown").to_numpy()
            counts = pd.Series(values).value_counts()
            reference = sorted(counts.index, key=lambda v: (-counts[v], v))[0]
            notes["reference"][covariate] = reference
            for level in sorted(set(values) - {reference}):
                columns[f"{covariate}[{level}]"] = (values == level).astype(float)
    kept: list[str] = []
    for name, column in columns.items():  # keep a term only if it adds a dimension
        candidate = np.column_stack([columns[c] for c in kept] + [column])
        if np.linalg.matrix_rank(candidate) > len(kept):
            kept.append(name)
        elif column.any():
            notes["dropped"].append(name)
    return pd.DataFrame({c: columns[c] for c in kept}, index=speeches.index), notes


def estimate_effect(gamma: np.ndarray, units: pd.DataFrame, speeches: pd.DataFrame,
                    covariates=("year", "genre", "admin_level"), n_sims: int = 200, level: float = 0.95,
                    random_state: int = 0) -> EffectEstimate:
    """Regress each topic's speech proportion on covariates, carrying the topic model's uncertainty.

    The "method of composition" of R ``stm::estimateEffect`` (Roberts, Stewart & Tingley 2019,
    *J. Stat. Softw.* 91(2), §3.5; Treier & Jackman 2008, *AJPS* 52(1)). Repeat ``n_sims`` times:

    1. draw every unit's θ from its variational posterior Dirichlet(γ_u);
    2. aggregate units to speeches (token-weighted, :func:`aggregation_matrix`);
    3. fit OLS of each topic's proportion on the design (:func:`design_matrix`);
    4. draw the coefficients from their sampling distribution N(β̂, σ̂²(XᵀX)⁻¹).

    The pooled draws give mean, standard error and percentile interval per coefficient, so the
    interval reflects both sampling variation among speeches and uncertainty in θ itself.

    Parameters
    ----------
    gamma : (n_units, K) variational Dirichlet parameters, rows in ``units`` order.
    units : the corpus ``units`` table; speeches : the corpus ``speeches`` table.
    covariates : ``"year"`` and/or columns of ``speeches`` (categorical).
    n_sims : number of simulations (stm's default is 25; more gives smoother intervals).
    level : interval coverage. random_state : seed of the :class:`numpy.random.Generator`.
    """
    rng = np.random.default_rng(random_state)
    gamma = np.asarray(gamma, dtype=float)
    doc_ids = list(dict.fromkeys(units["doc_id"]))
    meta = speeches.drop_duplicates("doc_id").set_index("doc_id").reindex(doc_ids).reset_index()
    covariates = list(covariates)
    too_many = []
    while True:
        x_frame, notes = design_matrix(meta, covariates)
        x = x_frame.to_numpy()
        n, p = x.shape
        if n > p:
            break
        if not covariates:
            raise ValueError(f"{n} speech{'es' if n != 1 else ''} cannot support even an intercept "
                             "(a regression needs more speeches than coefficients)")
        # the last covariate goes first (year, the question, is listed first and goes last)
        too_many.append(f"{covariates.pop()} ({n} speeches cannot support {p} coefficients)")
    notes["dropped"] = too_many + notes["dropped"]
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
    alpha = (1 - level) / 2
    lower, upper = np.quantile(draws, [alpha, 1 - alpha], axis=0)
    terms = list(x_frame.columns)
    rows = [{"topic": t, "term": term, "estimate": draws[:, j, t].mean(), "std_error": draws[:, j, t].std(ddof=1),
             "lower": lower[j, t], "upper": upper[j, t], "n_speeches": n}
            for t in range(gamma.shape[1]) for j, term in enumerate(terms)]
    design = x_frame.copy()
    design.insert(0, "year_source", meta["year_source"].fillna("unknown").to_numpy())
    design.insert(0, "doc_id", doc_ids)
    notes.update(n_sims=n_sims, level=level, random_state=random_state,
                 counts=year_groups(meta).isin(NO_YEAR_GROUPS).map({True: "no year", False: "dated"})
                 .value_counts().to_dict())
    return EffectEstimate(table=pd.DataFrame(rows), draws=draws, design=design, terms=terms, notes=notes)


def estimate_effect_run(run, covariates=("year", "genre", "admin_level"), **kwargs) -> EffectEstimate:
    """:func:`estimate_effect` for a run (draws θ from the run's ``unit_gamma``)."""
    return estimate_effect(run.unit_gamma, run.corpus.units, run.corpus.speeches, covariates=covariates, **kwargs)
