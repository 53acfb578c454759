"""The build report is written entry by entry (topics.build.report, topics.build.log): the bytes the
in-memory writer wrote, and memory that does not grow with the number of speeches or files."""

from __future__ import annotations

import hashlib
import json
import os
import tracemalloc
from pathlib import Path

import pytest

from topics.build.ingest import survey
from topics.build.log import BuildLog, Spool
from topics.build.report import _markdown_lines, write_reports
from topics.common.fileio import dumps_readable
from topics.corpus import SPEECH_COLUMNS


def speech_row(**values):
    row = dict.fromkeys(SPEECH_COLUMNS)
    row.update(year_source="unknown", year_evidence="", genre="other", admin_level="unknown", in_model=True,
               boundary="file", encoding="utf-8", start_line=1, end_line=1, n_chars=0, n_tokens=0, n_units=0)
    row.update(values)
    return row


def small_case():
    """Every section of the report, with a conflict, a range, a duplicate, '|' and a newline in cells."""
    speeches = [
        speech_row(doc_id="a#0", source_file="a.txt", start_line=3, end_line=40, title="在全省经济工作会议上的讲话（摘要）|节选",
                   year=2004, year_source="date line", year_evidence="[date line] 2004年3月1日; conflict: 文件名 2003 vs 日期 2004; set aside: 1998年",
                   genre="speech", admin_level="province", n_chars=5000, n_tokens=1200, n_units=3),
        speech_row(doc_id="a#1", source_file="a.txt", start_line=41, end_line=60, year_min=2001, year_max=2005,
                   year_source="range", year_evidence="[plan] 十五; [venue] 人大", duplicate_of="a#0", in_model=False,
                   n_chars=900, n_tokens=0, n_units=0),
        speech_row(doc_id="b#0", source_file="sub/b.txt", title=None, year_max=1999, year_evidence="[file name] 1999",
                   genre="report", n_chars=10, n_tokens=4, n_units=1),
    ]
    log = BuildLog()
    log.inputs.append({"source_file": "a.txt", "encoding": "utf-8", "n_lines": 60, "n_speeches": 2})
    log.inputs.append({"source_file": "sub/b.txt", "encoding": "gb18030", "n_lines": 1, "n_speeches": 1})
    log.skipped.append({"source_file": "c.doc", "reason": ".doc files cannot be read — open it in Word", "problem": True})
    log.removals.extend([{"source_file": "a.txt", "line": 1, "start": 0, "end": 12, "rule": "nav", "text": "首页 | 新闻\n中心"},
                         {"source_file": "a.txt", "line": 2, "start": 13, "end": 20, "rule": "copyright", "text": "版权所有 " * 20}])
    log.structure.append({"source_file": "a.txt", "line": 2, "start": 20, "end": 31, "rule": "structure: compilation title",
                          "text": "讲话汇编"})
    log.repairs.append({"source_file": "sub/b.txt", "line": 1, "kind": "placeholder", "rule": "□□ -> [缺字]", "before": "□□",
                        "after": "[缺字]", "count": 2, "context_before": "我们", "context_after": "发展"})
    log.duplicates = [{"doc_id": "a#1", "duplicate_of": "a#0", "kind": "near", "similarity": 0.9123}]
    log.overrides.append("metadata.csv:3: doc_id x#0 matches no speech")
    log.notes += ["sub/b.txt: no speech text left after boilerplate removal", "vocabulary: kept 5 of 5 words"]
    log.timings.update(read=0.5, total=1.25)
    log.cache.update(files_cached=1, files_read=1, hits=2, misses=1, token_store="new")
    log.execution = {"where": "this process", "backend": "serial", "workers": 1, "scheduler": "", "files_processed": 1}
    log.resources = {"stopwords": [{"file": "topics:stopwords.txt", "sha256": "ab" * 32}], "metadata": []}
    return speeches, 4, log


def empty_case():
    """No removals, pieces, repairs, duplicates, conflicts, notes or timings: the empty lists and tables."""
    log = BuildLog()
    log.inputs.append({"source_file": "only.txt", "encoding": "utf-8", "n_lines": 1, "n_speeches": 1})
    return [speech_row(doc_id="only#0", source_file="only.txt", n_chars=3, n_tokens=2, n_units=1)], 1, log


# What the in-memory writer (dumps_readable and render_markdown of the whole report, before the
# report was streamed) wrote for these two cases.
SMALL_MD = r"""# Corpus build report

2 files read (1 skipped), 3 speeches found, 2 in the model as 4 units, 1,204 tokens, vocabulary 4. Built in 1.25 s (cache: 1 files reused, 1 read; speech segmentations 2 reused, 1 new).

Stage 1 (reading, cleaning, segmenting) ran on this process.

## Language resources

`topics:NAME` is a file shipped in the package; other files are the project's own.

| setting | file | sha256 |
|---|---|---|
| stopwords | topics:stopwords.txt | abababababababab |

## Inputs and encodings

| file | encoding | lines | speeches |
|---|---|---|---|
| a.txt | utf-8 | 60 | 2 |
| sub/b.txt | gb18030 | 1 | 1 |

### Skipped files

| file | reason |
|---|---|
| c.doc | .doc files cannot be read — open it in Word |

## Speeches

| doc_id | lines | title | year | year source | genre | level | duplicate of | chars | tokens | units |
|---|---|---|---|---|---|---|---|---|---|---|
| a#0 | 3–40 | 在全省经济工作会议上的讲话（摘要）\|节选 | 2004 | date line | speech | province |  | 5000 | 1200 | 3 |
| a#1 | 41–60 |  | (2001–2005) | range | other | unknown | a#0 | 900 | 0 | 0 |
| b#0 | 1–1 |  | (…–1999) | unknown | report | unknown |  | 10 | 4 | 1 |

## Metadata confidence

A year is *pinned* by its evidence, *bounded* to a range (`year_min`–`year_max`), or unknown; `year_evidence` quotes every clue (how they are weighed: `topics/build/dating.py`).

| measure | speeches |
|---|---|
| years pinned | 1 |
| years bounded to a range | 2 |
| years unknown | 0 |
| year sources | date line 1, range 1, unknown 1 |
| evidence types used (speeches) | plan 1, venue 1 |
| mentions set aside (history, targets, reviews, …) | 1 |
| admin level unknown | 2 |
| genres | other 1, report 1, speech 1 |
| conflicts | 1 |

### Conflicts (resolved by precedence; see each speech's year_evidence)

| doc_id | conflict |
|---|---|
| a#0 | 文件名 2003 vs 日期 2004 |

## Duplicates (listed, left out of the model by default)

| doc_id | duplicate of | kind | similarity |
|---|---|---|---|
| a#1 | a#0 | near | 0.9123 |

## Boilerplate removed (2 pieces)

| rule | count |
|---|---|
| copyright | 1 |
| nav | 1 |

| file | line | chars | rule | text |
|---|---|---|---|---|
| a.txt | 1 | 0–12 | nav | 首页 \| 新闻 中心 |
| a.txt | 2 | 13–20 | copyright | 版权所有 版权所有 版权所有 版权所有 版权所有 版权所有 版权所有 版权所有 版权所有 版权所有 版权所有 版权所有… |

## Text in no speech (1 pieces, 11 characters)

Every character of the input is in a speech, removed as boilerplate (above), or listed here:
compilation titles, headings and introductions that no speech takes. Check them when a
speech seems to start or end in the wrong place.

| file | line | chars | where | text |
|---|---|---|---|---|
| a.txt | 2 | 20–31 | compilation title | 讲话汇编 |

## Repairs (2 changes)

| kind | entries |
|---|---|
| placeholder | 1 |

| file | line | kind | rule | before | after | count |
|---|---|---|---|---|---|---|
| sub/b.txt | 1 | placeholder | □□ -> [缺字] | □□ | [缺字] | 2 |

## Metadata overrides that do nothing

- metadata.csv:3: doc_id x#0 matches no speech

## Notes

- sub/b.txt: no speech text left after boilerplate removal
- vocabulary: kept 5 of 5 words

## Time taken (s)

| stage | seconds |
|---|---|
| read | 0.5000 |
| total | 1.2500 |
"""
SHA256 = {("small", "report.json"): "676ad4bfd8e692365f365b7854d980308c4783fda9dc8822448483ac30bc11bf", ("small", "report.md"): "6dff635af824167ff3b1577212d4b794341fa991e820ccef43b712c392913aa8",
          ("empty", "report.json"): "79105859e1bbf6be9144df62d0cd466ebee329e35790e5646b3d0d6178232dba", ("empty", "report.md"): "42d5db6da758e1aae5f156a9f5da690227507481c44621393f6a93f56c874ece"}


@pytest.mark.parametrize("case", ["small", "empty"])
def test_the_streamed_report_has_the_bytes_of_the_in_memory_writer(tmp_path, case):
    write_reports(tmp_path, *{"small": small_case, "empty": empty_case}[case]())
    if case == "small":
        assert (tmp_path / "report.md").read_text(encoding="utf-8") == SMALL_MD
    for name in ("report.json", "report.md"):
        assert hashlib.sha256((tmp_path / name).read_bytes()).hexdigest() == SHA256[case, name], name
    text = (tmp_path / "report.json").read_text(encoding="utf-8")
    assert dumps_readable(json.loads(text), default=str) + "\n" == text  # the layout of the whole structure


def test_the_counts_agree_with_the_lists(tmp_path):
    speeches, vocabulary_size, log = small_case()
    write_reports(tmp_path, speeches, vocabulary_size, log)
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report["boilerplate"]["removed"] == list(log.removals) and report["boilerplate"]["n_removed"] == 2
    assert report["structure"]["n_chars"] == 11 and report["repairs"]["n_repairs"] == 2
    assert report["encodings"] == {"gb18030": 1, "utf-8": 1}
    assert report["counts"] == {"files": 2, "files_skipped": 1, "speeches": 3, "speeches_in_model": 2, "units": 4,
                                "tokens": 1204, "vocabulary": 4}
    assert report["metadata_confidence"]["conflicts"] == [{"doc_id": "a#0", "conflict": "文件名 2003 vs 日期 2004"}]
    assert [s["doc_id"] for s in report["speeches"]] == ["a#0", "a#1", "b#0"]
    assert report["speeches"][1] == {key: speeches[1][key] for key in report["speeches"][1]}


def test_a_built_corpus_report_md_is_its_report_json_rendered(built_corpus):
    text = (built_corpus.path / "report.json").read_text(encoding="utf-8")
    assert dumps_readable(json.loads(text), default=str) + "\n" == text
    data = json.loads(text)
    assert data["counts"]["speeches"] == len(data["speeches"]) == len(built_corpus.speeches)
    assert data["counts"]["files"] == len(data["inputs"]) > 0
    markdown = "".join(line + "\n" for line in _markdown_lines(data))  # the renderer, on the whole structure
    assert (built_corpus.path / "report.md").read_text(encoding="utf-8") == markdown


def _traced_peak(function) -> int:
    """Bytes allocated at the peak of ``function()`` above what was allocated before it."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        function()
        return tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()


def _many(n: int):
    speeches = [speech_row(doc_id=f"{i:06d}/doc#0", source_file=f"{i:06d}/doc.txt", title=f"第{i}篇讲话",
                           year=1990 + i % 30, year_source="date line", n_chars=800, n_tokens=250, n_units=1,
                           year_evidence=f"[date line] {1990 + i % 30}年; conflict: x vs y{i}") for i in range(n)]
    log = BuildLog()
    log.inputs.extend({"source_file": f"{i:06d}/doc.txt", "encoding": "utf-8", "n_lines": 4, "n_speeches": 1}
                      for i in range(n))
    log.removals.extend({"source_file": f"{i:06d}/doc.txt", "line": 1, "start": 0, "end": 9, "rule": "nav",
                         "text": "首页 新闻中心 联系我们"} for i in range(n))
    return speeches, 1, log


def test_writing_the_report_takes_no_memory_per_speech(tmp_path):
    # the in-memory writer held ~5 KB a speech here (its rows as dicts, the JSON text, the Markdown lines):
    # 4,500 more speeches were 25 MB more at its peak (now: the same bounded blocks and buffers)
    write_reports(tmp_path, *small_case())  # what the first report imports and caches is not per speech
    peaks = {}
    for n in (1500, 6000):
        case = _many(n)
        out = tmp_path / str(n)
        out.mkdir()
        peaks[n] = _traced_peak(lambda: write_reports(out, *case))
    assert json.loads((tmp_path / "6000" / "report.json").read_text(encoding="utf-8"))["counts"]["speeches"] == 6000
    assert peaks[6000] - peaks[1500] < 300_000, peaks


def test_a_spool_is_a_list_kept_on_disk():
    entries = [{"i": i, "text": "讲话" * (i % 700), "pair": (i, None)} for i in range(3000)]  # 1.4 MB: many blocks
    spool = Spool(entries[:10])
    assert not Spool() and len(spool) == 10 and list(spool) == json.loads(json.dumps(entries[:10]))
    spool.extend(entries[10:])
    assert len(spool) == 3000 and list(spool) == json.loads(json.dumps(entries))  # tuples read back as lists
    assert next(spool.lines()) == json.dumps(entries[0], ensure_ascii=False)
    seen = []
    for entry in spool:  # appended while reading: seen, as in a list
        seen.append(entry["i"])
        if entry["i"] == 2999:
            spool.append({"i": 3000})
    assert seen == list(range(3001))
    held = _traced_peak(lambda: Spool({"i": i, "text": "讲话" * 50} for i in range(20_000)))
    assert held < 1_000_000, held  # ~200 bytes an entry in a list: 4 MB
    spool.close()
    assert len(spool) == 0 and list(spool) == []


def test_the_log_goes_through_the_token_store_state():
    _, _, log = small_case()
    state = json.loads(json.dumps(log.stage1_state(), ensure_ascii=False))  # as the token store keeps it
    again = BuildLog()
    again.restore(state)
    assert isinstance(again.inputs, Spool) and isinstance(again.duplicates, Spool)
    assert again.stage1_state() == state
    assert list(again.removals) == list(log.removals) and again.notes == log.notes


def test_the_survey_keeps_names_not_paths(tmp_path):
    for i in range(2000):
        folder = tmp_path / f"{i // 100:02d}"
        folder.mkdir(exist_ok=True)
        (folder / f"doc{i:05d}.txt").write_text("讲话", encoding="utf-8")
    walked = sorted((Path(root, name), os.path.relpath(os.path.join(root, name), tmp_path).replace(os.sep, "/"))
                    for root, _, files in os.walk(tmp_path) for name in files)
    found = survey(tmp_path).found
    assert list(found) == sorted(walked, key=lambda pair: pair[1]) and found[5] == walked[5] and len(found) == 2000
    assert found[:2] == walked[:2] and found == walked
    one = tmp_path / "00" / "doc00001.txt"
    assert survey([one]).found == [(one, "doc00001.txt")]
    held = []
    peak = _traced_peak(lambda: held.append(survey(tmp_path).found))
    assert peak < 2000 * 300, peak  # a Path and a tuple per file were ~500 bytes
