"""The year of a speech from internal evidence, by a stated precedence; a range or nothing when in doubt.

:func:`date_speech` gathers the clues of :mod:`topics.build.date_clues` and weighs them:

1. ``filename`` — a date in the file name, or a folder named by a year (``year_source = "filename"``);
2. ``date_line``, ``venue`` — the document's own date line, or the numbered meeting at which it
   is delivered;
3. ``present_year``, ``plan_position``, ``anniversary``, ``work_report`` — years the text ties to
   the present (今年/去年/明年, the plan period, an anniversary, the review/tasks convention);
4. ``stated_year`` — sentences stating a year as the present one;
5. ``dated_event``, ``congress``, ``published`` (and ranges from the levels above) — bounds; a web
   page's publication date (``发布时间：…``) is only an upper bound.

The first level that has clues decides: it pins a year when at least two thirds of its clues
agree, otherwise it gives no year and its disagreement is listed as a conflict. A file name is a
collector's label (a compilation's year, the year of a download), the date line or venue is the
document's own: when they disagree the file name is set aside as a conflict and level 2 decides,
unless the text's own reading (levels 3–4) backs the file name, in which case no year is given,
only the range between the two. A year found at level 3 or 4 (our reading of the text, not the
document's own date) must also lie inside the bounds; if it does not, it is withdrawn and only the
range is kept. A date line or file name is taken at face value even against the bounds (sites
sometimes swap in the upload year: correct those in ``metadata.csv``), and the conflict is shown.
With no year pinned, the bounds give
``year_min``/``year_max``; a range of one year is a year (``implied``). Years written as
placeholders (``20xx年``, ``⟦YEAR⟧``) make an undated speech ``anonymized``.

``year_evidence`` quotes every clue used, as ``[role] line N: “…” ⇒ year``, then the conflicts
(``conflict: …``) and up to two sentences that were set aside (``set aside: …``).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from .date_clues import Clue, find_clues

__all__ = ["Dating", "TIERS", "date_speech"]

#: the precedence of each clue role (1 = strongest; 5 = only bounds a range)
TIERS = {"filename": 1, "date_line": 2, "venue": 2, "present_year": 3, "plan_position": 3,
         "anniversary": 3, "work_report": 3, "stated_year": 4, "dated_event": 5, "congress": 5,
         "published": 5}
_SHOWN = 4  # clues quoted per level; the rest are counted

_YEAR_PLACEHOLDER = re.compile(r"(?:19|20)[xX×*＊]{2}\s*年|(?<![\dA-Za-z])[xX×*＊]{2,4}\s*年|⟦YEAR⟧")
_DATE_PLACEHOLDER_LINE = re.compile(r"[（(][^（）()]{0,4}(?:(?:19|20)?[xX×*＊]{2}\s*年|⟦YEAR⟧|⟦DATE⟧)")
# every match of _YEAR_PLACEHOLDER holds two of these in a row, or ⟦YEAR⟧: cheap tests before the regex scan
_PLACEHOLDER_CHARS = "xX×*＊"


@dataclass(frozen=True)
class Dating:
    """The year of a speech: ``year`` when pinned, else ``year_min``/``year_max`` when bounded."""

    year: int | None
    year_min: int | None
    year_max: int | None
    year_source: str
    year_evidence: str
    clues: tuple[Clue, ...] = ()
    conflicts: tuple[str, ...] = ()


def date_speech(numbered: list[tuple[int, str]], source_file: str = "", events=()) -> Dating:
    """Date one speech from its ``(line number, text)`` lines and its file name.

    Parameters
    ----------
    numbered : the speech's non-empty lines with their 1-based line numbers in the source file.
    source_file : its path relative to the input folder (dates in file and folder names count).
    events : dated events (:func:`topics.build.metadata.load_dated_events`) that bound a range.
    """
    clues = find_clues(numbered, source_file, events)
    pins = [c for c in clues if c.year is not None and c.role in TIERS]
    bounds = [c for c in clues if c.year is None and (c.low or c.high)]
    set_aside = [c for c in clues if c.role == "set_aside"]
    low, high, used_bounds, bound_conflicts = _intersect(bounds)
    conflicts = list(bound_conflicts)
    # dated events say when a name was *current*; a text may still look back at it, so their
    # upper ends bound a range but do not overrule a year the text itself states
    hard_low, hard_high, _, _ = _intersect([c for c in used_bounds if c.role != "dated_event"]
                                           + [Clue(c.role, c.line, c.quote, low=c.low) for c in used_bounds
                                              if c.role == "dated_event" and c.low])

    # a file name is a collector's label (a compilation's year, the year it was collected); the
    # document's own date line or venue outranks it when they disagree
    named = next((c for c in pins if c.role == "filename"), None)
    if named and any(c.year != named.year for c in pins if TIERS[c.role] == 2):
        pins = [c for c in pins if c is not named]
        conflicts.append(f"conflict: {named.describe()} (the document's own date line or venue disagrees: "
                         "file name not used)")
    else:
        named = None

    year, used, level = None, [], None
    for tier in (1, 2, 3, 4):
        level_pins = [c for c in pins if TIERS[c.role] == tier]
        if not level_pins:
            continue
        level = tier
        counts = Counter(c.year for c in level_pins)
        best, n = max(counts.items(), key=lambda item: (item[1], -abs(item[0] - (low or item[0]))))
        others = [c for c in level_pins if c.year != best]
        if 3 * n >= 2 * len(level_pins):
            year, used = best, [c for c in level_pins if c.year == best]
            conflicts += [f"conflict: {c.describe()} (outvoted at the same level)" for c in others]
        else:
            conflicts += [f"conflict: {c.describe()} (clues of one level disagree)" for c in level_pins]
            low, high = _narrow(low, high, counts)
        break
    backing = [c for c in pins if named and TIERS[c.role] > 2 and c.year == named.year != year]
    if year is not None and backing:
        # the text's own reading sides with the file name against the date line: no side wins
        conflicts.append(f"conflict: {backing[0].describe()} backs the file name's {named.year} against "
                         f"the {used[0].role}'s {year}: year withdrawn")
        conflicts += [f"conflict: {c.describe()}" for c in used]
        low, high = _narrow(low, high, (year, named.year))
        year, used = None, []
    if year is not None:
        outside = (low is not None and year < low) or (high is not None and year > high)
        outside_hard = (hard_low is not None and year < hard_low) or (hard_high is not None and year > hard_high)
        if outside_hard and level >= 3:
            conflicts.append(f"conflict: {year} from {', '.join(sorted({c.role for c in used}))} lies outside "
                             f"the bounds {hard_low or '…'}–{hard_high or '…'}: year withdrawn")
            conflicts += [f"conflict: {c.describe()}" for c in used]
            year, used = None, []
        elif outside:
            conflicts += [f"conflict: {c.describe()} (lower precedence than the {used[0].role})"
                          for c in used_bounds if not _holds(c, year)]
    if year is not None:
        conflicts += [f"conflict: {c.describe()} (lower precedence)"
                      for c in pins if TIERS[c.role] > level and c.year != year]
    source = _source(year, used, numbered, low, high)
    if year is None and low is not None and low == high:
        year, used, source = low, [], "implied"
    evidence = _evidence(year, used, used_bounds, low, high, conflicts, set_aside, source, numbered)
    year_min, year_max = (year, year) if year is not None else (low, high)
    return Dating(year, year_min, year_max, source, evidence, tuple(clues), tuple(conflicts))


def _narrow(low, high, years):
    """The bounds narrowed to the span of the disagreeing ``years``; none when they exclude it."""
    years = sorted(years)
    low, high = max(low or years[0], years[0]), min(high or years[-1], years[-1])
    return (low, high) if low <= high else (None, None)


def _holds(clue: Clue, year: int) -> bool:
    return (clue.low is None or clue.low <= year) and (clue.high is None or year <= clue.high)


def _intersect(bounds: list[Clue]):
    """Intersection of the clues' ranges; when they contradict each other, dated events give way."""
    for usable in (bounds, [c for c in bounds if c.role != "dated_event"]):
        lows = [c.low for c in usable if c.low is not None]
        highs = [c.high for c in usable if c.high is not None]
        low, high = (max(lows) if lows else None), (min(highs) if highs else None)
        if low is None or high is None or low <= high:
            dropped = [c for c in bounds if c not in usable]
            return low, high, usable, [f"conflict: {c.describe()} (contradicts other bounds: not used)"
                                       for c in dropped]
    return None, None, [], [f"conflict: {c.describe()} (bounds contradict each other)" for c in bounds]


def _source(year, used, numbered, low, high) -> str:
    if year is not None:
        if used[0].role == "filename":
            return "filename"
        return "explicit" if any(c.literal for c in used) else "implied"
    if _anonymized(numbered):
        return "anonymized"
    return "unknown"


def _anonymized(numbered) -> bool:
    if any(_DATE_PLACEHOLDER_LINE.search(text) for _, text in numbered[:6]):
        return True
    whole = "\n".join(text for _, text in numbered)
    chars = [c for c in _PLACEHOLDER_CHARS if c in whole]
    if "⟦YEAR⟧" not in whole and not any(a + b in whole for a in chars for b in chars):
        return False
    return bool(_YEAR_PLACEHOLDER.search(whole))


def _evidence(year, used, bounds, low, high, conflicts, set_aside, source, numbered) -> str:
    parts = [c.describe() for c in used[:_SHOWN]]
    if len(used) > _SHOWN:
        parts.append(f"(+{len(used) - _SHOWN} more {', '.join(sorted({c.role for c in used[_SHOWN:]}))})")
    if bounds and (year is None or not used):
        span = f"{low or '…'}–{high or '…'}"
        parts.append(f"bounded to {span} by " + "; ".join(c.describe() for c in bounds[:_SHOWN])
                     + (f" (+{len(bounds) - _SHOWN} more)" if len(bounds) > _SHOWN else ""))
    if year is None and source == "anonymized":
        placeholder = next(((n, t) for n, t in numbered if _YEAR_PLACEHOLDER.search(t)
                            or _DATE_PLACEHOLDER_LINE.search(t)), None)
        if placeholder:
            number, text = placeholder
            match = _YEAR_PLACEHOLDER.search(text) or _DATE_PLACEHOLDER_LINE.search(text)
            start = max(0, match.start() - 12)
            parts.insert(0, f"year placeholder line {number}: “{text[start:match.end() + 12].strip()}”")
    if not parts:
        disagree = low is not None or high is not None  # a range from the conflicts below
        parts.append(f"no year: the clues disagree ({low or '…'}–{high or '…'})" if disagree
                     else "no year stated")
    parts += conflicts
    parts += [f"set aside: {c.describe()}" for c in set_aside[:2]]
    return "; ".join(parts)
