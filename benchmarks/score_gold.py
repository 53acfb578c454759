"""Score the corpus builder's units and metadata against the development gold.

Usage::

    python benchmarks/score_gold.py            # files annotated in ../shared/gold-dev
    python benchmarks/score_gold.py --show 000 # also list our units for other raw files

Prints, per annotated file and overall: units found vs gold (span within ±1 line), spurious
units, agreement of year / genre / admin_level / place, and every disagreement; then the
explicit and implied gold years we get right, and the years and places we assert wrongly
(a wrong value is worse than none).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests")]

import gold  # noqa: E402  (tests/gold.py)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", nargs="*", default=[],
                        help="raw file prefixes whose units to list (no scoring)")
    args = parser.parse_args(argv)
    if not gold.GOLD_DIR.is_dir():
        print(f"no gold annotation at {gold.GOLD_DIR}", file=sys.stderr)
        return 1
    scores = gold.score_all()
    totals = {"gold": 0, "found": 0, "ours": 0, "spurious": 0}
    agree = dict.fromkeys(gold.FIELDS, 0)
    for s in scores:
        print(f"{s.name}: {s.found}/{s.gold} gold units found (±1 line), {s.ours} ours, "
              f"{len(s.spurious)} spurious; agreement "
              + ", ".join(f"{k} {v}/{s.found}" for k, v in s.agree.items()))
        for line in s.missed + s.spurious + s.disagreements:
            print(f"    - {line}")
        totals["gold"] += s.gold
        totals["found"] += s.found
        totals["ours"] += s.ours
        totals["spurious"] += len(s.spurious)
        for k, v in s.agree.items():
            agree[k] += v
    found = totals["found"] or 1
    print(f"OVERALL: {totals['found']}/{totals['gold']} found, {totals['spurious']} spurious; "
          + ", ".join(f"{k} {v}/{totals['found']} ({100 * v / found:.0f}%)" for k, v in agree.items()))
    units = {u["id"]: u for u in gold.load_gold()}
    dated = right = 0
    asserted_wrong = []
    for name in sorted({u["file"] for u in units.values()}):
        for seg, meta in gold.run_pipeline(gold.RAW_DIR / name):
            unit = units.get(f"{name[:3]}#{seg.index}")
            if unit is None:
                continue
            if gold.year_basis(unit) in ("explicit", "implied"):
                dated += 1
                right += meta.year == unit["year"]
            for key in ("year", "place"):
                ours = getattr(meta, key)
                if ours is not None and ours != unit[key]:
                    asserted_wrong.append(f"{unit['id']} {key}: gold {unit[key]!r}, ours {ours!r}")
    print(f"explicit and implied gold years right: {right}/{dated}; years or places asserted wrongly: "
          f"{len(asserted_wrong)}" + "".join(f"\n    - {item}" for item in asserted_wrong))
    for prefix in args.show:
        for path in sorted(gold.RAW_DIR.glob(f"{prefix}*")):
            print(f"\n{path.name}:")
            for seg, meta in gold.run_pipeline(path):
                print(f"  #{seg.index} lines {seg.start_line}–{seg.end_line} ({seg.boundary}) "
                      f"title={seg.title!r} year={meta.year} ({meta.year_min}–{meta.year_max}) [{meta.year_source}] "
                      f"genre={meta.genre} level={meta.admin_level} place={meta.place}")
                print(f"      evidence: {meta.year_evidence[:160]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
