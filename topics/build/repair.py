"""Repair corrupted speech text: spinner undo, ``?`` decimal points, placeholders → markers.

This stage runs after the speeches are found (see ``docs/ARCHITECTURE.md``)::

    [SpeechSpan] ─repair─▶ [SpeechSpan] ─metadata─▶ ...

Everything is driven by ``topics/resources/repairs.tsv`` (its header documents the columns) and
the project's own repairs files, so users can extend the rules for their own sources without
touching code. Rules are applied one line at
a time, in three phases (a rule that matches nowhere in the speech's text is not tried on its
lines until an earlier rule has changed the line, see :mod:`topics.build.prefilter`):

1. ``regex``: always-on corrections of encoding and transcription damage;
2. ``placeholder``: anonymisation placeholders (``20xx``, ``x月x日``, ``***``, ``____``) become
   marker tokens (:data:`MARKERS`) that the text keeps and the tokenizer drops;
3. ``spinner``: synonym-spinner substitutions are undone, but only in a speech the evidence
   says was spun — it contains a ``spinner_trigger`` form (``方案生育``) and never the
   original form (``计划生育``). Undoing them elsewhere would damage genuine text
   (``工作方案`` is correct Chinese).

Every change is reported as a :class:`Repair` (file, line, rule, before, after, count) so the
build report can list it. Line numbers and offsets of the speech are kept: a repaired
:class:`~topics.build.boilerplate.Line` has new ``text`` but the same ``number``, ``start``, ``end``
(they describe where the text came from in the source file).

Examples
--------
>>> rules = load_repairs("my_repairs.tsv")                   # doctest: +SKIP
>>> fixed, repairs = repair_speech(speech, rules)               # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from ..errors import InputFileError
from ..common.fileio import sha256_bytes
from .prefilter import line_filter

if TYPE_CHECKING:  # only for annotations: finding speeches is a separate stage
    from .speeches import SpeechSpan

__all__ = ["MARKERS", "MARKER_RE", "KINDS", "Repair", "RepairRule", "RepairRules", "load_repairs",
           "repair_speech", "repair_text", "is_spun"]

MARKERS = {"YEAR": "⟦YEAR⟧", "DATE": "⟦DATE⟧", "ANON": "⟦ANON⟧", "BLANK": "⟦BLANK⟧"}
MARKER_RE = re.compile("|".join(re.escape(marker) for marker in MARKERS.values()))

# Phases in the order they run; spinner_trigger rows hold evidence, not replacements.
KINDS = ("regex", "placeholder", "spinner", "spinner_trigger")
_COLUMNS = ("kind", "rule", "pattern", "replacement", "note")
_ANY_MARKER_LIKE = re.compile(r"⟦[^⟧]*⟧")
#: characters of context kept either side of a repair (build report, notebooks)
CONTEXT = 12


@dataclass(frozen=True)
class Repair:
    """One repair applied to one line (``count`` = how many times there).

    ``context_before`` / ``context_after``: the text around the first place the rule changed,
    before and after the rule (a few characters either side), so a reader can check the repair
    without opening the raw file.
    """

    source_file: str
    line: int
    kind: str
    rule: str
    before: str
    after: str
    count: int
    context_before: str = ""
    context_after: str = ""


@dataclass(frozen=True)
class RepairRule:
    """One row of ``repairs.tsv``, compiled."""

    kind: str
    rule: str
    pattern: re.Pattern
    replacement: str
    note: str = ""


@dataclass(frozen=True)
class RepairRules:
    """All rules of a repairs file, grouped by phase (in file order within a phase).

    Attributes
    ----------
    regex, placeholder, spinner : rules of each phase.
    triggers : ``spinner_trigger`` rows; ``replacement`` is the original form as a plain string.
    path : the file they came from; ``sha256`` of its bytes (for build manifests and caches).
    """

    regex: tuple[RepairRule, ...] = ()
    placeholder: tuple[RepairRule, ...] = ()
    spinner: tuple[RepairRule, ...] = ()
    triggers: tuple[RepairRule, ...] = ()
    path: str | None = None
    sha256: str = ""

    def __len__(self) -> int:
        return len(self.regex) + len(self.placeholder) + len(self.spinner) + len(self.triggers)


# --------------------------------------------------------------------------------------------
# Loading the rules
# --------------------------------------------------------------------------------------------


def load_repairs(paths: str | Path | Sequence[str | Path]) -> RepairRules:
    """Read and compile one or several repairs TSV files, in order (format: the header of the
    packaged ``topics/resources/repairs.tsv``).

    Raises
    ------
    InputFileError
        A file is missing, or a row has the wrong number of columns, an unknown kind, a
        duplicate rule name (across all the files), a pattern that does not compile, an unknown
        marker, or a pattern that matches the empty string; the message names file and line.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    groups: dict[str, list[RepairRule]] = {kind: [] for kind in KINDS}
    names: set[str] = set()
    digest = []
    for path in map(Path, paths):
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputFileError(path, f"cannot read the repairs file ({exc.strerror or exc})",
                                 "check corpus.repairs in the config") from exc
        digest.append(sha256_bytes(data))
        for number, raw in enumerate(data.decode("utf-8-sig").split("\n"), start=1):
            row = raw.rstrip("\r")
            if not row.strip() or row.lstrip().startswith("#"):
                continue
            rule = _parse_row(row, path, number)
            if rule.rule in names:
                raise InputFileError(path, f"rule name {rule.rule!r} is used twice", "give every rule a unique name",
                                     line=number)
            names.add(rule.rule)
            groups[rule.kind].append(rule)
    return RepairRules(
        regex=tuple(groups["regex"]), placeholder=tuple(groups["placeholder"]),
        spinner=tuple(groups["spinner"]), triggers=tuple(groups["spinner_trigger"]),
        path=";".join(map(str, paths)), sha256=digest[0] if len(digest) == 1 else sha256_bytes("".join(digest).encode()),
    )


def _parse_row(row: str, path: Path, number: int) -> RepairRule:
    fields = row.split("\t")
    if len(fields) == 4:  # the note is optional
        fields.append("")
    if len(fields) != len(_COLUMNS):
        raise InputFileError(
            path, f"expected {len(_COLUMNS)} TAB-separated columns ({', '.join(_COLUMNS)}), found {len(fields)}",
            "separate the columns with single TAB characters", line=number)
    kind, name, pattern, replacement, note = (field.strip() if i < 3 else field for i, field in enumerate(fields))
    if kind not in KINDS:
        raise InputFileError(path, f"unknown kind {kind!r}", f"use one of: {', '.join(KINDS)}", line=number)
    if not name:
        raise InputFileError(path, "the rule has no name", "fill the second column", line=number)
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise InputFileError(path, f"pattern {pattern!r} is not a valid regular expression ({exc})",
                             "fix the pattern (Python `re` syntax)", line=number) from exc
    if compiled.search("") is not None:
        raise InputFileError(path, f"pattern {pattern!r} matches the empty string",
                             "make the pattern match at least one character", line=number)
    unknown = [m for m in _ANY_MARKER_LIKE.findall(replacement) if m not in MARKERS.values()]
    if unknown:
        raise InputFileError(path, f"unknown marker {unknown[0]}",
                             f"use one of: {' '.join(MARKERS.values())}", line=number)
    if kind == "spinner_trigger" and not replacement:
        raise InputFileError(path, "a spinner_trigger needs the original form in the replacement column",
                             "e.g. 方案生育<TAB>计划生育", line=number)
    if kind != "spinner_trigger":
        # Check the template now rather than failing in the middle of a build.
        _check_template(compiled, replacement, path, number)
    return RepairRule(kind=kind, rule=name, pattern=compiled, replacement=replacement, note=note.strip())


def _check_template(pattern: re.Pattern, replacement: str, path: Path, number: int) -> None:
    """A replacement may only refer to groups the pattern has."""
    for ref in re.findall(r"\\(\d+)|\\g<(\w+)>", replacement):
        group = ref[0] or ref[1]
        ok = int(group) <= pattern.groups if group.isdigit() else group in pattern.groupindex
        if not ok:
            raise InputFileError(path, f"replacement refers to group {group!r}, which the pattern does not have",
                                 "add the group to the pattern or fix the reference", line=number)


# --------------------------------------------------------------------------------------------
# Applying the rules
# --------------------------------------------------------------------------------------------


def is_spun(text: str, rules: RepairRules) -> RepairRule | None:
    """The spinner trigger whose evidence ``text`` shows, or None.

    A trigger fires when its pattern occurs in ``text`` and its original form never does:
    a document with both 方案生育 and 计划生育 was not run through the spinner.
    """
    for trigger in rules.triggers:
        if trigger.pattern.search(text) and trigger.replacement not in text:
            return trigger
    return None


def repair_text(text: str, rules: RepairRules, spun: bool = False, *,
                skip: frozenset[str] = frozenset()) -> tuple[str, list[tuple[RepairRule, str, str, int, str, str]]]:
    """Apply the rules to one line of text.

    Returns the repaired text and the changes as ``(rule, before, after, count, context_before,
    context_after)``: one entry per rule and distinct (matched text, replacement) pair, in rule
    order; the contexts are :data:`CONTEXT` characters either side of the first such match, before
    and after that rule.

    ``skip`` names rules known not to match the line as given (see :func:`repair_speech`);
    they are skipped only while no earlier rule has changed the line.
    """
    phases = [rules.regex, rules.placeholder] + ([rules.spinner] if spun else [])
    changes: list[tuple[RepairRule, str, str, int, str, str]] = []
    original = text
    for phase in phases:
        for rule in phase:
            if rule.rule in skip and text is original:
                continue
            if not rule.pattern.search(text):
                continue
            seen: Counter[tuple[str, str]] = Counter()
            first: dict[tuple[str, str], tuple[int, int]] = {}

            def substitute(match: re.Match, rule: RepairRule = rule) -> str:
                after = match.expand(rule.replacement)
                seen[(match.group(0), after)] += 1
                first.setdefault((match.group(0), after), match.span())
                return after

            before_rule = text
            text = rule.pattern.sub(substitute, text)
            for (before, after), count in seen.items():
                start, end = first[(before, after)]
                left, right = before_rule[max(0, start - CONTEXT):start], before_rule[end:end + CONTEXT]
                changes.append((rule, before, after, count, left + before + right, left + after + right))
    return text, changes


def repair_speech(speech: SpeechSpan, rules: RepairRules) -> tuple[SpeechSpan, list[Repair]]:
    """Repair a speech's lines (and its title); list every repair applied.

    Parameters
    ----------
    speech : a :class:`~topics.build.speeches.SpeechSpan`; it is not modified.
    rules : from :func:`load_repairs`.

    Returns
    -------
    (SpeechSpan, list of Repair)
        A new speech (``dataclasses.replace``) with repaired line texts and title, and one
        :class:`Repair` per line, rule and distinct change. Title repairs are not listed
        separately: the title is the text of a line that is already listed.
    """
    evidence = speech.text if speech.title is None else f"{speech.title}\n{speech.text}"
    spun = is_spun(evidence, rules) is not None
    # Rules that match none of the speech's lines as they stand (topics.build.prefilter).
    tried = rules.regex + rules.placeholder + rules.spinner
    may_match = line_filter(tuple(rule.pattern for rule in tried))(speech.text)
    skip = frozenset(rule.rule for rule, ok in zip(tried, may_match) if not ok)
    repairs: list[Repair] = []
    new_lines = []
    for line in speech.lines:
        text, changes = repair_text(line.text, rules, spun=spun, skip=skip)
        if changes:
            line = dataclasses.replace(line, text=text)
            repairs.extend(
                Repair(source_file=speech.source_file, line=line.number, kind=rule.kind, rule=rule.rule,
                       before=before, after=after, count=count, context_before=left, context_after=right)
                for rule, before, after, count, left, right in changes
            )
        new_lines.append(line)
    title = speech.title if speech.title is None else repair_text(speech.title, rules, spun=spun)[0]
    if not repairs and title == speech.title:
        return speech, []
    return dataclasses.replace(speech, lines=tuple(new_lines), title=title), repairs
