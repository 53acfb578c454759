"""Find input files and read them into text: the first stage of the build.

    raw files ─ingest─▶ SourceText ─boilerplate─▶ ...

Which files are read, and how, is the reader registry's business (:mod:`topics.build.readers`):
inside a folder, every file with a registered suffix is read; anything else is listed with the
reason it was skipped. Line numbers are sacred: ``"\\r\\n"`` and ``"\\r"`` become ``"\\n"`` and
nothing else is touched, so line *n* of the file is ``source.lines()[n - 1]``. (``str.splitlines``
would also split on ``\\x1c``, ``\\u2028`` and others, so it is never used.)

Examples
--------
>>> for path, name in discover(["corpus/raw"]):                 # doctest: +SKIP
...     print(name, read_source(path, name).encoding)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from ..common.fileio import sha256_bytes
from ..errors import InputFileError
from .readers import READERS, reader_for, supported_suffixes

__all__ = ["SourceText", "discover", "read_source"]


@dataclass(frozen=True)
class SourceText:
    """A decoded input file.

    Attributes
    ----------
    name : source file as reported: path relative to the input folder it was found in (posix).
    path : where the file was read from.
    encoding : codec used: ``utf-8``, ``utf-8-sig``, ``gb18030``, ``big5``, ``utf-16``, ``docx``, …
    text : decoded text; ``"\\r\\n"``/``"\\r"`` normalised to ``"\\n"``; BOM removed.
    sha256 : hash of the raw bytes (provenance, cache keys).
    """

    name: str
    path: Path
    encoding: str
    text: str
    sha256: str

    def lines(self) -> list[str]:
        """The file's lines: line number *n* is ``lines()[n - 1]``."""
        return self.text.split("\n")


# --------------------------------------------------------------------------------------------
# Finding files
# --------------------------------------------------------------------------------------------


def discover(paths: str | Path | Iterable[str | Path]) -> list[tuple[Path, str]]:
    """List the input files under ``paths`` as ``(path, name)`` pairs.

    Parameters
    ----------
    paths : a file or folder, or several. Folders are searched recursively; inside a folder,
        files without a registered reader (:data:`topics.build.readers.READERS`), hidden files (``.name``) and
        Word lock files (``~$name.docx``) are ignored. A file named directly must have a
        supported suffix.

    Returns
    -------
    ``(path, name)`` pairs: folders in the order given, files inside a folder sorted by name.
    ``name`` is the path relative to the folder given (posix separators), or the file name for a
    file given directly. A file reached twice is listed once.

    Raises
    ------
    InputFileError
        A path does not exist, or a file named directly has an unsupported suffix.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    found: list[tuple[Path, str]] = []
    seen: set[tuple[int, int]] = set()  # (device, inode): a file reached twice is listed once
    for given in map(Path, paths):
        if given.is_dir():
            candidates = _files_in_folder(given)
        elif given.is_file():
            if reader_for(given) is None:
                raise InputFileError(
                    given,
                    f"unsupported file type {given.suffix or '(no suffix)'!r}",
                    f"give {_suffix_list()} files, or a folder holding them",
                )
            candidates = [(given, given.name)]
        else:
            raise InputFileError(given, "no such file or folder", "check the path (corpus.raw in the config)")
        for path, name in candidates:
            info = os.stat(path)
            key = (info.st_dev, info.st_ino)
            if key not in seen:
                seen.add(key)
                found.append((path, name))
    return found


def _files_in_folder(folder: Path) -> list[tuple[Path, str]]:
    """The candidate files under ``folder`` (see :func:`_is_candidate`), sorted by relative name."""
    candidates = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = [name for name in dirs if not name.startswith(".")]  # hidden folders are skipped whole
        relative_root = os.path.relpath(root, folder)
        prefix = "" if relative_root == "." else relative_root.replace(os.sep, "/") + "/"
        for name in files:
            if not _is_candidate(name):
                continue
            path = os.path.join(root, name)
            if os.path.isfile(path):  # follows links; not a broken link, fifo or socket
                candidates.append((Path(path), prefix + name))
    candidates.sort(key=lambda pair: pair[1])
    return candidates


# A folder's own documentation (README.md beside the documents, as in most published corpora) is
# not a document. Name such a file directly to read it anyway.
FOLDER_DOCUMENTATION = frozenset({"readme", "license", "licence", "changelog", "contributing", "citation"})


def _is_candidate(name: str) -> bool:
    """A file inside an input folder (not in a hidden folder) is read when it has a supported
    suffix, is not hidden and is not the folder's documentation (README, LICENSE, CHANGELOG, …)."""
    if name.startswith(".") or name.startswith("~$"):  # hidden, or Word's lock file beside an open document
        return False
    stem, suffix = os.path.splitext(name)
    return stem.lower() not in FOLDER_DOCUMENTATION and suffix.lower() in READERS


# --------------------------------------------------------------------------------------------
# Reading one file
# --------------------------------------------------------------------------------------------


def read_source(path: str | Path, name: str | None = None) -> SourceText:
    """Read and decode one input file.

    Parameters
    ----------
    path : the file (a suffix with a registered reader).
    name : name to report (default: the file name).

    Raises
    ------
    InputFileError
        The file cannot be read, is empty, is binary, or cannot be decoded; the message says
        ``path: what is wrong — what to do``.
    """
    path = Path(path)
    name = path.name if name is None else name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputFileError(path, f"cannot read the file ({exc.strerror or exc})", "check that it exists and is readable") from exc
    if not data:
        raise InputFileError(path, "the file is empty", "remove it from the input folder or fill it")
    reader = reader_for(path)
    if reader is None:
        raise InputFileError(path, f"unsupported file type {path.suffix or '(no suffix)'!r}",
                             f"give {_suffix_list()} files")
    text, encoding = reader.read(path, data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InputFileError(path, "the file holds no text (only white space)", "remove it from the input folder")
    return SourceText(name=name, path=path, encoding=encoding, text=text, sha256=sha256_bytes(data))


def _suffix_list() -> str:
    suffixes = supported_suffixes()
    return ", ".join(suffixes[:-1]) + " or " + suffixes[-1] if len(suffixes) > 1 else suffixes[0]
