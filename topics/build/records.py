"""One speech, one record: the :class:`Speech` row, from the per-file stages to ``speeches.csv``.

A speech has two shapes on its way through the build: where it sits in its file
(:class:`topics.build.speeches.SpeechSpan`, with its lines) and this record, whose fields are
exactly the columns of ``speeches.csv`` (:data:`topics.corpus.SPEECH_COLUMNS`). The per-file
stages fill the record; the corpus-wide steps (metadata overrides, duplicate links, token
counts) update it; stage 2 writes it.

A worker hands each speech to the main process as a :class:`FoundSpeech`: the record plus what
the corpus-wide steps need of its text (clean text, raw tokens, duplicate-finder sketch).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..corpus import SPEECH_COLUMNS
from .dedup import Sketch
from .tokenstore import EncodedTokens

__all__ = ["FoundSpeech", "Speech"]


@dataclass
class Speech:
    """A row of ``speeches.csv`` (see docs/ARCHITECTURE.md for each column)."""

    doc_id: str
    source_file: str
    start_line: int
    end_line: int
    start_char: int | None
    end_char: int | None
    heading: str | None
    title: str | None
    year: int | None
    year_min: int | None
    year_max: int | None
    year_source: str
    year_evidence: str
    genre: str
    admin_level: str
    place: str | None
    genre_evidence: str  # what genre, admin_level and place were read from, quoted ("" when nothing was)
    level_evidence: str
    place_evidence: str
    duplicate_of: str | None
    duplicate_kind: str | None
    in_model: bool
    encoding: str | None
    boundary: str
    n_chars: int
    n_tokens: int
    n_units: int

    def row(self) -> dict[str, Any]:
        """The record as a ``speeches.csv`` row (column → value)."""
        # every field is a str, int, bool or None: a shallow dict is asdict's result without its deep copy
        return {name: getattr(self, name) for name in SPEECH_COLUMNS}


assert [f.name for f in dataclasses.fields(Speech)] == SPEECH_COLUMNS, "Speech must list SPEECH_COLUMNS in order"


@dataclass
class FoundSpeech:
    """A speech as a worker found it: the record, and what the corpus-wide steps need of its text."""

    speech: Speech
    text_json: str  # the speech's line of texts.jsonl (doc_id, clean text, line numbers), without newline
    line_numbers: list[int]  # source line of each line of the clean text
    tokens: EncodedTokens | None  # raw jieba tokens, line by line
    sketch: Sketch  # for the duplicate finder (topics.build.dedup)
    text_sha256: str  # of the clean text (key of the cached duplicate links)
    shingles: np.ndarray | None = None  # for the duplicate finder's exact check; never cached
