"""The fast vocabulary / bag-of-words (topics.bow) gives what gensim gives."""

from __future__ import annotations

import random

import pytest
from gensim.corpora import Dictionary, MmCorpus

from topics.bow import doc2bow, write_mm


def small_corpus(seed: int = 3, n_docs: int = 40) -> list[list[str]]:
    rng = random.Random(seed)
    words = [f"词{i}" for i in range(120)] + ["计划生育", "工作", "服务"]
    return [[rng.choice(words) for _ in range(rng.randrange(0, 60))] for _ in range(n_docs)]


def test_doc2bow_and_mm_file_equal_gensim(tmp_path):
    docs = small_corpus(seed=5)
    dictionary = Dictionary(docs)
    dictionary.filter_extremes(no_below=2, no_above=0.9)
    for doc in docs:
        assert doc2bow(doc, dictionary.token2id) == dictionary.doc2bow(doc)
    MmCorpus.serialize(str(tmp_path / "gensim.mm"), (dictionary.doc2bow(d) for d in docs), id2word=dictionary)
    assert write_mm(tmp_path / "ours.mm", (doc2bow(d, dictionary.token2id) for d in docs), len(dictionary))[0] == len(docs)
    assert (tmp_path / "ours.mm").read_bytes() == (tmp_path / "gensim.mm").read_bytes()
    assert list(MmCorpus(str(tmp_path / "ours.mm"))) == list(MmCorpus(str(tmp_path / "gensim.mm")))


def test_save_as_text_equals_gensim(tmp_path):
    from topics.bow import save_as_text

    dictionary = Dictionary(small_corpus(seed=9))
    dictionary.save_as_text(str(tmp_path / "gensim.txt"), sort_by_word=True)
    save_as_text(dictionary, tmp_path / "ours.txt")
    assert (tmp_path / "ours.txt").read_bytes() == (tmp_path / "gensim.txt").read_bytes()


def test_numpy_formatted_rows_equal_python_formatting():
    import numpy as np

    from topics.bow import format_int_rows

    rng = np.random.default_rng(0)
    for top in (1, 9, 10, 999, 10**6, 10**15):  # table lookup for small numbers, digit arithmetic for big ones
        columns = [rng.integers(0, top + 1, 5000) for _ in range(3)]
        columns[0][:3] = [0, top, 10 if top >= 10 else 0]
        expected = "".join(f"{a} {b} {c}\n" for a, b, c in zip(*(c.tolist() for c in columns))).encode()
        assert format_int_rows(columns) == expected
    assert format_int_rows([np.array([], dtype=np.int64)] * 3) == b""
    with pytest.raises(ValueError):
        format_int_rows([np.array([-1])])


def test_rows_written_at_once_equal_rows_written_one_by_one(tmp_path):
    import numpy as np

    from topics.bow import MmWriter

    bows = [[(0, 2), (5, 1)], [], [(1, 1)], [], [(2, 3), (3, 1), (7, 12)]]
    one = MmWriter(tmp_path / "one.mm")
    for bow in bows:
        one.write(bow)
    one.close(num_terms=9)
    many = MmWriter(tmp_path / "many.mm")
    many.write_rows(np.array([2, 0, 1]), np.array([0, 5, 1]), np.array([2, 1, 1]))
    many.write_rows(np.array([0, 3]), np.array([2, 3, 7]), np.array([3, 1, 12]))
    many.close(num_terms=9)
    assert (tmp_path / "one.mm").read_bytes() == (tmp_path / "many.mm").read_bytes()
