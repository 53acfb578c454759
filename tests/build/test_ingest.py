"""Tests of topics.build.ingest: discovery, encodings, binary/empty/undecodable files, .docx, strict mode."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from topics.errors import InputFileError
from topics.build.ingest import SourceText, discover, read_source
from topics.build.readers import READERS, supported_suffixes

ROOT = Path(__file__).resolve().parents[2]

SIMPLIFIED = "同志们：\n县委、县政府决定召开这次全县人口和计划生育工作会议，目的是动员全县上下进一步认清形势。\n"
TRADITIONAL = "同志們：\n縣委、縣政府決定召開這次全縣人口和計劃生育工作會議，目的是動員全縣上下進一步認清形勢。\n"


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("data", "text", "encoding"),
    [
        (SIMPLIFIED.encode("utf-8"), SIMPLIFIED, "utf-8"),
        (codecs.BOM_UTF8 + SIMPLIFIED.encode("utf-8"), SIMPLIFIED, "utf-8-sig"),
        (SIMPLIFIED.encode("gbk"), SIMPLIFIED, "gb18030"),
        (SIMPLIFIED.encode("gb18030"), SIMPLIFIED, "gb18030"),
        (TRADITIONAL.encode("big5"), TRADITIONAL, "big5"),
        (SIMPLIFIED.encode("utf-16"), SIMPLIFIED, "utf-16"),  # native order with BOM
        (codecs.BOM_UTF16_LE + SIMPLIFIED.encode("utf-16-le"), SIMPLIFIED, "utf-16"),
        (codecs.BOM_UTF16_BE + SIMPLIFIED.encode("utf-16-be"), SIMPLIFIED, "utf-16"),
    ],
    ids=["utf8", "utf8-bom", "gbk", "gb18030", "big5", "utf16", "utf16-le", "utf16-be"],
)
def test_every_encoding_decodes_to_the_same_text(tmp_path, data, text, encoding):
    source = read_source(write(tmp_path / "speech.txt", data), "speech.txt")
    assert source.text == text
    assert source.encoding == encoding
    assert "\ufeff" not in source.text


@pytest.mark.parametrize("text", ["计划生育", "人口", "同志们：", "社会抚养费征收"])
def test_short_gbk_simplified_text_is_gb18030(tmp_path, text):
    source = read_source(write(tmp_path / "a.txt", text.encode("gbk")))
    assert (source.encoding, source.text) == ("gb18030", text)


@pytest.mark.parametrize("text", ["計劃生育", "同志們", "社會撫養費"])
def test_short_big5_traditional_text_is_big5(tmp_path, text):
    source = read_source(write(tmp_path / "a.txt", text.encode("big5")))
    assert (source.encoding, source.text) == ("big5", text)


def test_line_numbering_is_preserved_with_crlf_and_cr(tmp_path):
    data = "第一行\r\n第二行\r第三行\n\x1c第四行\u2028仍是第四行\n".encode("utf-8")
    source = read_source(write(tmp_path / "a.txt", data))
    assert source.lines()[:4] == ["第一行", "第二行", "第三行", "\x1c第四行\u2028仍是第四行"]
    assert "\r" not in source.text
    assert source.sha256 == __import__("hashlib").sha256(data).hexdigest()


def test_empty_file_is_refused(tmp_path):
    path = write(tmp_path / "empty.txt", b"")
    with pytest.raises(InputFileError, match=r"empty\.txt: the file is empty — "):
        read_source(path)


def test_whitespace_only_file_is_refused(tmp_path):
    path = write(tmp_path / "blank.txt", b" \r\n\t\n")
    with pytest.raises(InputFileError, match=r"blank\.txt: .*no text"):
        read_source(path)


def test_binary_png_is_refused(tmp_path):
    path = write(tmp_path / "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(InputFileError, match=r"image\.txt: the file looks binary .*NUL.* — .*UTF-8"):
        read_source(path)


def test_control_characters_without_nul_are_binary(tmp_path):
    path = write(tmp_path / "ctl.txt", b"abc\x01\x02\x03\x04\x05\x06\x07\x08def" * 20)
    with pytest.raises(InputFileError, match=r"looks binary .*control characters"):
        read_source(path)


def test_undecodable_bytes_are_refused(tmp_path):
    path = write(tmp_path / "bad.txt", bytes([0x81, 0xFF, 0x80, 0xFF]) * 50)
    with pytest.raises(InputFileError, match=r"bad\.txt: cannot decode the file .* — .*UTF-8"):
        read_source(path)


def make_docx(path: Path, paragraphs: list[str], table: list[list[str]] | None = None) -> Path:
    docx = pytest.importorskip("docx")
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    document.save(str(path))
    return path


def test_docx_is_read_one_line_per_paragraph(tmp_path):
    path = make_docx(tmp_path / "speech.docx", ["在全县计划生育工作会议上的讲话", "同志们：", "今年以来，全县工作稳步推进。"],
                     table=[["乡镇", "出生"]])
    source = read_source(path, "speech.docx")
    assert source.encoding == "docx"
    assert source.lines() == ["在全县计划生育工作会议上的讲话", "同志们：", "今年以来，全县工作稳步推进。", "乡镇", "出生"]


def test_corrupt_docx_is_skipped_with_a_reason(tmp_path):
    path = write(tmp_path / "broken.docx", b"PK\x03\x04 this is not really a zip archive")
    with pytest.raises(InputFileError, match=r"broken\.docx: cannot read the Word document .* — .*save it again"):
        read_source(path)
    assert [name for _, name in discover([tmp_path])] == ["broken.docx"]  # found, and refused when read


def test_discover_recurses_sorts_and_ignores_other_suffixes(tmp_path):
    for name in ["b.txt", "a.md", "sub/c.docx", "sub/z.pdf", "sub/p.htm", "notes.csv", ".hidden.txt", "sub/~$lock.docx"]:
        write(tmp_path / name, b"x")
    found = discover(tmp_path)
    assert [name for _, name in found] == ["a.md", "b.txt", "sub/c.docx", "sub/p.htm", "sub/z.pdf"]
    assert all(path.is_file() for path, _ in found)
    assert supported_suffixes() == (".txt", ".md", ".docx", ".html", ".htm", ".pdf")
    assert {READERS[s].name for s in supported_suffixes()} == {"text", "Word", "web page", "PDF"}


def test_discover_names_a_file_given_directly_by_its_name(tmp_path):
    path = write(tmp_path / "deep" / "speech.txt", b"x")
    assert discover([path]) == [(path, "speech.txt")]


def test_discover_missing_path_raises_naming_it(tmp_path):
    missing = tmp_path / "nowhere"
    with pytest.raises(InputFileError, match=r"nowhere: no such file or folder — "):
        discover([missing])


def test_discover_refuses_unsupported_file_given_directly(tmp_path):
    path = write(tmp_path / "table.csv", b"a,b")
    with pytest.raises(InputFileError, match=r"table\.csv: unsupported file type '\.csv'"):
        discover(path)


def test_bad_files_are_found_and_refused_with_a_reason(tmp_path):
    write(tmp_path / "1_good.txt", SIMPLIFIED.encode("gbk"))
    write(tmp_path / "2_empty.txt", b"")
    write(tmp_path / "3_binary.txt", b"\x00\x01\x02\x03")
    found = discover([tmp_path])
    assert [name for _, name in found] == ["1_good.txt", "2_empty.txt", "3_binary.txt"]
    assert read_source(*found[0]).encoding == "gb18030"
    with pytest.raises(InputFileError, match=r"2_empty\.txt: the file is empty"):
        read_source(*found[1])
    with pytest.raises(InputFileError, match=r"3_binary\.txt: the file looks binary"):
        read_source(*found[2])


def test_reading_the_embedded_corpus():
    items = [read_source(path, name) for path, name in discover([ROOT / "corpus" / "raw"])]
    assert len(items) == 5
    assert all(isinstance(item, SourceText) and item.encoding == "utf-8" for item in items)
    assert [item.name for item in items] == sorted(item.name for item in items)
    for item in items:
        raw = item.path.read_bytes().decode("utf-8")
        assert item.lines() == raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def test_bomless_utf16_chinese_is_decoded_by_the_fallback(tmp_path):
    text = SIMPLIFIED.replace("\n", "") * 3
    source = read_source(write(tmp_path / "a.txt", text.encode("utf-16-le")))
    assert source.text == text
    assert source.encoding == "utf-16-le"


def test_bomless_utf16_ascii_and_nul_garbage(tmp_path):
    source = read_source(write(tmp_path / "a.txt", "plain words\n".encode("utf-16-be")))
    assert (source.text, source.encoding) == ("plain words\n", "utf-16-be")
    with pytest.raises(InputFileError, match="binary"):
        read_source(write(tmp_path / "b.txt", bytes(range(256)) * 4))


def test_a_folders_readme_is_not_a_document(tmp_path):
    from topics.build.ingest import discover

    (tmp_path / "README.md").write_text("# 语料说明\n", encoding="utf-8")
    (tmp_path / "LICENSE.txt").write_text("MIT\n", encoding="utf-8")
    (tmp_path / "speech.txt").write_text("同志们：\n", encoding="utf-8")
    assert [name for _, name in discover([tmp_path])] == ["speech.txt"]
    # named directly, it is read
    assert [name for _, name in discover([tmp_path / "README.md"])] == ["README.md"]


def test_every_file_in_a_folder_is_accounted_for(tmp_path):
    from topics.build.ingest import survey

    for name in ["good.txt", "README.md", ".hidden.txt", "~$lock.docx", "old.doc", "table.xls", "sub/deep.md",
                 ".git/config"]:
        write(tmp_path / name, SIMPLIFIED.encode("utf-8"))
    (tmp_path / "broken.txt").symlink_to(tmp_path / "nowhere.txt")
    result = survey(tmp_path)
    assert [name for _, name in result.found] == ["good.txt", "sub/deep.md"]
    skipped = {item.name: (item.problem, item.reason) for item in result.skipped}
    assert set(skipped) == {".git/", ".hidden.txt", "README.md", "broken.txt", "old.doc", "table.xls", "~$lock.docx"}
    assert skipped["broken.txt"][0] and "broken link" in skipped["broken.txt"][1]
    assert skipped["old.doc"] == (True, ".doc files cannot be read — open it in Word or LibreOffice and save it as .docx")
    assert skipped["table.xls"][0] and "unsupported file type '.xls'" in skipped["table.xls"][1]
    assert not skipped["README.md"][0] and "documentation" in skipped["README.md"][1]
    assert not skipped[".hidden.txt"][0] and not skipped["~$lock.docx"][0] and not skipped[".git/"][0]


def test_the_metadata_table_beside_the_documents_is_not_a_problem(tmp_path):
    from topics.build.ingest import survey

    write(tmp_path / "report.txt", SIMPLIFIED.encode("utf-8"))
    write(tmp_path / "metadata.csv", b"file,year\nreport.txt,1990\n")
    write(tmp_path / "other.csv", b"a,b\n")
    skipped = {item.name: item for item in survey(tmp_path, metadata=tmp_path / "metadata.csv").skipped}
    assert not skipped["metadata.csv"].problem and "corpus.metadata" in skipped["metadata.csv"].reason
    assert skipped["other.csv"].problem  # any other table is still a file that was not read
    assert survey(tmp_path).skipped[0].problem  # without the setting it is an unsupported file


def test_a_doc_file_named_directly_is_refused_with_what_to_do(tmp_path):
    path = write(tmp_path / "old.doc", b"\xd0\xcf\x11\xe0 binary")
    with pytest.raises(InputFileError, match=r"old\.doc: \.doc files cannot be read — open it in Word or LibreOffice"):
        discover(path)


WEB_PAGE = """<html><head><meta charset="gb2312"><title>讲话</title></head><body>
<nav><ul><li><a href="/">首页</a></li><li><a href="/news">新闻中心</a></li><li><a href="/l">领导讲话</a></li></ul></nav>
<article><h1>在全县人口和计划生育工作会议上的讲话</h1><p>同志们：</p>{body}<p>谢谢大家！</p></article>
<aside><h3>相关文章</h3><ul><li><a href="/a">在全市工作会议上的讲话</a></li></ul></aside>
<footer>版权所有 © 某某网 备案号 京ICP备12345号</footer></body></html>"""
PARAGRAPH = "全县上下认真贯彻落实中央和省市关于人口和计划生育工作的决策部署，稳定低生育水平，统筹解决人口问题。"


def test_html_page_main_text_one_line_per_paragraph(tmp_path):
    body = "".join(f"<p>第{i}段：{PARAGRAPH}</p>" for i in range(6))
    path = write(tmp_path / "page.html", WEB_PAGE.format(body=body).encode("gb18030"))
    source = read_source(path)
    assert source.encoding == "html"
    lines = source.lines()
    assert lines[:2] == ["在全县人口和计划生育工作会议上的讲话", "同志们："] and lines[-1] == "谢谢大家！"
    assert "首页" not in source.text and "备案号" not in source.text and "相关文章" not in source.text


def test_html_without_main_text_is_refused(tmp_path):
    path = write(tmp_path / "empty.htm", b"<html><head><title>t</title></head><body><div> </div></body></html>")
    with pytest.raises(InputFileError, match=r"empty\.htm: no main text found in the web page — "):
        read_source(path)


def _pdf(path, lines=(), image=False):
    import matplotlib
    import numpy as np
    from matplotlib.figure import Figure

    from topics.viz.fonts import use_chinese_font

    use_chinese_font()
    fig = Figure(figsize=(8.27, 11.7))
    for i, line in enumerate(lines):
        fig.text(0.08, 0.92 - 0.04 * i, line, fontsize=11)
    if image:
        fig.figimage(np.random.default_rng(0).random((200, 200)))
    with matplotlib.rc_context({"pdf.fonttype": 42}):
        fig.savefig(path, format="pdf")
    return path


def test_pdf_text_layer_is_read(tmp_path):
    lines = ["在全县人口和计划生育工作会议上的讲话", "同志们：", PARAGRAPH]
    source = read_source(_pdf(tmp_path / "speech.pdf", lines))
    assert source.encoding == "pdf" and source.lines() == lines


def test_pdf_without_text_layer_is_refused(tmp_path):
    path = _pdf(tmp_path / "scan.pdf", image=True)
    with pytest.raises(InputFileError, match=r"scan\.pdf: the PDF has no text layer .* — run OCR on it first"):
        read_source(path)


def test_a_subfolder_that_cannot_be_listed_is_reported_not_silently_skipped(tmp_path, monkeypatch):
    import os

    import topics.build.ingest as ingest

    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "b.txt").write_text("讲话", encoding="utf-8")
    (tmp_path / "a.txt").write_text("讲话", encoding="utf-8")
    real_scandir = os.scandir

    def scandir(path):  # as a folder without read permission answers (tests run as root here)
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(ingest.os, "scandir", scandir)
    found = ingest.survey(tmp_path)
    assert [name for _, name in found.found] == ["a.txt"]
    [item] = found.skipped
    assert item.name == "locked/" and item.problem and "cannot be listed" in item.reason


def test_a_web_page_title_outside_the_main_text_becomes_its_first_line(tmp_path):
    page = ("<html><head><meta charset='utf-8'><title>区政府网</title></head><body>"
            "<div class='head'><h1>在全区人口发展工作推进会上的讲话</h1></div>"
            "<div class='content'><p>同志们：</p>" + "".join(f"<p>第{i}点：{PARAGRAPH}</p>" for i in range(5)) +
            "<p>谢谢大家！</p></div></body></html>")
    source = read_source(write(tmp_path / "page.html", page.encode("utf-8")))
    lines = source.lines()
    assert lines[0] == "在全区人口发展工作推进会上的讲话" and lines[1] == "同志们：" and lines.count(lines[0]) == 1


def test_a_missing_html_dependency_is_one_line_naming_the_package(tmp_path, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_trafilatura(name, *args, **kwargs):
        if name == "trafilatura":
            raise ImportError("lxml.html.clean module is now a separate project lxml_html_clean", name="lxml_html_clean")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_trafilatura)
    path = write(tmp_path / "page.html", WEB_PAGE.format(body=f"<p>{PARAGRAPH}</p>").encode("gb18030"))
    with pytest.raises(InputFileError, match=r"page\.html: cannot read web pages: .* — pip install lxml_html_clean"):
        read_source(path)
