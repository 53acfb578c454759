"""The build report: everything the builder removed, repaired, merged or skipped, for an audit.

``report.json`` is the machine-readable record; ``report.md`` is the same, for a person.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gensim.corpora import Dictionary

from ..common.fileio import dumps_readable
from ..common.tables import clip, markdown_rows

if TYPE_CHECKING:  # pragma: no cover
    from .log import BuildLog


def build_report_data(speeches: list[dict[str, Any]], dictionary: Dictionary, log: "BuildLog") -> dict[str, Any]:
    in_model = [row for row in speeches if row["in_model"]]
    return {
        "inputs": log.inputs,
        "encodings": dict(sorted(Counter(entry["encoding"] for entry in log.inputs).items())),
        "skipped": log.skipped,
        "boilerplate": {
            "n_removed": len(log.removals),
            "by_rule": dict(sorted(Counter(r["rule"] for r in log.removals).items())),
            "removed": log.removals,
        },
        "structure": {
            "n_pieces": len(log.structure),
            "n_chars": sum(r["end"] - r["start"] for r in log.structure),
            "by_rule": dict(sorted(Counter(r["rule"] for r in log.structure).items())),
            "pieces": log.structure,
        },
        "repairs": {
            "n_repairs": sum(r["count"] for r in log.repairs),
            "by_kind": dict(sorted(Counter(r["kind"] for r in log.repairs).items())),
            "repairs": log.repairs,
        },
        "duplicates": log.duplicates,
        "metadata_confidence": metadata_confidence(speeches),
        "metadata_overrides_unmatched": log.overrides,
        "speeches": [
            {key: row.get(key) for key in ("doc_id", "source_file", "start_line", "end_line", "title", "year",
                                           "year_min", "year_max", "year_source", "genre", "admin_level", "duplicate_of", "in_model",
                                       "n_chars", "n_tokens", "n_units")}
            for row in speeches
        ],
        "counts": {
            "files": len(log.inputs), "files_skipped": len(log.skipped), "speeches": len(speeches),
            "speeches_in_model": len(in_model), "units": sum(row["n_units"] for row in in_model),
            "tokens": sum(row["n_tokens"] for row in in_model), "vocabulary": len(dictionary),
        },
        "segmentation_cache": log.cache,
        "execution": log.execution,
        "resources": log.resources,
        "notes": log.notes,
        "timings_seconds": log.timings,
    }


_ROLE = re.compile(r"\[(\w+)\]")


def metadata_confidence(speeches: list[dict[str, Any]]) -> dict[str, Any]:
    """How sure the years are: pinned / bounded / unknown, the evidence types used, each conflict.

    Read back from ``year_evidence`` (see :mod:`topics.build.dating`): ``[role]`` marks a clue;
    pieces starting ``conflict:`` are conflicts and ``set aside:`` mentions not used.
    """
    years = Counter()
    roles: Counter = Counter()
    conflicts, set_aside = [], 0
    for row in speeches:
        pinned = row.get("year") is not None
        bounded = not pinned and (row.get("year_min") is not None or row.get("year_max") is not None)
        years["pinned" if pinned else "bounded" if bounded else "unknown"] += 1
        for piece in (row.get("year_evidence") or "").split("; "):
            if piece.startswith("conflict:"):
                conflicts.append({"doc_id": row["doc_id"], "conflict": piece[len("conflict:"):].strip()})
            elif piece.startswith("set aside:"):
                set_aside += 1
            else:
                roles.update(set(_ROLE.findall(piece)))
    return {
        "years": {key: years[key] for key in ("pinned", "bounded", "unknown")},
        "year_sources": dict(sorted(Counter(row["year_source"] for row in speeches).items())),
        "evidence_types": dict(sorted(roles.items(), key=lambda item: (-item[1], item[0]))),
        "set_aside": set_aside,
        "conflicts": conflicts,
        "admin_level_unknown": sum(row.get("admin_level") == "unknown" for row in speeches),
        "genres": dict(sorted(Counter(row.get("genre") for row in speeches).items())),
    }


def _year_cell(s: dict[str, Any]) -> str:
    if s["year"] is not None:
        return str(s["year"])
    if s.get("year_min") is not None or s.get("year_max") is not None:
        return f"({s.get('year_min') or '…'}–{s.get('year_max') or '…'})"
    return ""


def render_markdown(data: dict[str, Any]) -> str:
    counts = data["counts"]
    out = ["# Corpus build report", ""]
    out.append(
        f"{counts['files']} files read ({counts['files_skipped']} skipped), {counts['speeches']} speeches found, "
        f"{counts['speeches_in_model']} in the model as {counts['units']} units, {counts['tokens']:,} tokens, "
        f"vocabulary {counts['vocabulary']:,}. Built in {data['timings_seconds'].get('total', 0):.2f} s "
        f"(cache: {data['segmentation_cache']['files_cached']} files reused, {data['segmentation_cache']['files_read']} read; "
        f"speech segmentations {data['segmentation_cache']['hits']} reused, {data['segmentation_cache']['misses']} new)."
    )
    if data.get("execution"):
        out += ["", f"Stage 1 (reading, cleaning, segmenting) ran on {data['execution']['where']}."]
    if data.get("resources"):
        out += ["", "## Language resources", "", "`topics:NAME` is a file shipped in the package; other files are the project's own.", ""]
        out += markdown_rows(["setting", "file", "sha256"], [[key, entry["file"], entry["sha256"][:16]]
                                                             for key, files in data["resources"].items() for entry in files])
    out += ["", "## Inputs and encodings", ""]
    out += markdown_rows(["file", "encoding", "lines", "speeches"],
                  [[e["source_file"], e["encoding"], e["n_lines"], e["n_speeches"]] for e in data["inputs"]])
    if data["skipped"]:
        out += ["", "### Skipped files", ""]
        out += markdown_rows(["file", "reason"], [[s["source_file"], s["reason"]] for s in data["skipped"]])
    out += ["", "## Speeches", ""]
    out += markdown_rows(
        ["doc_id", "lines", "title", "year", "year source", "genre", "level", "duplicate of", "chars", "tokens", "units"],
        [[s["doc_id"], f"{s['start_line']}–{s['end_line']}", clip(s["title"] or "", 30), _year_cell(s),
          s["year_source"], s["genre"], s["admin_level"], s["duplicate_of"] or "", s["n_chars"], s["n_tokens"], s["n_units"]]
         for s in data["speeches"]],
    )
    out += _confidence_markdown(data.get("metadata_confidence"))
    if data["duplicates"]:
        out += ["", "## Duplicates (listed, left out of the model by default)", ""]
        out += markdown_rows(["doc_id", "duplicate of", "kind", "similarity"],
                      [[d["doc_id"], d["duplicate_of"], d["kind"], d["similarity"]] for d in data["duplicates"]])
    bp = data["boilerplate"]
    out += ["", f"## Boilerplate removed ({bp['n_removed']} pieces)", ""]
    out += markdown_rows(["rule", "count"], [[rule, n] for rule, n in bp["by_rule"].items()])
    out += [""]
    out += markdown_rows(["file", "line", "chars", "rule", "text"],
                  [[r["source_file"], r["line"], f"{r['start']}–{r['end']}", r["rule"], clip(r["text"])] for r in bp["removed"]])
    st = data.get("structure")
    if st and st["n_pieces"]:
        out += ["", f"## Text in no speech ({st['n_pieces']} pieces, {st['n_chars']:,} characters)", "",
                "Every character of the input is in a speech, removed as boilerplate (above), or listed here:",
                "compilation titles, headings and introductions that no speech takes. Check them when a",
                "speech seems to start or end in the wrong place.", ""]
        out += markdown_rows(["file", "line", "chars", "where", "text"],
                             [[r["source_file"], r["line"], f"{r['start']}–{r['end']}", r["rule"].removeprefix("structure: "),
                               clip(r["text"])] for r in st["pieces"]])
    rp = data["repairs"]
    out += ["", f"## Repairs ({rp['n_repairs']} changes)", ""]
    out += markdown_rows(["kind", "entries"], [[kind, n] for kind, n in rp["by_kind"].items()])
    out += [""]
    out += markdown_rows(["file", "line", "kind", "rule", "before", "after", "count"],
                  [[r["source_file"], r["line"], r["kind"], r["rule"], clip(r["before"], 30), clip(r["after"], 30), r["count"]]
                   for r in rp["repairs"]])
    if data["metadata_overrides_unmatched"]:
        out += ["", "## Metadata overrides that matched no speech", ""]
        out += [f"- {item}" for item in data["metadata_overrides_unmatched"]]
    if data["notes"]:
        out += ["", "## Notes", ""] + [f"- {note}" for note in data["notes"]]
    out += ["", "## Time taken (s)", ""]
    out += markdown_rows(["stage", "seconds"], [[k, v] for k, v in data["timings_seconds"].items()])
    return "\n".join(out) + "\n"


def _confidence_markdown(conf: dict[str, Any] | None) -> list[str]:
    if not conf:
        return []
    years = conf["years"]
    out = ["", "## Metadata confidence", "",
           "A year is *pinned* by its evidence, *bounded* to a range (`year_min`–`year_max`), or unknown; "
           "`year_evidence` quotes every clue (how they are weighed: `topics/build/dating.py`).", ""]
    out += markdown_rows(["measure", "speeches"], [
        ["years pinned", years["pinned"]], ["years bounded to a range", years["bounded"]],
        ["years unknown", years["unknown"]],
        ["year sources", ", ".join(f"{k} {v}" for k, v in conf["year_sources"].items())],
        ["evidence types used (speeches)", ", ".join(f"{k} {v}" for k, v in conf["evidence_types"].items()) or "—"],
        ["mentions set aside (history, targets, reviews, …)", conf["set_aside"]],
        ["admin level unknown", conf["admin_level_unknown"]],
        ["genres", ", ".join(f"{k} {v}" for k, v in conf["genres"].items())],
        ["conflicts", len(conf["conflicts"])],
    ])
    if conf["conflicts"]:
        out += ["", "### Conflicts (resolved by precedence; see each speech's year_evidence)", ""]
        out += markdown_rows(["doc_id", "conflict"], [[c["doc_id"], clip(c["conflict"], 160)] for c in conf["conflicts"]])
    return out


def write_reports(workdir: Path, speeches: list[dict[str, Any]], dictionary: Dictionary, log: "BuildLog") -> None:
    data = build_report_data(speeches, dictionary, log)
    (workdir / "report.json").write_text(dumps_readable(data, default=str) + "\n", encoding="utf-8")
    (workdir / "report.md").write_text(render_markdown(data), encoding="utf-8")
