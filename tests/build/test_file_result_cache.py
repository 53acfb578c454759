"""The file cache's record of a per-file result (topics.build.stages.encode_result / decode_result)."""

from __future__ import annotations

import dataclasses
import zlib

import numpy as np
import pytest

from topics.build.dedup import Sketch
from topics.build.records import FoundSpeech
from topics.build.stages import FileProcessor, FileResult, decode_result, encode_result
from topics.build.tokenstore import EncodedTokens
from topics.config import BuildConfig

from conftest import RAW


def _same(a: FileResult, b: FileResult) -> None:
    for name in ("name", "encoding", "n_lines", "removals", "structure", "repairs"):
        assert getattr(a, name) == getattr(b, name), name
    assert len(a.speeches) == len(b.speeches)
    for x, y in zip(a.speeches, b.speeches):
        assert x.speech == y.speech and x.text_json == y.text_json and x.line_numbers == y.line_numbers
        assert x.tokens.types == y.tokens.types and x.text_sha256 == y.text_sha256
        for left, right in ((x.tokens.ids, y.tokens.ids), (x.tokens.line_lengths, y.tokens.line_lengths),
                            (x.sketch.signature, y.sketch.signature)):
            assert np.array_equal(left, right) and np.asarray(right).dtype == np.asarray(left).dtype
        assert x.sketch.size == y.sketch.size


def test_every_embedded_file_comes_back_as_it_was(tmp_path):
    processor = FileProcessor(BuildConfig(raw=(str(RAW),), cache_dir=str(tmp_path / "cache")))
    files = sorted(RAW.glob("*.txt"))
    assert files
    for i, path in enumerate(files):
        result = processor((str(path), path.name, f"d{i}"))
        assert result.speeches, path.name
        _same(result, decode_result(result.cache_blob))


def test_speeches_with_more_than_65536_distinct_tokens_keep_32_bit_ids():
    types = [f"词{i}" for i in range(70_000)]
    ids = np.arange(70_000, dtype=np.int32)[::-1].copy()
    small = EncodedTokens(["甲", "乙"], np.array([0, 1, 1], dtype=np.int32), np.array([3], dtype=np.int32))
    template = FoundSpeech(speech=None, text_json='{"doc_id": "a#0", "text": "甲乙乙"}', line_numbers=[1],
                           tokens=small, sketch=Sketch(3, np.arange(128, dtype=np.uint32)), text_sha256="0" * 64)
    processor_row = _speech_row()
    wide = dataclasses.replace(template, speech=processor_row,
                               tokens=EncodedTokens(types, ids, np.array([70_000], dtype=np.int32)))
    narrow = dataclasses.replace(template, speech=processor_row)
    result = FileResult(name="big.txt", encoding="utf-8", n_lines=2, speeches=[wide, narrow])
    back = decode_result(encode_result(result))
    _same(result, back)
    assert int(back.speeches[0].tokens.ids[0]) == 69_999


def test_a_damaged_or_foreign_record_is_refused():
    with pytest.raises(ValueError, match="not a stored file result"):
        decode_result(zlib.compress(b"topics-file-result-v1\n" + b"\0" * 8))
    result = FileResult(name="a.txt", encoding="utf-8", n_lines=1, speeches=[])
    with pytest.raises(ValueError, match="trailing bytes"):
        decode_result(zlib.compress(zlib.decompress(encode_result(result)) + b"x"))


def _speech_row():
    from topics.build.records import Speech
    from topics.corpus import SPEECH_COLUMNS

    values = {name: None for name in SPEECH_COLUMNS}
    values.update(doc_id="a#0", source_file="a.txt", start_line=1, end_line=1, start_char=0, end_char=3,
                  year_source="unknown", year_evidence="", genre="other", admin_level="unknown",
                  in_model=True, boundary="file", n_chars=3, n_tokens=0, n_units=0)
    return Speech(**values)


def test_segmentation_comes_from_the_stored_file_results_until_they_are_gone(tmp_path):
    """After a rule change every file is read again, but a speech whose text is unchanged takes its
    tokens from the file result stored before; a damaged stored result means segmenting again."""
    import json
    import sqlite3

    from topics.build import build_corpus
    from topics.build.cache import BuildCache

    def build(out, cache, rules):
        rule_file = tmp_path / f"rules-{len(rules)}.tsv"
        rule_file.write_text("".join(f"inline\trule{i}\t{pattern}\ttest rule\n" for i, pattern in enumerate(rules)),
                             encoding="utf-8")
        config = BuildConfig(raw=(str(RAW),), out=str(tmp_path / out), cache_dir=str(tmp_path / cache),
                             boilerplate=BuildConfig().boilerplate + (str(rule_file),))
        corpus = build_corpus(config, progress=False, workers=1)
        report = json.loads((corpus.path / "report.json").read_text(encoding="utf-8"))["segmentation_cache"]
        tables = {name: (corpus.path / name).read_bytes() for name in ("speeches.csv", "tokens.txt", "corpus.mm")}
        return report, tables

    first, _ = build("a", "cache", ["同志们好"])
    assert first["files_read"] >= 5 and first["hits"] == 0 and first["misses"] > 0
    # a rule matching one phrase: every file is read again, most speeches keep their text
    second, tables = build("b", "cache", ["同志们好", "计划生育工作"])
    assert second["files_read"] == first["files_read"] and second["hits"] > 0
    assert second["hits"] + second["misses"] == first["misses"]
    assert tables == build("fresh", "other-cache", ["同志们好", "计划生育工作"])[1]

    cache = BuildCache(tmp_path / "cache")
    cache.close()
    with sqlite3.connect(cache.path) as db:  # every stored result damaged
        db.execute("UPDATE files SET result = x'00'")
    third, tables = build("c", "cache", ["同志们好", "人口"])
    assert third["hits"] == 0 and third["misses"] == first["misses"]
    assert tables == build("fresh2", "other-cache2", ["同志们好", "人口"])[1]
