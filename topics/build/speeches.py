"""Find the speeches in a file's kept lines: one span of lines per speech.

A scraped page often holds several speeches: a compilation (``第一篇：…``, ``## …篇一``) whose
parts may each hold more than one speech, with nothing but a new salutation or a closing formula
between them. ``find_speeches(mode="auto")`` finds the units from these signals:

* **headings** start a unit. A compilation heading (``第N篇：…``, ``## …篇一``) is not part of
  the unit: it goes in ``SpeechSpan.heading``, and the unit starts at its own title line if one
  follows (else the heading, cleaned, doubles as the title). Markdown sub-headings inside a speech
  (``### 一、…``, ``## （二）…``) are not units.
* **salutations** (``同志们：``, ``各位领导、同志们：``) start a unit when they follow a closing
  (``散会``, ``谢谢大家！``, ``到此结束``) or a long speech body, but not when a host script
  resumes after an agenda item (``请…作重要讲话`` / ``………``).
* **openings** that name a new meeting (``今天，我们在这里召开…``, ``县委、县政府决定召开这次…``)
  after a speech body, and any text after a **closing**.
* a **title, speaker or date line** (``在…会上的讲话``, ``县委副书记、县长姜仕坤``,
  ``（2024年5月11日）``) after a speech body starts a unit; such lines directly before a
  salutation belong to the unit they introduce.

Document front matter -- a compilation title (``# 领导…讲话稿(优秀5篇)``) and an essay before
the first heading -- is not a speech: it is left out of every unit (it has no salutation,
opening, closing or own title line). ``mode="none"`` keeps the whole file as one unit.

Character offsets: ``start_char``/``end_char`` are given for units that do not fill whole lines
(a unit that is a single line, such as a whole speech on one line before a page counter, or a
line whose start was cut as boilerplate); otherwise they are ``None`` (whole lines).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from typing import Sequence

from .boilerplate import Line

__all__ = ["MODES", "SpeechSpan", "find_speeches"]

MODES = ("auto", "none")

# Body length (characters) after which a salutation or date line means a new speech.
LONG_BODY = 1000
# Body length after which an opening sentence or a speaker line means a new speech.
SOME_BODY = 300

_NUM = "一二三四五六七八九十百零〇两\\d"
_COMPILATION = re.compile(
    rf"^(?:#{{1,6}}\s*)?(?:第[{_NUM}]+篇|篇[{_NUM}]+)\s*[：:、.．\s]?\s*(?P<rest>.*)$"
    rf"|^#{{1,3}}\s*(?P<rest2>.+?)\s*[（(【\[]?篇[{_NUM}]+[）)】\]]?\s*$")
_PIECE_SUFFIX = re.compile(rf"\s*[（(【\[]?篇[{_NUM}]+[）)】\]]?\s*$")
_DOC_TITLE = re.compile(rf"^#\s*.*(?:[{_NUM}]+篇|优秀|范文|合集|汇编|精选|大全)")
_MARKDOWN = re.compile(r"^(#{1,6})\s*(.+)$")
# Section numbering: a markdown heading like this is a part of a speech, not a new one.
_SECTION = re.compile(rf"^(?:[{_NUM}]+[、.．]|[（(][{_NUM}]+[）)]|第[{_NUM}]+(?:部分|章|节|点|条))")
_GENRE_END = (r"(?:讲话|讲话稿|讲话提纲|发言|发言稿|发言提纲|主持词|主持稿|致辞|致辞稿|欢迎词|"
              r"报告|工作报告|总结|工作总结|汇报|述职报告|讲稿|演讲稿|动员讲话)")
_TITLE = re.compile(
    rf"^(?:在.{{2,50}}(?:会|会议|仪式|活动|典礼|论坛|培训班)上的.{{0,4}}{_GENRE_END}"
    rf"|[^。！？!?；;，,]{{0,50}}{_GENRE_END})"
    r"\s*(?:[（(][^）)]{1,12}[）)])?$")
_SPEAKER = re.compile(
    r"^(?:[\u4e00-\u9fff]{0,12}(?:书记|县长|市长|区长|镇长|乡长|省长|主任|局长|部长|厅长|主席|"
    r"常委|秘书长|委员)[、，,\s]?)+\s*[\u4e00-\u9fff×*＊Xx]{1,4}(?:同志)?$")
_DATE = re.compile(r"^[（(]\s*[^（）()]{0,6}(?:年|月|日|⟦DATE⟧|⟦YEAR⟧)[^（）()]{0,14}[）)]$")
_SALUTATION = re.compile(
    r"^(?:尊敬的)?[\u4e00-\u9fff、，,\s]{0,30}?(?:同志们|朋友们|代表们|来宾们|女士们|先生们|"
    r"同事们|同学们|各位领导|各位代表|各位来宾)\s*[：:]")
# A title followed by the salutation on the same line ("…讲话稿 同志们: 县委、县政府…").
_INLINE_TITLE = re.compile(r"^(?P<title>[^。！？!?；;：:]{4,60}?)\s+(?=(?:尊敬的|各位|同志们))")
_OPENING = re.compile(
    r"^(?:今天|今天上午|今天下午|今天晚上)[，,]?\s*(?:我们)?(?:在这里)?(?:隆重)?召开"
    r"|^[\u4e00-\u9fff、]{1,16}(?:决定|研究决定|专门)召开(?:这次|今天的|此次)")
# Direct address inside a speech ("同志们，…"): a sign of speech, not a boundary.
_ADDRESS = re.compile(r"^(?:同志们|各位)[，,！!]")
_CLOSING = re.compile(r"(?:谢谢大家|谢谢各位|散会|到此结束|圆满结束)\s*[。！!]?\s*$")
_OMISSION = re.compile(r"^[….。·\s]+$")
_AGENDA = re.compile(r"议程|请.{0,40}(?:讲话|发言|报告|致辞|讲课|授课|宣读)|大家欢迎")


@dataclass(frozen=True)
class SpeechSpan:
    """Where one speech sits in its source file, and its kept lines (see docs/ARCHITECTURE.md)."""

    source_file: str
    index: int
    start_line: int
    end_line: int
    start_char: int | None
    end_char: int | None
    heading: str | None
    title: str | None
    boundary: str
    lines: tuple[Line, ...] = field(repr=False)

    @property
    def text(self) -> str:
        """The unit's text: its lines joined with newlines."""
        return "\n".join(line.text for line in self.lines)


@dataclass
class _Start:
    """Where a unit starts: index into the content lines, and what we know about it."""

    at: int
    boundary: str
    heading: str | None = None
    title: str | None = None
    fence: int | None = None  # the previous unit ends before this line (default: ``at``)

    def __post_init__(self) -> None:
        if self.fence is None:
            self.fence = self.at


def find_speeches(lines: Sequence[Line], source_file: str, mode: str = "auto") -> list[SpeechSpan]:
    """Split the kept lines of one file into speech units.

    Parameters
    ----------
    lines : kept lines from :func:`topics.build.boilerplate.strip_boilerplate`, in file order.
    source_file : name reported in each span.
    mode : ``"auto"`` finds speeches; ``"none"`` returns the whole file as one unit.

    Returns
    -------
    list of SpeechSpan, in file order (``index`` 0, 1, …); empty if the file has no text.
    """
    if mode not in MODES:
        raise ValueError(f"split mode {mode!r} is not one of {MODES}")
    content = [line for line in lines if line.text.strip()]
    if not content:
        return []
    if mode == "none":
        title = _clean_title(content[0].text) if _is_title(content[0].text) else None
        starts = [_Start(0, "file", title=title)]
    else:
        starts = _find_starts(content)
    return _build(content, lines, starts, source_file)


def _find_starts(content: list[Line]) -> list[_Start]:
    """Walk the content lines once and decide where units start."""
    texts = [line.text.strip() for line in content]
    starts: list[_Start] = [_Start(0, "file")]
    body = 0  # characters of speech body in the current unit so far
    has_salutation = False
    i = 0
    while i < len(texts):
        text = texts[i]
        kind = _heading_kind(text, texts, i)
        if kind == "doc_title" and body and starts[-1].boundary != "front_matter":
            # a compilation-style title after speech text has begun heads a new unit; treating it as
            # front matter would drop everything up to the next heading
            starts.append(_Start(i, "heading", title=_clean_title(text)))
            body, has_salutation = 0, False
        elif kind == "doc_title":
            if i == starts[-1].at:
                starts[-1].boundary = "front_matter"
            else:
                starts.append(_Start(i, "front_matter"))
        elif kind == "compilation" or (kind == "markdown" and i > starts[-1].at):
            if _is_front_matter(texts, starts[-1], i):
                starts.pop()
            if kind == "markdown":
                starts.append(_Start(i, "heading", title=_clean_title(text)))
            elif i + 1 < len(texts) and _is_title(texts[i + 1]):
                heading = text.lstrip("#").strip()
                starts.append(_Start(i + 1, "heading", heading, _clean_title(texts[i + 1]), i))
                i += 1  # the title line is the unit's first line, not body
            else:
                heading = text.lstrip("#").strip()
                starts.append(_Start(i + 1, "heading", heading, _clean_title(heading), i))
            body, has_salutation = 0, False
        else:
            boundary = _boundary(texts, i, body, has_salutation)
            if boundary == "salutation" and not has_salutation and body < SOME_BODY:
                # A short paragraph between a heading and the first salutation is a site
                # intro, not speech: the unit starts at the salutation (or its lead-in lines).
                if starts[-1].boundary == "heading" and not _is_title(texts[starts[-1].at]):
                    starts[-1].at = _lead_in(texts, i, starts[-1].at)
                boundary = None
            if boundary:
                at = _lead_in(texts, i, starts[-1].at)
                if at == starts[-1].at:
                    starts[-1].boundary = boundary  # e.g. front matter that turns out to be a title
                else:
                    starts.append(_Start(at, boundary))
                body, has_salutation = 0, False
            if _SALUTATION.match(text) or (_INLINE_TITLE.match(text) and _SALUTATION.search(text)):
                has_salutation = True
            if not (_is_title(text) or _SPEAKER.match(text) or _DATE.match(text)):
                body += len(text)
        i += 1
    for start in starts:
        if start.title is None and start.at < len(texts):
            start.title = _own_title(texts, start.at)
    return [s for s in starts if s.boundary != "front_matter" and s.at < len(texts)]


def _boundary(texts: list[str], i: int, body: int, has_salutation: bool) -> str | None:
    """Why a new unit starts at content line ``i`` (None: it continues the current unit)."""
    if i == 0 or not body:
        return None
    text, prev = texts[i], texts[i - 1]
    after_closing = bool(_CLOSING.search(prev)) and not _CLOSING.search(text)
    if _SALUTATION.match(text):
        if after_closing:
            return "closing"
        if _OMISSION.match(prev) or _AGENDA.search(prev):
            return None  # a host script taking the floor again after an agenda item
        return "salutation" if body >= LONG_BODY or not has_salutation else None
    if after_closing:
        return "closing"
    if _OPENING.match(text) and body >= SOME_BODY and not _is_lead_in(prev):
        return "opening"
    if _is_title(text) and _next_is_speech_start(texts, i):
        return "heading"
    if (_SPEAKER.match(text) or _DATE.match(text)) and body >= SOME_BODY \
            and _next_is_speech_start(texts, i):
        return "heading"
    return None


def _is_lead_in(text: str) -> bool:
    """Title, speaker, date or salutation line: what comes right before a speech body."""
    return bool(_is_title(text) or _SPEAKER.match(text) or _DATE.match(text)
                or _SALUTATION.match(text))


def _lead_in(texts: list[str], i: int, floor: int) -> int:
    """Move a unit's start back over the title, speaker and date lines just before line ``i``."""
    at = i
    while at - 1 > floor and at > i - 3 and (
            _is_title(texts[at - 1]) or _SPEAKER.match(texts[at - 1]) or _DATE.match(texts[at - 1])):
        at -= 1
    return at


def _next_is_speech_start(texts: list[str], i: int) -> bool:
    """True if a salutation or opening follows line ``i`` within three lines."""
    for text in texts[i + 1:i + 4]:
        if _SALUTATION.match(text) or _OPENING.match(text):
            return True
        if not (_is_title(text) or _SPEAKER.match(text) or _DATE.match(text)):
            return False
    return False


def _is_front_matter(texts: list[str], start: _Start, stop: int) -> bool:
    """True if the current unit, ending before a heading at ``stop``, is not a speech.

    That is the case when it is empty, was opened by a document title, or is the file's opening
    run of lines without salutation, opening, closing or own title line (an intro essay).
    """
    if start.at >= stop or start.boundary == "front_matter":
        return True
    if start.at != 0:
        return False
    part = texts[start.at:stop]
    return sum(map(len, part)) < LONG_BODY and not any(
        _SALUTATION.match(t) or _ADDRESS.match(t) or _OPENING.match(t) or _CLOSING.search(t)
        or _is_title(t) for t in part)


def _heading_kind(text: str, texts: list[str] | None = None, i: int = 0) -> str | None:
    """``compilation``, ``doc_title``, ``markdown`` (a unit's own title) or None.

    A ``#``/``##`` line counts as a unit's title only if it reads like one or a salutation
    follows it; numbered or plain sub-headings (``## 一、…``) belong to the speech around them.
    """
    if _COMPILATION.match(text):
        return "compilation"
    if _DOC_TITLE.match(text):
        return "doc_title"
    match = _MARKDOWN.match(text)
    if (match and len(match.group(1)) <= 2 and not _SECTION.match(match.group(2))
            and (_is_title(text) or (texts is not None and _next_is_speech_start(texts, i)))):
        return "markdown"
    return None


def _is_title(text: str) -> bool:
    text = text.lstrip("#").strip()
    return len(text) <= 60 and bool(_TITLE.match(text))


def _clean_title(text: str) -> str | None:
    """Strip markdown marks and compilation numbering from a heading or title line."""
    text = text.lstrip("#").strip()
    match = _COMPILATION.match(text)
    if match:
        text = (match.group("rest") or match.group("rest2") or "").strip()
    text = _PIECE_SUFFIX.sub("", text).strip()
    return text or None


def _own_title(texts: list[str], at: int) -> str | None:
    """The unit's own title: its first line if title-like, or a title before an inline salutation."""
    text = texts[at]
    if _is_title(text) or _MARKDOWN.match(text):
        return _clean_title(text)
    match = _INLINE_TITLE.match(text)
    if match and _SALUTATION.match(text[match.end():]):
        return match.group("title").strip()
    return None


def _build(content: list[Line], lines: Sequence[Line], starts: list[_Start],
           source_file: str) -> list[SpeechSpan]:
    """Turn unit starts into spans; a unit ends on the content line before the next start."""
    spans: list[SpeechSpan] = []
    numbers = [line.number for line in lines]  # increasing: a unit's lines are found by bisection, not a scan
    for k, start in enumerate(starts):
        stop = starts[k + 1].fence if k + 1 < len(starts) else len(content)
        # a compilation heading between two units belongs to neither
        last = stop - 1
        while last > start.at and _heading_kind(content[last].text.strip()) == "compilation":
            last -= 1
        if last < start.at:
            continue
        first_line, last_line = content[start.at], content[last]
        span = tuple(lines[bisect_left(numbers, first_line.number):bisect_right(numbers, last_line.number)])
        partial = first_line.number == last_line.number or first_line.start > 0
        spans.append(SpeechSpan(
            source_file=source_file, index=len(spans),
            start_line=first_line.number, end_line=last_line.number,
            start_char=first_line.start if partial else None,
            end_char=last_line.end if partial else None,
            heading=start.heading, title=start.title, boundary=start.boundary, lines=span))
    return spans
