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
import stat
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence, overload

from ..common.fileio import sha256_bytes
from ..errors import InputFileError
from .readers import READERS, reader_for, supported_suffixes

__all__ = ["InputFiles", "SkippedInput", "SourceText", "Survey", "discover", "read_source", "survey"]


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


@dataclass(frozen=True)
class SkippedInput:
    """A file found in an input folder and not read, with the reason (listed in the build report).

    ``problem`` is False for what is left out on purpose (hidden files, a folder's README, Word's
    lock files) and True for a file that should have been a document but cannot be read (an
    unsupported type, a broken link): ``--strict`` makes those errors.
    """

    name: str
    path: Path
    reason: str
    problem: bool


class InputFiles(Sequence[tuple[Path, str]]):
    """The files to read, as ``(path, name)`` pairs, kept as the folder each was found in and its
    name: a pair (and its Path) is made when it is read.

    A corpus of 10^5 files held a Path per file (~0.5 KB each with its parts); this holds the
    names (~0.1 KB a file).
    """

    def __init__(self) -> None:
        self._folders: list[Path] = []
        self._folder_of = array("I")  # per file: its folder's position in _folders
        self._names: list[str] = []

    def add(self, folder: Path, name: str) -> None:
        """Add the file ``folder / name`` (``name``: as reported, relative to ``folder``)."""
        if not self._folders or self._folders[-1] != folder:
            self._folders.append(folder)
        self._folder_of.append(len(self._folders) - 1)
        self._names.append(name)

    def __len__(self) -> int:
        return len(self._names)

    @overload
    def __getitem__(self, index: int) -> tuple[Path, str]: ...

    @overload
    def __getitem__(self, index: slice) -> list[tuple[Path, str]]: ...

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        name = self._names[index]
        return self._folders[self._folder_of[index]] / name, name

    def __iter__(self) -> Iterator[tuple[Path, str]]:
        folders = self._folders
        return ((folders[where] / name, name) for where, name in zip(self._folder_of, self._names))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, (InputFiles, list, tuple)):
            return NotImplemented
        return len(self) == len(other) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"InputFiles({len(self)} files)"


@dataclass(frozen=True)
class Survey:
    """Every file under the input paths: the ones to read, and the ones skipped with a reason."""

    found: InputFiles
    skipped: list[SkippedInput]


def discover(paths: str | Path | Iterable[str | Path]) -> list[tuple[Path, str]]:
    """The input files to read under ``paths``, as ``(path, name)`` pairs (see :func:`survey`)."""
    return list(survey(paths).found)


def survey(paths: str | Path | Iterable[str | Path], metadata: str | Path | None = None) -> Survey:
    """Account for every file under ``paths``: the ones to read, and the others with the reason.

    Parameters
    ----------
    paths : a file or folder, or several. Folders are searched recursively. Inside a folder a file
        is read when a reader is registered for its suffix (:data:`topics.build.readers.READERS`);
        hidden files and folders, Word lock files (``~$name.docx``) and the folder's own
        documentation (README, LICENSE, …) are skipped on purpose; files of other types, broken
        links and special files are skipped as problems. A file named directly must be readable.
    metadata : the build's metadata table (``corpus.metadata``); published corpora keep it beside
        the documents, so inside an input folder it is listed as read for metadata, not warned about.

    Returns
    -------
    :class:`Survey`: ``found`` pairs ``(path, name)`` (:class:`InputFiles`) — folders in the order
    given, files inside a folder sorted by name; ``name`` is the path relative to the folder given (posix separators),
    or the file name for a file given directly; a file reached twice is listed once.

    Raises
    ------
    InputFileError
        A path does not exist, or a file named directly cannot be read (unsupported type).
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    found = InputFiles()
    skipped: list[SkippedInput] = []
    seen: set[tuple[int, int]] = set()  # (device, inode): a file reached twice is listed once
    table = Path(metadata).resolve() if metadata else None
    for given in map(Path, paths):
        if given.is_dir():
            folder = given
            listed, left_out = _files_in_folder(given)
            skipped.extend(SkippedInput(item.name, item.path, METADATA_REASON, False)
                           if table is not None and item.path.resolve() == table else item for item in left_out)
        elif given.is_file():
            reason = _unreadable_type(given.name)
            if reason is not None:
                raise InputFileError(given, reason[0], reason[1])
            info = os.stat(given)
            folder, listed = given.parent, [(given.name, (info.st_dev, info.st_ino))]
        else:
            problem = "a broken link" if given.is_symlink() else "no such file or folder"
            raise InputFileError(given, problem, "check the path (corpus.raw in the config)")
        for name, key in listed:
            if key not in seen:
                seen.add(key)
                found.add(folder, name)
    return Survey(found, skipped)


def _files_in_folder(folder: Path) -> tuple[list[tuple[str, tuple[int, int]]], list[SkippedInput]]:
    """The files to read under ``folder`` (their names relative to it, sorted, each with its
    (device, inode)), and the ones left out with why.

    Walks as ``os.walk`` does (links to folders are not followed), with one ``stat`` per file:
    a directory entry's own, which the reasons and the (device, inode) share.
    """
    candidates, skipped = [], []
    pending = [(os.fspath(folder), "")]
    while pending:
        root, prefix = pending.pop()
        try:
            with os.scandir(root) as listing:
                entries = list(listing)
        except OSError as exc:
            skipped.append(SkippedInput(prefix or "./", Path(root), f"folder cannot be listed ({exc.strerror or exc}) "
                                        "— check its permissions", True))
            continue
        for entry in entries:
            name = entry.name
            if _is_dir(entry):
                if name.startswith("."):  # hidden folders are skipped whole
                    skipped.append(SkippedInput(f"{prefix}{name}/", Path(entry.path), "hidden folder — not searched", False))
                elif not entry.is_symlink():
                    pending.append((entry.path, f"{prefix}{name}/"))
                continue
            reason, key = _left_out(entry)
            if reason is None:
                candidates.append((prefix + name, key))
            else:
                skipped.append(SkippedInput(prefix + name, Path(entry.path), *reason))
    candidates.sort()
    skipped.sort(key=lambda item: item.name)
    return candidates, skipped


def _is_dir(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


METADATA_REASON = "the metadata table (corpus.metadata) — read for the speeches' metadata, not a document"

# A folder's own documentation (README.md beside the documents, as in most published corpora) is
# not a document. Name such a file directly to read it anyway.
FOLDER_DOCUMENTATION = frozenset({"readme", "license", "licence", "changelog", "contributing", "citation"})


def _left_out(entry: os.DirEntry) -> tuple[tuple[str, bool] | None, tuple[int, int] | None]:
    """Why a file inside an input folder is not read ((reason, is a problem)), or None to read it;
    and the file's (device, inode) when it exists."""
    name = entry.name
    if name.startswith("."):
        return ("hidden file — not read (rename it without the leading dot to include it)", False), None
    if name.startswith("~$"):
        return ("Word's lock file beside an open document — not a document", False), None
    try:
        info = entry.stat()  # of the target, for a link
    except OSError:
        target = os.readlink(entry.path) if entry.is_symlink() else "?"
        return (f"broken link (its target {target} does not exist) — fix or remove the link", True), None
    key = (info.st_dev, info.st_ino)
    if not stat.S_ISREG(info.st_mode):
        return ("not a regular file (a pipe, socket or device) — remove it from the input folder", True), key
    stem, _ = os.path.splitext(name)
    if stem.lower() in FOLDER_DOCUMENTATION and reader_for(Path(entry.path)) is not None:
        return ("the folder's own documentation — not a document (name the file directly to read it)", False), key
    unreadable = _unreadable_type(name)
    if unreadable is not None:
        return (f"{unreadable[0]} — {unreadable[1]}", True), key
    return None, key


#: file types people keep beside their documents that no reader handles, with what to do
_CONVERT = {".doc": "open it in Word or LibreOffice and save it as .docx",
            ".wps": "open it in WPS or LibreOffice and save it as .docx",
            ".rtf": "save it as .docx or UTF-8 .txt"}


def _unreadable_type(name: str) -> tuple[str, str] | None:
    """(problem, advice) when no reader is registered for the file's suffix, else None."""
    suffix = Path(name).suffix.lower()
    if suffix in READERS:
        return None
    if suffix in _CONVERT:
        return f"{suffix} files cannot be read", _CONVERT[suffix]
    return (f"unsupported file type {suffix or '(no suffix)'!r}",
            f"give {_suffix_list()} files, or convert it to one of them")


# --------------------------------------------------------------------------------------------
# Reading one file
# --------------------------------------------------------------------------------------------


def read_source(path: str | Path, name: str | None = None, data: bytes | None = None) -> SourceText:
    """Read and decode one input file.

    Parameters
    ----------
    path : the file (a suffix with a registered reader).
    name : name to report (default: the file name).
    data : the file's bytes, when they were read elsewhere (a worker that cannot see ``path``).

    Raises
    ------
    InputFileError
        The file cannot be read, is empty, is binary, or cannot be decoded; the message says
        ``path: what is wrong — what to do``.
    """
    path = Path(path)
    name = path.name if name is None else name
    try:
        data = path.read_bytes() if data is None else data
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
