"""Declared encoding vs the bytes: the two mismatches real Cargo-XML feeds show.

* A .NET ``XmlSerializer`` writing to a ``StringWriter`` labels the document
  ``encoding="utf-16"`` while the file is saved as UTF-8 (no byte-order mark, no NUL bytes):
  libxml2 then refuses the declaration itself. The label is replaced by ``UTF-8`` [V-W public
  .NET Cargo-XML generators; I for how often it reaches an airline].
* A Windows system writes names in Windows-1252 (``MÜLLER``) under a UTF-8 (or no)
  declaration: libxml2 stops at the first such byte. The bytes are re-read as Windows-1252
  (Latin-1 where 1252 has a hole), the one single-byte code page such feeds use [I].

Both are repaired with a CXM012 warning naming what was declared and what was read, so the
analyst sees that names may need checking; line numbers stay those of the file (the repair
never adds or removes a line break).
"""

from __future__ import annotations

import codecs
import re

_DECL = re.compile(
    rb"^(\xef\xbb\xbf)?(\s*<\?xml\b[^>]*?\bencoding\s*=\s*)([\"'])([A-Za-z0-9._-]+)\3")
_WIDE = ("utf-16", "utf16", "utf-16le", "utf-16be", "ucs-2", "ucs2", "utf-32", "iso-10646-ucs-2")
_WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")
BAD_BYTES = "Invalid bytes in character encoding"
"""libxml2's message for bytes that are not in the declared (or default UTF-8) encoding."""


def declared_encoding(chunk: bytes) -> str | None:
    """The ``encoding`` of the XML declaration, as written; None without one."""
    m = _DECL.match(chunk[:400])
    return None if m is None else m.group(4).decode("ascii")


def relabel_wide_utf8(chunk: bytes) -> tuple[bytes, str] | None:
    """A document labelled UTF-16/UTF-32 whose bytes are 8-bit: ``(bytes labelled UTF-8,
    the label found)``; None when the label is not wide or the bytes really are wide."""
    if chunk.startswith(_WIDE_BOMS) or b"\x00" in chunk[:64]:
        return None
    m = _DECL.match(chunk[:400])
    if m is None or m.group(4).decode("ascii").lower() not in _WIDE:
        return None
    try:
        chunk.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return chunk[:m.start(4)] + b"UTF-8" + chunk[m.end(4):], m.group(4).decode("ascii")


def recode_cp1252(chunk: bytes) -> bytes | None:
    """Bytes that failed as UTF-8, re-read with each byte that is not valid UTF-8 taken as
    Windows-1252 (valid UTF-8 sequences stay as they are: feeds mix both), and written as
    UTF-8; None when the document declares another encoding (not this case)."""
    declared = declared_encoding(chunk)
    if declared is not None and declared.lower() not in ("utf-8", "utf8"):
        return None
    return chunk.decode("utf-8", _ERRORS).encode("utf-8")


def _as_cp1252(exc: UnicodeError) -> tuple[str, int]:
    """Codec error handler: the offending bytes as Windows-1252 (Latin-1 for its five holes)."""
    if not isinstance(exc, UnicodeDecodeError):  # pragma: no cover - registered for decoding
        raise exc
    bad = exc.object[exc.start:exc.end]
    return "".join(_cp1252(bad[i:i + 1]) for i in range(len(bad))), exc.end


def _cp1252(byte: bytes) -> str:
    try:
        return byte.decode("cp1252")
    except UnicodeDecodeError:
        return byte.decode("latin-1")


_ERRORS = "ensgate-cargoxml-cp1252"
codecs.register_error(_ERRORS, _as_cp1252)
