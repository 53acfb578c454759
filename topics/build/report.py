"""The build report: everything the builder removed, repaired, merged or skipped, for an audit.

``report.json`` is the machine-readable record; ``report.md`` is the same, for a person.

Both are written entry by entry, never built whole (as one structure and one string it took ~3 KB
a speech: 300 MB at 10^5 speeches). One pass over each long list — the log's spooled inputs,
removals, text in no speech, repairs and duplicates (:class:`topics.build.log.Spool`), and the
speech rows — counts what the report states first and renders each entry's Markdown row (and,
for a speech, its JSON entry) into a temporary file; then the two files are written from those.
``report.json`` has the bytes ``dumps_readable(data, default=str)`` gives for the whole report
as one structure (:func:`_write_readable`), ``report.md`` those :func:`_markdown_lines` gives for it.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections import Counter
from contextlib import ExitStack, closing
from operator import itemgetter
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Callable, Iterable, Iterator, Mapping, Sequence


from ..common.tables import clip, markdown_cell, markdown_rows
from .log import Spool

if TYPE_CHECKING:  # pragma: no cover
    from .log import BuildLog

__all__ = ["write_reports"]

#: a speech's columns in report.json (all of them are in speeches.csv)
SPEECH_KEYS = ("doc_id", "source_file", "start_line", "end_line", "title", "year", "year_min", "year_max",
               "year_source", "genre", "admin_level", "duplicate_of", "in_model", "n_chars", "n_tokens", "n_units")

_dumps = json.JSONEncoder(ensure_ascii=False, default=str).encode  # json.dumps(value, ensure_ascii=False, default=str)


def _year_cell(s: Mapping[str, Any]) -> str:
    if s["year"] is not None:
        return str(s["year"])
    if s.get("year_min") is not None or s.get("year_max") is not None:
        return f"({s.get('year_min') or '…'}–{s.get('year_max') or '…'})"
    return ""


#: each long table of report.md: its columns, and the cells of an entry
TABLES: dict[str, tuple[list[str], Callable[[Mapping[str, Any]], list[Any]]]] = {
    "inputs": (["file", "encoding", "lines", "speeches"],
               lambda e: [e["source_file"], e["encoding"], e["n_lines"], e["n_speeches"]]),
    "speeches": (["doc_id", "lines", "title", "year", "year source", "genre", "level", "duplicate of", "chars",
                  "tokens", "units"],
                 lambda s: [s["doc_id"], f"{s['start_line']}–{s['end_line']}", clip(s["title"] or "", 30), _year_cell(s),
                            s["year_source"], s["genre"], s["admin_level"], s["duplicate_of"] or "", s["n_chars"],
                            s["n_tokens"], s["n_units"]]),
    "conflicts": (["doc_id", "conflict"], lambda c: [c["doc_id"], clip(c["conflict"], 160)]),
    "duplicates": (["doc_id", "duplicate of", "kind", "similarity"],
                   lambda d: [d["doc_id"], d["duplicate_of"], d["kind"], d["similarity"]]),
    "removed": (["file", "line", "chars", "rule", "text"],
                lambda r: [r["source_file"], r["line"], f"{r['start']}–{r['end']}", r["rule"], clip(r["text"])]),
    "pieces": (["file", "line", "chars", "where", "text"],
               lambda r: [r["source_file"], r["line"], f"{r['start']}–{r['end']}", r["rule"].removeprefix("structure: "),
                          clip(r["text"])]),
    "repairs": (["file", "line", "kind", "rule", "before", "after", "count"],
                lambda r: [r["source_file"], r["line"], r["kind"], r["rule"], clip(r["before"], 30), clip(r["after"], 30),
                           r["count"]]),
}


def _markdown_row(cells: Iterable[Any]) -> str:
    """A row of :func:`topics.common.tables.markdown_rows`."""
    return "| " + " | ".join(markdown_cell(v) for v in cells) + " |"


class Lines:
    """Lines of text kept in an anonymous temporary file: ``add`` them, then read them (``lines``)."""

    def __init__(self) -> None:
        self._file: IO[str] = tempfile.TemporaryFile("w+", encoding="utf-8", newline="\n")
        self._count = 0

    def add(self, line: str) -> None:
        self._file.write(line + "\n")
        self._count += 1

    def __len__(self) -> int:
        return self._count

    def lines(self) -> Iterator[str]:
        self._file.seek(0)
        return (line[:-1] for line in self._file)

    def close(self) -> None:
        self._file.close()


_LAZY = (Spool, Lines)  # lists written as they are read, one entry a line


def write_reports(workdir: Path, speeches: Sequence[Mapping[str, Any]], vocabulary_size: int, log: "BuildLog") -> None:
    """Write ``report.json`` and ``report.md`` into ``workdir``.

    ``speeches`` are the rows of ``speeches.csv`` (column -> value), read once; ``log`` is the
    build's :class:`topics.build.log.BuildLog` (its spooled lists are read twice).
    """
    with ExitStack() as stack:
        files = {name: stack.enter_context(closing(Lines())) for name in [*TABLES, "speeches.json"]}
        conflicts = stack.enter_context(closing(Spool()))
        data = _report_data(speeches, vocabulary_size, log, files, conflicts)
        with open(workdir / "report.json", "w", encoding="utf-8", buffering=1 << 16) as out:
            _write_readable(out, data)
            out.write("\n")
        rendered = {name: files[name].lines for name in TABLES}
        with open(workdir / "report.md", "w", encoding="utf-8", buffering=1 << 16) as out:
            for line in _markdown_lines(data, rendered):
                out.write(line + "\n")


def _report_data(speeches: Sequence[Mapping[str, Any]], vocabulary_size: int, log: "BuildLog",
                 files: dict[str, Lines], conflicts: Spool) -> dict[str, Any]:
    """The report as one structure whose long lists are spools or :class:`Lines` (read, not held).

    Reads each long list once: counts, and each entry's Markdown row into ``files[table]``; the
    speeches' JSON entries go to ``files["speeches.json"]``, their year conflicts to ``conflicts``.
    """
    encodings: Counter = Counter()
    for entry in _rendering(log.inputs, "inputs", files):
        encodings[entry["encoding"]] += 1
    removed_by_rule = Counter(r["rule"] for r in _rendering(log.removals, "removed", files))
    structure_by_rule, structure_chars = Counter(), 0
    for r in _rendering(log.structure, "pieces", files):
        structure_by_rule[r["rule"]] += 1
        structure_chars += r["end"] - r["start"]
    repairs_by_kind, n_repairs = Counter(), 0
    for r in _rendering(log.repairs, "repairs", files):
        repairs_by_kind[r["kind"]] += 1
        n_repairs += r["count"]
    for _ in _rendering(log.duplicates, "duplicates", files):
        pass
    counts, confidence = _read_speeches(speeches, files["speeches.json"], files["speeches"], conflicts)
    for _ in _rendering(conflicts, "conflicts", files):
        pass
    return {
        "inputs": log.inputs,
        "encodings": dict(sorted(encodings.items())),
        "skipped": log.skipped,
        "boilerplate": {"n_removed": len(log.removals), "by_rule": dict(sorted(removed_by_rule.items())),
                        "removed": log.removals},
        "structure": {"n_pieces": len(log.structure), "n_chars": structure_chars,
                      "by_rule": dict(sorted(structure_by_rule.items())), "pieces": log.structure},
        "repairs": {"n_repairs": n_repairs, "by_kind": dict(sorted(repairs_by_kind.items())), "repairs": log.repairs},
        "duplicates": log.duplicates,
        "metadata_confidence": confidence,
        "metadata_overrides_unmatched": log.overrides,
        "speeches": files["speeches.json"],
        "counts": {"files": len(log.inputs), "files_skipped": len(log.skipped), **counts,
                   "vocabulary": vocabulary_size},
        "segmentation_cache": log.cache,
        "execution": log.execution,
        "resources": log.resources,
        "notes": log.notes,
        "timings_seconds": log.timings,
    }


def _rendering(entries: Iterable[Mapping[str, Any]], table: str, files: dict[str, Lines]) -> Iterator[Mapping[str, Any]]:
    """``entries``, each one's row of ``table`` in report.md added to ``files[table]`` as it passes."""
    cells, rows = TABLES[table][1], files[table]
    for entry in entries:
        rows.add(_markdown_row(cells(entry)))
        yield entry


_ROLE = re.compile(r"\[(\w+)\]")


def _read_speeches(speeches: Iterable[Mapping[str, Any]], entries: Lines, rows: Lines,
                   conflicts: Spool) -> tuple[dict[str, int], dict[str, Any]]:
    """One pass over the speech rows: their counts and how sure their years are (pinned /
    bounded / unknown, the evidence types used, each conflict), each speech's report.json entry
    into ``entries`` and its report.md row into ``rows``.

    Years are read back from ``year_evidence`` (see :mod:`topics.build.dating`): ``[role]`` marks
    a clue; pieces starting ``conflict:`` are conflicts and ``set aside:`` mentions not used.
    """
    n_speeches = n_in_model = n_units = n_tokens = 0
    years: Counter = Counter()
    roles: Counter = Counter()
    sources: Counter = Counter()
    genres: Counter = Counter()
    set_aside = admin_unknown = 0
    cells = TABLES["speeches"][1]
    values = itemgetter(*SPEECH_KEYS, "year_evidence")
    for row in speeches:
        *shown, evidence = values(row)
        speech = dict(zip(SPEECH_KEYS, shown))
        entries.add(_dumps(speech))
        rows.add(_markdown_row(cells(speech)))
        n_speeches += 1
        if speech["in_model"]:
            n_in_model, n_units, n_tokens = n_in_model + 1, n_units + speech["n_units"], n_tokens + speech["n_tokens"]
        pinned = speech["year"] is not None
        bounded = not pinned and (speech["year_min"] is not None or speech["year_max"] is not None)
        years["pinned" if pinned else "bounded" if bounded else "unknown"] += 1
        sources[speech["year_source"]] += 1
        genres[speech["genre"]] += 1
        admin_unknown += speech["admin_level"] == "unknown"
        for piece in (evidence or "").split("; "):
            if piece.startswith("conflict:"):
                conflicts.append({"doc_id": speech["doc_id"], "conflict": piece[len("conflict:"):].strip()})
            elif piece.startswith("set aside:"):
                set_aside += 1
            else:
                roles.update(set(_ROLE.findall(piece)))
    counts = {"speeches": n_speeches, "speeches_in_model": n_in_model, "units": n_units, "tokens": n_tokens}
    confidence = {
        "years": {key: years[key] for key in ("pinned", "bounded", "unknown")},
        "year_sources": dict(sorted(sources.items())),
        "evidence_types": dict(sorted(roles.items(), key=lambda item: (-item[1], item[0]))),
        "set_aside": set_aside,
        "conflicts": conflicts,
        "admin_level_unknown": admin_unknown,
        "genres": dict(sorted(genres.items())),
    }
    return counts, confidence


def _write_readable(out: IO[str], value: Any, level: int = 0, depth: int = 2) -> None:
    """Write ``dumps_readable(value, default=str)`` (:func:`topics.common.fileio.dumps_readable`):
    the outer ``depth`` levels indented, deeper values on one line; a spool or :class:`Lines` of
    JSON entries is written as the list it holds, one entry at a time."""
    pad, inner = "  " * level, "  " * (level + 1)
    if isinstance(value, _LAZY):
        lines = value.lines()
        first = next(lines, None)
        if first is None:
            out.write("[]")
        elif level < depth:
            if level + 1 < depth:  # its entries would be indented too: not a shape the report has
                raise ValueError("a spooled list's entries are written on one line each")
            out.write("[\n" + inner + first)
            for line in lines:
                out.write(",\n" + inner + line)
            out.write("\n" + pad + "]")
        else:
            out.write("[" + first)
            for line in lines:
                out.write(", " + line)
            out.write("]")
    elif level < depth and isinstance(value, dict) and value:
        out.write("{\n")
        for i, (key, item) in enumerate(value.items()):
            out.write((",\n" if i else "") + inner + _dumps(key if isinstance(key, str) else str(key)) + ": ")
            _write_readable(out, item, level + 1, depth)
        out.write("\n" + pad + "}")
    elif level < depth and isinstance(value, (list, tuple)) and value:
        out.write("[\n")
        for i, item in enumerate(value):
            out.write((",\n" if i else "") + inner)
            _write_readable(out, item, level + 1, depth)
        out.write("\n" + pad + "]")
    else:
        out.write(_dumps(value))


def _markdown_lines(data: dict[str, Any], rendered: dict[str, Callable[[], Iterator[str]]] | None = None) -> Iterator[str]:
    """The lines of ``report.md`` for the report ``data`` (the structure report.json holds).

    ``rendered``: for a long table, its rows already rendered (:data:`TABLES`); the others are
    rendered from ``data`` here.
    """
    rendered = rendered or {}

    def table(name: str, entries: Iterable[Mapping[str, Any]]) -> Iterator[str]:
        headers, cells = TABLES[name]
        yield from markdown_rows(headers, [])
        yield from rendered[name]() if name in rendered else (_markdown_row(cells(entry)) for entry in entries)

    counts, cache = data["counts"], data["segmentation_cache"]
    yield from ["# Corpus build report", ""]
    yield (f"{counts['files']} files read ({counts['files_skipped']} skipped), {counts['speeches']} speeches found, "
           f"{counts['speeches_in_model']} in the model as {counts['units']} units, {counts['tokens']:,} tokens, "
           f"vocabulary {counts['vocabulary']:,}. Built in {data['timings_seconds'].get('total', 0):.2f} s "
           f"(cache: {cache['files_cached']} files reused, {cache['files_read']} read; "
           f"speech segmentations {cache['hits']} reused, {cache['misses']} new).")
    if data.get("execution"):
        yield from ["", f"Stage 1 (reading, cleaning, segmenting) ran on {data['execution']['where']}."]
    if data.get("resources"):
        yield from ["", "## Language resources", "",
                    "`topics:NAME` is a file shipped in the package; other files are the project's own.", ""]
        yield from markdown_rows(["setting", "file", "sha256"], [[key, entry["file"], entry["sha256"][:16]]
                                                                for key, files in data["resources"].items() for entry in files])
    yield from ["", "## Inputs and encodings", ""]
    yield from table("inputs", data["inputs"])
    if data["skipped"]:
        yield from ["", "### Skipped files", ""]
        yield from markdown_rows(["file", "reason"], [[s["source_file"], s["reason"]] for s in data["skipped"]])
    yield from ["", "## Speeches", ""]
    yield from table("speeches", data["speeches"])
    conf = data.get("metadata_confidence")
    if conf:
        years = conf["years"]
        yield from ["", "## Metadata confidence", "",
                    "A year is *pinned* by its evidence, *bounded* to a range (`year_min`–`year_max`), or unknown; "
                    "`year_evidence` quotes every clue (how they are weighed: `topics/build/dating.py`).", ""]
        yield from markdown_rows(["measure", "speeches"], [
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
            yield from ["", "### Conflicts (resolved by precedence; see each speech's year_evidence)", ""]
            yield from table("conflicts", conf["conflicts"])
    if data["duplicates"]:
        yield from ["", "## Duplicates (listed, left out of the model by default)", ""]
        yield from table("duplicates", data["duplicates"])
    bp = data["boilerplate"]
    yield from ["", f"## Boilerplate removed ({bp['n_removed']} pieces)", ""]
    yield from markdown_rows(["rule", "count"], [[rule, n] for rule, n in bp["by_rule"].items()])
    yield ""
    yield from table("removed", bp["removed"])
    st = data.get("structure")
    if st and st["n_pieces"]:
        yield from ["", f"## Text in no speech ({st['n_pieces']} pieces, {st['n_chars']:,} characters)", "",
                    "Every character of the input is in a speech, removed as boilerplate (above), or listed here:",
                    "compilation titles, headings and introductions that no speech takes. Check them when a",
                    "speech seems to start or end in the wrong place.", ""]
        yield from table("pieces", st["pieces"])
    rp = data["repairs"]
    yield from ["", f"## Repairs ({rp['n_repairs']} changes)", ""]
    yield from markdown_rows(["kind", "entries"], [[kind, n] for kind, n in rp["by_kind"].items()])
    yield ""
    yield from table("repairs", rp["repairs"])
    if data["metadata_overrides_unmatched"]:
        yield from ["", "## Metadata overrides that do nothing", ""]
        yield from (f"- {item}" for item in data["metadata_overrides_unmatched"])
    if data["notes"]:
        yield from ["", "## Notes", ""]
        yield from (f"- {note}" for note in data["notes"])
    yield from ["", "## Time taken (s)", ""]
    yield from markdown_rows(["stage", "seconds"], [[k, v] for k, v in data["timings_seconds"].items()])
