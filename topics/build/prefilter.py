"""Cheap whole-text checks that let line-by-line regex stages skip rules that cannot match.

Boilerplate, repair and metadata rules are applied one line at a time, and most rules match no
line of a given file. Searching the whole text once per rule is much cheaper than calling the
rule on every line, and if a rule matches no part of the whole text, it matches no line either —
provided the rule's result cannot depend on what lies beyond the line's edges.

:func:`line_check` builds such a check for a compiled rule. It is never wrong in the unsafe
direction: when it says "no", no line can match; when in doubt it says "maybe". It combines

* strings every match must contain (``下载`` in ``下载(?:文档|本文)``, one of ``文档`` or
  ``本文`` there too): plain ``in`` tests, which cost far less than a regex scan;
* the rule itself, compiled with ``re.MULTILINE`` (so ``^``/``$`` still mean line start/end) and
  searched on the whole text, but only for rules without constructs that could behave
  differently at a line edge than at the ``"\\n"`` that replaces it in the whole text: negative
  lookarounds, ``\\A``/``\\Z``, possessive quantifiers and atomic groups.

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
_UNSAFE = {_c.ASSERT_NOT, _c.ATOMIC_GROUP, _c.POSSESSIVE_REPEAT}
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
    clauses: list[tuple[str, ...]] = []
    if not pattern.flags & re.IGNORECASE:
        clauses = sorted({tuple(sorted(c)) for c in _clauses(parsed)}, key=lambda c: (len(c), c))
    search = None
    # fullmatch runs on the stripped line, whose edges are not the raw line's: no ^/$ then either
    if _is_safe(parsed, _UNSAFE_AT | (_LINE_AT if whole_line else set())):
        source = rf"^[^\S\n]*(?:{pattern.pattern})[^\S\n]*$" if whole_line else pattern.pattern
        try:
            search = re.compile(source, pattern.flags | re.MULTILINE).search
        except re.error:  # e.g. global inline flags, which must stay at the start
            search = None
    if search is None and not clauses:
        return _always

    def check(text: str) -> bool:
        if not all(any(s in text for s in clause) for clause in clauses):
            return False
        return search is None or search(text) is not None

    return check


def _always(text: str) -> bool:
    return True


def _is_safe(parsed, unsafe_at: set) -> bool:
    """No construct whose outcome could differ at a line edge versus a ``"\\n"``."""
    for op, arg in parsed:
        if op in _UNSAFE or (op == _c.AT and arg in unsafe_at):
            return False
        if op == _c.ASSERT and not _is_safe(arg[1], unsafe_at):
            return False
        if op in _REPEATS and not _is_safe(arg[2], unsafe_at):
            return False
        if op == _c.SUBPATTERN and not _is_safe(arg[-1], unsafe_at):
            return False
        if op == _c.BRANCH and not all(_is_safe(branch, unsafe_at) for branch in arg[1]):
            return False
        if op == _c.GROUPREF_EXISTS and not all(_is_safe(b, unsafe_at) for b in arg[1:] if b is not None):
            return False
    return True


def _clauses(parsed) -> list[frozenset[str]]:
    """Necessary conditions of a match: in each returned set, at least one string occurs in it.

    Runs of literal characters give one-string sets; an alternation gives the set of its
    branches' longest required strings (when every branch has one). Conservative: anything
    else (classes, optional parts, lookarounds) adds no condition.
    """
    clauses: list[frozenset[str]] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            clauses.append(frozenset(["".join(run)]))
            run.clear()

    for op, arg in parsed:
        if op == _c.LITERAL:
            run.append(chr(arg))
            continue
        flush()
        if op == _c.SUBPATTERN:
            clauses += _clauses(arg[-1])
        elif op == _c.ATOMIC_GROUP:
            clauses += _clauses(arg)
        elif op in _REPEATS or op == _c.POSSESSIVE_REPEAT:
            if arg[0] >= 1:
                clauses += _clauses(arg[2])
        elif op == _c.BRANCH:
            options = []
            for branch in arg[1]:
                singles = [next(iter(c)) for c in _clauses(branch) if len(c) == 1]
                if not singles:
                    break
                options.append(max(singles, key=len))
            else:
                clauses.append(frozenset(options))
    flush()
    return clauses
