"""The build's token store: every speech's raw jieba tokens as integer ids, line by line.

Stage 1 of the build (reading, cleaning, segmenting; see :mod:`topics.build.pipeline`) ends in a token
store; stage 2 (stopwords and filters, modelling units, vocabulary, bag-of-words; see
:mod:`topics.build.units`) works on it with numpy, never on one Python string per token. The
store lives in the build cache, keyed by everything stage 1 depends on, so a rebuild after
changing only stopwords, filters, units or vocabulary settings goes straight to stage 2.

Files of a store (a folder):

- ``types.txt``: the distinct raw tokens, one per line, in order of first appearance (id = line);
- ``ids.i32``: the token ids of every speech in corpus order (int32, read a block at a time);
- ``line_lengths.i32``, ``line_numbers.i32``: per text line, its number of tokens and its line
  number in the source file;
- ``speech_lines.i32``: per speech, its number of lines;
- ``word_flags.u8``: per type, what the token filters need besides the stopwords
  (:meth:`topics.build.tokenize.Tokenizer.word_flags`);
- ``type_rank.i32``: per type, its position in sorted (code point) order, which gensim's
  dictionary uses to number the new words of a document;
- ``texts.jsonl``: the speeches' clean texts (copied into the built corpus as is);
- ``speeches.jsonl``: the speech rows, one JSON object a line (read back one at a time);
- ``log.json``: the stage-1 build log (removals, repairs, duplicates, …).

A speech's tokens reach the store as :class:`EncodedTokens` (file-local ids, computed in the
worker processes), so the main process maps only each file's distinct tokens, not every token.
"""

from __future__ import annotations

import os
import json
import shutil
import time
from dataclasses import dataclass
from itertools import chain, repeat
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import numpy as np

from ..common.outputs import remove_stale_temporaries

from ..common.checksums import mismatches, write_sums

__all__ = ["EncodedTokens", "encode_lines", "TokenStoreWriter", "TokenStore", "prune_stores",
           "remove_stale_stores"]

_FILES = ("types.txt", "ids.i32", "line_lengths.i32", "line_numbers.i32", "speech_lines.i32", "word_flags.u8",
          "type_rank.i32", "texts.jsonl", "speeches.jsonl", "log.json")


@dataclass
class EncodedTokens:
    """A speech's raw tokens: ``types[ids[i]]`` is token i; ``line_lengths[j]`` tokens are on line j."""

    types: list[str]
    ids: np.ndarray  # int32
    line_lengths: np.ndarray  # int32


def encode_lines(lines: list[list[str]]) -> EncodedTokens:
    """Encode a speech's tokens, line by line, with speech-local ids (types in order of first use)."""
    tokens = list(chain.from_iterable(lines))
    types = list(dict.fromkeys(tokens))
    index = dict(zip(types, range(len(types))))
    return EncodedTokens(types, np.fromiter(map(index.__getitem__, tokens), dtype=np.int32, count=len(tokens)),
                         np.fromiter(map(len, lines), dtype=np.int32, count=len(lines)))


class TokenStoreWriter:
    """Writes a token store into ``folder`` speech by speech; :meth:`close` finishes it.

    Everything per speech goes to its file as it comes (ids, line lengths and numbers, texts, and
    each new type with its filter flags): memory holds the vocabulary, not the corpus, and what is
    left for :meth:`close` — after the last file, when the worker processes are done and only this
    process works — is small.

    ``word_flags`` computes the per-type filter flags (:meth:`topics.build.tokenize.Tokenizer.word_flags`).
    """

    def __init__(self, folder: Path, word_flags: Callable[[list[str]], np.ndarray]):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.type_ids: dict[str, int] = {}
        self._word_flags = word_flags
        self._files = {name: open(self.folder / name, "wb") for name in
                       ("ids.i32", "line_lengths.i32", "line_numbers.i32", "speech_lines.i32", "texts.jsonl",
                        "types.txt", "word_flags.u8")}
        self._text_end = 0

    def add(self, tokens: EncodedTokens, line_numbers: list[int]) -> None:
        """Append the next speech (corpus order): its tokens and the source line number of each line."""
        if len(line_numbers) != len(tokens.line_lengths):
            raise ValueError("one line number per line of tokens")
        type_ids = self.type_ids
        local = np.fromiter(map(type_ids.get, tokens.types, repeat(-1)), dtype=np.int64, count=len(tokens.types))
        new = np.flatnonzero(local < 0).tolist()
        if new:  # words not seen before get the next ids
            words = [tokens.types[i] for i in new]
            local[new] = np.arange(len(type_ids), len(type_ids) + len(new))
            type_ids.update(zip(words, local[new].tolist()))
            # tokens never hold whitespace (Tokenizer.cut splits on it), so one per line is safe
            self._files["types.txt"].write("".join(word + "\n" for word in words).encode("utf-8"))
            self._files["word_flags.u8"].write(np.asarray(self._word_flags(words), dtype=np.uint8).tobytes())
        local = local.astype(np.int32)
        self._files["ids.i32"].write(local[tokens.ids].tobytes() if len(tokens.ids) else b"")
        self._files["line_lengths.i32"].write(np.asarray(tokens.line_lengths, dtype=np.int32).tobytes())
        self._files["line_numbers.i32"].write(np.asarray(line_numbers, dtype=np.int32).tobytes())
        self._files["speech_lines.i32"].write(np.int32(len(line_numbers)).tobytes())

    def add_text(self, line: str) -> int:
        """Append a speech's line of ``texts.jsonl`` (without its newline); returns where it starts."""
        start = self._text_end
        data = line.encode("utf-8") + b"\n"
        self._files["texts.jsonl"].write(data)
        self._text_end += len(data)
        return start

    def flush_texts(self) -> None:
        """Make the texts written so far readable from the file."""
        self._files["texts.jsonl"].flush()

    def close(self, speech_lines: Iterable[str], log_state: dict[str, Any]) -> None:
        """Finish the store: ``speech_lines`` are the speech rows as JSON lines (streamed into
        ``speeches.jsonl``)."""
        for handle in self._files.values():
            handle.close()
        types = list(self.type_ids)
        rank = np.empty(len(types), dtype=np.int32)
        rank[np.asarray(sorted(range(len(types)), key=types.__getitem__), dtype=np.int64)] = np.arange(len(types))
        rank.tofile(self.folder / "type_rank.i32")
        with open(self.folder / "speeches.jsonl", "w", encoding="utf-8", newline="\n") as handle:
            handle.writelines(speech_lines)
        (self.folder / "log.json").write_text(json.dumps(log_state, ensure_ascii=False), encoding="utf-8")
        write_sums(self.folder, _FILES)  # checked before the store is used again

    def abort(self) -> None:
        for handle in self._files.values():
            handle.close()


class TokenStore:
    """A finished token store, read back: the vocabulary and per-line arrays at once, token ids a
    block at a time (:meth:`read_ids`) and speech rows one at a time (:meth:`speech_rows`)."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        encoded = (self.folder / "types.txt").read_bytes()
        self.type_bytes: list[bytes] = encoded.split(b"\n")[:-1]  # UTF-8, for writing tokens.txt
        self.types: list[str] = encoded.decode("utf-8").split("\n")[:-1]
        self.line_lengths = np.fromfile(self.folder / "line_lengths.i32", dtype=np.int32)
        self.line_numbers = np.fromfile(self.folder / "line_numbers.i32", dtype=np.int32)
        self.speech_lines = np.fromfile(self.folder / "speech_lines.i32", dtype=np.int32)
        self.word_flags = np.fromfile(self.folder / "word_flags.u8", dtype=np.uint8)
        self.type_rank = np.fromfile(self.folder / "type_rank.i32", dtype=np.int32)
        self.log_state: dict[str, Any] = json.loads((self.folder / "log.json").read_text(encoding="utf-8"))
        os.utime(self.folder)  # most recently used: kept by prune_stores

    def ids_of(self, words: Iterable[str]) -> np.ndarray:
        """The ids of those ``words`` that are in the store, found by binary search in the types'
        sorted order (``type_rank``): no hash table of the whole vocabulary is built."""
        by_rank = np.empty(len(self.type_rank), dtype=np.int64)
        by_rank[self.type_rank] = np.arange(len(self.type_rank))
        ordered = np.array(self.types, dtype=object)[by_rank]
        wanted = np.array(sorted(words), dtype=object)
        if not len(wanted) or not len(ordered):
            return np.zeros(0, dtype=np.int64)
        at = np.minimum(np.searchsorted(ordered, wanted), len(ordered) - 1)
        return by_rank[at[ordered[at] == wanted]]

    def read_ids(self, start: int, end: int) -> np.ndarray:
        """Token ids ``start:end`` of the whole store (int32). Read from the file, not memory-mapped:
        the pages of a mapping stay in the process's resident memory, the whole store by the end."""
        return np.fromfile(self.folder / "ids.i32", dtype=np.int32, count=max(end - start, 0), offset=4 * start)

    def speech_rows(self) -> Iterator[dict[str, Any]]:
        """The speech rows in corpus order, one at a time."""
        with open(self.folder / "speeches.jsonl", encoding="utf-8") as handle:
            for line in handle:
                yield json.loads(line)

    @staticmethod
    def is_complete(folder: Path) -> bool:
        """Every file there (a store being written is not complete yet)."""
        return all((Path(folder) / name).is_file() for name in _FILES)

    @staticmethod
    def is_intact(folder: Path) -> bool:
        """Complete, and every file matches the sha256 recorded when the store was written."""
        return TokenStore.is_complete(folder) and not mismatches(folder, _FILES)


def prune_stores(parent: Path, keep: int = 3) -> None:
    """Delete all but the ``keep`` most recently used token stores under ``parent``."""
    if not parent.is_dir():
        return
    stores = sorted((p for p in parent.iterdir() if p.is_dir() and not p.name.startswith(".")),
                    key=lambda p: p.stat().st_mtime, reverse=True)
    for old in stores[keep:]:
        shutil.rmtree(old, ignore_errors=True)
    remove_stale_stores(parent)


def remove_stale_stores(parent: Path) -> None:
    """Remove the stores being built (``.KEY.PID.*.tmp``) by processes that are gone (a killed
    build), and any such folder older than a day (its process id may have been reused)."""
    if not parent.is_dir():
        return
    for stale in parent.glob(".*.tmp"):
        remove_stale_temporaries(parent, stale.name[1:].split(".", 1)[0])  # the process is gone
        if stale.exists() and time.time() - stale.stat().st_mtime > 86400:
            shutil.rmtree(stale, ignore_errors=True)
