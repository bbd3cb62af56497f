"""The mutation engine of the robustness and fuzz tests: the real samples of the four input
formats, cut into the units their format is made of, and mutated the way broken feeds break
them (cut off, units dropped, doubled, swapped, bytes flipped, delimiters, release characters,
``<`` and ``&`` inserted, encodings changed, two formats spliced). Used by
``tests/pipeline/test_robustness_formats.py``, ``tests/fuzz/`` and ``tools/fuzz.py``.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _load(*folders: str) -> list[tuple[str, bytes]]:
    out = []
    for folder in folders:
        for p in sorted((ROOT / folder).iterdir()):
            if p.is_file() and p.suffix.lower() != ".md":
                out.append((p.name, p.read_bytes()))
    return out


CORPUS: dict[str, list[tuple[str, bytes]]] = {
    "cargo-xml": _load("samples/cargo-xml", "tests/data/cargoxml-realworld", "tests/data/cargoxml"),
    "edifact": _load("samples/edifact", "tests/data/edifact-realworld"),
    "x12": _load("samples/x12", "tests/data/x12-realworld"),
    "cargo-imp": _load("samples/cargo-imp", "tests/data/cargoimp"),
}
FORMATS = tuple(CORPUS)
ALL = [(fmt, name, data) for fmt in FORMATS for name, data in CORPUS[fmt]]


# --- cutting a sample into the units its format is made of --------------------------------

def _edifact_delims(data: bytes) -> tuple[bytes, bytes, bytes, bytes]:
    """(segment terminator, element separator, component separator, release character)."""
    at = data.find(b"UNA")
    if 0 <= at < 8 and len(data) >= at + 9:
        una = data[at + 3:at + 9]
        return una[5:6], una[1:2], una[0:1], una[3:4]
    return b"'", b"+", b":", b"?"


def _x12_delims(data: bytes) -> tuple[bytes, bytes, bytes]:
    """(segment terminator, element separator, component separator) from the ISA header."""
    at = data.find(b"ISA")
    if at >= 0 and len(data) >= at + 106:
        return data[at + 105:at + 106], data[at + 3:at + 4], data[at + 104:at + 105]
    return b"~", b"*", b">"


def units(fmt: str, data: bytes) -> list[bytes]:
    """``data`` cut into segments (EDIFACT, X12), tags and texts (XML) or lines (Cargo-IMP),
    each keeping its terminator, so that ``b"".join(units(...)) == data``."""
    if fmt == "edifact":
        term = _edifact_delims(data)[0] or b"'"
    elif fmt == "x12":
        term = _x12_delims(data)[0] or b"~"
    elif fmt == "cargo-xml":
        return [u for u in re.split(rb"(<[^>]*>)", data) if u]
    else:
        term = b"\n"
    parts = data.split(term)
    out = [p + term for p in parts[:-1]]
    if parts[-1]:
        out.append(parts[-1])
    return out


def separators(fmt: str, data: bytes) -> bytes:
    if fmt == "edifact":
        _, el, comp, _rel = _edifact_delims(data)
        return el + comp
    if fmt == "x12":
        _, el, comp = _x12_delims(data)
        return el + comp
    if fmt == "cargo-xml":
        return b" \"'="
    return b"/-"


# --- what goes wrong in real feeds ---------------------------------------------------------

SPECIALS: dict[str, tuple[bytes, ...]] = {
    "edifact": (b"'", b"+", b":", b"?", b"??", b"?'", b"?+", b"UNA:+.? '", b"UNA", b"UNH+1+",
                b"UNT+", b"UNB+UNOC:3+", b"UNZ+1+", b"UNG+", b"UNE+", b"CNI+", b"RFF+AWB:",
                b"'UNH+X+CUSCAR:D:95B:UN'", b"'UNT+2+X'", b"NAD+", b"TDT+20"),
    "x12": (b"~", b"*", b">", b"^", b"|", b"\n", b"ISA", b"ST*858*", b"SE*", b"GS*", b"GE*",
            b"IEA*", b"N9*AW*", b"~ST*858*0001~", b"~SE*2*0001~", b"L0*1*", b"R6*O*"),
    "cargo-xml": (b"<", b"&", b"&amp;", b"&#0;", b"&#xD800;", b"&#x110000;", b"&bogus;",
                  b"]]>", b"<![CDATA[", b"<!--", b"-->", b'<!DOCTYPE x [<!ENTITY a "b">]>',
                  b'<?xml version="1.0"?>', b"<?xml ", b'xmlns:x=""', b"</", b"/>",
                  b'<ram:ID schemeID="x">', b"<a:b:c>", b"&lt;", b"\"", b"'"),
    "cargo-imp": (b"/", b"//", b"-", b"\n", b"\r", b"FWB/17\n", b"FHL/5\n", b"FFM/8\n",
                  b"\nCONT\n", b"\nLAST\n", b"/P", b"\n/", b"OCI/", b"RTG/", b"SHP\n/"),
}
GENERIC = (b"\x00", b"\r", b"\r\n", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x1a",
           b"\xb2", b"\xc2\xb2", b"\xd9\xa3", b"\xed\xa0\x80", b"\xc3", b"\xe2\x82",
           b"\xf0\x9f\x98\x80", b"\t", b" " * 40, b"9" * 400, b"\xa0")
VALUES = (b"", b" ", b"0", b"-1", b"-0", b"9" * 40, b"1e999", b"NaN", b"Infinity", b"0x10",
          b"1,5", b"1.2.3", b".", b"\xb2", b"\xc2\xb2", b"\xd9\xa3", b"\xef\xbc\x91", b"abc",
          b"20261332", b"20260230", b"2400", b"9999", b"000-00000000", b"999-99999999X",
          b"KGM", b"LBR", b"TNE", b"XXX", b"+", b"?", b"&", b"<", b"'")
ENCODINGS = (b"UTF-8", b"UTF-16", b"utf-16le", b"UTF-32", b"ISO-8859-1", b"windows-1252",
             b"US-ASCII", b"EBCDIC-CP-US", b"cp037", b"bogus-9", b"", b"UTF-7", b"Shift_JIS")
SYNTAX_IDS = (b"UNOA", b"UNOB", b"UNOC", b"UNOW", b"UNOY", b"UNOX", b"UNOD", b"UNOZ", b"ABCD",
              b"", b"UNO")


def _rand_pos(rng: random.Random, data: bytes) -> int:
    return rng.randint(0, len(data))


def _op_truncate(rng: random.Random, fmt: str, data: bytes) -> bytes:
    return data[:_rand_pos(rng, data)]


def _op_flip(rng: random.Random, fmt: str, data: bytes) -> bytes:
    if not data:
        return data
    i = rng.randrange(len(data))
    return data[:i] + bytes([data[i] ^ rng.randint(1, 255)]) + data[i + 1:]


def _op_insert(rng: random.Random, fmt: str, data: bytes) -> bytes:
    pool = SPECIALS[fmt] + GENERIC if rng.random() < 0.8 else GENERIC
    i = _rand_pos(rng, data)
    return data[:i] + rng.choice(pool) + data[i:]


def _op_delete_range(rng: random.Random, fmt: str, data: bytes) -> bytes:
    i = _rand_pos(rng, data)
    return data[:i] + data[i + rng.randint(1, 30):]


def _unit_op(kind: str) -> Callable[[random.Random, str, bytes], bytes]:
    def op(rng: random.Random, fmt: str, data: bytes) -> bytes:
        us = units(fmt, data)
        if not us:
            return data
        i = rng.randrange(len(us))
        if kind == "delete" and len(us) > 1:
            del us[i]
        elif kind == "duplicate":
            us.insert(i, us[i])
        elif kind == "swap":
            j = rng.randrange(len(us))
            us[i], us[j] = us[j], us[i]
        elif kind == "move":
            u = us.pop(i)
            us.insert(rng.randint(0, len(us)), u)
        elif kind == "cut":
            us[i] = us[i][:rng.randint(0, len(us[i]))]
        return b"".join(us)
    return op


def _op_element(rng: random.Random, fmt: str, data: bytes) -> bytes:
    """Delete, double or replace one element (the text between two separators) of one unit,
    or add an empty one."""
    us = units(fmt, data)
    if not us:
        return data
    i = rng.randrange(len(us))
    seps = separators(fmt, data)
    pieces = re.split(b"([" + re.escape(seps) + b"])", us[i]) if seps else [us[i]]
    j = rng.randrange(len(pieces))
    choice = rng.randrange(4)
    if choice == 0:
        del pieces[j]
    elif choice == 1:
        pieces.insert(j, pieces[j])
    elif choice == 2:
        pieces[j] = rng.choice(VALUES)
    else:
        pieces.insert(j, seps[:1] if seps else b"")
    us[i] = b"".join(pieces)
    return b"".join(us)


def _op_value(rng: random.Random, fmt: str, data: bytes) -> bytes:
    """Replace one value (an element, a component, an XML text) keeping the structure, so
    that the mutant gets past the reader into mapping, rendering and validation."""
    us = units(fmt, data)
    if fmt == "cargo-xml":
        at = [i for i, u in enumerate(us) if not u.startswith(b"<") and u.strip()]
        if not at:
            return data
        i = rng.choice(at)
        us[i] = rng.choice(VALUES + GENERIC) if rng.random() < 0.7 else us[i] * 8
        return b"".join(us)
    if not us:
        return data
    i = rng.randrange(len(us))
    seps = separators(fmt, data)
    pieces = re.split(b"([" + re.escape(seps) + b"])", us[i])
    at = [j for j, p in enumerate(pieces) if p and p not in seps]
    if len(at) < 2:
        return data
    j = rng.choice(at[1:])  # never the segment tag itself
    pieces[j] = rng.choice(VALUES + GENERIC) if rng.random() < 0.7 else pieces[j] * 8
    us[i] = b"".join(pieces)
    return b"".join(us)


def _op_number(rng: random.Random, fmt: str, data: bytes) -> bytes:
    """Replace one run of digits (a count, a date, a weight, a length) with another value."""
    runs = list(re.finditer(rb"\d+", data))
    if not runs:
        return data
    m = rng.choice(runs)
    return data[:m.start()] + rng.choice(VALUES) + data[m.end():]


def _op_encoding(rng: random.Random, fmt: str, data: bytes) -> bytes:
    """Change what the data says about its own encoding, or the encoding itself."""
    choice = rng.randrange(5)
    if choice == 0:  # the XML declaration's encoding
        new = rng.choice(ENCODINGS)
        out = re.sub(rb"encoding=(['\"])[^'\"]*\1", b'encoding="' + new + b'"', data, count=1)
        if out == data:
            out = b'<?xml version="1.0" encoding="' + new + b'"?>' + data
        return out
    if choice == 1:  # the EDIFACT syntax identifier (UNB S001)
        return re.sub(rb"UNO[A-Z]", rng.choice(SYNTAX_IDS), data, count=1)
    if choice == 2:  # the X12 version / the Cargo-IMP version
        return re.sub(rb"(?<=[*|/^])0{0,2}\d{2,3}(?=[*|~\n\r])", rng.choice(VALUES), data,
                      count=1)
    if choice == 3:  # the whole file transcoded
        text = data.decode("latin-1")
        enc = rng.choice(["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-8", "cp037"])
        try:
            return text.encode(enc)
        except UnicodeEncodeError:
            return data
    bom = rng.choice([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff"])
    return bom + data


_DELIMS = b"*~>^|:+?' .,A0\n\r\x00\x1c\x1d\x1f"


def _op_delimiters(rng: random.Random, fmt: str, data: bytes) -> bytes:
    """Change one declared delimiter: an X12 ISA separator (element, repetition, component,
    terminator) or an EDIFACT UNA character; or drop the UNA, or add one that differs."""
    if fmt == "x12" and (at := data.find(b"ISA")) >= 0:
        k = at + rng.choice((3, 82, 104, 105))
    elif fmt == "edifact" and (at := data.find(b"UNA")) >= 0:
        if rng.random() < 0.2:
            return data[:at] + data[at + 9:]
        k = at + rng.randint(3, 8)
    elif fmt == "edifact":
        una = bytearray(b"UNA:+.? '")
        una[rng.randint(3, 8)] = rng.choice(_DELIMS)
        return bytes(una) + data
    else:
        return _op_insert(rng, fmt, data)
    if k >= len(data):
        return data
    return data[:k] + bytes([rng.choice(_DELIMS)]) + data[k + 1:]


def _op_splice(rng: random.Random, fmt: str, data: bytes) -> bytes:
    """A prefix of this sample with the tail of another (often of another format)."""
    _, _, other = rng.choice(ALL)
    return data[:_rand_pos(rng, data)] + other[_rand_pos(rng, other):]


def _op_concat(rng: random.Random, fmt: str, data: bytes) -> bytes:
    """Two whole files in one (a second interchange, document or message, or another format)."""
    _, _, other = rng.choice(ALL)
    sep = rng.choice([b"", b"\n", b"\r\n", b"\n\n"])
    return data + sep + other if rng.random() < 0.5 else other + sep + data


OPS: tuple[Callable[[random.Random, str, bytes], bytes], ...] = (
    _op_truncate, _op_flip, _op_insert, _op_insert, _op_delete_range,
    _unit_op("delete"), _unit_op("duplicate"), _unit_op("swap"), _unit_op("move"),
    _unit_op("cut"), _op_element, _op_element, _op_number, _op_number, _op_encoding,
    _op_splice, _op_concat, _op_delimiters,
)


OPS += (_op_value,)
GENTLE: tuple[Callable[[random.Random, str, bytes], bytes], ...] = (_op_value, _op_number)


def mutate(rng: random.Random, fmt: str, data: bytes, n_ops: int, *,
           gentle: bool = False) -> bytes:
    """``n_ops`` random mutations; ``gentle`` ones change values only (see ``_op_value``)."""
    ops = GENTLE if gentle else OPS
    for _ in range(n_ops):
        data = rng.choice(ops)(rng, fmt, data)
    return data
