"""Score the corpus builder against the hand annotation in ../shared/gold-dev/speeches.json.

Used by ``tests/test_gold.py`` and ``benchmarks/score_gold.py``. The pipeline is the builder's
own: ``strip_boilerplate → segment → repair (if topics.build.repair exists) → infer_metadata``.

A gold unit is *found* when a unit of ours starts and ends within one line of it; our units
that match no gold unit are *spurious*. Year, genre, admin level and place are compared on
matched units (a gold year of null must be our ``None``). The gold ``place`` is free text; its
leading division name (``晴隆县 (Qianxinan…``) is the place, and a description without one
(``unnamed prefecture-level city``, ``probably 威远县``) means no place may be asserted.
"""

from __future__ import annotations

import importlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[2] / "shared"
GOLD_DIR = SHARED / "gold-dev"
RAW_DIR = REPO / "corpus" / "raw"
FIELDS = ("year", "genre", "admin_level", "place")


@dataclass(frozen=True)
class _Source:
    """Stand-in for topics.build.ingest.SourceText when only name and text are needed."""

    name: str
    path: Path
    text: str

    def lines(self) -> list[str]:
        return self.text.split("\n")


def load_gold(path: Path = GOLD_DIR / "speeches.json") -> list[dict]:
    units = json.loads(Path(path).read_text(encoding="utf-8"))
    for unit in units:
        unit["place_text"] = unit.get("place")
        unit["place"] = gold_place(unit.get("place"))
    return units


def gold_place(text: str | None) -> str | None:
    """The division name a gold ``place`` description starts with, or None."""
    match = re.match(r"([\u4e00-\u9fff]{2,}?(?:自治县|县|区|市|旗))(?:\s|$|[（(])", text or "")
    return match.group(1) if match else None


def year_basis(unit: dict) -> str | None:
    """``explicit`` or ``implied`` (implied_in_text / implied_by_dated_event), or None."""
    basis = unit.get("year_basis") or ""
    return "implied" if basis.startswith("implied") else (basis or None)


def read_source(path: Path):
    """Read a raw file with topics.build.ingest if it is there, else as UTF-8."""
    try:
        from topics.build.ingest import read_source as ingest_read
    except ImportError:
        text = path.read_text(encoding="utf-8").replace("\r\n", "\n").replace("\r", "\n")
        return _Source(path.name, path, text.lstrip("\ufeff"))
    return ingest_read(path, path.name)


def run_pipeline(path: Path, mode: str = "auto") -> list[tuple]:
    """Segments and metadata of one raw file: a list of (SpeechSpan, SpeechMeta)."""
    from topics.build.boilerplate import load_rules, strip_boilerplate
    from topics.build.metadata import infer_metadata
    from topics.build.speeches import find_speeches

    rules = load_rules(REPO / "topics" / "resources" / "boilerplate.tsv")
    lines, _ = strip_boilerplate(read_source(path), rules)
    segments = find_speeches(lines, path.name, mode=mode)
    repair = _repair_function()
    out = []
    for seg in segments:
        if repair is not None:
            seg = repair(seg)
        out.append((seg, infer_metadata(seg)))
    return out


def _repair_function():
    """``segment -> repaired segment`` from topics.build.repair, or None while it does not exist."""
    try:
        repair = importlib.import_module("topics.build.repair")
    except ImportError:
        return None
    rules_path = REPO / "topics" / "resources" / "repairs.tsv"
    if not rules_path.is_file():
        return None
    rules = repair.load_repairs(rules_path)
    return lambda seg: repair.repair_speech(seg, rules)[0]


@dataclass
class FileScore:
    name: str
    gold: int = 0
    found: int = 0  # gold units matched within ±1 line
    ours: int = 0
    spurious: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    agree: dict[str, int] = field(default_factory=lambda: {f: 0 for f in FIELDS})
    disagreements: list[str] = field(default_factory=list)


def score_file(name: str, gold_units: list[dict], results: list[tuple]) -> FileScore:
    """Compare our (SpeechSpan, SpeechMeta) pairs of one file with its gold units."""
    score = FileScore(name, gold=len(gold_units), ours=len(results))
    used: set[int] = set()
    for unit in gold_units:
        match = next((k for k, (seg, _) in enumerate(results) if k not in used
                      and abs(seg.start_line - unit["start_line"]) <= 1
                      and abs(seg.end_line - unit["end_line"]) <= 1), None)
        if match is None:
            score.missed.append(f"{unit['id']} lines {unit['start_line']}–{unit['end_line']} not found")
            continue
        used.add(match)
        score.found += 1
        seg, meta = results[match]
        if unit.get("start_char") is not None and (seg.start_char, seg.end_char) != (
                unit["start_char"], unit["end_char"]):
            score.disagreements.append(f"{unit['id']} chars: gold {unit['start_char']}–"
                                       f"{unit['end_char']}, ours {seg.start_char}–{seg.end_char}")
        for key in FIELDS:
            ours = getattr(meta, key)
            if ours == unit[key]:
                score.agree[key] += 1
            else:
                extra = {"year": f" [{meta.year_source}: {meta.year_evidence[:80]}]",
                         "place": f" [{meta.place_evidence}]"}.get(key, "")
                score.disagreements.append(f"{unit['id']} {key}: gold {unit[key]!r}, "
                                           f"ours {ours!r}{extra}")
    for k, (seg, _) in enumerate(results):
        if k not in used:
            score.spurious.append(f"ours #{seg.index} lines {seg.start_line}–{seg.end_line} "
                                  f"({seg.boundary}) matches no gold unit")
    return score


def score_all(gold: list[dict] | None = None, raw_dir: Path = RAW_DIR) -> list[FileScore]:
    """Score every file that has gold units, in file order."""
    gold = load_gold() if gold is None else gold
    scores = []
    for name in sorted({unit["file"] for unit in gold}):
        units = [u for u in gold if u["file"] == name]
        scores.append(score_file(name, units, run_pipeline(raw_dir / name)))
    return scores
