"""The gazetteer and the places and levels found with it."""

from __future__ import annotations

import pytest

from topics.build.places import admin_level, find_places, gazetteer, place


def names(text):
    return [(m.name, m.level) for m in find_places(text)]


def test_gazetteer_is_shipped_with_levels():
    table = gazetteer()
    assert len(table) > 4000
    assert table["晴隆县"] == "county" and table["平鲁区"] == "district" and table["诸城市"] == "city"
    assert table["北京市"] == "province" and table["西藏自治区"] == "province"


@pytest.mark.parametrize("text", ["要加强市场监管，合理区域布局，构建市场体系，完善市场机制", "国际市场", "全县和各县区",
                                  "推进老城区改造和矿区治理", "抗日战争时期的解放区"])
def test_generic_phrases_are_no_places(text):
    assert names(text) == []


def test_real_names_are_found_with_their_level():
    assert names("为晴隆县人口和计划生育事业作出贡献") == [("晴隆县", "county")]
    assert names("朔州市平鲁区") == [("朔州市", "city"), ("平鲁区", "district")]
    assert names("洛阳市老城区") == [("洛阳市", "city"), ("老城区", "district")]
    assert names("甘肃岷县漳县发生地震") == [("岷县", "county"), ("漳县", "county")]


def test_place_from_full_and_short_names():
    text = "同志们：今年全县工作任务艰巨。我们晴隆人要发扬精神，为晴隆县发展作出贡献。全县上下要努力。"
    assert place(None, None, text, "county")[0] == "晴隆县"
    text = "同志们：全区上下要努力。省计生委杨主任来平鲁调研，朔州市公安局平鲁分局大力配合。"
    assert place(None, None, text, "district")[0] == "平鲁区"


def test_place_needs_two_mentions_and_a_level():
    assert place(None, None, "隆昌县的同志也来了。全县要努力。", "county") == (
        None, "no division named more often than the others and at least twice (隆昌县 1×)")
    assert place(None, None, "晴隆县，晴隆县", "unknown")[0] is None
    assert place(None, None, "晴隆县，晴隆县", "national") == (None, "national: no place")


def test_place_in_the_title_wins():
    assert place("在晴隆县人口和计划生育工作会议上的讲话", None, "全县", "county")[0] == "晴隆县"


@pytest.mark.parametrize("title, text, level", [
    (None, "各位代表：现在，我代表国务院，向大会报告政府工作。", "national"),
    (None, "同志们：现在，我代表第十八届中央委员会向大会作报告。", "national"),
    ("在全国计划生育工作会议上的讲话", "全县全县", "national"),
    ("在晴隆县工作会议上的讲话", "同志们", "county"),
    (None, "全省各地要努力。", "province"),
])
def test_admin_level_from_speaker_title_and_audience(title, text, level):
    assert admin_level(title, None, text)[0] == level


def test_unknown_level_says_why():
    level, why = admin_level(None, None, "各单位要努力。")
    assert level == "unknown" and "no level" in why
    level, why = admin_level(None, None, "我区" + "经济发展。" * 1000)
    assert level == "unknown" and "only once" in why
