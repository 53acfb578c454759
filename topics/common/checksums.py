"""sha256 sums of the files of an output folder, written with them and checked before use.

Every folder topics writes — a built corpus, a fit in a run folder, a token store in the build
cache — gets a ``SHA256SUMS`` file (the format of coreutils' ``sha256sum``: ``HASH  NAME`` per
line, so ``sha256sum -c SHA256SUMS`` checks it by hand). Before a folder is used its files are
checked; what happens on a mismatch is the caller's decision: a cache entry is recomputed, a run
or corpus someone handed you is refused, naming the file.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterable

from .fileio import sha256_file

__all__ = ["SUMS", "file_sha256", "file_sha256s", "mismatches", "read_sums", "write_sums"]

SUMS = "SHA256SUMS"
HASH_BATCH = 512  # files handed to the hashing threads at once


file_sha256 = sha256_file  # one implementation, in topics.common.fileio


def file_sha256s(paths: list[Path]) -> list[str]:
    """:func:`file_sha256` of each path, several files at once.

    hashlib and file reads release the GIL, so threads hash on every core: a built corpus's ~90 MB
    (0.4 s for one thread here) take half that on two cores.
    """
    if len(paths) < 2:
        return [file_sha256(path) for path in paths]
    digests: list[str] = []
    with ThreadPoolExecutor(max_workers=min(len(paths), os.cpu_count() or 1, 4)) as pool:
        # a batch at a time: map() makes a future for every item at once (~1 KB each, 10^5 inputs)
        for start in range(0, len(paths), HASH_BATCH):
            digests.extend(pool.map(file_sha256, paths[start:start + HASH_BATCH]))
    return digests


def write_sums(folder: str | Path, names: Iterable[str] | None = None,
               known: dict[str, str] | None = None) -> dict[str, str]:
    """Write ``folder/SHA256SUMS`` for ``names`` (default: every file in the folder tree but hidden
    ones and the sums file itself); return ``{name: sha256}``.

    ``known``: digests the caller already has for some of the names (a file copied byte for byte
    from a folder whose sums were just checked); they are taken as they are.
    """
    folder = Path(folder)
    if names is None:
        names = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                       if p.is_file() and p.name != SUMS and not p.name.startswith("."))
    known = known or {}
    names = sorted(names)
    todo = [name for name in names if name not in known]
    computed = dict(zip(todo, file_sha256s([folder / name for name in todo])))
    sums = {name: known[name] if name in known else computed[name] for name in names}
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
    names = sorted(sums) if names is None else list(names)
    present = [name for name in names if name in sums and (folder / name).is_file()]
    digests = dict(zip(present, file_sha256s([folder / name for name in present])))
    return [name for name in names if digests.get(name) != sums.get(name, "")]
