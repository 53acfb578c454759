"""Cheap whole-text checks that let line-by-line regex stages skip rules that cannot match.

Boilerplate, repair and metadata rules are applied one line at a time, and most rules match no
line of a given file. :class:`LineFilter` tells, for all the rules of a stage at once, which of
them can match some line of a text; the stage tries only those line by line. It is never wrong in
the unsafe direction: when it says "no", no line matches; when in doubt it says "maybe". It uses

* strings every match must contain (``下载`` in ``下载(?:文档|本文)``, one of ``文档`` or
  ``本文`` there too, one of ``x``/``X``/``×`` for ``[xX×]``, what a positive lookaround needs;
  each branch of an alternation with its own conditions). The strings of all the rules are
  found in one pass over the text (an Aho-Corasick automaton, ``ahocorasick_rs``; single
  characters by ``in``), so each rule's conditions are set look-ups, not scans of the text;
* where the conditions hold, the lines that contain the rarest of the strings a match needs: only
  they can match, and the rule itself is tried on them (exactly as the stage would: ``search``
  on the line, or ``fullmatch`` on the stripped line), so the answer is exact;
* when those strings occur on too many lines, the rule itself compiled with ``re.MULTILINE`` (so
  ``^``/``$`` still mean line start/end) and searched on the whole text, but only for rules
  without constructs that could behave differently at a line edge than at the ``"\\n"`` that
  replaces it in the whole text: ``\\A``/``\\Z``, possessive quantifiers, atomic groups, and
  negative lookarounds whose content could match a ``"\\n"`` (``(?<![A-Za-z])`` sees nothing at
  a line start and ``"\\n"`` in the whole text, and fails to match either, so it is kept).

:func:`line_check` and :func:`whole_line_check` are the same for a single rule; :func:`text_check`
tests only the needed strings, for a regex searched on a whole text.

Examples
--------
>>> check = line_check(re.compile(r"第\\s*\\d+\\s*页"))
>>> check("第一段\\n第 3 页\\n"), check("没有页码\\n")
(True, False)
>>> LineFilter([re.compile("下载文档"), re.compile(r"第\\s*\\d+\\s*页")])("第 3 页")
[False, True]
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable

import ahocorasick_rs

try:  # Python 3.11+
    from re import _constants as _c, _parser as _p
except ImportError:  # pragma: no cover - Python < 3.11
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _p  # type: ignore[no-redef]

__all__ = ["LineFilter", "line_check", "line_filter", "text_check", "whole_line_check"]

_REPEATS = {_c.MAX_REPEAT, _c.MIN_REPEAT}
_UNSAFE = {_c.ATOMIC_GROUP, _c.POSSESSIVE_REPEAT}
_NEWLINE = ord("\n")
_MAX_CLASS_CLAUSE = 8  # a character class of at most this many literal characters is a clause
_UNSAFE_AT = {_c.AT_BEGINNING_STRING, _c.AT_END_STRING}
# Trying a rule on the lines that hold its rarest needed string beats one regex scan of the whole
# text up to about this many occurrences (a scan of a 6,000-character text costs 100-200 µs when
# the pattern has no literal prefix, a line a few µs).
_MAX_ANCHOR_LINES = 48


def line_check(pattern: re.Pattern) -> Callable[[str], bool]:
    """``check(text)`` is False only if ``pattern.search(line)`` fails on every line of ``text``.

    ``text`` is the lines joined by ``"\\n"``.
    """
    rule_filter = LineFilter([pattern])
    return lambda text: rule_filter(text)[0]


def whole_line_check(pattern: re.Pattern) -> Callable[[str], bool]:
    """Like :func:`line_check` for ``pattern.fullmatch(line.strip())`` on the non-blank lines."""
    rule_filter = LineFilter([pattern], whole_line=[True])
    return lambda text: rule_filter(text)[0]


def text_check(pattern: re.Pattern) -> Callable[[str], bool]:
    """``check(text)`` is False only if ``pattern.search(text)`` finds nothing in the whole text.

    Only the strings every match needs, tested with ``in`` (a few µs each, where a regex scan of a
    text without a literal prefix costs ~20 ns a character); when in doubt, True.
    """
    conditions = []
    if isinstance(pattern.pattern, str) and not pattern.flags & re.IGNORECASE:
        try:
            conditions = _conditions(_p.parse(pattern.pattern, pattern.flags))
        except Exception:  # noqa: BLE001 - an internal parser: when in doubt, no check
            conditions = []
    strings = frozenset(_strings(conditions))
    return lambda text: _holds(conditions, {string for string in strings if string in text})


@lru_cache(maxsize=32)
def line_filter(patterns: tuple[re.Pattern, ...], whole_line: tuple[bool, ...] | None = None) -> LineFilter:
    """The :class:`LineFilter` of a stage's rules, built once per set of rules."""
    return LineFilter(patterns, whole_line)


class LineFilter:
    """Which of several rules can match some line of a text (see the module docstring).

    Parameters
    ----------
    patterns : the rules, each tried with ``search`` on a line, or with ``fullmatch`` on the
        stripped non-blank line where ``whole_line`` says so (one flag per pattern; default: all
        ``search``).

    ``rule_filter(text)`` is one flag per pattern: False only if the pattern matches no line of
    ``text`` (its lines joined by ``"\\n"``).
    """

    def __init__(self, patterns, whole_line=None) -> None:
        patterns = list(patterns)
        flags = [False] * len(patterns) if whole_line is None else list(whole_line)
        if len(flags) != len(patterns):
            raise ValueError(f"{len(patterns)} patterns but {len(flags)} whole_line flags")
        self._rules = [_Rule(pattern, flag) for pattern, flag in zip(patterns, flags)]
        needed = {s for rule in self._rules for s in _strings(rule.conditions)}
        self._chars = tuple(sorted(s for s in needed if len(s) == 1))
        self._words = sorted(s for s in needed if len(s) > 1)
        self._automaton = None
        if self._words:
            # All the words in one pass (overlapping matches: every word found). Single characters
            # are left to `in`: the common ones (：, 年, -) would make thousands of matches.
            self._automaton = ahocorasick_rs.AhoCorasick(self._words, implementation=ahocorasick_rs.Implementation.DFA)

    def __call__(self, text: str) -> list[bool]:
        found = _Found(text, self._chars, self._words, self._automaton)
        return [rule.may_match(found) for rule in self._rules]


class _Found:
    """The needed strings that occur in one text, and where."""

    __slots__ = ("text", "present", "starts", "counts")

    def __init__(self, text: str, chars, words, automaton) -> None:
        self.text = text
        #: where each word found starts (single characters are looked up when needed)
        self.starts: dict[str, list[int]] = {}
        if automaton is not None:
            for index, start, _ in automaton.find_matches_as_indexes(text, overlapping=True):
                self.starts.setdefault(words[index], []).append(start)
        self.present = set(self.starts).union(c for c in chars if c in text)
        self.counts = {word: len(starts) for word, starts in self.starts.items()}

    def occurrences(self, strings: frozenset) -> int:
        """How often the strings occur (their occurrences may overlap)."""
        counts, total = self.counts, 0
        for string in strings & self.present:
            count = counts.get(string)
            if count is None:  # a single character
                count = counts[string] = self.text.count(string)
            total += count
        return total

    def lines(self, string: str):
        """The lines that hold ``string``."""
        text = self.text
        if len(string) == 1:
            position = text.find(string)
            while position >= 0:
                end = text.find("\n", position)
                yield text[text.rfind("\n", 0, position) + 1:len(text) if end < 0 else end]
                position = text.find(string, end) if end >= 0 else -1
            return
        line_end = -1
        for position in self.starts.get(string, ()):
            if position > line_end:  # not on the line just given
                end = text.find("\n", position)
                line_end = len(text) if end < 0 else end
                yield text[text.rfind("\n", 0, position) + 1:line_end]


class _Rule:
    """One pattern with its necessary conditions and, when safe, its whole-text search."""

    __slots__ = ("pattern", "whole_line", "conditions", "gates", "simple", "search", "line_search")

    def __init__(self, pattern: re.Pattern, whole_line: bool) -> None:
        self.pattern, self.whole_line = pattern, whole_line
        self.conditions: list = []
        self.search = None
        self.line_search = pattern.search
        parsed = None
        if isinstance(pattern.pattern, str):
            try:
                parsed = _p.parse(pattern.pattern, pattern.flags)
            except Exception:  # noqa: BLE001 - an internal parser: when in doubt, no check
                parsed = None
        if parsed is not None:
            if not pattern.flags & re.IGNORECASE:
                self.conditions = _conditions(parsed)
            if not whole_line:  # whether a line matches does not depend on a leading \s*: 5x faster without
                try:
                    self.line_search = re.compile(_without_leading_optional(pattern.pattern, parsed), pattern.flags).search
                except re.error:
                    pass
            # A whole-line rule is tried with fullmatch, which fails at a line's first characters:
            # trying it line by line costs less than one regex scan of the whole text (measured:
            # 1.3 s vs 5.6 s for the packaged boilerplate rules on the bench corpus), so it has no
            # whole-text search.
            if not whole_line and _is_safe(parsed, _UNSAFE_AT, negative_lookarounds=True):
                try:
                    self.search = re.compile(_without_leading_optional(pattern.pattern, parsed),
                                             pattern.flags | re.MULTILINE).search
                except re.error:  # e.g. global inline flags, which must stay at the start
                    self.search = None
        # Sets of strings, one of each must occur: most rules fail on the first, one C call.
        self.gates = _gates(self.conditions)
        self.simple = all(kind == "any" for kind, _ in self.conditions)  # the gates are the conditions

    def may_match(self, found: _Found) -> bool:
        present = found.present
        for gate in self.gates:
            if gate.isdisjoint(present):
                return False
        if not (self.simple or _holds(self.conditions, present)):
            return False
        # Every match holds a string of each gate: the lines that hold the gate with the fewest
        # occurrences are the only ones that can match.
        fewest, anchors = _MAX_ANCHOR_LINES + 1, None
        for gate in self.gates:
            occurrences = found.occurrences(gate)
            if occurrences < fewest:
                fewest, anchors = occurrences, gate
        if anchors is not None:
            return self._matches_a_line(anchors & found.present, found)
        return self.search is None or self.search(found.text) is not None

    def _matches_a_line(self, anchors, found: _Found) -> bool:
        """Try the rule on each line holding one of ``anchors`` (every match holds one): exact."""
        for string in anchors:
            for line in found.lines(string):
                if self.whole_line:
                    line = line.strip()
                    if line and self.pattern.fullmatch(line):
                        return True
                elif self.line_search(line):
                    return True
        return False


# A leading ``\s*``, ``.*`` or ``.{0,N}`` (greedy) of a pattern's source.
_LEADING_OPTIONAL = re.compile(r"(?:\\s\*|\.\*|\.\{0,\d+\}|\\s\{0,\d+\})(?![?+])")


def _without_leading_optional(source: str, parsed) -> str:
    """``source`` without leading parts that may match nothing (``\\s*-\\s*\\d+`` → ``-\\s*\\d+``).

    Whether a pattern occurs does not depend on them (where ``\\s*P`` matches, ``P`` does), and a
    pattern that starts with them is tried at every position, which costs 10× a scan for ``P``'s
    first character. Checked against the parse: the stripped source must parse to the rest.
    """
    stripped, rest = source, list(parsed)
    while rest and rest[0][0] in _REPEATS and rest[0][1][0] == 0:
        match = _LEADING_OPTIONAL.match(stripped)
        if not match:
            break
        stripped, rest = stripped[match.end():], rest[1:]
    if stripped == source or not rest:
        return source
    try:
        same = repr(list(_p.parse(stripped, parsed.state.flags))) == repr(rest)
    except Exception:  # noqa: BLE001 - when in doubt, the pattern as it is
        return source
    return stripped if same else source


def _is_safe(parsed, unsafe_at: set, negative_lookarounds: bool) -> bool:
    """No construct whose outcome could differ at a line edge versus a ``"\\n"``."""
    def safe(items) -> bool:
        return _is_safe(items, unsafe_at, negative_lookarounds)

    for op, arg in parsed:
        if op in _UNSAFE or (op == _c.AT and arg in unsafe_at):
            return False
        if op == _c.ASSERT_NOT and not (negative_lookarounds and not _may_match_newline(arg[1])):
            return False
        if op == _c.ASSERT and not safe(arg[1]):
            return False
        if op in _REPEATS and not safe(arg[2]):
            return False
        if op == _c.SUBPATTERN and not safe(arg[-1]):
            return False
        if op == _c.BRANCH and not all(safe(branch) for branch in arg[1]):
            return False
        if op == _c.GROUPREF_EXISTS and not all(safe(b) for b in arg[1:] if b is not None):
            return False
    return True


def _may_match_newline(parsed) -> bool:
    """Could some part of ``parsed`` match a ``"\\n"`` or an edge? Conservative: True when unsure."""
    for op, arg in parsed:
        if op == _c.LITERAL:
            if arg == _NEWLINE:
                return True
        elif op == _c.IN:
            for item_op, item in arg:
                if item_op == _c.LITERAL and item == _NEWLINE:
                    return True
                if item_op == _c.RANGE and item[0] <= _NEWLINE <= item[1]:
                    return True
                if item_op == _c.CATEGORY and item not in (_c.CATEGORY_DIGIT, _c.CATEGORY_WORD):
                    return True
                if item_op not in (_c.LITERAL, _c.RANGE, _c.CATEGORY):  # NEGATE and anything else
                    return True
        elif op in _REPEATS:
            if _may_match_newline(arg[2]):
                return True
        elif op == _c.SUBPATTERN:
            if _may_match_newline(arg[-1]):
                return True
        elif op == _c.BRANCH:
            if any(_may_match_newline(branch) for branch in arg[1]):
                return True
        else:  # ANY, NOT_LITERAL, AT, lookarounds, group references, …
            return True
    return False


# A condition is ("any", strings): one of them occurs in the text; or ("or", branches): for some
# branch, every condition of that branch holds. No string holds a "\n" (see _conditions).

def _holds(conditions: list, present: set) -> bool:
    for kind, value in conditions:
        if kind == "any":
            if value.isdisjoint(present):
                return False
        elif not any(_holds(branch, present) for branch in value):
            return False
    return True


def _gates(conditions: list) -> list[frozenset]:
    """Necessary sets (one of each must occur): the "any" conditions, and for an alternation the
    first "any" condition of every branch together (when each branch has one)."""
    gates = [value for kind, value in conditions if kind == "any"]
    for kind, value in conditions:
        if kind == "or":
            firsts = [next((v for k, v in branch if k == "any"), None) for branch in value]
            if all(first is not None for first in firsts):
                gates.append(frozenset().union(*firsts))
    return gates


def _strings(conditions: list):
    for kind, value in conditions:
        if kind == "any":
            yield from value
        else:
            for branch in value:
                yield from _strings(branch)


def _conditions(parsed) -> list:
    """Necessary conditions of a match (see :func:`_holds`), cheapest and most selective first.

    Runs of literal characters give one string; a character class of a few literal characters
    gives one of them; an alternation gives its branches' own conditions (when every branch has
    some); a positive lookaround gives the conditions of what it must see. Conservative: anything
    else (ranges, categories, optional parts, negative lookarounds) adds no condition.
    """
    conditions: list = []
    run: list[str] = []

    def flush() -> None:
        if run:
            conditions.append(("any", frozenset(["".join(run)])))
            run.clear()

    for op, arg in parsed:
        if op == _c.LITERAL and arg != _NEWLINE:  # no line holds a "\n": strings never do
            run.append(chr(arg))
            continue
        flush()
        if op == _c.SUBPATTERN:
            conditions += _conditions(arg[-1])
        elif op == _c.ATOMIC_GROUP:
            conditions += _conditions(arg)
        elif op == _c.ASSERT:  # (?=…) / (?<=…): what it looks at lies within the line
            conditions += _conditions(arg[1])
        elif op in _REPEATS or op == _c.POSSESSIVE_REPEAT:
            if arg[0] >= 1:
                conditions += _conditions(arg[2])
        elif op == _c.IN:
            if 0 < len(arg) <= _MAX_CLASS_CLAUSE and all(item_op == _c.LITERAL and item != _NEWLINE for item_op, item in arg):
                conditions.append(("any", frozenset(chr(item) for _, item in arg)))
        elif op == _c.BRANCH:
            branches = [_conditions(branch) for branch in arg[1]]
            if all(branches):
                conditions.append(("or", tuple(branches)))
    flush()
    # single strings, longest first, then sets of strings, then alternations: fail fast and cheap
    return sorted({c for c in conditions if c[0] == "any"}, key=lambda c: (len(c[1]), -min(map(len, c[1])), sorted(c[1]))) \
        + [c for c in conditions if c[0] == "or"]
