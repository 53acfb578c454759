"""Content-addressed caches of the build, so that rebuilds redo only what changed.

One SQLite file under ``cache_dir`` holds two tables:

- ``files``: the processed result of one raw file (speeches, metadata, clean text, removals,
  repairs), keyed by the file's sha256 and the fingerprint of everything that shapes that result
  (builder code, boilerplate and repair rules, dated events, split mode, segmenter).
- ``segmentation``: where jieba's raw tokens of one speech are stored — the ``files`` entry and
  the speech's place in it — keyed by the segmenter fingerprint (jieba version + user dictionary)
  and the sha256 of the speech text. The tokens themselves are stored once, in the file's result
  (an earlier version kept a second copy of every speech's tokens here: a third of the cache's
  bytes and ~3 CPU-s of a cold build of the bench corpus). Stopwords and filters are applied
  after both caches, so changing them reuses every entry; editing a boilerplate rule re-reads the
  files but reuses the segmentation of every speech whose text did not change.

A third table, ``file_hashes``, remembers the sha256 of each input file with its size, mtime
and inode (as git's index does), so an unchanged multi-gigabyte corpus is not hashed again on
every build. A remembered hash is used only if the file was last modified at least
:data:`RACY_SECONDS` before it was hashed; a file changed within that window (same size, same
mtime tick) is always hashed again.

Nothing in the cache is a pickle: a file's result is stored as JSON and raw numpy arrays
(:func:`topics.build.stages.encode_result`), so a cache folder copied from someone else cannot run code.

Workers only read; the main process writes (SQLite's WAL mode lets readers and one writer mix).
Writes are committed in batches (every :data:`COMMIT_EVERY` puts, and on :meth:`BuildCache.close`),
not one transaction per file; a build that crashes loses at most the last batch.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import sys
import time
import zlib
from pathlib import Path
from typing import Any, Iterable

from ..common.checksums import file_sha256s


SCHEMA_VERSION = 4  # 2: results as JSON + arrays, not pickles; 3: each entry with its sha256;
# 4: segmentation rows point into the files table instead of holding a copy of the tokens
COMMIT_EVERY = 200
RACY_SECONDS = 2


class BuildCache:
    def __init__(self, cache_dir: str | Path, readonly: bool = False):
        self.path = Path(cache_dir) / f"build-cache-v{SCHEMA_VERSION}.sqlite"
        self._readonly = readonly
        self._pending = 0
        self.damaged = 0  # entries that failed their sha256 check (and were recomputed)
        try:
            self._open()
        except sqlite3.DatabaseError as exc:  # a truncated or overwritten cache file: it is only a cache
            if readonly:
                self._db = sqlite3.connect(":memory:")
                self._create()
                return
            aside = self.path.with_name(f"{self.path.name}.damaged-{int(time.time())}")
            print(f"warning: {self.path}: the build cache is damaged ({exc}) — moved to {aside.name}, starting "
                  "a new one", file=sys.stderr)
            for suffix in ("", "-wal", "-shm"):
                source = Path(f"{self.path}{suffix}")
                if source.exists():
                    os.replace(source, f"{aside}{suffix}")
            self._open()

    def _open(self) -> None:
        if self._readonly:
            self._db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=60)
            self._db.execute("SELECT count(*) FROM sqlite_master").fetchone()  # fails now on a damaged file
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, timeout=60)
        self._db.execute("PRAGMA journal_mode=WAL")
        # a cache: losing the last commits on a power cut is harmless, an fsync per commit is not free
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._create()
        self._db.execute("SELECT count(*) FROM sqlite_master").fetchone()  # fails now on a damaged file

    def _create(self) -> None:
        self._db.execute("CREATE TABLE IF NOT EXISTS files (key TEXT PRIMARY KEY, result BLOB NOT NULL, sha256 TEXT NOT NULL)")
        self._db.execute("CREATE TABLE IF NOT EXISTS segmentation (key TEXT PRIMARY KEY, file_key TEXT NOT NULL,"
                         " speech INTEGER NOT NULL)")
        self._db.execute("CREATE TABLE IF NOT EXISTS file_hashes (path TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER,"
                         " inode INTEGER, hashed_ns INTEGER, sha256 TEXT NOT NULL)")
        self._db.commit()
        self._pending = 0

    def note_damaged(self, what: str) -> None:
        self.damaged += 1
        print(f"warning: {self.path}: a cached {what} does not match its sha256 — computing it again", file=sys.stderr)

    def _written(self, n: int = 1) -> None:
        self._pending += n
        if self._pending >= COMMIT_EVERY:
            self.commit()

    def commit(self) -> None:
        """Make the writes so far durable and visible to other connections."""
        self._db.commit()
        self._pending = 0

    # -- processed files --------------------------------------------------------------------------
    def has_files(self, keys: list[str]) -> set[str]:
        """The keys among ``keys`` that have a stored result (without loading the results)."""
        found: set[str] = set()
        for start in range(0, len(keys), 500):  # SQLite limits the number of bound parameters
            batch = keys[start:start + 500]
            marks = ",".join("?" * len(batch))
            found.update(key for (key,) in self._db.execute(f"SELECT key FROM files WHERE key IN ({marks})", batch))
        return found

    def get_file_blob(self, key: str) -> bytes | None:
        """The stored bytes of a processed file (see :func:`topics.build.stages.decode_result`);
        None when absent or when they fail their sha256 check."""
        row = self._db.execute("SELECT result, sha256 FROM files WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        if hashlib.sha256(row[0]).hexdigest() != row[1]:
            self.note_damaged("file result")
            return None
        return row[0]

    # -- small JSON records (duplicate links) ---------------------------------------------------------
    def get_json(self, key: str) -> Any | None:
        blob = self.get_file_blob(key)
        if blob is None:
            return None
        try:
            return json.loads(zlib.decompress(blob).decode("utf-8"))
        except (zlib.error, ValueError):
            self.note_damaged("record")
            return None

    def put_json(self, key: str, value: Any) -> None:
        self.put_file_blob(key, zlib.compress(json.dumps(value, ensure_ascii=False).encode("utf-8"), 1))

    def put_file_blob(self, key: str, blob: bytes, sha256: str | None = None) -> None:
        """Store ``blob``; ``sha256`` is its digest when the worker that made it computed it already."""
        self._db.execute("INSERT OR REPLACE INTO files (key, result, sha256) VALUES (?, ?, ?)",
                         (key, blob, sha256 or hashlib.sha256(blob).hexdigest()))
        self._written()

    # -- segmentation of speeches -------------------------------------------------------------
    @staticmethod
    def segmentation_key(fingerprint: str, text_sha256: str) -> str:
        """The key of a speech's tokens: the segmenter's fingerprint and the sha256 of the speech text."""
        return hashlib.sha256(f"{fingerprint}\0{text_sha256}".encode("ascii")).hexdigest()

    def get_segmentations(self, keys: list[str]) -> dict[str, tuple[str, int]]:
        """``{key: (file_key, speech)}`` for the keys whose tokens are stored: speech number ``speech``
        of the ``files`` entry ``file_key`` (whose own sha256 is checked when it is read)."""
        found: dict[str, tuple[str, int]] = {}
        for start in range(0, len(keys), 500):  # SQLite limits the number of bound parameters
            batch = keys[start:start + 500]
            marks = ",".join("?" * len(batch))
            for key, file_key, speech in self._db.execute(
                    f"SELECT key, file_key, speech FROM segmentation WHERE key IN ({marks})", batch):
                found[key] = (file_key, speech)
        return found

    def put_segmentations(self, file_key: str, entries: Iterable[tuple[str, int]]) -> None:
        """Record that speech ``speech`` of the file result stored under ``file_key`` holds the
        tokens of ``key``, for each ``(key, speech)`` of ``entries``."""
        rows = [(key, file_key, speech) for key, speech in entries]
        self._db.executemany("INSERT OR REPLACE INTO segmentation (key, file_key, speech) VALUES (?, ?, ?)", rows)
        self._written()

    # -- hashes of input files ----------------------------------------------------------------
    def file_sha256s(self, paths: list[Path]) -> list[str]:
        """sha256 of each file: remembered while size, mtime and inode are unchanged, else computed."""
        known = {row[0]: row[1:] for row in self._db.execute(
            "SELECT path, size, mtime_ns, inode, hashed_ns, sha256 FROM file_hashes")}
        digests: list[str] = []
        stale = []  # (position, key, size, mtime, inode) of the files hashed now
        hashed_ns = time.time_ns()  # before reading: a write during the hashing is newer than this
        for position, path in enumerate(paths):
            key = os.path.abspath(path)
            info = os.stat(path)
            entry = known.get(key)
            if (entry is not None and entry[:3] == (info.st_size, info.st_mtime_ns, info.st_ino)
                    and info.st_mtime_ns < entry[3] - RACY_SECONDS * 10**9):
                digests.append(entry[4])
                continue
            digests.append("")  # filled in below
            stale.append((position, key, info.st_size, info.st_mtime_ns, info.st_ino))  # not the stat object: ~0.3 KB
        fresh = []
        for (position, key, size, mtime_ns, inode), digest in zip(stale, file_sha256s([paths[s[0]] for s in stale])):
            digests[position] = digest
            fresh.append((key, size, mtime_ns, inode, hashed_ns, digest))
        if fresh and not self._readonly:
            self._db.executemany("INSERT OR REPLACE INTO file_hashes VALUES (?, ?, ?, ?, ?, ?)", fresh)
            self.commit()
        return digests

    def close(self) -> None:
        if not self._readonly:
            self._db.commit()
        self._db.close()
