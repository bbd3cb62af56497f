"""The folder connector: hands filings to an existing EDI hub through a drop folder.

Files are written under a temporary name and renamed when complete, so a hub polling the
folder never picks up half a file.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

from ._base import Connector, InboundMessage, OutboundFiling, SubmitReceipt

_SAFE = re.compile(r"[^A-Za-z0-9._-]")


class FolderConnector(Connector):
    name = "folder"

    def __init__(self, outbox: str | os.PathLike[str],
                 inbox: str | os.PathLike[str] | None = None) -> None:
        self.outbox = Path(outbox)
        self.inbox = None if inbox is None else Path(inbox)

    def submit(self, filing: OutboundFiling) -> SubmitReceipt:
        self.outbox.mkdir(parents=True, exist_ok=True)
        name = f"{_SAFE.sub('_', filing.lrn)}.{filing.message_type}.xml"
        final = self.outbox / name
        if final.exists():
            return SubmitReceipt(lrn=filing.lrn, accepted=False, reference=str(final),
                                 detail="a filing with this LRN is already in the outbox")
        tmp = self.outbox / f".{name}.part"
        tmp.write_bytes(filing.xml)
        os.replace(tmp, final)
        return SubmitReceipt(lrn=filing.lrn, accepted=True, reference=str(final))

    def pull(self) -> Iterator[InboundMessage]:
        if self.inbox is None or not self.inbox.is_dir():
            return
        for path in sorted(self.inbox.glob("*.xml")):
            body = path.read_bytes()
            kind = path.name.split(".")[-2] if path.name.count(".") >= 2 else ""
            path.unlink()
            yield InboundMessage(message_type=kind, body=body, reference=path.name)

    def ping(self) -> bool:
        self.outbox.mkdir(parents=True, exist_ok=True)
        return os.access(self.outbox, os.W_OK)
