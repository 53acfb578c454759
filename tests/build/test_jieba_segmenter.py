"""Tests of topics.build.jieba_segmenter: jieba-rs does the work, but every token must be Python jieba's."""

from __future__ import annotations

from pathlib import Path

import jieba
import pytest
import rjieba

from topics.build.ingest import discover, read_source
from topics.build.jieba_segmenter import Segmenter
from topics.build.tokenize import load_userdict

ROOT = Path(__file__).resolve().parents[2]
USERDICT = load_userdict(ROOT / "topics" / "resources" / "userdict.txt")

# Where jieba-rs alone gives other tokens than jieba: the dictionary total after re-weighting
# known words (培养出来), ASCII runs joined by -_.+#&% (jieba-rs keeps them whole), dict words with
# joiners (C++, AT&T), decimals, percentages, dates, whitespace and mixed scripts.
HARD_LINES = [
    "要把他们培养出来，培养出来的人才逢时逢节回来",
    "Peen_Forming 工艺，arid-hot valleys，tree-grass 系统，SPW-1 型",
    "第1-10条、7-10岁、e-10.626、min-1，21.50KB，2023-04-19 上传",
    "会用C++和C#的AT&T工程师，c++程序，计生率99.5%，增长3.5%以上",
    "P.langbianensis 30mm.Keywords: 计划生育；流动人口 服务\t管理\r\n",
    "  ",
    "",
    "ｆｕｌｌ－ｗｉｄｔｈ　２０２４年，Ⅱ型、①②，“双随机、一公开”——好",
    # jieba-rs joins letters and digits through ._- in its HMM skip splitter; jieba does not
    "www.sina.com.cn报道，x_y-z.w报，1998.10.5日，3..5，a._b，-5%增长，5%%，T-shirt和Wi-Fi网络",
    # characters jieba-rs counts as Han and jieba does not: Extension A, U+9FD6-9FFF, compatibility, plane 2
    "鿖鿗人口，㐀㐁计划生育㐀，中国\uf900\uf901人，\U00020000\U00020001家庭 㛃 与 䶮",
]


def reference(userdict) -> jieba.Tokenizer:
    engine = jieba.Tokenizer()
    engine.initialize()
    for word, freq, tag in userdict:
        engine.add_word(word, freq, tag)
    return engine


@pytest.fixture(scope="module")
def pair():
    return Segmenter(USERDICT), reference(USERDICT)


@pytest.mark.parametrize("line", HARD_LINES)
def test_hard_lines_match_python_jieba(pair, line):
    segmenter, jieba_engine = pair
    assert segmenter.cut(line) == list(jieba_engine.cut(line, cut_all=False, HMM=True))


def test_the_dictionary_total_correction_is_needed(pair):
    """Without it jieba-rs cuts 培养/出来 where jieba with our user dictionary keeps 培养出来."""
    segmenter, jieba_engine = pair
    uncorrected = rjieba.Jieba()
    for word, _, tag in USERDICT:
        uncorrected.add_word(word, jieba_engine.FREQ[word], tag)
    line = "培养出来的人才"
    expected = list(jieba_engine.cut(line, HMM=True))
    assert "培养出来" in expected
    assert uncorrected.cut(line, True) != expected
    assert segmenter.cut(line) == expected


def test_every_line_of_the_embedded_corpus_matches_python_jieba(pair):
    segmenter, jieba_engine = pair
    lines = [line for path, name in discover([str(ROOT / "corpus" / "raw")])
             for line in read_source(path, name).text.split("\n")]
    assert len(lines) > 400
    differing = [line for line in lines if segmenter.cut(line) != list(jieba_engine.cut(line, HMM=True))]
    assert differing == []


def test_words_without_frequency_get_jiebas_suggested_frequency():
    userdict = [("出生人口性别比", None, None), ("三查四术", None, "n")]
    segmenter, jieba_engine = Segmenter(userdict), reference(userdict)
    line = "治理出生人口性别比偏高，落实三查四术"
    assert segmenter.cut(line) == list(jieba_engine.cut(line, HMM=True))
    assert "出生人口性别比" in segmenter.cut(line)


def test_a_user_word_with_joiners_is_cut_by_python_jieba():
    """COVID-19 in the dictionary: jieba-rs's token could be the word or an HMM piece, so jieba decides."""
    userdict = [("COVID-19", 1000, None), ("新冠肺炎", None, None)]
    segmenter, jieba_engine = Segmenter(userdict), reference(userdict)
    for line in ["COVID-19疫情与新冠肺炎，COVID-20样本", "SARS-CoV-2病毒，COVID-19"]:
        assert segmenter.cut(line) == list(jieba_engine.cut(line, HMM=True))
    assert "COVID-19" in segmenter.cut("COVID-19疫情")


def test_force_split_words_use_python_jieba_throughout():
    """A frequency-0 entry changes jieba's HMM globally; jieba-rs cannot follow, so Python jieba does it all."""
    try:
        segmenter = Segmenter([("计划生育", 0, None)])
        assert segmenter.python_only
        line = "做好计划生育工作"
        assert segmenter.cut(line) == list(segmenter.python.cut(line, HMM=True))
        assert "计划生育" not in segmenter.cut(line)
    finally:  # jieba keeps force-split words in a global table: do not leak into other tests
        jieba.finalseg.Force_Split_Words.discard("计划生育")


def test_bench_corpus_sample_matches_python_jieba(pair):
    folder = ROOT.parent / "shared" / "bench-corpus" / "fudan-cn-textclass-9"
    if not folder.is_dir():
        pytest.skip(f"{folder} not found: the bench corpus lives in ../shared beside the checkout")
    segmenter, jieba_engine = pair
    files = discover([str(folder)])[::60]  # ~40 files over all nine classes, with their English abstracts
    lines = [line for path, name in files for line in read_source(path, name).text.split("\n")]
    differing = [line for line in lines if segmenter.cut(line) != list(jieba_engine.cut(line, HMM=True))]
    assert differing == []


def test_jiebas_dictionary_is_not_loaded_unless_needed(pair):
    """With explicit frequencies the state follows from the entries: no 1.5-2 s load per worker."""
    segmenter = Segmenter(USERDICT)
    for line in HARD_LINES:
        segmenter.cut(line)
    assert segmenter.is_word("计划生育") and not segmenter.is_word("计划生") and not segmenter.is_word("\ue000")
    assert segmenter._python is None


def test_the_total_follows_re_weighted_and_repeated_entries():
    """add_word adds each frequency to the total but replaces the word's own: 培养 twice, 出来 re-weighted."""
    userdict = [("培养", 100, None), ("培养", 5000, "v"), ("出来", 90000, None), ("人才逢时", 3, None)]
    segmenter, jieba_engine = Segmenter(userdict), reference(userdict)
    lines = HARD_LINES + ["要把他们培养出来，培养出来的人才逢时逢节回来，出来的人", "出来培养人才"]
    for line in lines:
        assert segmenter.cut(line) == list(jieba_engine.cut(line, HMM=True))
    assert segmenter._python is None


@pytest.mark.parametrize("userdict", [USERDICT, [("培养", 100, None), ("培养", 5000, "v"), ("出来", 90000, None)], []],
                         ids=["packaged", "repeated", "empty"])
def test_jiebas_total_is_computed_exactly_without_loading_jieba(userdict):
    """The excess of jieba's total over its frequencies (what jieba-rs must add) equals jieba's own."""
    from topics.build.jieba_segmenter import _default_excess, _jieba_state

    engine = reference(userdict)
    excess = _jieba_state(userdict)[1] if userdict else _default_excess()
    assert excess == engine.total - sum(engine.FREQ.values())
    assert all(_jieba_state(userdict)[0][word] == engine.FREQ[word] for word, _, _ in userdict)


def test_the_memoised_excess_and_the_default_frequencies_are_those_of_the_dictionary_file():
    """What is memoised per dictionary file (its excess) is what a full pass over the file gives, and
    the frequencies looked up for user words are those of each word's last line."""
    from topics.build.jieba_segmenter import _default_dictionary, _default_frequencies, _dictionary_excess, \
        _default_excess

    text = _default_dictionary()
    assert _default_excess() == _dictionary_excess(text)
    lines = text.splitlines()
    last = {line.partition(" ")[0]: int(line.split(" ")[1]) for line in lines if line.strip()}
    words = [word for word, _, _ in USERDICT] + ["中国", "培养", "计划", "计划生育", "的", "不在词典里的词", "a+b"]
    assert _default_frequencies(words) == {word: last[word] for word in words if word in last}
    assert len(_default_frequencies(words)) > 3 and _default_frequencies([]) == {}
