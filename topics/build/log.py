"""What a build saw and did, collected as it runs; becomes ``report.md`` / ``report.json``.

The entries that come once per file or per speech (inputs, boilerplate removals, text in no
speech, repairs, duplicates) go to a :class:`Spool`: JSON lines in an anonymous temporary file,
read back in order as often as needed. So the main process holds a few counts for them, not a
list as long as the corpus (at 10^5 files the inputs alone were ~40 MB of dicts). The rest
(skipped files, notes, overrides, timings, cache use) is short and stays in memory.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from typing import IO, Any, Iterable, Iterator

__all__ = ["BuildLog", "Spool"]

# one encoder for every entry: json.dumps with options makes a new encoder each call (2x slower)
_ENCODE = json.JSONEncoder(ensure_ascii=False, default=str).encode
_DECODE = json.JSONDecoder().decode


class Spool:
    """A list of JSON values kept on disk: ``append``, ``extend``, ``len``, and iteration in order
    (again and again; entries appended meanwhile are seen, as in a list).

    An entry reads back as ``json.loads(json.dumps(entry))`` — what the build log always was once
    it had been through the token store's ``log.json`` (tuples become lists, keys strings).
    """

    BUFFER = 512  # entries kept in memory before they are written
    BLOCK = 1 << 16  # bytes read at a time

    def __init__(self, entries: Iterable[Any] = ()):
        self._file: IO[bytes] | None = None
        self._pending: list[str] = []
        self._count = 0
        self.extend(entries)

    def append(self, entry: Any) -> None:
        self._pending.append(_ENCODE(entry))
        self._count += 1
        if len(self._pending) >= self.BUFFER:
            self._flush()

    def extend(self, entries: Iterable[Any]) -> None:
        for entry in entries:
            self.append(entry)

    def __len__(self) -> int:
        return self._count

    def __bool__(self) -> bool:
        return self._count > 0

    def __iter__(self) -> Iterator[Any]:
        return map(_DECODE, self.lines())

    def __repr__(self) -> str:
        return f"Spool({self._count} entries)"

    def lines(self) -> Iterator[str]:
        """Each entry's JSON text (``json.dumps(entry, ensure_ascii=False)``), in order."""
        position, rest = 0, b""
        while True:
            self._flush()
            if self._file is None:
                return
            self._file.seek(position)
            block = self._file.read(self.BLOCK)
            self._file.seek(0, os.SEEK_END)  # appends go to the end, whatever was read
            if not block:
                return
            position += len(block)
            *whole, rest = (rest + block).split(b"\n")
            for line in whole:
                yield line.decode("utf-8")

    def _flush(self) -> None:
        if not self._pending:
            return
        if self._file is None:
            self._file = tempfile.TemporaryFile()  # no name: gone when closed, or when the process ends
        self._file.write(("\n".join(self._pending) + "\n").encode("utf-8"))
        self._pending = []

    def close(self) -> None:
        """Delete the entries (the spool is empty afterwards)."""
        if self._file is not None:
            self._file.close()
        self._file, self._pending, self._count = None, [], 0

    def __del__(self) -> None:
        self.close()


@dataclass
class BuildLog:
    """The build's record: inputs, skipped files, removals, repairs, duplicates, notes, timings, cache use.

    ``inputs``, ``removals``, ``structure``, ``repairs`` and ``duplicates`` are :class:`Spool` s
    (a list assigned to one of them is taken as it is: a list iterates the same way).
    """

    inputs: Spool = field(default_factory=Spool)
    skipped: list[dict[str, str]] = field(default_factory=list)
    removals: Spool = field(default_factory=Spool)
    structure: Spool = field(default_factory=Spool)
    repairs: Spool = field(default_factory=Spool)
    duplicates: Spool = field(default_factory=Spool)
    overrides: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    cache: dict[str, Any] = field(default_factory=lambda: {"files_cached": 0, "files_read": 0, "hits": 0, "misses": 0})
    execution: dict[str, Any] = field(default_factory=dict)
    resources: dict[str, Any] = field(default_factory=dict)

    _STAGE1 = ("inputs", "skipped", "removals", "structure", "repairs", "duplicates", "overrides", "notes")
    _SPOOLED = ("inputs", "removals", "structure", "repairs", "duplicates")

    def stage1_state(self) -> dict[str, Any]:
        """What stage 1 logged, to keep with the token store (as lists: read back from the spools)."""
        return {name: list(getattr(self, name)) for name in self._STAGE1}

    def restore(self, state: dict[str, Any]) -> None:
        """Take over what stage 1 logged (when the token store comes from the cache, or was just
        built): the long lists go to spools, so ``state`` need not be kept."""
        for name in self._STAGE1:
            entries = state.get(name, [])
            if name in self._SPOOLED:
                old = getattr(self, name)
                setattr(self, name, Spool(entries))
                if isinstance(old, Spool):
                    old.close()
            else:
                setattr(self, name, list(entries))

    def close(self) -> None:
        """Delete the spooled entries (the log is done with)."""
        for name in self._SPOOLED:
            entries = getattr(self, name)
            if isinstance(entries, Spool):
                entries.close()
