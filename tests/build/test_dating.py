"""Dating a speech from internal evidence: each clue role, what must NOT date a text, precedence."""

from __future__ import annotations

import pytest

from topics.build.dating import date_speech
from topics.build.metadata import DATED_EVENTS, load_dated_events
from topics.build.political_calendar import (chinese_number, normalise_digits, npc_session_year, plan_year,
                                             plenum_year)

EVENTS = load_dated_events(DATED_EVENTS)
TASK = "全县各级要进一步统一思想，狠抓落实，确保完成全年各项目标任务。"


def date(*texts, source="a.txt", events=EVENTS):
    return date_speech([(k + 1, t) for k, t in enumerate(texts)], source, events)


def roles(dating):
    return {c.role for c in dating.clues}


# -- the calendar -------------------------------------------------------------------------------

def test_calendar_and_numbers():
    assert [chinese_number(t) for t in ("十四", "二十一", "十", "五", "两")] == [14, 21, 10, 5, 2]
    assert normalise_digits("一九八○年和１９８４年，二〇〇五年") == "1980年和1984年，2005年"
    assert npc_session_year(14, 2) == 2024 and npc_session_year(1, 5) == 1958 and npc_session_year(5, 3) == 1980
    assert plenum_year(18, 3) == 2013 and plenum_year(11, 3) == 1978
    assert plan_year(13, "起步之年") == 2016 and plan_year(7, "头一年") == 1986 and plan_year(12, "收官之年") == 2015


# -- each role ----------------------------------------------------------------------------------

@pytest.mark.parametrize("source, year", [
    ("news/2012-07-02.txt", 2012), ("20120702.txt", 2012), ("congress/report_1969.txt", 1969),
    ("2015年/讲话.txt", 2015),
])
def test_filename_dates_are_their_own_source(source, year):
    d = date("同志们：", TASK, source=source)
    assert (d.year, d.year_source) == (year, "filename") and "[filename] file name" in d.year_evidence


@pytest.mark.parametrize("source", ["001_39ec4aa375bbf831.txt", "plan_2016-2020.txt", "doc_001.txt",
                                    "a20120702b.txt"])
def test_hashes_ranges_and_numbers_in_file_names_are_no_date(source):
    assert date("同志们：", TASK, source=source).year_source == "unknown"


def test_date_line_under_the_title():
    d = date("全县工作会议主持词", "（2024年5月11日）", "同志们：", TASK)
    assert (d.year, d.year_min, d.year_max, d.year_source) == (2024, 2024, 2024, "explicit")
    assert "[date_line] line 2" in d.year_evidence


def test_date_line_with_the_venue_in_traditional_characters():
    d = date("政府工作报告", "1957年6月26日在第一届全国人民代表大会第四次会議上", "各位代表：", "从上次会议以来，已经一年了。")
    assert d.year == 1957 and "date_line" in roles(d)


def test_date_in_the_body_is_no_date_line():
    d = date("各位代表：", "根据一九八三年六月第六届全国人民代表大会第一次会议的决议，各级政府做了大量工作。")
    assert d.year is None


@pytest.mark.parametrize("text, year", [
    ("我代表国务院向第一届全国人民代表大会第五次会议，提出关于国民经济计划的报告，请予审议。", 1958),
    ("现在，我代表第十八届中央委员会向大会作报告。", 2017),
    ("我现在根据国务院的决定，向第二届全国人民代表大会第一次会议作政府工作报告。", 1959),
    ("中国共产党第十九次全国代表大会，是在全面建成小康社会决胜阶段召开的一次十分重要的大会。", 2017),
])
def test_venue_the_numbered_meeting_being_addressed(text, year):
    d = date("各位代表：", text)
    assert (d.year, d.year_source) == (year, "implied") and "[venue]" in d.year_evidence


def test_a_past_meeting_named_in_the_body_is_no_venue():
    d = date("各位代表：", "经济形势很好。国务院曾在五届人大四次会议上提出了方针。")
    assert d.year is None and "venue" not in roles(d)


@pytest.mark.parametrize("text, year", [
    ("刚刚过去的1984年，是我国各族人民取得伟大成就的一年。", 1985),
    ("从去年三月第五届全国人民代表大会第一次会议闭幕到现在，已经一年零三个月了。", 1979),
    ("按照去年五届人大四次会议和今年党的十二大的精神，做好工作。", 1982),
    ("今年（2005年）是实施规划的关键一年。", 2005),
    ("今年我国将恢复对香港行使主权，中国共产党将召开第十五次全国代表大会。", 1997),
])
def test_present_year_tied_to_this_or_last_year(text, year):
    d = date("各位代表：", text)
    assert d.year == year and "present_year" in roles(d)


def test_plan_position_with_this_year():
    d = date("各位代表：", "今年是实行“七五”计划的头一年。做好今年的工作意义重大。")
    assert (d.year, d.year_source) == (1986, "implied") and "plan_position" in roles(d)


def test_plan_position_dates_a_placeholder_year():
    d = date("同志们：", "既往才能开来□⟦YEAR⟧年是“十三五”规划的起步之年，是全县各项工作的关键一年。", TASK)
    assert (d.year, d.year_source) == (2016, "implied")


def test_anniversary_of_this_year():
    d = date("各位代表：", "今年是改革开放40周年，做好今年工作意义重大。")
    assert (d.year, d.year_source) == (2018, "implied") and "anniversary" in roles(d)


def test_work_report_review_is_the_previous_year_and_tasks_the_current_one():
    d = date("各位代表：", "一、2006年工作回顾", "2006年，是我国实施规划并实现良好开局的一年。",
             "二、2007年工作总体部署", "今年经济社会发展的主要目标是增长8%。")
    assert d.year == 2007 and "work_report" in roles(d)
    assert "2006" not in str([c.year for c in d.clues if c.role == "stated_year"])


def test_review_of_the_past_year_dates_the_next_one():
    d = date("各位代表：", "一、过去一年工作回顾", "2004年，全国各族人民在中国共产党领导下，取得了新的成就。",
             "二、今年的主要任务", "今年要继续加强宏观调控。")
    assert (d.year, d.year_source) == (2005, "explicit")


def test_a_review_alone_only_bounds_the_year():
    d = date("各位代表：", "一、2004年工作回顾", "2004年，全国取得了新的成就。", "二、坚持扩大内需", "要加强调控。")
    assert (d.year, d.year_min, d.year_max) == (None, 2004, 2005)


def test_stated_year_of_the_present():
    d = date("同志们：", "一是加强领导。2012年，全县人口和计划生育工作任务艰巨。" + TASK)
    assert (d.year, d.year_source) == (2012, "explicit") and "stated_year" in roles(d)


def test_congress_and_dated_events_bound_a_range():
    d = date("同志们：", "要认真贯彻党的十八大精神，深入开展学习。" + TASK)
    assert d.year is None and d.year_min == 2012 and "congress" in roles(d)


# -- what must NOT date a text ------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "1933年，红军在这里建立了根据地，留下了光荣传统。",            # history
    "隆重纪念中国共产党成立90周年，1921年党的诞生开天辟地。",      # anniversary, no "this year"
    "到2035年，基本实现社会主义现代化。",                          # target
    "2008年，北京将举办第29届奥运会。",                            # looks ahead
    "明年，我国将主办亚太经合组织会议。",                          # next year, no year
    "1959年，全县粮食产量达到历史最高水平，比上年增加一成。",      # past statistics
])
def test_history_anniversaries_targets_and_next_year_do_not_date(text):
    d = date("同志们：", "加强工作。" + text, TASK)
    assert d.year is None, d.year_evidence


def test_an_opening_sentence_states_the_year_unless_a_later_year_follows():
    assert date("2025年，我区的人口计生工作取得了新进展。", "上半年，全区人口出生率稳定。").year == 2025
    d = date("1998年，长江发生了特大洪水。", "十年过去了，2008年的堤防已经加固。")
    assert d.year is None


def test_next_year_statement_bounds_from_above():
    d = date("同志们：", "加强工作。2008年，北京将举办第29届奥运会。", TASK)
    assert d.year_max == 2008 and "looks ahead" in d.year_evidence


def test_document_numbers_and_ranges_are_not_the_year():
    d = date("同志们：", "严格按照县委2024年9号文件要求落实。从我市1998至2003年的统计数据看，" + TASK)
    assert d.year is None


# -- precedence and conflicts -------------------------------------------------------------------

def test_date_line_wins_over_events_and_the_conflict_is_shown():
    d = date("全区工作会议主持词", "（2024年2月8日）", "同志们：", "胡锦涛总书记作了重要指示，" + TASK)
    assert (d.year, d.year_source) == (2024, "explicit")
    assert "conflict:" in d.year_evidence and "胡锦涛总书记" in d.year_evidence


def test_file_name_wins_over_a_stated_year():
    d = date("同志们：", "2011年，全县工作任务艰巨。" + TASK, source="2012-07-02.txt")
    assert d.year == 2012 and "conflict:" in d.year_evidence


def test_disagreeing_clues_of_one_level_give_a_range():
    d = date("同志们：", "2012年，全县工作任务艰巨。", "加强领导。2014年，全县工作任务艰巨。")
    assert (d.year, d.year_min, d.year_max) == (None, 2012, 2014)
    assert d.year_evidence.count("conflict:") == 2


def test_a_read_year_outside_hard_bounds_is_withdrawn():
    d = date("同志们：", "2010年，全县工作任务艰巨。认真贯彻党的十八大精神。")
    assert d.year is None and d.year_min == 2012 and "withdrawn" in d.year_evidence


def test_events_that_pin_a_single_year_imply_it():
    d = date("同志们：", "十八大指出，要加强工作。受国家计生委与卫生部合并影响，",
             "以即将开展的群众路线教育活动为契机，" + TASK)
    assert (d.year, d.year_source) == (2013, "implied")


@pytest.mark.parametrize("placeholder", ["20xx年", "**年", "⟦YEAR⟧年"])
def test_placeholders_are_anonymized(placeholder):
    d = date("同志们：", f"{placeholder}，全县计生工作取得新成效。" + TASK)
    assert (d.year, d.year_source) == (None, "anonymized")


def test_long_single_line_is_fast():
    import time
    text = ("2012年以来，全县经济平稳增长，人民生活改善。" * 4000)  # one line of 92,000 characters
    started = time.perf_counter()
    date("同志们：", text)
    assert time.perf_counter() - started < 5


def test_cheap_placeholder_and_event_hint_tests_agree_with_the_regexes():
    """The string tests that stand in for regex scans of the whole text give the same answers."""
    import random
    from topics.build import dating
    from topics.build.date_clues import _has_event_hint
    from topics.build.political_calendar import EVENT_HINT
    pieces = ["x", "X", "×", "*", "＊", "年", " ", "\n", "20", "19", "⟦YEAR⟧", "届", "十", "大", "全国代表大会", "九", "会"]
    rng = random.Random(7)
    for _ in range(3000):
        lines = ["".join(rng.choice(pieces) for _ in range(rng.randrange(0, 6))) for _ in range(rng.randrange(1, 4))]
        whole = "\n".join(lines)
        numbered = [(n, line) for n, line in enumerate(lines, start=1) if line.strip()]
        assert _has_event_hint(whole) == bool(EVENT_HINT.search(whole)), whole
        if "届" not in whole and "大" not in whole:  # events_in looks no further
            assert not EVENT_HINT.search(whole), whole
        reference = any(dating._DATE_PLACEHOLDER_LINE.search(t) for _, t in numbered[:6]) or bool(
            dating._YEAR_PLACEHOLDER.search("\n".join(t for _, t in numbered)))
        assert dating._anonymized(numbered) == reference, lines


# -- file names that are labels, publication lines ------------------------------------------------

@pytest.mark.parametrize("source", [
    "镇长发言稿（1950字）.txt",        # a count of characters
    "讲话2008篇精选.txt",              # a count of speeches
    "1990年代老讲话.txt",              # a decade
    "整理于2021/镇长讲话.txt",         # a folder saying when the files were gathered
    "下载2019/资料/镇长讲话.txt",
])
def test_counts_decades_and_collection_folders_are_no_year(source):
    d = date("同志们：", TASK, source=source)
    assert (d.year, d.year_source) == (None, "unknown"), d.year_evidence


@pytest.mark.parametrize("source, year", [("1998/乡镇讲话.txt", 1998), ("2019年度/镇长讲话.txt", 2019),
                                          ("归档/2003年/讲话.txt", 2003)])
def test_a_folder_named_by_a_year_alone_dates_its_files(source, year):
    d = date("同志们：", TASK, source=source)
    assert (d.year, d.year_source) == (year, "filename")


@pytest.mark.parametrize("title, date_line, year", [
    ("在全乡春耕生产动员会上的讲话", "（2013年2月27日）", 2013),
    ("在全乡安全生产会议上的讲话", "（2015年6月8日）", 2015),
])
def test_each_speech_of_a_compilation_keeps_its_own_date_line(title, date_line, year):
    d = date(title, date_line, "同志们：", TASK, source="2011年乡领导讲话选编.txt")
    assert (d.year, d.year_source) == (year, "explicit")
    assert "conflict: [filename]" in d.year_evidence and "2011" in d.year_evidence


def test_a_date_line_backed_by_the_text_beats_the_file_name():
    d = date("在全区交通运输工作会议上的讲话", "（2021年3月2日）", "同志们：",
             "今年是“十四五”规划的开局之年，" + TASK, source="2009年交通讲话.txt")
    assert (d.year, d.year_source) == (2021, "explicit") and "file name not used" in d.year_evidence


def test_a_file_name_backed_by_the_text_against_the_date_line_gives_a_range():
    d = date("在全区交通运输工作会议上的讲话", "（2021年3月2日）", "同志们：",
             "加强领导。2019年，全区交通运输任务艰巨。" + TASK, source="2019年交通讲话.txt")
    assert (d.year, d.year_min, d.year_max, d.year_source) == (None, 2019, 2021, "unknown")
    assert "year withdrawn" in d.year_evidence and "[date_line]" in d.year_evidence


@pytest.mark.parametrize("line", ["更新日期：2013-08-09 来源：镇党政办", "作者：综合科 发布时间：2013/8/9 浏览次数：52"])
def test_a_publication_line_only_bounds_the_year_from_above(line):
    d = date("在全镇防汛会议上的讲话", line, "同志们：", TASK)
    assert (d.year, d.year_min, d.year_max, d.year_source) == (None, None, 2013, "unknown")
    assert "[published]" in d.year_evidence and "date_line" not in roles(d)


def test_a_read_year_later_than_the_publication_is_withdrawn():
    d = date("在全镇防汛会议上的讲话", "发布时间：2014-07-01 来源：镇水利站", "同志们：",
             "今年是“十三五”规划的开局之年，" + TASK)
    assert (d.year, d.year_max) == (None, 2014) and "withdrawn" in d.year_evidence


def test_a_date_line_below_a_publication_line_dates_the_speech():
    d = date("发布日期：2020-01-06 来源：县委办", "在全县经济工作会议上的讲话", "（2019年12月27日）", "同志们：", TASK)
    assert (d.year, d.year_source) == (2019, "explicit")


@pytest.mark.parametrize("line", ["发布时间：2013-08-09", "更新日期：2013-08-09 来源：镇党政办",
                                  "来源：镇政府网 | 发布时间：2013/8/9 10:20 | 浏览次数：52"])
def test_publication_lines_are_boilerplate_with_or_without_other_fields(line):
    """Removed (and counted) like the bare form, so the page's date never reaches the dating."""
    from pathlib import Path
    from types import SimpleNamespace

    import topics
    from topics.build.boilerplate import load_rules, strip_boilerplate
    rules = load_rules(Path(topics.__file__).parent / "resources" / "boilerplate.tsv")
    lines, removed = strip_boilerplate(SimpleNamespace(name="t.txt", text=f"同志们：\n{line}\n今天开会。"), rules)
    assert [r.rule for r in removed] == ["doc_metadata"] and [l.number for l in lines] == [1, 3]


def test_a_scraped_page_is_one_speech_with_its_own_title_and_no_publication_year():
    """Menu, breadcrumb and publication line are page chrome: removed, none of them a title or a year."""
    from pathlib import Path
    from types import SimpleNamespace

    import topics
    from topics.build.boilerplate import load_rules, strip_boilerplate
    from topics.build.speeches import find_speeches
    page = "\n".join([
        "网站首页 | 机构设置 | 通知公告 | 在线服务",
        "您的位置：首页 > 新闻动态 > 领导讲话",
        "在全镇秋季防火工作会议上的讲话",
        "镇长 刘建军",
        "更新时间：2012-10-15  来源：镇林业站  浏览次数：87",
        "同志们：",
        "今天召开全镇秋季防火工作会议，主要任务是安排部署秋冬季森林防火工作。" * 3,
        "各村要落实防火责任，加强巡山护林，严格野外用火管理。" + TASK,
        "谢谢大家！",
    ])
    rules = load_rules(Path(topics.__file__).parent / "resources" / "boilerplate.tsv")
    lines, removed = strip_boilerplate(SimpleNamespace(name="page.txt", text=page), rules)
    assert [(r.line, r.rule) for r in removed] == [(1, "navigation"), (2, "navigation"), (5, "doc_metadata")]
    [speech] = find_speeches(lines, "page.txt")
    assert speech.title == "在全镇秋季防火工作会议上的讲话"
    d = date_speech([(line.number, line.text) for line in speech.lines], "page.txt", EVENTS)
    assert (d.year, d.year_source) == (None, "unknown")
