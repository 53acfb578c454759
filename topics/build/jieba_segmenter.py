"""jieba's precise-mode segmentation (HMM on), computed mostly by jieba-rs: same tokens, ~10× faster.

jieba (Python) is the reference: the corpus is defined by what ``jieba.Tokenizer.cut(text,
HMM=True)`` returns with the project's user dictionary. `rjieba <https://pypi.org/project/rjieba/>`_
binds jieba-rs, the Rust port of the same algorithm with the same dictionary and HMM model, and is
10–20× faster. Where the two differ we make the result jieba's:

* **Dictionary total.** Re-adding a word that is already in the dictionary (our user dictionary
  re-weights 计划生育, 计生, …) makes Python jieba add the new frequency to its total without
  subtracting the old one; jieba-rs subtracts it. The total enters every path probability, so
  near-ties flip (培养出来 vs 培养 / 出来). :class:`Segmenter` adds the difference to jieba-rs's
  total through a word that can never match (a private-use character).
* **Blocks with ``+#&._%-``.** jieba cuts runs of ``[\u4E00-\u9FD5a-zA-Z0-9+#&._%-]``
  ("blocks") one by one; jieba-rs leaves ``-`` out of its blocks and its HMM keeps ``Peen_Forming``
  or ``1-10`` whole where jieba splits them. Every block that contains one of those characters is
  cut by Python jieba itself (blocks are independent in both implementations, so cutting the text
  around them does not change anything else). In Chinese prose they are rare and short.
* **Force-split words.** A user-dictionary word with frequency 0 changes jieba's global HMM
  (``finalseg.add_force_split``); jieba-rs has no such thing, so such a dictionary makes the
  whole segmentation run on Python jieba.

Checked on 97,308 lines (15.4 M characters: the 38 MB bench corpus, the embedded corpus and the 57
Government Work Reports): 0 lines differ from Python jieba (``tests/test_segmenter.py`` checks the
embedded corpus and the hard cases).
"""

from __future__ import annotations

import logging
import re
from importlib.metadata import version
from typing import Iterable

import jieba
import rjieba

__all__ = ["Segmenter", "ENGINE_VERSION"]

# Part of the segmentation-cache fingerprint: bump when the way tokens are computed changes.
ENGINE_VERSION = f"jieba {jieba.__version__} + rjieba {version('rjieba')}; hybrid v1"

# jieba.re_han_default (jieba 0.42.1): the "blocks" jieba cuts one at a time.
_BLOCK_CHARS = "\u4E00-\u9FD5a-zA-Z0-9+#&._%\\-"
# A whole block that contains one of the characters jieba-rs treats differently.
_PYTHON_BLOCK_RE = re.compile(f"[{_BLOCK_CHARS}]*[+#&._%\\-][{_BLOCK_CHARS}]*")
_MEMO_SIZE = 20_000  # entries; bounds the memo (a worker must not grow with the corpus)
_NEVER_MATCHES = "\ue000"  # private use: outside every block, so no text can contain this "word"

logging.getLogger("jieba").setLevel(logging.WARNING)


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
        self.python = jieba.Tokenizer()
        self.python.initialize()
        entries = list(userdict_entries)
        for word, freq, tag in entries:
            self.python.add_word(word, freq, tag)
        # jieba's force-split words live in a global HMM table that jieba-rs does not have
        self.python_only = any(self.python.FREQ.get(word) == 0 for word, _, _ in entries)
        self.rust = rjieba.Jieba()
        for word, _, tag in entries:
            self.rust.add_word(word, self.python.FREQ[word], tag)  # jieba's frequency, suggested or given
        self._block_memo: dict[str, list[str]] = {}  # "3.5", "1-10": the same blocks come back often
        missing_total = self.python.total - sum(self.python.FREQ.values())
        if missing_total > 0:
            self.rust.add_word(_NEVER_MATCHES, missing_total, None)

    def is_word(self, word: str) -> bool:
        """Is ``word`` in jieba's dictionary (with the user dictionary) with a positive frequency?"""
        return self.python.FREQ.get(word, 0) > 0

    def cut(self, text: str) -> list[str]:
        """``list(jieba.Tokenizer.cut(text, cut_all=False, HMM=True))`` for this dictionary."""
        if self.python_only:
            return list(self.python.cut(text, cut_all=False, HMM=True))
        tokens: list[str] = []
        position = 0
        for match in _PYTHON_BLOCK_RE.finditer(text):
            if match.start() > position:
                tokens.extend(self.rust.cut(text[position:match.start()], True))
            tokens.extend(self._python_block(match.group()))
            position = match.end()
        if position < len(text):
            tokens.extend(self.rust.cut(text[position:] if position else text, True))
        return tokens

    def _python_block(self, block: str) -> list[str]:
        """Python jieba's tokens of one block (what ``cut`` does with a text that is a single block)."""
        tokens = self._block_memo.get(block)
        if tokens is None:
            if len(self._block_memo) >= _MEMO_SIZE:
                self._block_memo.clear()
            # the block is one whole match of jieba's block pattern: cut() would hand it to __cut_DAG as is
            tokens = self._block_memo[block] = list(self.python._Tokenizer__cut_DAG(block))
        return tokens
