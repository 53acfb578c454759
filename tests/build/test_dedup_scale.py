"""Duplicate finding that scales: narrow LSH partitions, the signature pre-check, bounded reads,
the on-disk sketch spool — and links that stay those of an exact check of every pair."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest

import topics.build.dedup as dedup
import topics.build.lshensemble as lshensemble
from topics.build.dedup import (SketchSpool, SketchTable, containment, find_duplicates, link_duplicates, shingles,
                                sketch, sketch_shingles)
from topics.build.lshensemble import candidate_pairs, partitions
from test_dedup import _all_pairs_reference as all_pairs_links  # the exact check of every pair, shared


def random_text(rng: random.Random, n: int) -> str:
    return "".join(chr(0x4E00 + rng.randrange(3000)) for _ in range(n))


def sentence_corpus(n_docs: int, seed: int = 0, pool_size: int = 300) -> list[tuple[str, str]]:
    """Documents of 4–14 sentences drawn from one pool (so many pairs share a sentence or two, as
    the synthetic scale corpora do), with planted near-duplicates and previews."""
    rng = random.Random(seed)
    pool = [random_text(rng, rng.randint(15, 40)) + "。" for _ in range(pool_size)]
    texts = ["".join(rng.choice(pool) for _ in range(rng.randint(4, 14))) for _ in range(n_docs)]
    for k in range(0, n_docs // 10):
        source = texts[rng.randrange(len(texts))]
        if k % 2:
            texts.append(source[: max(30, len(source) // rng.randint(3, 8))])  # a preview
        else:
            cut = rng.randrange(len(source))
            texts.append(source[:cut] + "改" + source[cut + 1:] + random_text(rng, rng.randint(0, 20)))
    rng.shuffle(texts)
    return [(f"d{i}", text) for i, text in enumerate(texts)]


def test_partitions_are_narrow_and_cover_every_document():
    rng = np.random.default_rng(0)
    sizes = np.concatenate([rng.integers(100, 900, 500), [20_000, 40, 3]])
    parts = partitions(sizes, num_part=16, max_ratio=1.5)
    assert sorted(np.concatenate(parts).tolist()) == list(range(len(sizes)))
    assert all(sizes[part].max() <= 1.5 * sizes[part].min() for part in parts)
    assert [part.tolist() for part in partitions(sizes, 16, float("inf"))] == [
        part.tolist() for part in np.array_split(np.argsort(sizes, kind="stable"), 16)]  # equi-depth, as before


def test_one_long_document_does_not_make_every_shorter_one_a_candidate(monkeypatch):
    docs = sentence_corpus(400, seed=1)
    outlier = random_text(random.Random(99), 60_000)  # shares nothing, but tops the last partition
    table = SketchTable.of([sketch(text) for _, text in docs] + [sketch(outlier)])
    n = len(docs)

    def among_others(max_ratio: float) -> int:
        monkeypatch.setattr(lshensemble, "partitions", lambda sizes, p: partitions(sizes, p, max_ratio))
        pairs = candidate_pairs(table.signatures, table.sizes, 0.5)
        return int(((pairs[:, 0] < n) & (pairs[:, 1] < n)).sum())

    without = candidate_pairs(table.signatures[:n], table.sizes[:n], 0.5)
    monkeypatch.setattr(lshensemble, "partitions", lambda sizes, p: partitions(sizes, p, float("inf")))
    assert len(without) and among_others(float("inf")) > 2 * len(without)  # the old equi-depth partitions
    assert among_others(lshensemble.MAX_SIZE_RATIO) < 1.5 * len(without)


def test_candidates_are_the_same_whatever_the_block_size(monkeypatch):
    docs = sentence_corpus(300, seed=2)
    table = SketchTable.of([sketch(text) for _, text in docs])
    pairs = candidate_pairs(table.signatures, table.sizes, 0.5)
    monkeypatch.setattr(lshensemble, "BLOCK_PAIRS", 5)
    assert np.array_equal(candidate_pairs(table.signatures, table.sizes, 0.5), pairs)
    assert (pairs[:, 0] < pairs[:, 1]).all() and len(np.unique(pairs, axis=0)) == len(pairs)


@pytest.mark.parametrize("threshold", [0.5, 0.8])
def test_the_signature_check_keeps_every_pair_that_reaches_the_threshold(threshold):
    rng = random.Random(3)
    longs, shorts, ratios = [], [], []
    for k in range(1500):  # texts contained to every degree in others up to 40 times their size
        long_ = random_text(rng, rng.randint(200, 4000))
        ratios.append(rng.choice([1, 1.2, 2, 5, 10, 40]))
        length = max(20, int(len(long_) / ratios[-1]))
        start = rng.randrange(len(long_) - length + 1)
        kept = rng.uniform(0.0, 1.0)  # share of the short text taken from the long one, the rest new
        piece = long_[start:start + int(length * kept)]
        longs.append(long_)
        shorts.append(piece + random_text(rng, length - len(piece)))
    sets = [shingles(text) for text in longs + shorts]
    table = SketchTable.of([sketch_shingles(values) for values in sets])
    pairs = np.array([[k, len(longs) + k] for k in range(len(longs))])
    truth = np.array([containment(*sorted((sets[a], sets[b]), key=len)) for a, b in pairs])
    mask = dedup._may_reach(table.signatures, table.sizes.astype(float), threshold, pairs)
    assert (truth >= threshold).sum() > 250 and mask[truth >= threshold].all()
    # of similar lengths, pairs far below are set aside before any shingle is read (for a short text
    # in a much longer one, a few equal signature values are all its containment would give)
    far_below = (truth < threshold / 4) & (np.array(ratios) <= 2)
    assert far_below.sum() > 80 and mask[far_below].mean() < 0.1


@pytest.mark.parametrize("threshold", [0.5, 0.8])
def test_links_equal_an_exact_check_of_every_pair_when_many_texts_share_sentences(threshold):
    docs = sentence_corpus(260, seed=4)
    links = find_duplicates(docs, threshold)
    assert links == all_pairs_links(docs, threshold)
    assert len(links) >= 12


def test_shingles_are_read_a_bounded_block_at_a_time(monkeypatch):
    docs = sentence_corpus(200, seed=5)
    docs += [(f"copy{i}", docs[i][1]) for i in range(30)]  # identical copies: grouped, read to tell apart
    sets = [shingles(text) for _, text in docs]
    expected = find_duplicates(docs, 0.5)
    asked: list[int] = []

    def shingles_of(wanted):
        asked.append(len(wanted))
        return {i: sets[i] for i in wanted}

    monkeypatch.setattr(dedup, "VERIFY_PAIRS", 4)
    links = link_duplicates([d for d, _ in docs], [sketch_shingles(s) for s in sets], shingles_of, 0.5)
    assert links == expected and len(asked) > 5 and max(asked) <= 2 * 4 + 1


def test_sketch_spool_keeps_sketches_on_disk_and_reads_shingles_back(tmp_path):
    docs = sentence_corpus(120, seed=6) + [("empty", "")]
    texts = tmp_path / "texts.jsonl"
    spool = SketchSpool(tmp_path, texts)
    with open(texts, "wb") as handle:
        for position, (doc_id, text) in enumerate(docs):
            offset = handle.tell()
            handle.write(json.dumps({"doc_id": doc_id, "text": text}, ensure_ascii=False).encode("utf-8") + b"\n")
            values = shingles(text)
            # a worker sends shingles; a file result from the cache does not
            spool.add(sketch_shingles(values), values if position % 3 else None, offset)
    table = spool.table()
    expected = SketchTable.of([sketch(text) for _, text in docs])
    assert np.array_equal(table.sizes, expected.sizes) and np.array_equal(table.signatures, expected.signatures)
    read = spool.shingles_of({0, 1, 2, 57, len(docs) - 1})
    assert all(np.array_equal(read[p], shingles(docs[p][1])) for p in read)
    assert link_duplicates([d for d, _ in docs], table, spool.shingles_of) == find_duplicates(docs)
    spool.remove()
    assert not list(tmp_path.glob("*.tmp"))


def test_a_short_text_in_many_long_ones_is_checked_against_a_bounded_number(monkeypatch):
    rng = random.Random(8)
    short = random_text(rng, 120)
    docs = [("short", short)]
    for i in range(300):  # long texts that each hold a third to two thirds of the short one
        k = rng.randint(40, 80)
        start = rng.randrange(0, 120 - k)
        docs.append((f"long{i}", random_text(rng, 1200) + short[start:start + k] + random_text(rng, 1200)))
    docs.append(("full", random_text(rng, 1000) + short + random_text(rng, 1000)))  # the one that holds it all
    checked: list[int] = []
    check = dedup._checked_pairs

    def counted(pairs, *args):
        checked.append(int((pairs == 0).any(axis=1).sum()))  # pairs with the short text
        return check(pairs, *args)

    monkeypatch.setattr(dedup, "_checked_pairs", counted)
    links = find_duplicates(docs)
    assert links == all_pairs_links(docs) and set(links) == {"short"} and links["short"].duplicate_of == "full"
    assert checked == [dedup.LONG_SHOTS]
    monkeypatch.setattr(dedup, "LONG_SHOTS", 10**9)
    assert find_duplicates(docs) == links and checked[-1] > 200  # without the bound: every candidate
