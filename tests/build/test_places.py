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


# --- own-unit words are words of their own (资本市场 holds 本市, 全市场 holds 全市, 本区域 holds 本区) ---

@pytest.mark.parametrize("text", [
    "要发展多层次资本市场，推动全市场统一监管，加强本区域金融合作。",
    "健全市场体系，完全市场化定价，这与计划经济有根本区别。",
    "日本市场需求下降，国际资本市场波动，样本县的数据见表1。",
])
def test_own_unit_words_inside_ordinary_words_give_no_level(text):
    level, why = admin_level(None, None, text)
    assert level == "unknown" and "no level" in why


@pytest.mark.parametrize("text, level", [
    ("全市人民要团结一心。我市经济稳中有进，全市政法工作扎实。", "city"),
    ("我县乡村振兴取得成效，本县干部要再加把劲。", "county"),
    ("本区各街道要抓紧落实，全区上下要努力。", "district"),
    ("提高本县教育水平，作为本县重点工程。", "county"),
])
def test_own_unit_words_still_give_the_level(text, level):
    assert admin_level(None, None, text)[0] == level


@pytest.mark.parametrize("title, level", [
    ("市场监管工作会议上的讲话", "unknown"),
    ("乡村振兴工作推进会讲话", "unknown"),
    ("在全市场统一监管座谈会上的发言", "unknown"),
    ("县政协全体会议上的讲话", "county"),
    ("区政府工作报告", "district"),
    ("县人大常委会第三次会议讲话", "county"),
])
def test_a_unit_word_opening_a_title_is_read_as_a_word(title, level):
    assert admin_level(title, None, "各位委员：会议开得很好。")[0] == level


def test_a_long_text_needs_one_own_unit_word_per_3000_characters():
    filler = "经济发展。" * 1400  # 7,000 characters
    level, why = admin_level(None, None, "我区" + filler + "我区")
    assert level == "unknown" and "only 2×" in why
    assert admin_level(None, None, "我区" + filler + "我区，全区")[0] == "district"


# --- the place must be the speaker's own, not a place visited or admired ---

DELEGATION = ("同志们：上月，县委组织考察团赴浙江省湖州市德清县、长兴县考察学习。德清县的美丽乡村建设让我们"
              "深受启发，德清县的做法值得学习。我县要结合实际，全县上下要抓好落实。")


def test_a_delegation_report_names_no_place():
    assert admin_level(None, None, DELEGATION)[0] == "county"
    where, why = place(None, None, DELEGATION, "county")
    assert where is None and "destination" in why and "赴浙江省湖州市德清县" in why


def test_a_place_learnt_from_is_no_place():
    text = "同志们：我县要学习借鉴桐庐县经验。桐庐县的民宿，桐庐县的旅游，桐庐县的干部作风，都走在前列。全县上下要努力。"
    assert place(None, None, text, "county")[0] is None


def test_the_speakers_own_place_is_found_beside_a_visited_one():
    text = DELEGATION + "我们宁陕要走自己的路，为宁陕县的发展多作贡献。"
    where, why = place(None, None, text, "county")
    assert where == "宁陕县" and "我们宁陕" in why
    text = "同志们：省里领导来汉阴调研，对汉阴县的工作给予肯定。全县上下要努力。"
    assert place(None, None, text, "county")[0] == "汉阴县"


def test_two_places_claimed_as_own_give_none():
    text = "我们宁陕县要努力，宁陕县要发展。我们汉阴县也要努力，汉阴县也要发展。"
    where, why = place(None, None, text, "county")
    assert where is None and "claims" in why


def test_a_place_named_overwhelmingly_and_never_as_a_destination():
    text = "雁塔区统筹推进。制定了《雁塔区人口规划》，印发《雁塔区实施方案》。全区上下要努力，我区要抓落实。"
    assert place(None, None, text, "district")[0] == "雁塔区"
    text = "雁塔区统筹推进，雁塔区、雁塔区与莲湖区、莲湖区一道努力。"  # 3 against 2: not overwhelming
    assert place(None, None, text, "district")[0] is None


def test_orders_to_a_places_units_claim_it_but_a_description_does_not():
    text = "同志们：为宁陕县的发展多作贡献。宁陕县各级各部门要抓好落实。"
    assert place(None, None, text, "county")[0] == "宁陕县"
    text = "宁陕县上下形成了共识，宁陕县的发展很快。全县要努力。"
    assert place(None, None, text, "county")[0] is None
