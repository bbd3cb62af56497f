"""ISO 9735 service characters (UNA) and syntax identifiers (UNB S001) of an interchange.

The delimiters are read positionally from ``UNA`` or default to the UNOA/UNOB level values; the
syntax identifier chooses the codec the rest of the interchange is decoded with.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class Delimiters:
    """The six service characters of ``UNA`` (ISO 9735 defaults when UNA is absent)."""

    component: str = ":"
    element: str = "+"
    decimal: str = "."
    release: str = "?"
    repetition: str = " "
    terminator: str = "'"

    @classmethod
    def from_una(cls, six: str) -> Delimiters:
        """``six`` is the text after ``UNA``: component, element, decimal, release,
        repetition (reserved in syntax 3), terminator. A space as release means none."""
        return cls(component=six[0], element=six[1], decimal=six[2],
                   release="" if six[3] == " " else six[3], repetition=six[4],
                   terminator=six[5])

    @property
    def service(self) -> str:
        return (self.component + self.element + self.decimal + (self.release or " ")
                + self.repetition + self.terminator)


DEFAULT = Delimiters()

# UNB 0001 -> Python codec. ISO parts [V-D]; the Python codec chosen per identifier [I]
# (UNOW/UNOY: UTF-8 as sent in practice; UNOX code extension is not supported).
CODECS: dict[str, str] = {
    "UNOA": "ascii",
    "UNOB": "ascii",
    "UNOC": "latin_1",
    "UNOD": "iso8859_2",
    "UNOE": "iso8859_5",
    "UNOF": "iso8859_7",
    "UNOG": "iso8859_3",
    "UNOH": "iso8859_4",
    "UNOI": "iso8859_6",
    "UNOJ": "iso8859_8",
    "UNOK": "iso8859_9",
    "UNOW": "utf_8",
    "UNOY": "utf_8",
}

# UNOA level A repertoire: upper case letters, digits, space and the punctuation
# . , - ( ) / = ' + : ? ! " % & * ; < >
# (ISO 9735 annex; line ends between segments are tolerated [I]).
_OUTSIDE_UNOA = re.compile(r"""[^A-Z0-9 .,\-()/='+:?!"%&*;<>\r\n]""")
# UNOB: the printable ISO 646 basic set, lower case included.
_OUTSIDE_UNOB = re.compile(r"[^\x20-\x7e\r\n\t]")


def outside_repertoire(syntax: str, text: str) -> re.Match[str] | None:
    """The first character of ``text`` outside the UNOA/UNOB repertoire (None for others)."""
    if syntax == "UNOA":
        return _OUTSIDE_UNOA.search(text)
    if syntax == "UNOB":
        return _OUTSIDE_UNOB.search(text)
    return None


_BOM = b"\xef\xbb\xbf"
_WS = b" \t\r\n\x00\x1a"


def skip_preamble(data: bytes) -> int:
    """Byte offset of the first ``U`` of UNA/UNB: a UTF-8 byte order mark and whitespace
    before the interchange are skipped."""
    i = 3 if data.startswith(_BOM) else 0
    n = len(data)
    while i < n and data[i] in _WS:
        i += 1
    return i


def looks_like_edifact(head: str) -> bool:
    """True when the text starts (after a BOM and whitespace) with ``UNA`` + six service
    characters, or with ``UNB`` and an element separator."""
    t = head.lstrip("\ufeff\xef\xbb\xbf \t\r\n\x00")
    if t.startswith("UNA") and len(t) >= 9:
        return True
    return t.startswith("UNB") and len(t) > 4 and not t[3].isalnum()
