"""sha256 sums of the files of an output folder, written with them and checked before use.

Every folder topics writes — a built corpus, a fit in a run folder, a token store in the build
cache — gets a ``SHA256SUMS`` file (the format of coreutils' ``sha256sum``: ``HASH  NAME`` per
line, so ``sha256sum -c SHA256SUMS`` checks it by hand). Before a folder is used its files are
checked; what happens on a mismatch is the caller's decision: a cache entry is recomputed, a run
or corpus someone handed you is refused, naming the file.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Iterable

__all__ = ["SUMS", "file_sha256", "mismatches", "write_sums"]

SUMS = "SHA256SUMS"


def file_sha256(path: str | Path, chunk_size: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(chunk_size), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_sums(folder: str | Path, names: Iterable[str] | None = None) -> dict[str, str]:
    """Write ``folder/SHA256SUMS`` for ``names`` (default: every file in the folder tree but hidden
    ones and the sums file itself); return ``{name: sha256}``."""
    folder = Path(folder)
    if names is None:
        names = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                       if p.is_file() and p.name != SUMS and not p.name.startswith("."))
    sums = {name: file_sha256(folder / name) for name in sorted(names)}
    (folder / SUMS).write_text("".join(f"{digest}  {name}\n" for name, digest in sums.items()), encoding="utf-8")
    return sums


def read_sums(folder: str | Path) -> dict[str, str] | None:
    """``{name: sha256}`` from ``folder/SHA256SUMS``, or None when there is none or it is unreadable."""
    try:
        text = (Path(folder) / SUMS).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    sums = {}
    for line in text.splitlines():
        digest, _, name = line.partition("  ")
        if len(digest) != 64 or not name:
            return None
        sums[name] = digest
    return sums


def mismatches(folder: str | Path, names: Iterable[str] | None = None) -> list[str]:
    """The files of ``folder`` that do not match its ``SHA256SUMS`` (missing, truncated, edited).

    ``names``: check only these (each must be listed); default: every listed file. A folder
    without a readable sums file mismatches as ``SHA256SUMS`` itself.
    """
    folder = Path(folder)
    sums = read_sums(folder)
    if sums is None:
        return [SUMS]
    bad = []
    for name in (sorted(sums) if names is None else names):
        path = folder / name
        if name not in sums or not path.is_file() or file_sha256(path) != sums[name]:
            bad.append(name)
    return bad
