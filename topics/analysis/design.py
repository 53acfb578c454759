"""The regression design of the effect estimates: a formula over the speeches' metadata, checked against the data.

The researcher writes the right-hand side as in R's stm (``[effects] prevalence``), e.g.
``"s(year) + genre"``; formulaic (Wilkinson formulas, github.com/matthewwardrop/formulaic)
parses it and builds the columns, so splines, interactions (``s(year):genre``) and its other
transforms work as documented there. This module adds what a corpus of inferred metadata needs:

* ``s(x, df)``: stm's spline — a cubic B-spline basis (formulaic's ``bs``, the basis of R's
  ``splines::bs`` that stm's ``s()`` wraps) with ``df`` columns, by default
  ``min(10, distinct values − 1)`` as in stm; ``df`` is capped at distinct values − 1 and the
  degree at ``df`` (two distinct years give a straight line, three a parabola);
* **usable years**: a speech's year enters only when it is pinned (``year`` set) by a source in
  ``year_sources``. The others cannot enter a curve in year; they stay in the regression with an
  indicator per ``year_source`` (``year[unknown]``, ``year[anonymized]``…), so they inform the
  other covariates but not the curve, and their year-dependent columns are zero;
* **covariates checked before they are used**, each term in the order written: a term whose
  variable is constant, a categorical term mostly ``unknown`` (more than ``max_unknown`` of the
  speeches: inferred without evidence), a categorical whose levels each occupy their own years
  (confounded with the era: no year has two levels), and a term collinear with the terms before
  it (a variance inflation factor of ``max_vif`` or more) is dropped, and :attr:`Design.dropped`
  says why. Terms are also dropped from the end while the speeches cannot support the coefficients.

Year is centred on the median usable year inside the design (a linear slope is then per year, and
the intercept is the level at the centre); tables and figures show calendar years.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from formulaic import Formula
from formulaic.errors import FormulaicError
from formulaic.formula import SimpleFormula
from formulaic.transforms import basis_spline, stateful_transform

from ..errors import ConfigError, TopicsError

__all__ = ["Design", "UNKNOWN_VALUES", "build_design", "formula_variables", "linear_in_year", "parse_formula", "s"]

#: values of a categorical column that carry no evidence (the builder writes ``unknown``)
UNKNOWN_VALUES = ("unknown", "")
_ANSI = re.compile(r"\x1b\[[0-9;]*m|[⧛⧚]")


@stateful_transform
def s(x, df: int | None = None, _state=None):
    """stm's ``s()``: a cubic B-spline basis of ``x`` with ``df`` columns (see the module docstring)."""
    values = np.asarray(x, dtype=float)
    if "df" not in _state:
        distinct = len(np.unique(values[np.isfinite(values)]))
        wanted = 10 if df is None else int(df)
        _state.update(requested=df, distinct=distinct, df=max(1, min(wanted, distinct - 1)))
    columns = _state["df"]
    return basis_spline(values, df=columns, degree=min(3, columns), _state=_state.setdefault("basis", {}))


#: functions a formula may call besides formulaic's own transforms
CONTEXT = {"s": s}


def parse_formula(text: str, key: str = "effects.prevalence") -> Formula:
    """The formula ``text`` parsed by formulaic, or a one-line :class:`ConfigError`."""
    try:
        formula = Formula(text)
    except (FormulaicError, SyntaxError, ValueError) as exc:
        first = _ANSI.sub("", str(exc)).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError(f'{key} = {text!r} is not a formula ({first}) — write e.g. "s(year) + genre"') from None
    if not isinstance(formula, SimpleFormula):  # "y ~ x" or "a | b": structured
        raise ConfigError(f'{key} = {text!r} must be one right-hand side (no "~") — e.g. "s(year) + genre"')
    return formula


def formula_variables(formula: Formula) -> list[str]:
    """Data columns a formula reads, in order of first use (function names excluded)."""
    names: list[str] = []
    for term in formula:
        for factor in term.factors:
            for name in _factor_variables(str(factor.expr)):
                if name not in names:
                    names.append(name)
    return names


def _factor_variables(expr: str) -> list[str]:
    if expr in ("1", "0"):
        return []
    try:
        tree = ast.parse(expr, mode="eval")
    except SyntaxError:
        return [expr]
    called = {node.func.id for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
    return [node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and node.id not in called]


def linear_in_year(formula: Formula) -> str | None:
    """The formula with every nonlinear function of ``year`` replaced by ``year`` itself, or None
    when it has no such term (its year effect, if any, is linear already).

    >>> linear_in_year(parse_formula("s(year, 5) + genre"))
    '1 + year + genre'
    """
    changed, parts = False, []
    for term in formula:
        factors = []
        for factor in term.factors:
            expr = str(factor.expr)
            if expr != "year" and "year" in _factor_variables(expr):
                expr, changed = "year", True
            factors.append(expr)
        parts.append(":".join(dict.fromkeys(factors)))
    return " + ".join(dict.fromkeys(parts)) if changed else None


@dataclass
class Design:
    """A checked regression design, one row per speech (in the order of the speeches given).

    Attributes
    ----------
    matrix : the design matrix (DataFrame: one column per coefficient, ``Intercept`` first;
        the indicators of speeches without a usable year last).
    formula : the formula as used (dropped terms removed); ``requested``: as written.
    dropped : ``(term, reason)`` for every term left out.
    notes : the coding: ``reference`` (categorical → reference level), ``year_centre``,
        ``spline`` (term → df used, distinct years), ``n_dated``/``n_undated``, ``undated``
        (indicator → speeches), ``year_range``.
    data : the covariate values the matrix was built from (categoricals as ordered categories).
    """

    matrix: pd.DataFrame
    formula: str
    requested: str
    dropped: list[tuple[str, str]] = field(default_factory=list)
    notes: dict = field(default_factory=dict)
    data: pd.DataFrame | None = None
    _spec: object = None
    _indicators: list[str] = field(default_factory=list)

    @property
    def terms(self) -> list[str]:
        return list(self.matrix.columns)

    @property
    def has_year(self) -> bool:
        return "year_centre" in self.notes

    def rows(self, values: pd.DataFrame) -> np.ndarray:
        """Design rows for new covariate values (a usable year each; indicators 0).

        Columns of ``values`` missing are set as :meth:`typical` sets them.
        """
        frame = self.typical(len(values))
        for column in values:
            if column in frame:
                frame[column] = (values[column].to_numpy(float) - self.notes["year_centre"] if column == "year"
                                 else pd.Categorical(values[column], dtype=frame[column].dtype)
                                 if isinstance(frame[column].dtype, pd.CategoricalDtype) else values[column].to_numpy())
        if self._spec is None:  # intercept only
            main = np.ones((len(values), 1))
        else:
            main = np.asarray(self._spec.get_model_matrix(frame, context=CONTEXT), dtype=float)
        return np.hstack([main, np.zeros((len(values), len(self._indicators)))])

    def typical(self, n: int = 1) -> pd.DataFrame:
        """``n`` rows of typical covariate values: the reference level of each categorical, the
        median of each number (year: the centre)."""
        frame = {}
        for column in (self.data.columns if self.data is not None else []):
            series = self.data[column]
            if isinstance(series.dtype, pd.CategoricalDtype):
                frame[column] = pd.Categorical([series.cat.categories[0]] * n, dtype=series.dtype)
            else:
                frame[column] = np.full(n, float(np.median(series.to_numpy(float))))
        return pd.DataFrame(frame, index=range(n))


def build_design(speeches: pd.DataFrame, formula: str = "s(year)", year_sources=("explicit", "implied", "filename",
                 "metadata"), max_unknown: float = 0.5, max_vif: float = 10.0) -> Design:
    """Check every term of ``formula`` against ``speeches`` and build the design (module docstring).

    Parameters
    ----------
    speeches : one row per speech in the regression (needs the columns the formula names;
        ``year`` needs ``year_source``).
    formula : the right-hand side, e.g. ``"s(year) + genre"``.
    year_sources : the ``year_source`` values whose year is used.
    max_unknown : the largest share of ``unknown`` a categorical may have.
    max_vif : the variance inflation factor at which a term counts as collinear.

    Raises
    ------
    TopicsError : the formula names a column the speeches do not have.
    """
    parsed = parse_formula(formula)
    speeches = speeches.reset_index(drop=True)
    missing = [v for v in formula_variables(parsed) if v not in speeches]
    if missing:
        raise TopicsError(f"effects.prevalence = {formula!r} names {', '.join(map(repr, missing))}, not a column of "
                          f"the speeches — use one of: {', '.join(c for c in speeches.columns)}")
    n = len(speeches)
    notes: dict = {"reference": {}, "spline": {}}
    dropped: list[tuple[str, str]] = []
    data: dict[str, object] = {}
    indicators: dict[str, np.ndarray] = {}
    if "year" in formula_variables(parsed):
        year = pd.to_numeric(speeches["year"], errors="coerce").to_numpy(float)
        sources = speeches["year_source"].astype("string").fillna("unknown").to_numpy() if "year_source" in speeches \
            else np.full(n, "unknown", dtype=object)
        usable = np.isfinite(year) & np.isin(sources, list(year_sources))
        if usable.any():
            centre = float(np.median(year[usable]))
            notes.update(year_centre=centre, n_dated=int(usable.sum()), n_undated=int((~usable).sum()),
                         year_range=(int(year[usable].min()), int(year[usable].max())),
                         distinct_years=int(len(np.unique(year[usable]))))
            # undated rows sit at the first usable year, with their year columns zeroed below
            data["year"] = np.where(usable, year, year[usable].min()) - centre
            for source in sorted(set(sources[~usable])):  # one indicator per way of not having a usable year
                indicators[f"year[{source}]"] = ((~usable) & (sources == source)).astype(float)
            notes["undated"] = {name: int(column.sum()) for name, column in indicators.items()}
        notes["usable"] = usable
    usable = notes.pop("usable", np.ones(n, dtype=bool))
    if not usable.any():
        usable = np.ones(n, dtype=bool)  # no year to learn from: the year terms are dropped below
    kept_terms: list[str] = []
    blocks: list[np.ndarray] = []  # the columns of the kept terms, without the intercept

    def before(with_year: bool) -> np.ndarray:
        """Intercept, the undated indicators once year is in, and the kept terms' columns."""
        year_in = with_year or any(_uses(t, "year") for t in kept_terms)
        return np.column_stack([np.ones(n)] + (list(indicators.values()) if year_in else []) + blocks)

    for term in parsed:
        name = str(term)
        if name == "1":
            continue
        variables = list(dict.fromkeys(v for f in term.factors for v in _factor_variables(str(f.expr))))
        reason = _variable_problem(speeches, variables, data, notes, max_unknown)
        if reason is None and "year" not in variables and any(_uses(t, "year") for t in kept_terms):
            reason = _separated_by_year(data, [v for v in variables if v in data], usable, notes["year_centre"])
        if reason is None:
            block, spec = _materialize([name], data, usable, n)
            block = block[:, 1:]  # without the intercept (categoricals coded against it)
            vif = _max_vif(before("year" in variables), block) if block.shape[1] else np.inf
            if vif >= max_vif:
                earlier = [t for t in kept_terms] + (list(indicators) if "year" in variables else [])
                reason = (f"collinear with {', '.join(earlier) or 'the intercept'} "
                          f"(variance inflation {_vif_text(vif)} ≥ {max_vif:g})")
        if reason is not None:
            dropped.append((name, reason))
            continue
        kept_terms.append(name)
        blocks.append(block)
        for expr, state in spec.transform_state.items():  # a spline's df as used
            if isinstance(state, dict) and "df" in state:
                notes["spline"][expr] = {key: state[key] for key in ("df", "requested", "distinct")}
    # drop terms from the end while the speeches cannot support the coefficients
    while kept_terms and n <= before(False).shape[1]:
        dropped.append((kept_terms.pop(), f"{n} speeches cannot support its coefficients as well as those before it"))
        blocks.pop()
    if not any(_uses(term, "year") for term in kept_terms):
        for key in ("year_centre", "n_dated", "n_undated", "year_range", "undated", "distinct_years"):
            notes.pop(key, None)
        indicators, usable = {}, np.ones(n, dtype=bool)
    if n <= 1 + len(indicators):
        raise TopicsError(f"{n} speech{'es' if n != 1 else ''} cannot support even an intercept — a regression needs "
                          "more speeches than coefficients")
    values, spec = _materialize(kept_terms, data, usable, n)
    names = ["Intercept"] + (list(spec.column_names)[1:] if spec is not None else [])
    matrix = pd.DataFrame(np.column_stack([values] + list(indicators.values())), columns=names + list(indicators))
    variables = [v for v in data if any(_uses(term, v) for term in kept_terms)]
    notes["reference"] = {v: level for v, level in notes["reference"].items() if v in variables}
    return Design(matrix=matrix, formula=" + ".join(["1"] + kept_terms), requested=formula, dropped=dropped,
                  notes=notes, data=pd.DataFrame({v: data[v] for v in variables}, index=range(n)), _spec=spec,
                  _indicators=list(indicators))


def _materialize(terms: list[str], data: dict, usable: np.ndarray, n: int):
    """(matrix with the intercept first, formulaic ModelSpec or None) of ``1 + terms``.

    The transforms learn their state (a spline's knots) from the speeches with a usable year
    only; the year-dependent columns of the others are zero.
    """
    if not terms:
        return np.ones((n, 1)), None
    frame = pd.DataFrame({v: data[v] for v in data}, index=range(n))
    formula = Formula(" + ".join(["1"] + terms))
    spec = formula.get_model_matrix(frame[usable], context=CONTEXT, na_action="raise").model_spec
    values = np.asarray(spec.get_model_matrix(frame, context=CONTEXT, na_action="raise"), dtype=float)
    if not usable.all():
        names = list(spec.column_names)
        year_columns = [names.index(c) for c in _year_columns(spec)]
        values[np.ix_(~usable, year_columns)] = 0.0
    return values, spec


def _uses(term: str, variable: str) -> bool:
    return any(variable in _factor_variables(factor) for factor in term.split(":"))


def _year_columns(spec) -> list[str]:
    """Columns of the matrix that depend on year (zeroed for speeches without a usable year)."""
    out = []
    for structure in spec.structure:
        if any("year" in _factor_variables(str(f.expr)) for f in structure.term.factors):
            out += list(structure.columns)
    return out


def _variable_problem(speeches: pd.DataFrame, variables: list[str], data: dict, notes: dict,
                      max_unknown: float) -> str | None:
    """Why a term cannot be used (constant, mostly unknown, no usable year), or None; fills ``data``."""
    for variable in dict.fromkeys(variables):
        if variable == "year":
            if "year_centre" not in notes:
                return "no speech has a usable year"
            if notes["distinct_years"] < 2:
                return f"constant: every usable year is {notes['year_range'][0]}"
            continue
        if variable in data:
            continue
        column = speeches[variable]
        if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
            values = pd.to_numeric(column, errors="coerce").to_numpy(float)
            if not np.isfinite(values).all():
                return f"{variable} is missing for {int((~np.isfinite(values)).sum())} speeches"
            if len(np.unique(values)) < 2:
                return f"constant: every speech has {variable} = {values[0]:g}"
            data[variable] = values
            continue
        text = column.astype("string").fillna("unknown").str.strip().replace("", "unknown")
        unknown = text.isin(UNKNOWN_VALUES)
        if unknown.mean() > max_unknown:
            return (f"inferred with too little evidence: {variable} is unknown for {int(unknown.sum())} of "
                    f"{len(text)} speeches ({unknown.mean():.0%} > {max_unknown:.0%})")
        counts = text.value_counts()
        if len(counts) < 2:
            return f"constant: every speech has {variable} = {counts.index[0]}"
        levels = sorted(counts.index, key=lambda v: (-counts[v], v))  # reference: the most frequent
        notes["reference"][variable] = levels[0]
        data[variable] = pd.Categorical(text.to_numpy(), categories=levels)
    return None


def _separated_by_year(data: dict, variables: list[str], usable: np.ndarray, centre: float) -> str | None:
    """A categorical whose levels each occupy their own years (no year range overlaps another's) is
    a function of the era: its effect cannot be told apart from year's, whatever the VIF says."""
    years = np.rint(np.asarray(data["year"], dtype=float)[usable] + centre).astype(int)
    for variable in variables:
        values = data[variable]
        if not isinstance(values, pd.Categorical):
            continue
        levels = np.asarray(values)[usable]
        spans = sorted((years[levels == level].min(), years[levels == level].max(), level)
                       for level in dict.fromkeys(levels))
        if len(spans) > 1 and all(a[1] < b[0] for a, b in zip(spans, spans[1:])):
            described = ", ".join(f"{level} {lo}–{hi}" if lo != hi else f"{level} {lo}" for lo, hi, level in spans)
            return f"confounded with year: each {variable} has its own years ({described})"
    return None


def _max_vif(before: np.ndarray, block: np.ndarray) -> float:
    """Largest variance inflation of ``block``'s columns regressed on ``before`` (which holds the intercept)."""
    worst = 1.0
    for j in range(block.shape[1]):
        y = block[:, j]
        spread = ((y - y.mean()) ** 2).sum()
        if spread <= 1e-12:  # constant within the regression rows: aliased with the intercept
            return float("inf")
        coef, *_ = np.linalg.lstsq(before, y, rcond=None)
        r2 = 1.0 - ((y - before @ coef) ** 2).sum() / spread
        worst = max(worst, float("inf") if r2 >= 1 - 1e-12 else 1.0 / (1.0 - r2))
    return worst


def _vif_text(vif: float) -> str:
    return "∞ (exactly collinear)" if not np.isfinite(vif) else f"{vif:.1f}"
