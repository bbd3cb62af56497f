"""Reading a reference data file: its bytes, content hash and format (detected from the
content, never from the file name), and the "file:line" every row keeps as its lineage."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..diagnostics import ConfigError

MAX_BYTES = 512 << 20  # a reference file larger than this is refused (512 MB)


@dataclass(frozen=True, slots=True, kw_only=True)
class RefFile:
    """One reference data file as read: kind (schedules, parties, customs_offices), path,
    sha256 of its bytes, detected format and text."""

    kind: str
    path: Path
    digest: str
    format: str
    text: str

    def where(self, line: int) -> str:
        """The lineage of a row: ``file:line``."""
        return f"{self.path}:{line}"


def read_ref_file(kind: str, path: Path) -> tuple[bytes, str]:
    """The bytes of ``path`` and their sha256; a missing or over-large file is a
    configuration error (the operator named it)."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ConfigError(f"reference_data.{kind}: {path} is larger than {MAX_BYTES} bytes")
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"reference_data.{kind}: cannot read {path}: {exc.strerror}") from None
    return data, hashlib.sha256(data).hexdigest()


def decode(kind: str, path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")  # legacy exports (CRM, SSIM) are often Latin-1


def first_content_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            return line
    return ""


@dataclass(frozen=True, slots=True, kw_only=True)
class RowRef:
    """Where a reference row comes from: its file, line and text (its lineage)."""

    file: str = ""
    line: int = 0
    raw: str = ""

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


def csv_rows(text: str) -> Iterator[tuple[int, dict[str, str], str]]:
    """The rows of a CSV with a header, as (line, {column: value}, line text); blank lines
    and lines starting with ``#`` are skipped; the line is the physical one (a quoted field
    may span lines)."""
    lines = text.splitlines()
    reader = csv.reader(io.StringIO(text))
    header: list[str] | None = None
    for row in reader:
        n = reader.line_num
        if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
            continue
        if header is None:
            header = [c.strip().lower() for c in row]
            continue
        yield n, dict(zip(header, row, strict=False)), lines[n - 1] if n <= len(lines) else ""
