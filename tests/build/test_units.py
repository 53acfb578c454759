"""Stage 2 of the build (topics.build.units, topics.build.tokenstore): numpy on token ids must give exactly
what the per-token reference gives — jieba tokens, Tokenizer.filter, paragraph chunks, and gensim's
Dictionary, doc2bow and MmCorpus — and the token store must make stopword changes cheap."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gensim.corpora import Dictionary, MmCorpus

import topics.build.units as buildunits
from topics.build import build_corpus
from topics.build.stages import language_resources, make_tokenizer
from topics.build.units import chunk_lines
from topics.config import BuildConfig
from topics.corpus import read_speeches_csv

from conftest import RAW
from topics.build.tokenize import Tokenizer
from topics.build.tokenstore import prune_stores

EMBEDDED = (str(RAW),)  # the embedded corpus (the default raw folder is ./raw)
OUTPUTS = ["speeches.csv", "units.csv", "tokens.txt", "texts.jsonl", "dictionary.txt", "corpus.mm"]


def _reference_units(corpus_path: Path, config: BuildConfig) -> list[list[str]]:
    """Units rebuilt token by token: segment each line, filter, chunk (the definitions, not the fast path)."""
    tokenizer = make_tokenizer(config, language_resources(config))
    speeches = read_speeches_csv(corpus_path / "speeches.csv")
    in_model = dict(zip(speeches["doc_id"], speeches["in_model"]))
    units = []
    for line in (corpus_path / "texts.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        lines = [tokenizer.filter(tokenizer.cut(text)) for text in record["text"].split("\n")]
        if not any(lines) or not in_model.get(record["doc_id"], False):
            continue
        if config.unit == "speech":
            units.append([token for tokens in lines for token in tokens])
            continue
        for _, _, first, end in chunk_lines(record["line_numbers"], [len(t) for t in lines], config.chunk_min_tokens):
            units.append([token for tokens in lines for token in tokens][first:end])
    return units


@pytest.mark.parametrize("settings", [
    {"unit": "speech"},
    {"unit": "paragraph", "chunk_min_tokens": 30, "no_below": 20, "no_above": 0.5},
    {"unit": "paragraph", "chunk_min_tokens": 50, "no_below": 2, "keep_n": 300, "exclude_duplicates": False},
])
def test_stage2_equals_the_per_token_reference_and_gensim(tmp_path, settings):
    config = BuildConfig(raw=EMBEDDED, out=str(tmp_path / "c"), cache_dir=str(tmp_path / "cache"), **settings)
    corpus = build_corpus(config, progress=False)
    units = _reference_units(corpus.path, config)
    assert [tokens for tokens in corpus.iter_tokens()] == units
    expected = Dictionary(units)
    if config.no_below > 1 or config.no_above < 1 or config.keep_n:
        expected.filter_extremes(no_below=config.no_below, no_above=config.no_above, keep_n=config.keep_n or None)
    assert corpus.dictionary.token2id == expected.token2id
    assert corpus.dictionary.dfs == expected.dfs
    MmCorpus.serialize(str(tmp_path / "gensim.mm"), (expected.doc2bow(u) for u in units), id2word=expected)
    assert (corpus.path / "corpus.mm").read_bytes() == (tmp_path / "gensim.mm").read_bytes()
    expected.save_as_text(str(tmp_path / "gensim.txt"), sort_by_word=True)
    assert (corpus.path / "dictionary.txt").read_bytes() == (tmp_path / "gensim.txt").read_bytes()


def test_a_stopword_change_reuses_the_token_store_and_equals_a_fresh_build(tmp_path):
    cache = str(tmp_path / "cache")
    build_corpus(BuildConfig(raw=EMBEDDED, out=str(tmp_path / "first"), cache_dir=cache), progress=False)
    extra = tmp_path / "extra.txt"
    extra.write_text("# one more\n服务\n", encoding="utf-8")
    changed = dict(stopwords=BuildConfig().stopwords + (str(extra),), drop_single_chars=False, unit="paragraph")
    cached = build_corpus(BuildConfig(raw=EMBEDDED, out=str(tmp_path / "cached"), cache_dir=cache, **changed), progress=False)
    fresh = build_corpus(BuildConfig(raw=EMBEDDED, out=str(tmp_path / "fresh"), cache_dir=str(tmp_path / "cache2"), **changed),
                         progress=False)
    report = json.loads((cached.path / "report.json").read_text(encoding="utf-8"))
    assert report["segmentation_cache"]["token_store"] == "reused"
    assert report["boilerplate"]["n_removed"] > 0, "the stage-1 log comes with the token store"
    assert "服务" not in cached.dictionary.token2id
    for name in OUTPUTS:
        assert (cached.path / name).read_bytes() == (fresh.path / name).read_bytes(), name


def test_blocks_do_not_change_the_result(tmp_path, monkeypatch):
    config = dict(unit="paragraph", chunk_min_tokens=30, no_below=3)
    whole = build_corpus(BuildConfig(raw=EMBEDDED, out=str(tmp_path / "whole"), cache_dir=str(tmp_path / "cache"), **config),
                         progress=False)
    monkeypatch.setattr(buildunits, "BLOCK_TOKENS", 500)  # dozens of blocks, speeches split across none
    blocks = build_corpus(BuildConfig(raw=EMBEDDED, out=str(tmp_path / "blocks"), cache_dir=str(tmp_path / "cache"), **config),
                          progress=False, force=True)
    for name in OUTPUTS:
        assert (whole.path / name).read_bytes() == (blocks.path / name).read_bytes(), name


def test_chunk_lines_merges_until_the_minimum_and_joins_a_short_tail():
    numbers = [10, 11, 12, 13, 14]
    assert chunk_lines(numbers, [3, 3, 0, 4, 1], 5) == [(10, 11, 0, 6), (12, 14, 6, 11)]  # tail (1) joins
    assert chunk_lines(numbers, [1, 1, 1, 1, 1], 10) == [(10, 14, 0, 5)]  # never enough: one chunk
    assert chunk_lines(numbers, [5, 0, 0, 0, 0], 5) == [(10, 10, 0, 5)]  # empty trailing lines are not a tail
    assert chunk_lines(numbers, [0, 0, 0, 0, 0], 5) == []


def test_keep_mask_equals_the_per_token_filter():
    tokenizer = Tokenizer("topics/resources/userdict.txt", ["topics/resources/stopwords/general.txt", "topics/resources/stopwords/speech.txt"])
    types = ["计划生育", "的", "，", "2013年", "十二", "十八大", "a", "KB", "⟦YEAR⟧", "同志们", "三查四术", "99.5%", "两孩"]
    for drop in (True, False):
        tokenizer.drop_single_chars = drop
        stopword_ids = [i for i, t in enumerate(types) if t in tokenizer.stopwords_]
        mask = tokenizer.keep_mask(tokenizer.word_flags(types), stopword_ids)
        assert mask.tolist() == [tokenizer._keeps(t) for t in types]


def test_old_token_stores_are_pruned(tmp_path):
    import os
    import time

    for i in range(5):
        (tmp_path / f"store{i}").mkdir()
        os.utime(tmp_path / f"store{i}", (time.time() - 100 + i, time.time() - 100 + i))
    prune_stores(tmp_path, keep=3)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store2", "store3", "store4"]


def test_an_incomplete_token_store_is_rebuilt(tmp_path):
    config = BuildConfig(raw=EMBEDDED, out=str(tmp_path / "c"), cache_dir=str(tmp_path / "cache"))
    first = build_corpus(config, progress=False)
    [store] = (tmp_path / "cache" / "token-stores").iterdir()
    (store / "type_rank.i32").unlink()
    again = build_corpus(config, progress=False, force=True)
    report = json.loads((again.path / "report.json").read_text(encoding="utf-8"))
    assert report["segmentation_cache"]["token_store"] == "new"
    assert (store / "type_rank.i32").is_file()
    assert (again.path / "corpus.mm").read_bytes() == (first.path / "corpus.mm").read_bytes()


def test_the_built_corpus_makes_its_dictionary_on_first_use_equal_to_dictionary_txt(tmp_path):
    import pickle

    config = BuildConfig(raw=EMBEDDED, out=str(tmp_path / "c"), cache_dir=str(tmp_path / "cache"))
    corpus = build_corpus(config, progress=False)
    on_disk = Dictionary.load_from_text(str(tmp_path / "c" / "dictionary.txt"))
    assert corpus.vocabulary_size == len(on_disk)
    again = pickle.loads(pickle.dumps(corpus))  # the lazy dictionary travels (a notebook, a worker)
    for made in (corpus.dictionary, again.dictionary):
        assert made.token2id == on_disk.token2id and made.dfs == on_disk.dfs
        assert made.num_docs == on_disk.num_docs
