"""The bag-of-words and dictionary writers (topics.build.gensim_files) give gensim's bytes."""

from __future__ import annotations

import random

import numpy as np
import pytest
from gensim.corpora import Dictionary, MmCorpus

from topics.build.gensim_files import MmWriter, format_int_rows, write_dictionary_text


def small_corpus(seed: int = 3, n_docs: int = 40) -> list[list[str]]:
    rng = random.Random(seed)
    words = [f"词{i}" for i in range(120)] + ["计划生育", "工作", "服务"]
    return [[rng.choice(words) for _ in range(rng.randrange(0, 60))] for _ in range(n_docs)]


@pytest.mark.parametrize("num_terms", ["dictionary", 0])
def test_rows_written_in_blocks_equal_gensim_serialize(tmp_path, num_terms):
    docs = small_corpus(seed=5)  # some documents are empty
    dictionary = Dictionary(docs)
    dictionary.filter_extremes(no_below=2, no_above=0.9)
    bows = [dictionary.doc2bow(d) for d in docs]
    MmCorpus.serialize(str(tmp_path / "gensim.mm"), bows, id2word=dictionary if num_terms else None)
    writer = MmWriter(tmp_path / "ours.mm")
    for start in range(0, len(bows), 7):  # blocks of 7 documents
        block = bows[start:start + 7]
        writer.write_rows(np.array([len(b) for b in block]), np.array([i for b in block for i, _ in b], dtype=np.int64),
                          np.array([n for b in block for _, n in b], dtype=np.int64))
    assert writer.close(num_terms=len(dictionary) if num_terms else 0)[0] == len(docs)
    assert (tmp_path / "ours.mm").read_bytes() == (tmp_path / "gensim.mm").read_bytes()


def test_dictionary_text_equals_gensim_save_as_text(tmp_path):
    dictionary = Dictionary(small_corpus(seed=9))
    dictionary.save_as_text(str(tmp_path / "gensim.txt"), sort_by_word=True)
    entries = sorted(dictionary.token2id.items())
    write_dictionary_text(tmp_path / "ours.txt", dictionary.num_docs, [i for _, i in entries],
                          [word.encode("utf-8") for word, _ in entries], [dictionary.dfs[i] for _, i in entries])
    assert (tmp_path / "ours.txt").read_bytes() == (tmp_path / "gensim.txt").read_bytes()


def test_numpy_formatted_rows_equal_python_formatting():
    rng = np.random.default_rng(0)
    for top in (1, 9, 10, 999, 10**6, 10**15):  # table lookup for small numbers, digit arithmetic for big ones
        columns = [rng.integers(0, top + 1, 5000) for _ in range(3)]
        columns[0][:3] = [0, top, 10 if top >= 10 else 0]
        expected = "".join(f"{a} {b} {c}\n" for a, b, c in zip(*(c.tolist() for c in columns))).encode()
        assert format_int_rows(columns) == expected
    assert format_int_rows([np.array([], dtype=np.int64)] * 3) == b""
    with pytest.raises(ValueError):
        format_int_rows([np.array([-1])])


def test_dictionary_text_of_varied_words_and_numbers(tmp_path):
    """Words of 1 to 40 bytes (ASCII, Chinese, 4-byte characters) and ids/dfs from 0 to 10^7."""
    rng = np.random.default_rng(3)
    alphabet = list("abc人口计划生育𠀋") + ["0", "9"]
    words = sorted({"".join(rng.choice(alphabet, size=rng.integers(1, 11))) for _ in range(3000)})
    ids = rng.permutation(len(words))
    dfs = rng.integers(0, 10**7, len(words))
    dfs[:5] = [0, 1, 9, 10, 10**7]
    write_dictionary_text(tmp_path / "ours.txt", 42, ids, [w.encode("utf-8") for w in words], dfs)
    expected = "42\n" + "".join(f"{i}\t{w}\t{d}\n" for i, w, d in zip(ids, words, dfs))
    assert (tmp_path / "ours.txt").read_bytes() == expected.encode("utf-8")
    write_dictionary_text(tmp_path / "empty.txt", 0, np.zeros(0, dtype=np.int64), [], np.zeros(0, dtype=np.int64))
    assert (tmp_path / "empty.txt").read_bytes() == b"0\n"
