"""Bytes on disk to the text of a note: size and binary checks, encodings, line endings."""

from __future__ import annotations

import codecs
import hashlib
import re

from .types import VaultError

MAX_BYTES = 512 * 1024  # FOLIO_MAX_NOTE_BYTES's default

# C0 controls other than tab, newline, form feed and carriage return, and DEL.
_CONTROL = re.compile(r"[\x01-\x08\x0b\x0e-\x1f\x7f]")
# A stray control character copied from a web page is kept; this share of them is junk.
_MAX_CONTROL_SHARE = 0.01


def decode(data: bytes, *, path: str, max_bytes: int = MAX_BYTES) -> str:
    """Decode a note's bytes to text with `\\n` line endings and no byte-order mark.

    Reads UTF-8 (with or without a BOM), UTF-16 with a BOM, and GBK/GB18030. Raises
    VaultError for files over `max_bytes`, binary files, and bytes in no known encoding.
    """
    if len(data) > max_bytes:
        raise VaultError(path, None, too_big(len(data), max_bytes))
    text = _decode_bytes(data, path)
    if "\x00" in text or len(_CONTROL.findall(text)) > _MAX_CONTROL_SHARE * len(text):
        raise VaultError(path, None, "binary file (control bytes), not a Markdown note")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def too_big(size: int, max_bytes: int) -> str:
    """Why a file of `size` bytes is refused."""
    return (
        f"file is {size:,} bytes, over the {max_bytes:,}-byte limit for a note; "
        "split it, or raise FOLIO_MAX_NOTE_BYTES"
    )


def _decode_bytes(data: bytes, path: str) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise VaultError(path, None, "broken UTF-16 text; re-save the file as UTF-8") from None
    if b"\x00" in data:
        raise VaultError(path, None, "binary file (NUL bytes), not a Markdown note")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        line = data.count(b"\n", 0, utf8_error.start) + 1
        raise VaultError(
            path, line, "neither UTF-8 nor GBK/GB18030 text; re-save the file as UTF-8"
        ) from None


def text_hash(text: str) -> str:
    """The content hash the importer compares to skip unchanged notes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
