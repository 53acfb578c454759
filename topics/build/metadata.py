"""The metadata stage: year, genre, admin level and place of a speech, and human overrides.

It combines three focused modules, each finding one thing from the speech's own text and
quoting its evidence (nothing is guessed):

* **year** (:mod:`topics.build.dating`, clues in :mod:`topics.build.date_clues`): ``year`` only
  when pinned, ``year_min``/``year_max`` when bounded, ``year_source`` (``filename``,
  ``explicit``, ``implied``, ``anonymized``, ``unknown``; ``metadata`` for a human override)
  and ``year_evidence`` quoting every clue used with its line number, by a stated precedence;
  dated events come from ``dated_events.tsv`` (:data:`DATED_EVENTS`, :func:`load_dated_events`);
* **genre** (:mod:`topics.build.genre`): one of :data:`topics.corpus.GENRES`, from the title
  and the opening formula;
* **admin_level** and **place** (:mod:`topics.build.places`): levels from the title, the speaker
  and the audience; places only from the gazetteer of PRC divisions shipped with the package.

Human overrides come from ``corpus/metadata.csv`` (:func:`load_overrides`,
:func:`apply_overrides`): they win over everything inferred, and a year set there has
``year_source == "metadata"``.
"""

from __future__ import annotations

import csv
import dataclasses
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Sequence

from ..corpus import ADMIN_LEVELS, GENRES
from ..errors import InputFileError
from .dating import date_speech
from .genre import genre
from .places import admin_level, place


#: The dated events shipped with the package (topics/resources/dated_events.tsv).
DATED_EVENTS = Path(str(resources.files("topics.resources") / "dated_events.tsv"))


@dataclass(frozen=True)
class SpeechMeta:
    """Metadata of one speech unit, with the evidence for each field (see the module docstring).

    ``year_min``/``year_max`` equal ``year`` when it is pinned; the ``*_evidence`` fields of genre,
    level and place say why (or why ``unknown``/None) for audits and scoring.
    """

    title: str | None
    year: int | None
    year_source: str
    year_evidence: str
    genre: str
    admin_level: str
    place: str | None
    year_min: int | None = None
    year_max: int | None = None
    genre_evidence: str = ""
    level_evidence: str = ""
    place_evidence: str = ""


@dataclass(frozen=True)
class DatedEvent:
    """A pattern whose mention dates a speech to ``earliest``–``latest`` (None = open)."""

    pattern: re.Pattern
    earliest: int
    latest: int | None
    note: str


def load_dated_events(paths: str | Path | Sequence[str | Path] = DATED_EVENTS) -> tuple[DatedEvent, ...]:
    """Read dated events from one or several TSV files (format in the header of the packaged file);
    errors name file and line."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    events = []
    for path in map(Path, paths):
        for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not raw.strip() or raw.lstrip().startswith("#"):
                continue
            cells = raw.split("\t") + [""] * 3
            pattern, earliest, latest, note = (c.strip() for c in cells[:4])
            try:
                events.append(DatedEvent(re.compile(pattern), int(earliest),
                                         int(latest) if latest else None, note))
            except (re.error, ValueError) as exc:
                raise InputFileError(path, f"bad dated event ({exc})",
                                     "give a regex, a start year and an optional end year, tab-separated",
                                     line=number) from None
    return tuple(events)


@lru_cache(maxsize=None)
def _default_events() -> tuple[DatedEvent, ...]:
    return load_dated_events(DATED_EVENTS)


def infer_metadata(speech, events: tuple[DatedEvent, ...] | None = None) -> SpeechMeta:
    """Infer year, genre, admin level and place of a speech unit.

    Parameters
    ----------
    speech : a :class:`topics.build.speeches.SpeechSpan` (after repair, or raw: both placeholder
        forms are understood); its ``source_file`` counts too (dates in file and folder names).
    events : dated events; default: the ``dated_events.tsv`` shipped with the package.
    """
    events = _default_events() if events is None else events
    numbered = [(line.number, line.text) for line in speech.lines if line.text.strip()]
    text = speech.text
    title = speech.title
    dating = date_speech(numbered, getattr(speech, "source_file", "") or "", events)
    kind, kind_evidence = genre(title, text)
    level, level_evidence = admin_level(title, speech.heading, text)
    where, place_evidence = place(title, speech.heading, text, level)
    return SpeechMeta(title=title, year=dating.year, year_source=dating.year_source,
                      year_evidence=dating.year_evidence, genre=kind, admin_level=level, place=where,
                      year_min=dating.year_min, year_max=dating.year_max, genre_evidence=kind_evidence,
                      level_evidence=level_evidence, place_evidence=place_evidence)


# --------------------------------------------------------------------------------------------
# Human overrides: corpus/metadata.csv

OVERRIDE_COLUMNS = ("source_file", "start_line", "end_line", "year", "genre", "admin_level",
                    "place", "title", "note")


@dataclass(frozen=True)
class Override:
    """One row of ``metadata.csv``; ``None`` fields override nothing. ``row`` is its line number."""

    path: str
    row: int
    source_file: str
    start_line: int | None
    end_line: int | None
    year: int | None
    genre: str | None
    admin_level: str | None
    place: str | None
    title: str | None
    note: str

    def matches(self, speech) -> bool:
        """True if the row names ``speech``'s file and, when given, lines inside its span."""
        if speech.source_file != self.source_file:
            return False
        return all(line is None or speech.start_line <= line <= speech.end_line
                   for line in (self.start_line, self.end_line))

    def __str__(self) -> str:
        span = "" if self.start_line is None else f" lines {self.start_line}–{self.end_line or '…'}"
        return (f"{self.path}:{self.row}: override for {self.source_file}{span} matched no speech — "
                f"check the file name (as speeches.csv's source_file: relative to the input folder, with its "
                f"suffix) and that the line span lies within one speech")


class Overrides(tuple):
    """The rows of ``metadata.csv``; remembers which rows :func:`apply_overrides` used."""

    def __new__(cls, rows=(), ignored_columns=(), idle_rows=()):
        self = super().__new__(cls, rows)
        self._used = set()
        self.ignored_columns = tuple(ignored_columns)  # extra columns, listed in the build report
        self.idle_rows = tuple(idle_rows)  # rows whose only values are in ignored columns (said as problems)
        return self

    def unmatched(self) -> list[Override]:
        """Rows that matched no speech so far (report them: they are usually typos)."""
        return [row for row in self if id(row) not in self._used]


_VALUE_COLUMNS = ("year", "genre", "admin_level", "place", "title")
_EVIDENCE_OF = {"genre": "genre_evidence", "admin_level": "level_evidence", "place": "place_evidence"}


def load_overrides(path: str | Path) -> Overrides:
    """Read human metadata overrides from a CSV file with header ``OVERRIDE_COLUMNS``.

    The file is plain CSV (no comment lines). Blank cells override nothing; ``start_line`` and
    ``end_line`` may be blank (the row then applies to every speech of the file). ``file`` is
    accepted for ``source_file`` and other extra columns are ignored (and reported), so a corpus'
    own metadata table (e.g. ``file, year, title, source``) can be used as it is.

    Raises
    ------
    InputFileError
        naming the file and line of a missing/unknown column, a bad number or an unknown
        genre or admin level.
    """
    path = Path(path)
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        header = [c.strip() for c in reader.fieldnames or []]
        key_column = "source_file" if "source_file" in header else "file" if "file" in header else None
        if key_column is None:
            raise InputFileError(path, f"bad header {header}: no source_file column",
                                 f"use the columns {', '.join(OVERRIDE_COLUMNS)}", line=1)
        ignored = [c for c in header if c not in OVERRIDE_COLUMNS and c != key_column]
        rows, idle = [], []
        for record in reader:
            record = {k.strip(): v for k, v in record.items() if k is not None}
            record["source_file"] = record.get(key_column)
            rows.append(_parse_override(path, reader.line_num, record))
            held = [c for c in ignored if (record.get(c) or "").strip()]
            if held and all(getattr(rows[-1], c) is None for c in _VALUE_COLUMNS):
                # a row whose only values are in columns not read (yaer, yr): its correction would be lost
                idle.append(f"{path}:{reader.line_num}: sets nothing — its values are in columns not read "
                            f"({', '.join(held)}); name them {', '.join(_VALUE_COLUMNS)}")
    return Overrides(rows, ignored_columns=ignored, idle_rows=idle)


def _parse_override(path: Path, row: int, record: dict) -> Override:
    cell = {k: (record.get(k) or "").strip() or None for k in OVERRIDE_COLUMNS}

    def number(key: str, low: int, high: int) -> int | None:
        if cell[key] is None:
            return None
        try:
            value = int(cell[key])
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            raise InputFileError(path, f"{key} {cell[key]!r} is not a whole number in {low}–{high}",
                                 f"fix the {key} cell or leave it blank", line=row)
        return value

    if cell["source_file"] is None:
        raise InputFileError(path, "empty source_file", "name the input file as in speeches.csv",
                             line=row)
    for key, allowed in (("genre", GENRES), ("admin_level", ADMIN_LEVELS)):
        if cell[key] is not None and cell[key] not in allowed:
            raise InputFileError(path, f"{key} {cell[key]!r} is not allowed",
                                 f"use one of {', '.join(allowed)}", line=row)
    start, end = number("start_line", 1, 10**9), number("end_line", 1, 10**9)
    if start is not None and end is not None and end < start:
        raise InputFileError(path, f"end_line {end} is before start_line {start}",
                             "swap or fix the line numbers", line=row)
    return Override(str(path), row, cell["source_file"], start, end, number("year", 1900, 2100),
                    cell["genre"], cell["admin_level"], cell["place"], cell["title"],
                    cell["note"] or "")


def apply_overrides(meta: SpeechMeta, speech, overrides) -> SpeechMeta:
    """Return ``meta`` with the fields set by every override row matching ``speech``.

    Later rows win over earlier ones; a year from an override has ``year_source`` "metadata".
    Matched rows are remembered so :meth:`Overrides.unmatched` can report the rest.
    """
    for row in overrides:
        if not row.matches(speech):
            continue
        if isinstance(overrides, Overrides):
            overrides._used.add(id(row))
        changes = {k: getattr(row, k) for k in ("genre", "admin_level", "place", "title")
                   if getattr(row, k) is not None}
        note = f" ({row.note})" if row.note else ""
        given = f"{Path(row.path).name}:{row.row}: override{note}"
        changes.update({_EVIDENCE_OF[k]: given for k in _EVIDENCE_OF if k in changes})
        if row.title is not None:  # a title given by a person is evidence too: the title wins
            text = getattr(speech, "text", "")
            if "genre" not in changes:
                changes["genre"], cue = genre(row.title, text)
                changes["genre_evidence"] = f"{cue} (title from {given})" if cue else ""
            if row.admin_level is None and admin_level(row.title, None, "")[0] == "national":
                changes["admin_level"] = "national"
                changes["level_evidence"] = f"the title from {given}"
        if row.year is not None:
            changes.update(year=row.year, year_min=row.year, year_max=row.year, year_source="metadata",
                           year_evidence=given)
        meta = dataclasses.replace(meta, **changes)
    return meta


def unmatched_overrides(overrides, speeches) -> list[Override]:
    """Override rows that match none of ``speeches`` (pure: does not use the remembered state)."""
    speeches = list(speeches)
    return [row for row in overrides if not any(row.matches(s) for s in speeches)]
