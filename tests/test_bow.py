"""The fast vocabulary / bag-of-words (topics.bow) gives what gensim gives."""

from __future__ import annotations

import random

from gensim.corpora import Dictionary, MmCorpus

from topics.bow import VocabularyCounter, doc2bow, write_mm


def small_corpus(seed: int = 3, n_docs: int = 40) -> list[list[str]]:
    rng = random.Random(seed)
    words = [f"词{i}" for i in range(120)] + ["计划生育", "工作", "服务"]
    return [[rng.choice(words) for _ in range(rng.randrange(0, 60))] for _ in range(n_docs)]


def test_vocabulary_counter_equals_gensim_add_documents():
    docs = small_corpus()
    expected = Dictionary()
    expected.add_documents(docs)
    counter = VocabularyCounter()
    for doc in docs:
        counter.add(doc)
    got = counter.dictionary()
    assert got.token2id == expected.token2id
    assert got.dfs == expected.dfs and got.cfs == expected.cfs
    assert (got.num_docs, got.num_pos, got.num_nnz) == (expected.num_docs, expected.num_pos, expected.num_nnz)
    expected.filter_extremes(no_below=2, no_above=0.5, keep_n=50)
    got.filter_extremes(no_below=2, no_above=0.5, keep_n=50)
    assert got.token2id == expected.token2id and got.dfs == expected.dfs


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


def test_one_pass_bow_equals_doc2bow_with_the_final_dictionary(tmp_path):
    from topics.bow import MmWriter

    docs = small_corpus(seed=7)
    counter = VocabularyCounter()
    writer = MmWriter(tmp_path / "one_pass.mm")
    for doc in docs:
        writer.write_arrays(*counter.add(doc, bow=True))
    writer.close(num_terms=len(counter.token2id))
    dictionary = Dictionary(docs)  # no filter: ids are final as soon as they are given
    write_mm(tmp_path / "two_pass.mm", (dictionary.doc2bow(d) for d in docs), len(dictionary))
    assert (tmp_path / "one_pass.mm").read_bytes() == (tmp_path / "two_pass.mm").read_bytes()


def test_save_as_text_equals_gensim(tmp_path):
    from topics.bow import save_as_text

    dictionary = Dictionary(small_corpus(seed=9))
    dictionary.save_as_text(str(tmp_path / "gensim.txt"), sort_by_word=True)
    save_as_text(dictionary, tmp_path / "ours.txt")
    assert (tmp_path / "ours.txt").read_bytes() == (tmp_path / "gensim.txt").read_bytes()
