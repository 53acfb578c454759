"""Tests of topics.build.tokenize: user dictionary, stopwords, filters, markers, fingerprint, determinism."""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from topics.errors import InputFileError
from topics.build.repair import MARKERS
from topics.build.tokenize import Tokenizer, load_stopwords

ROOT = Path(__file__).resolve().parents[2]
USERDICT = ROOT / "topics" / "resources" / "userdict.txt"
STOPWORDS = (ROOT / "topics" / "resources" / "stopwords" / "general.txt", ROOT / "topics" / "resources" / "stopwords" / "speech.txt")
SAMPLE = ("同志们：今年以来，我们进一步加强计划生育工作，依法征收社会抚养费，出生人口性别比逐步下降，"
          "⟦YEAR⟧年全县出生3个，计生率99.5%，这为流动人口服务管理打下了基础。")


@pytest.fixture(scope="module")
def tokenizer():
    return Tokenizer(USERDICT, STOPWORDS)


def test_userdict_terms_stay_whole(tokenizer):
    tokens = tokenizer.cut("全县计划生育工作，征收社会抚养费，治理出生人口性别比偏高，落实三查四术，关爱女孩行动")
    for term in ("计划生育", "社会抚养费", "出生人口性别比", "三查四术", "关爱女孩行动"):
        assert term in tokens


def test_without_userdict_terms_may_split():
    plain = Tokenizer(None, ())
    assert "出生人口性别比" not in plain.cut("治理出生人口性别比偏高")


def test_stopwords_are_removed(tokenizer):
    tokens = tokenizer.tokenize(SAMPLE + "这是他们的任务，为了群众。")
    for word in ("的", "们", "这", "为", "同志们", "进一步", "我们", "工作", "加强", "今年"):
        assert word not in tokens
    assert {"计划生育", "社会抚养费", "出生人口性别比", "流动人口", "群众"} <= set(tokens)


def test_simplified_core_stopwords_are_listed():
    words = load_stopwords(STOPWORDS)
    assert {"的", "们", "这", "为", "了", "和", "是", "在", "也", "就", "都", "而", "及", "与", "着", "等"} <= words
    assert {"同志们", "一是", "二是", "三是", "进一步", "切实", "认真", "工作", "要"} <= words
    assert not any(word.startswith("#") for word in words)


def test_stopword_files_start_with_a_header():
    for path in STOPWORDS:
        assert path.read_text(encoding="utf-8").startswith("#")


def test_no_marker_punctuation_or_number_tokens(tokenizer):
    text = SAMPLE + "".join(MARKERS.values()) + "2013年，第三，二〇一三年，30%，99.5，3个，十二，!?。、……——"
    raw = tokenizer.cut(text)
    assert not any("⟦" in token or "⟧" in token for token in raw)
    assert all(token.strip() == token and token for token in raw)
    tokens = tokenizer.tokenize(text)
    for token in tokens:
        assert any(ch.isalpha() for ch in token), token
        assert not any(ch.isdigit() for ch in token), token
    for number in ("2013", "2013年", "99.5", "30%", "3个", "十二", "YEAR"):
        assert number not in tokens


def test_markers_never_reach_jieba(tokenizer):
    assert tokenizer.cut("⟦ANON⟧同志⟦BLANK⟧") == ["同志"]
    assert tokenizer.cut("⟦YEAR⟧") == []


def test_numerals_inside_words_are_kept():
    tokens = Tokenizer(USERDICT, ()).tokenize("落实三查四术，实行一票否决，全面两孩")
    assert {"三查四术", "一票否决", "全面两孩"} <= set(tokens)


def test_single_characters_dropped_only_when_configured():
    text = "抓好计划生育，人口和计划生育的事"
    assert all(len(token) > 1 for token in Tokenizer(USERDICT, ()).tokenize(text))
    assert "事" in Tokenizer(USERDICT, (), drop_single_chars=False).tokenize(text)


def test_fingerprint_changes_with_userdict_not_stopwords(tmp_path):
    stop = tmp_path / "stop.txt"
    stop.write_text("# test\n计划生育\n", encoding="utf-8")
    base = Tokenizer(USERDICT, STOPWORDS)
    assert Tokenizer(USERDICT, (stop,)).fingerprint == base.fingerprint
    assert Tokenizer(USERDICT, STOPWORDS, drop_single_chars=False).fingerprint == base.fingerprint
    other = tmp_path / "dict.txt"
    other.write_text(USERDICT.read_text(encoding="utf-8") + "人口均衡发展 3000 n\n", encoding="utf-8")
    assert Tokenizer(other, STOPWORDS).fingerprint != base.fingerprint
    assert Tokenizer(None, STOPWORDS).fingerprint != base.fingerprint
    assert len(base.fingerprint) == 64


def test_deterministic_and_picklable(tokenizer):
    first = tokenizer.tokenize(SAMPLE)
    assert Tokenizer(USERDICT, STOPWORDS).tokenize(SAMPLE) == first
    clone = pickle.loads(pickle.dumps(tokenizer))
    assert clone._segmenter is None  # the segmenter is rebuilt lazily, not pickled
    assert clone.tokenize(SAMPLE) == first


def test_same_tokens_in_a_fresh_process(tokenizer):
    code = ("import sys, json; from topics.build.tokenize import Tokenizer; "
            "print(json.dumps([Tokenizer(sys.argv[2], sys.argv[3:]).tokenize(sys.argv[1])]))")
    out = subprocess.run([sys.executable, "-c", code, SAMPLE, str(USERDICT), *map(str, STOPWORDS)],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    assert __import__("json").loads(out.stdout) == [tokenizer.tokenize(SAMPLE)]
    assert "Building prefix dict" not in out.stderr  # jieba's logging is silenced


def test_global_jieba_is_not_touched(tokenizer):
    import jieba

    tokenizer.cut("计划生育")
    assert tokenizer._segmenter.python is not jieba.dt
    assert jieba.dt.FREQ.get("三查四术") is None  # our user dictionary went into the private instance only


def test_missing_stopword_file_is_a_clear_error(tmp_path):
    with pytest.raises(InputFileError, match=r"missing\.txt: cannot read the stopword list"):
        Tokenizer(USERDICT, [tmp_path / "missing.txt"])


def test_bad_userdict_entry_is_a_clear_error(tmp_path):
    path = tmp_path / "dict.txt"
    path.write_text("# header\n计划生育 10 n extra\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"dict\.txt:2: cannot read entry"):
        Tokenizer(path, ())


def test_filter_memo_gives_the_same_decisions_as_a_fresh_tokenizer():
    tokens = Tokenizer(USERDICT, ()).cut(SAMPLE * 2)
    warm = Tokenizer(USERDICT, STOPWORDS)
    first = warm.filter(tokens)
    assert warm.filter(iter(tokens)) == first  # generators too, and from the memo
    assert Tokenizer(USERDICT, STOPWORDS).filter(tokens[::-1]) == first[::-1]
    fresh = Tokenizer(USERDICT, STOPWORDS)
    assert [t for t in tokens if fresh.filter([t])] == first


def test_word_flags_of_many_words_at_once_are_those_of_each_word():
    from topics.build.tokenize import _word_flags

    words = ["人口", "计划生育", "的", "2012", "2.5%", "一千", "第三", "三年", "GDP", "COVID-19", "x", "5",
             "⟦数字⟧", "⟦", "（", "", "Ⅷ", "½", "a1", "１２３", "十八大", "两孩", "——", "e", "ǅ", "ーー", "〇"]
    flags = Tokenizer(None, []).word_flags(words)
    assert flags.dtype == np.uint8 and flags.tolist() == [_word_flags(word) for word in words]
    assert Tokenizer(None, []).word_flags([]).tolist() == []
