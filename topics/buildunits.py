"""Stage 2 of the build: speeches → filtered tokens → modelling units → dictionary and bag-of-words.

Split in two so that little is left for after the duplicates are known:

* while the files are read, each speech's segmentation is filtered (stopwords and filters,
  :func:`filter_segmented`: done in the worker processes for fresh files, in the main process
  for cached ones, memoised per distinct token either way) and grouped into modelling units
  (whole speeches or paragraph chunks); :class:`PendingUnits` writes them to ``units.tmp``;
* once the duplicates are known, :func:`make_units` copies the units of the speeches in the
  model to ``units.csv`` and ``tokens.txt``, counting the vocabulary on the way — and, when no
  vocabulary filter is set (ids are then final as soon as they are given), writing the
  bag-of-words in the same pass; :func:`write_dictionary_and_bow` writes the gensim
  dictionary (and ``corpus.mm`` with a second pass when ``filter_extremes`` renumbers).

Everything streams: memory holds the vocabulary, not the tokens.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from gensim.corpora import Dictionary

from .bow import MmWriter, VocabularyCounter, doc2bow, save_as_text
from .config import BuildConfig
from .corpus import UNIT_COLUMNS
from .tokenize import Tokenizer

if TYPE_CHECKING:  # pragma: no cover
    from .build import BuildLog

__all__ = ["filter_segmented", "speech_units", "PendingUnits", "make_units", "write_dictionary_and_bow"]




def _chunks(line_numbers: list[int], line_tokens: list[list[str]], unit: str, min_tokens: int):
    """Group a speech's lines into modelling units: (start_line, end_line, tokens)."""
    if unit == "speech":
        tokens = [tok for toks in line_tokens for tok in toks]
        return [(line_numbers[0], line_numbers[-1], tokens)] if line_numbers else []
    chunks: list[tuple[int, int, list[str]]] = []
    current: list[str] = []
    start = None
    for number, toks in zip(line_numbers, line_tokens):
        if start is None:
            start = number
        current.extend(toks)
        if len(current) >= min_tokens:
            chunks.append((start, number, current))
            current, start = [], None
    if current:
        if chunks:  # a short tail joins the previous chunk rather than standing alone
            s, _, toks = chunks[-1]
            chunks[-1] = (s, line_numbers[-1], toks + current)
        else:
            chunks.append((start, line_numbers[-1], current))
    return chunks


def filter_segmented(tokenizer: Tokenizer, segmented: str, unit: str) -> str:
    """Apply stopwords and filters to a speech's segmentation (lines of space-separated tokens).

    Same format back; with ``unit == "speech"`` line breaks do not matter and the result is one line.
    """
    if unit == "speech":
        return " ".join(tokenizer.filter(segmented.split()))
    return "\n".join(" ".join(tokenizer.filter(line.split(" "))) if line else "" for line in segmented.split("\n"))


def speech_units(config: BuildConfig, line_numbers: list[int], filtered: str) -> tuple[int, list[tuple[int, int, str]]]:
    """``(n_tokens, units)`` of a speech: units are ``(start_line, end_line, tokens)``, none empty."""
    if config.unit == "speech":
        if not filtered:
            return 0, []
        return filtered.count(" ") + 1, ([(line_numbers[0], line_numbers[-1], filtered)] if line_numbers else [])
    lines = [line.split(" ") if line else [] for line in filtered.split("\n")]
    chunks = _chunks(line_numbers, lines, config.unit, config.chunk_min_tokens)
    return sum(len(toks) for toks in lines), [(start, end, " ".join(toks)) for start, end, toks in chunks if toks]


class PendingUnits:
    """``units.tmp``: the units of every speech, written as the files are read.

    One line per unit: ``position<TAB>start_line<TAB>end_line<TAB>tokens`` (``position`` = the
    speech's row in corpus order).
    """

    def __init__(self, path: Path, config: BuildConfig, tokenizer: Tokenizer):
        self.path, self.config, self.tokenizer = path, config, tokenizer
        self._out = open(path, "w", encoding="utf-8", newline="\n")
        self.seconds = 0.0

    def add(self, position: int, row: dict[str, Any], line_numbers: list[int], segmented: str,
            filtered: str | None) -> None:
        """Record a speech's units and set ``row["n_tokens"]``; ``filtered`` may be None (then it is computed)."""
        t0 = time.perf_counter()
        if filtered is None:
            filtered = filter_segmented(self.tokenizer, segmented, self.config.unit)
        row["n_tokens"], units = speech_units(self.config, line_numbers, filtered)
        if units:
            self._out.write("".join(f"{position}\t{start}\t{end}\t{tokens}\n" for start, end, tokens in units))
        self.seconds += time.perf_counter() - t0

    def close(self) -> None:
        self._out.close()


def _vocabulary_filter(config: BuildConfig) -> bool:
    return config.no_below > 1 or config.no_above < 1.0 or bool(config.keep_n)


def make_units(config: BuildConfig, speeches: list[dict[str, Any]], workdir: Path, log: "BuildLog") -> VocabularyCounter:
    """Write units.csv and tokens.txt for the speeches in the model, count the vocabulary.

    Without a vocabulary filter, ``corpus.mm`` is written in the same pass.
    """
    t0 = time.perf_counter()
    vocabulary = VocabularyCounter()
    one_pass = not _vocabulary_filter(config)
    bow = MmWriter(workdir / "corpus.mm") if one_pass else None
    with open(workdir / "tokens.txt", "w", encoding="utf-8", newline="\n") as tokens_out, \
            open(workdir / "units.csv", "w", encoding="utf-8", newline="\n") as units_out, \
            open(workdir / "units.tmp", encoding="utf-8") as pending:
        units_out.write(",".join(UNIT_COLUMNS) + "\n")
        for line in pending:
            position, start, end, tokens = line.rstrip("\n").split("\t")
            row = speeches[int(position)]
            if not row["in_model"]:
                continue
            chunk_index = row["n_units"]
            row["n_units"] += 1
            toks = tokens.split(" ")
            units_out.write(f"{row['doc_id']}/{chunk_index},{row['doc_id']},{chunk_index},{start},{end},{len(toks)}\n")
            tokens_out.write(tokens + "\n")
            if bow is not None:
                bow.write_arrays(*vocabulary.add(toks, bow=True))
            else:
                vocabulary.add(toks)
    if bow is not None:
        bow.close(num_terms=len(vocabulary.token2id))
    for row in speeches:
        if row["in_model"] and not row["n_units"]:
            row["in_model"] = False
            log.notes.append(f"{row['doc_id']}: no tokens left after filtering; left out of the model")
    log.timings["units"] = round(time.perf_counter() - t0, 3)
    return vocabulary


def _iter_token_file(path: Path) -> Iterator[list[str]]:
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            yield line.split(" ") if line else []


def write_dictionary_and_bow(config: BuildConfig, vocabulary: VocabularyCounter, workdir: Path,
                              log: "BuildLog") -> Dictionary:
    """Save the dictionary (after ``filter_extremes``, if set) and, if :func:`make_units` did not, ``corpus.mm``."""
    t0 = time.perf_counter()
    dictionary = vocabulary.dictionary()
    size_before = len(dictionary)
    if _vocabulary_filter(config):
        dictionary.filter_extremes(no_below=config.no_below, no_above=config.no_above,
                                   keep_n=config.keep_n or None)
        token2id = dictionary.token2id
        bow = MmWriter(workdir / "corpus.mm")
        for tokens in _iter_token_file(workdir / "tokens.txt"):
            bow.write(doc2bow(tokens, token2id))
        bow.close(num_terms=len(dictionary))
    log.notes.append(f"vocabulary: kept {len(dictionary):,} of {size_before:,} words "
                     f"(no_below={config.no_below}, no_above={config.no_above}, keep_n={config.keep_n or 'all'})")
    dictionary.save(str(workdir / "dictionary.gensim"))
    save_as_text(dictionary, workdir / "dictionary.txt")
    log.timings["dictionary_bow"] = round(time.perf_counter() - t0, 3)
    return dictionary
