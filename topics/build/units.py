"""Stage 2 of the build: token store → filtered tokens → modelling units → dictionary and bag-of-words.

Works on the integer ids of a :class:`topics.build.tokenstore.TokenStore`, a block of speeches at a
time (memory holds one block and the vocabulary, never the corpus):

1. stopwords and filters: one keep/drop decision per distinct token
   (:meth:`topics.build.tokenize.Tokenizer.keep_mask`), applied to all ids at once;
2. modelling units: whole speeches, or paragraphs merged until a chunk has
   ``chunk_min_tokens`` tokens (a short tail joins the previous chunk), for the speeches in the
   model; written to ``units.csv`` and ``tokens.txt``;
3. the vocabulary, numbered as gensim's ``Dictionary.add_documents`` numbers it (each unit's new
   words get the next ids, in sorted order), with document and collection frequencies;
4. the bag-of-words of each unit (a sparse row), written to ``corpus.mm`` with the bytes
   ``MmCorpus.serialize`` writes — at once when no vocabulary filter is set, else after
   ``filter_extremes`` from the rows kept on disk.

``tests/test_buildunits.py`` checks all of it against gensim and the per-token reference
(:meth:`topics.build.tokenize.Tokenizer.filter`).
"""

from __future__ import annotations

import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

import numpy as np
import scipy.sparse
from gensim.corpora import Dictionary

from .gensim_files import MmWriter, write_dictionary_text
from ..config import BuildConfig
from ..corpus import UNIT_COLUMNS
from .tokenize import Tokenizer
from .records import Speech
from .tokenstore import TokenStore

if TYPE_CHECKING:  # pragma: no cover
    from .log import BuildLog

__all__ = ["BuiltDictionary", "build_units", "chunk_lines"]

BLOCK_TOKENS = 1_000_000  # raw tokens per block of speeches: bounds memory whatever the corpus size
WRITES_AHEAD = 2  # blocks formatted but not yet written, at most


def chunk_lines(line_numbers: list[int], line_counts: list[int], min_tokens: int) -> list[tuple[int, int, int, int]]:
    """Group a speech's lines into paragraph chunks: ``(start_line, end_line, first_token, end_token)``.

    Lines are added until the chunk has ``min_tokens`` tokens; a short tail joins the previous
    chunk (or stands alone if it is the only one). Token positions count the speech's kept tokens.
    """
    chunks: list[list[int]] = []
    current = position = 0
    start = first = None
    for number, count in zip(line_numbers, line_counts):
        if start is None:
            start, first = number, position
        current += count
        position += count
        if current >= min_tokens:
            chunks.append([start, number, first, position])
            current, start = 0, None
    if current:
        if chunks:
            chunks[-1][1], chunks[-1][3] = line_numbers[-1], position
        else:
            chunks.append([start, line_numbers[-1], first, position])
    return [(a, b, c, d) for a, b, c, d in chunks if d > c]


class _Vocabulary:
    """The vocabulary as gensim's Dictionary would number it, with dfs/cfs as arrays by id."""

    def __init__(self, n_types: int, type_rank: np.ndarray):
        self.id_of_type = np.full(n_types, -1, dtype=np.int64)
        self.type_of_id: list[np.ndarray] = []
        self.size = 0
        self.type_rank = type_rank
        # dfs/cfs by id, over-allocated (ids only grow); counts of one block are added to the front
        self._dfs = np.zeros(min(n_types, 1024), dtype=np.int64)
        self._cfs = np.zeros(min(n_types, 1024), dtype=np.int64)
        self._first = np.full(n_types, np.iinfo(np.int64).max, dtype=np.int64)  # scratch, reset after use
        self.num_docs = self.num_pos = self.num_nnz = 0

    @property
    def dfs(self) -> np.ndarray:
        return self._dfs[:self.size]

    @property
    def cfs(self) -> np.ndarray:
        return self._cfs[:self.size]

    def number_new_types(self, types: np.ndarray, unit_of_token: np.ndarray) -> None:
        """Give ids to the types not seen before: by the unit they first occur in, then in sorted order."""
        new = np.flatnonzero(self.id_of_type[types] < 0)
        if not len(new):
            return
        new_tokens = types[new]
        np.minimum.at(self._first, new_tokens, new)  # each new type's first position
        new_types = new_tokens[self._first[new_tokens] == new]  # the tokens at those positions: each type once
        first_unit = unit_of_token[self._first[new_types]]
        self._first[new_types] = np.iinfo(np.int64).max  # work in proportion to the new types, not all types
        ordered = new_types[np.lexsort((self.type_rank[new_types], first_unit))]
        self.id_of_type[ordered] = np.arange(self.size, self.size + len(ordered))
        self.type_of_id.append(ordered)
        self.size += len(ordered)
        if self.size > len(self._dfs):
            grow = max(self.size, 2 * len(self._dfs)) - len(self._dfs)
            self._dfs = np.concatenate([self._dfs, np.zeros(grow, dtype=np.int64)])
            self._cfs = np.concatenate([self._cfs, np.zeros(grow, dtype=np.int64)])

    def count(self, ids: np.ndarray, rows: scipy.sparse.csr_matrix) -> None:
        self._cfs[:self.size] += np.bincount(ids, minlength=self.size)
        self._dfs[:self.size] += np.bincount(rows.indices, minlength=self.size)
        self.num_docs += rows.shape[0]
        self.num_pos += len(ids)
        self.num_nnz += rows.nnz

    def type_of_id_array(self) -> np.ndarray:
        return np.concatenate(self.type_of_id) if self.type_of_id else np.zeros(0, dtype=np.int64)

    def dictionary(self, types: list[str]) -> Dictionary:
        """A gensim Dictionary of the counts (``types``: each type's word)."""
        dictionary = Dictionary()
        words = np.array(types, dtype=object)[self.type_of_id_array()].tolist()
        dictionary.token2id = dict(zip(words, range(len(words))))
        dictionary.dfs = dict(zip(range(len(words)), self.dfs.tolist()))
        dictionary.cfs = dict(zip(range(len(words)), self.cfs.tolist()))
        dictionary.num_docs, dictionary.num_pos, dictionary.num_nnz = self.num_docs, self.num_pos, self.num_nnz
        return dictionary


class BuiltDictionary:
    """The built vocabulary: its size at once, the gensim ``Dictionary`` on first use.

    Making the Dictionary means hashing every word into ``token2id`` (0.24–0.28 s for the bench
    corpus's 205,000 words), which a rebuild does not need: the build reports the size, the models ask for the
    Dictionary (``BuiltCorpus.dictionary``).
    """

    def __init__(self, size: int, make: Callable[[], Dictionary] | None = None, dictionary: Dictionary | None = None):
        self.size = size
        self._make = make  # a partial, not a lambda: a corpus holding this can be pickled
        self._dictionary = dictionary

    def __len__(self) -> int:
        return self.size

    def load(self) -> Dictionary:
        if self._dictionary is None:
            assert self._make is not None
            self._dictionary, self._make = self._make(), None
        return self._dictionary


class _TokenLines:
    """Lines of space-separated tokens (tokens.txt) from type ids, joined as UTF-8 bytes."""

    def __init__(self, type_bytes: list[bytes]):
        self.words = np.empty(len(type_bytes), dtype=object)
        self.words[:] = type_bytes

    def lines(self, types: np.ndarray, indptr: np.ndarray) -> bytes:
        """One line per unit: unit i holds ``types[indptr[i]:indptr[i + 1]]``."""
        words = self.words[types].tolist()
        bounds = indptr.tolist()
        return b"".join(b" ".join(words[a:b]) + b"\n" for a, b in zip(bounds, bounds[1:]))


def _vocabulary_filter(config: BuildConfig) -> bool:
    return config.no_below > 1 or config.no_above < 1.0 or bool(config.keep_n)


def _speech_blocks(line_starts: np.ndarray, token_starts: np.ndarray) -> Iterator[tuple[int, int]]:
    """Consecutive speeches ``[first, end)`` with about BLOCK_TOKENS raw tokens each
    (``line_starts``: first line of each speech, then the end; ``token_starts``: the same per line)."""
    speech_tokens = token_starts[line_starts]
    first = 0
    n = len(line_starts) - 1
    while first < n:
        end = int(np.searchsorted(speech_tokens, speech_tokens[first] + BLOCK_TOKENS, side="right")) - 1
        end = min(max(end, first + 1), n)
        yield first, end
        first = end


def build_units(config: BuildConfig, store: TokenStore, speeches: list[Speech], tokenizer: Tokenizer,
                workdir: Path, log: "BuildLog") -> BuiltDictionary:
    """Write units.csv, tokens.txt, dictionary.txt and corpus.mm; set each speech's counts.

    ``speeches`` are the rows of ``store`` (same order) with ``in_model`` already decided; this
    sets ``n_tokens`` (kept tokens of every speech) and ``n_units``, and takes a speech out of
    the model when no token of it is left.
    """
    t0 = time.perf_counter()
    keep = tokenizer.keep_mask(store.word_flags, store.ids_of(tokenizer.stopwords_))
    vocabulary = _Vocabulary(len(store.types), store.type_rank)
    one_pass = not _vocabulary_filter(config)
    bow = MmWriter(workdir / "corpus.mm") if one_pass else None
    pending_rows = workdir / "rows.tmp"  # (row nnz, ids, counts) blocks for the second pass
    line_starts = np.concatenate([[0], np.cumsum(store.speech_lines, dtype=np.int64)])
    token_starts = np.concatenate([[0], np.cumsum(store.line_lengths, dtype=np.int64)])
    token_lines = _TokenLines(store.type_bytes)
    # One writer thread formats and writes tokens.txt, units.csv and corpus.mm, block by block and
    # in order, while this thread goes on with the next block and the dictionary: joining
    # strings holds the GIL, but numpy (sorting, formatting the MatrixMarket rows) releases it,
    # so on 2 cores the two overlap. At most WRITES_AHEAD blocks wait for the writer: when it is the
    # slower one, the blocks would otherwise pile up in memory (3-4 MB each, 40 blocks at 10^5 speeches).
    writer = ThreadPoolExecutor(max_workers=1)
    writes: deque = deque()
    with open(workdir / "tokens.txt", "wb") as tokens_out, \
            open(workdir / "units.csv", "w", encoding="utf-8", newline="\n") as units_out, \
            open(pending_rows, "wb") as pending:
        try:
            units_out.write(",".join(UNIT_COLUMNS) + "\n")
            for first, end in _speech_blocks(line_starts, token_starts):
                units, unit_types, indptr, lengths = _block_units(config, store, speeches, keep, first, end,
                                                                  line_starts, token_starts)
                if not units:
                    continue
                while len(writes) > WRITES_AHEAD:
                    for write in writes.popleft():
                        write.result()
                unit_lines = "".join(f"{speeches[s].doc_id}/{chunk},{speeches[s].doc_id},{chunk},{a},{b},{f1 - f0}\n"
                                     for s, chunk, a, b, f0, f1 in units)
                writes.append([writer.submit(_write_text, tokens_out, units_out, token_lines, unit_types, indptr,
                                             unit_lines)])  # this block's writes
                vocabulary.number_new_types(unit_types, np.repeat(np.arange(len(units)), lengths))
                ids = vocabulary.id_of_type[unit_types]
                rows = scipy.sparse.csr_matrix((np.ones(len(ids), dtype=np.int64), ids, indptr),
                                               shape=(len(units), vocabulary.size))
                # the bag-of-words: each row's ids sorted, repeats counted. Two transposes sort
                # every row in linear time (a counting sort), 5x faster than sorting row by row
                rows = rows.tocsc().tocsr()
                rows.sum_duplicates()
                vocabulary.count(ids, rows)
                row_nnz = np.diff(rows.indptr)
                if bow is not None:
                    writes[-1].append(writer.submit(bow.write_rows, row_nnz, rows.indices, rows.data))
                else:
                    for array in (np.array([len(units), rows.nnz], dtype=np.int64), row_nnz.astype(np.int64),
                                  rows.indices.astype(np.int64), rows.data.astype(np.int64)):
                        array.tofile(pending)
            for row in speeches:
                if row.in_model and not row.n_units:
                    row.in_model = False
                    log.notes.append(f"{row.doc_id}: no tokens left after filtering; left out of the model")
            log.timings["units"] = round(time.perf_counter() - t0, 3)
            t0 = time.perf_counter()
        finally:  # the writer thread is done before the files close, whatever happened
            writer.shutdown(wait=True)
    for block in writes:
        for write in block:
            write.result()  # raise here what failed in the writer thread

    size_before = vocabulary.size
    type_of_id, dfs = vocabulary.type_of_id_array(), vocabulary.dfs
    if bow is not None:
        bow.close(num_terms=vocabulary.size)
        built = BuiltDictionary(vocabulary.size, partial(vocabulary.dictionary, store.types))
    else:
        dictionary = vocabulary.dictionary(store.types)
        old_ids = dict(dictionary.token2id)
        dictionary.filter_extremes(no_below=config.no_below, no_above=config.no_above, keep_n=config.keep_n or None)
        new_of_old = np.full(size_before + 1, -1, dtype=np.int64)  # compactify keeps the old order
        kept_old = np.array([old_ids[word] for word in dictionary.token2id], dtype=np.int64)
        new_of_old[kept_old] = np.array(list(dictionary.token2id.values()), dtype=np.int64)
        _write_filtered_rows(pending_rows, new_of_old, workdir / "corpus.mm", len(dictionary))
        type_of_id, dfs = type_of_id[np.sort(kept_old)], vocabulary.dfs[np.sort(kept_old)]
        built = BuiltDictionary(len(dictionary), dictionary=dictionary)
    pending_rows.unlink()
    ids_by_word = np.argsort(store.type_rank[type_of_id], kind="stable")  # type ranks are the words' sorted order
    log.notes.append(f"vocabulary: kept {len(built):,} of {size_before:,} words "
                     f"(no_below={config.no_below}, no_above={config.no_above}, keep_n={config.keep_n or 'all'})")
    type_bytes = store.type_bytes
    write_dictionary_text(workdir / "dictionary.txt", vocabulary.num_docs, ids_by_word,
                          [type_bytes[i] for i in type_of_id[ids_by_word].tolist()], dfs[ids_by_word])
    log.timings["dictionary_bow"] = round(time.perf_counter() - t0, 3)
    return built


def _block_units(config: BuildConfig, store: TokenStore, speeches: list[Speech], keep: np.ndarray,
                 first: int, end: int, line_starts: np.ndarray, token_starts: np.ndarray):
    """The units of speeches ``[first, end)``: ``(units, unit_types, indptr, lengths)``.

    ``units`` are ``(row, chunk, start_line, end_line, first_token, end_token)``; unit i's kept token
    types are ``unit_types[indptr[i]:indptr[i + 1]]``. Sets each speech's ``n_tokens`` and ``n_units``.
    """
    l0, l1 = int(line_starts[first]), int(line_starts[end])
    t_first = int(token_starts[l0])
    raw = store.read_ids(t_first, int(token_starts[l1]))
    kept = keep[raw]
    kept_before = np.concatenate([[0], np.cumsum(kept, dtype=np.int64)])  # kept tokens before each raw token
    line_kept_start = kept_before[token_starts[l0:l1 + 1] - t_first]
    line_counts = np.diff(line_kept_start).tolist()
    filtered = raw[kept]
    units = []
    for s in range(first, end):
        row = speeches[s]
        a, b = int(line_starts[s]) - l0, int(line_starts[s + 1]) - l0
        counts = line_counts[a:b]
        row.n_tokens = sum(counts)
        if not row.in_model or not row.n_tokens:
            continue
        offset = int(line_kept_start[a])
        if config.unit == "speech":
            spans = [(int(store.line_numbers[l0 + a]), int(store.line_numbers[l0 + b - 1]), 0, row.n_tokens)]
        else:
            spans = chunk_lines(store.line_numbers[l0 + a:l0 + b].tolist(), counts, config.chunk_min_tokens)
        for chunk, (start_line, end_line, f0, f1) in enumerate(spans):
            units.append((s, chunk, start_line, end_line, offset + f0, offset + f1))
        row.n_units = len(spans)
    starts = np.array([u[4] for u in units], dtype=np.int64)
    lengths = np.array([u[5] - u[4] for u in units], dtype=np.int64)
    indptr = np.concatenate([[0], np.cumsum(lengths)])
    positions = np.arange(indptr[-1]) - np.repeat(indptr[:-1] - starts, lengths)
    return units, filtered[positions], indptr, lengths


def _write_text(tokens_out, units_out, token_lines: _TokenLines, unit_types: np.ndarray, indptr: np.ndarray,
                unit_lines: str) -> None:
    tokens_out.write(token_lines.lines(unit_types, indptr))
    units_out.write(unit_lines)


def _write_filtered_rows(pending: Path, new_of_old: np.ndarray, path: Path, num_terms: int) -> None:
    """Second pass: the stored bag-of-words rows with the filtered dictionary's ids, block by block."""
    bow = MmWriter(path)
    with open(pending, "rb") as handle:
        while True:
            header = np.fromfile(handle, dtype=np.int64, count=2)
            if len(header) < 2:
                break
            n_rows, nnz = int(header[0]), int(header[1])
            row_nnz = np.fromfile(handle, dtype=np.int64, count=n_rows)
            ids = np.fromfile(handle, dtype=np.int64, count=nnz)
            counts = np.fromfile(handle, dtype=np.int64, count=nnz)
            new_ids = new_of_old[ids]
            present = new_ids >= 0
            row_of = np.repeat(np.arange(n_rows), row_nnz)
            bow.write_rows(np.bincount(row_of[present], minlength=n_rows), new_ids[present], counts[present])
    bow.close(num_terms=num_terms)
