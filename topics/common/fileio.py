"""Atomic files and folders, and content hashing.

Every artifact is written to a temporary file (or folder) beside its destination and renamed
into place, so an interrupted command never leaves a half-written output.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import IO, Any, Iterator

from .outputs import remove_stale_temporaries


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


#: the process's umask, read once: files and folders we create get the permissions the user's
#: umask gives (mkstemp/mkdtemp alone would make them private: 0600/0700)
UMASK = _umask()


def temporary_file(folder: Path, prefix: str) -> Path:
    """A new empty file ``PREFIX PID.*.tmp`` in ``folder``, with the permissions of an ordinary file.

    The process id lets a later start remove what a killed process left (topics.common.outputs).
    """
    fd, tmp = tempfile.mkstemp(prefix=f"{prefix}{os.getpid()}.", suffix=".tmp", dir=folder)
    os.close(fd)
    os.chmod(tmp, 0o666 & ~UMASK)
    return Path(tmp)


def temporary_folder(folder: Path, prefix: str) -> Path:
    """A new empty folder ``PREFIX PID.*.tmp`` in ``folder``, with the permissions of an ordinary folder."""
    tmp = Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}.", suffix=".tmp", dir=folder))
    os.chmod(tmp, 0o777 & ~UMASK)
    return tmp


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path; on success rename it to ``path``; on error remove it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(path.parent, path.name)
    tmp_path = temporary_file(path.parent, f".{path.name}.")
    try:
        yield tmp_path
        os.replace(tmp_path, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()
        raise


@contextlib.contextmanager
def atomic_open(path: str | Path, mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO[Any]]:
    """Open a temporary file for writing; it replaces ``path`` only when the block succeeds."""
    if "b" in mode:
        encoding = None
    with atomic_path(path) as tmp:
        newline = None if "b" in mode else "\n"
        with open(tmp, mode, encoding=encoding, newline=newline) as handle:
            yield handle


@contextlib.contextmanager
def staging_folder(target: str | Path) -> Iterator[Path]:
    """Yield a new hidden folder beside ``target``; on success it replaces ``target``, on error it is removed.

    The old ``target`` (if any) is moved aside and deleted only after the new folder is in place,
    so a reader sees either the old folder or the new one, never a half-written one.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(target.parent, target.name)
    staging = temporary_folder(target.parent, f".{target.name}.")
    try:
        yield staging
        replace_folder(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def replace_folder(new: Path, target: Path) -> None:
    """Swap the finished folder ``new`` into place as ``target``; the old one is removed after the swap."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.replace(target, old)
    os.replace(new, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def write_text(path: str | Path, text: str) -> None:
    with atomic_open(path) as handle:
        handle.write(text)


def write_json(path: str | Path, data: Any) -> None:
    """Write JSON deterministically (sorted keys, UTF-8, trailing newline)."""
    write_text(path, json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n")


def dumps_readable(value: Any, sort_keys: bool = False, default: Any = None, depth: int = 2, _level: int = 0) -> str:
    """JSON with the outer ``depth`` levels indented and each deeper value on one line.

    As readable as ``indent=2`` for big records (one list entry per line, easy to grep) while
    the deeper values go through json's C encoder, which ``indent`` turns off.
    """
    pad, inner = "  " * _level, "  " * (_level + 1)
    if _level < depth and isinstance(value, dict) and value:
        items = sorted(value.items()) if sort_keys else list(value.items())
        body = ",\n".join(f"{inner}{json.dumps(key if isinstance(key, str) else str(key), ensure_ascii=False)}: "
                          f"{dumps_readable(item, sort_keys, default, depth, _level + 1)}" for key, item in items)
        return "{\n" + body + "\n" + pad + "}"
    if _level < depth and isinstance(value, (list, tuple)) and value:
        body = ",\n".join(inner + dumps_readable(item, sort_keys, default, depth, _level + 1) for item in value)
        return "[\n" + body + "\n" + pad + "]"
    return json.dumps(value, ensure_ascii=False, sort_keys=sort_keys, default=default)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | Path) -> str:
    # file_digest reads into one reused buffer: reading 1 MB chunks allocated a 1 MB bytes object
    # per file, even for a 2 KB file, and with threads hashing 10^5 files that grew the heap by ~0.3 GB
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def sha256_json(data: Any) -> str:
    """Hash of a JSON-serialisable value, independent of key order."""
    payload = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return sha256_bytes(payload.encode("utf-8"))
