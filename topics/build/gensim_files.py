"""Writing the built corpus' bag-of-words and dictionary files with gensim's exact bytes, fast.

gensim's ``MmCorpus.serialize`` and ``Dictionary.save_as_text`` format one Python string per
entry. Here :meth:`MmWriter.write_rows` takes a block of sparse rows (CSR arrays, as stage 2 of
the build computes them, see :mod:`topics.build.units`) and formats all its lines with numpy
(:func:`format_int_rows`); :func:`write_dictionary_text` writes the dictionary from entries
already in word order. ``tests/test_bow.py`` compares the bytes with gensim's.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

__all__ = ["MmWriter", "write_dictionary_text", "format_int_rows"]

_MM_HEADER = b"%%MatrixMarket matrix coordinate real general\n"  # gensim's MmWriter.HEADER_LINE


class MmWriter:
    """Writes bag-of-words rows as gensim's ``MmCorpus.serialize`` does.

    Call :meth:`write_rows` per block of documents, then :meth:`close` with the dictionary size
    (as with ``id2word=dictionary``; 0 falls back to the largest id seen + 1, like gensim).
    """

    def __init__(self, path: str | Path):
        self._out = open(path, "wb")
        self._out.write(_MM_HEADER)
        self._out.write(b" " * 50 + b"\n")  # rewritten by close(), once the counts are known
        self.num_docs = self.num_nnz = 0
        self._max_id = -1

    def write_rows(self, row_nnz: np.ndarray, ids: np.ndarray, counts: np.ndarray) -> None:
        """Write the next ``len(row_nnz)`` documents at once, as CSR arrays (ids sorted within each row).

        The lines are formatted with numpy (:func:`format_int_rows`).
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
        if values.min() < 0:
            raise ValueError("format_int_rows: negative value")
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
    width = len(str(int(values.max()))) if len(values) else 1
    digits = np.empty((len(values), width), dtype=np.uint8)
    for k in range(width):
        power = 10 ** (width - 1 - k)
        digits[:, k] = 48 + (values // power) % 10
        if k < width - 1:  # a leading zero is padding; the last digit always shows
            digits[values < power, k] = 0
    return digits


def write_dictionary_text(path: str | Path, num_docs: int, ids: np.ndarray, words: list[bytes], dfs: np.ndarray) -> None:
    """The bytes of ``Dictionary.save_as_text(sort_by_word=True)`` from its entries, already sorted by
    word (``words`` UTF-8 encoded): lines ``id<TAB>word<TAB>df``, assembled with numpy.

    Each line's pieces are scattered to their places in one buffer: the numbers' digits (right-
    aligned with NUL padding, :func:`_ascii_digits`) shifted left by their padding, the words'
    bytes copied range by range.
    """
    ids, dfs = np.asarray(ids, dtype=np.int64), np.asarray(dfs, dtype=np.int64)
    head = b"%d\n" % num_docs
    if not len(ids):
        Path(path).write_bytes(head)
        return
    word_lengths = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
    word_bytes = np.frombuffer(b"".join(words), dtype=np.uint8)
    id_digits, df_digits = _ascii_digits(ids), _ascii_digits(dfs)
    id_widths, df_widths = ((digits != 0).sum(axis=1) for digits in (id_digits, df_digits))
    line_lengths = id_widths + 1 + word_lengths + 1 + df_widths + 1
    line_starts = np.concatenate([[0], np.cumsum(line_lengths)[:-1]])
    out = np.empty(int(line_lengths.sum()), dtype=np.uint8)
    _scatter_digits(out, id_digits, line_starts)
    word_starts = line_starts + id_widths + 1
    out[word_starts - 1] = ord("\t")
    word_offsets = np.concatenate([[0], np.cumsum(word_lengths)[:-1]])
    shift = np.repeat(word_starts - word_offsets, word_lengths)  # destination - source, per byte
    out[np.arange(len(word_bytes)) + shift] = word_bytes
    df_starts = word_starts + word_lengths + 1
    out[df_starts - 1] = ord("\t")
    _scatter_digits(out, df_digits, df_starts)
    out[df_starts + df_widths] = ord("\n")
    Path(path).write_bytes(head + out.tobytes())


def _scatter_digits(out: np.ndarray, digits: np.ndarray, starts: np.ndarray) -> None:
    """Write each row's digits (:func:`_ascii_digits`, NUL-padded on the left) at ``out[starts[i]:]``."""
    rows, columns = np.nonzero(digits)
    padding = digits.shape[1] - (digits != 0).sum(axis=1)
    out[starts[rows] + columns - padding[rows]] = digits[rows, columns]
