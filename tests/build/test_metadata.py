"""Metadata rules on synthetic units; overrides from CSV."""

from __future__ import annotations

import dataclasses

import pytest

from topics.build.boilerplate import Line
from topics.errors import InputFileError
from topics.corpus import ADMIN_LEVELS, GENRES, YEAR_SOURCES
from topics.build.metadata import (SpeechMeta, apply_overrides,
                             infer_metadata, load_dated_events, load_overrides, unmatched_overrides)
from topics.build.speeches import SpeechSpan

FILLER = "全县各级要进一步统一思想，狠抓落实，确保完成全年各项目标任务。"


def unit(*texts, title=None, heading=None, source="a.txt", start=1):
    lines = tuple(Line(start + k, t, 0, len(t)) for k, t in enumerate(texts))
    return SpeechSpan(source, 0, start, start + len(texts) - 1, None, None, heading, title, "file", lines)


def meta(*texts, **kw):
    return infer_metadata(unit(*texts, **kw))


def test_constants():
    assert YEAR_SOURCES == ("explicit", "implied", "filename", "metadata", "anonymized", "unknown")
    assert {"congress_report", "news"} <= set(GENRES)
    assert "host_script" in GENRES and "township" in ADMIN_LEVELS


def test_explicit_date_line():
    m = meta("全县工作会议主持词", "（2024年5月11日）", "同志们：", FILLER, title="全县工作会议主持词")
    assert (m.year, m.year_source) == (2024, "explicit")
    assert "line 2" in m.year_evidence and "2024年5月11日" in m.year_evidence


def test_explicit_current_year_sentence():
    m = meta("同志们：", "一是加强领导。2012年，全县人口和计划生育工作任务艰巨。" + FILLER)
    assert (m.year, m.year_source) == (2012, "explicit")


def test_document_numbers_and_ranges_are_not_the_year():
    m = meta("同志们：", "严格按照县委2024年9号文件要求落实。从我市1998至2003年的统计数据看，" + FILLER)
    assert (m.year, m.year_source) == (None, "unknown")


@pytest.mark.parametrize("placeholder", ["20xx年", "**年", "XX年", "⟦YEAR⟧年", "⟦YEAR⟧"])
def test_placeholders_are_anonymized(placeholder):
    m = meta("同志们：", f"{placeholder}，全县计生工作取得新成效。" + FILLER)
    assert (m.year, m.year_source) == (None, "anonymized")


def test_placeholder_count_is_not_a_year():
    m = meta("同志们：", "共接答群众咨询电话20xx多个。" + FILLER)
    assert m.year_source == "unknown"


def test_events_that_only_bound_a_range_give_no_year():
    m = meta("同志们：", "坚持以“三个代表”重要思想和十六大精神为指导，20xx年全县工作成效明显。")
    assert (m.year, m.year_source) == (None, "anonymized")
    assert "2002–2007" in m.year_evidence


def test_events_that_pin_a_single_year_imply_it():
    m = meta("同志们：", "**年全县工作取得成效。十八大指出要坚持计划生育基本国策。",
             "虽然国家计生委与卫生部合并，但基本国策不变。",
             "以即将开展的群众路线教育活动为契机，加强自身建设。")
    assert (m.year, m.year_source) == (2013, "implied")
    assert "群众路线" in m.year_evidence


def test_contradicting_events_claim_nothing():
    m = meta("同志们：", "坚持十六大精神，贯彻两学一做。")
    assert m.year is None


def test_custom_events_file(tmp_path):
    path = tmp_path / "events.tsv"
    path.write_text("# x\n新农合\t2003\t2003\ttest\n", encoding="utf-8")
    m = infer_metadata(unit("同志们：", "推进新农合。"), events=load_dated_events(path))
    assert (m.year, m.year_source) == (2003, "implied")
    path.write_text("新农合\tlater\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"events\.tsv:1: bad dated event"):
        load_dated_events(path)


@pytest.mark.parametrize("title, text, genre", [
    ("全市调度会主持词", FILLER, "host_script"),
    ("在全县工作会议上的讲话", FILLER, "speech"),
    ("全县人口和计划生育工作总结", FILLER, "work_report"),
    ("在开幕式上的致辞", "欢迎各位来宾。", "address"),
    ("县人口工作会议致辞稿", "同志们：下面，我再强调三个问题。", "speech"),
    (None, "下面进行会议第一项议程，请张主任讲话。大家欢迎。会议到此结束，散会。", "host_script"),
    (None, "同志们：" + FILLER, "speech"),
    (None, "某某。", "other"),
])
def test_genre(title, text, genre):
    assert meta(text, title=title).genre == genre


@pytest.mark.parametrize("title, text, level", [
    ("在全市计划生育工作调度会上的讲话", "全县全县全县", "city"),
    ("县人口和计划生育工作会议讲话稿", FILLER, "county"),
    ("主持词", "全区各级要努力。我区工作。市计生委领导到会。", "district"),
    (None, "镇党委、镇政府决定召开这次会议，全镇上下要努力。", "township"),
    (None, "全省各地要努力。", "province"),
    (None, "各单位要努力。", "unknown"),
])
def test_admin_level_title_wins_over_text(title, text, level):
    assert meta(text, title=title).admin_level == level


def test_place_named_in_text():
    m = meta("同志们：", "为晴隆县人口和计划生育事业作出贡献。全县上下要努力。", "晴隆县各级要落实。")
    assert m.place == "晴隆县"
    assert meta("同志们：", FILLER).place is None


HEADER = "source_file,start_line,end_line,year,genre,admin_level,place,title,note\n"


def test_overrides_win_and_unmatched_rows_are_reported(tmp_path):
    path = tmp_path / "metadata.csv"
    path.write_text(HEADER + "a.txt,1,3,2011,,county,平鲁区,,from archive\n"
                    "b.txt,,,2010,,,,,typo in file name\n", encoding="utf-8")
    overrides = load_overrides(path)
    seg = unit("同志们：", "20xx年工作。", FILLER)
    m = apply_overrides(infer_metadata(seg), seg, overrides)
    assert (m.year, m.year_source, m.admin_level, m.place) == (2011, "metadata", "county", "平鲁区")
    assert "metadata.csv:2" in m.year_evidence
    assert [row.source_file for row in overrides.unmatched()] == ["b.txt"]
    assert "metadata.csv:3: override for b.txt matched no speech" in str(overrides.unmatched()[0])
    assert [r.row for r in unmatched_overrides(overrides, [seg])] == [3]


def test_override_span_must_fall_inside_the_unit(tmp_path):
    path = tmp_path / "metadata.csv"
    path.write_text(HEADER + "a.txt,40,,,speech,,,,\n", encoding="utf-8")
    overrides = load_overrides(path)
    seg = unit("同志们：", FILLER)
    before = infer_metadata(seg)
    assert apply_overrides(before, seg, overrides) == before
    assert len(overrides.unmatched()) == 1


def test_header_only_file_is_valid(tmp_path):
    path = tmp_path / "metadata.csv"
    path.write_text(HEADER, encoding="utf-8")
    assert list(load_overrides(path)) == []


@pytest.mark.parametrize("row, message", [
    ("a.txt,,,19x9,,,,,", r"metadata\.csv:2: year '19x9' is not a whole number"),
    ("a.txt,,,,speach,,,,", r"metadata\.csv:2: genre 'speach' is not allowed"),
    ("a.txt,,,,,nation,,,", r"metadata\.csv:2: admin_level 'nation' is not allowed"),
    ("a.txt,9,3,,,,,,", r"metadata\.csv:2: end_line 3 is before start_line 9"),
    (",1,2,2010,,,,,", r"metadata\.csv:2: empty source_file"),
])
def test_malformed_overrides_name_file_and_line(tmp_path, row, message):
    path = tmp_path / "metadata.csv"
    path.write_text(HEADER + row + "\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=message):
        load_overrides(path)


def test_bad_header(tmp_path):
    path = tmp_path / "metadata.csv"
    path.write_text("filename,year\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"metadata\.csv:1: bad header.*no source_file column"):
        load_overrides(path)


def test_a_corpus_own_metadata_table_is_accepted(tmp_path):
    """`file` stands for source_file; extra columns are ignored and reported."""
    path = tmp_path / "metadata.csv"
    path.write_text("file,year,title,source_url\ngwr_1957.txt,1957,1957年政府工作报告,https://example.org\n",
                    encoding="utf-8")
    overrides = load_overrides(path)
    assert [(o.source_file, o.year, o.title) for o in overrides] == [("gwr_1957.txt", 1957, "1957年政府工作报告")]
    assert overrides.ignored_columns == ("source_url",)


def test_speechmeta_is_frozen():
    m = SpeechMeta(None, None, "unknown", "", "other", "unknown", None)
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'year'"):
        m.year = 2000


def test_national_texts_and_titles_given_by_overrides(tmp_path):
    """A Government Work Report: delivered on behalf of the State Council, titled by the corpus' metadata."""
    from types import SimpleNamespace

    text = "各位代表：\n现在，我代表国务院，向大会报告政府工作，请予审议。\n一、过去一年的工作回顾\n"
    seg = SimpleNamespace(source_file="gwr_2024.txt", start_line=1, end_line=3, text=text)
    path = tmp_path / "metadata.csv"
    path.write_text("file,year,title\ngwr_2024.txt,2024,2024年国务院政府工作报告\n", encoding="utf-8")
    meta = apply_overrides(SpeechMeta(None, None, "unknown", "", "speech", "unknown", None), seg, load_overrides(path))
    assert (meta.year, meta.year_source, meta.genre, meta.admin_level) == (2024, "metadata", "work_report", "national")
