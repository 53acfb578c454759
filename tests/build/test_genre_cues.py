"""Genre cues that compete: the title's head noun, quoted or reported formulas, news datelines.

Each case asserts the genre and that the evidence quotes the cue that decided it.
"""

from __future__ import annotations

import pytest

from topics.build.genre import genre

BODY = "同志们：\n今天我们在这里开会，主要是交流情况、部署工作。各乡镇要抓好落实。\n"


# --- the title's head noun decides; a report noun in the meeting's name does not ---------------

@pytest.mark.parametrize("title, head", [
    ("在全镇三季度安全生产形势分析总结会上的讲话", "讲话"),
    ("在听取乡镇党委书记工作汇报座谈会上的讲话", "讲话"),
    ("在全市国有企业负责人述职考评会上的发言", "发言"),
    ("推进乡村振兴——在全县现场观摩总结表彰大会上的讲话", "讲话"),
    ("在全市教育工作会议结束时的总结讲话", "讲话"),  # 总结讲话: closing remarks, still a speech
])
def test_report_noun_in_the_meeting_name_does_not_veto_the_speech_head(title, head):
    # the old rule (讲话 in the title and no 总结/汇报/述职 anywhere in it) gave work_report here
    assert genre(title, BODY) == ("speech", f"title head: “{head}”")


@pytest.mark.parametrize("title, noun", [
    ("2021年全镇农业农村工作报告", "工作报告"),
    ("关于全市河长制落实情况的汇报", "汇报"),
    ("县卫健局局长个人述职报告", "报告"),
    ("市司法局上半年工作总结", "总结"),
    ("在乡镇党委书记述职会上的述职发言", "述职发言"),  # a report given orally
    ("在省委调研座谈会上的汇报发言", "汇报发言"),
    ("在全区工作汇报会上的汇报", "汇报"),  # the first 汇报 names the meeting, the last is the head
])
def test_titles_that_are_reports_stay_work_report(title, noun):
    kind, evidence = genre(title, BODY)
    assert kind == "work_report"
    assert f"“{noun}”" in evidence


def test_a_meeting_name_alone_is_no_report():
    # 汇报会 names a meeting; with no head noun the body decides
    assert genre("全镇三季度工作汇报会", BODY) == ("speech", "addresses an audience: “同志们：”")


# --- a quoted or reported formula is not the document's own ------------------------------------

OWN_FORMULA = "各位代表：\n现在，我代表市人民政府，向大会报告政府工作，请予审议。\n"


@pytest.mark.parametrize("text", [
    "同志们：\n省长在会上说：“我代表省人民政府，向大会报告政府工作，请予审议。”我们要认真学习。\n",
    "同志们：\n省长在会上说：「我代表省人民政府，向大会报告政府工作，请予审议」。我们要认真学习。\n",
    "同志们：\n省长在开幕会上指出：我代表省人民政府，向大会报告政府工作，请予审议。我们要认真学习。\n",
])
def test_quoted_or_reported_formula_leaves_the_speech_title_in_charge(text):
    assert genre("在全市传达省人代会精神大会上的讲话", text) == ("speech", "title head: “讲话”")


@pytest.mark.parametrize("text", [
    "省长在会上说：“我代表省人民政府，向大会报告政府工作，请予审议。”会议持续半天。\n",
    "省长在开幕会上指出：我代表省人民政府，向大会报告政府工作，请予审议。会议持续半天。\n",
])
def test_quoted_or_reported_formula_alone_is_no_work_report(text):
    assert genre(None, text)[0] == "other"


def test_quoted_congress_formula_is_no_congress_report():
    text = "同志们：\n报告开头说：“我代表第十九届中央委员会向大会作报告。”我们要认真学习。\n"
    assert genre(None, text)[0] == "speech"


def test_own_formula_still_makes_a_work_report():
    assert genre(None, OWN_FORMULA) == ("work_report", "opening: “代表市人民政府，向大会报告”")


def test_own_formula_under_a_speech_title_is_a_conflict():
    kind, evidence = genre("在市人大会议上的讲话", OWN_FORMULA)
    assert kind == "other"
    assert "“讲话”" in evidence and "代表市人民政府，向大会报告" in evidence


# --- a news dateline at the start outranks a report mentioned in the item -----------------------

def test_dateline_beats_report_noun_in_first_line():
    text = "本报讯 市十六届人大三次会议昨日开幕，市长作政府工作报告。\n报告提出，今年经济增长6%左右。\n"
    assert genre(None, text) == ("news", "dateline: “本报讯”")


def test_dateline_beats_third_person_formula():
    text = "新华社南京1月10日电 省长代表省人民政府向大会作政府工作报告，请予审议。\n代表们分组讨论。\n"
    assert genre(None, text) == ("news", "dateline: “新华社南京1月10日电”")


def test_full_text_under_a_dateline_stays_work_report():
    # an agency publishes the report itself: the first-person formula is the document's own
    text = "新华社南京1月20日电\n" + OWN_FORMULA
    assert genre(None, text) == ("work_report", "opening: “代表市人民政府，向大会报告”")
