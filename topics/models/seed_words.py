"""Seed words: topics a researcher names and steers with a few words each (``[model.seed_words]``).

An experiment may name topics and give each a few words it should be about::

    [model.seed_words]
    enforcement = ["社会抚养费", "违法生育", "征收"]

Both engines read the table as one topic–word prior η (K × V), built here so that they honour
it the same way:

* the seeded topics are topics ``0, 1, …`` in the order of their names (sorted by code point,
  so the order of the lines in the file changes nothing, and a cache key that sorts the table
  means the same fit);
* a seed word ``w`` of the topic ``t`` gets the prior pseudo-count ``seed_weight`` in ``t``
  (η_tw = seed_weight); every other cell keeps the engine's ``eta``.

The prior is soft: it tilts the first sweeps or passes towards the seed words, and the words that
co-occur with them follow; a seed word that the data put elsewhere goes elsewhere, and
:func:`seed_word_table` says so. This is tomotopy's word prior (``LDAModel.set_word_prior``) and
gensim's ``eta`` matrix; compare keyATM's keywords (Eshima, Imai & Sasaki 2024, AJPS), which
give keyword topics a separate keyword distribution, and GuidedLDA's seed confidence (Jagarlamudi,
Daumé & Udupa 2012, "Incorporating lexical priors into topic models", EACL).

Seed words not in the vocabulary (dropped by the build's filters, or never in the corpus) are
listed (:attr:`SeedPrior.unknown`), not fatal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

__all__ = ["SeedPrior", "resolved_eta", "seed_prior", "seed_word_table", "seeded_topic_names"]

#: how many top words of a seeded topic count as "its top words" in :func:`seed_word_table`
TOP_N = 20


def seeded_topic_names(seed_words: Mapping[str, Sequence[str]]) -> list[str]:
    """Names of the seeded topics in topic order: topic ``i`` is named ``names[i]``."""
    return sorted(seed_words)


@dataclass(frozen=True)
class SeedPrior:
    """Seed words matched to a vocabulary.

    Attributes
    ----------
    names : seeded topic names; topic ``i`` is ``names[i]``.
    word_ids : per seeded topic, the ids of its seed words found in the vocabulary (in the order given).
    unknown : per seeded topic, its seed words not in the vocabulary (only topics that have some).
    weight : the prior pseudo-count of a seed word in its own topic.
    """

    names: tuple[str, ...]
    word_ids: tuple[tuple[int, ...], ...]
    unknown: dict[str, tuple[str, ...]]
    weight: float

    def eta(self, k: int, n_words: int, base: float) -> np.ndarray:
        """The K × V topic–word prior: ``base`` everywhere, ``weight`` for each seed word in its topic."""
        if len(self.names) > k:
            raise ValueError(f"{len(self.names)} seeded topics do not fit in K = {k}")
        eta = np.full((k, n_words), float(base), dtype=np.float64)
        for topic, ids in enumerate(self.word_ids):
            eta[topic, list(ids)] = self.weight
        return eta


def seed_prior(seed_words: Mapping[str, Sequence[str]], vocabulary: Sequence[str], weight: float) -> SeedPrior:
    """Match ``seed_words`` (topic name → words) to ``vocabulary`` (word of each id).

    >>> prior = seed_prior({"b": ["x"], "a": ["y", "nope"]}, ["x", "y", "z"], weight=1.0)
    >>> prior.names, prior.word_ids, prior.unknown
    (('a', 'b'), ((1,), (0,)), {'a': ('nope',)})
    >>> prior.eta(3, 3, base=0.1).tolist()
    [[0.1, 1.0, 0.1], [1.0, 0.1, 0.1], [0.1, 0.1, 0.1]]
    """
    index = {word: i for i, word in enumerate(vocabulary)}
    names = seeded_topic_names(seed_words)
    word_ids, unknown = [], {}
    for name in names:
        words = list(seed_words[name])
        word_ids.append(tuple(index[word] for word in words if word in index))
        missing = tuple(word for word in words if word not in index)
        if missing:
            unknown[name] = missing
    return SeedPrior(names=tuple(names), word_ids=tuple(word_ids), unknown=unknown, weight=float(weight))


def resolved_eta(eta: str | float, k: int) -> float:
    """A fixed topic–word prior as a number: ``"symmetric"`` is 1/K (gensim's meaning)."""
    if eta == "symmetric":
        return 1.0 / k
    if isinstance(eta, str):
        raise ValueError(f"eta = {eta!r} is not a fixed prior — seed words need 'symmetric' or a number")
    return float(eta)


def seed_word_table(topic_word: np.ndarray, vocabulary: Sequence[str], seed_words: Mapping[str, Sequence[str]],
                    topn: int = TOP_N) -> pd.DataFrame:
    """How a fitted model honoured the seed words: one row per seeded topic.

    Columns: ``topic``, ``name``, ``seeds`` (how many were given), ``in_top`` (how many are
    among the topic's ``topn`` most probable words), ``top_seeds`` (those words), ``elsewhere``
    (seed words the data pulled to another topic: ``word → T3``, where T3 is the topic in which
    the word is most probable), ``not_in_top`` (seed words that stayed most probable in their own
    topic but below its top ``topn``) and ``unknown`` (seed words not in the vocabulary).

    >>> phi = np.array([[0.5, 0.4, 0.1], [0.1, 0.1, 0.8]])
    >>> table = seed_word_table(phi, ["a", "b", "c"], {"ab": ["a", "c", "zz"]}, topn=2)
    >>> table.loc[0, ["in_top", "top_seeds", "elsewhere", "unknown"]].tolist()
    [1, 'a', 'c → T1', 'zz']
    """
    topic_word = np.asarray(topic_word, dtype=np.float64)
    prior = seed_prior(seed_words, vocabulary, weight=1.0)
    home = topic_word.argmax(axis=0)  # the topic in which each word is most probable
    rows = []
    for topic, (name, ids) in enumerate(zip(prior.names, prior.word_ids)):
        order = np.argsort(-topic_word[topic], kind="stable")[:topn]
        top = set(order.tolist())
        in_top = [i for i in ids if i in top]
        elsewhere = [i for i in ids if i not in top and home[i] != topic]
        weak = [i for i in ids if i not in top and home[i] == topic]
        rows.append({
            "topic": topic, "name": name, "seeds": len(seed_words[name]), "in_top": len(in_top),
            "top_seeds": "、".join(vocabulary[i] for i in in_top),
            "elsewhere": "、".join(f"{vocabulary[i]} → T{int(home[i])}" for i in elsewhere),
            "not_in_top": "、".join(vocabulary[i] for i in weak),
            "unknown": "、".join(prior.unknown.get(name, ())),
        })
    return pd.DataFrame(rows, columns=["topic", "name", "seeds", "in_top", "top_seeds", "elsewhere", "not_in_top",
                                       "unknown"])
