"""The sections of a work report: which part reviews a year and which sets the tasks of one.

Work reports, year-end speeches and government reports share a layout: a review section
(``一、2006年工作回顾``, ``一、过去一年工作回顾``) and a tasks section (``二、2007年工作总体部署``).
:func:`sections` finds them, with the year each names and whether the text ties it to the past
(过去一年, 去年) or the present (今年); :mod:`topics.build.date_clues` turns that into the
work-report convention (the review is about the previous year, the tasks about the current one)
and sets aside the year statements inside a review section.
"""

from __future__ import annotations

import re

from .political_calendar import YEAR, year_value

__all__ = ["quote", "sections"]

_NUMBERED = re.compile(r"^\s*(?:[一二三四五六七八九十]{1,3}[、．.]|第[一二三四五六七八九十]{1,3}部分)[^。！？]{0,60}$")
_HEADING = re.compile(r"^\s*(?:[（(][一二三四五六七八九十]{1,3}[)）]|\d{1,2}[、.．])?[^。！？]{0,38}$")
_SALUTATION_LINE = re.compile(r"^\s*(?:各位代表|同志们|代表们|各位委员|女士们、先生们)[！!：:，,]?\s*$")
_REVIEW = re.compile(r"回顾|总结|主要工作开展情况|工作情况|取得的成绩")
_TASKS = re.compile(r"任务|部署|要求|安排|建议|目标|打算|思路|重点工作|政策取向|工作意见")
_PAST_OPENING = re.compile(r"^\s*(?:[一二三四五六七八九十]+、)?\s*(?:过去一年|过去的一年|去年|刚刚过去的)")
_PRESENT_OPENING = re.compile(r"^\s*(?:[一二三四五六七八九十]+、)?\s*今年")


def quote(text: str, span: tuple[int, int], width: int = 12) -> str:
    """The matched words with ``width`` characters of context on each side."""
    start, end = max(0, span[0] - width), min(len(text), span[1] + width)
    return text[start:end].strip()


def sections(lines):
    """Review and tasks sections with the year they name (or the one their section opens with).

    A section runs from its heading to the next numbered heading (``二、…``) or a line that is a
    bare salutation (``各位代表！``). Returns the line numbers inside review sections, and
    ``(line, year, quote, deictic)`` for review and for tasks sections (``deictic``: the heading
    or the section's first line says 过去一年/去年, resp. 今年).
    """
    breaks = [i for i, (_, norm, _) in enumerate(lines)
              if _NUMBERED.match(norm) or _SALUTATION_LINE.match(norm)
              or (_HEADING.match(norm) and len(norm.strip()) >= 4 and (_REVIEW.search(norm) or _TASKS.search(norm)))]
    past_lines: set[int] = set()
    review, tasks = [], []
    for k, i in enumerate(breaks):
        number, norm, text = lines[i]
        if _SALUTATION_LINE.match(norm) or not (_REVIEW.search(norm) or _TASKS.search(norm)):
            continue
        end = breaks[k + 1] if k + 1 < len(breaks) else len(lines)
        opening = lines[i + 1][1] if i + 1 < len(lines) else ""
        year_match = re.search(YEAR, norm)
        is_review = bool(_REVIEW.search(norm)) and not (_TASKS.search(norm) and not year_match)
        if is_review:
            past_lines.update(n for n, _, _ in lines[i:end])
            deictic = bool(re.search(r"过去|去年", norm) or _PAST_OPENING.match(opening))
            if year_match is None and deictic:  # 一、过去一年工作回顾 / 2004年，全国…
                year_match = re.match(rf"\s?{YEAR}\s?(?:[，,]|是)", opening)
                if year_match:
                    review.append((lines[i + 1][0], year_value(year_match.group(1)),
                                   f"{text.strip()} / {quote(lines[i + 1][2], year_match.span(), 0)}", True))
                continue
            if year_match:
                review.append((number, year_value(year_match.group(1)), text.strip(), deictic))
                both = re.search(rf"{YEAR}[^。]*?(?:任务|部署|要求|安排|目标)", norm[year_match.end():])
                if both:
                    tasks.append((number, year_value(both.group(1)), text.strip(), False))
        elif year_match:
            deictic = bool("今年" in norm or _PRESENT_OPENING.match(opening)
                           or any("今年" in n for _, n, _ in lines[i + 1:min(end, i + 4)]))
            tasks.append((number, year_value(year_match.group(1)), text.strip(), deictic))
    return past_lines, review, tasks
