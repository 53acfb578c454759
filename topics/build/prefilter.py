"""Cheap whole-text checks that let line-by-line regex stages skip rules that cannot match.

Boilerplate, repair and metadata rules are applied one line at a time, and most rules match no
line of a given file. Searching the whole text once per rule is much cheaper than calling the
rule on every line, and if a rule matches no part of the whole text, it matches no line either —
provided the rule's result cannot depend on what lies beyond the line's edges.

:func:`line_check` builds such a check for a compiled rule. It is never wrong in the unsafe
direction: when it says "no", no line can match; when in doubt it says "maybe". It combines

* strings every match must contain (``下载`` in ``下载(?:文档|本文)``, one of ``文档`` or
  ``本文`` there too, one of ``x``/``X``/``×`` for ``[xX×]``, what a positive lookaround needs;
  each branch of an alternation with its own conditions): plain ``in`` tests, which cost far
  less than a regex scan;
* the rule itself, compiled with ``re.MULTILINE`` (so ``^``/``$`` still mean line start/end) and
  searched on the whole text, but only for rules without constructs that could behave
  differently at a line edge than at the ``"\\n"`` that replaces it in the whole text:
  ``\\A``/``\\Z``, possessive quantifiers, atomic groups, and negative lookarounds whose
  content could match a ``"\\n"`` (``(?<![A-Za-z])`` sees nothing at a line start and ``"\\n"``
  in the whole text, and fails to match either, so it is kept).

Examples
--------
>>> check = line_check(re.compile(r"第\\s*\\d+\\s*页"))
>>> check("第一段\\n第 3 页\\n"), check("没有页码\\n")
(True, False)
"""

from __future__ import annotations

import re
from typing import Callable

try:  # Python 3.11+
    from re import _constants as _c, _parser as _p
except ImportError:  # pragma: no cover - Python < 3.11
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _p  # type: ignore[no-redef]

__all__ = ["line_check", "whole_line_check"]

_REPEATS = {_c.MAX_REPEAT, _c.MIN_REPEAT}
_UNSAFE = {_c.ATOMIC_GROUP, _c.POSSESSIVE_REPEAT}
_NEWLINE = ord("\n")
_MAX_CLASS_CLAUSE = 8  # a character class of at most this many literal characters is a clause
_UNSAFE_AT = {_c.AT_BEGINNING_STRING, _c.AT_END_STRING}
_LINE_AT = {_c.AT_BEGINNING, _c.AT_BEGINNING_LINE, _c.AT_END, _c.AT_END_LINE}


def line_check(pattern: re.Pattern) -> Callable[[str], bool]:
    """``check(text)`` is False only if ``pattern.search(line)`` fails on every line of ``text``.

    ``text`` is the lines joined by ``"\\n"``.
    """
    return _check(pattern, whole_line=False)


def whole_line_check(pattern: re.Pattern) -> Callable[[str], bool]:
    """Like :func:`line_check` for ``pattern.fullmatch(line.strip())``."""
    return _check(pattern, whole_line=True)


def _check(pattern: re.Pattern, whole_line: bool) -> Callable[[str], bool]:
    if not isinstance(pattern.pattern, str):
        return _always
    try:
        parsed = _p.parse(pattern.pattern, pattern.flags)
    except Exception:  # noqa: BLE001 - an internal parser: when in doubt, no check
        return _always
    conditions: list = []
    if not pattern.flags & re.IGNORECASE:
        conditions = _conditions(parsed)
    search = None
    # A whole-line rule is tried with fullmatch, which fails at a line's first characters: trying it
    # line by line costs less than one regex scan of the whole text (measured: 1.3 s vs 5.6 s for
    # the packaged boilerplate rules on the bench corpus), so its check is the conditions alone.
    if not whole_line and _is_safe(parsed, _UNSAFE_AT, negative_lookarounds=True):
        try:
            search = re.compile(_without_leading_optional(pattern.pattern, parsed), pattern.flags | re.MULTILINE).search
        except re.error:  # e.g. global inline flags, which must stay at the start
            search = None
    if search is None and not conditions:
        return _always

    def check(text: str) -> bool:
        if not _holds(conditions, text):
            return False
        return search is None or search(text) is not None

    return check


def _always(text: str) -> bool:
    return True


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
# branch, every condition of that branch holds.

def _holds(conditions: list, text: str) -> bool:
    for kind, value in conditions:
        if kind == "any":
            if not any(s in text for s in value):
                return False
        elif not any(_holds(branch, text) for branch in value):
            return False
    return True


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
        if op == _c.LITERAL:
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
            if 0 < len(arg) <= _MAX_CLASS_CLAUSE and all(item_op == _c.LITERAL for item_op, _ in arg):
                conditions.append(("any", frozenset(chr(item) for _, item in arg)))
        elif op == _c.BRANCH:
            branches = [_conditions(branch) for branch in arg[1]]
            if all(branches):
                conditions.append(("or", tuple(branches)))
    flush()
    # single strings, longest first, then sets of strings, then alternations: fail fast and cheap
    return sorted({c for c in conditions if c[0] == "any"}, key=lambda c: (len(c[1]), -min(map(len, c[1])), sorted(c[1]))) \
        + [c for c in conditions if c[0] == "or"]
