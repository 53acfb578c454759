"""The reader registry: which file types the build reads, and how (file suffix → reader).

A reader turns a file's bytes into text and names the encoding or format it used. Discovery
(:mod:`topics.build.ingest`), the messages about unsupported files and the build cache key all
read :data:`READERS`, so adding a format is one reader function and one :func:`register` call
here (and its test).

Readers must keep line numbers meaningful: line *n* of the text is what a person sees as
line *n* (a paragraph of a Word document), because every speech's provenance is a line span.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..errors import InputFileError
from .decoding import decode_bytes

__all__ = ["READERS", "Reader", "reader_for", "register", "supported_suffixes"]


@dataclass(frozen=True)
class Reader:
    """How one kind of file is read.

    Attributes
    ----------
    name : short name shown in messages (``"text"``, ``"Word"``).
    suffixes : file suffixes it reads, lower case with the dot.
    read : ``read(path, data) -> (text, encoding)``; raises :class:`InputFileError` for a file it
        cannot read. ``encoding`` is reported per file (``utf-8``, ``gb18030``, ``docx``…).
    """

    name: str
    suffixes: tuple[str, ...]
    read: Callable[[Path, bytes], tuple[str, str]]


#: suffix → reader
READERS: dict[str, Reader] = {}


def register(reader: Reader) -> Reader:
    for suffix in reader.suffixes:
        if suffix in READERS:
            raise ValueError(f"two readers for {suffix!r}")
        READERS[suffix] = reader
    return reader


def supported_suffixes() -> tuple[str, ...]:
    return tuple(READERS)


def reader_for(path: str | Path) -> Reader | None:
    return READERS.get(Path(path).suffix.lower())


def read_text_file(path: Path, data: bytes) -> tuple[str, str]:
    """Plain text in UTF-8 (with or without BOM), UTF-16, GB18030/GBK or Big5 (see :mod:`.decoding`)."""
    return decode_bytes(data, path)


def read_docx(path: Path, data: bytes) -> tuple[str, str]:
    """Text of a .docx: one line per paragraph, body paragraphs first, then table cells.

    Soft line breaks and tabs inside a paragraph become spaces so that line *n* of the text is
    paragraph *n* of the document.
    """
    try:
        import docx  # python-docx

        document = docx.Document(io.BytesIO(data))  # the bytes that were hashed, not a second read
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
    ), "docx"


register(Reader("text", (".txt", ".md"), read_text_file))
register(Reader("Word", (".docx",), read_docx))
