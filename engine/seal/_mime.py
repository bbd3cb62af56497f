"""MIME multipart/related packaging (SOAP with Attachments) of AS4 messages, both ways.

Written by hand, not with :mod:`email`: the wire bytes must be exact (CRLF, binary parts, the
Content-ID the signature references), and the parser must never re-encode an attachment.
"""

from __future__ import annotations

import base64
import binascii
import quopri
import re
import uuid
from dataclasses import dataclass

from ._errors import EnvelopeError

SOAP12_CT = "application/soap+xml"
SOAP11_CT = "text/xml"
MAX_PARTS = 64


@dataclass(frozen=True, kw_only=True)
class WireMessage:
    """Exactly what goes on the wire: HTTP Content-Type header value and body bytes."""

    content_type: str
    body: bytes
    message_id: str

    def to_bytes(self) -> bytes:
        """``Content-Type: ...`` CRLF CRLF body (the file ``ensgate seal`` writes)."""
        return b"Content-Type: " + self.content_type.encode("ascii") + b"\r\n\r\n" + self.body

    @classmethod
    def from_bytes(cls, data: bytes) -> WireMessage:
        """Read a file written by :meth:`to_bytes` (or an HTTP header dump with Content-Type).

        ``message_id`` is left empty; it is known only after :func:`verify_message`.
        """
        m = re.search(rb"\r?\n\r?\n", data)
        if m is None:
            raise EnvelopeError("wire message file has no header block (Content-Type line, "
                                "blank line, body)")
        head, body = data[:m.start()], data[m.end():]
        ct = header_value(head, "content-type")
        if ct is None:
            raise EnvelopeError("wire message file has no Content-Type header")
        return cls(content_type=ct, body=body, message_id="")


@dataclass(frozen=True, kw_only=True)
class MimePart:
    """One decoded MIME part: headers (lower-case names) and content after transfer decoding."""

    headers: dict[str, str]
    content: bytes

    @property
    def content_id(self) -> str:
        cid = self.headers.get("content-id", "").strip()
        return cid[1:-1].strip() if cid.startswith("<") and cid.endswith(">") else cid

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


def header_value(head: bytes, name: str) -> str | None:
    """Value of header ``name`` in an RFC 822 header block (folded lines joined)."""
    text = head.decode("latin-1")
    unfolded = re.sub(r"\r?\n[ \t]+", " ", text)
    for line in re.split(r"\r?\n", unfolded):
        key, sep, value = line.partition(":")
        if sep and key.strip().lower() == name:
            return value.strip()
    return None


def ct_params(content_type: str) -> tuple[str, dict[str, str]]:
    """Media type (lower case) and parameters (names lower case, quotes removed)."""
    parts = _split_params(content_type)
    media = parts[0].strip().lower()
    params: dict[str, str] = {}
    for p in parts[1:]:
        k, sep, v = p.partition("=")
        if not sep:
            continue
        v = v.strip()
        if len(v) >= 2 and v[0] == v[-1] == '"':
            v = v[1:-1].replace('\\"', '"')
        params[k.strip().lower()] = v
    return media, params


def _split_params(value: str) -> list[str]:
    out: list[str] = []
    buf: list[str] = []
    quoted = False
    for ch in value:
        if ch == '"':
            quoted = not quoted
        if ch == ";" and not quoted:
            out.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
    out.append("".join(buf))
    return out


def build_multipart(soap: bytes, attachments: list[tuple[str, str, bytes]],
                    ) -> tuple[str, bytes]:
    """Content-Type value and body of a multipart/related SOAP 1.2 message.

    ``attachments``: (content id without brackets, content type, bytes), sent binary.
    """
    boundary = f"MIMEBoundary_{uuid.uuid4().hex}"
    start = f"soappart-{uuid.uuid4()}@ensgate"
    b = boundary.encode()
    chunks = [b"--", b, b"\r\nContent-Type: application/soap+xml; charset=UTF-8\r\n"
              b"Content-Transfer-Encoding: binary\r\nContent-ID: <", start.encode(),
              b">\r\n\r\n", soap]
    for cid, ctype, data in attachments:
        chunks += [b"\r\n--", b, b"\r\nContent-Type: ", ctype.encode(),
                   b"\r\nContent-Transfer-Encoding: binary\r\nContent-ID: <", cid.encode(),
                   b">\r\n\r\n", data]
    chunks += [b"\r\n--", b, b"--\r\n"]
    ct = (f'multipart/related; boundary="{boundary}"; type="{SOAP12_CT}"; '
          f'start="<{start}>"; start-info="{SOAP12_CT}"')
    return ct, b"".join(chunks)


def _decode(headers: dict[str, str], raw: bytes) -> bytes:
    cte = headers.get("content-transfer-encoding", "binary").strip().lower()
    if cte in ("binary", "8bit", "7bit", ""):
        return raw
    if cte == "base64":
        try:
            return base64.b64decode(b"".join(raw.split()), validate=True)
        except (binascii.Error, ValueError):
            raise EnvelopeError("MIME part has invalid base64 content") from None
    if cte == "quoted-printable":
        return quopri.decodestring(raw)
    raise EnvelopeError(f"MIME part has unsupported Content-Transfer-Encoding {cte!r}")


def parse_multipart(content_type: str, body: bytes) -> tuple[MimePart, list[MimePart]]:
    """Root (SOAP) part and the attachments of a multipart/related body."""
    media, params = ct_params(content_type)
    if media != "multipart/related":
        raise EnvelopeError(f"expected multipart/related, found {media!r}")
    boundary = params.get("boundary")
    if not boundary:
        raise EnvelopeError("multipart/related Content-Type has no boundary parameter")
    b = boundary.encode("latin-1")
    eol = b"\r\n" if b"\r\n--" + b in body else b"\n"
    delim = eol + b"--" + b
    # Plain byte splitting (no regex: boundaries differ per message, patterns would not cache).
    pieces = (body if body.startswith(eol) else eol + body).split(delim)
    if len(pieces) < 3:
        raise EnvelopeError("multipart body does not contain the declared boundary")
    parts: list[MimePart] = []
    for piece in pieces[1:]:
        if piece.startswith(b"--"):
            break
        if len(parts) >= MAX_PARTS:
            raise EnvelopeError(f"more than {MAX_PARTS} MIME parts")
        nl = piece.find(b"\n")  # rest of the delimiter line (transport padding)
        piece = piece[nl + 1:] if nl >= 0 else b""
        if piece.startswith(eol):  # a part without headers
            head, raw = b"", piece[len(eol):]
        else:
            end = piece.find(eol + eol)
            if end < 0:
                raise EnvelopeError("MIME part has no blank line after its headers")
            head, raw = piece[:end], piece[end + 2 * len(eol):]
        headers: dict[str, str] = {}
        for name in ("content-type", "content-id", "content-transfer-encoding",
                     "content-description", "content-disposition"):
            v = header_value(head, name)
            if v is not None:
                headers[name] = v
        parts.append(MimePart(headers=headers, content=_decode(headers, raw)))
    else:
        raise EnvelopeError("multipart body has no closing boundary")
    if not parts:
        raise EnvelopeError("multipart body has no parts")
    start = params.get("start", "").strip()
    if start.startswith("<") and start.endswith(">"):
        start = start[1:-1].strip()
    root = parts[0]
    if start:
        found = [p for p in parts if p.content_id == start]
        if not found:
            raise EnvelopeError(f"the start part <{start}> is not in the multipart body")
        root = found[0]
    return root, [p for p in parts if p is not root]
