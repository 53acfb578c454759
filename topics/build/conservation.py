"""No text disappears silently: every character of a file is in a speech or listed with its rule.

After boilerplate removal and speech finding, :func:`unassigned_text` lists every run of
characters of the decoded file that is in no speech and was not removed as boilerplate — a
compilation title before the first speech, headings between speeches, an introduction, a file in
which no speech was found. Each run becomes an entry of the build report with a ``structure``
rule saying where it was, so a reader can see every character the model does not get.

:func:`check_conservation` is the same accounting from the outside — the decoded file, the
speeches' spans and the report's entries — and is what the tests run over every corpus they have.
Whitespace is not counted.
"""

from __future__ import annotations

from typing import Iterable, Sequence

__all__ = ["check_conservation", "unassigned_text"]


def _uncovered_runs(text: str, intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Runs ``[start, end)`` of non-whitespace text in ``text`` outside every interval."""
    runs, position = [], 0
    for start, end in sorted(intervals) + [(len(text), len(text))]:
        if start > position:
            runs.extend(_trimmed_pieces(text, position, start))
        position = max(position, end)
    return runs


def _trimmed_pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    piece = text[start:end]
    stripped = piece.strip()
    if not stripped:
        return []
    left = start + (len(piece) - len(piece.lstrip()))
    return [(left, left + len(stripped))]


def _offset(value) -> int | None:
    """A character offset, or None for "the whole line" (None or a missing value in a table)."""
    if value is None or str(value) in ("<NA>", "nan", "NaN", ""):
        return None
    return int(value)


def _speech_coverage(spans: Iterable, n_lines: int) -> tuple[bytearray, dict[int, list[tuple[int, int]]]]:
    """Lines wholly in a speech, and the partly covered ones with their intervals."""
    whole = bytearray(n_lines + 2)
    partial: dict[int, list[tuple[int, int]]] = {}
    for span in spans:
        start_line, end_line = int(span.start_line), int(span.end_line)
        start_char, end_char = _offset(span.start_char), _offset(span.end_char)
        if start_char is None and end_char is None:
            whole[start_line:end_line + 1] = b"\x01" * (end_line - start_line + 1)
            continue
        for number in range(start_line, end_line + 1):
            lo = start_char if (number == start_line and start_char is not None) else 0
            hi = end_char if (number == end_line and end_char is not None) else 1 << 60
            partial.setdefault(number, []).append((lo, hi))
    return whole, partial


def unassigned_text(source_file: str, raw_lines: Sequence[str], removals: Iterable[dict], spans: Sequence
                    ) -> list[dict]:
    """Every run of text of the file in no speech and in no removal, as report entries.

    Parameters
    ----------
    raw_lines : the decoded file's lines (line *n* is ``raw_lines[n - 1]``).
    removals : the boilerplate removals (``line``, ``start``, ``end``).
    spans : the speeches found (``start_line``, ``end_line``, ``start_char``, ``end_char``), in order.

    Returns
    -------
    Entries like removals: ``source_file, line, start, end, text, rule`` with ``rule`` one of
    ``structure: before the first speech``, ``… between speeches``, ``… after the last speech``,
    ``… no speech found in the file``.
    """
    whole, partial = _speech_coverage(spans, len(raw_lines))
    removed: dict[int, list[tuple[int, int]]] = {}
    for item in removals:
        removed.setdefault(int(item["line"]), []).append((int(item["start"]), int(item["end"])))
    first = spans[0].start_line if spans else None
    last = spans[-1].end_line if spans else None
    entries = []
    for number, text in enumerate(raw_lines, start=1):
        if whole[number] or not text.strip():
            continue
        intervals = partial.get(number, []) + removed.get(number, [])
        for start, end in _uncovered_runs(text, intervals):
            if first is None:
                where = "no speech found in the file"
            elif number <= first:
                where = "before the first speech"
            elif number >= last:
                where = "after the last speech"
            else:
                where = "between speeches"
            entries.append({"source_file": source_file, "line": number, "start": start, "end": end,
                            "rule": f"structure: {where}", "text": text[start:end]})
    return entries


def check_conservation(raw_lines: Sequence[str], speeches: Sequence, listed: Iterable[dict]) -> list[str]:
    """Problems with the accounting of one file: characters in two speeches, or in none and unlisted.

    ``speeches``: rows with ``start_line, end_line, start_char, end_char`` (speeches.csv);
    ``listed``: the report's removals and structure entries of the file. Empty when every
    non-whitespace character is in exactly one speech or listed.
    """
    whole, partial = _speech_coverage([], len(raw_lines))
    count: dict[int, int] = {}
    problems = []
    for span in speeches:
        one = [span]
        w, p = _speech_coverage(one, len(raw_lines))
        for number in range(int(span.start_line), int(span.end_line) + 1):
            if w[number]:
                count[number] = count.get(number, 0) + 1
                if whole[number]:
                    problems.append(f"line {number} is in two speeches")
                whole[number] = 1
            for interval in p.get(number, []):
                partial.setdefault(number, []).append(interval)
    for number, intervals in partial.items():
        ordered = sorted(intervals)
        for (a0, a1), (b0, b1) in zip(ordered, ordered[1:]):
            if b0 < min(a1, len(raw_lines[number - 1])):
                problems.append(f"line {number}: characters {b0}–{min(a1, b1)} are in two speeches")
        if whole[number]:
            problems.append(f"line {number} is in two speeches")
    listed_by_line: dict[int, list[tuple[int, int]]] = {}
    for item in listed:
        listed_by_line.setdefault(int(item["line"]), []).append((int(item["start"]), int(item["end"])))
    for number, text in enumerate(raw_lines, start=1):
        if whole[number] or not text.strip():
            continue
        missing = _uncovered_runs(text, partial.get(number, []) + listed_by_line.get(number, []))
        for start, end in missing:
            problems.append(f"line {number}: {text[start:end][:40]!r} is in no speech and not listed")
    return problems
