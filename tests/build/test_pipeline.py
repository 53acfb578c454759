"""The whole build on the embedded corpus and on small fixtures: contract, determinism, caching, safety."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import json
from pathlib import Path

import pandas as pd
import pytest

from topics.build import build_corpus
from topics.config import BuildConfig
from topics.corpus import SPEECH_COLUMNS, load_corpus
from topics.errors import InputFileError, TopicsError

from conftest import RAW

EMBEDDED = (str(RAW),)  # the embedded corpus (the default raw folder is ./raw)

CONTRACT_COLUMNS = ["doc_id", "source_file", "start_line", "end_line", "title", "year", "year_source",
                    "year_evidence", "genre", "admin_level", "place", "duplicate_of", "n_chars", "n_tokens"]


def _digest_tree(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def test_contract_files_and_columns(built_corpus):
    out = built_corpus.path
    for name in ["speeches.csv", "units.csv", "tokens.txt", "texts.jsonl", "SHA256SUMS", "dictionary.txt",
                 "corpus.mm", "report.md", "report.json", "manifest.json"]:
        assert (out / name).is_file(), name
    header = (out / "speeches.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header == SPEECH_COLUMNS
    assert set(CONTRACT_COLUMNS) <= set(header)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["content_hash"]) == 64
    assert {i["source_file"] for i in manifest["inputs"]} == {p.name for p in RAW.iterdir()}


def test_every_speech_has_provenance_and_honest_metadata(built_corpus):
    speeches = built_corpus.speeches
    assert len(speeches) >= 10  # five pages hold many more speeches than headings
    assert (speeches["start_line"] >= 1).all()
    assert (speeches["end_line"] >= speeches["start_line"]).all()
    assert set(speeches["year_source"]) <= {"explicit", "implied", "metadata", "anonymized", "unknown"}
    assert set(speeches["genre"]) <= {"speech", "host_script", "work_report", "address", "other"}
    known = speeches[speeches["year"].notna()]
    assert (known["year_evidence"].str.len() > 0).all(), "a year without evidence"
    assert speeches[speeches["year"].isna()]["year_source"].isin(["anonymized", "unknown"]).all()
    # genre, level and place are asserted with their evidence quoted beside them
    assert (speeches["genre_evidence"].str.len() > 0).all(), "a genre without evidence"
    assert (speeches.loc[speeches["admin_level"] != "unknown", "level_evidence"].str.len() > 0).all()
    assert (speeches.loc[speeches["place"].notna(), "place_evidence"].str.len() > 0).all()
    assert speeches["place"].notna().any() and (speeches["admin_level"] != "unknown").any()  # not vacuous


def test_an_override_is_the_evidence_of_what_it_sets(tmp_path):
    raw = _speech_file(tmp_path / "raw", "a.txt").parent
    table = tmp_path / "metadata.csv"
    table.write_text("source_file,start_line,end_line,year,genre,admin_level,place,title,note\n"
                     "a.txt,,,,address,county,石泉县,,from the archive\n", encoding="utf-8")
    corpus = build_corpus(BuildConfig(raw=(str(raw),), out=str(tmp_path / "c"), cache_dir=str(tmp_path / "cache"),
                                      split="none", metadata=str(table)), progress=False)
    row = corpus.speeches.iloc[0]
    assert (row["genre"], row["admin_level"], row["place"]) == ("address", "county", "石泉县")
    given = "metadata.csv:2: override (from the archive)"
    assert row["genre_evidence"] == row["level_evidence"] == row["place_evidence"] == given


def test_duplicates_are_listed_but_left_out_of_the_model(built_corpus):
    speeches = built_corpus.speeches
    dupes = speeches[speeches["duplicate_of"].notna()]
    assert len(dupes) >= 1, "the embedded corpus repeats whole speeches"
    assert not dupes["in_model"].any()
    assert set(dupes["duplicate_of"]) <= set(speeches["doc_id"])
    assert set(built_corpus.units["doc_id"]) <= set(speeches.loc[speeches["in_model"], "doc_id"])


def test_units_tokens_and_bow_line_up(built_corpus):
    tokens = built_corpus.tokens()
    assert len(tokens) == len(built_corpus.units) == len(built_corpus.bow())
    assert [len(t) for t in tokens] == list(built_corpus.units["n_tokens"])
    vocab = set(built_corpus.dictionary.token2id)
    assert {"的", "们", "这", "为", "同志们"}.isdisjoint(vocab), "stopwords reached the vocabulary"
    assert not any("⟦" in w or "⟧" in w for w in vocab), "placeholder markers reached the vocabulary"
    assert "计划生育" in vocab and "方案生育" not in vocab


def test_spun_speech_is_repaired_in_the_clean_text(built_corpus):
    texts = built_corpus.texts()
    spun = [t for d, t in texts.items() if d.startswith("003_")]
    assert spun and all("方案生育" not in t for t in spun)
    assert sum(t.count("计划生育") for t in spun) >= 31


def test_raw_input_is_never_modified(tmp_path):
    before = _digest_tree(RAW)
    build_corpus(BuildConfig(raw=EMBEDDED, out=str(tmp_path / "c"), cache_dir=str(tmp_path / "cache")), progress=False)
    assert _digest_tree(RAW) == before


def test_same_inputs_give_byte_identical_tables_and_rebuild_hits_the_cache(tmp_path):
    # separate caches: both builds read and segment every file, one in 1 process, one in 2 workers
    a = build_corpus(BuildConfig(raw=EMBEDDED, out=str(tmp_path / "a"), cache_dir=str(tmp_path / "cache1")), progress=False, workers=1)
    b = build_corpus(BuildConfig(raw=EMBEDDED, out=str(tmp_path / "b"), cache_dir=str(tmp_path / "cache2")), progress=False, workers=2)
    for name in ["speeches.csv", "units.csv", "tokens.txt", "texts.jsonl", "dictionary.txt", "corpus.mm", "manifest.json"]:
        if name == "manifest.json":  # differs only by the output folder and worker count
            ma = json.loads((a.path / name).read_text()); mb = json.loads((b.path / name).read_text())
            assert ma["content_hash"] == mb["content_hash"]
            continue
        assert (a.path / name).read_bytes() == (b.path / name).read_bytes(), name
    for corpus, workers in ((a, 1), (b, 2)):
        report = json.loads((corpus.path / "report.json").read_text())
        assert report["segmentation_cache"]["token_store"] == "new"
        assert report["execution"]["workers"] == workers  # the build says where it ran
    c = build_corpus(BuildConfig(raw=EMBEDDED, out=str(tmp_path / "c"), cache_dir=str(tmp_path / "cache2")), progress=False, workers=2)
    report = json.loads((c.path / "report.json").read_text(encoding="utf-8"))
    assert report["segmentation_cache"]["token_store"] == "reused", "second build read the files again"
    assert report["segmentation_cache"]["misses"] == 0, "second build segmented again"
    assert (c.path / "corpus.mm").read_bytes() == (b.path / "corpus.mm").read_bytes()


def test_changing_stopwords_reuses_segmentation(tmp_path):
    cache = str(tmp_path / "cache")
    build_corpus(BuildConfig(raw=EMBEDDED, out=str(tmp_path / "a"), cache_dir=cache), progress=False)
    extra = tmp_path / "extra_stopwords.txt"
    extra.write_text("# test list\n计划生育\n", encoding="utf-8")
    config = BuildConfig(raw=EMBEDDED, out=str(tmp_path / "b"), cache_dir=cache,
                         stopwords=BuildConfig().stopwords + (str(extra),))
    corpus = build_corpus(config, progress=False)
    report = json.loads((corpus.path / "report.json").read_text(encoding="utf-8"))
    assert report["segmentation_cache"]["misses"] == 0
    assert "计划生育" not in corpus.dictionary.token2id


def test_up_to_date_corpus_is_returned_without_rebuilding(tmp_path):
    config = BuildConfig(raw=EMBEDDED, out=str(tmp_path / "c"), cache_dir=str(tmp_path / "cache"))
    first = build_corpus(config, progress=False)
    stamp = (first.path / "report.json").stat().st_mtime_ns
    second = build_corpus(config, progress=False)
    assert (second.path / "report.json").stat().st_mtime_ns == stamp
    assert second.content_hash == first.content_hash


def test_split_none_keeps_one_document_per_file(tmp_path):
    corpus = build_corpus(BuildConfig(raw=EMBEDDED, out=str(tmp_path / "c"), cache_dir=str(tmp_path / "cache"), split="none",
                                      exclude_duplicates=False), progress=False)
    assert len(corpus.speeches) == len(list(RAW.iterdir()))


def test_paragraph_units_map_back_to_their_speech(tmp_path):
    corpus = build_corpus(BuildConfig(raw=EMBEDDED, out=str(tmp_path / "c"), cache_dir=str(tmp_path / "cache"), unit="paragraph"),
                          progress=False)
    units = corpus.units
    assert len(units) > len(corpus.speeches[corpus.speeches["in_model"]])
    speeches = corpus.speeches.set_index("doc_id")
    for row in units.itertuples():
        speech = speeches.loc[row.doc_id]
        assert speech.start_line <= row.start_line <= row.end_line <= speech.end_line
    per_speech = units.groupby("doc_id")["n_tokens"].sum()
    assert (per_speech == speeches.loc[per_speech.index, "n_tokens"]).all()


def test_bad_files_are_skipped_with_a_reason_and_strict_fails(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "good.txt").write_text("在全县计划生育工作会议上的讲话\n同志们：\n今天召开全县计划生育工作会议，部署流动人口服务管理工作。\n",
                                  encoding="gbk")
    (raw / "empty.txt").write_bytes(b"")
    (raw / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    corpus = build_corpus(BuildConfig(raw=(str(raw),), out=str(tmp_path / "c"), cache_dir=str(tmp_path / "cache")),
                          progress=False)
    report = json.loads((corpus.path / "report.json").read_text(encoding="utf-8"))
    assert {s["source_file"] for s in report["skipped"]} == {"empty.txt", "image.txt"}
    assert report["encodings"] == {"gb18030": 1}
    with pytest.raises(TopicsError, match=r"empty.txt"):
        build_corpus(BuildConfig(raw=(str(raw),), out=str(tmp_path / "strict"), cache_dir=str(tmp_path / "cache"),
                                 strict=True), progress=False)
    assert not (tmp_path / "strict").exists(), "a failed build left output behind"


def test_failed_build_keeps_the_previous_corpus_intact(tmp_path, monkeypatch):
    config = BuildConfig(raw=EMBEDDED, out=str(tmp_path / "c"), cache_dir=str(tmp_path / "cache"))
    build_corpus(config, progress=False)
    before = _digest_tree(tmp_path / "c")

    import topics.build.pipeline as build_module

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(build_module, "build_units", explode)
    with pytest.raises(RuntimeError):
        build_corpus(config, progress=False, force=True)
    assert _digest_tree(tmp_path / "c") == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".c.")] == []


def test_missing_input_folder_is_a_clear_error(tmp_path):
    with pytest.raises(TopicsError, match=r"nowhere"):
        build_corpus(BuildConfig(raw=(str(tmp_path / "nowhere"),), out=str(tmp_path / "c")), progress=False)


def test_load_corpus_names_missing_files(tmp_path):
    with pytest.raises(TopicsError, match=r"not a built corpus.*speeches.csv.*topics build"):
        load_corpus(tmp_path)


def test_unchanged_inputs_are_not_hashed_again_but_a_changed_file_is(tmp_path, monkeypatch):
    import os
    import shutil
    import time

    import topics.build.cache as buildcache

    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    hour_ago = time.time() - 3600
    for path in raw.iterdir():
        os.utime(path, (hour_ago, hour_ago))
    hashed = []
    real = buildcache.file_sha256s
    monkeypatch.setattr(buildcache, "file_sha256s", lambda paths: hashed.extend(paths) or real(paths))
    config = BuildConfig(raw=(str(raw),), out=str(tmp_path / "c"), cache_dir=str(tmp_path / "cache"))
    first = build_corpus(config, progress=False)
    assert len(hashed) == len(list(raw.iterdir()))
    hashed.clear()
    assert build_corpus(config, progress=False).content_hash == first.content_hash
    assert hashed == [], "unchanged files were hashed again"
    changed = sorted(raw.iterdir())[1]
    changed.write_text(changed.read_text(encoding="utf-8") + "\n同志们，这是新加的一段话。\n", encoding="utf-8")
    second = build_corpus(config, progress=False)
    assert [Path(p).name for p in hashed] == [changed.name]
    assert second.content_hash != first.content_hash


def _speech_file(folder: Path, name: str, source: Path | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    target.write_bytes((source or sorted(RAW.iterdir())[1]).read_bytes())
    return target


def test_every_input_file_is_in_the_build_report(tmp_path):
    raw = tmp_path / "raw"
    _speech_file(raw, "a.txt")
    (raw / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0 word 97")
    (raw / "gone.txt").symlink_to(raw / "missing.txt")
    (raw / "README.md").write_text("# about this folder\n", encoding="utf-8")
    corpus = build_corpus(BuildConfig(raw=(str(raw),), out=str(tmp_path / "c"), cache_dir=str(tmp_path / "cache")),
                          progress=False)
    report = json.loads((corpus.path / "report.json").read_text(encoding="utf-8"))
    skipped = {entry["source_file"]: entry for entry in report["skipped"]}
    assert set(skipped) == {"old.doc", "gone.txt", "README.md"}
    assert skipped["old.doc"]["problem"] and "save it as .docx" in skipped["old.doc"]["reason"]
    assert skipped["gone.txt"]["problem"] and "broken link" in skipped["gone.txt"]["reason"]
    assert not skipped["README.md"]["problem"]
    assert "gone.txt" in (corpus.path / "report.md").read_text(encoding="utf-8")
    with pytest.raises(InputFileError, match=r"gone\.txt: broken link"):
        build_corpus(BuildConfig(raw=(str(raw),), out=str(tmp_path / "strict"), cache_dir=str(tmp_path / "cache"),
                                 strict=True), progress=False)


def test_same_bytes_under_another_name_report_their_own_name(tmp_path):
    cache = str(tmp_path / "cache")
    first = build_corpus(BuildConfig(raw=(str(_speech_file(tmp_path / "one", "a.txt").parent),),
                                     out=str(tmp_path / "c1"), cache_dir=cache), progress=False)
    second = build_corpus(BuildConfig(raw=(str(_speech_file(tmp_path / "two", "b.txt").parent),),
                                      out=str(tmp_path / "c2"), cache_dir=cache), progress=False)
    assert set(first.speeches["source_file"]) == {"a.txt"}
    assert set(second.speeches["source_file"]) == {"b.txt"}
    assert all(doc_id.startswith("b#") for doc_id in second.speeches["doc_id"])
    texts = (second.path / "texts.jsonl").read_text(encoding="utf-8")
    assert '"doc_id": "b#0"' in texts and '"a#' not in texts


def test_identical_files_in_one_folder_are_two_documents_one_a_duplicate(tmp_path):
    raw = tmp_path / "raw"
    source = sorted(RAW.iterdir())[4]
    _speech_file(raw, "x.txt", source)
    _speech_file(raw, "y.txt", source)
    _speech_file(raw / "sub", "x.txt", source)  # same stem in a sub-folder: its own doc_id
    corpus = build_corpus(BuildConfig(raw=(str(raw),), out=str(tmp_path / "c"), cache_dir=str(tmp_path / "cache"),
                                      split="none"), progress=False)
    rows = corpus.speeches.set_index("doc_id")
    assert list(rows.index) == ["sub/x#0", "x#0", "y#0"]
    assert pd.isna(rows.loc["sub/x#0", "duplicate_of"])
    assert rows.loc["x#0", "duplicate_of"] == "sub/x#0" and rows.loc["y#0", "duplicate_of"] == "sub/x#0"
    assert int(rows["in_model"].sum()) == 1


@pytest.mark.parametrize("where", ["raw", "parent", "inside", "foreign"])
def test_an_output_folder_is_never_an_input_or_someone_elses(tmp_path, where):
    raw = tmp_path / "project" / "raw"
    _speech_file(raw, "a.txt")
    (tmp_path / "foreign").mkdir()
    (tmp_path / "foreign" / "notes.txt").write_text("my notes", encoding="utf-8")
    out = {"raw": raw, "parent": tmp_path / "project", "inside": raw / "corpus", "foreign": tmp_path / "foreign"}[where]
    tree = lambda: {str(p): p.read_bytes() for p in sorted(tmp_path.rglob("*")) if p.is_file()}  # noqa: E731
    before = tree()
    message = {"raw": "is, or contains, the input", "parent": "is, or contains, the input",
               "inside": "is inside the input folder", "foreign": "was not written by topics"}[where]
    with pytest.raises(TopicsError, match=message):
        build_corpus(BuildConfig(raw=(str(raw),), out=str(out), cache_dir=str(tmp_path / "cache")), progress=False)
    assert tree() == before  # nothing written, nothing deleted


def test_a_build_cache_inside_an_input_folder_is_refused(tmp_path, monkeypatch):
    """`topics build .` from inside the raw folder would put ./build/cache there and read it back as speeches."""
    from topics.cli import main

    raw = tmp_path / "raw"
    _speech_file(raw, "a.txt")
    before = sorted(p.name for p in raw.rglob("*"))
    monkeypatch.chdir(raw)
    with pytest.raises(TopicsError, match=r"build/cache: the build cache would be inside the input folder \. — .*--cache"):
        build_corpus(BuildConfig(raw=(".",), out=str(tmp_path / "out")), progress=False)
    assert main(["build", ".", "--out", str(tmp_path / "out"), "--quiet"]) == 2  # one line, exit status 2
    assert sorted(p.name for p in raw.rglob("*")) == before and not (tmp_path / "out").exists()
    assert main(["build", ".", "--out", str(tmp_path / "out"), "--cache", str(tmp_path / "cache"), "--quiet"]) == 0


def test_a_folder_topics_wrote_is_rebuilt_in_place(tmp_path):
    config = BuildConfig(raw=EMBEDDED, out=str(tmp_path / "c"), cache_dir=str(tmp_path / "cache"))
    build_corpus(config, progress=False)
    assert (tmp_path / "c" / ".topics-output.json").is_file()
    build_corpus(config, progress=False, force=True)  # its own output: replaced without asking


def test_a_corpus_folder_holding_the_users_own_files_is_not_replaced(tmp_path):
    config = BuildConfig(raw=(str(_speech_file(tmp_path / "raw", "a.txt").parent),), out=str(tmp_path / "c"),
                         cache_dir=str(tmp_path / "cache"), split="none")
    build_corpus(config, progress=False)
    (tmp_path / "c" / "my_notes.txt").write_text("见第3段", encoding="utf-8")  # saved beside the tables
    (tmp_path / "c" / "figs").mkdir()
    (tmp_path / "c" / ".DS_Store").write_bytes(b"")  # the system's, not the user's work: not counted
    with pytest.raises(TopicsError, match=r"c: holds figs/, my_notes\.txt, which topics did not write — writing "
                                          r"the corpus again replaces the whole folder; move them out first"):
        build_corpus(config, progress=False, force=True)
    assert (tmp_path / "c" / "my_notes.txt").read_text(encoding="utf-8") == "见第3段"
    (tmp_path / "c" / "my_notes.txt").unlink()
    (tmp_path / "c" / "figs").rmdir()
    build_corpus(config, progress=False, force=True)  # moved out: rebuilt


def test_what_a_killed_build_left_behind_is_removed_at_the_next_start(tmp_path):
    stale_folder = tmp_path / ".c.999999.abcd.tmp"   # a staging folder of a process that is gone
    stale_folder.mkdir()
    (stale_folder / "corpus.mm").write_text("half")
    stale_old = tmp_path / ".c.old-999999"
    stale_old.mkdir()
    mine = tmp_path / f".c.{os.getpid()}.live.tmp"  # this process's own: left alone
    mine.mkdir()
    build_corpus(BuildConfig(raw=EMBEDDED, out=str(tmp_path / "c"), cache_dir=str(tmp_path / "cache")), progress=False)
    assert not stale_folder.exists() and not stale_old.exists() and mine.exists()


def test_the_lsh_banding_table_is_kept_in_the_build_cache(tmp_path, monkeypatch):
    """Computed once (0.23 s in a fresh process: datasketch, scipy), then read back exactly; a malformed entry is computed again."""

    from topics.build import pipeline
    from topics.build.cache import BuildCache
    from topics.build.lshensemble import banding_table

    cache = BuildCache(tmp_path / "cache")
    try:
        first = pipeline._stored_banding(cache, 0.75, 128)
        monkeypatch.setattr(pipeline, "banding_table", lambda *args: (_ for _ in ()).throw(AssertionError("recomputed")))
        again = pipeline._stored_banding(cache, 0.75, 128)
        cache.put_json(pipeline.sha256_json(["lsh-banding", 0.75, 128, pipeline.package_version("datasketch")]),
                       [[1.0, 2.0], [[0, 1]]])  # not a table: computed again
        monkeypatch.undo()
        recomputed = pipeline._stored_banding(cache, 0.75, 128)
    finally:
        cache.close()
    expected = banding_table(0.75, 128)
    for got in (first, again, recomputed):
        assert got[0].tobytes() == expected[0].tobytes() and got[1].tobytes() == expected[1].tobytes()


def test_metadata_rows_that_do_nothing_are_said_on_the_terminal_and_refused_when_strict(tmp_path, capsys):
    raw = _speech_file(tmp_path / "raw", "a.txt").parent
    table = tmp_path / "metadata.csv"
    table.write_text("source_file,start_line,end_line,yr,genre\nb.txt,,,2010,\na.txt,,,,speech\n", encoding="utf-8")
    config = BuildConfig(raw=(str(raw),), out=str(tmp_path / "c"), cache_dir=str(tmp_path / "cache"), split="none",
                         metadata=str(table))
    build_corpus(config, progress=False)
    err = capsys.readouterr().err
    assert "warning: " + str(table) + ":2: override for b.txt matched no speech — check the file name" in err
    assert f"warning: {table}:2: sets nothing — its values are in columns not read (yr); name them year, genre" in err
    with pytest.raises(TopicsError, match=r"metadata\.csv:2: sets nothing .*\(strict: fix the metadata table, and see"):
        build_corpus(dataclasses.replace(config, strict=True, out=str(tmp_path / "c2")), progress=False, force=True)
    assert not (tmp_path / "c2").exists()
