"""Scores of one model's topic–word matrix that need no corpus: top words, diversity, exclusivity.

* topic diversity (Dieng, Ruiz & Blei 2020, "Topic modeling in embedding spaces", TACL; OCTIS);
* exclusivity (stm ``exclusivity``: mean over topics of the summed FREX of the top 10 words,
  FREX weight 0.7; Roberts, Stewart & Airoldi 2016; Bischof & Airoldi 2012).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ..common.arrays import sorted_unique
from .word_scores import frex, top_ids

__all__ = ["exclusivity", "top_words", "topic_diversity"]


def top_words(topic_word: np.ndarray, words: Sequence[str], n: int) -> list[list[str]]:
    """The ``n`` most probable words of each topic, best first (ties: smaller word id first)."""
    return [[words[i] for i in ids] for ids in top_ids(topic_word, n)]


def topic_diversity(topic_word: np.ndarray, n: int = 25) -> float:
    """Share of distinct words among all topics' top ``n`` words (1 = no overlap).

    Dieng, Ruiz & Blei (2020); OCTIS ``TopicDiversity``.

    >>> topic_diversity(np.array([[0.5, 0.4, 0.1], [0.4, 0.5, 0.1]]), n=2)
    0.5
    """
    ids = top_ids(topic_word, n)
    return len(sorted_unique(ids)) / ids.size


def exclusivity(topic_word: np.ndarray, n: int = 10, weight: float = 0.7) -> np.ndarray:
    """stm's exclusivity of each topic: the summed FREX score of its ``n`` most probable words.

    Roberts, Stewart & Airoldi (2016); R ``stm::exclusivity`` (M = 10, frexw = 0.7).
    The maximum is ``n`` (every top word fully frequent and exclusive).
    """
    scores = frex(topic_word, weight)
    ids = top_ids(topic_word, n)
    return np.take_along_axis(scores, ids, axis=1).sum(axis=1)
