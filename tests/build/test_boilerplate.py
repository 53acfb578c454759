"""Boilerplate rules: each rule on a small synthetic page, offsets kept, bad rule files named."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from topics.build.boilerplate import Line, Rule, load_rules, strip_boilerplate
from topics.errors import InputFileError

RULES_PATH = Path(__file__).resolve().parents[2] / "topics" / "resources" / "boilerplate.tsv"


@dataclass(frozen=True)
class Src:
    name: str
    text: str


@pytest.fixture(scope="module")
def rules():
    return load_rules(RULES_PATH)


def strip(text, rules):
    return strip_boilerplate(Src("t.txt", text), rules)


@pytest.mark.parametrize("line, category", [
    ("下载文档", "download_notice"),
    ("温馨提示:", "download_notice"),
    ("1. 部分包含数学公式或PPT动画的文件,查看预览时可能会显示错乱或异常,文件下载后无此问题,请放心下载。", "download_notice"),
    ("此文档下载收益归作者所有", "download_notice"),
    ("本站小编为你精心整理了5篇《计划生育讲话稿》的相关范文", "editor"),
    ("网站客服:3074922707", "site_customer_service"),
    ("ID:1284882", "doc_metadata"),
    ("大小:21.50KB", "doc_metadata"),
    ("页数:8页", "doc_metadata"),
    ("格式:DOCX", "doc_metadata"),
    ("时间:2023-04-19", "doc_metadata"),
    ("分享", "share_widget"),
    ("收藏 分享赚钱", "share_widget"),
    ("展开", "ui_widget"),
    ("收起", "ui_widget"),
    ("你可能关注的文档", "recommendation_widget"),
    ("第8页 共8页", "page_counter"),
    ("-3-", "page_number"),
    ("2023年县人口和计划生育工作会议致辞稿.docx", "doc_title"),
    ("2023 人口 计划生育 工作会议 致辞", "tags"),
    ("</p", "html_debris"),
    ("align=left>内容预览：", "html_debris"),
])
def test_whole_line_rules(rules, line, category):
    lines, removals = strip(f"同志们：\n{line}\n今天开会。", rules)
    assert [l.number for l in lines] == [1, 3]
    assert [(r.line, r.rule) for r in removals] == [(2, category)]


@pytest.mark.parametrize("line", [
    "同志们：", "时间：下午三点", "一、肯定成绩，正视问题", "分享经验，共同提高。",
    "下面，让我们以热烈的掌声欢迎贺主任为我们讲课！… …", "………………",
])
def test_speech_lines_are_kept(rules, line):
    lines, removals = strip(line, rules)
    assert removals == [] and lines[0].text == line


def test_inline_page_counter_keeps_offsets(rules):
    raw = "县人口工作会议讲话稿 同志们: 今天开会。 第8页 共8页"
    lines, removals = strip(raw, rules)
    assert lines == [Line(1, raw[:-8], 0, len(raw) - 8)]
    assert removals[0].text == " 第8页 共8页" and removals[0].rule == "page_counter"


def test_inline_page_number_at_line_end(rules):
    lines, removals = strip("首先颁发先进单位奖，共11个，-1-", rules)
    assert lines[0].text == "首先颁发先进单位奖，共11个，"
    assert (removals[0].start, removals[0].end, removals[0].rule) == (15, 18, "page_number")


def test_inline_html_debris_at_line_start(rules):
    lines, removals = strip("align=left>内容预览：县委、县政府召开这次会议。", rules)
    assert lines[0].text == "县委、县政府召开这次会议。" and lines[0].start == 16
    assert removals[0].rule == "html_debris"


def test_teaser_that_repeats_following_text_is_dropped(rules):
    text = ("在全市工作会议上的讲话同志们：市委决定召开这次会议，主要是...\n"
            "在全市工作会议上的讲话\n同志们：\n市委决定召开这次会议，主要是传达精神。")
    lines, removals = strip(text, rules)
    assert [l.number for l in lines] == [2, 3, 4]
    assert [(r.line, r.rule) for r in removals] == [(1, "ellipsis_teaser")]


def test_ellipsis_line_not_repeated_is_kept(rules):
    text = "下面，让我们欢迎主任为我们讲课！……\n同志们，感谢主任的精彩讲课！"
    lines, removals = strip(text, rules)
    assert removals == [] and len(lines) == 2


@pytest.fixture(scope="module")
def is_word():
    from topics.build.tokenize import Tokenizer

    return Tokenizer(RULES_PATH.parent / "userdict.txt").is_word


def test_glued_page_digit_cut_only_inside_a_broken_word(rules, is_word):
    text = "参加培训的有各乡镇分管领导、PIS人\n1员，村支书或主任。\n5月份，全市开展了预警。"
    lines, removals = strip_boilerplate(Src("t.txt", text), rules, is_word)
    assert lines[1].text == "员，村支书或主任。" and lines[1].start == 1  # 人 + 员: the page broke 人员
    assert lines[2].text.startswith("5月份")
    assert [(r.line, r.text) for r in removals] == [(2, "1")]


@pytest.mark.parametrize("text", [
    "这条高速公路全长\n679公里是全省最长的一条",      # a sentence that starts with a number
    "县电视台拍摄了\n30集电视剧《幸福家庭》",
    "今年全县新增\n12所人口学校",
])
def test_a_number_that_starts_a_sentence_is_kept(rules, is_word, text):
    lines, removals = strip_boilerplate(Src("t.txt", text), rules, is_word)
    assert removals == [] and lines[1].text == text.split("\n")[1]


def test_without_a_dictionary_no_page_number_is_cut(rules):
    lines, removals = strip("参加培训的有各乡镇分管领导、PIS人\n1员，村支书或主任。", rules)
    assert removals == [] and lines[1].text.startswith("1员")


def test_blank_lines_are_kept_and_numbers_refer_to_raw_file(rules):
    lines, _ = strip("分享\n\n同志们：\n", rules)
    assert [(l.number, l.text) for l in lines] == [(2, ""), (3, "同志们："), (4, "")]


def test_user_rule_from_data(tmp_path):
    path = tmp_path / "rules.tsv"
    path.write_text("# my rules\nline\tmy_site\t来源：某某文库\tsite footer\n", encoding="utf-8")
    rules = load_rules(path)
    assert rules == [Rule("line", "my_site", "来源：某某文库", "site footer")]
    _, removals = strip("来源：某某文库", rules)
    assert removals[0].rule == "my_site"


@pytest.mark.parametrize("row, message", [
    ("line\tx", r"rules\.tsv:2: expected 3 or 4 tab-separated columns"),
    ("block\tx\ty", r"rules\.tsv:2: unknown rule kind 'block'"),
    ("line\tx\t(unclosed", r"rules\.tsv:2: pattern '\(unclosed' does not compile"),
    ("inline\t\tabc", r"rules\.tsv:2: empty category or pattern"),
])
def test_malformed_rules_file_names_file_and_line(tmp_path, row, message):
    path = tmp_path / "rules.tsv"
    path.write_text(f"# header\n{row}\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=message):
        load_rules(path)


@pytest.mark.parametrize("line", [
    "a=b c=d e=f " * 400,              # formulas in technical articles once sent one rule into exponential backtracking
    "x" * 3000 + "=" + "y" * 3000,
    "<p" * 2000,
])
def test_pathological_lines_are_processed_in_linear_time(rules, line):
    import time

    start = time.perf_counter()
    strip(line + "\n同志们：\n", rules)
    assert time.perf_counter() - start < 2.0, "a boilerplate rule backtracks catastrophically"


def test_teaser_lines_are_only_those_with_a_teaser_ending():
    """The cheap ending test that guards the teaser regex never skips a line the regex would change."""
    import random
    from topics.build.boilerplate import _TEASER_END, _TEASER_ENDINGS
    pieces = [".", "..", "…", "。", "。。", " ", "\u3000", "\t", "\r", "文", "a"]
    rng = random.Random(3)
    for _ in range(5000):
        line = "".join(rng.choice(pieces) for _ in range(rng.randrange(0, 7)))
        if _TEASER_END.sub("", line) != line:
            assert line.rstrip().endswith(_TEASER_ENDINGS), repr(line)
