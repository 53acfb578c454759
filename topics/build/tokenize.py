"""Turn speech text into tokens: jieba precise mode + user dictionary + stopwords + filters.

This stage has two steps with different cache lives:

* :meth:`Tokenizer.cut` — raw jieba tokens (computed by :class:`topics.build.jieba_segmenter.Segmenter`:
  jieba's tokens at jieba-rs's speed). Depends only on the segmenter version and the user
  dictionary, which :attr:`Tokenizer.fingerprint` hashes; the corpus builder caches segmentation
  under that fingerprint.
* :meth:`Tokenizer.filter` — drops stopwords, punctuation, numbers and (optionally) single
  characters. Cheap, so changing a stopword list re-filters cached segmentation instead of
  re-running jieba.

:meth:`Tokenizer.filter` remembers its keep/drop decision per distinct token, so its cost is a
dictionary lookup per token (the memo is bounded by the raw vocabulary).

What :meth:`Tokenizer.filter` drops, and why:

* stopwords: every entry of the stopword files (``#`` lines are comments);
* punctuation and symbols: tokens without any letter (Unicode category ``L*``: CJK or Latin);
* numbers: tokens made only of digits and Chinese numerals, optionally followed by ONE unit
  character (``2013``, ``99.5``, ``30%``, ``三``, ``十二``, ``2013年``, ``3个``, ``两年``).
  Numbers carry no topic; years are metadata, not vocabulary. Numerals inside words are kept
  (``十八大``, ``三查四术``, ``一票否决``, ``两孩``);
* marker tokens (``⟦YEAR⟧``…): never produced, since text is split on them before jieba;
* single characters, if ``drop_single_chars`` (most are function words or fragments).

Examples
--------
>>> tok = Tokenizer("userdict.txt", ["stopwords.txt"])   # doctest: +SKIP
>>> tok.tokenize("同志们：要进一步做好计划生育工作。")                                  # doctest: +SKIP
['做好', '计划生育', '工作']
"""

from __future__ import annotations

import hashlib
import operator
from itertools import compress, repeat
import re
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from ..errors import InputFileError
from .repair import MARKER_RE
from .jieba_segmenter import ENGINE_VERSION, Segmenter

__all__ = ["Tokenizer", "load_stopwords", "load_userdict", "SEGMENTATION_VERSION"]

# Bump when cut() changes behaviour, so cached segmentation is not reused.
SEGMENTATION_VERSION = 1

_DIGITS = "0-9０-９"
_CHINESE_NUMERALS = "零〇一二三四五六七八九十百千万亿两壹贰叁肆伍陆柒捌玖拾佰仟"
_UNITS = "年月日号时分秒个次项条名人户位元万亿岁倍批件例家届期"
_NUMBER_RE = re.compile(
    rf"^(?:[{_DIGITS}][{_DIGITS}.．,，:：/]*[%％‰]?|[{_CHINESE_NUMERALS}]+|第[{_DIGITS}{_CHINESE_NUMERALS}]+)[{_UNITS}]?$"
)


def load_stopwords(paths: Iterable[str | Path]) -> frozenset[str]:
    """Union of the stopword files: one word per line; blank and ``#`` lines skipped.

    Raises
    ------
    InputFileError
        A file cannot be read.
    """
    words: set[str] = set()
    for path in paths:
        for line in _read_lines(path, "stopword list"):
            word = line.strip()
            if word and not word.startswith("#"):
                words.add(word)
    return frozenset(words)


def load_userdict(path: str | Path) -> list[tuple[str, int | None, str | None]]:
    """Entries of a jieba user dictionary as ``(word, freq, tag)``; ``#`` lines skipped.

    The format is jieba's own (``word [freq] [tag]``, space-separated), so the file also works
    with ``jieba.load_userdict`` (which would read the ``#`` header lines as harmless entries).
    """
    entries = []
    for number, line in enumerate(_read_lines(path, "user dictionary"), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        word, freq, tag = parts[0], None, None
        for part in parts[1:]:
            if part.isdigit() and freq is None:
                freq = int(part)
            elif tag is None and not part.isdigit():
                tag = part
            else:
                raise InputFileError(path, f"cannot read entry {line!r}", "write: word [frequency] [tag]", line=number)
        entries.append((word, freq, tag))
    return entries


def _read_lines(path: str | Path, what: str) -> list[str]:
    try:
        return Path(path).read_text(encoding="utf-8-sig").split("\n")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(path, f"cannot read the {what} ({exc})", "check the path in the config and that the file is UTF-8") from exc


def _has_letter(token: str) -> bool:
    # str.isalpha() is exactly Unicode general category L* (Lu, Ll, Lt, Lm, Lo)
    return any(map(str.isalpha, token))


_WORD, _SINGLE = 1, 2


def _word_flags(token: str) -> int:
    """The rules of :meth:`Tokenizer.filter` that do not depend on the stopwords, as bit flags."""
    word = _has_letter(token) and not _NUMBER_RE.match(token) and "⟦" not in token and "⟧" not in token
    return (_WORD if word else 0) | (_SINGLE if len(token) == 1 else 0)


class Tokenizer:
    """jieba precise-mode tokenizer with a user dictionary, stopwords and token filters.

    Parameters
    ----------
    userdict : jieba user dictionaries (``word [freq] [tag]`` per line, ``#`` comments): a path, a
        list of paths read in order, or None.
    stopwords : stopword files; their union is removed by :meth:`filter`.
    drop_single_chars : drop one-character tokens in :meth:`filter`.

    Attributes
    ----------
    stopwords_ : frozenset of the loaded stopwords.
    fingerprint : hash of what changes :meth:`cut` (segmenter version, user dictionary).

    Notes
    -----
    Uses a private :class:`topics.build.jieba_segmenter.Segmenter` (never jieba's global tokenizer, which other
    code may change), built lazily on first use; pickling drops it, so sending a Tokenizer to a
    worker process is cheap and the worker builds its own.
    """

    def __init__(self, userdict: str | Path | Sequence[str | Path] | None = None, stopwords: Sequence[str | Path] = (),
                 drop_single_chars: bool = True):
        if isinstance(stopwords, (str, Path)):  # a single path is an easy mistake
            stopwords = (stopwords,)
        if isinstance(userdict, (str, Path)):
            userdict = (userdict,)
        self.userdict = tuple(userdict or ())
        self.stopwords = tuple(stopwords)
        self.drop_single_chars = drop_single_chars
        self.stopwords_ = load_stopwords(self.stopwords)
        # several dictionaries are read in order: a later entry re-weights an earlier one (jieba's add_word)
        self._userdict_entries = [entry for path in self.userdict for entry in load_userdict(path)]
        self._userdict_bytes = b"".join(Path(path).read_bytes() for path in self.userdict)
        self._segmenter: Segmenter | None = None
        self._keep: dict[str, bool] = {}

    @property
    def fingerprint(self) -> str:
        """sha256 of the segmenter's version, this module's segmentation version and the user dictionary.

        Stopwords and filters are deliberately left out: changing them must not invalidate
        cached segmentation.
        """
        digest = hashlib.sha256()
        digest.update(f"{ENGINE_VERSION}; segment v{SEGMENTATION_VERSION}; HMM; markers {MARKER_RE.pattern}\n".encode())
        digest.update(self._userdict_bytes)
        return digest.hexdigest()

    def _engine(self) -> Segmenter:
        if self._segmenter is None:
            self._segmenter = Segmenter(self._userdict_entries)
        return self._segmenter

    def is_word(self, word: str) -> bool:
        """Is ``word`` a word of the segmenter's dictionary (jieba's, with the user dictionary)?"""
        return self._engine().is_word(word)

    def cut(self, text: str) -> list[str]:
        """Raw precise-mode tokens (HMM on); whitespace dropped; markers removed before jieba."""
        engine = self._engine()
        tokens: list[str] = []
        for piece in MARKER_RE.split(text):
            if piece.strip():
                # join + split drops whitespace tokens and splits any token with inner whitespace
                # (callers join tokens by spaces), in C rather than one Python step per token
                tokens.extend(" ".join(engine.cut(piece)).split())
        return tokens

    def filter(self, tokens: Iterable[str]) -> list[str]:
        """Drop stopwords, punctuation, numbers, markers and (if configured) single characters."""
        keep = self._keep
        if not isinstance(tokens, (list, tuple)):
            tokens = list(tokens)
        for token in set(tokens).difference(keep):  # tokens not seen yet: decide once
            keep[token] = self._keeps(token)
        return list(compress(tokens, map(keep.__getitem__, tokens)))

    def _keeps(self, token: str) -> bool:
        flags = _word_flags(token)
        if token in self.stopwords_ or not flags & self.WORD:
            return False
        return not (self.drop_single_chars and flags & self.SINGLE)

    # -- the same filters, vectorised over a corpus' distinct tokens (the build's stage 2) --------
    WORD, SINGLE = _WORD, _SINGLE

    def word_flags(self, types: Sequence[str]) -> np.ndarray:
        """Per distinct token, the stopword-independent part of :meth:`filter` as bit flags
        (``WORD``: has a letter, is not a number, holds no marker bracket; ``SINGLE``: one character)."""
        # the same as _word_flags per token, with the per-token work in C (map over str methods):
        # the build computes this for every new word as its file comes in (~1 µs a word, was ~5)
        words = types if isinstance(types, list) else list(types)
        n = len(words)
        has_letter = np.fromiter(map(str.isalpha, words), dtype=bool, count=n)  # all letters: most words
        for i in np.flatnonzero(~has_letter).tolist():  # the rest (numbers, punctuation, mixed): any letter?
            has_letter[i] = _has_letter(words[i])
        number = np.fromiter(map(bool, map(_NUMBER_RE.match, words)), dtype=bool, count=n)
        bracket = (np.fromiter(map(operator.contains, words, repeat("⟦")), dtype=bool, count=n)
                   | np.fromiter(map(operator.contains, words, repeat("⟧")), dtype=bool, count=n))
        single = np.fromiter(map(len, words), dtype=np.int64, count=n) == 1
        word = has_letter & ~number & ~bracket
        return (word * np.uint8(_WORD) | single * np.uint8(_SINGLE)).astype(np.uint8)

    def keep_mask(self, flags: np.ndarray, stopword_ids: np.ndarray) -> np.ndarray:
        """Per distinct token (its :meth:`word_flags` in ``flags``; ``stopword_ids``: the positions of
        the stopwords among them): does :meth:`filter` keep it?"""
        keep = (flags & self.WORD).astype(bool)
        if self.drop_single_chars:
            keep &= ~(flags & self.SINGLE).astype(bool)
        keep[np.asarray(stopword_ids, dtype=np.int64)] = False
        return keep

    def tokenize(self, text: str) -> list[str]:
        """``filter(cut(text))``."""
        return self.filter(self.cut(text))

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state["_segmenter"] = None  # rebuilt lazily in the receiving process
        state["_keep"] = {}
        return state

    def __repr__(self) -> str:
        return (f"Tokenizer(userdict={self.userdict!r}, stopwords={self.stopwords!r}, "
                f"drop_single_chars={self.drop_single_chars!r})")
