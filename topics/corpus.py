"""The built corpus artifact: what ``topics build`` writes and everything downstream reads.

A built corpus is a folder (see docs/ARCHITECTURE.md for the file contract). In Python it is a
:class:`BuiltCorpus`, loaded lazily so that a notebook can open a large corpus without reading
every token. The build itself lives in :mod:`topics.build`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Protocol, Sequence

from .common.checksums import mismatches, read_sums
from .common.fileio import sha256_file, sha256_json
from .errors import TopicsError

if TYPE_CHECKING:
    import pandas as pd
    from gensim.corpora import Dictionary

# pandas and gensim are imported where they are used: the build's worker processes import this
# module for its column names, and importing gensim (with scipy) costs them 2-3 s each at start.

SPEECH_COLUMNS = [
    "doc_id", "source_file", "start_line", "end_line", "start_char", "end_char", "heading",
    "title", "year", "year_min", "year_max", "year_source", "year_evidence", "genre", "admin_level", "place",
    "genre_evidence", "level_evidence", "place_evidence", "duplicate_of", "duplicate_kind", "in_model", "encoding", "boundary", "n_chars", "n_tokens",
    "n_units",
]
UNIT_COLUMNS = ["unit_id", "doc_id", "chunk", "start_line", "end_line", "n_tokens"]

# The values the metadata columns of speeches.csv may take (how each is found: topics.build.metadata).
YEAR_SOURCES = ("explicit", "implied", "filename", "metadata", "anonymized", "unknown")
GENRES = ("speech", "host_script", "work_report", "congress_report", "news", "address", "other")
ADMIN_LEVELS = ("national", "province", "city", "county", "district", "township", "unknown")

# Nullable integer columns stay integers (not floats) when read back.
_SPEECH_DTYPES = {
    "start_line": "Int64", "end_line": "Int64", "start_char": "Int64", "end_char": "Int64",
    "year": "Int64", "year_min": "Int64", "year_max": "Int64", "n_chars": "Int64", "n_tokens": "Int64", "n_units": "Int64",
}
_STRING_COLUMNS = ["doc_id", "source_file", "heading", "title", "year_source", "year_evidence",
                   "genre", "admin_level", "place", "genre_evidence", "level_evidence", "place_evidence",
                   "duplicate_of", "duplicate_kind", "encoding",
                   "boundary"]


def read_speeches_csv(path: str | Path) -> pd.DataFrame:
    """Read ``speeches.csv`` with stable dtypes (nullable ints, strings with None for blanks)."""
    import pandas as pd

    frame = pd.read_csv(path, dtype={**_SPEECH_DTYPES, **{c: "string" for c in _STRING_COLUMNS}},
                        keep_default_na=False, na_values=[""])
    if "in_model" in frame:
        frame["in_model"] = frame["in_model"].astype(str).str.lower().isin(["true", "1"])
    return frame


def write_speeches_csv(frame: pd.DataFrame, handle) -> None:
    frame.to_csv(handle, index=False, lineterminator="\n")


@dataclass
class BuiltCorpus:
    """A built corpus: speeches table, modelling units, dictionary and (lazily) tokens and BoW.

    Attributes
    ----------
    path : folder the corpus was loaded from, or None for an in-memory corpus.
    speeches : one row per speech (``SPEECH_COLUMNS``).
    units : one row per modelling unit in model order (``UNIT_COLUMNS``).
    dictionary : gensim Dictionary over the units' tokens (read or made on first use).
    content_hash : hash of inputs, settings and resources that produced this corpus.
    """

    path: Path | None
    speeches: pd.DataFrame
    units: pd.DataFrame
    _dictionary: "Dictionary | DictionarySource" = field(repr=False)
    content_hash: str
    _tokens: list[list[str]] | None = field(default=None, repr=False)
    _texts: dict[str, str] | None = field(default=None, repr=False)

    @property
    def dictionary(self) -> Dictionary:
        # made on first use: reading dictionary.txt (or making it from the builder's counts) takes
        # a noticeable fraction of a second on a large vocabulary, which opening a corpus need not pay
        if not _is_dictionary(self._dictionary):
            self._dictionary = self._dictionary.load()
        return self._dictionary

    @property
    def vocabulary_size(self) -> int:
        """Words in the dictionary (without making it)."""
        return len(self._dictionary)

    # -- tokens and bag of words --------------------------------------------------------------
    def iter_tokens(self) -> Iterator[list[str]]:
        """Stream the token lists of the units (one list per row of ``units``)."""
        if self._tokens is not None:
            yield from self._tokens
            return
        with open(self._file("tokens.txt"), encoding="utf-8") as handle:
            for line in handle:
                line = line.rstrip("\n")
                yield line.split(" ") if line else []

    def tokens(self) -> list[list[str]]:
        """All units' tokens in memory (cached)."""
        if self._tokens is None:
            self._tokens = list(self.iter_tokens())
        return self._tokens

    def bow(self) -> list[list[tuple[int, int]]]:
        """Bag of words per unit, in ``units`` order (cached)."""
        return self._bow

    @cached_property
    def _bow(self) -> list[list[tuple[int, int]]]:
        if self.path is not None and (self.path / "corpus.mm").exists():
            from gensim.corpora import MmCorpus

            return [[(int(i), int(c)) for i, c in doc] for doc in MmCorpus(str(self.path / "corpus.mm"))]
        return [self.dictionary.doc2bow(tokens) for tokens in self.iter_tokens()]

    # -- speech texts -------------------------------------------------------------------------
    def texts(self) -> dict[str, str]:
        """Clean text of every speech, keyed by ``doc_id`` (cached)."""
        if self._texts is None:
            texts = {}
            with open(self._file("texts.jsonl"), encoding="utf-8") as handle:
                for line in handle:
                    record = json.loads(line)
                    texts[record["doc_id"]] = record["text"]
            self._texts = texts
        return self._texts

    @property
    def n_units(self) -> int:
        return len(self.units)

    def _file(self, name: str) -> Path:
        if self.path is None:
            raise TopicsError(f"this in-memory corpus has no {name}")
        return self.path / name


def _is_dictionary(value: object) -> bool:
    from gensim.corpora import Dictionary

    return isinstance(value, Dictionary)


class DictionarySource(Protocol):
    """A dictionary not made yet: its size, and the gensim Dictionary when asked for."""

    def __len__(self) -> int: ...

    def load(self) -> Dictionary: ...


class DictionaryFile:
    """A corpus folder's ``dictionary.txt`` (gensim's ``save_as_text`` format: text, never
    unpickled), read on :meth:`load`. ``sha256``: the digest the folder's SHA256SUMS records, checked
    again when the file is read (it may be read long after the corpus was opened and verified)."""

    def __init__(self, path: Path, sha256: str | None = None):
        self.path = path
        self.sha256 = sha256
        self._size: int | None = None

    def __len__(self) -> int:
        if self._size is None:
            self._size = self.path.read_bytes().count(b"\n") - 1  # a line per word after the document count
        return self._size

    def load(self) -> Dictionary:
        from gensim.corpora import Dictionary

        if self.sha256 is not None and sha256_file(self.path) != self.sha256:
            raise TopicsError(f"{self.path}: changed since the corpus was opened (its sha256 no longer matches "
                              "SHA256SUMS) — build the corpus again (topics build, or topics run)")
        return Dictionary.load_from_text(str(self.path))


def load_corpus(path: str | Path, dictionary: "Dictionary | DictionarySource | None" = None,
                verify: bool = True) -> BuiltCorpus:
    """Open a built corpus folder written by ``topics build``.

    ``dictionary``: the folder's dictionary (or a :class:`DictionarySource` that makes it) when the
    caller holds it already (the builder does); else it is read from ``dictionary.txt`` on first use.
    ``verify``: check every file against the folder's ``SHA256SUMS`` first. Nothing is unpickled:
    the dictionary is read from ``dictionary.txt``.

    Raises :class:`TopicsError` naming the folder and the file when it is incomplete or a file
    changed since the build.
    """
    path = Path(path)
    needed = ["speeches.csv", "units.csv", "tokens.txt", "dictionary.txt", "manifest.json"]
    missing = [name for name in needed if not (path / name).exists()]
    if missing:
        raise TopicsError(
            f"{path}: not a built corpus (missing {', '.join(missing)}) — run `topics build --out {path}` first"
        )
    if verify:
        changed = mismatches(path)
        if changed:
            raise TopicsError(f"{path / changed[0]}: does not match the sha256 recorded when the corpus was built "
                              f"(changed, truncated or missing{' with ' + str(len(changed) - 1) + ' more' if len(changed) > 1 else ''})"
                              f" — build the corpus again (topics build, or topics run)")
    import pandas as pd

    manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    units = pd.read_csv(path / "units.csv", dtype={"unit_id": "string", "doc_id": "string"})
    return BuiltCorpus(
        path=path,
        speeches=read_speeches_csv(path / "speeches.csv"),
        units=units,
        _dictionary=dictionary if dictionary is not None else DictionaryFile(
            path / "dictionary.txt", (read_sums(path) or {}).get("dictionary.txt") if verify else None),
        content_hash=manifest["content_hash"],
    )


def corpus_from_tokens(
    unit_tokens: Sequence[Sequence[str]],
    doc_ids: Sequence[str] | None = None,
    speeches: pd.DataFrame | None = None,
    texts: dict[str, str] | None = None,
) -> BuiltCorpus:
    """An in-memory corpus from token lists, for tests and synthetic experiments.

    ``doc_ids`` maps each unit to its speech (default: one speech per unit). Missing speech
    metadata is filled with honest unknowns.

    >>> c = corpus_from_tokens([["人口", "计划生育"], ["流动人口"]])
    >>> c.n_units, len(c.dictionary)
    (2, 3)
    """
    import pandas as pd
    from gensim.corpora import Dictionary

    tokens = [list(t) for t in unit_tokens]
    if doc_ids is None:
        doc_ids = [f"doc{i}#0" for i in range(len(tokens))]
    if len(doc_ids) != len(tokens):
        raise ValueError("doc_ids must have one entry per unit")
    chunk_numbers: dict[str, int] = {}
    unit_rows = []
    for i, (doc_id, toks) in enumerate(zip(doc_ids, tokens)):
        chunk = chunk_numbers.get(doc_id, 0)
        chunk_numbers[doc_id] = chunk + 1
        unit_rows.append({"unit_id": f"{doc_id}/{chunk}", "doc_id": doc_id, "chunk": chunk,
                          "start_line": pd.NA, "end_line": pd.NA, "n_tokens": len(toks)})
    units = pd.DataFrame(unit_rows, columns=UNIT_COLUMNS)
    if speeches is None:
        order = list(dict.fromkeys(doc_ids))
        n_tokens = units.groupby("doc_id")["n_tokens"].sum()
        speeches = pd.DataFrame({
            "doc_id": order, "source_file": [d.split("#")[0] for d in order],
            "year": pd.array([pd.NA] * len(order), dtype="Int64"), "year_source": "unknown",
            "genre": "other", "admin_level": "unknown", "in_model": True,
            "n_tokens": [int(n_tokens[d]) for d in order],
        })
    dictionary = Dictionary(tokens)
    return BuiltCorpus(path=None, speeches=speeches, units=units, _dictionary=dictionary,
                       content_hash=sha256_json(tokens), _tokens=tokens, _texts=texts)
