"""Metadata of a speech unit: year (with its source and evidence), genre, admin level, place.

Everything is inferred from the unit's own text, and nothing is guessed without evidence:

* **year** -- ``explicit`` when a date line (``（2024年5月11日）``) or a sentence about the
  meeting's own year (``2024年，全县…``) states it, taken at face value; ``implied`` when dated
  events mentioned in the text (``corpus/dated_events.tsv``) pin a single year; ``anonymized``
  when the years are placeholders (``20xx年``, ``**年``, ``XX年`` or the repair marker
  ``⟦YEAR⟧``) and no events pin one; ``unknown`` otherwise. Years inside document numbers
  (``县委2024年9号文件``) and ranges (``1998至2003年``) are not the meeting's year.
  ``metadata`` is reserved for years set by a human in ``corpus/metadata.csv``.
* **genre** -- from the unit's own title (主持词 → host_script, 工作报告/总结/汇报 →
  work_report, 讲话/发言 → speech, 致辞 → address unless the text reads as a leader's speech),
  else from cues in the text (agenda items → host_script).
* **admin_level** -- the body holding the meeting: the title wins (``全县`` → county), else the
  level the text names most often as its own (``全市``, ``我市``, ``市委、市政府`` → city).
* **place** -- a named county, city or district when the text names one, else None.

Human overrides come from ``corpus/metadata.csv`` (:func:`load_overrides`,
:func:`apply_overrides`): they win over everything inferred, and a year set there has
``year_source == "metadata"``.
"""

from __future__ import annotations

import csv
import dataclasses
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable

from ..corpus import ADMIN_LEVELS, GENRES
from ..errors import InputFileError
from .prefilter import line_check


#: The data file of dated events shipped with the package's corpus folder.
DATED_EVENTS = Path(__file__).resolve().parents[2] / "corpus" / "dated_events.tsv"

_LEVEL = {"省": "province", "市": "city", "县": "county", "区": "district", "镇": "township",
          "乡": "township"}

# A date line near the top of the unit: （2024年5月11日）.
_DATE_LINE = re.compile(r"[（(]\s*((?:19|20)\d{2})\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?\s*[）)]")
# A sentence about the current year: "2024年，全县…", "今年是2013年", "2012年是…".
_CURRENT_YEAR = re.compile(
    r"(?:^|(?<=[。！？；!?;]))\s*(?:今年是)?((?:19|20)\d{2})\s*年(?:度)?\s*(?:[，,]|是)")
# Year placeholders: 20xx年, **年, XX年, ××年 (raw) or the repair marker.
_YEAR_PLACEHOLDER = re.compile(r"(?:19|20)[xX×*＊]{2}\s*年|(?<![\dA-Za-z])[xX×*＊]{2,4}\s*年|⟦YEAR⟧")
_MAY_STATE_YEAR = line_check(_CURRENT_YEAR)
_MAY_HAVE_PLACEHOLDER = line_check(_YEAR_PLACEHOLDER)
_DATE_PLACEHOLDER_LINE = re.compile(r"[（(][^（）()]{0,4}(?:(?:19|20)?[xX×*＊]{2}\s*年|⟦YEAR⟧|⟦DATE⟧)")

_HOST_TITLE = re.compile(r"主持词|主持稿|主持人讲话|主持讲话")
_REPORT_TITLE = re.compile(r"工作报告|报告$|总结|汇报|述职")
_ADDRESS_TITLE = re.compile(r"致辞|欢迎词|贺词|祝词|致词")
_SPEECH_TITLE = re.compile(r"讲话|发言|讲稿|演讲|动员")
# Things a leader says in a work speech (as opposed to a ceremonial address).
_SPEECH_CUES = re.compile(r"我(?:再|就|先)?(?:讲|强调|谈)(?:[几两三四五六]|一下)|讲(?:[几两三四五六])(?:点|个)"
                          r"|(?:下面|最后)[，,]?我(?:再)?(?:讲|强调|谈)")
_HOST_CUES = re.compile(r"议程|下面(?:进行|请)|请.{0,30}(?:讲话|发言|作.{0,6}报告|宣读|授课|讲课)"
                        r"|大家欢迎|散会|到此结束|（掌声）|\(掌声\)")
_REPORT_CUES = re.compile(r"(?:上半年|一年来|今年以来)(?:主要)?工作(?:开展)?情况|存在的(?:主要)?问题"
                          r"|下半年(?:主要)?工作(?:任务|打算|安排)|现将.{0,30}(?:汇报|报告)如下")
_SALUTATION = re.compile(r"(?:同志们|朋友们|代表们|各位领导)\s*[：:，,]")

_OWN_LEVEL = re.compile(r"(?:全|我|本)(省|市|县|区|镇|乡)|(省|市|县|区|镇|乡)(?:委|党委)[、，,]\s*\2?政府")
# National bodies: a title naming the State Council or the NPC, or a 全国… conference, or a text
# delivered "on behalf of the State Council" (我代表国务院).
_NATIONAL_TITLE = re.compile(r"国务院|全国人民代表大会|全国人大|^全国")
_NATIONAL_TEXT = re.compile(r"我代表国务院|代表国务院[，,]?向")
_TITLE_LEVEL = re.compile(r"全(省|市|县|区|镇|乡)|^在?(省|市|县|区|镇|乡)(?![长委])|(省|市|县|区|镇|乡)(?:委|政府|党委)")

# A two-character name + 县/区/市 right after a word boundary ("为晴隆县…", "，石泉县…").
_PLACE = re.compile(r"(?:^|(?<=[为在对是把向给到从，。、；“：:（(\s]))"
                    r"([\u4e00-\u9fff]{2})(县|区|市)(?=[\u4e00-\u9fff，。、；”])(?![委政直级里域情长])")
# Characters that do not occur in such names but do in generic phrases (全县, 各县区, 示范县).
_NOT_PLACE = set("全我本各该每两其此外这那示和与及在为对到从向把被是有上下中小大新老一二三四五六七八九十"
                 "城市县区乡镇省地州街社园库山片辖开景矿牧郊农年月日个据照过")


@dataclass(frozen=True)
class SpeechMeta:
    """Metadata of one speech unit (see module docstring for how each field is found)."""

    title: str | None
    year: int | None
    year_source: str
    year_evidence: str
    genre: str
    admin_level: str
    place: str | None


@dataclass(frozen=True)
class DatedEvent:
    """A pattern whose mention dates a speech to ``earliest``–``latest`` (None = open)."""

    pattern: re.Pattern
    earliest: int
    latest: int | None
    note: str
    #: False only if ``pattern`` matches no line of the text (see topics.build.prefilter)
    may_match: Callable[[str], bool] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "may_match", line_check(self.pattern))


def load_dated_events(path: str | Path = DATED_EVENTS) -> tuple[DatedEvent, ...]:
    """Read dated events from a TSV file (format in its header); errors name file and line."""
    path = Path(path)
    events = []
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
    speech : a :class:`topics.build.speeches.SpeechSpan` (after repair, or raw: both placeholder forms
        are understood).
    events : dated events; default: ``corpus/dated_events.tsv`` shipped with the package.
    """
    events = _default_events() if events is None else events
    numbered = [(line.number, line.text) for line in speech.lines if line.text.strip()]
    text = speech.text
    title = speech.title
    year, source, evidence = _infer_year(numbered, events)
    level = _admin_level(title, speech.heading, text)
    return SpeechMeta(title=title, year=year, year_source=source, year_evidence=evidence,
                      genre=_genre(title, text), admin_level=level, place=_place(text, level))


def _quote(number: int, text: str, span: tuple[int, int] | None = None, width: int = 24) -> str:
    """``line N: “…”`` with the matched text and a little context."""
    if span is not None:
        start, end = max(0, span[0] - width), min(len(text), span[1] + width)
        text = text[start:end]
    return f"line {number}: “{text.strip()}”"


def _infer_year(numbered: list[tuple[int, str]], events) -> tuple[int | None, str, str]:
    """(year, year_source, year_evidence) following the rules in the module docstring.

    Line-by-line searches run only if the whole text can match (see topics.build.prefilter).
    """
    for number, text in numbered[:6]:  # a date line sits under the title
        match = _DATE_LINE.search(text[:80])
        if match:
            return int(match.group(1)), "explicit", _quote(number, text, match.span())
    whole = "\n".join(text for _, text in numbered)
    stated: Counter[int] = Counter()
    first_quote: dict[int, str] = {}
    for number, text in numbered if _MAY_STATE_YEAR(whole) else ():
        for match in _CURRENT_YEAR.finditer(text):
            year = int(match.group(1))
            stated[year] += 1
            first_quote.setdefault(year, _quote(number, text, match.span()))
    if stated:
        year = max(stated, key=lambda y: (stated[y], y))
        return year, "explicit", first_quote[year]
    anonymized = [(n, t, m.span()) for n, t in numbered[:6] if (m := _DATE_PLACEHOLDER_LINE.search(t))]
    if _MAY_HAVE_PLACEHOLDER(whole):
        anonymized += [(n, t, m.span()) for n, t in numbered if (m := _YEAR_PLACEHOLDER.search(t))]
    low, high, found = _event_range(numbered, events, whole)
    if found and low == high:
        return low, "implied", "; ".join(found)
    bound = f"; dated events bound it to {low}–{high or '…'}: " + "; ".join(found) if found else ""
    if anonymized:
        number, text, span = anonymized[0]
        return None, "anonymized", "year placeholder " + _quote(number, text, span) + bound
    return None, "unknown", "no year stated" + bound


def _event_range(numbered, events, whole: str | None = None) -> tuple[int | None, int | None, list[str]]:
    """Intersect the year ranges of the events mentioned; ([], …) if none or they conflict.

    ``whole``: the lines of ``numbered`` joined by newlines, to skip events mentioned nowhere.
    """
    low, high, found = None, None, []
    for event in events:
        if whole is not None and not event.may_match(whole):
            continue
        for number, text in numbered:
            match = event.pattern.search(text)
            if match:
                low = event.earliest if low is None else max(low, event.earliest)
                if event.latest is not None:
                    high = event.latest if high is None else min(high, event.latest)
                found.append(f"{_quote(number, text, match.span(), width=8)} "
                             f"({event.earliest}–{event.latest or '…'}: {event.note})")
                break
    if low is not None and high is not None and low > high:
        return None, None, []  # contradictory evidence (a quoted old text?): claim nothing
    return low, high, found


def _genre(title: str | None, text: str) -> str:
    """Genre from the unit's own title, checked against the text where the title can mislead."""
    title = title or ""
    if _HOST_TITLE.search(title):
        return "host_script"
    if _SPEECH_TITLE.search(title) and not _REPORT_TITLE.search(title):
        return "speech"
    if _ADDRESS_TITLE.search(title):
        # sites call many work speeches 致辞稿; a leader laying out tasks gives a speech
        return "speech" if _SPEECH_CUES.search(text) else "address"
    if _REPORT_TITLE.search(title):
        return "work_report"
    host_cues = len(_HOST_CUES.findall(text))
    if host_cues >= 3 and len(text) < 4000:
        return "host_script"
    if len(_REPORT_CUES.findall(text)) >= 2 and not _SALUTATION.search(text[:200]):
        return "work_report"
    if _SALUTATION.search(text) or _SPEECH_CUES.search(text):
        return "speech"
    return "other"


def _admin_level(title: str | None, heading: str | None, text: str) -> str:
    """Level of the body holding the meeting; the title wins over the body text."""
    for label in (title, heading):
        if _NATIONAL_TITLE.search(label or ""):
            return "national"
        match = _TITLE_LEVEL.search(label or "")
        if match:
            return _LEVEL[next(g for g in match.groups() if g)]
    if _NATIONAL_TEXT.search(text[:3000]):
        return "national"
    counts = Counter(_LEVEL[m.group(1) or m.group(2)] for m in _OWN_LEVEL.finditer(text))
    if not counts:
        return "unknown"
    (best, n), *rest = counts.most_common()
    return "unknown" if rest and rest[0][1] == n else best


def _place(text: str, level: str) -> str | None:
    """The most often named place of the unit's own level (2-character names), else None.

    Best effort: names of three or more characters are missed, and a name must occur twice
    (or as "<name>人") to count.
    """
    suffix = {"county": "县", "district": "区", "city": "市"}.get(level)
    names = Counter(m.group(0) for m in _PLACE.finditer(text)
                    if not set(m.group(1)) & _NOT_PLACE)
    if suffix:
        names = Counter({k: v for k, v in names.items() if k.endswith(suffix)})
    # one mention may be a verb + 县 ("落实县…"); a real name recurs or names its people (晴隆人)
    names = Counter({k: v for k, v in names.items() if v >= 2 or f"{k[:2]}人" in text})
    if not names:
        return None
    return max(names, key=lambda k: (names[k], -text.index(k)))


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
                f"check the file name and line span against speeches.csv")


class Overrides(tuple):
    """The rows of ``metadata.csv``; remembers which rows :func:`apply_overrides` used."""

    def __new__(cls, rows=(), ignored_columns=()):
        self = super().__new__(cls, rows)
        self._used = set()
        self.ignored_columns = tuple(ignored_columns)  # extra columns, listed in the build report
        return self

    def unmatched(self) -> list[Override]:
        """Rows that matched no speech so far (report them: they are usually typos)."""
        return [row for row in self if id(row) not in self._used]


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
        rows = []
        for record in reader:
            record = {k.strip(): v for k, v in record.items() if k is not None}
            record["source_file"] = record.get(key_column)
            rows.append(_parse_override(path, reader.line_num, record))
    return Overrides(rows, ignored_columns=ignored)


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
        if row.title is not None:  # a title given by a person is evidence too: the title wins
            text = getattr(speech, "text", "")
            changes.setdefault("genre", _genre(row.title, text))
            if row.admin_level is None and _NATIONAL_TITLE.search(row.title):
                changes["admin_level"] = "national"
        if row.year is not None:
            note = f" ({row.note})" if row.note else ""
            changes.update(year=row.year, year_source="metadata",
                           year_evidence=f"{Path(row.path).name}:{row.row}: override{note}")
        meta = dataclasses.replace(meta, **changes)
    return meta


def unmatched_overrides(overrides, speeches) -> list[Override]:
    """Override rows that match none of ``speeches`` (pure: does not use the remembered state)."""
    speeches = list(speeches)
    return [row for row in overrides if not any(row.matches(s) for s in speeches)]
