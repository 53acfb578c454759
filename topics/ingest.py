"""Find input files, detect their encoding, decode them; skip unusable files with a reason.

This is the first stage of the corpus build (see ``docs/ARCHITECTURE.md``)::

    corpus/raw/* ─ingest─▶ SourceText ─boilerplate─▶ ...

Encoding detection is deterministic and explained, because a wrong guess silently turns a
speech into mojibake that then looks like a topic. The order of evidence is:

1. a byte-order mark (UTF-8, UTF-16 LE/BE);
2. NUL bytes → UTF-16 without BOM if one byte order gives plausible text, else binary (refused);
3. strict UTF-8 (almost never decodes by accident);
4. GB18030 and Big5, both tried strictly; when both decode, the one whose text has the larger
   share of *common* characters wins (see :func:`_common_share`);
5. charset-normalizer, only as a last resort, only for Unicode/Chinese codecs, and only when
   the result is mostly common Chinese characters.

Decoded text with many control characters is refused as binary whatever the codec.

Line numbers are sacred: ``"\\r\\n"`` and ``"\\r"`` become ``"\\n"`` and nothing else is touched,
so line *n* of the file is ``source.lines()[n - 1]``. (``str.splitlines`` would also split on
``\\x1c``, ``\\u2028`` and others, so it is never used.)

Examples
--------
>>> from topics.ingest import ingest, SourceText
>>> for item in ingest(["corpus/raw"]):                      # doctest: +SKIP
...     print(item.name, item.encoding if isinstance(item, SourceText) else item.reason)
"""

from __future__ import annotations

import codecs
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from .errors import InputFileError
from .fileio import sha256_bytes

__all__ = ["SUPPORTED_SUFFIXES", "SourceText", "SkippedFile", "discover", "read_source", "ingest"]

logger = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".txt", ".md", ".docx")

# Share of control characters (other than tab/newline/form feed) above which a decoded file
# is treated as binary. Real text has none or a handful; binary data has ~10 %.
_MAX_CONTROL_SHARE = 0.05
_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v")
_SAVE_AS_UTF8 = "open it in a text editor and save it as UTF-8, or remove it from the input folder"
# Codecs accepted from charset-normalizer's guess (normalised name on the right).
_FALLBACK_CODECS = {
    "utf_16_le": "utf-16-le", "utf_16_be": "utf-16-be", "utf_32": "utf-32",
    "utf_32_le": "utf-32-le", "utf_32_be": "utf-32-be",
    "gb18030": "gb18030", "gbk": "gb18030", "gb2312": "gb18030", "hz": "hz",
    "big5": "big5", "cp950": "cp950", "big5hkscs": "big5hkscs",
}
# Share of common characters (see _common_share) a charset-normalizer guess must reach.
_MIN_FALLBACK_SHARE = 0.5
# Share of plausible characters (see _plausible_share) that BOM-less UTF-16 must reach.
_MIN_UTF16_SHARE = 0.9
# Full-width punctuation that a correct decoding of Chinese text produces often.
_COMMON_PUNCTUATION = frozenset("，。、；：？！“”‘’（）《》…—·")


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


@dataclass(frozen=True)
class SkippedFile:
    """An input file that could not be used, and why (listed in the build report)."""

    name: str
    path: Path
    reason: str


# --------------------------------------------------------------------------------------------
# Finding files
# --------------------------------------------------------------------------------------------


def discover(paths: str | Path | Iterable[str | Path]) -> list[tuple[Path, str]]:
    """List the input files under ``paths`` as ``(path, name)`` pairs.

    Parameters
    ----------
    paths : a file or folder, or several. Folders are searched recursively; inside a folder,
        files with other suffixes than :data:`SUPPORTED_SUFFIXES`, hidden files (``.name``) and
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
            if given.suffix.lower() not in SUPPORTED_SUFFIXES:
                raise InputFileError(
                    given,
                    f"unsupported file type {given.suffix or '(no suffix)'!r}",
                    "give .txt, .md or .docx files, or a folder holding them",
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
    return stem.lower() not in FOLDER_DOCUMENTATION and suffix.lower() in SUPPORTED_SUFFIXES


# --------------------------------------------------------------------------------------------
# Reading one file
# --------------------------------------------------------------------------------------------


def read_source(path: str | Path, name: str | None = None) -> SourceText:
    """Read and decode one input file.

    Parameters
    ----------
    path : the file (.txt, .md or .docx).
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
    if path.suffix.lower() == ".docx":
        text, encoding = _read_docx(path), "docx"
    else:
        text, encoding = decode_bytes(data, path)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InputFileError(path, "the file holds no text (only white space)", "remove it from the input folder")
    return SourceText(name=name, path=path, encoding=encoding, text=text, sha256=sha256_bytes(data))


def decode_bytes(data: bytes, path: str | Path = "<bytes>") -> tuple[str, str]:
    """Decode the bytes of a text file; return ``(text, encoding)``.

    The BOM is removed. See the module docstring for the order of evidence.

    Raises
    ------
    InputFileError
        Binary data (NUL bytes outside UTF-16, many control characters) or no supported
        encoding decodes the bytes.
    """
    # 1. Byte-order marks are explicit evidence, so they come first.
    if data.startswith(codecs.BOM_UTF8):
        return _checked(_strict(data, "utf-8-sig", path), "utf-8-sig", path)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _checked(_strict(data, "utf-16", path), "utf-16", path)
    # 2. NUL bytes: UTF-16 without a BOM (一 is U+4E00) if one byte order gives plausible text,
    #    otherwise binary data.
    if b"\x00" in data:
        for encoding in ("utf-16-le", "utf-16-be"):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            if _plausible_share(text) >= _MIN_UTF16_SHARE:
                return _checked(text, encoding, path)
        raise InputFileError(path, "the file looks binary (it contains NUL bytes)", _SAVE_AS_UTF8)
    # 3. Strict UTF-8: multi-byte sequences almost never validate by accident.
    try:
        return _checked(data.decode("utf-8"), "utf-8", path)
    except UnicodeDecodeError:
        pass
    # 4. The two Chinese legacy encodings, decided on content.
    candidates = []
    for encoding in ("gb18030", "big5"):
        try:
            candidates.append((encoding, data.decode(encoding)))
        except UnicodeDecodeError:
            continue
    if candidates:
        # max() keeps the first of equal scores, so a tie goes to gb18030 (mainland sources).
        encoding, text = max(candidates, key=lambda pair: _common_share(pair[1]))
        return _checked(text, encoding, path)
    # 5. Last resort: charset-normalizer, restricted to codecs that make sense for Chinese text.
    return _checked(*_fallback(data, path), path)


def _strict(data: bytes, encoding: str, path: str | Path) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputFileError(
            path,
            f"the file starts with a {encoding} byte-order mark but byte {exc.start} is not valid {encoding}",
            _SAVE_AS_UTF8,
        ) from exc


# Unicode category Cc (C0, DEL, C1 controls) minus the allowed whitespace controls.
_CONTROL_CHARS = re.compile("[" + "".join(
    re.escape(chr(c)) for c in [*range(0x20), *range(0x7F, 0xA0)] if chr(c) not in _ALLOWED_CONTROLS) + "]")


def _checked(text: str, encoding: str, path: str | Path) -> tuple[str, str]:
    """Refuse decoded text that is mostly control characters (binary data that happened to decode)."""
    controls = len(_CONTROL_CHARS.findall(text))  # a regex: a per-character loop costs seconds on big corpora
    if text and controls / len(text) > _MAX_CONTROL_SHARE:
        raise InputFileError(
            path,
            f"the file looks binary ({controls} of {len(text)} characters are control characters)",
            _SAVE_AS_UTF8,
        )
    return text, encoding


def _common_share(text: str) -> float:
    """Share of non-ASCII characters that are common Chinese characters or punctuation.

    "Common" means GB2312 level 1 (the 3,755 most frequent simplified characters, first bytes
    0xB0–0xD7) or Big5 level 1 (the 5,401 frequent traditional characters, 0xA440–0xC67E), plus
    full-width punctuation. Decoding the bytes with the wrong one of GB18030/Big5 yields rare
    characters, symbols and kana, so the right codec scores near 1 and the wrong one far lower;
    scoring both candidates with the same yardstick keeps the choice symmetric.
    """
    non_ascii = [char for char in text if ord(char) > 0x7F]
    if not non_ascii:
        return 0.0
    return sum(1 for char in non_ascii if _is_common(char)) / len(non_ascii)


def _plausible_share(text: str) -> float:
    """Share of characters that are printable ASCII, white space or common Chinese."""
    if not text:
        return 0.0
    good = sum(1 for char in text if (" " <= char <= "~") or char in "\t\n\r" or _is_common(char))
    return good / len(text)


def _is_common(char: str) -> bool:
    if char in _COMMON_PUNCTUATION:
        return True
    try:
        gb = char.encode("gb2312")
        if len(gb) == 2 and 0xB0 <= gb[0] <= 0xD7:
            return True
    except UnicodeEncodeError:
        pass
    try:
        big5 = char.encode("big5")
        if len(big5) == 2 and 0xA440 <= int.from_bytes(big5, "big") <= 0xC67E:
            return True
    except UnicodeEncodeError:
        pass
    return False


def _fallback(data: bytes, path: str | Path) -> tuple[str, str]:
    from charset_normalizer import from_bytes  # imported late: only needed for odd files

    best = from_bytes(data).best()
    codec = None if best is None else best.encoding
    if codec in _FALLBACK_CODECS:
        try:
            text = data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            text = ""
        # A guess is only trusted when it yields mostly common Chinese characters: random bytes
        # "decode" as UTF-16 too, into rare symbols.
        if _common_share(text) >= _MIN_FALLBACK_SHARE:
            return text, _FALLBACK_CODECS[codec]
    raise InputFileError(
        path,
        "cannot decode the file as UTF-8, UTF-16, GB18030 or Big5"
        + (f" (best guess: {codec})" if codec else ""),
        _SAVE_AS_UTF8,
    )


def _read_docx(path: Path) -> str:
    """Text of a .docx: one line per paragraph, body paragraphs first, then table cells.

    Soft line breaks and tabs inside a paragraph become spaces so that line *n* of the text is
    paragraph *n* of the document.
    """
    try:
        import docx  # python-docx

        document = docx.Document(str(path))
        paragraphs = [paragraph.text for paragraph in document.paragraphs]
        for table in document.tables:
            for row in table.rows:
                for cell in row.cells:
                    paragraphs.extend(paragraph.text for paragraph in cell.paragraphs)
    except Exception as exc:  # python-docx raises zipfile, KeyError, lxml and its own errors
        raise InputFileError(
            path,
            f"cannot read the Word document ({type(exc).__name__}: {exc})",
            "open it in Word or LibreOffice and save it again as .docx, or save it as UTF-8 .txt",
        ) from exc
    return "\n".join(
        text.replace("\r\n", " ").replace("\r", " ").replace("\n", " ").replace("\t", " ") for text in paragraphs
    )


# --------------------------------------------------------------------------------------------
# The stage
# --------------------------------------------------------------------------------------------


def ingest(paths: str | Path | Iterable[str | Path], strict: bool = False) -> Iterator[SourceText | SkippedFile]:
    """Read every input file under ``paths``, in :func:`discover` order.

    Parameters
    ----------
    paths : files or folders (see :func:`discover`).
    strict : if true, the first unusable file raises :class:`~topics.errors.InputFileError`;
        otherwise it is yielded as a :class:`SkippedFile` with the reason and a warning is logged.

    Yields
    ------
    SourceText or SkippedFile
        One item per file found.

    Raises
    ------
    InputFileError
        A path does not exist (always), or a file is unusable (with ``strict``).
    """
    for path, name in discover(paths):
        try:
            yield read_source(path, name)
        except InputFileError as exc:
            if strict:
                raise
            reason = f"{exc.problem} — {exc.advice}"
            logger.warning("skipping %s: %s", path, reason)
            yield SkippedFile(name=name, path=path, reason=reason)
