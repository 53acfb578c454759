r"""jieba's precise-mode segmentation (HMM on), computed by jieba-rs: same tokens, ~3× faster here.

jieba (Python) is the reference: the corpus is defined by what ``jieba.Tokenizer.cut(text,
HMM=True)`` returns with the project's user dictionary. `rjieba <https://pypi.org/project/rjieba/>`_
binds jieba-rs, the Rust port of the same algorithm with the same dictionary and HMM model. Where
the two differ we make the result jieba's:

* **Dictionary total.** Re-adding a word that is already in the dictionary (our user dictionary
  re-weights 计划生育, 计生, …) makes Python jieba add the new frequency to its total without
  subtracting the old one; jieba-rs subtracts it. The total enters every path probability, so
  near-ties flip (培养出来 vs 培养 / 出来). :class:`Segmenter` adds the difference to jieba-rs's
  total through a word that can never match (a private-use character).
* **Letters and digits joined by ``._-``.** Both cut a run of characters that are not dictionary
  words with the HMM, and hand its non-Han part to a "skip" splitter. jieba's is the regex
  ``[a-zA-Z0-9]+(?:\.\d+)?%?``; jieba-rs's also joins runs through ``.``, ``_`` and ``-``
  (``www.sina.com.cn``, ``Peen_Forming``, ``1-10``, ``1998.10.5`` stay whole). jieba-rs's pieces
  are therefore unions of jieba's, and jieba's regex applied to each such piece gives jieba's
  tokens (``www``, ``.``, ``sina``, …; ``1998.10``, ``.``, ``5``). jieba's dictionary has no word
  with those joiners; if a user dictionary adds one (``COVID-19``), a token could be either a
  word or an HMM piece, so that line is cut by Python jieba.
* **Han ranges.** jieba-rs counts CJK Extension A, U+9FD6–U+9FFF, the compatibility ideographs
  and the supplementary planes as Han; jieba cuts blocks of ``[\u4E00-\u9FD5a-zA-Z0-9+#&._%-]``
  only and emits every other character alone. Those characters end jieba's blocks, so the text
  is cut around them and each is its own token, as in jieba.
* **Force-split words.** A user-dictionary word with frequency 0 changes jieba's global HMM
  (``finalseg.add_force_split``); jieba-rs has no such thing, so such a dictionary makes the
  whole segmentation run on Python jieba.

Checked on 97,308 lines (15.4 M characters: the 38 MB bench corpus, the embedded corpus and the 57
Government Work Reports): 0 lines differ from Python jieba (``tests/build/test_jieba_segmenter.py``
checks the embedded corpus, a bench-corpus sample and the hard cases). Until 2026-12 the blocks with
``+#&._%-`` were cut by Python jieba itself; they are common in news (every decimal number joins its
clause into one block) and took 70 % of the segmentation time.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import logging
import re
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

import rjieba

if TYPE_CHECKING:  # pragma: no cover
    import jieba

__all__ = ["Segmenter", "ENGINE_VERSION"]

# Part of the segmentation-cache fingerprint: bump when the way tokens are computed changes.
ENGINE_VERSION = f"jieba {version('jieba')} + rjieba {version('rjieba')}; hybrid v2"

# A token that jieba-rs's HMM skip splitter joined across ._- and jieba's splits: letters or digits on both sides.
_JOINED_RE = re.compile(r"[a-zA-Z0-9][._\-][a-zA-Z0-9]")
# jieba's HMM skip splitter (jieba.finalseg.re_skip, jieba 0.42.1)
_JIEBA_SKIP_RE = re.compile(r"([a-zA-Z0-9]+(?:\.\d+)?%?)")
# Characters jieba-rs counts as Han and jieba does not (jieba.re_han_default stops at U+9FD5).
_RUST_ONLY_HAN_RE = re.compile("([\u3400-\u4DBF\u9FD6-\u9FFF\uF900-\uFAFF\U00020000-\U0003FFFF])")
_NEVER_MATCHES = "\ue000"  # private use: outside every block, so no text can contain this "word"


# The excess of jieba's total over the sum of its words' frequencies in its default dictionary (a
# word listed twice counts twice in the total, once in the frequencies), by the dictionary file's
# sha256. Computing it (:func:`_dictionary_excess`) takes 0.3-0.7 s, in every worker process that
# starts; for a dictionary not listed here (another jieba release) it is computed.
_KNOWN_EXCESS = {"7197c3211ddd98962b036cdf40324d1ea2bfaa12bd028e68faa70111a88e12a8": 3}  # jieba 0.42.1


def _default_dictionary_file() -> bytes:
    # the file jieba.get_dict_file() opens, found without importing jieba (its import loads
    # pkg_resources: ~0.2 s in every worker process, for a module that is rarely needed)
    package = importlib.util.find_spec("jieba").submodule_search_locations[0]
    return (Path(package) / "dict.txt").read_bytes()


@functools.lru_cache(maxsize=1)
def _default_dictionary() -> str:
    """The text of jieba's default dictionary (``word freq [tag]`` per line)."""
    return _default_dictionary_file().decode("utf-8")


def _dictionary_excess(text: str) -> int:
    """The frequencies of the lines of ``text`` that a later line of the same word replaces."""
    lines = text.splitlines()
    words = [line.partition(" ")[0] for line in lines]
    kept = set(dict(zip(words, range(len(words)))).values())  # each word's last line
    return sum(_frequency(lines[i]) for i in range(len(lines)) if i not in kept and lines[i].strip())


@functools.lru_cache(maxsize=1)
def _default_excess() -> int:
    known = _KNOWN_EXCESS.get(hashlib.sha256(_default_dictionary_file()).hexdigest())
    return known if known is not None else _dictionary_excess(_default_dictionary())


def _default_frequencies(words: Iterable[str]) -> dict[str, int]:
    """The frequency jieba's default dictionary gives each of ``words`` that it lists (its last line)."""
    words = sorted(set(words), key=len, reverse=True)
    if not words:
        return {}
    line = re.compile("^(" + "|".join(map(re.escape, words)) + ") (\\d+)", re.MULTILINE)
    return {word: int(freq) for word, freq in line.findall(_default_dictionary())}  # a later line wins


def _frequency(line: str) -> int:
    return int(line.split(" ")[1])


def _jieba_state(entries: list[tuple[str, int, str | None]]) -> tuple[dict[str, int], int]:
    """Each user word's final frequency, and by how much jieba's total will exceed the sum of its
    frequencies, after ``add_word`` of every entry — computed without loading jieba.

    ``add_word`` adds every frequency to the total but replaces the word's own, so the excess is
    the replaced default frequencies, every earlier frequency of a word added twice, and the
    default dictionary's own excess (:func:`_default_excess`).
    """
    final = {word: int(freq) for word, freq, _ in entries}
    replaced = sum(_default_frequencies(final).values())
    added = sum(int(freq) for _, freq, _ in entries)
    return final, _default_excess() + replaced + added - sum(final.values())


class Segmenter:
    """Precise-mode segmentation with a user dictionary: jieba's tokens, jieba-rs's speed.

    Parameters
    ----------
    userdict_entries : ``(word, freq, tag)`` as :func:`topics.build.tokenize.load_userdict` returns them
        (``freq`` None: jieba's suggested frequency).

    Examples
    --------
    >>> Segmenter([("计划生育", 20000, None)]).cut("要进一步做好计划生育工作")   # doctest: +SKIP
    ['要', '进一步', '做好', '计划生育', '工作']
    """

    def __init__(self, userdict_entries: Iterable[tuple[str, int | None, str | None]] = ()):
        self._entries = list(userdict_entries)
        self._python: jieba.Tokenizer | None = None
        if any(freq is None for _, freq, _ in self._entries):
            # jieba's suggested frequency depends on its whole state: let jieba compute it
            final = {word: self.python.FREQ[word] for word, _, _ in self._entries}
            missing_total = self.python.total - sum(self.python.FREQ.values())
        else:
            # without suggested frequencies jieba's state follows from the entries: loading jieba
            # (1.5-2 CPU-s in every worker process) is not needed
            final, missing_total = _jieba_state(self._entries)
        # jieba's force-split words live in a global HMM table that jieba-rs does not have
        self.python_only = any(freq == 0 for freq in final.values())
        self.rust = rjieba.Jieba()
        for word, _, tag in self._entries:
            self.rust.add_word(word, final[word], tag)  # jieba's frequency, suggested or given
        if missing_total > 0:
            self.rust.add_word(_NEVER_MATCHES, missing_total, None)

    @property
    def python(self) -> jieba.Tokenizer:
        """Python jieba with the user dictionary, initialised when first needed."""
        if self._python is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            tokenizer = jieba.Tokenizer()
            tokenizer.initialize()
            for word, freq, tag in self._entries:
                tokenizer.add_word(word, freq, tag)
            self._python = tokenizer
        return self._python

    def is_word(self, word: str) -> bool:
        """Is ``word`` in jieba's dictionary (with the user dictionary) with a positive frequency?"""
        if self.python_only:
            return self.python.FREQ.get(word, 0) > 0
        # jieba's dictionary has no word of frequency 0; jieba-rs stores no prefixes
        return word != _NEVER_MATCHES and self.rust.has_word(word)

    def cut(self, text: str) -> list[str]:
        """``list(jieba.Tokenizer.cut(text, cut_all=False, HMM=True))`` for this dictionary."""
        if self.python_only:
            return list(self.python.cut(text, cut_all=False, HMM=True))
        if not _RUST_ONLY_HAN_RE.search(text):
            return self._cut_blocks(text)
        tokens: list[str] = []
        for i, piece in enumerate(_RUST_ONLY_HAN_RE.split(text)):
            if i % 2:  # a character outside jieba's blocks: its own token
                tokens.append(piece)
            elif piece:
                tokens.extend(self._cut_blocks(piece))
        return tokens

    def _cut_blocks(self, text: str) -> list[str]:
        tokens = self.rust.cut(text, True)
        if not _JOINED_RE.search(text):
            return tokens
        tokens_like_jieba: list[str] = []
        for token in tokens:
            if not _JOINED_RE.search(token):
                tokens_like_jieba.append(token)
            elif self.is_word(token):  # a word with joiners from a user dictionary: jieba decides
                return list(self.python.cut(text, cut_all=False, HMM=True))
            else:
                tokens_like_jieba.extend(piece for piece in _JIEBA_SKIP_RE.split(token) if piece)
        return tokens_like_jieba
