"""Word scores within topics: relevance and FREX, which words to show for a topic beyond its most probable ones.

The most probable words of a topic are often the corpus's most frequent words (in policy
speeches: 工作, 发展, 建设). Two established re-rankings fix that:

* **relevance** (Sievert & Shirley 2014, "LDAvis: A method for visualizing and interpreting
  topics", ACL workshop): ``λ log φ_kw + (1 − λ) log(φ_kw / p_w)``; λ = 1 is plain probability,
  λ = 0 is lift. Their user study found λ ≈ 0.6 best, our default.
* **FREX** (Roberts, Stewart & Airoldi 2016, "A model of text for experimentation in the social
  sciences", JASA; R ``stm::labelTopics``): the weighted harmonic mean of a word's rank (ECDF)
  within the topic by frequency and by exclusivity ``φ_kw / Σ_j φ_jw``, weight 0.5.
  stm additionally shrinks exclusivity with a James–Stein estimate; we do not.

All functions take a topic–word matrix (K × V, rows sum to 1) and return arrays; the caller maps
word ids to words with the dictionary.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import rankdata


def relevance(topic_word: np.ndarray, word_prob: np.ndarray, lam: float = 0.6) -> np.ndarray:
    """Relevance of every word to every topic (K × V), Sievert & Shirley (2014).

    Parameters
    ----------
    topic_word : K × V topic–word probabilities φ.
    word_prob : V marginal word probabilities p_w in the corpus (term frequency / total).
    lam : weight λ of the topic-specific probability against the lift.

    Examples
    --------
    >>> phi = np.array([[0.5, 0.5], [0.9, 0.1]])
    >>> relevance(phi, np.array([0.7, 0.3]), lam=1.0).round(3).tolist() == np.log(phi).round(3).tolist()
    True
    """
    if not 0.0 <= lam <= 1.0:
        raise ValueError(f"relevance lambda = {lam} must be between 0 and 1")
    with np.errstate(divide="ignore"):
        log_phi = np.log(topic_word)
        log_lift = log_phi - np.log(word_prob)[None, :]
    return lam * log_phi + (1.0 - lam) * log_lift


def frex(topic_word: np.ndarray, weight: float = 0.5) -> np.ndarray:
    """FREX score of every word in every topic (K × V), as in stm's ``calcfrex``.

    Both components are empirical CDFs over the vocabulary (rank / V, ties averaged), so a score
    near 1 means the word is both frequent in the topic and exclusive to it.

    Examples
    --------
    >>> phi = np.array([[0.6, 0.3, 0.1], [0.1, 0.3, 0.6]])
    >>> int(np.argmax(frex(phi)[0]))
    0
    """
    if not 0.0 <= weight <= 1.0:
        raise ValueError(f"FREX weight = {weight} must be between 0 and 1")
    n_words = topic_word.shape[1]
    exclusivity = topic_word / topic_word.sum(axis=0, keepdims=True)
    freq_score = rankdata(topic_word, axis=1) / n_words
    excl_score = rankdata(exclusivity, axis=1) / n_words
    return 1.0 / (weight / excl_score + (1.0 - weight) / freq_score)


def top_ids(scores: np.ndarray, n: int) -> np.ndarray:
    """Column ids of the ``n`` highest scores of each row (K × n), best first.

    Ties are broken by the smaller word id, so the order never depends on the sort algorithm.
    """
    order = np.argsort(-scores, axis=1, kind="stable")
    return order[:, :n]


def word_probabilities(bow, n_words: int) -> np.ndarray:
    """Marginal word probabilities p_w of a bag-of-words corpus (for :func:`relevance`)."""
    counts = np.zeros(n_words, dtype=np.float64)
    for doc in bow:
        for word_id, count in doc:
            counts[word_id] += count
    return counts / counts.sum()


def label_table(topic_word: np.ndarray, words: list[str], word_prob: np.ndarray, n: int = 30,
                lam: float = 0.6, frex_weight: float = 0.5) -> pd.DataFrame:
    """Top ``n`` words of every topic by probability, with their relevance and FREX scores.

    Returns a long table with columns ``topic, rank, word, weight, relevance, frex``
    (``weight`` = φ_kw; rank 1 is the most probable word).
    """
    rel = relevance(topic_word, word_prob, lam)
    fx = frex(topic_word, frex_weight)
    rows = []
    for topic, ids in enumerate(top_ids(topic_word, n)):
        for rank, word_id in enumerate(ids, start=1):
            rows.append((topic, rank, words[word_id], topic_word[topic, word_id],
                         rel[topic, word_id], fx[topic, word_id]))
    return pd.DataFrame(rows, columns=["topic", "rank", "word", "weight", "relevance", "frex"])


def labels(topic_word: np.ndarray, words: list[str], by: str = "frex", n: int = 7,
           word_prob: np.ndarray | None = None, lam: float = 0.6, frex_weight: float = 0.5) -> list[str]:
    """One short label per topic: its top ``n`` words by ``prob``, ``frex`` or ``relevance``.

    >>> phi = np.array([[0.6, 0.3, 0.1], [0.1, 0.3, 0.6]])
    >>> labels(phi, ["人口", "工作", "扶贫"], by="prob", n=2)
    ['人口 工作', '扶贫 工作']
    """
    if by == "prob":
        scores = topic_word
    elif by == "frex":
        scores = frex(topic_word, frex_weight)
    elif by == "relevance":
        if word_prob is None:
            raise ValueError("labels(by='relevance') needs word_prob (see word_probabilities)")
        scores = relevance(topic_word, word_prob, lam)
    else:
        raise ValueError(f"labels: by = {by!r} is not one of 'prob', 'frex', 'relevance'")
    return [" ".join(words[i] for i in ids) for ids in top_ids(scores, n)]


__all__ = ["frex", "label_table", "labels", "relevance", "top_ids", "word_probabilities"]
