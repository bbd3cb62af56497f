"""``rehearse``: the whole path on this machine with embedded defaults: demo certificates
made on the fly, the ICS2 simulator in-process on loopback over real two-way TLS, then
translate -> file -> pull through one store."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..answers import Scenario, SimulatedCustoms
from ..connectors import get_connector
from ..pipeline import TranslateOptions
from ..seal import make_demo_certs
from ..store import FilingRow, Store
from ._file import file_due
from ._model import FileReport, PullReport
from ._pull import pull_answers


@dataclass(frozen=True, kw_only=True)
class Rehearsal:
    """What a rehearsal did: the translate summary, the filing and pull reports, and every
    filing of the store afterwards (with its state and MRN)."""

    translated: dict[str, Any]
    filed: FileReport
    pulled: PullReport
    filings: tuple[FilingRow, ...]
    endpoint: str


def rehearse(paths: Iterable[str | Path], store: Store, *, out: Path | None = None,
             options: TranslateOptions | None = None,
             scenario: Scenario = Scenario.ACCEPT, concurrency: int = 4) -> Rehearsal:
    """Translate ``paths`` into ``store`` (files in ``out``), file every due filing with an
    in-process simulator over two-way TLS on loopback, and pull its answers."""
    from ..connectors.as4 import BackgroundServer, simulator_certs
    from ..connectors.simulator import Simulator

    with tempfile.TemporaryDirectory(prefix="ensgate-demo-certs-") as tmp:
        make_demo_certs(tmp)
        found = simulator_certs(tmp)
        sim = Simulator(identity=found.identity, trust=found.trust,
                        customs=SimulatedCustoms(scenario=scenario))
        with BackgroundServer(sim.app, tls=found.tls) as server:
            translated = store.translate(list(paths), out, options)
            conn = get_connector("as4", endpoint=server.url, certs=tmp, store=store,
                                 retries=2, backoff=0.2)
            try:
                filed = file_due(store, conn, concurrency=concurrency, endpoint=server.url)
                pulled = pull_answers(store, conn)
            finally:
                close = getattr(conn, "close", None)
                if close is not None:
                    close()
    return Rehearsal(translated=translated, filed=filed, pulled=pulled,
                     filings=tuple(f for f in store.filings() if f.state != "superseded"),
                     endpoint=server.url)
