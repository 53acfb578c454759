"""Decode the bytes of a text file: deterministic, explained encoding detection for Chinese text.

A wrong guess silently turns a speech into mojibake that then looks like a topic, so the order of
evidence is fixed and every step is strict:

1. a byte-order mark (UTF-8, UTF-16 LE/BE);
2. NUL bytes → UTF-16 without BOM if one byte order gives plausible text, else binary (refused);
3. strict UTF-8 (almost never decodes by accident);
4. GB18030 and Big5, both tried strictly; when both decode, the one whose text has the larger
   share of *common* characters wins (see :func:`_common_share`);
5. charset-normalizer, only as a last resort, only for Unicode/Chinese codecs, and only when
   the result is mostly common Chinese characters.

Decoded text with many control characters is refused as binary whatever the codec.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from ..errors import InputFileError

__all__ = ["SAVE_AS_UTF8", "decode_bytes"]

# Share of control characters (other than tab/newline/form feed) above which a decoded file
# is treated as binary. Real text has none or a handful; binary data has ~10 %.
_MAX_CONTROL_SHARE = 0.05
_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v")
SAVE_AS_UTF8 = "open it in a text editor and save it as UTF-8, or remove it from the input folder"
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
        raise InputFileError(path, "the file looks binary (it contains NUL bytes)", SAVE_AS_UTF8)
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
            SAVE_AS_UTF8,
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
            SAVE_AS_UTF8,
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
        SAVE_AS_UTF8,
    )
