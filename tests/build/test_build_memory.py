"""What the build's main process keeps per speech: files in the staging folder, not Python objects;
and the ways out of memory give the bytes the in-memory ways gave."""

from __future__ import annotations

import dataclasses
import io
import json
import shutil
import time
import tracemalloc

import numpy as np
import pandas as pd

import topics.build.pipeline as pipeline
import topics.build.units as buildunits
from topics.build import build_corpus
from topics.build.cache import BuildCache
from topics.build.dedup import DuplicateLink, Sketch, sketch_shingles
from topics.build.records import FoundSpeech, Speech
from topics.build.tokenstore import TokenStore, TokenStoreWriter, encode_lines
from topics.config import BuildConfig
from topics.corpus import SPEECH_COLUMNS, write_speeches_csv

from conftest import RAW


def _speech(i: int, **values) -> Speech:
    row = dict(doc_id=f"f{i}#0", source_file=f"f{i}.txt", start_line=1, end_line=3, start_char=None, end_char=None,
               heading=None, title=None, year=None, year_min=None, year_max=None, year_source="unknown",
               year_evidence="", genre="speech", admin_level="unknown", place=None, genre_evidence="",
               level_evidence="", place_evidence="", duplicate_of=None,
               duplicate_kind=None, in_model=True, encoding="utf-8", boundary="file", n_chars=10, n_tokens=0,
               n_units=0)
    row.update(values)
    return Speech(**row)


def test_speech_table_from_records_has_the_bytes_of_the_table_from_rows(tmp_path):
    speeches = [_speech(0, year=1998, year_min=1995, year_max=2000, start_char=0, end_char=40, title="讲话"),
                _speech(1, year_min=2001, place="北京", duplicate_of="f0#0", duplicate_kind="duplicate", in_model=False),
                _speech(2, heading="第一篇", n_tokens=12, n_units=2)]
    pipeline._write_speeches(speeches, tmp_path)
    frame = pd.DataFrame([speech.row() for speech in speeches], columns=SPEECH_COLUMNS)  # the old way
    for column in ("start_char", "end_char", "year"):
        frame[column] = frame[column].astype("Int64")
    expected = io.StringIO(newline="\n")
    write_speeches_csv(frame, expected)
    assert (tmp_path / "speeches.csv").read_text(encoding="utf-8") == expected.getvalue()
    assert "1995.0" in expected.getvalue()  # year_min with a gap is a float column, as it always was


def test_a_speech_row_reads_its_record():
    speech = _speech(3, year=2004, title="报告")
    row = pipeline.SpeechRow(speech)
    assert dict(row) == speech.row() and row["year"] == 2004 and row.get("nothing", "-") == "-"
    speech.n_tokens = 7  # a view, not a copy
    assert row["n_tokens"] == 7


def test_token_store_writes_as_speeches_come_and_reads_back_in_pieces(tmp_path):
    flags_asked = []

    def word_flags(types):
        flags_asked.append(list(types))
        return np.array([len(word) for word in types], dtype=np.uint8)

    writer = TokenStoreWriter(tmp_path / "store", word_flags)
    lines = [[["我们", "开会"], ["今天", "开会", "。"]], [["发展"]], [[], ["我们"]]]
    for tokens in lines:
        writer.add(encode_lines(tokens), list(range(1, len(tokens) + 1)))
    rows = [_speech(i).row() for i in range(3)]
    writer.close((json.dumps(row, ensure_ascii=False) + "\n" for row in rows), {"inputs": [{"source_file": "x"}]})
    assert flags_asked == [["我们", "开会", "今天", "。"], ["发展"]]  # each new word once, as it comes
    store = TokenStore(tmp_path / "store")
    assert store.types == ["我们", "开会", "今天", "。", "发展"] and list(store.word_flags) == [2, 2, 2, 1, 2]
    assert [store.types[i] for i in np.argsort(store.type_rank)] == sorted(store.types)
    assert list(store.speech_rows()) == rows and store.log_state == {"inputs": [{"source_file": "x"}]}
    every = store.read_ids(0, 7)
    assert [store.types[i] for i in every] == ["我们", "开会", "今天", "开会", "。", "发展", "我们"]
    assert np.array_equal(store.read_ids(2, 5), every[2:5]) and len(store.read_ids(7, 7)) == 0
    assert list(store.speech_lines) == [2, 1, 2] and list(store.line_lengths) == [2, 3, 1, 0, 1]
    assert TokenStore.is_intact(tmp_path / "store")


def test_reading_keeps_a_few_numbers_per_speech_in_memory(tmp_path):
    writer = TokenStoreWriter(tmp_path, lambda types: np.zeros(len(types), dtype=np.uint8))
    read = pipeline._ReadSpeeches(tmp_path)
    values = np.arange(300, dtype=np.uint32)
    signature = sketch_shingles(values)
    tokens = encode_lines([["一", "二"]])

    def add(count: int, start: int) -> None:
        for i in range(start, start + count):
            found = FoundSpeech(speech=_speech(i, title="标题" * 10, year_evidence="[title] 1998" * 5),
                                text_json=json.dumps({"doc_id": f"f{i}#0", "text": "一二"}, ensure_ascii=False),
                                line_numbers=[1], tokens=tokens, sketch=Sketch(signature.size, signature.signature.copy()),
                                text_sha256="0" * 64, shingles=values.copy())
            read.add(found.speech, found, writer.add_text(found.text_json))
            writer.add(found.tokens, found.line_numbers)

    add(200, 0)  # warm up (buffers, array growth)
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    add(5000, 200)
    per_speech = (tracemalloc.get_traced_memory()[0] - before) / 5000
    tracemalloc.stop()
    assert per_speech < 200  # its doc_id and four numbers; a row, sketch and shingles cost ~3 KB in memory
    read.close()
    writer.flush_texts()
    assert (tmp_path / "speeches.tmp").stat().st_size > 5000 * 400 and (tmp_path / "signatures.tmp").stat().st_size \
        == 5200 * 128 * 4
    rows = [json.loads(line) for line in read.row_lines({})]
    assert len(rows) == 5200 and rows[17] == _speech(17, title="标题" * 10, year_evidence="[title] 1998" * 5).row()
    linked = [json.loads(line) for line in read.row_lines({"f3#0": DuplicateLink("f3#0", "f1#0", "duplicate", 1.0)})]
    assert (linked[3]["duplicate_of"], linked[3]["duplicate_kind"]) == ("f1#0", "duplicate") and linked[4] == rows[4]
    read.remove()
    assert not list(tmp_path.glob("*.tmp"))


def test_stage_2_keeps_few_blocks_waiting_for_the_writer(tmp_path, monkeypatch):
    monkeypatch.setattr(buildunits, "BLOCK_TOKENS", 200)  # many blocks on the embedded corpus
    made, written, ahead = [0], [0], []
    block_units, write_text = buildunits._block_units, buildunits._write_text

    def counted_block_units(*args, **kwargs):
        result = block_units(*args, **kwargs)
        if result[0]:  # a block with units: it will be written
            made[0] += 1
            ahead.append(made[0] - written[0])
        return result

    def slow_write_text(*args, **kwargs):
        time.sleep(0.02)  # a writer slower than the blocks come
        write_text(*args, **kwargs)
        written[0] += 1

    monkeypatch.setattr(buildunits, "_block_units", counted_block_units)
    monkeypatch.setattr(buildunits, "_write_text", slow_write_text)
    build_corpus(BuildConfig(raw=(str(RAW),), out=str(tmp_path / "c"), cache_dir=str(tmp_path / "cache")),
                 progress=False)
    assert made[0] > 10 and max(ahead) <= buildunits.WRITES_AHEAD + 2


def test_duplicates_are_found_alike_from_fresh_and_from_cached_file_results(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    raw.mkdir()
    sources = sorted(RAW.glob("*.txt"))
    for i, source in enumerate(sources[:6]):
        shutil.copyfile(source, raw / f"a{i}.txt")
    text = sources[2].read_text(encoding="utf-8")
    (raw / "copy.txt").write_text(text.replace("。", "，", 1), encoding="utf-8")  # a near-duplicate
    (raw / "preview.txt").write_text(text[: len(text) // 4], encoding="utf-8")
    config = BuildConfig(raw=(str(raw),), out=str(tmp_path / "c"), cache_dir=str(tmp_path / "cache"), split="none")
    first = build_corpus(config, progress=False)  # shingles from the processing of the files
    linked = first.speeches.dropna(subset=["duplicate_of"])
    assert set(linked["doc_id"]) == {"copy#0", "preview#0"}
    shutil.rmtree(tmp_path / "cache" / "token-stores")
    monkeypatch.setattr(BuildCache, "get_json", lambda self, key: None)  # the links are found again
    again = build_corpus(dataclasses.replace(config, out=str(tmp_path / "d")), progress=False)
    assert again.speeches.equals(first.speeches)
    assert (tmp_path / "d" / "speeches.csv").read_bytes() == (tmp_path / "c" / "speeches.csv").read_bytes()
