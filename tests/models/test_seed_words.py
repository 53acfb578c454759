"""Seed words: the shared prior, both engines steered to a planted topic, the outcome table, config errors."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from planted import Planted

from topics.config import ModelConfig, from_mapping
from topics.errors import ConfigError
from topics.experiment.settings import experiment_from_mapping
from topics.experiment.sweep import fit_key
from topics.models import GensimLda, TomotopyLda
from topics.models.seed_words import resolved_eta, seed_prior, seed_word_table, seeded_topic_names

ENGINES = {"tomotopy": (TomotopyLda, ModelConfig(engine="tomotopy", iterations=200)),
           "gensim": (GensimLda, ModelConfig(engine="gensim", passes=20, iterations=100))}
TARGET = 2  # the planted topic the seed words come from (not topic 0, where a seeded topic goes)


@pytest.fixture(scope="module")
def planted() -> Planted:
    return Planted(seed=0)


def test_prior_names_topics_in_sorted_order_and_lists_unknown_words():
    prior = seed_prior({"税收": ["征收"], "enforcement": ["违法生育", "社会抚养费", "罚款"]},
                       ["社会抚养费", "违法生育", "征收"], weight=2.0)
    assert prior.names == ("enforcement", "税收")  # sorted: the order in the file changes nothing
    assert prior.word_ids == ((1, 0), (2,))
    assert prior.unknown == {"enforcement": ("罚款",)}
    eta = prior.eta(3, 3, base=0.25)
    assert eta.tolist() == [[2.0, 2.0, 0.25], [0.25, 0.25, 2.0], [0.25, 0.25, 0.25]]
    assert seeded_topic_names({"b": ["x"], "a": ["y"]}) == ["a", "b"]
    with pytest.raises(ValueError, match="2 seeded topics do not fit in K = 1"):
        prior.eta(1, 3, base=0.25)


def test_resolved_eta():
    assert resolved_eta("symmetric", 4) == 0.25 and resolved_eta(0.01, 4) == 0.01
    with pytest.raises(ValueError, match="seed words need 'symmetric' or a number"):
        resolved_eta("auto", 4)


@pytest.mark.parametrize("engine", ["tomotopy", "gensim"])
def test_seeded_topic_is_the_planted_one(planted, engine):
    cls, base = ENGINES[engine]
    seeds = {"target": tuple(planted.top_block_words(TARGET, 3))}
    unseeded_zero = []
    for seed in (1, 2, 3):
        fitted = cls.fit(planted.bow, planted.words, 4, seed, dataclasses.replace(base, seed_words=seeds))
        cosines = planted.cosines(fitted.topic_word())
        # topic 0 (the one named "target") is planted topic TARGET, and every planted topic is still found
        assert cosines[:, 0].argmax() == TARGET and cosines[TARGET, 0] >= 0.95
        assert planted.matched_cosines(fitted.topic_word()).min() >= 0.95
        table = seed_word_table(fitted.topic_word(), planted.words, seeds)
        assert table.loc[0, ["name", "in_top", "elsewhere", "unknown"]].tolist() == ["target", 3, "", ""]
        unseeded = cls.fit(planted.bow, planted.words, 4, seed, base)
        unseeded_zero.append(int(planted.cosines(unseeded.topic_word())[:, 0].argmax()))
    assert unseeded_zero != [TARGET] * 3  # without seed words topic 0 is whatever the start made it


@pytest.mark.parametrize("engine", ["tomotopy", "gensim"])
def test_data_pull_a_misplaced_seed_word_elsewhere(planted, engine):
    cls, base = ENGINES[engine]
    # the third most probable word of another planted topic (gensim merged the two topics in 1 of 3
    # seeds when the stray seed was that topic's most probable word; tomotopy pulled it away in 3 of 3)
    stray = planted.top_block_words(3, 3)[2]
    seeds = {"target": (*planted.top_block_words(TARGET, 3), stray, "不在词表")}
    fitted = cls.fit(planted.bow, planted.words, 4, 1, dataclasses.replace(base, seed_words=seeds))
    home = planted.cosines(fitted.topic_word())[3].argmax()  # the learned topic that is planted topic 3
    row = seed_word_table(fitted.topic_word(), planted.words, seeds).iloc[0]
    assert row["seeds"] == 5 and row["in_top"] == 3
    assert row["elsewhere"] == f"{stray} → T{home}" and home != 0
    assert row["unknown"] == "不在词表"


def test_gensim_keeps_the_seed_prior(tmp_path, planted):
    seeds = {"target": tuple(planted.top_block_words(TARGET, 3))}
    config = ModelConfig(engine="gensim", passes=2, iterations=20, seed_words=seeds)
    fitted = GensimLda.fit(planted.bow, planted.words, 4, 1, config)
    eta = np.asarray(fitted.lda.eta)
    ids = [planted.words.index(w) for w in seeds["target"]]
    assert eta.shape == (4, len(planted.words)) and (eta[0, ids] == 2.0).all() and (eta[1:, ids] == 0.25).all()
    fitted.save(tmp_path / "m")
    assert np.array_equal(np.load(tmp_path / "m" / "eta.npy", allow_pickle=False), eta)
    again = GensimLda.fit(planted.bow, planted.words, 4, 1, config)
    assert np.array_equal(again.topic_word(), fitted.topic_word())


def test_seed_words_enter_the_fit_key():
    plain = ModelConfig(engine="tomotopy")
    seeded = ModelConfig(engine="tomotopy", seed_words={"a": ("x", "y")})
    reordered = ModelConfig(engine="tomotopy", seed_words={"a": ("y", "x")})
    key = lambda config: fit_key("hash", config, {}, 4, 1)  # noqa: E731
    assert key(plain) != key(seeded) == key(reordered)
    assert key(seeded) != key(dataclasses.replace(seeded, seed_weight=3.0))
    assert key(plain) == key(dataclasses.replace(plain, seed_weight=3.0))  # no seed words: the weight is unused


def test_seed_words_from_toml_mapping():
    config = from_mapping(ModelConfig, {"seed_words": {"enforcement": ["社会抚养费", "违法生育"], "税收": "征收"}},
                          prefix="model")
    assert config.seed_words == {"enforcement": ("社会抚养费", "违法生育"), "税收": ("征收",)}


@pytest.mark.parametrize("mapping, message", [
    ({"seed_words": ["社会抚养费"]}, r"model.seed_words = \['社会抚养费'\] must be a table of topic name = \[words\]"),
    ({"seed_words": {"a": []}}, r"model.seed_words.a = \[\] must be a non-empty list of words"),
    ({"seed_words": {"a": ["x", 3]}}, r"model.seed_words.a = \['x', 3\] must be a non-empty list of words"),
    ({"seed_words": {"a": ["x", "x"]}}, r"model.seed_words.a = \['x', 'x'\] repeats a word"),
    ({"seed_words": {" ": ["x"]}}, r"model.seed_words has an empty topic name"),
    ({"k": [2, 5], "seed_words": {"a": ["x"], "b": ["y"], "c": ["z"]}},
     r"model.seed_words names 3 topics but the smallest K is 2"),
    ({"seed_weight": 0}, r"model.seed_weight = 0.0 is out of range"),
])
def test_seed_word_config_errors(mapping, message):
    with pytest.raises(ConfigError, match=message):
        from_mapping(ModelConfig, mapping, prefix="model")


def test_seed_words_need_a_fixed_eta():
    with pytest.raises(ConfigError, match=r"model.eta = 'auto' cannot be combined with \[model.seed_words\]"):
        experiment_from_mapping({"model": {"engine": "gensim", "eta": "auto", "seed_words": {"a": ["x"]}}})
