"""A content-addressed cache of jieba segmentation, so rebuilds do not segment again.

Keys are the sha256 of the segmenter fingerprint (jieba version + user dictionary) and the
speech text; values are the raw tokens per line. Stopwords and filters are applied after the
cache, so changing them reuses every entry. One SQLite file per fingerprint under ``cache_dir``.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Iterable


class SegmentationCache:
    """Map speech text → segmented lines (a str of space-joined tokens, one line per input line)."""

    def __init__(self, cache_dir: Path, fingerprint: str):
        cache_dir.mkdir(parents=True, exist_ok=True)
        self.fingerprint = fingerprint
        self.path = cache_dir / f"segmentation-{fingerprint[:16]}.sqlite"
        self._db = sqlite3.connect(self.path)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS seg (key TEXT PRIMARY KEY, tokens TEXT NOT NULL)")

    def key(self, text: str) -> str:
        return hashlib.sha256(f"{self.fingerprint}\0{text}".encode("utf-8")).hexdigest()

    def get_many(self, keys: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for start in range(0, len(keys), 500):  # SQLite limits the number of bound parameters
            batch = keys[start:start + 500]
            marks = ",".join("?" * len(batch))
            found.update(self._db.execute(f"SELECT key, tokens FROM seg WHERE key IN ({marks})", batch))
        return found

    def put_many(self, entries: Iterable[tuple[str, str]]) -> None:
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO seg (key, tokens) VALUES (?, ?)", entries)

    def close(self) -> None:
        self._db.close()
