"""The build report: everything the builder removed, repaired, merged or skipped, for an audit.

``report.json`` is the machine-readable record; ``report.md`` is the same, for a person.
"""

from __future__ import annotations

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
        "repairs": {
            "n_repairs": sum(r["count"] for r in log.repairs),
            "by_kind": dict(sorted(Counter(r["kind"] for r in log.repairs).items())),
            "repairs": log.repairs,
        },
        "duplicates": log.duplicates,
        "metadata_overrides_unmatched": log.overrides,
        "speeches": [
            {key: row[key] for key in ("doc_id", "source_file", "start_line", "end_line", "title", "year",
                                       "year_source", "genre", "admin_level", "duplicate_of", "in_model",
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
        "notes": log.notes,
        "timings_seconds": log.timings,
    }


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
    out += ["", "## Inputs and encodings", ""]
    out += markdown_rows(["file", "encoding", "lines", "speeches"],
                  [[e["source_file"], e["encoding"], e["n_lines"], e["n_speeches"]] for e in data["inputs"]])
    if data["skipped"]:
        out += ["", "### Skipped files", ""]
        out += markdown_rows(["file", "reason"], [[s["source_file"], s["reason"]] for s in data["skipped"]])
    out += ["", "## Speeches", ""]
    out += markdown_rows(
        ["doc_id", "lines", "title", "year", "year source", "genre", "level", "duplicate of", "chars", "tokens", "units"],
        [[s["doc_id"], f"{s['start_line']}–{s['end_line']}", clip(s["title"] or "", 30), s["year"] if s["year"] is not None else "",
          s["year_source"], s["genre"], s["admin_level"], s["duplicate_of"] or "", s["n_chars"], s["n_tokens"], s["n_units"]]
         for s in data["speeches"]],
    )
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


def write_reports(workdir: Path, speeches: list[dict[str, Any]], dictionary: Dictionary, log: "BuildLog") -> None:
    data = build_report_data(speeches, dictionary, log)
    (workdir / "report.json").write_text(dumps_readable(data, default=str) + "\n", encoding="utf-8")
    (workdir / "report.md").write_text(render_markdown(data), encoding="utf-8")
