"""The store's record of the reference data files a run used (table ``reference_files``).

Each version of a configured file (kind, path, content hash) is stored once with its bytes
(zlib), detected format, rows read and the rows that could not be read: a lineage "file:line"
can be read back against the content that gave the value, and a schedule version new to the
store tells the caller to decide again the shipments waiting for flight times (recorded only
after that, so that a run killed in between does it again).
"""

from __future__ import annotations

import hashlib
import json
import logging
import zlib
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError

from ..reference import LoadedFile, ReferenceData
from ._schema import reference_files

log = logging.getLogger("ensgate.store")


def new_versions(engine: Engine, ref: ReferenceData) -> list[LoadedFile]:
    """The files of ``ref`` whose version (kind, path, content hash) the store has not
    recorded yet."""
    if not ref.files:
        return []
    with engine.connect().execution_options(sqlite_begin="DEFERRED") as conn:
        known = {tuple(r) for r in conn.execute(select(
            reference_files.c.kind, reference_files.c.path, reference_files.c.digest)).all()}
    return [f for f in ref.files if (f.kind, f.path, f.digest) not in known]


def record_versions(engine: Engine, ref: ReferenceData, files: list[LoadedFile],
                    now: datetime) -> None:
    """Record ``files`` (new versions) with their bytes. Called once the shipments they may
    change were decided again: a run killed before records nothing, so the next run decides
    them again (idempotent) rather than never."""
    for f in files:
        try:
            data = Path(f.path).read_bytes()
        except OSError as exc:
            log.warning("reference data %s not stored: %s", f.path, exc.strerror)
            continue
        if hashlib.sha256(data).hexdigest() != f.digest:
            continue  # changed since it was loaded: the next load indexes and stores it
        problems = [p for p in ref.problems if p.startswith(f"{f.path}:")]
        try:
            with engine.begin() as conn:
                conn.execute(insert(reference_files).values(
                    kind=f.kind, path=f.path, digest=f.digest, format=f.format, rows=f.rows,
                    problems=json.dumps(problems), body=zlib.compress(data), loaded_at=now))
        except IntegrityError:
            continue  # another process recorded this version first
        log.info("reference data: %s %s (%s, %d rows) stored, sha256 %s", f.kind, f.path,
                 f.format, f.rows, f.digest[:12])
