"""Effects of year and covariates (topics.analysis.design, .effects, .effect_tables) on planted data.

The headline test plants a topic that rises and falls with the years: the spline's curve must
find it (its band excludes a flat line, its contrasts have the right signs) while the linear slope,
fitted to the same draws, cannot tell it from no change.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from test_analysis import make_data
from topics import analysis
from topics.analysis.design import build_design, linear_in_year, parse_formula
from topics.config import EffectsConfig
from topics.errors import ConfigError, TopicsError


def rise_and_fall(y):
    """Topic 0's share: 0.15, rising to 0.6 around 1990, back to 0.15."""
    return 0.15 + 0.45 * np.exp(-((y - 1990) / 10.0) ** 2)


@pytest.fixture(scope="module")
def planted():
    rng = np.random.default_rng(11)
    years = [int(y) for y in rng.integers(1960, 2021, size=150)] + [None] * 12
    _, gamma, units, speeches = make_data(rng, n_speeches=162, years=years,
                                          trend=lambda y: 0.3 if y is None else rise_and_fall(y))
    return gamma, units, speeches


def test_spline_finds_a_rise_and_fall_that_the_slope_misses(planted):
    gamma, units, speeches = planted
    result = analysis.effects_from(gamma, units, speeches, EffectsConfig(contrasts=((1965, 1990), (1990, 2015))),
                                   n_sims=100)
    curve = result.year_effects[result.year_effects["topic"] == 0].set_index("year")
    flat = curve["estimate"].mean()
    # the band excludes a flat line: above it at the peak, below it at both ends
    assert curve.loc[1990, "lower"] > flat and curve.loc[1990, "lower"] > 0.5
    assert curve.loc[1962, "upper"] < flat and curve.loc[2018, "upper"] < flat
    assert abs(curve["estimate"].idxmax() - 1990) <= 3
    truth = rise_and_fall(curve.index.to_numpy())
    assert np.mean((curve["lower"] <= truth + 0.02) & (truth - 0.02 <= curve["upper"])) > 0.9
    table = result.table[result.table["topic"] == 0].set_index("term")
    assert table.loc["1990 − 1965", "lower"] > 0.3 and table.loc["2015 − 1990", "upper"] < -0.3
    # the straight line through the same draws: its interval includes 0
    slope = table.loc["year (linear slope per year)"]
    assert slope["kind"] == "slope" and slope["lower"] < 0 < slope["upper"]
    assert result.linear is not None and "year" in result.linear.terms
    assert result.warning is None


def test_undated_speeches_stay_in_with_their_own_indicator(planted):
    gamma, units, speeches = planted
    effect = analysis.estimate_effect(gamma, units, speeches, formula="s(year)", n_sims=20)
    assert "year[unknown]" in effect.terms and effect.table["n_speeches"].iloc[0] == 162
    notes = effect.notes
    assert notes["n_dated"] == 150 and notes["undated"] == {"year[unknown]": 12}
    assert notes["spline"]["s(year)"]["df"] == 10  # stm's default: min(10, distinct years − 1)
    # the undated rows have no spline columns: they do not pull the curve
    matrix = effect.design.matrix
    undated = matrix["year[unknown]"] == 1
    spline = [c for c in matrix if c.startswith("s(year)")]
    assert (matrix.loc[undated, spline] == 0).all().all()


def test_linear_year_recovers_a_planted_slope():
    rng = np.random.default_rng(5)
    years = [int(y) for y in rng.integers(2003, 2017, size=120)]
    _, gamma, units, speeches = make_data(rng, n_speeches=120, years=years, trend=lambda y: 0.2 + 0.03 * (y - 2003))
    effect = analysis.estimate_effect(gamma, units, speeches, formula="year", n_sims=100)
    year = effect.table[effect.table["term"] == "year"].set_index("topic")
    assert year.loc[0, "estimate"] == pytest.approx(0.03, abs=0.005)
    assert year.loc[0, "lower"] < 0.03 < year.loc[0, "upper"]


def test_interval_includes_theta_uncertainty():
    """Vaguer θ (smaller Dirichlet parameters) must give wider intervals."""
    rng = np.random.default_rng(6)
    years = [int(y) for y in rng.integers(2003, 2017, size=60)]
    theta, _, units, speeches = make_data(rng, n_speeches=60, years=years, trend=lambda y: 0.2 + 0.02 * (y - 2003))
    sharp = analysis.estimate_effect(theta * 1000, units, speeches, formula="year", n_sims=60)
    vague = analysis.estimate_effect(theta * 3, units, speeches, formula="year", n_sims=60)
    width = lambda e: e.table.query("term == 'year' and topic == 0").eval("upper - lower").iloc[0]  # noqa: E731
    assert width(vague) > width(sharp)


def speeches_table(n=60, seed=0):
    rng = np.random.default_rng(seed)
    years = rng.integers(1980, 2021, n)
    return pd.DataFrame({
        "doc_id": [f"d{i}" for i in range(n)],
        "year": pd.array(years, dtype="Int64"), "year_source": "explicit",
        "genre": np.where(years < 2000, "congress_report", "speech"),           # follows the era
        "admin_level": ["unknown"] * (n - 10) + ["city"] * 5 + ["county"] * 5,  # mostly without evidence
        "place": "北京", "n_tokens": rng.integers(100, 900, n),
        "kind": rng.choice(["a", "b"], n)})


def test_covariates_dropped_with_their_reasons():
    design = build_design(speeches_table(), "s(year, 4) + genre + admin_level + place + kind")
    reasons = dict(design.dropped)
    assert reasons["genre"] == "confounded with year: each genre has its own years (congress_report 1980–1999, speech 2000–2020)"
    assert reasons["admin_level"] == ("inferred with too little evidence: admin_level is unknown for 50 of 60 "
                                      "speeches (83% > 50%)")
    assert reasons["place"] == "constant: every speech has place = 北京"
    assert design.formula == "1 + s(year, 4) + kind"  # kept: the spline and an independent covariate
    assert design.notes["reference"] == {"kind": design.data["kind"].cat.categories[0]}


def test_collinear_covariate_dropped_unless_the_threshold_allows_it():
    speeches = speeches_table()
    speeches.loc[speeches["year"].astype(int).idxmin(), "genre"] = "speech"  # the levels no longer split the years
    strict = build_design(speeches, "s(year) + genre")
    assert dict(strict.dropped)["genre"].startswith("collinear with s(year) (variance inflation ")
    assert build_design(speeches, "s(year) + genre", max_vif=float("inf")).formula == "1 + s(year) + genre"


def test_year_sources_decide_which_years_are_usable():
    speeches = speeches_table()
    speeches.loc[:9, "year_source"] = "filename"
    design = build_design(speeches, "year", year_sources=("explicit",))
    assert design.notes["n_dated"] == 50 and design.notes["undated"] == {"year[filename]": 10}


def test_no_usable_year_drops_the_year_and_says_so():
    speeches = speeches_table()
    speeches["year"] = pd.array([pd.NA] * len(speeches), dtype="Int64")
    speeches["year_source"] = "unknown"
    design = build_design(speeches, "s(year) + kind")
    assert dict(design.dropped) == {"s(year)": "no speech has a usable year"}
    assert design.formula == "1 + kind" and not design.has_year


def test_formula_errors_are_one_line():
    with pytest.raises(ConfigError, match=r"effects.prevalence = 's\(year' is not a formula \(.*\) — write e.g."):
        parse_formula("s(year")
    with pytest.raises(ConfigError, match=r"must be one right-hand side"):
        parse_formula("theta ~ year")
    with pytest.raises(TopicsError, match=r"names 'region', not a column of the speeches — use one of: doc_id"):
        build_design(speeches_table(), "s(year) + region")


def test_linear_companion_of_a_formula():
    assert linear_in_year(parse_formula("s(year, 5) + genre")) == "1 + year + genre"
    assert linear_in_year(parse_formula("year + genre")) is None
    assert linear_in_year(parse_formula("genre")) is None


def test_levels_and_their_differences_from_the_reference():
    rng = np.random.default_rng(3)
    theta, gamma, units, speeches = make_data(rng, n_speeches=80, years=[2010] * 80)
    speeches["genre"] = np.where(np.arange(80) < 50, "speech", "work_report")
    shift = np.where(units["doc_id"].map(dict(zip(speeches["doc_id"], speeches["genre"]))) == "work_report", 3.0, 1.0)
    gamma = gamma * np.column_stack([shift, np.ones(len(units)), np.ones(len(units))])
    result = analysis.effects_from(gamma, units, speeches, EffectsConfig(prevalence="genre"), n_sims=50)
    table = result.table[result.table["topic"] == 0].set_index("term")
    assert set(table["kind"]) == {"level", "difference"}
    assert table.loc["genre: work_report − speech", "lower"] > 0.1
    assert table.loc["genre = speech", "estimate"] < table.loc["genre = work_report", "estimate"]
    assert result.year_effects.empty  # no year in the formula


def test_contrasts_outside_the_years_are_skipped_with_a_reason(planted):
    gamma, units, speeches = planted
    result = analysis.effects_from(gamma, units, speeches, EffectsConfig(contrasts=((1950, 1990), ("1970-1979", 1995))),
                                   n_sims=20)
    assert result.skipped == ["1950 → 1990: outside the usable years 1960–2020"]
    assert "1995 − 1970–1979" in set(result.table["term"])


def test_default_contrast_is_the_two_halves_of_the_years(planted):
    gamma, units, speeches = planted
    result = analysis.effects_from(gamma, units, speeches, n_sims=20)
    assert result.contrasts == [("1960-1990", "1991-2020")]
    assert "1991–2020 − 1960–1990" in set(result.table["term"])


def test_warning_when_most_speeches_have_no_year():
    rng = np.random.default_rng(8)
    years = [2000 + i % 10 for i in range(12)] + [None] * 40
    _, gamma, units, speeches = make_data(rng, n_speeches=52, years=years)
    result = analysis.effects_from(gamma, units, speeches, n_sims=20)
    assert result.warning == "only 12 of 52 speeches (23%) have a usable year: the curves describe those 12, not the corpus"
    assert result.spline_warning.startswith("the curve s(year) has 9 degrees of freedom for 12 dated speeches")
    assert result.curve_warning == f"{result.warning}; {result.spline_warning}"  # the curves carry both


def test_warning_when_the_year_curve_has_nearly_a_coefficient_per_speech():
    """15 speeches, one a year: stm's default spline (10 df) runs through each and swings between them."""
    rng = np.random.default_rng(6)
    years = [1954 + 5 * i for i in range(15)]
    _, gamma, units, speeches = make_data(rng, n_speeches=15, years=years)
    result = analysis.effects_from(gamma, units, speeches, n_sims=20)
    assert result.warning is None  # the year-group table and figure are not concerned
    assert result.curve_warning.startswith("the curve s(year) has 10 degrees of freedom for 15 dated speeches")
    assert result.curve_warning.endswith("or write s(year, 3) in [effects] prevalence")
    calmer = analysis.effects_from(gamma, units, speeches, EffectsConfig(prevalence="s(year, 3)"), n_sims=20)
    assert calmer.curve_warning is None


def test_effect_tables_are_reproducible_with_a_seed(planted):
    gamma, units, speeches = planted
    first = analysis.effects_from(gamma, units, speeches, n_sims=30, random_state=4)
    again = analysis.effects_from(gamma, units, speeches, n_sims=30, random_state=4)
    pd.testing.assert_frame_equal(first.year_effects, again.year_effects)
    pd.testing.assert_frame_equal(first.table, again.table)


def test_warning_names_why_the_design_left_year_out():
    """Ten dated speeches cannot carry a spline: the warning gives that reason, not 'no usable year'."""
    rng = np.random.default_rng(5)
    _, gamma, units, speeches = make_data(rng, n_speeches=10, years=[2000 + i for i in range(10)])
    result = analysis.effects_from(gamma, units, speeches, n_sims=20)
    assert result.warning.startswith("the effect of year was not estimated (s(year")
    assert "no speech has a usable year" not in result.warning
    assert "10" in result.warning
    assert result.spline_warning is None  # the spline was left out: no curve to warn about
