"""topics.build.prefilter: a whole-text check never rules out a rule that matches some line."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from topics.build.boilerplate import load_rules
from topics.build.metadata import load_dated_events
from topics.build.prefilter import line_check, whole_line_check
from topics.build.repair import load_repairs

ROOT = Path(__file__).resolve().parents[2]


def project_patterns() -> list[re.Pattern]:
    patterns = [r.regex for r in load_rules(ROOT / "topics" / "resources" / "boilerplate.tsv")]
    rules = load_repairs(ROOT / "topics" / "resources" / "repairs.tsv")
    patterns += [r.pattern for phase in (rules.regex, rules.placeholder, rules.spinner, rules.triggers) for r in phase]
    patterns += [e.pattern for e in load_dated_events(ROOT / "topics" / "resources" / "dated_events.tsv")]
    return patterns


EDGE_CASES = [r"(?<!\n)^x", r"x(?!\n)", r"x$", r"^\s*x\s*$", r"\Ax", r"x\Z", r"x\s*+y", r"(?>x\s*)y", r"\bx\b",
              r"(?:ab|cd)e", r"a(?=b)", r"(?<=b)a", r"x?", r"(a)\1",
              # negative lookarounds: kept in the whole-text search only when they cannot see a "\n"
              r"(?<![A-Za-z])[xX]{2}(?=年)", r"(?<!\s)x", r"x(?![^a])", r"x(?!\S)", r"(?<!a)^x", r"x(?!y|$)",
              r"(?<=[、，,])标准(?!要求|化)", r"[xX×]月|[ab]{2}", r"(?<![\dA-Za-z])[xX×*＊]{2,4}\s*年"]
PIECES = ["x", "y", "a", "b", "ab", "cde", " ", "\u3000", "同志们", "下载文档", "第 3 页 共 9 页", "20xx年", "- 12 -",
          "?", "。", "**", "方案生育", "<p>", "&nbsp;", "1998", "年", "县委", "\t", "X", "×", "标准", "，", "月", "要求"]


def random_lines(rng: random.Random) -> list[str]:
    return ["".join(rng.choice(PIECES) for _ in range(rng.randrange(0, 6))) for _ in range(rng.randrange(1, 6))]


@pytest.mark.parametrize("pattern", project_patterns() + [re.compile(p) for p in EDGE_CASES],
                         ids=lambda p: p.pattern[:30])
def test_check_is_never_wrong_when_a_line_matches(pattern):
    rng = random.Random(pattern.pattern)
    search, full = line_check(pattern), whole_line_check(pattern)
    for _ in range(2000):
        lines = random_lines(rng)
        text = "\n".join(lines)
        if any(pattern.search(line) for line in lines):
            assert search(text), lines
        if any(line.strip() and pattern.fullmatch(line.strip()) for line in lines):
            assert full(text), lines


def test_checks_rule_out_absent_rules():
    check = line_check(re.compile(r"(?:下载文档|立即下载)\s*[:：]?"))
    assert not check("同志们：\n今天开会。")
    assert check("同志们：\n立即下载：")
    # whole-line rules are ruled out by their strings alone (fullmatch line by line is cheaper than a scan)
    assert not whole_line_check(re.compile(r"第\s*\d+\s*页"))("第12章的内容\n12个")
    assert whole_line_check(re.compile(r"第\s*\d+\s*页"))("第12章的内容\n第 3 页")


def test_leading_optional_parts_are_left_out_of_the_whole_text_search():
    from topics.build.prefilter import _without_leading_optional
    from re import _parser

    def strip(source: str) -> str:
        return _without_leading_optional(source, _parser.parse(source))

    assert strip(r"\s*[-—－]\s*\d{1,3}\s*$") == r"[-—－]\s*\d{1,3}\s*$"
    assert strip(r".{0,30}(?:本文档|本文)由用户上传") == r"(?:本文档|本文)由用户上传"
    for kept in [r"\s*?x", r"\s*", r"(\s*)x", r"\s+x", r"\s*a|b"]:
        assert strip(kept) == kept


def test_negative_lookarounds_and_classes_still_rule_rules_out():
    """Placeholder rules (lookbehinds, classes) skip the files that have no x at all, or no match."""
    year_xx = line_check(re.compile(r"(?<![A-Za-z])[xX]{2}(?=年)"))
    assert not year_xx("今年计划生育工作\n明年")  # no x: ruled out by the class condition
    assert not year_xx("box年\nxx 年")  # x and 年, but no match anywhere: the whole-text search says so
    assert year_xx("第一行\nxx年")
    standard = line_check(re.compile(r"(?<=[、，,])标准(?!要求|化)"))
    assert not standard("执行标准要求\n，标准化")
    assert standard("全面、标准、优质")
    assert line_check(re.compile(r"x(?!\S)"))("ax\nb")  # \S could see the "\n": no whole-text search, only conditions


def stage_filters():
    """The rules grouped as the stages use them, each group in one LineFilter."""
    rules = load_rules(ROOT / "topics" / "resources" / "boilerplate.tsv")
    repairs = load_repairs(ROOT / "topics" / "resources" / "repairs.tsv")
    events = load_dated_events(ROOT / "topics" / "resources" / "dated_events.tsv")
    tried = repairs.regex + repairs.placeholder + repairs.spinner
    return [([r.regex for r in rules], [r.kind == "line" for r in rules]),
            ([r.pattern for r in tried], [False] * len(tried)),
            ([e.pattern for e in events], [False] * len(events)),
            ([re.compile(p) for p in EDGE_CASES], [False] * len(EDGE_CASES)),
            ([re.compile(p) for p in EDGE_CASES], [True] * len(EDGE_CASES))]


def any_line_matches(pattern, whole_line, lines) -> bool:
    if whole_line:
        return any(line.strip() and pattern.fullmatch(line.strip()) for line in lines)
    return any(pattern.search(line) for line in lines)


@pytest.mark.parametrize("group", range(5))
def test_a_stage_filter_is_never_wrong_short_and_long_texts(group):
    """All the rules of a stage at once (one automaton), on short texts (the lines holding the rarest
    needed string are tried) and long ones (past the line limit: the whole-text search or "maybe")."""
    from topics.build.prefilter import _MAX_ANCHOR_LINES, LineFilter
    patterns, whole = stage_filters()[group]
    rule_filter = LineFilter(patterns, whole)
    rng = random.Random(group)
    for round_ in range(600):
        lines = random_lines(rng)
        if round_ % 3 == 0:  # long: most needed strings occur on more lines than the limit
            lines = [line for _ in range(_MAX_ANCHOR_LINES // 2 + 1) for line in random_lines(rng)]
        text = "\n".join(lines)
        for pattern, flag, maybe in zip(patterns, whole, rule_filter(text)):
            if not maybe:
                assert not any_line_matches(pattern, flag, lines), (pattern.pattern, lines)


def test_few_occurrences_give_an_exact_answer():
    """Up to the line limit, the lines holding the rarest needed string decide: "no" even where a
    whole-text search would find a match across lines or the strings all occur."""
    from topics.build.prefilter import LineFilter
    rule_filter = LineFilter([re.compile(r"下载\s*文档"), re.compile(r"第\s*\d+\s*页"), re.compile(r"(?:ab|cd)e")])
    assert rule_filter("下载\n文档") == [False, False, False]  # \s would see the "\n" in the whole text
    assert rule_filter("第几页\n第 3 页") == [False, True, False]
    assert rule_filter("ab\ncd\ne\nabe") == [False, False, True]
    assert rule_filter("xx\nab e") == [False, False, False]


def test_a_newline_is_never_a_needed_string():
    """No line holds a "\\n": a pattern that needs one gets no condition from it (it is never ruled in
    by a "\\n" of the whole text, nor needs the automaton to find one)."""
    from topics.build.prefilter import _conditions, _strings
    from re import _parser
    for source in [r"a\nb", r"[\n\r]x", "a\nb"]:
        assert not any("\n" in s for s in _strings(_conditions(_parser.parse(source)))), source
    assert not line_check(re.compile(r"a\nb"))("a\nb")


def test_filters_of_the_same_rules_are_built_once():
    from topics.build.prefilter import line_filter
    patterns = (re.compile("下载文档"), re.compile("分享"))
    assert line_filter(patterns) is line_filter(tuple(re.compile(p.pattern) for p in patterns))
    with pytest.raises(ValueError, match="2 patterns but 1 whole_line flags"):
        line_filter(patterns, (True,))


def test_a_text_check_is_never_wrong_when_the_whole_text_matches():
    """text_check (the needed strings only) for regexes searched on a whole text, as genre's cues."""
    from topics.build import genre
    from topics.build.prefilter import text_check
    patterns = [genre._CONGRESS, genre._REPORT_FORMULA, genre._SPEECH_CUES, genre._HOST_CUES, genre._REPORT_CUES,
                genre._SALUTATION] + [re.compile(p) for p in EDGE_CASES + [r"a\nb", r"下载\s+文档"]]
    pieces = PIECES + ["\n", "同志们", "我", "讲", "几", "点", "强调", "请", "讲话", "工作", "情况", "一年来", "存在的",
                       "问题", "代表", "向", "大会", "报告", "审议", "作", "下载", "文档", "中央委员会", "第十八届", "（掌声）"]
    rng = random.Random(11)
    for pattern in patterns:
        check = text_check(pattern)
        for _ in range(1500):
            text = "".join(rng.choice(pieces) for _ in range(rng.randrange(0, 14)))
            if pattern.search(text):
                assert check(text), (pattern.pattern, text)
    assert not text_check(genre._SPEECH_CUES)("今天开会。\n散会。")
