"""The builder against the development gold (../shared/gold-dev: files 001, 002, 003).

Targets: every gold unit found with its line span within ±1 line, no spurious units, and year,
genre and admin_level agreeing for at least 90% of the units (a null gold year must be None).
"""

from __future__ import annotations

import pytest

import gold

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(not (gold.GOLD_DIR / "speeches.json").is_file(),
                       reason=f"gold annotation not found at {gold.GOLD_DIR} (../shared is absent)"),
]


@pytest.fixture(scope="module")
def scores():
    return gold.score_all()


def test_every_gold_unit_found_and_none_spurious(scores):
    problems = [p for s in scores for p in s.missed + s.spurious]
    assert not problems, "\n".join(problems)
    assert sum(s.found for s in scores) == sum(s.gold for s in scores) == 7


@pytest.mark.parametrize("field", ("year", "genre", "admin_level"))
def test_metadata_agreement_at_least_90_percent(scores, field):
    found = sum(s.found for s in scores)
    agree = sum(s.agree[field] for s in scores)
    disagreements = [d for s in scores for d in s.disagreements if f" {field}:" in d]
    assert agree >= 0.9 * found, "\n".join(disagreements)


def test_char_offsets_of_single_line_speech(scores):
    assert not [d for s in scores for d in s.disagreements if " chars:" in d]


def test_gold_year_null_iff_ours_none():
    units = {u["id"]: u for u in gold.load_gold()}
    for name in sorted({u["file"] for u in units.values()}):
        for seg, meta in gold.run_pipeline(gold.RAW_DIR / name):
            key = f"{name[:3]}#{seg.index}"
            if key in units:
                assert (units[key]["year"] is None) == (meta.year is None), key


@pytest.fixture(scope="module")
def pairs():
    """(gold unit, our SpeechSpan, our SpeechMeta) for every gold unit."""
    units = {u["id"]: u for u in gold.load_gold()}
    out = []
    for name in sorted({u["file"] for u in units.values()}):
        for seg, meta in gold.run_pipeline(gold.RAW_DIR / name):
            key = f"{name[:3]}#{seg.index}"
            if key in units:
                out.append((units[key], seg, meta))
    return out


def test_every_explicit_and_implied_gold_year_is_right(pairs):
    dated = [(u, m) for u, _, m in pairs if gold.year_basis(u) in ("explicit", "implied")]
    assert len(dated) == 4
    wrong = [f"{u['id']}: gold {u['year']} ({u['year_basis']}), ours {m.year} [{m.year_evidence[:120]}]"
             for u, m in dated if m.year != u["year"]]
    assert not wrong, "\n".join(wrong)
    assert {m.year_source for u, m in dated if gold.year_basis(u) == "explicit"} == {"explicit"}


def test_nothing_asserted_without_evidence(pairs):
    for unit, _, meta in pairs:
        if meta.year is not None:
            assert meta.year_min == meta.year == meta.year_max
            assert "line " in meta.year_evidence, unit["id"]
        if meta.place is not None:  # a place only from the gazetteer, and the one annotated
            assert meta.place == unit["place"], (unit["id"], meta.place, meta.place_evidence)
        assert meta.genre_evidence and meta.level_evidence and meta.place_evidence


def test_annotated_places_found_with_their_level(pairs):
    found = {u["id"]: (m.place, m.admin_level) for u, _, m in pairs}
    assert found["002#0"] == ("晴隆县", "county")
    assert found["002#4"] == ("平鲁区", "district")
