"""What the builder found and fixed in a built corpus, as tables a researcher can audit.

The build writes everything it removed, repaired or merged to ``report.json`` (see
:mod:`topics.build.report`); this module turns that record and ``speeches.csv`` into small
DataFrames for notebooks and the run report:

* :func:`speeches_overview`: one row per speech with its line span, year, year source and evidence;
* :func:`year_sources`, :func:`category_counts`: how years were established, genres and levels;
* :func:`duplicates_table`: repeated speeches and previews, with the opening of both texts;
* :func:`encodings_table`, :func:`boilerplate_by_category`, :func:`repairs_by_kind`,
  :func:`repairs_table`: the build report's record, per file, category and rule;
* :func:`spinner_examples`: the synonym-spun text next to the repaired one.

Every function takes a :class:`topics.corpus.BuiltCorpus` (or the report loaded by
:func:`load_build_report`) and returns a new DataFrame; nothing is modified.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from ..common.tables import clip
from ..corpus import ADMIN_LEVELS, GENRES, YEAR_SOURCES, BuiltCorpus
from ..errors import TopicsError

OVERVIEW_COLUMNS = ["doc_id", "source_file", "lines", "title", "year", "year_min", "year_max", "year_source",
                    "year_evidence", "genre", "admin_level", "duplicate_of", "in_model", "n_tokens", "n_units"]


def load_build_report(corpus: BuiltCorpus | str | Path) -> dict:
    """The build's ``report.json`` (inputs, boilerplate, repairs, duplicates, counts).

    Raises
    ------
    TopicsError
        for an in-memory corpus or a folder without ``report.json``.
    """
    folder = corpus.path if isinstance(corpus, BuiltCorpus) else Path(corpus)
    if folder is None:
        raise TopicsError("this in-memory corpus has no build report — build it with `topics build`")
    path = Path(folder) / "report.json"
    if not path.is_file():
        raise TopicsError(f"{path}: no build report — rebuild the corpus with `topics build --out {folder}`")
    return json.loads(path.read_text(encoding="utf-8"))


def _span(row) -> str:
    """``"9–35"``, or ``"23:0–4355"`` style offsets when the speech does not fill whole lines."""
    start, end = row.get("start_line"), row.get("end_line")
    if pd.isna(start) or pd.isna(end):
        return ""
    start_char, end_char = row.get("start_char"), row.get("end_char")
    left = f"{start}" if pd.isna(start_char) else f"{start}:{start_char}"
    right = f"{end}" if pd.isna(end_char) else f"{end}:{end_char}"
    return f"{left}–{right}"


def speeches_overview(corpus: BuiltCorpus) -> pd.DataFrame:
    """One row per speech: provenance (file and ``lines`` span), year with source and evidence, genre, level.

    ``lines`` reads ``"9–35"`` (inclusive, 1-based), or ``"23:0–23:4355"`` when a speech starts
    or ends inside a line (character offsets after the colon). Columns missing from an
    in-memory corpus are left out.
    """
    speeches = corpus.speeches.copy()
    speeches["lines"] = [_span(row) for row in speeches.to_dict("records")]
    return speeches[[c for c in OVERVIEW_COLUMNS if c in speeches]].reset_index(drop=True)


def year_sources(speeches: pd.DataFrame) -> pd.DataFrame:
    """How the years were established: speeches per ``year_source`` and the years found.

    Rows follow :data:`topics.corpus.YEAR_SOURCES` (strongest evidence first); columns
    ``year_source, n_speeches, in_model, years, ranges`` (``years`` e.g. ``"2013, 2024 (×3)"``;
    ``ranges``: the speeches without a year whose evidence bounds it, e.g. ``"2012–2016 (×2), 2003–…"``).
    """
    rows = []
    sources = speeches["year_source"].fillna("unknown")
    known = [s for s in YEAR_SOURCES if (sources == s).any()]
    extra = sorted(set(sources) - set(YEAR_SOURCES))
    for source in known + extra:
        part = speeches[sources == source]
        counts = part["year"].dropna().astype(int).value_counts().sort_index()
        years = ", ".join(f"{y}" if n == 1 else f"{y} (×{n})" for y, n in counts.items())
        rows.append({"year_source": source, "n_speeches": len(part),
                     "in_model": int(part["in_model"].sum()) if "in_model" in part else len(part),
                     "years": years, "ranges": _ranges(part)})
    return pd.DataFrame(rows, columns=["year_source", "n_speeches", "in_model", "years", "ranges"])


def _ranges(part: pd.DataFrame) -> str:
    """``"2012–2016 (×2), 2003–…"``: the year ranges of the speeches without a year."""
    if "year_min" not in part or "year_max" not in part:
        return ""
    undated = part[part["year"].isna() & (part["year_min"].notna() | part["year_max"].notna())]
    spans = [f"{'…' if pd.isna(low) else int(low)}–{'…' if pd.isna(high) else int(high)}"
             for low, high in zip(undated["year_min"], undated["year_max"])]
    counts = pd.Series(spans, dtype="string").value_counts(sort=False)
    return ", ".join(f"{span}" if n == 1 else f"{span} (×{n})" for span, n in sorted(counts.items()))


def category_counts(speeches: pd.DataFrame, column: str) -> pd.DataFrame:
    """Speeches per level of ``column`` (``genre`` or ``admin_level``), in the order of the package's
    own vocabulary (:data:`topics.corpus.GENRES`, :data:`topics.corpus.ADMIN_LEVELS`), zero rows dropped."""
    values = speeches[column].astype("string").fillna("unknown")
    vocabulary = {"genre": GENRES, "admin_level": ADMIN_LEVELS}.get(column, ())
    order = [v for v in vocabulary if (values == v).any()] + sorted(set(values) - set(vocabulary))
    rows = [{column: v, "n_speeches": int((values == v).sum()),
             "in_model": int(speeches.loc[values == v, "in_model"].sum()) if "in_model" in speeches else int((values == v).sum())}
            for v in order]
    return pd.DataFrame(rows, columns=[column, "n_speeches", "in_model"])


def duplicates_table(corpus: BuiltCorpus, width: int = 40) -> pd.DataFrame:
    """Speeches left out as repeats (``duplicate``) or short teasers of another (``preview``).

    Columns: ``doc_id, lines, duplicate_of, kept_lines, kind, n_chars, kept_n_chars, opening,
    kept_opening`` — the first ``width`` characters of both texts, so a reader can see they match.
    """
    speeches = corpus.speeches.set_index("doc_id", drop=False)
    linked = speeches[speeches["duplicate_of"].notna()] if "duplicate_of" in speeches else speeches.iloc[:0]
    try:
        texts = corpus.texts()
    except TopicsError:  # in-memory corpus: no texts on disk
        texts = {}
    rows = []
    for doc_id, row in linked.iterrows():
        kept = speeches.loc[row["duplicate_of"]] if row["duplicate_of"] in speeches.index else {}
        rows.append({"doc_id": doc_id, "lines": _span(row), "duplicate_of": row["duplicate_of"],
                     "kept_lines": _span(kept) if len(kept) else "", "kind": row.get("duplicate_kind"),
                     "n_chars": row.get("n_chars"), "kept_n_chars": kept.get("n_chars") if len(kept) else pd.NA,
                     "opening": clip(texts.get(doc_id), width), "kept_opening": clip(texts.get(row["duplicate_of"]), width)})
    columns = ["doc_id", "lines", "duplicate_of", "kept_lines", "kind", "n_chars", "kept_n_chars", "opening", "kept_opening"]
    return pd.DataFrame(rows, columns=columns)


def encodings_table(report: dict) -> pd.DataFrame:
    """Input files with the encoding they were decoded with, their line and speech counts, and skipped files."""
    rows = [{"source_file": e["source_file"], "encoding": e["encoding"], "n_lines": e["n_lines"],
             "n_speeches": e["n_speeches"], "skipped": ""} for e in report["inputs"]]
    rows += [{"source_file": s["source_file"], "encoding": "", "n_lines": 0, "n_speeches": 0,
              "skipped": s["reason"]} for s in report.get("skipped", [])]
    return pd.DataFrame(rows, columns=["source_file", "encoding", "n_lines", "n_speeches", "skipped"])


def boilerplate_by_category(report: dict, width: int = 40) -> pd.DataFrame:
    """Boilerplate pieces removed per category (rule), with the files and one example each."""
    removed = pd.DataFrame(report["boilerplate"]["removed"], columns=["source_file", "line", "start", "end", "text", "rule"])
    rows = []
    for rule, part in removed.groupby("rule", sort=True):
        rows.append({"category": rule, "n_removed": len(part), "chars": int((part["end"] - part["start"]).sum()),
                     "files": ", ".join(sorted(part["source_file"].unique())),
                     "example": clip(part["text"].iloc[0], width)})
    return pd.DataFrame(rows, columns=["category", "n_removed", "chars", "files", "example"])


def boilerplate_removed(report: dict, width: int = 60) -> pd.DataFrame:
    """Every removed piece: ``source_file, line, start, end, category, text`` (text clipped)."""
    removed = pd.DataFrame(report["boilerplate"]["removed"], columns=["source_file", "line", "start", "end", "rule", "text"])
    removed["text"] = removed["text"].map(lambda t: clip(t, width))
    return removed.rename(columns={"rule": "category"})


def repairs_by_kind(report: dict) -> pd.DataFrame:
    """Repairs per kind and rule: number of places (``entries``) and of substitutions (``changes``)."""
    repairs = pd.DataFrame(report["repairs"]["repairs"], columns=["source_file", "line", "kind", "rule", "before", "after", "count"])
    table = (repairs.groupby(["kind", "rule"], sort=True)
             .agg(entries=("count", "size"), changes=("count", "sum"),
                  files=("source_file", lambda s: ", ".join(sorted(set(s)))))
             .reset_index())
    return table


def repairs_table(report: dict, kind: str | None = None, width: int = 30) -> pd.DataFrame:
    """Every repair (of one ``kind`` when given): file, line, kind, rule, before → after, count."""
    repairs = pd.DataFrame(report["repairs"]["repairs"], columns=["source_file", "line", "kind", "rule", "before", "after", "count"])
    if kind is not None:
        repairs = repairs[repairs["kind"] == kind].reset_index(drop=True)
    for column in ("before", "after"):
        repairs[column] = repairs[column].map(lambda t: clip(t, width))
    return repairs


def spun_speeches(corpus: BuiltCorpus, report: dict | None = None) -> pd.DataFrame:
    """Speeches whose synonym-spinner substitutions were undone (the evidence-gated ``spinner`` repairs).

    Columns: ``doc_id, source_file, lines, title, n_rules, n_changes, pairs`` where ``pairs`` lists
    the most frequent substitutions, e.g. ``"方案→计划 ×33; 效劳→服务 ×25"``.
    """
    report = report or load_build_report(corpus)
    spinner = [r for r in report["repairs"]["repairs"] if r["kind"] == "spinner"]
    speeches = corpus.speeches
    rows = []
    for doc in speeches.itertuples(index=False):
        mine = [r for r in spinner if r["source_file"] == doc.source_file
                and doc.start_line <= r["line"] <= doc.end_line]
        if not mine:
            continue
        totals: dict[tuple[str, str], int] = {}
        for r in mine:
            totals[(r["before"], r["after"])] = totals.get((r["before"], r["after"]), 0) + r["count"]
        ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
        rows.append({"doc_id": doc.doc_id, "source_file": doc.source_file,
                     "lines": _span(doc._asdict()), "title": doc.title,
                     "n_rules": len({r["rule"] for r in mine}), "n_changes": sum(totals.values()),
                     "pairs": "; ".join(f"{b}→{a} ×{n}" for (b, a), n in ranked)})
    return pd.DataFrame(rows, columns=["doc_id", "source_file", "lines", "title", "n_rules", "n_changes", "pairs"])


def spinner_examples(corpus: BuiltCorpus, doc_id: str, n: int = 5) -> pd.DataFrame:
    """The synonym-spun text of a speech next to the builder's repair of it.

    For the ``n`` most frequent spinner substitutions of speech ``doc_id``, the text around the
    first place it was repaired, before and after the repair, as the build recorded it
    (``context_before`` / ``context_after`` in ``report.json``). Columns: ``rule, before, after,
    source, repaired``.
    """
    report = load_build_report(corpus)
    row = corpus.speeches.set_index("doc_id").loc[doc_id]
    spinner = [r for r in report["repairs"]["repairs"] if r["kind"] == "spinner"
               and r["source_file"] == row["source_file"] and row["start_line"] <= r["line"] <= row["end_line"]]
    rows = [{"rule": r["rule"], "before": r["before"], "after": r["after"],
             "source": clip(r.get("context_before", ""), 200), "repaired": clip(r.get("context_after", ""), 200)}
            for r in sorted(spinner, key=lambda r: (-r["count"], r["rule"], r["line"]))[:n]]
    return pd.DataFrame(rows, columns=["rule", "before", "after", "source", "repaired"])


__all__ = ["boilerplate_by_category", "boilerplate_removed", "category_counts", "duplicates_table",
           "encodings_table", "load_build_report", "repairs_by_kind", "repairs_table", "speeches_overview",
           "spinner_examples", "spun_speeches", "year_sources"]
