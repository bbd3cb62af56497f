"""Several processes on one store assemble and file a shipment exactly once: two writers
feeding the houses and the master of the same consolidation at the same instant
end with one IE3F20 per shipment, never two pending halves that each missed the other.
(PostgreSQL: the unit locks its shipment rows, SELECT ... FOR UPDATE in key order; SQLite:
each unit is one BEGIN IMMEDIATE transaction.) Each writer has its own store object, so its
own database connection, as two processes would."""

from __future__ import annotations

import threading

import pytest
from _store_helpers import T0, options, s, sample

from ensgate.mapping._assemble import awb_key
from ensgate.store import Store

S1_AWB = b"781-60482133"


def _awb(i: int) -> bytes:
    serial = 6048300 + i
    return f"781-{serial}{serial % 7}".encode()


def _inputs(i: int) -> tuple[bytes, bytes, bytes]:
    """(FFM, FHLs, FWB) of S1 renumbered to a shipment of its own."""
    houses = b"\n".join(p.read_bytes() for p in s("cargo-imp", "s1-fhl5"))
    ffm = sample("s1-ffm8-MU0553-pvg-bru-first-arrival-be.txt")
    fwb = sample("s1-fwb17-master-781-60482133-pvg-bru.txt")
    return tuple(m.replace(S1_AWB, _awb(i)) for m in (ffm, houses, fwb))  # type: ignore[return-value]


@pytest.mark.parametrize("flight_first", [True, False], ids=["row-exists", "new-row"])
def test_two_writers_on_one_shipment_file_it_once(store_url: str, flight_first: bool) -> None:
    """``row-exists``: the flight manifest came first, the writers meet on the row lock;
    ``new-row``: the shipment is new to both, the second insert conflicts and its unit runs
    again, now seeing the first one's messages."""
    rounds = 12
    with Store.open(store_url) as first, Store.open(store_url) as second:
        errors: list[BaseException] = []
        for i in range(rounds):
            flight, houses, master = _inputs(i)
            if flight_first:
                first.ingest(flight, f"flight-{i}", now=T0, options=options())
            else:
                houses = houses + b"\n" + flight
            gate = threading.Barrier(2)

            def feed(store: Store, data: bytes, name: str,
                     gate: threading.Barrier = gate) -> None:
                try:
                    gate.wait()
                    store.ingest(data, name, now=T0, options=options())
                except BaseException as exc:
                    errors.append(exc)

            threads = [threading.Thread(target=feed, args=(first, houses, f"houses-{i}")),
                       threading.Thread(target=feed, args=(second, master, f"master-{i}"))]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        assert errors == []
        filings = list(first.filings())
        for i in range(rounds):
            mine = [f for f in filings if f.key == awb_key(_awb(i).decode())]
            assert [(f.filing, f.state) for f in mine] == [("IE3F20", "ready")], i
            assert first.status(_awb(i).decode())["state"] == "filed"
        assert first.report()["pending"] == []
