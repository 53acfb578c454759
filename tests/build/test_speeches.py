"""Segmentation on small synthetic pages with known units."""

from __future__ import annotations

import pytest

from topics.build.boilerplate import Line
from topics.build.speeches import SpeechSpan, find_speeches

BODY = "今年以来，全县各级各部门认真落实人口和计划生育目标管理责任制，工作取得明显成效。" * 15  # ~600 chars
LONG = BODY * 2


def lines_of(*texts):
    return [Line(n, t, 0, len(t)) for n, t in enumerate(texts, start=1)]


def spans(segments):
    return [(s.start_line, s.end_line, s.boundary) for s in segments]


def test_single_speech_with_title():
    segs = find_speeches(lines_of("在全县人口工作会议上的讲话", "同志们：", BODY, "同志们，让我们共同努力！"), "a.txt")
    assert spans(segs) == [(1, 4, "file")]
    assert segs[0].title == "在全县人口工作会议上的讲话" and segs[0].heading is None
    assert segs[0].start_char is None and segs[0].text.startswith("在全县")


def test_compilation_heading_followed_by_own_title_is_not_in_unit():
    segs = find_speeches(lines_of("第一篇：全县培训会主持词", "全县专题讲座主持词", "（2024年5月11日）", "同志们：",
                            BODY, "第二篇：全市调度会讲话", "同志们：", BODY), "a.txt")
    assert spans(segs) == [(2, 5, "heading"), (7, 8, "heading")]
    assert segs[0].heading == "第一篇：全县培训会主持词" and segs[0].title == "全县专题讲座主持词"
    # no own title line: the cleaned heading is the title, the heading stays out of the text
    assert segs[1].title == "全市调度会讲话" and "第二篇" not in segs[1].text


def test_untitled_speeches_under_one_heading_split_at_salutation_after_closing():
    segs = find_speeches(lines_of("## 领导讲话稿篇一", "同志们：", BODY, "谢谢大家！", "同志们：", BODY), "a.txt")
    assert spans(segs) == [(2, 4, "heading"), (5, 6, "closing")]
    assert segs[0].title == "领导讲话稿"


def test_salutation_after_long_body_starts_a_unit_with_its_title_and_speaker():
    segs = find_speeches(lines_of("同志们：", LONG, "在全市工作会上的讲话", "市委书记张三", "同志们：", BODY),
                   "a.txt")
    assert spans(segs) == [(1, 2, "file"), (3, 6, "heading")]
    assert segs[1].title == "在全市工作会上的讲话"


def test_host_script_salutation_after_agenda_item_is_not_a_boundary():
    segs = find_speeches(lines_of("全市调度会主持词", "同志们：", BODY, "现在进行会议第三项议程，请市委书记作重要讲话。",
                            "………………", "同志们：", "今天的会议到此结束。", "散会。"), "a.txt")
    assert spans(segs) == [(1, 8, "file")]


def test_opening_naming_a_new_meeting_starts_a_unit():
    segs = find_speeches(lines_of("同志们：", BODY, "今天，我们在这里召开全镇计划生育工作会议。" + BODY), "a.txt")
    assert spans(segs) == [(1, 2, "file"), (3, 3, "opening")]


def test_markdown_subheadings_are_not_units():
    segs = find_speeches(lines_of("# 在全县工作会议上的讲话", "同志们：", BODY, "### 一、肯定成绩", BODY,
                            "## 二、明确任务", BODY), "a.txt")
    assert spans(segs) == [(1, 7, "file")]
    assert segs[0].title == "在全县工作会议上的讲话"


def test_document_intro_before_first_heading_is_left_out():
    segs = find_speeches(lines_of("# 领导讲话稿(优秀5篇)", "计划是提高工作效率的前提，下面是小编整理的范文。",
                            "## 领导讲话稿篇一", "同志们：", BODY), "a.txt")
    assert spans(segs) == [(4, 5, "heading")]


def test_long_untitled_text_before_first_heading_is_a_unit():
    segs = find_speeches(lines_of(LONG, "第二篇：在全县会议上的讲话", "同志们：", BODY), "a.txt")
    assert spans(segs) == [(1, 1, "file"), (3, 4, "heading")]


def test_whole_speech_on_one_line_gets_char_offsets_and_inline_title():
    text = "县人口工作会议讲话稿 同志们: 县委、县政府决定召开这次会议。" + BODY
    segs = find_speeches([Line(23, text, 0, len(text))], "a.txt")
    assert (segs[0].start_line, segs[0].end_line, segs[0].start_char, segs[0].end_char) == (
        23, 23, 0, len(text))
    assert segs[0].title == "县人口工作会议讲话稿"


def test_blank_lines_are_trimmed_from_unit_edges_but_kept_inside():
    lines = lines_of("", "同志们：", "", BODY, "")
    segs = find_speeches(lines, "a.txt")
    assert (segs[0].start_line, segs[0].end_line) == (2, 4)
    assert segs[0].text == "同志们：\n\n" + BODY


def test_mode_none_keeps_whole_file():
    segs = find_speeches(lines_of("同志们：", BODY, "谢谢大家！", "同志们：", BODY), "r.txt", mode="none")
    assert spans(segs) == [(1, 5, "file")] and isinstance(segs[0], SpeechSpan)


def test_empty_and_bad_mode():
    assert find_speeches(lines_of("", " "), "a.txt") == []
    with pytest.raises(ValueError, match="split mode 'split' is not one of"):
        find_speeches(lines_of("x"), "a.txt", mode="split")


def test_indices_and_doc_order():
    segs = find_speeches(lines_of("同志们：", LONG, "同志们：", LONG, "同志们：", LONG), "a.txt")
    assert [s.index for s in segs] == [0, 1, 2]
    assert [s.boundary for s in segs] == ["file", "salutation", "salutation"]


def test_a_title_like_line_in_the_middle_does_not_swallow_the_text_after_it():
    lines = lines_of("在全县工作会议上的讲话", "同志们：", BODY, "# 学习体会精选", BODY, BODY)
    segs = find_speeches(lines, "a.txt")
    covered = {n for s in segs for n in range(s.start_line, s.end_line + 1)}
    assert covered == set(range(1, 7)), spans(segs)  # nothing after the title-like line is lost
