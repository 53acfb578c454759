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


def read_html(path: Path, data: bytes) -> tuple[str, str]:
    """The main text of a saved web page, one line per paragraph, by trafilatura.

    Navigation, footers, related links and comments are left out by trafilatura's extractor
    (default balance of precision and recall; the boilerplate stage removes what debris is left). Line numbers refer to the extracted text, not to
    the HTML source; the page's title (trafilatura's metadata: its ``<h1>``, ``og:title`` or
    ``<title>``) is line 1, unless the text starts with it. Encoding: the page's own declaration, else detected.
    """
    try:
        import trafilatura  # imported late: only needed for web pages
    except ImportError as exc:  # an install that missed one of its dependencies: say which
        raise InputFileError(path, f"cannot read web pages: {exc}",
                             f"pip install {exc.name or 'the missing package'}, or save the page as UTF-8 .txt") from exc
    try:
        text = trafilatura.extract(data, output_format="txt", include_comments=False, include_tables=True,
                                   deduplicate=False, with_metadata=False)
        title = (trafilatura.extract_metadata(data).title or "").strip() if text else ""
    except Exception as exc:  # lxml and trafilatura raise many kinds of errors on broken pages
        raise InputFileError(path, f"cannot read the web page ({type(exc).__name__}: {exc})",
                             "open it in a browser and save the text as UTF-8 .txt") from exc
    if not text or not text.strip():
        raise InputFileError(path, "no main text found in the web page",
                             "open it in a browser and save the speech as UTF-8 .txt")
    # trafilatura keeps the page's title (its <h1> or <title>) out of the main text; a speech's title
    # says what it is (在…会议上的讲话) and who gave it, so it becomes the first line, as in a .txt
    if title and not text.lstrip().startswith(title):
        text = f"{title}\n{text}"
    return text, "html"


def read_pdf(path: Path, data: bytes) -> tuple[str, str]:
    """The text layer of a PDF, page after page (pypdf). A scan without text is refused with a reason."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise InputFileError(path, "the PDF is encrypted", "save an unprotected copy, or its text as .txt")
        pages = [page.extract_text() or "" for page in reader.pages]
    except InputFileError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise InputFileError(path, f"cannot read the PDF ({type(exc).__name__}: {exc})",
                             "save its text as UTF-8 .txt") from exc
    text = "\n".join(pages)
    if len("".join(text.split())) < 20:
        raise InputFileError(path, "the PDF has no text layer (a scanned image?)",
                             "run OCR on it first, or give its text as .txt")
    return text, "pdf"


register(Reader("text", (".txt", ".md"), read_text_file))
register(Reader("Word", (".docx",), read_docx))
register(Reader("web page", (".html", ".htm"), read_html))
register(Reader("PDF", (".pdf",), read_pdf))
