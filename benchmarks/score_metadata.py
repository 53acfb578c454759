"""Score the builder's metadata on the 57 Government Work Reports, built *without* their metadata.

The reports (``../shared/corpora/cn-gov-work-reports``) are copied into a temporary folder under
names that carry no year (``doc_001.txt`` …, numbered in the order of their content hash, so that
not even the order gives the year away), built with ``topics build`` and no metadata table, and the
built ``speeches.csv`` is compared with the corpus' own ``metadata.csv``:

- year: right / wrong / unknown (and of the unknown ones, how many have a range, and whether the
  range holds the true year);
- place: every place given must be a name of the gazetteer (a PRC administrative division); a
  national report should name none;
- admin_level: every report is delivered on behalf of the State Council to the National People's
  Congress, so ``national`` (or ``unknown``) is right and anything else wrong;
- genre: one genre for all 57 (``work_report`` is right).

Usage::

    python benchmarks/score_metadata.py                 # split none, as the README builds this corpus
    python benchmarks/score_metadata.py --split auto    # the builder's default speech finder
    python benchmarks/score_metadata.py --show          # every report's year, evidence, level, genre
    python benchmarks/score_metadata.py --results       # also write the figures into RESULTS.md

The gold-dev annotation of the embedded corpus is scored by ``benchmarks/score_gold.py``.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpora" / "cn-gov-work-reports"
RIGHT_LEVELS = ("national", "unknown")


def anonymised_copy(corpus: Path, folder: Path) -> dict[str, dict]:
    """Copy the reports to ``folder/raw/doc_NNN.txt``; return new name → metadata.csv row."""
    with open(corpus / "metadata.csv", encoding="utf-8", newline="") as handle:
        rows = {row["file"]: row for row in csv.DictReader(handle)}
    digests = {name: hashlib.sha256((corpus / name).read_bytes()).hexdigest() for name in rows}
    raw = folder / "raw"
    raw.mkdir(parents=True)
    truth = {}
    for number, name in enumerate(sorted(rows, key=digests.__getitem__), start=1):
        new = f"doc_{number:03d}.txt"
        shutil.copyfile(corpus / name, raw / new)
        truth[new] = rows[name]
    return truth


def build(folder: Path, split: str, workers: int, cache: Path):
    from topics.build import build_corpus
    from topics.config import BuildConfig

    config = BuildConfig(raw=(str(folder / "raw"),), out=str(folder / "corpus"), split=split,
                         metadata="", cache_dir=str(cache))  # metadata "": no overrides at all
    return build_corpus(config, progress=False, force=True, workers=workers)


def is_division(name: str) -> bool | None:
    """True if ``name`` is in the gazetteer (None while the builder has none)."""
    try:
        from topics.build.places import gazetteer
    except ImportError:
        return None
    return name in gazetteer()


def score(speeches, truth: dict[str, dict]) -> dict:
    """Per report the longest of its speeches (with ``--split none`` the only one) is scored."""
    longest = (speeches.sort_values(["source_file", "n_chars"], ascending=[True, False], kind="stable")
               .drop_duplicates("source_file"))
    years = Counter()
    details, wrong, bad_places = [], [], []
    levels, genres, places = Counter(), Counter(), Counter()
    for row in longest.itertuples(index=False):
        true_year = int(truth[row.source_file]["year"])
        year = None if row.year is None or str(row.year) == "<NA>" else int(row.year)
        low = getattr(row, "year_min", None)
        high = getattr(row, "year_max", None)
        low = None if low is None or str(low) == "<NA>" else int(low)
        high = None if high is None or str(high) == "<NA>" else int(high)
        if year == true_year:
            years["right"] += 1
        elif year is not None:
            years["wrong"] += 1
            wrong.append(f"{row.source_file} ({truth[row.source_file]['file']}): {year} "
                         f"[{row.year_source}] for {true_year}: {row.year_evidence[:300]}")
        else:
            years["unknown"] += 1
            if low is not None or high is not None:
                inside = (low or 0) <= true_year <= (high or 9999)
                years["bounded, holds the year" if inside else "bounded, misses the year"] += 1
                if not inside:
                    wrong.append(f"{row.source_file} ({truth[row.source_file]['file']}): range "
                                 f"{low}–{high} misses {true_year}: {row.year_evidence[:300]}")
        levels[row.admin_level] += 1
        genres[row.genre] += 1
        place = None if row.place is None or str(row.place) == "<NA>" else str(row.place)
        if place is not None:
            places[place] += 1
            if is_division(place) is False:
                bad_places.append(place)
        details.append(f"{row.source_file} = {truth[row.source_file]['file']}: year {year} "
                       f"[{row.year_source}] {low}–{high}; level {row.admin_level}; genre {row.genre}; "
                       f"place {place}\n      {row.year_evidence[:400]}")
    return {"n": len(longest), "n_speeches": len(speeches), "years": years, "wrong": wrong,
            "levels": levels, "genres": genres, "places": places, "bad_places": bad_places,
            "details": details}


def summary(result: dict, split: str, seconds: float) -> list[str]:
    n, years = result["n"], result["years"]
    wrong_levels = sum(v for k, v in result["levels"].items() if k not in RIGHT_LEVELS)
    checked = is_division("北京市") is not None
    place_note = (f"{len(result['bad_places'])} not an administrative division"
                  if checked else "not checked (no gazetteer)")
    return [
        f"Government Work Reports without metadata.csv, files renamed doc_NNN.txt, split={split} "
        f"({result['n_speeches']} speeches from {n} files, built in {seconds:.0f} s)",
        "",
        "| measure | figure |",
        "|---|---|",
        f"| years right | {years['right']} / {n} |",
        f"| years wrong | {years['wrong']} / {n} |",
        f"| years unknown | {years['unknown']} / {n} (with a range: "
        f"{years['bounded, holds the year']} hold the true year, {years['bounded, misses the year']} miss it) |",
        f"| places given | {sum(result['places'].values())} ({place_note}): "
        f"{', '.join(f'{k} ×{v}' for k, v in result['places'].most_common()) or '—'} |",
        f"| admin levels | {', '.join(f'{k} {v}' for k, v in result['levels'].most_common())} "
        f"({wrong_levels} neither national nor unknown) |",
        f"| genres | {', '.join(f'{k} {v}' for k, v in result['genres'].most_common())} "
        f"({len(result['genres'])} distinct) |",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--split", default="none", choices=["none", "auto"])
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--cache", type=Path, default=ROOT / "build" / "score-metadata-cache",
                        help="build cache (segmentations are reused between runs)")
    parser.add_argument("--show", action="store_true", help="list every report's metadata and evidence")
    parser.add_argument("--results", action="store_true", help="write the figures into benchmarks/RESULTS.md")
    args = parser.parse_args(argv)
    if not (args.corpus / "metadata.csv").is_file():
        print(f"skipped: {args.corpus}/metadata.csv is absent (the corpus lives in ../shared)")
        return 0
    with tempfile.TemporaryDirectory(prefix="topics-score-metadata-") as work:
        folder = Path(work)
        truth = anonymised_copy(args.corpus, folder)
        started = time.perf_counter()
        corpus = build(folder, args.split, args.workers, args.cache)
        seconds = time.perf_counter() - started
        result = score(corpus.speeches, truth)
    lines = summary(result, args.split, seconds)
    print("\n".join(lines))
    for item in result["wrong"]:
        print(f"  - wrong: {item}")
    for place in result["bad_places"]:
        print(f"  - not a division: {place}")
    if args.show:
        print("\n".join(result["details"]))
    if args.results:
        sys.path.insert(0, str(ROOT / "benchmarks"))
        from results_file import update_section

        update_section(f"Metadata without a metadata table (benchmarks/score_metadata.py, split {args.split})",
                       "\n".join(lines + [""] + [f"- wrong: {item}" for item in result["wrong"]]
                                 + [f"- not a division: {p}" for p in result["bad_places"]]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
