"""Writing a batch to disk: one XML per filing named by LRN, a rejects folder keeping each
failed source message with its diagnostics, running JSON-lines indexes of both, and a
summary. :class:`BatchWriter` writes window by window so a run over a huge input keeps flat
memory; :func:`write_batch` writes one in-memory result."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, TextIO

from ..diagnostics import format_json_line
from ._batch import BatchResult, Filing, Reject

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _reject_name(rej: Reject) -> str:
    base = _SAFE.sub("_", Path(rej.message.file).name or "input")
    name = f"{base}#{rej.message.index + 1}"
    return f"{name}.{_SAFE.sub('_', rej.shipment)}" if rej.shipment else name


class BatchWriter:
    """Writes results as they come and keeps only counts."""

    def __init__(self, out: Path, *, lineage: bool = False) -> None:
        self.out = out
        self.lineage = lineage
        out.mkdir(parents=True, exist_ok=True)
        self.counts = {"files_in": 0, "messages_in": 0, "filings_written": 0,
                       "messages_filed": 0, "messages_rejected": 0, "messages_supporting": 0,
                       "shipments_rejected": 0}
        self.seconds = 0.0
        self._filings: TextIO = (out / "filings.jsonl").open("w", encoding="utf-8")
        self._rejects: TextIO = (out / "rejects.jsonl").open("w", encoding="utf-8")

    def write(self, result: BatchResult) -> None:
        for f in result.filings:
            self._filing(f)
        for rej in (*result.rejects, *result.shipment_rejects):
            self._reject(rej)
        for key, value in summarise(result).items():
            if key in self.counts:
                self.counts[key] += value
        self.seconds += result.seconds

    def _filing(self, f: Filing) -> None:
        (self.out / f"{f.lrn}.xml").write_bytes(f.xml)
        if f.diagnostics:
            (self.out / f"{f.lrn}.diagnostics.jsonl").write_text(
                "".join(format_json_line(d) + "\n" for d in f.diagnostics), "utf-8")
        if self.lineage:
            (self.out / f"{f.lrn}.lineage.json").write_text(json.dumps(
                {path: {"rule": None if lin.rule is None else str(lin.rule),
                        "sources": [{"text": t, "at": str(p)} for t, p in lin.sources],
                        "note": lin.note} for path, lin in sorted(f.lineage.items())},
                indent=1, ensure_ascii=False), "utf-8")
        self._filings.write(json.dumps(
            {"lrn": f.lrn, "filing": f.filing, "shipment": f.shipment,
             "warnings": sum(1 for d in f.diagnostics if not d.is_error),
             "messages": list(f.messages)}, ensure_ascii=False) + "\n")

    def _reject(self, rej: Reject) -> None:
        folder = self.out / "rejects" / "not-ens" if rej.not_ens else self.out / "rejects"
        folder.mkdir(parents=True, exist_ok=True)
        name = _reject_name(rej)
        (folder / f"{name}.txt").write_text(rej.message.raw, "utf-8")
        (folder / f"{name}.diagnostics.jsonl").write_text(
            "".join(format_json_line(d) + "\n" for d in rej.diagnostics), "utf-8")
        self._rejects.write(json.dumps(
            {"message": rej.message.label, "reason": rej.reason, "not_ens": rej.not_ens,
             **({"shipment": rej.shipment} if rej.shipment else {}),
             "file": f"{folder.relative_to(self.out)}/{name}.txt"}, ensure_ascii=False) + "\n")

    def close(self) -> dict[str, Any]:
        """Finish the indexes and write ``summary.json``; returns the summary."""
        self._filings.close()
        self._rejects.close()
        summary: dict[str, Any] = {**self.counts, "seconds": round(self.seconds, 3)}
        (self.out / "summary.json").write_text(json.dumps(summary, indent=1), "utf-8")
        return summary


def write_batch(result: BatchResult, out: Path, *, lineage: bool = False) -> dict[str, Any]:
    """Write one in-memory result under ``out``; returns the summary."""
    writer = BatchWriter(out, lineage=lineage)
    writer.write(result)
    return writer.close()


def summarise(result: BatchResult) -> dict[str, Any]:
    """The counts of one result (the same keys as ``summary.json``)."""
    return {
        "files_in": result.files_in,
        "messages_in": result.messages_in,
        "filings_written": len(result.filings),
        "messages_filed": result.filed_messages,
        "messages_rejected": len(result.rejects),
        "messages_supporting": len(result.supporting),
        "shipments_rejected": len(result.shipment_rejects),
        "seconds": round(result.seconds, 3),
    }
