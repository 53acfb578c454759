"""Occurrence and co-occurrence counts of words, gathered once per corpus and window type.

gensim's tutorials build one ``CoherenceModel`` per model and per measure, and each one walks the
whole corpus again. Here the counts are gathered once for the union of every model's top words
(:func:`count_cooccurrence`) and every model of a sweep is scored against them
(:mod:`topics.evaluate.coherence`). The numbers are gensim's own (``CoherenceModel(topics=...,
texts=..., dictionary=..., coherence=m, topn=n)``, gensim 4.4) to floating-point rounding; the
test suite checks agreement to 1e-6.

Two details of gensim's counting are reproduced on purpose so that the numbers agree:

* Every window of every text counts towards the number of "documents" (windows), including
  texts without a top word, and a text shorter than the window is one window.
* gensim's sliding window (``WordOccurrenceAccumulator._slide_window``) un-marks a word when one
  of its occurrences leaves the window on the left even if another occurrence of the same word is
  still inside; the word is marked again only when it next enters on the right. Counts are
  therefore slightly below true "windows containing the word" counts. We emulate the same rule
  exactly (see :func:`_marked_intervals`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np
import scipy.sparse as sp

from ..common.arrays import sorted_unique

__all__ = ["CooccurrenceCounts", "count_cooccurrence"]


@dataclass(frozen=True)
class CooccurrenceCounts:
    """Occurrence and co-occurrence counts of a set of words over one window type.

    Attributes
    ----------
    words : the counted words; row/column ``i`` of ``pairs`` is ``words[i]``.
    window : 0 for boolean documents, else the sliding-window size.
    num_windows : number of windows (documents for ``window = 0``) in the corpus.
    pairs : dense ``len(words) × len(words)`` integer matrix; ``pairs[i, j]`` is the number of
        windows in which both words are marked, and the diagonal holds single-word counts.
    """

    words: tuple[str, ...]
    window: int
    num_windows: int
    pairs: np.ndarray

    def index(self, topic: Sequence[str]) -> np.ndarray:
        """Row numbers of ``topic``'s words (all must have been counted)."""
        position = {word: i for i, word in enumerate(self.words)}
        return np.array([position[word] for word in topic], dtype=np.intp)


def count_cooccurrence(texts: Iterable[Sequence[str]], words: Iterable[str], window: int,
                       batch_entries: int = 4_000_000) -> CooccurrenceCounts:
    """Count, in one pass over ``texts``, how often each word and each pair of ``words`` occur.

    Parameters
    ----------
    texts : token lists (the reference corpus, here the modelling units).
    words : the words to count (usually the union of every model's top words).
    window : 0 for boolean documents (u_mass), else the sliding-window size.
    batch_entries : memory bound: window×word marks are multiplied out in batches of this size.

    Examples
    --------
    >>> counts = count_cooccurrence([["a", "b"], ["a", "c"], ["b"]], ["a", "b"], window=0)
    >>> counts.num_windows, counts.pairs.tolist()
    (3, [[2, 1], [1, 2]])
    """
    words = tuple(sorted(set(words)))
    column = {word: i for i, word in enumerate(words)}
    pairs = np.zeros((len(words), len(words)), dtype=np.int64)
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    n_windows = 0      # windows seen so far (rows of the current batch are offset by it)
    batch_start = 0
    pending = 0

    def flush() -> None:
        nonlocal rows, cols, pending, batch_start
        if rows:
            r = np.concatenate(rows) - batch_start
            c = np.concatenate(cols)
            marks = sp.csr_matrix((np.ones(len(r), dtype=np.int64), (r, c)),
                                  shape=(n_windows - batch_start, len(words)))
            pairs[...] += (marks.T @ marks).toarray()
        rows, cols, pending, batch_start = [], [], 0, n_windows

    for text in texts:
        ids = np.fromiter((column.get(token, -1) for token in text), dtype=np.int64, count=len(text))
        if window == 0 or len(text) < window:
            # one window: the whole text (gensim yields short texts whole, even empty ones)
            present = sorted_unique(ids[ids >= 0])
            win, col = np.full(len(present), n_windows, dtype=np.int64), present
            n_windows += 1
        else:
            win, col = _marked_intervals(ids, window)
            win = win + n_windows
            n_windows += len(ids) - window + 1
        rows.append(win)
        cols.append(col)
        pending += len(win)
        if pending >= batch_entries:
            flush()
    flush()
    return CooccurrenceCounts(words=words, window=window, num_windows=n_windows, pairs=pairs)


def _marked_intervals(ids: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """(window number, word column) of every mark gensim's sliding window sets in one text.

    gensim marks the distinct words of the first window, then at each step ``s`` un-marks the
    token that left (position ``s - 1``) and marks the token that entered (``s + window - 1``),
    in that order. So every occurrence at position ``p`` is an "add" event at step
    ``max(0, p - window + 1)`` and a "remove" event at step ``p + 1``; a word is marked in
    window ``s`` when its latest event up to ``s`` is an add (an add beats a remove at the same
    step). Marked stretches are expanded to one entry per (window, word).
    """
    n_steps = len(ids) - window + 1
    positions = np.flatnonzero(ids >= 0)
    word = ids[positions]
    add_step = np.maximum(0, positions - window + 1)
    remove_step = positions + 1
    keep = remove_step < n_steps  # removals after the last window never matter
    ev_word = np.concatenate([word, word[keep]])
    ev_step = np.concatenate([add_step, remove_step[keep]])
    ev_add = np.concatenate([np.ones(len(word), bool), np.zeros(int(keep.sum()), bool)])
    # order by word, then step, then removes before adds; the last event of a step decides
    order = np.lexsort((ev_add, ev_step, ev_word))
    ev_word, ev_step, ev_add = ev_word[order], ev_step[order], ev_add[order]
    last_of_step = np.ones(len(ev_word), bool)
    last_of_step[:-1] = (ev_word[1:] != ev_word[:-1]) | (ev_step[1:] != ev_step[:-1])
    ev_word, ev_step, ev_add = ev_word[last_of_step], ev_step[last_of_step], ev_add[last_of_step]
    # each event's state lasts until the word's next event (or the end of the text)
    end = np.full(len(ev_word), n_steps, dtype=np.int64)
    same_word_next = ev_word[1:] == ev_word[:-1]
    end[:-1][same_word_next] = ev_step[1:][same_word_next]
    start, end, col = ev_step[ev_add], end[ev_add], ev_word[ev_add]
    lengths = end - start
    win = np.repeat(start - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
    return win, np.repeat(col, lengths)
