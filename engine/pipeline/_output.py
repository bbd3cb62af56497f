"""Writing a batch to disk: one XML per filing named by LRN, a rejects folder keeping each
failed source message with its diagnostics, and a machine-readable summary."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from ..diagnostics import format_json_line
from ._batch import BatchResult, Reject

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _reject_name(rej: Reject) -> str:
    base = _SAFE.sub("_", Path(rej.message.file).name or "input")
    return f"{base}#{rej.message.index + 1}"


def write_batch(result: BatchResult, out: Path, *, lineage: bool = False) -> dict[str, Any]:
    """Write filings, rejects and ``summary.json`` under ``out``; returns the summary."""
    out.mkdir(parents=True, exist_ok=True)
    for f in result.filings:
        (out / f"{f.lrn}.xml").write_bytes(f.xml)
        if f.diagnostics:
            (out / f"{f.lrn}.diagnostics.jsonl").write_text(
                "".join(format_json_line(d) + "\n" for d in f.diagnostics), "utf-8")
        if lineage:
            (out / f"{f.lrn}.lineage.json").write_text(json.dumps(
                {path: {"rule": None if lin.rule is None else str(lin.rule),
                        "sources": [{"text": t, "at": str(p)} for t, p in lin.sources],
                        "note": lin.note} for path, lin in sorted(f.lineage.items())},
                indent=1, ensure_ascii=False), "utf-8")
    rejects = out / "rejects"
    for rej in result.rejects:
        folder = rejects / "not-ens" if rej.not_ens else rejects
        folder.mkdir(parents=True, exist_ok=True)
        name = _reject_name(rej)
        (folder / f"{name}.txt").write_text(rej.message.raw, "utf-8")
        (folder / f"{name}.diagnostics.jsonl").write_text(
            "".join(format_json_line(d) + "\n" for d in rej.diagnostics), "utf-8")
    summary = summarise(result)
    (out / "summary.json").write_text(json.dumps(summary, indent=1), "utf-8")
    return summary


def summarise(result: BatchResult) -> dict[str, Any]:
    return {
        "files_in": result.files_in,
        "messages_in": result.messages_in,
        "filings_written": len(result.filings),
        "messages_filed": result.filed_messages,
        "messages_rejected": len(result.rejects),
        "messages_supporting": len(result.supporting),
        "seconds": round(result.seconds, 3),
        "filings": [{"lrn": f.lrn, "filing": f.filing, "shipment": f.shipment,
                     "warnings": sum(1 for d in f.diagnostics if not d.is_error),
                     "messages": list(f.messages)} for f in result.filings],
        "rejects": [{"message": r.message.label, "reason": r.reason, "not_ens": r.not_ens}
                    for r in result.rejects],
    }
