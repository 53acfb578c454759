"""Remove web boilerplate from a decoded source file, keeping line numbers and offsets.

Speeches scraped from document-sharing sites come wrapped in download notices, share buttons,
page counters and HTML debris. This stage drops such lines and cuts such debris out of lines,
and records every removal so the build report can list it.

Two kinds of rules (each is first checked against the whole text, see :mod:`topics.build.prefilter`,
and tried line by line only if it can apply somewhere):

* data rules in ``topics/resources/boilerplate.tsv`` (see its header) and the project's own files: ``line`` rules drop a whole line,
  ``inline`` rules cut matches out of a line. Users extend the file, not the code.
* context rules in code, because a regular expression cannot see the neighbouring lines:
  a *teaser* line that ends in ``...`` and repeats the text that follows it, and a page number
  glued to the start of a line that continues a word broken at the previous line's end (checked
  against the jieba dictionary, so that a sentence starting with a number keeps it).

Examples
--------
>>> from types import SimpleNamespace
>>> src = SimpleNamespace(name="a.txt", text="下载文档\\n同志们：\\n今天开会。 第1页 共2页")
>>> lines, removed = strip_boilerplate(src, [Rule("line", "download_notice", "下载文档"),
...     Rule("inline", "page_counter", r"\\s*第\\d+页 共\\d+页$")])
>>> [(l.number, l.text) for l in lines]
[(2, '同志们：'), (3, '今天开会。')]
>>> [r.rule for r in removed]
['download_notice', 'page_counter']
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Protocol, Sequence

from ..errors import InputFileError
from .prefilter import line_filter

RULE_KINDS = ("line", "inline")

#: Category names of the context rules implemented here (not in the TSV).
TEASER = "ellipsis_teaser"
GLUED_PAGE_NUMBER = "page_number"

# A teaser ends in an ASCII or CJK ellipsis (site truncation of a long first paragraph).
_TEASER_END = re.compile(r"(?:\.{3,}|…{1,2}|。。。)\s*$")
_TEASER_ENDINGS = ("...", "…", "。。。")
# Characters ignored when comparing a teaser with the text after it.
_NOT_TEXT = re.compile(r"[\s?？.…、，,。：:；;！!“”\"'‘’（）()]+")
# Digits glued to the start of a line; the character after them decides if it was a page number.
_LEADING_DIGITS = re.compile(r"^(\d{1,3})(?=[\u4e00-\u9fff])")
# After a number, these characters make it a quantity or a date, not a page number.
_COUNTERS = set("年月日号时分秒个名人位家户次项条件元万亿千百十岁周天届期批组类种份篇章节段点倍%％")
# A line that ends in one of these has ended its sentence (so the next line is not a continuation).
_SENTENCE_END = set("。！？!?；;：:…”」』）)")


class _Source(Protocol):
    name: str
    text: str


@dataclass(frozen=True)
class Line:
    """One kept line of a source file.

    Parameters
    ----------
    number : 1-based line number in the source file.
    text : kept text (inline boilerplate removed, surrounding whitespace kept as is).
    start, end : char offsets in the source line where the kept text starts and ends (exclusive).
    """

    number: int
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Removal:
    """One piece of boilerplate removed from ``source_file`` (``rule`` is the category)."""

    source_file: str
    line: int
    start: int
    end: int
    text: str
    rule: str


@dataclass(frozen=True)
class Rule:
    """A data rule: ``kind`` is ``line`` or ``inline``; ``pattern`` a Python regex."""

    kind: str
    category: str
    pattern: str
    note: str = ""
    regex: re.Pattern = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in RULE_KINDS:
            raise ValueError(f"rule kind {self.kind!r} is not one of {RULE_KINDS}")
        object.__setattr__(self, "regex", re.compile(self.pattern))


def load_rules(paths: str | Path | Sequence[str | Path]) -> list[Rule]:
    """Read boilerplate rules from one or several tab-separated files, in order.

    The format is documented in the header of the packaged ``topics/resources/boilerplate.tsv``.

    Raises
    ------
    InputFileError
        naming the file and line of a row with the wrong number of columns, an unknown kind,
        an empty category or a pattern that does not compile.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    return [rule for path in paths for rule in _load_rule_file(Path(path))]


def _load_rule_file(path: Path) -> list[Rule]:
    rules: list[Rule] = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        cells = raw.split("\t")
        if len(cells) not in (3, 4):
            raise InputFileError(path, f"expected 3 or 4 tab-separated columns (kind, category, "
                                 f"pattern, note), found {len(cells)}",
                                 "separate the columns with single tabs", line=number)
        kind, category, pattern = (cell.strip() for cell in cells[:3])
        note = cells[3].strip() if len(cells) == 4 else ""
        if kind not in RULE_KINDS:
            raise InputFileError(path, f"unknown rule kind {kind!r}",
                                 f"use one of {', '.join(RULE_KINDS)}", line=number)
        if not category or not pattern:
            raise InputFileError(path, "empty category or pattern", "fill in both columns",
                                 line=number)
        try:
            rules.append(Rule(kind, category, pattern, note))
        except re.error as exc:
            raise InputFileError(path, f"pattern {pattern!r} does not compile ({exc})",
                                 "fix the regular expression", line=number) from None
    return rules


def strip_boilerplate(source: _Source, rules: Iterable[Rule], is_word: Callable[[str], bool] | None = None
                      ) -> tuple[list[Line], list[Removal]]:
    """Drop boilerplate lines and cut inline debris from ``source``.

    Parameters
    ----------
    source : a :class:`topics.build.ingest.SourceText` (only ``name`` and ``text`` are used).
    rules : data rules from :func:`load_rules`.
    is_word : is a string a dictionary word (jieba's)? Needed to tell a page number glued into a
        broken word from a sentence that starts with a number; None: page numbers are not cut.

    Returns
    -------
    lines : kept lines in file order; blank lines are kept (segmentation uses them), dropped
        lines are absent, so ``Line.number`` always refers to the raw file.
    removals : every removal, in file order, with its category.
    """
    # Only the rules that can apply somewhere in this text are tried line by line (in file order).
    rules = tuple(rules)
    may_apply = line_filter(tuple(r.regex for r in rules), tuple(r.kind == "line" for r in rules))(source.text)
    rules = [r for r, ok in zip(rules, may_apply) if ok]
    line_rules = [r for r in rules if r.kind == "line"]
    inline_rules = [r for r in rules if r.kind == "inline"]
    lines: list[Line] = []
    removals: list[Removal] = []
    for number, raw in enumerate(source.text.split("\n"), start=1):
        if line_rules:
            stripped = raw.strip()
            rule = next((r for r in line_rules if stripped and r.regex.fullmatch(stripped)), None)
            if rule is not None:
                removals.append(Removal(source.name, number, 0, len(raw), raw, rule.category))
                continue
        if inline_rules:
            line, cut = _cut_inline(source.name, number, raw, inline_rules)
            lines.append(line)
            removals.extend(cut)
        else:
            lines.append(Line(number, raw, 0, len(raw)))
    lines, teasers = _drop_teasers(source.name, lines)
    lines, glued = _cut_glued_page_numbers(source.name, lines, is_word)
    removals = sorted(removals + teasers + glued, key=lambda r: (r.line, r.start))
    return lines, removals


def _cut_inline(name: str, number: int, raw: str, rules: list[Rule]) -> tuple[Line, list[Removal]]:
    """Cut inline matches; the kept text is the span between the first and last cuts' edges.

    Cuts in the middle of a line are joined up (the kept text loses them), but ``start``/``end``
    always delimit the kept span in the raw line.
    """
    spans: list[tuple[int, int, str]] = []
    for rule in rules:
        for match in rule.regex.finditer(raw):
            if match.end() > match.start():
                spans.append((match.start(), match.end(), rule.category))
    if not spans:
        return Line(number, raw, 0, len(raw)), []
    spans = _merge(spans)
    removals = [Removal(name, number, s, e, raw[s:e], cat) for s, e, cat in spans]
    start = spans[0][1] if spans[0][0] == 0 else 0
    end = spans[-1][0] if spans[-1][1] == len(raw) else len(raw)
    pieces, pos = [], start
    for s, e, _ in spans:
        if s >= start and e <= end:
            pieces.append(raw[pos:s])
            pos = e
    pieces.append(raw[pos:end])
    return Line(number, "".join(pieces), start, max(start, end)), removals


def _merge(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Sort spans and merge overlapping ones (the first category wins)."""
    merged: list[tuple[int, int, str]] = []
    for s, e, cat in sorted(spans):
        if merged and s <= merged[-1][1]:
            ps, pe, pcat = merged[-1]
            merged[-1] = (ps, max(pe, e), pcat)
        else:
            merged.append((s, e, cat))
    return merged


def _normalise(text: str) -> str:
    return _NOT_TEXT.sub("", text)


def _drop_teasers(name: str, lines: list[Line]) -> tuple[list[Line], list[Removal]]:
    """Drop lines ending in an ellipsis whose text is repeated by the lines that follow.

    Sites show the title and first sentences of a document, truncated with ``...``, before the
    document itself. A teaser is recognised by comparing its text with the start of the
    following text (title and first paragraph run together once punctuation and spaces are
    ignored); a line that merely ends in ``……`` inside a speech does not repeat what follows.
    """
    kept: list[Line] = []
    removals: list[Removal] = []
    for i, line in enumerate(lines):
        # _TEASER_END can match only where these end the line (\s is str.isspace): skip the regex elsewhere
        head = _TEASER_END.sub("", line.text) if line.text.rstrip().endswith(_TEASER_ENDINGS) else line.text
        if head != line.text and len(_normalise(head)) >= 10:
            probe = _normalise(head)
            following = ""
            for nxt in lines[i + 1:]:
                following += _normalise(nxt.text)
                if len(following) >= len(probe):
                    break
            if following.startswith(probe) or _shared_prefix_ratio(probe, following) >= 0.9:
                removals.append(Removal(name, line.number, line.start, line.end, line.text, TEASER))
                continue
        kept.append(line)
    return kept, removals


def _shared_prefix_ratio(probe: str, following: str) -> float:
    """Share of ``probe`` characters equal, position by position, to the start of ``following``."""
    if not probe:
        return 0.0
    same = sum(a == b for a, b in zip(probe, following))
    return same / len(probe)


def _cut_glued_page_numbers(name: str, lines: list[Line], is_word: Callable[[str], bool] | None
                            ) -> tuple[list[Line], list[Removal]]:
    """Cut a page number glued to the start of a line that continues a word broken at the page end.

    When a page break falls inside a word, the extracted text reads ``…PIS人`` / ``1员，…``:
    the previous line stops mid-word and the next starts with the page digits. The digits are cut
    only when that is the sole explanation: the previous non-blank line ends mid-sentence, the
    digits are not followed by a counter or unit (``5月份``, ``3个``), and the characters on
    both sides of them join into a dictionary word (``人`` + ``员`` = 人员). A sentence that starts
    with a number (``679公里是…``, ``30集电视剧``) joins into no word with the line before and keeps
    its number. Without a dictionary (``is_word`` None) nothing is cut.
    """
    out: list[Line] = []
    removals: list[Removal] = []
    previous: Line | None = None
    for line in lines:
        match = _LEADING_DIGITS.match(line.text)
        if (match and is_word is not None and previous is not None and previous.text.strip()
                and previous.text.rstrip()[-1] not in _SENTENCE_END
                and not previous.text.rstrip()[-1].isdigit()
                and line.text[match.end()] not in _COUNTERS
                and _joins_a_word(previous.text.rstrip(), line.text[match.end():], is_word)):
            cut = match.end()
            removals.append(Removal(name, line.number, line.start, line.start + cut,
                                    line.text[:cut], GLUED_PAGE_NUMBER))
            line = Line(line.number, line.text[cut:], line.start + cut, line.end)
        out.append(line)
        if line.text.strip():
            previous = line
    return out, removals


def _joins_a_word(before: str, after: str, is_word: Callable[[str], bool]) -> bool:
    """Does a dictionary word of 2–4 characters span the join of ``before`` and ``after``?"""
    for left in range(1, 4):
        for right in range(1, 4):
            if left + right <= 4 and len(before) >= left and len(after) >= right \
                    and is_word(before[-left:] + after[:right]):
                return True
    return False
