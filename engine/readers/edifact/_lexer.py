"""A streaming EDIFACT lexer: segments with their index, byte offset, line and column.

Segments are cut at unreleased terminators with ``str.find`` (C speed); elements and components
are split with ``str.split`` unless the segment holds a release character, where a small
escape-aware splitter runs instead. Whitespace between segments (CR/LF after ``'``) is skipped
and counted for line numbers; whitespace inside elements is kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain
from typing import NamedTuple

from ._syntax import Delimiters

# Between segments: blanks, line ends, NUL padding and the DOS end-of-file mark Ctrl-Z that
# old transfer software appends [I].
_WS = " \t\r\n\x00\x1a"


class Segment(NamedTuple):
    """One segment: ``tag`` and ``elements``, unescaped; as in pydifact, a simple element is a
    ``str`` and a composite one a ``list`` of its components (``components(i)`` always gives
    a list).

    ``number`` is the 1-based number of the segment in the file (UNA, the service string advice,
    is not a segment); ``offset`` the byte offset of its first character; ``line``/``column``
    1-based; ``start``/``end`` the character span of the segment text (terminator excluded).
    A named tuple: the lexer makes millions of them, and a tuple is the cheapest record.
    """

    tag: str
    elements: list[str | list[str]]
    number: int
    offset: int
    line: int
    column: int
    start: int
    end: int

    def get(self, element: int, component: int = 0) -> str:
        """Component ``component`` of element ``element`` (0-based, after the tag), or ""."""
        els = self.elements
        if element < len(els):
            el = els[element]
            if isinstance(el, str):
                return el if component == 0 else ""
            if component < len(el):
                return el[component]
        return ""

    def components(self, element: int) -> list[str]:
        """The components of element ``element`` (an absent element has none)."""
        if element >= len(self.elements):
            return []
        el = self.elements[element]
        return [el] if isinstance(el, str) else el


@dataclass(frozen=True, slots=True, kw_only=True)
class LexProblem:
    """Something the lexer could not cut cleanly: ``kind`` is ``unterminated`` (text after the
    last terminator) or ``release-at-end`` (a release character escapes the end of the data)."""

    kind: str
    offset: int
    line: int
    column: int
    index: int
    text: str


BLOCK = 1 << 12  # characters per streamed block (small: the segments stay in cache)
SERVICE = frozenset(["UNA", "UNB", "UNG", "UNH", "UNT", "UNE", "UNZ"])


class Lexer:
    """Iterate over the segments of ``text`` from character ``start``.

    ``byte_base`` is the byte offset of character 0 (a stripped BOM); ``ascii_only`` says that
    characters and bytes coincide (single-byte codecs, or UTF-8 text with no non-ASCII
    character), otherwise byte offsets are counted by encoding as UTF-8. Problems found on the
    way are collected in ``problems``; iteration never raises for bad data.
    """

    def __init__(self, text: str, delims: Delimiters, *, start: int = 0, byte_base: int = 0,
                 single_byte: bool = True, first_index: int = 1) -> None:
        self.text = text
        self.d = delims
        self.start = start
        self.byte_base = byte_base
        self.single_byte = single_byte or text.isascii()
        self.first_index = first_index
        self.problems: list[LexProblem] = []
        self.count = 0  # segments yielded, once iteration has finished
        self._marks: list[int] = []
        rel = re.escape(delims.release) if delims.release else None
        seps = re.escape(delims.element + delims.component)
        self._tok = re.compile(f"{rel}(.)|([{seps}])", re.S) if rel else None
        self._unrelease = re.compile(f"{rel}(.)", re.S) if rel else None

    def __iter__(self) -> Iterator[Segment]:
        # Blocks are lists and chain() walks them in C: no Python frame per segment.
        return chain.from_iterable(block for block, _ in self.blocks())

    def blocks(self) -> Iterator[tuple[list[Segment], list[int]]]:
        """The segments block by block, each with the list positions of its service segments
        (``UNB``, ``UNH``, ``UNT``...), so an envelope walker can take the rest in bulk."""
        text, d = self.text, self.d
        term, rel = d.terminator, d.release
        n = len(text)
        pos = self.start
        self._line = 1 + text.count("\n", 0, pos)
        self._line_start = text.rfind("\n", 0, pos) + 1
        self._index = self.first_index
        self._byte_pos = self.byte_base + (pos if self.single_byte
                                           else len(text[:pos].encode("utf-8")))
        self._char_pos = pos
        self._sep = self._separator(pos)
        while pos < n:
            cut = self._block_end(pos, n)
            if cut < 0:
                break
            yield self._block(pos, cut), self._marks
            pos = cut + 1
        self.count = self._index - self.first_index
        rest = text[pos:]
        if rest.strip(_WS):
            self._problem(pos, rest, rel, term)

    def _block_end(self, pos: int, n: int) -> int:
        """The last unreleased terminator within about ``BLOCK`` characters of ``pos`` (the
        lexer streams block by block); -1 when the rest of the text has none."""
        text, term, rel = self.text, self.d.terminator, self.d.release
        limit = min(n, pos + BLOCK)
        while True:
            cut = text.rfind(term, pos, limit)
            while cut >= 0 and rel and cut > pos and text[cut - 1] == rel:
                k = cut - 1
                while k >= pos and text[k] == rel:
                    k -= 1
                if (cut - 1 - k) % 2 == 0:
                    break
                cut = text.rfind(term, pos, cut)
            if cut >= 0 or limit >= n:
                return cut
            limit = min(n, limit + BLOCK)  # one segment longer than a block: widen

    def _separator(self, pos: int) -> str:
        """What follows the terminator in this file: ``'\\r\\n``, ``'\\n`` or ``'`` alone,
        judged on the first segments. Splitting on it takes line ends off at C speed; pieces
        that do not fit (other whitespace, released terminators) take the general path."""
        term, text = self.d.terminator, self.text
        i = text.find(term, pos, pos + 4096)
        for eol in ("\r\n", "\n"):
            if i >= 0 and text.startswith(eol, i + 1) and term + eol != term:
                return term + eol
        return term

    def _block(self, pos: int, cut: int) -> list[Segment]:
        """Segments of ``text[pos:cut]`` (which ends just before an unreleased terminator)."""
        text, d = self.text, self.d
        term, rel, esep, csep = d.terminator, d.release, d.element, d.component
        sep = self._sep
        sep_len, sep_nl = len(sep), sep.count("\n")
        single, byte_base = self.single_byte, self.byte_base
        line, line_start, index = self._line, self._line_start, self._index
        byte_pos, char_pos = self._byte_pos, self._char_pos
        ws = _WS
        out: list[Segment] = []
        emit = out.append
        new = tuple.__new__
        marks: list[int] = []
        self._marks = marks
        mark = marks.append
        service = SERVICE
        p = pos
        pending_at = -1
        probe = rel or term  # a release character anywhere sends the piece the general way
        for outer in text[pos:cut].split(sep):
            if (pending_at < 0 and outer and outer[0] not in ws and term not in outer
                    and probe not in outer):
                # fast path: one clean segment, then the separator
                parts = outer.split(esep)
                tag = parts.pop(0)
                if csep in tag:
                    tag = tag.split(csep, 1)[0]
                if tag in service:
                    mark(len(out))
                if single:
                    offset = byte_base + p
                else:
                    byte_pos += len(text[char_pos:p].encode("utf-8"))
                    char_pos = p
                    offset = byte_pos
                emit(new(Segment, (tag, [e.split(csep) if csep in e else e for e in parts],
                                   index, offset, line, p - line_start + 1, p,
                                   p + len(outer))))
                index += 1
                if "\n" in outer:
                    line += outer.count("\n")
                    line_start = p + outer.rfind("\n") + 1
                p += len(outer) + sep_len
                if sep_nl:
                    line += sep_nl
                    line_start = p
                continue
            items: list[tuple[str, int, int]] = []
            q = p
            for sub in outer.split(term) if sep != term else (outer,):
                items.append((sub, q, 1))
                q += len(sub) + 1
            items[-1] = (items[-1][0], items[-1][1], sep_len)
            # general path: whitespace, released terminators, empty segments
            for piece, at, follow in items:
                if pending_at >= 0:
                    piece = text[pending_at:at + len(piece)]
                    at, pending_at = pending_at, -1
                if rel and piece.endswith(rel):
                    k = len(piece) - 1
                    while k >= 0 and piece[k] == rel:
                        k -= 1
                    if (len(piece) - 1 - k) % 2 == 1:
                        pending_at = at  # a released terminator: not an end
                        continue
                if piece and piece[0] in ws:
                    body = piece.lstrip(ws)
                    lead = len(piece) - len(body)
                    nl = piece.count("\n", 0, lead)
                    if nl:
                        line += nl
                        line_start = at + piece.rfind("\n", 0, lead) + 1
                else:
                    body, lead = piece, 0
                if body:
                    start = at + lead
                    if rel and rel in body:
                        tag, elements = self._split_escaped(body)
                    else:
                        parts = body.split(esep)
                        tag = parts.pop(0)
                        elements = [e.split(csep) if csep in e else e for e in parts]
                        if csep in tag:
                            tag = tag.split(csep, 1)[0]
                    if tag in service:
                        mark(len(out))
                    if single:
                        offset = byte_base + start
                    else:
                        byte_pos += len(text[char_pos:start].encode("utf-8"))
                        char_pos = start
                        offset = byte_pos
                    emit(new(Segment, (tag, elements, index, offset, line,
                                       start - line_start + 1, start, start + len(body))))
                    index += 1
                    if "\n" in body:
                        line += body.count("\n")
                        line_start = start + body.rfind("\n") + 1
                if follow == sep_len and sep_nl:
                    line += sep_nl
                    line_start = at + len(piece) + sep_len
            p += len(outer) + sep_len
        if pending_at >= 0:  # cannot happen: blocks end before an unreleased terminator
            raise AssertionError("block ended inside a segment")
        if sep_nl:
            # the block's last segment ends at ``cut``: no separator line end follows it here
            # (the next block's first piece carries it as leading whitespace)
            line -= sep_nl
            line_start = text.rfind("\n", 0, cut) + 1
        self._line, self._line_start, self._index = line, line_start, index
        self._byte_pos, self._char_pos = byte_pos, char_pos
        return out

    def _problem(self, pos: int, rest: str, rel: str, term: str) -> None:
        text = self.text
        lead = len(rest) - len(rest.lstrip(_WS))
        start = pos + lead
        line, line_start = self._line, self._line_start
        nl = text.count("\n", pos, start)
        if nl:
            line += nl
            line_start = text.rfind("\n", pos, start) + 1
        stripped = rest.rstrip(_WS)
        k = len(stripped) - 1
        while rel and k >= 0 and stripped[k] == rel:
            k -= 1
        released = bool(rel) and (len(stripped) - 1 - k) % 2 == 1
        escaped_term = bool(rel) and term in rest and self._escapes_all(rest)
        kind = "release-at-end" if released or escaped_term else "unterminated"
        offset = (self.byte_base + start if self.single_byte
                  else self.byte_base + len(text[:start].encode("utf-8")))
        self.problems.append(LexProblem(kind=kind, offset=offset, line=line,
                                        column=start - line_start + 1, index=self._index,
                                        text=rest.strip(_WS)[:80]))

    def _escapes_all(self, rest: str) -> bool:
        """True when every terminator in ``rest`` is released (so a release character ate the
        segment's end)."""
        rel, term = self.d.release, self.d.terminator
        i = rest.find(term)
        while i >= 0:
            k = i - 1
            while k >= 0 and rest[k] == rel:
                k -= 1
            if (i - 1 - k) % 2 == 0:
                return False
            i = rest.find(term, i + 1)
        return True

    def _split_escaped(self, body: str) -> tuple[str, list[str | list[str]]]:
        """Split on unreleased separators, then unescape each component."""
        assert self._tok is not None
        esep = self.d.element
        elements: list[list[str]] = []
        comps: list[str] = []
        buf: list[str] = []
        last = 0
        for m in self._tok.finditer(body):
            if m.group(1) is not None:
                buf.append(body[last:m.start()])
                buf.append(m.group(1))
                last = m.end()
                continue
            buf.append(body[last:m.start()])
            comps.append("".join(buf))
            buf = []
            last = m.end()
            if m.group(2) == esep:
                elements.append(comps)
                comps = []
        buf.append(body[last:])
        comps.append("".join(buf))
        elements.append(comps)
        tag = elements[0][0]
        return tag, [c[0] if len(c) == 1 else c for c in elements[1:]]

    def element_columns(self, seg: Segment) -> list[int]:
        """Character offsets (in the text) where each element of ``seg`` starts, so fields
        can point at their element, not only at their segment."""
        body = self.text[seg.start:seg.end]
        out: list[int] = []
        rel, esep = self.d.release, self.d.element
        i, n = 0, len(body)
        while i < n:
            ch = body[i]
            if rel and ch == rel:
                i += 2
                continue
            if ch == esep:
                out.append(seg.start + i + 1)
            i += 1
        return out
