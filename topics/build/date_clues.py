"""Clues to the year of a document, each with its role, its line and the words it rests on.

:func:`find_clues` reads a speech's lines (and its file name) and returns :class:`Clue` objects;
:mod:`topics.build.dating` weighs them by precedence. The roles, from the strongest:

``filename``
    a date in the file name (``2012-07-02``, ``20120702``, ``_1969``, ``2010年讲话``), or a folder
    named by a year or date alone (``2015/``, ``2015年/``). A number followed by another Han
    character (``2000字``, ``2000篇``, ``1980年代``) is no year, nor is one inside a longer folder
    name (``收集于2023/`` is when the file was collected).
``date_line``
    the document's own date line or dateline near its top or end (``（2024年5月11日）``,
    ``——2024年3月5日在…会议上``).
``published``
    a web page's publication or update date (``发布时间：2016-05-10 来源：…``): never the speech's
    date, only an upper bound (a speech is not published before it is given).
``venue``
    the meeting at which the text is delivered, by its number (``向第一届全国人民代表大会第五次会议提出``,
    ``在中国共产党第十次全国代表大会上``, ``代表第十八届中央委员会向大会作报告``).
``present_year``
    a year tied to today's date by the text: ``今年（1980年）``, ``刚刚过去的1984年`` (→ 1985),
    ``去年召开的党的第十一次全国代表大会`` (1977 → 1978).
``plan_position``, ``anniversary``
    ``今年是“七五”计划的头一年`` (→ 1986), ``今年是改革开放40周年`` (→ 2018); also with a year
    (``20xx年是“十三五”规划的起步之年`` dates the placeholder).
``work_report``
    the work-report convention: the review section is about the previous year, the tasks
    section about the current one (``一、2006年工作回顾`` + ``二、2007年工作总体部署`` → 2007;
    ``一、过去一年工作回顾`` + ``2004年，…`` → 2005).
``stated_year``
    a sentence about a year as the present one (``2024年，全县…任务艰巨``, ``2013年是…开局之年``),
    outside any review section and not looking back, ahead or at history.
``dated_event``, ``congress``
    events that bound a range (``corpus/dated_events.tsv``; 十八大 ⇒ 2012 or later).

Mentions that look back, ahead or at history (``1933年，…``, ``纪念…周年``, ``到2035年``,
``2008年，北京将…``, sentences in a review section) are evidence *against* taking their year:
they give no clue, and the ones that read like a statement of the year are returned as
``set_aside`` clues so the evidence can show why they were not used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from .political_calendar import (ANNIVERSARY_BASES, CN_NUMBER, EVENT, NPC_SESSION, PARTY_CONGRESS_YEARS,
                                 PLAN_POSITIONS, PLENUM, YEAR, chinese_number, event_year, events_in,
                                 normalise_digits, npc_term_years, plan_year, plenum_year, session_year,
                                 year_value)
from .prefilter import line_filter
from .report_sections import quote as _quote
from .report_sections import sections

__all__ = ["Clue", "find_clues", "filename_clues"]

CN = CN_NUMBER
_YEAR = YEAR
_PLACEHOLDER = r"(⟦YEAR⟧|(?:19|20)[xX×*＊]{2}|(?<![\dA-Za-z])[xX×*＊]{2,4})\s?年"
_YEAR_OR_PLACEHOLDER = rf"(?:{_YEAR}|{_PLACEHOLDER})"
_MONTHISH = r"(?:[\d一二三四五六七八九十]{1,2}月(?:份|[\d一二三四五六七八九十]{1,3}日|上旬|中旬|下旬|初|底)?|年?[初底末中])"
_FULL_DATE = re.compile(r"(?<![\d.])((?:19|20)\d{2})\s?(?:年\s?(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s?月"
                        r"(?:\s?(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s?日)?|[-./](?:0?[1-9]|1[0-2])[-./]\d{1,2}(?!\d))")
_YEAR_RE = re.compile(YEAR)
_CLAUSE = re.compile(r"[^。！？；!?;□]+[。！？；!?;□]?")  # □: punctuation lost before a placeholder
_DEICTIC = {"今年": 0, "去年": 1, "前年": 2, "明年": -1}

_PLAN = rf"(?:第({CN})个五年(?:计划|规划)|“?({CN})五”?(?:计划|规划)?)"
_POSITION = "|".join(sorted(PLAN_POSITIONS, key=len, reverse=True))
_BASES = "|".join(sorted(ANNIVERSARY_BASES, key=len, reverse=True))

_VENUE_AT = re.compile(rf"在[^。；，]{{0,14}}?(?:{NPC_SESSION}|(?:中国共产党)?第({CN})次全国代表大会|(?:党的)?{PLENUM})[^。；，]{{0,6}}?上")
_VENUE_TO = re.compile(rf"向(?:本次|这次)?(?:{NPC_SESSION})")
_VENUE_TERM = re.compile(rf"向第({CN})届全国人民代表大会(?!第|常务)")
# 中国共产党第十九次全国代表大会，是在…召开的一次十分重要的大会 (the opening of a congress report)
_VENUE_THIS_CONGRESS = re.compile(rf"(?:中国共产党|党的)第({CN})次全国代表大会[，,]?\s?是在")
_VENUE_CC = re.compile(rf"代表第({CN})届中央委员会向(?:大会|第{CN}次全国代表大会)作报告")

_DEICTIC_YEAR = re.compile(rf"(今年|去年|前年|明年)(?:是|即|为|\s?[（(]\s?即?)\s?{_YEAR}")
_YEAR_IS_DEICTIC = re.compile(rf"{_YEAR}\s?[（(，,]\s?(?:即|也就是)?(今年|去年|明年)")
_JUST_PAST = re.compile(rf"(?:刚刚|刚)过去的{_YEAR}|过去的{_YEAR}(?=[里中，,是])")
_DEICTIC_EVENT = re.compile(rf"(今年|去年|前年|明年)(?:{_MONTHISH})?[，,]?(?:[^。；，]{{0,4}}?(?:召开|举行|闭幕|开幕|通过))?的?(?:党的)?(?=({EVENT.pattern}))")
# 今年…将召开第十五次全国代表大会: a meeting still to come this (next) year
_DEICTIC_CONVENE = re.compile(rf"(今年|明年)[^。；]{{0,30}}?(?:将|将要|即将|要)(?:召开|举行)(?:党的)?(?=({EVENT.pattern}))")
_DEICTIC_PLAN = re.compile(rf"(今年|去年|明年)(?:{_MONTHISH})?(?:是|为|将是)[^。；]{{0,24}}?{_PLAN}[^。；，]{{0,12}}?({_POSITION})")
_YEAR_PLAN = re.compile(rf"{_YEAR_OR_PLACEHOLDER}[，,]?\s?(?:是|既是|也就是|为)[^。；]{{0,24}}?{_PLAN}[^。；，]{{0,12}}?({_POSITION})")
_MAY_BE_DEICTIC = re.compile(r"今年|去年|明年|前年|过去的")
_TO_COME = re.compile(r"将|明年|迎接|筹备")
_PLAN_AFTER_COMMA = re.compile(rf"(?<=[，,：:])(?={_YEAR_OR_PLACEHOLDER}[，,]?\s?(?:是|既是|也就是|为)[^。；]{{0,24}}?{_PLAN})")
_ANNIVERSARY = re.compile(rf"(今年|去年|明年)(?:{_MONTHISH})?(?:[\d一二三四五六七八九十]{{1,3}}日)?(?:是|为|恰逢|正值|适逢)[^。；]{{0,30}}?({_BASES})[^。；，]{{0,6}}?({CN}|\d+)周年")

# -- sentences that state a year, and what makes them look away from the present ---------------
_STATED = re.compile(rf"^\s*(?:在)?{_YEAR_OR_PLACEHOLDER}\s?(?:[，,]|是|既是|要|必须|的(?:主要)?(?:工作|任务|目标)|工作的?(?:总体)?(?:要求|思路|任务))")
# what makes a statement about a year one about the present: a task, a demand, “X年是…之年”
_PRESENT_CUE = re.compile(r"^\s?(?:[，,]\s?)?(?:是|既是|要|必须|务必)|任务|要求|目标|关键|重点|艰巨|意义|必须|务必"
                          r"|(?<![纲重需主只概摘提简])要(?![求素点闻害])")
_SINCE = re.compile(rf"^\s*(?:自)?{_YEAR}以来")
# what both _SINCE and _STATED need at the start of a clause (a cheap test before either)
_OPENS_WITH_YEAR = re.compile(rf"\s*(?:在|自)?{_YEAR_OR_PLACEHOLDER}")
_SENTENCE = re.compile(r"[^。！？!?]+[。！？!?]?")
_FORWARD = re.compile(r"将|即将|明年|届时|预计|计划到|力争|争取|目标是|远景")
_HISTORY = re.compile(r"周年|纪念|诞辰|当年|那时|那一年|历史上")
_PAST = re.compile(r"了|取得|实现|完成|经受|不平凡|走过|过去|曾")
_DOCUMENT_NUMBER = re.compile(r"^\s?\d{0,4}\s?号|^\s?第?\d+号|^[^，。]{0,6}[〕\]]")

# -- file names and publication lines ------------------------------------------------------------
# a year in a name: not glued to letters or digits, not followed by a Han character (2000字 is a
# count) except 年, and not by 年代 (a decade)
_NAME_YEAR = re.compile(r"(?<![0-9A-Za-z])((?:19|20)\d{2})(?![0-9A-Za-z])(?!\s*(?:年代|(?!年)[\u3400-\u9fff]))")
_FOLDER_DATE = re.compile(r"(?:19|20)\d{2}(?:年度?|[-_.年]?(?:0[1-9]|1[0-2])[-_.月]?(?:0[1-9]|[12]\d|3[01])日?)?")
# a web page's publication line: 发布时间/更新日期/发布于 …, or a 来源/作者/浏览 field beside the date
_PUBLISHED = re.compile(r"(?:发布|更新|上传|发表)(?:时间|日期|于)|(?:来源|作者|编辑|浏览|点击|阅读)(?:次数|量|数)?\s*[:：]")


@dataclass(frozen=True)
class Clue:
    """One piece of evidence about a document's year.

    ``year`` is the year the clue names for the document (None: it only bounds it to
    ``low``–``high``, either end open). ``literal``: the year is written in the text (explicit)
    rather than worked out from a meeting, a plan or an anniversary (implied).
    """

    role: str
    line: int | None
    quote: str
    year: int | None = None
    low: int | None = None
    high: int | None = None
    literal: bool = True

    def describe(self) -> str:
        where = "file name" if self.line is None else f"line {self.line}"
        if self.year is not None:
            named = f" ⇒ {self.year}"
        elif self.low is not None or self.high is not None:
            named = f" ⇒ {self.low or '…'}–{self.high or '…'}"
        else:
            named = ""
        return f"[{self.role}] {where}: “{self.quote}”{named}"


def _year(match: re.Match, *groups: int) -> int | None:
    for group in groups:
        value = match.group(group)
        if value:
            return year_value(value)
    return None


def filename_clues(source_file: str) -> list[Clue]:
    """A date in the file or folder name: one full date or one year, else nothing.

    Digits glued to letters or other digits (hashes such as ``39ec4aa375bbf831``) are no date, nor is
    a number followed by a Han character other than 年 (a count: ``2000字``, ``2000篇``) or by 年代
    (a decade). A folder counts only when its whole name is a year or a date (``2015``, ``2015年``):
    a folder such as ``收集于2023`` says when the files were collected, not when they were given.
    """
    path = PurePosixPath(source_file)
    named = "/".join([folder for folder in path.parent.parts if _FOLDER_DATE.fullmatch(folder)]
                     + [path.with_suffix("").name])
    dates = {int(m.group(1)) for m in re.finditer(
        r"(?<![0-9A-Za-z])((?:19|20)\d{2})[-_.年/]?(0[1-9]|1[0-2])[-_.月/]?(0[1-9]|[12]\d|3[01])(?![0-9A-Za-z])", named)}
    years = {int(m.group(1)) for m in _NAME_YEAR.finditer(named)}
    found = dates or years
    if len(found) != 1:  # none, or several (a range such as 2016-2020 is no date)
        return []
    year = found.pop()
    return [Clue("filename", None, source_file, year=year)]


def find_clues(numbered: list[tuple[int, str]], source_file: str = "",
               events=()) -> list[Clue]:
    """Every clue to the year of a speech: its file name and its ``(line number, text)`` lines.

    ``events``: :class:`topics.build.metadata.DatedEvent` ranges (role ``dated_event``).
    """
    lines = [(number, normalise_digits(text), text) for number, text in numbered if text.strip()]
    clues = filename_clues(source_file) if source_file else []
    clues += _date_lines(lines)
    clues += _venues(lines)
    past_lines, review, tasks = sections(lines)
    clues += _work_report(review, tasks)
    years = [year_value(m.group(1)) for _, norm, _ in lines if "年" in norm for m in _YEAR_RE.finditer(norm)]

    def later(norm: str) -> bool:
        """A year later than the one opening ``norm`` is named: the opening looks back (a news lead)."""
        first = re.match(rf"\s?(?:在)?{YEAR}", norm)
        return bool(first) and any(y > year_value(first.group(1)) for y in years)

    for position, (number, norm, text) in enumerate(lines):
        if "年" not in norm and "⟦YEAR⟧" not in norm:
            continue  # every clue below names a year (今年, X年, 周年, …)
        if _MAY_BE_DEICTIC.search(norm):
            clues += _present_year(number, norm, text)
        sentences = None
        k = 0
        for start, end in _clauses(norm):
            if not _OPENS_WITH_YEAR.match(norm, start, end):
                continue  # _stated finds nothing in a clause that does not open with a year
            if sentences is None:
                sentences = [m.span() for m in _SENTENCE.finditer(norm)]
            while k + 1 < len(sentences) and sentences[k][1] <= start:
                k += 1
            sentence = norm[sentences[k][0]:sentences[k][1]] if sentences else norm
            clues += _stated(number, norm[start:end], text[start:end], sentence,
                             number in past_lines, opening=position < 2 and start == 0 and not later(norm))
        for match in _PLAN_AFTER_COMMA.finditer(norm):  # 既往才能开来，20xx年是“十三五”规划的起步之年
            clues += [c for c in _stated(number, norm[match.start():], text[match.start():], "",
                                         number in past_lines, opening=False) if c.role == "stated_year"]
    clues += _bounds(lines, events)
    return clues


def _clauses(text: str):
    for match in _CLAUSE.finditer(text):
        yield match.span()


def _date_lines(lines) -> list[Clue]:
    """A date standing alone (or introducing the venue) in the first 6 or the last 3 lines.

    A web page's publication line (``发布时间：2016-05-10 来源：县应急局``) is no date line: sites
    repost old speeches, so its date only bounds the speech's year from above (role ``published``).
    """
    full_date = _FULL_DATE
    clues = []
    for number, norm, text in lines[:6] + lines[-3:]:
        published = _PUBLISHED.search(norm[:120])
        for match in full_date.finditer(norm[:120]):
            if published:
                clues.append(Clue("published", number, _quote(text, match.span()), high=int(match.group(1))))
                break
            before, after = norm[:match.start()], norm[match.end():]
            rest = re.sub(r"[\s（）()\[\]【】—\-–:：，,.\d]|时间|日期|星期.", "", before + after)
            bracketed = before.rstrip().endswith(("（", "(", "——", "—")) or re.match(r"\s?在.{0,40}上", after)
            if len(rest) <= 6 or bracketed:
                clues.append(Clue("date_line", number, _quote(text, match.span()), year=int(match.group(1))))
                break
    unique = {(c.line, c.year, c.high): c for c in clues}
    return list(unique.values())


def _venues(lines) -> list[Clue]:
    """The numbered meeting at which the text is given (its title lines, or “I report to …”)."""
    clues = []
    for position, (number, norm, text) in enumerate(lines):
        if "届" not in norm and "全国代表大会" not in norm:
            continue  # every venue names a numbered congress or committee
        top = position < 6
        for match in _VENUE_AT.finditer(norm) if top else ():
            if "。" in norm[:match.start()]:
                continue  # a meeting named inside the body text, not the title or date line
            year = session_year(match)
            if year is None and match.group(7):
                year = PARTY_CONGRESS_YEARS.get(chinese_number(match.group(7)) or 0)
            if year is None and match.group(8):
                year = plenum_year(chinese_number(match.group(8)) or 0, chinese_number(match.group(9)) or 0)
            if year:
                clues.append(Clue("venue", number, _quote(text, match.span(), 0), year=year, literal=False))
        for match in _VENUE_THIS_CONGRESS.finditer(norm) if top else ():
            year = PARTY_CONGRESS_YEARS.get(chinese_number(match.group(1)) or 0)
            if year:
                clues.append(Clue("venue", number, _quote(text, match.span(), 0), year=year, literal=False))
        for clause_start, clause_end in _clauses(norm):
            clause = norm[clause_start:clause_end]
            if "我" not in clause and not re.search("报告|议案", clause):
                continue
            for match in _VENUE_TO.finditer(clause):
                year = session_year(match)
                if year:
                    clues.append(Clue("venue", number, _quote(clause, match.span(), 4), year=year, literal=False))
            for match in _VENUE_TERM.finditer(clause):
                years = npc_term_years(chinese_number(match.group(1)) or 0)
                if years:
                    clues.append(Clue("venue", number, _quote(clause, match.span(), 4), low=years[0],
                                      high=years[1], literal=False))
            for match in _VENUE_CC.finditer(clause):
                year = PARTY_CONGRESS_YEARS.get((chinese_number(match.group(1)) or 0) + 1)
                if year:
                    clues.append(Clue("venue", number, _quote(clause, match.span(), 2), year=year, literal=False))
    return clues


def _plan_number(match: re.Match, first: int) -> int:
    return chinese_number(match.group(first) or match.group(first + 1) or "") or 0


def _present_year(number: int, norm: str, text: str) -> list[Clue]:
    """Years that the text ties to “this year”, “last year” or “next year”."""
    clues = []
    for match in _DEICTIC_YEAR.finditer(norm):
        clues.append(Clue("present_year", number, _quote(text, match.span(), 4),
                          year=year_value(match.group(2)) + _DEICTIC[match.group(1)]))
    for match in _YEAR_IS_DEICTIC.finditer(norm):
        clues.append(Clue("present_year", number, _quote(text, match.span(), 4),
                          year=year_value(match.group(1)) + _DEICTIC[match.group(2)]))
    for match in _JUST_PAST.finditer(norm):
        clues.append(Clue("present_year", number, _quote(text, match.span(), 4),
                          year=_year(match, 1, 2) + 1))
    for match in [*_DEICTIC_EVENT.finditer(norm), *_DEICTIC_CONVENE.finditer(norm)]:
        event = EVENT.match(norm, match.end())
        year = event_year(event, 1) if event else None
        if year:
            clues.append(Clue("present_year", number, _quote(text, (match.start(), event.end()), 2),
                              year=year + _DEICTIC[match.group(1)], literal=False))
    for match in _DEICTIC_PLAN.finditer(norm):
        year = plan_year(_plan_number(match, 2), match.group(4))
        if year:
            clues.append(Clue("plan_position", number, _quote(text, match.span(), 2),
                              year=year + _DEICTIC[match.group(1)], literal=False))
    for match in _ANNIVERSARY.finditer(norm):
        count = chinese_number(match.group(3))
        if count:
            clues.append(Clue("anniversary", number, _quote(text, match.span(), 2),
                              year=ANNIVERSARY_BASES[match.group(2)] + count + _DEICTIC[match.group(1)],
                              literal=False))
    return clues


def _work_report(review, tasks) -> list[Clue]:
    """The work-report convention: review = previous year, tasks = current year."""
    clues = []
    for number, year, quote, deictic in review:
        if deictic:
            clues.append(Clue("work_report", number, quote + " (review of the past year)", year=year + 1))
        elif any(t_year == year + 1 for _, t_year, _, _ in tasks):
            clues.append(Clue("work_report", number, quote + " (review section)", year=year + 1))
        else:
            clues.append(Clue("work_report", number, quote + " (review section)", low=year, high=year + 1))
    for number, year, quote, deictic in tasks:
        if deictic or any(r_year + 1 == year for _, r_year, _, _ in review):
            clues.append(Clue("work_report", number, quote + " (tasks section)", year=year))
        else:
            clues.append(Clue("work_report", number, quote + " (tasks section)", low=year - 1, high=year))
    return clues


def _stated(number: int, clause: str, original: str, sentence: str, in_review: bool,
            opening: bool) -> list[Clue]:
    """A clause that opens with a year: a statement of the present year, or one set aside.

    It states the present year when it says what the year is or demands (``X年是…之年``,
    ``X年，全县…任务艰巨``, ``X年要…``) or opens the document; never inside a review section,
    nor when it looks ahead, back or at history. With 今年 in the same sentence it ties the
    year to the present (``present_year``).
    """
    since = _SINCE.match(clause)
    if since:
        return [Clue("stated_year", number, _quote(original, since.span(), 8), low=year_value(since.group(1)))]
    match = _STATED.match(clause)
    if not match:
        return []
    year = year_value(match.group(1)) if match.group(1) else None
    after = clause[match.end():]
    if year is not None and _DOCUMENT_NUMBER.match(after):
        return []
    quote = _quote(original, (match.start(), min(len(clause), match.end() + 16)), 0)
    plan = _YEAR_PLAN.match(clause)
    planned = plan_year(_plan_number(plan, 3), plan.group(5)) if plan else None
    predicate = re.match(r"[，,]?\s?是[^。；]*?(?:之年|一年)", after)  # X年是…之年: past only if the predicate says so
    looks_back = bool(_PAST.search(predicate.group(0))) if predicate else False
    reason = ("in a review section" if in_review else "looks ahead" if _FORWARD.search(after[:40])
              else "history or anniversary" if _HISTORY.search(clause) else "looks back" if looks_back
              else None if (opening or _PRESENT_CUE.search(clause[match.end() - 1:])) else "no sign it is the present")
    if planned and (year is None or year == planned) and reason is None:
        # 20xx年是“十三五”规划的起步之年: the plan names the year
        return [Clue("stated_year", number, _quote(original, plan.span(), 4), year=planned,
                     literal=year is not None)]
    if year is None:
        return []  # a placeholder stated as the year: anonymized, not a clue
    if reason:
        bound = {"looks ahead": {"high": year}, "in a review section": {"low": year},
                 "looks back": {"low": year}}.get(reason, {})
        return [Clue("set_aside", number, f"{quote} ({reason})", **bound)]
    if "今年" in sentence and "今年以来" not in sentence:
        return [Clue("present_year", number, _quote(original, match.span(), 8) + " … 今年", year=year)]
    return [Clue("stated_year", number, quote, year=year)]


_NUMERAL_BIG = tuple(numeral + "大" for numeral in "一二三四五六七八九十")


def _has_event_hint(text: str) -> bool:
    """``EVENT_HINT.search(text)``, by plain string tests (its lookbehind makes the regex scan slow)."""
    return "届" in text or ("大" in text and ("全国代表大会" in text or any(hint in text for hint in _NUMERAL_BIG)))


def _bounds(lines, events) -> list[Clue]:
    """Dated events (``dated_events.tsv``) and numbered congresses, plenums and sessions: ranges."""
    clues, events = [], tuple(events)
    whole = "\n".join(norm for _, norm, _ in lines)
    # only the events that match some line are looked for line by line (topics.build.prefilter)
    may_match = line_filter(tuple(event.pattern for event in events))(whole) if events else ()
    for event, maybe in zip(events, may_match):
        if not maybe:
            continue
        for number, norm, text in lines:
            match = event.pattern.search(norm)
            if match:
                clues.append(Clue("dated_event", number, f"{_quote(text, match.span(), 6)} — {event.note}",
                                  low=event.earliest, high=event.latest))
                break
    seen: dict[int, Clue] = {}
    for number, norm, text in lines if _has_event_hint(whole) else ():
        for match in events_in(norm):
            clause = next(norm[a:b] for a, b in _clauses(norm) if a <= match.start() < b)
            if _TO_COME.search(clause):
                continue  # a meeting still to come bounds nothing
            year = event_year(match, 1)
            if year and year not in seen:
                seen[year] = Clue("congress", number, _quote(text, match.span(), 4), low=year)
    if seen:
        clues.append(seen[max(seen)])  # the latest meeting named is the one that bounds
    return clues
