"""Writing an in-memory result to disk: one XML per filing named by LRN, a rejects folder
keeping each failed source message, ``not-ens/`` for recognised messages that are no ENS
input, the diagnostics of all of them in one ``diagnostics.jsonl``, JSON-lines indexes and a
summary. Every file is written atomically
(:func:`write_atomic`). Runs over the shipment store write the same layout from the store
(``ensgate.store``)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ._batch import BatchResult, Reject
from ._sources import diagnostics_text, lineage_json, reject_name


def write_atomic(path: Path, content: bytes, *, sync: bool = False) -> None:
    """Write ``content`` to ``path`` so that a reader (or a run after a kill) sees the old
    file or the new one, never a part: a temporary file in the same folder, then a rename.
    ``sync`` also forces the bytes to disk before the rename."""
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(content)
        if sync:
            fh.flush()
            os.fsync(fh.fileno())
    os.replace(tmp, path)


def diagnostic_lines(item: str, text: str) -> Iterator[bytes]:
    """The lines of ``diagnostics.jsonl`` for one item (a filing's ``<LRN>.xml``, a reject's
    ``rejects/<file>#<n>.txt``): each diagnostic's JSON line with ``"item"`` put first. A run
    writes the diagnostics of all its filings and rejects into this one file (creating a
    file per filing cost more than any pipeline stage, issue 13)."""
    head = '{"item": ' + json.dumps(item, ensure_ascii=False) + ", "
    for line in text.splitlines():
        if line.startswith("{"):
            yield (head + line[1:] + "\n").encode("utf-8", "surrogatepass")


def _encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def reject_files(rej: Reject) -> tuple[str, bytes, bytes]:
    """(path under the output folder without suffix, message text, diagnostics)."""
    folder = "not-ens" if rej.not_ens else "rejects"
    name = reject_name(rej.message.file, rej.message.index, rej.shipment)
    return f"{folder}/{name}", _encode(rej.message.raw), _encode(
        diagnostics_text(rej.diagnostics))


def write_batch(result: BatchResult, out: Path, *, lineage: bool = False) -> dict[str, Any]:
    """Write one in-memory result under ``out``; returns the summary."""
    out.mkdir(parents=True, exist_ok=True)
    index: list[str] = []
    diagnostics: dict[str, list[bytes]] = {}
    for f in result.filings:
        write_atomic(out / f"{f.lrn}.xml", f.xml)
        if f.diagnostics:
            diagnostics[f"{f.lrn}.xml"] = list(diagnostic_lines(
                f"{f.lrn}.xml", diagnostics_text(f.diagnostics)))
        if lineage:
            write_atomic(out / f"{f.lrn}.lineage.json", lineage_json(f.lineage))
        index.append(json.dumps(
            {"lrn": f.lrn, "filing": f.filing, "shipment": f.shipment,
             "warnings": sum(1 for d in f.diagnostics if not d.is_error),
             "messages": list(f.messages)}, ensure_ascii=False))
    rejects: list[str] = []
    for rej in (*result.rejects, *result.shipment_rejects, *result.earlier_rejects,
                *result.not_ens):
        stem, raw, diags = reject_files(rej)
        (out / stem).parent.mkdir(parents=True, exist_ok=True)
        write_atomic(out / f"{stem}.txt", raw)
        diagnostics[f"{stem}.txt"] = list(diagnostic_lines(f"{stem}.txt", diags.decode(
            "utf-8", "surrogatepass")))
        rejects.append(json.dumps(
            {"message": rej.message.label, "reason": rej.reason, "not_ens": rej.not_ens,
             **({"shipment": rej.shipment} if rej.shipment else {}),
             "file": f"{stem}.txt"}, ensure_ascii=False))
    write_atomic(out / "filings.jsonl", _encode("".join(line + "\n" for line in index)))
    write_atomic(out / "rejects.jsonl", _encode("".join(line + "\n" for line in rejects)))
    write_atomic(out / "diagnostics.jsonl", b"".join(
        line for item in sorted(diagnostics) for line in diagnostics[item]))
    summary = summarise(result)
    write_atomic(out / "summary.json", _encode(json.dumps(summary, indent=1)))
    return summary


def summarise(result: BatchResult) -> dict[str, Any]:
    """The counts of one result (the keys of ``summary.json``), each from its own list."""
    return {
        "files_in": result.files_in,
        "messages_in": result.messages_in,
        "filings_written": len(result.filings),
        "messages_filed": result.filed_messages,
        "messages_rejected": len(result.rejects),
        "messages_pending": len(result.pending_messages),
        "messages_not_ens": len(result.not_ens),
        "messages_not_subject": len(result.not_subject_messages),
        "messages_supporting": len(result.supporting),
        "messages_superseded": len(result.superseded),
        "messages_duplicate": len(result.duplicates),
        "shipments_rejected": len(result.shipment_rejects),
        "shipments_pending": len(result.pending),
        "shipments_not_subject": len(result.not_subject),
        "seconds": round(result.seconds, 3),
    }
