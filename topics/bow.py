"""Vocabulary and bag-of-words of the built corpus: gensim's semantics, plain-Python speed.

gensim's ``Dictionary.add_documents`` + ``doc2bow`` + ``MmCorpus.serialize`` spend most of their
time in per-token Python loops. Here the counting is done with :class:`collections.Counter`
(whose counting loop is in C) and the MatrixMarket file is written directly, so the vocabulary
and the bag-of-words cost about one pass over the tokens each.

The results are the ones gensim would give: :class:`VocabularyCounter` assigns ids as
``Dictionary.add_documents`` does (each document's new words get the next ids, in sorted order)
and returns a real gensim ``Dictionary`` with the same ``token2id``, ``dfs``, ``cfs``,
``num_docs``, ``num_pos`` and ``num_nnz``; :func:`doc2bow` equals ``Dictionary.doc2bow``; and
:func:`write_mm` writes the bytes ``MmCorpus.serialize(path, bows, id2word=dictionary)`` writes.
Everything is deterministic: ids depend only on the order of the documents.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Iterable

import numpy as np
from gensim.corpora import Dictionary

__all__ = ["VocabularyCounter", "MmWriter", "doc2bow", "write_mm", "save_as_text", "write_dictionary_text", "format_int_rows"]

_MM_HEADER = b"%%MatrixMarket matrix coordinate real general\n"  # gensim's MmWriter.HEADER_LINE


class VocabularyCounter:
    """Accumulates documents (token lists) like ``Dictionary.add_documents``; see the module docstring.

    Document and collection frequencies are kept in numpy arrays indexed by id, updated with
    one vectorised step per document.
    """

    def __init__(self) -> None:
        self.token2id: dict[str, int] = {}
        self._dfs = np.zeros(1024, dtype=np.int64)
        self._cfs = np.zeros(1024, dtype=np.int64)
        self.num_docs = 0
        self.num_pos = 0
        self.num_nnz = 0

    def add(self, tokens: list[str], bow: bool = False) -> tuple[np.ndarray, np.ndarray] | None:
        """Count one document; with ``bow``, return its bag-of-words as ``(ids, counts)`` arrays
        sorted by id (ids as they stand now; :meth:`MmWriter.write_arrays` writes them)."""
        counts = Counter(tokens)
        token2id = self.token2id
        new = set(counts).difference(token2id)  # (not keys() - keys(): that walks all of token2id)
        if new:
            for word in sorted(new):
                token2id[word] = len(token2id)
            if len(token2id) > len(self._dfs):
                grow = max(len(token2id), 2 * len(self._dfs)) - len(self._dfs)
                self._dfs = np.concatenate([self._dfs, np.zeros(grow, dtype=np.int64)])
                self._cfs = np.concatenate([self._cfs, np.zeros(grow, dtype=np.int64)])
        ids = np.fromiter(map(token2id.__getitem__, counts), dtype=np.int64, count=len(counts))
        values = np.fromiter(counts.values(), dtype=np.int64, count=len(counts))
        self._dfs[ids] += 1  # ids are distinct within a document
        self._cfs[ids] += values
        self.num_docs += 1
        self.num_pos += len(tokens)
        self.num_nnz += len(counts)
        if bow:
            order = np.argsort(ids)
            return ids[order], values[order]
        return None

    def dictionary(self) -> Dictionary:
        """A gensim ``Dictionary`` holding the counts so far (``filter_extremes`` etc. work on it)."""
        dictionary = Dictionary()
        n = len(self.token2id)
        dictionary.token2id = dict(self.token2id)
        dictionary.dfs = dict(zip(range(n), self._dfs[:n].tolist()))
        dictionary.cfs = dict(zip(range(n), self._cfs[:n].tolist()))
        dictionary.num_docs, dictionary.num_pos, dictionary.num_nnz = self.num_docs, self.num_pos, self.num_nnz
        return dictionary


def doc2bow(tokens: list[str], token2id: dict[str, int]) -> list[tuple[int, int]]:
    """``Dictionary.doc2bow(tokens)``: sorted ``(id, count)`` of the known words."""
    return sorted((token2id[word], n) for word, n in Counter(tokens).items() if word in token2id)


class MmWriter:
    """Writes bag-of-words vectors one by one as gensim's ``MmCorpus.serialize`` does.

    Call :meth:`write` per document (vectors sorted by id, as :func:`doc2bow` returns them),
    then :meth:`close` with the dictionary size (as with ``id2word=dictionary``; 0 falls back
    to the largest id seen + 1, like gensim).
    """

    def __init__(self, path: str | Path):
        self._out = open(path, "wb")
        self._out.write(_MM_HEADER)
        self._out.write(b" " * 50 + b"\n")  # rewritten by close(), once the counts are known
        self.num_docs = self.num_nnz = 0
        self._max_id = -1

    def write(self, bow: list[tuple[int, int]]) -> None:
        """Write the next document: ``(id, count)`` pairs sorted by id."""
        self.num_docs += 1
        if bow:
            line = f"{self.num_docs} %d %d\n"
            self._out.write("".join([line % (i + 1, n) for i, n in bow]).encode("utf-8"))
            self.num_nnz += len(bow)
            self._max_id = max(self._max_id, bow[-1][0])

    def write_arrays(self, ids: np.ndarray, counts: np.ndarray) -> None:
        """Write the next document given as id and count arrays, sorted by id."""
        self.num_docs += 1
        if len(ids):
            line = f"{self.num_docs} %d %d\n"
            self._out.write("".join(map(line.__mod__, zip((ids + 1).tolist(), counts.tolist()))).encode("utf-8"))
            self.num_nnz += len(ids)
            self._max_id = max(self._max_id, int(ids[-1]))

    def write_rows(self, row_nnz: np.ndarray, ids: np.ndarray, counts: np.ndarray) -> None:
        """Write the next ``len(row_nnz)`` documents at once, as CSR arrays (ids sorted within each row).

        Same bytes as :meth:`write` per document; the lines are formatted with numpy.
        """
        n_rows = len(row_nnz)
        if len(ids):
            docs = np.repeat(np.arange(self.num_docs + 1, self.num_docs + n_rows + 1, dtype=np.int64), row_nnz)
            self._out.write(format_int_rows([docs, np.asarray(ids, dtype=np.int64) + 1, np.asarray(counts)]))
            self.num_nnz += len(ids)
            last_ids = np.asarray(ids)[np.cumsum(row_nnz)[row_nnz > 0] - 1]
            self._max_id = max(self._max_id, int(last_ids.max()))
        self.num_docs += n_rows

    def close(self, num_terms: int) -> tuple[int, int]:
        """Finish the file; return (documents, non-zeros)."""
        stats = f"{self.num_docs} {num_terms or self._max_id + 1} {self.num_nnz}"
        if len(stats) > 50:
            raise ValueError("Invalid stats: matrix too large!")
        self._out.seek(len(_MM_HEADER))
        self._out.write(stats.encode("utf-8"))
        self._out.close()
        return self.num_docs, self.num_nnz


def format_int_rows(columns: list[np.ndarray]) -> bytes:
    """``"".join(f"{a} {b} {c}\\n" ...)`` for non-negative integer columns, built with numpy.

    Each column becomes a block of right-aligned ASCII digits whose leading zeros are NUL bytes;
    dropping the NULs leaves exactly the bytes of Python's ``%d`` formatting.
    """
    n = len(columns[0])
    if n == 0:
        return b""
    blocks = []
    for j, column in enumerate(columns):
        values = np.asarray(column, dtype=np.int64)
        top = int(values.max())
        if top < len(values):  # small numbers: format each possible value once, then look them up
            blocks.append(_ascii_digits(np.arange(top + 1, dtype=np.int64))[values])
        else:
            blocks.append(_ascii_digits(values))
        blocks.append(np.full((n, 1), ord("\n" if j == len(columns) - 1 else " "), dtype=np.uint8))
    matrix = np.hstack(blocks)
    return matrix[matrix != 0].tobytes()


def _ascii_digits(values: np.ndarray) -> np.ndarray:
    """``(n, width)`` uint8: each value's decimal digits, right-aligned, leading zeros as NUL."""
    if len(values) and values.min() < 0:
        raise ValueError("format_int_rows: negative value")
    width = len(str(int(values.max()))) if len(values) else 1
    digits = np.empty((len(values), width), dtype=np.uint8)
    for k in range(width):
        power = 10 ** (width - 1 - k)
        digits[:, k] = 48 + (values // power) % 10
        if k < width - 1:  # a leading zero is padding; the last digit always shows
            digits[values < power, k] = 0
    return digits


def write_mm(path: str | Path, bows: Iterable[list[tuple[int, int]]], num_terms: int) -> tuple[int, int]:
    """Write bag-of-words vectors as gensim's ``MmCorpus.serialize`` does; return (documents, non-zeros)."""
    writer = MmWriter(path)
    for bow in bows:
        writer.write(bow)
    return writer.close(num_terms)


def save_as_text(dictionary: Dictionary, path: str | Path) -> None:
    """``dictionary.save_as_text(path, sort_by_word=True)``, written in one go (same bytes)."""
    entries = sorted(dictionary.token2id.items())
    write_dictionary_text(path, dictionary.num_docs, [i for _, i in entries], [word for word, _ in entries],
                          [dictionary.dfs.get(i, 0) for _, i in entries])


def write_dictionary_text(path: str | Path, num_docs: int, ids: list[int], words: list[str], dfs: list[int]) -> None:
    """The bytes of ``Dictionary.save_as_text(sort_by_word=True)`` from its entries, already sorted by word."""
    lines = "".join(map("{}\t{}\t{}\n".format, ids, words, dfs))
    Path(path).write_bytes(f"{num_docs}\n{lines}".encode("utf-8"))
