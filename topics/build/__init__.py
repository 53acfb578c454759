"""The corpus builder: raw files → a clean, speech-level corpus (see docs/ARCHITECTURE.md).

Stage 1, per file (:mod:`.stages`): :mod:`.ingest` (with the reader registry :mod:`.readers`
and :mod:`.decoding`) → :mod:`.boilerplate` → :mod:`.speeches` → :mod:`.repair` →
:mod:`.metadata` → :mod:`.tokenize` (jieba, :mod:`.jieba_segmenter`) and :mod:`.dedup` sketches;
then corpus-wide in :mod:`.pipeline` (overrides, duplicate links) into a :mod:`.tokenstore`.
Stage 2 (:mod:`.units`): filters, modelling units, vocabulary and bag-of-words
(:mod:`.gensim_files`), and the build report (:mod:`.report`).

``from topics.build import build_corpus`` is the entry point.
"""

from __future__ import annotations

__all__ = ["build_corpus"]


def __getattr__(name: str):
    # imported on first use: ``topics.build.ingest`` alone should not load jieba and gensim
    if name == "build_corpus":
        from .pipeline import build_corpus

        return build_corpus
    raise AttributeError(f"module 'topics.build' has no attribute {name!r}")
