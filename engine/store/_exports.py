"""The export outbox: the files of an output folder, derived from the store.

A unit queues what its results put in (or take out of) a folder, in its own transaction
(``exports`` rows keyed by folder + item, state ``queued``). After the commit the queue is
flushed: every queued file is written to a temporary name in its folder and renamed into
place (a kill leaves the old file or the new one, never a part), and the rows become
``written``. At the end of a run (:func:`settle`) the folder's file system is synced once
(``syncfs``) and the written rows become ``done``: only then are the files known to be on
disk. A run first writes again what a killed run (or a power loss) left ``queued`` or
``written`` for its folder. The JSON-lines indexes are rebuilt from the store at the end of a
run, so that a crash and a re-run leave exactly what a clean run leaves.
"""

from __future__ import annotations

import ctypes
import json
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, select, update

from ..pipeline._output import diagnostic_lines
from ._schema import exports, filings, message_shipments, messages, shipments
from ._sqlstate import chunks, unpack

_LIBC: Any = None
# a filing's or a reject's diagnostics: a queue row, never a file of its own; the lines of
# every such row of a folder make its one ``diagnostics.jsonl`` (``rebuild_indexes``)
DIAGNOSTICS_SUFFIX = ".diagnostics.jsonl"


def _syncfs(path: Path) -> None:
    """Flush the file system holding ``path`` (one call for a window's files); falls back to
    ``os.sync`` where ``syncfs`` is missing."""
    global _LIBC
    fd = os.open(path, os.O_RDONLY)
    try:
        if _LIBC is None:
            try:
                _LIBC = ctypes.CDLL(None, use_errno=True)
                _LIBC.syncfs  # noqa: B018 - probe
            except (OSError, AttributeError):
                _LIBC = False
        if _LIBC:
            _LIBC.syncfs(fd)
        else:  # pragma: no cover - not Linux
            os.sync()
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def clean_temporaries(folder: Path) -> None:
    """Remove the temporary files a killed run left (``.<name>.tmp``)."""
    if not folder.is_dir():
        return
    for sub in (folder, folder / "rejects", folder / "not-ens"):
        if sub.is_dir():
            for p in sub.glob(".*.tmp"):
                p.unlink(missing_ok=True)


def flush(engine: Engine, folder: Path, *, again: bool = False, xml_files: bool = True) -> int:
    """Write every export queued for ``folder`` (with ``again``, also those written but not
    known to be on disk: what a killed run left); returns how many items were written.
    Without ``xml_files`` (``--out-format jsonl``) a filing gets no file: its XML goes into
    the folder's ``filings.xml.jsonl`` at the end of the run (``rebuild_indexes``)."""
    key = str(folder)
    states = ("queued", "written") if again else ("queued",)
    done = 0
    last = 0
    while True:
        with engine.connect().execution_options(sqlite_begin="DEFERRED") as conn:
            rows = conn.execute(select(
                exports.c.id, exports.c.item, exports.c.action, exports.c.kind,
                exports.c.content, exports.c.filing_id).where(
                exports.c.folder == key, exports.c.state.in_(states), exports.c.id > last)
                .order_by(exports.c.id).limit(5000)).all()
            if not rows:
                return done
            ids = sorted({r.filing_id for r in rows if r.action == "write" and
                          r.kind == "filing" and r.filing_id is not None
                          and r.item.endswith(".xml") and xml_files})
            made: dict[int, bytes] = {}
            for part in chunks(ids):
                for fid, xml in conn.execute(select(filings.c.id, filings.c.xml).where(
                        filings.c.id.in_(part))).all():
                    made[fid] = unpack(xml)
        _write(folder, rows, made, xml_files=xml_files)
        with engine.begin() as conn:
            for part in chunks([r.id for r in rows]):
                conn.execute(update(exports).where(exports.c.id.in_(part),
                                                   exports.c.state.in_(states))
                             .values(state="written"))
        done += len(rows)
        last = rows[-1].id


def settle(engine: Engine, folder: Path, *, sync: bool = True) -> int:
    """Make the written files of ``folder`` durable (one ``syncfs`` for the folder's file
    system, which also covers the renames) and mark them done; returns how many."""
    if sync:
        _syncfs(folder)
    with engine.begin() as conn:
        written = (exports.c.folder == str(folder), exports.c.state == "written")
        # the diagnostics rows keep their lines: the folder's diagnostics.jsonl is made of them
        res = conn.execute(update(exports).where(
            *written, exports.c.item.not_like(f"%{DIAGNOSTICS_SUFFIX}")).values(
            state="done", content=None))
        kept = conn.execute(update(exports).where(
            *written, exports.c.item.like(f"%{DIAGNOSTICS_SUFFIX}")).values(state="done"))
    return int(res.rowcount or 0) + int(kept.rowcount or 0)


def _write(folder: Path, rows: Sequence[Any], made: dict[int, bytes], *,
           xml_files: bool) -> None:
    folders: set[Path] = set()
    for r in rows:
        if r.item.endswith(DIAGNOSTICS_SUFFIX):
            continue  # no file: the run's diagnostics.jsonl is rebuilt from these rows
        if not xml_files and r.kind == "filing" and r.item.endswith(".xml"):
            continue  # in filings.xml.jsonl, rebuilt at the end of the run
        path = folder / r.item
        if r.action == "remove":
            path.unlink(missing_ok=True)
            continue
        if r.kind == "filing" and r.filing_id in made and r.item.endswith(".xml"):
            content = made[r.filing_id]
        else:
            content = unpack(r.content)
        if path.parent not in folders:
            path.parent.mkdir(parents=True, exist_ok=True)
            folders.add(path.parent)
        tmp = path.with_name(f".{path.name}.tmp")
        with open(tmp, "wb") as fh:
            fh.write(content)
        os.replace(tmp, path)


def _json_lines(items: Iterator[dict[str, Any]]) -> Iterator[bytes]:
    for item in items:
        yield (json.dumps(item, ensure_ascii=False) + "\n").encode("utf-8", "surrogatepass")


def _filing_entries(conn: Connection, key: str) -> Iterator[dict[str, Any]]:
    q = select(exports.c.item, filings.c.lrn, filings.c.filing, filings.c.master_document,
               filings.c.warnings, filings.c.shipment_id, filings.c.state).join(
        filings, filings.c.id == exports.c.filing_id).where(
        exports.c.folder == key, exports.c.kind == "filing", exports.c.action == "write",
        exports.c.item.like("%.xml")).order_by(exports.c.item)
    batch: list[Any] = []
    for row in conn.execute(q).yield_per(1000):
        batch.append(row)
        if len(batch) == 1000:
            yield from _with_labels(conn, batch)
            batch = []
    yield from _with_labels(conn, batch)


def _with_labels(conn: Connection, rows: list[Any]) -> Iterator[dict[str, Any]]:
    if not rows:
        return
    labels: dict[int, list[str]] = {}
    ids = sorted({r.shipment_id for r in rows})
    for part in chunks(ids):
        for sid, label in conn.execute(select(message_shipments.c.shipment_id,
                                              messages.c.label).join(
                messages, messages.c.id == message_shipments.c.message_id).where(
                message_shipments.c.shipment_id.in_(part), message_shipments.c.used)
                .distinct().order_by(message_shipments.c.shipment_id, messages.c.label)):
            labels.setdefault(sid, []).append(label)
    for r in rows:
        yield {"lrn": r.lrn, "filing": r.filing, "shipment": r.master_document,
               "state": r.state, "warnings": r.warnings,
               "messages": labels.get(r.shipment_id, [])}


def _reject_entries(conn: Connection, key: str) -> Iterator[dict[str, Any]]:
    q = select(exports.c.item, exports.c.kind, messages.c.label, messages.c.reason,
               shipments.c.mawb, shipments.c.reason.label("ship_reason")).join(
        messages, messages.c.id == exports.c.message_id).outerjoin(
        shipments, shipments.c.id == exports.c.shipment_id).where(
        exports.c.folder == key, exports.c.action == "write",
        exports.c.kind.in_(("rejected", "not-ens", "shipment-reject")),
        exports.c.item.like("%.txt")).order_by(exports.c.item)
    for r in conn.execute(q).yield_per(1000):
        if r.kind == "shipment-reject":
            yield {"message": r.label, "reason": r.ship_reason, "not_ens": False,
                   "shipment": r.mawb, "file": r.item}
        else:
            yield {"message": r.label, "reason": r.reason, "not_ens": r.kind == "not-ens",
                   "file": r.item}


def _diagnostic_lines(conn: Connection, key: str) -> Iterator[bytes]:
    """Every diagnostic of the folder's filings and rejects, one JSON object a line, each
    with the ``item`` (file of the folder) it belongs to first; sorted by item, in each item
    in the order the pipeline gave them."""
    q = select(exports.c.item, exports.c.kind, exports.c.content,
               filings.c.diagnostics).outerjoin(
        filings, filings.c.id == exports.c.filing_id).where(
        exports.c.folder == key, exports.c.action == "write",
        exports.c.item.like(f"%{DIAGNOSTICS_SUFFIX}")).order_by(exports.c.item)
    for r in conn.execute(q).yield_per(1000):
        stem = r.item[:-len(DIAGNOSTICS_SUFFIX)]
        item = stem + (".xml" if r.kind == "filing" else ".txt")
        text = (r.diagnostics or "") if r.kind == "filing" else unpack(r.content).decode(
            "utf-8", "surrogatepass")
        yield from diagnostic_lines(item, text)


def _xml_lines(conn: Connection, key: str) -> Iterator[bytes]:
    """``filings.xml.jsonl``: every current filing of the folder, its XML in the line."""
    q = select(exports.c.item, filings.c.lrn, filings.c.filing, filings.c.master_document,
               filings.c.xml).join(filings, filings.c.id == exports.c.filing_id).where(
        exports.c.folder == key, exports.c.kind == "filing", exports.c.action == "write",
        exports.c.item.like("%.xml")).order_by(exports.c.item)
    for r in conn.execute(q).yield_per(500):
        yield (json.dumps({"item": r.item, "lrn": r.lrn, "filing": r.filing,
                           "shipment": r.master_document,
                           "xml": unpack(r.xml).decode("utf-8")}, ensure_ascii=False)
               + "\n").encode("utf-8", "surrogatepass")


def rebuild_indexes(engine: Engine, folder: Path, *, xml_stream: bool = False
                    ) -> dict[str, int]:
    """Write ``filings.jsonl``, ``rejects.jsonl`` and ``diagnostics.jsonl`` of ``folder``
    (with ``xml_stream`` also ``filings.xml.jsonl``) from the store (streamed); returns how
    many lines each got."""
    key = str(folder)
    counts: dict[str, int] = {}
    with engine.connect().execution_options(sqlite_begin="DEFERRED") as conn:
        outputs = [("filings.jsonl", _json_lines(_filing_entries(conn, key))),
                   ("rejects.jsonl", _json_lines(_reject_entries(conn, key))),
                   ("diagnostics.jsonl", _diagnostic_lines(conn, key))]
        if xml_stream:
            outputs.append(("filings.xml.jsonl", _xml_lines(conn, key)))
        for name, lines in outputs:
            path = folder / name
            tmp = path.with_name(f".{name}.tmp")
            n = 0
            with open(tmp, "wb") as fh:
                for line in lines:
                    fh.write(line)
                    n += 1
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
            counts[name] = n
    _fsync_dir(folder)
    return counts
