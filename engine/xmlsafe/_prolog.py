"""Finding a DOCTYPE before libxml2 sees the document: the whole prolog, in linear time.

The prolog is everything before the root element's start tag: an XML declaration, comments,
processing instructions, white space and, in a document we refuse, a DOCTYPE. It is scanned to
its end however long it is (a comment of 20 MB is still scanned to its ``-->``: a fixed window
let a long comment hide the DOCTYPE behind it). Each item is skipped with one ``find`` for its
terminator, so the scan reads every byte of the prolog once.

The bytes are read in the encoding libxml2 will use for the prolog's markup:

* byte-order marks and the XML-spec (appendix F) signatures of UTF-16/UTF-32 pick the wide
  encodings; the prolog is decoded piecewise as it is scanned;
* an ASCII-compatible start is scanned as bytes, and again decoded when the declaration names
  an encoding in which ``<!DOCTYPE`` is not written in ASCII bytes (UTF-7 writes it
  ``+ADwAIQ-DOCTYPE``, which libxml2 honours);
* an EBCDIC start (``<?xm`` in EBCDIC) is refused: its code pages disagree even about ``!``,
  so the markup cannot be found without knowing the page, and this libxml2 refuses EBCDIC
  anyway.
"""

from __future__ import annotations

import codecs
import re

_WIDE_SIGNATURES = (
    (b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"),
    (b"<\x00\x00\x00", "utf-32-le"), (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00?\x00", "utf-16-le"), (b"\x00<\x00?", "utf-16-be"),
)
_EBCDIC = b"\x4c\x6f\xa7\x94"  # "<?xm" in every EBCDIC code page
_DECL_ENCODING = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<\?xml\b[^>]{0,200}?\bencoding\s*=\s*"
                            rb"[\"']([A-Za-z0-9._:-]{1,40})[\"']")
_CHUNK = 1 << 16


class PrologVerdict:
    """What the scan found: ``CLEAN``, ``DOCTYPE`` or ``UNREADABLE`` (an encoding whose markup
    cannot be checked)."""

    CLEAN = "clean"
    DOCTYPE = "doctype"
    UNREADABLE = "unreadable"


def scan_prolog(data: bytes) -> str:
    """``PrologVerdict.DOCTYPE`` when a DOCTYPE comes before the root element, ``UNREADABLE``
    for an EBCDIC document, else ``CLEAN``. Linear in the length of the prolog."""
    if data.startswith(_EBCDIC):
        return PrologVerdict.UNREADABLE
    for signature, encoding in _WIDE_SIGNATURES:
        if data.startswith(signature):
            return _scan_decoded(data, encoding)
    verdict = _scan_bytes(data, 3 if data.startswith(b"\xef\xbb\xbf") else 0)
    if verdict != PrologVerdict.CLEAN:
        return verdict
    m = _DECL_ENCODING.match(data)
    if m is None:
        return verdict
    try:
        info = codecs.lookup(m.group(1).decode("ascii"))
    except LookupError:
        # A name Python does not know: the byte scan stands; the resolver that refuses every
        # URL and the check after parsing stand behind it [I].
        return verdict
    if _ascii_compatible(info.name):
        return verdict
    try:
        return _scan_decoded(data, info.name)
    except (UnicodeError, TypeError, LookupError):  # a codec that is no text codec [I]
        return PrologVerdict.UNREADABLE


def has_doctype(data: bytes) -> bool:
    """Whether a DOCTYPE comes before the root element (the whole prolog is scanned)."""
    return scan_prolog(data) == PrologVerdict.DOCTYPE


def _ascii_compatible(name: str) -> bool:
    """Encodings whose markup is plain ASCII bytes and nothing else (the common ones): the byte
    scan is the whole check. Any other encoding Python knows is decoded and scanned as well."""
    # A wide label on 8-bit bytes is no switch either: libxml2 keeps the encoding the first
    # bytes showed (the Cargo-XML reader relabels such documents, see its _encoding module).
    return name in ("utf-8", "ascii", "latin-1") or name.startswith(
        ("iso8859-", "cp125", "utf-16", "utf-32"))


_SPACE = re.compile("[ \t\r\n\ufeff]*")


def _scan_bytes(data: bytes, pos: int) -> str:
    # Latin-1 maps each byte to one character: the ASCII markup is found where it is.
    return _scan_decoded(data[pos:], "latin-1")


def _scan_decoded(data: bytes, encoding: str) -> str:
    """The scan on text decoded piecewise, one chunk at a time: a long document with a short
    prolog costs one chunk; a long prolog is decoded and scanned once (positions only move
    forward; an unfinished comment keeps only its last characters for the next chunk)."""
    decoder = codecs.getincrementaldecoder(encoding)("replace")
    buf = ""
    pos = 0
    at = 0
    final = not data
    closing: str | None = None  # the terminator sought: "?>" or "-->"
    while True:
        while True:
            if closing is not None:
                end = buf.find(closing, pos)
                if end < 0:
                    pos = max(pos, len(buf) - len(closing) + 1)
                    break
                pos = end + len(closing)
                closing = None
            m = _SPACE.match(buf, pos)
            pos = m.end() if m is not None else pos
            if pos >= len(buf) or (len(buf) - pos < 4 and not final):
                break
            if buf[pos] != "<":
                return PrologVerdict.CLEAN  # text before the root: libxml2 reports it
            if buf.startswith("<?", pos):
                closing, pos = "?>", pos + 2
            elif buf.startswith("<!--", pos):
                closing, pos = "-->", pos + 4
            elif buf.startswith("<!", pos):
                # <!DOCTYPE, or any other markup declaration: none belongs in a prolog
                return PrologVerdict.DOCTYPE
            else:
                return PrologVerdict.CLEAN  # the root element's start tag
        if final:
            return PrologVerdict.CLEAN  # the data ends inside the prolog: not well-formed
        final = at + _CHUNK >= len(data)
        buf = buf[pos:] + decoder.decode(data[at:at + _CHUNK], final=final)
        pos = 0
        at += _CHUNK
