"""Finding input files, reading them safely and handing each to the reader of its format.

The format is detected from content, never from the file name. A file that cannot be read or
whose content no reader recognises still yields one message (with its diagnostic), so it reaches
the rejects and the batch count stays exact.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..diagnostics import SourcePos, diag
from ..readers._source import SourceMessage, SourceNode
from ..readers.cargoimp import looks_like_cargoimp, read_cargoimp
from ..readers.cargoxml import looks_like_cargoxml, read_cargoxml
from ..readers.edifact import looks_like_edifact, read_edifact
from ..readers.x12 import looks_like_x12, read_x12


@dataclass(frozen=True, slots=True)
class ReaderEntry:
    name: str
    detect: Callable[[str], bool]
    read: Callable[..., list[SourceMessage]]


READERS: tuple[ReaderEntry, ...] = (
    ReaderEntry("cargo-imp", looks_like_cargoimp, read_cargoimp),
    ReaderEntry("cargo-xml", looks_like_cargoxml, read_cargoxml),
    ReaderEntry("edifact", looks_like_edifact, read_edifact),
    ReaderEntry("x12", looks_like_x12, read_x12),
)


# Under an input folder, documentation and the site's configuration and reference data
# (schedules, party books, office tables: docs/reference-data.md) are not messages. A file
# named on its own is always read.
NOT_MESSAGES = (".md", ".yaml", ".yml", ".csv", ".ssim")


def iter_input_files(paths: Iterable[str | Path], *,
                     exclude: Path | None = None) -> Iterator[Path]:
    """Files named, and files under folders named (sorted; hidden files and the
    documentation, configuration and reference data files of ``NOT_MESSAGES`` skipped).
    ``exclude`` (the output folder, when it lies inside an input folder) is never read."""
    skip = None if exclude is None else exclude.resolve()
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".")
                                 and (skip is None or (Path(root) / d).resolve() != skip))
                for name in sorted(files):
                    if not name.startswith(".") and not name.lower().endswith(NOT_MESSAGES):
                        yield Path(root) / name
        else:
            yield p


def _file_reject(file: str, code: str, message: str, raw: str = "",
                 **kw: object) -> SourceMessage:
    pos = SourcePos(file=file)
    return SourceMessage(format="", kind="", version="", file=file, index=0, first_line=1,
                         raw=raw, root=SourceNode("file", pos),
                         diagnostics=[diag(code, message, source=pos, **kw)],  # type: ignore[arg-type]
                         is_ens_input=False)


_HEAD_BYTES = 4096
_WIDTHS = ((b"\xff\xfe", "utf-16-le"), (b"<\x00", "utf-16-le"), (b"\xfe\xff", "utf-16-be"),
           (b"\x00<", "utf-16-be"))


def detection_head(data: bytes) -> str:
    """The bytes a format is detected from, as Latin-1 text: the first 4 kB, or for XML the
    4 kB from its root element on. Comments and processing instructions before the root are
    skipped (one ``find`` each, linear): a leading comment longer than 4 kB made an XFWB an
    "unknown Cargo-IMP" message."""
    head = data[:_HEAD_BYTES]
    stripped = head.lstrip(b" \t\r\n\xef\xbb\xbf")
    if not stripped.startswith(b"<") and not any(head.startswith(b) for b, _ in _WIDTHS):
        return head.decode("latin-1")
    encoding = next((e for b, e in _WIDTHS if head.startswith(b)), "latin-1")

    def mark(text: str) -> bytes:
        return text.encode(encoding)

    if encoding == "latin-1":
        pos = len(head) - len(head.lstrip(b" \t\r\n\xef\xbb\xbf"))
    else:
        pos = 2 if head.startswith((b"\xff\xfe", b"\xfe\xff")) else 0
    space = tuple(mark(c) for c in " \t\r\n")
    while pos < len(data):
        if data.startswith(space, pos):
            pos += len(space[0])
            continue
        for opening, closing in (("<!--", "-->"), ("<?", "?>")):
            if data.startswith(mark(opening), pos):
                end = data.find(mark(closing), pos + len(mark(opening)))
                if end < 0:
                    return head.decode("latin-1")
                pos = end + len(mark(closing))
                break
        else:
            break
    if pos <= len(head) - 256:
        return head.decode("latin-1")
    return data[pos:pos + _HEAD_BYTES].decode("latin-1")


def read_messages(data: bytes, *, file: str) -> list[SourceMessage]:
    """Detect the format of ``data`` and read it into messages."""
    head = detection_head(data)
    for entry in READERS:
        if entry.detect(head):
            try:
                return entry.read(data, file=file)
            except Exception as exc:  # pragma: no cover - last-resort guard, see RUN001
                return [_file_reject(file, "RUN001", f"internal error in the {entry.name} "
                                     f"reader: {type(exc).__name__}: {exc}",
                                     raw=data[:2000].decode("latin-1"))]
    if not data.strip():
        return [_file_reject(file, "SRC003", "file is empty")]
    if _mostly_text(head):
        # Text that no detector claims (an unknown identifier, an envelope with no message):
        # the Cargo-IMP reader says precisely what is wrong with it.
        return read_cargoimp(data, file=file)
    return [_file_reject(file, "SRC003", "content is not a recognised message format",
                         raw=data[:2000].decode("latin-1"),
                         expected="Cargo-IMP (FWB/FHL/FZB/FFM ...)",
                         found=repr(head[:40]))]


def _mostly_text(head: str) -> bool:
    printable = sum(1 for ch in head if ch.isprintable() or ch in "\r\n\t\x01\x02\x03")
    return printable >= 0.95 * len(head)


def read_file(path: Path, *, max_bytes: int) -> list[SourceMessage]:
    """Read one file into messages; never raises for unreadable or oversized files."""
    return read_file_bytes(path, max_bytes=max_bytes)[1]


def read_file_bytes(path: Path, *, max_bytes: int) -> tuple[bytes | None, list[SourceMessage]]:
    """The bytes of one file (None when it could not be read) and its messages."""
    name = str(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return None, [_file_reject(name, "SRC002", f"file is {size} bytes",
                                       expected=f"at most {max_bytes}", found=size)]
        data = path.read_bytes()
    except OSError as exc:
        return None, [_file_reject(name, "SRC001", f"cannot read file: {exc.strerror}")]
    return data, read_messages(data, file=name)
