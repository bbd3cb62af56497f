"""Throughput of Cargo-XML -> ENS (translate + validate) on generated XFWB traffic.

Usage: python bench/bench_cargoxml.py [N]   (default N = 2000 shipments: XFWB + XFFM each)

The shipments are those of ``bench_translate.py`` (``gen_messages``: realistic EU-bound direct
AWBs with full ICS2 data), written as Cargo-XML 3.00 documents by ``gen_cargoxml`` (about
7 kB per XFWB). One shipment = one XFWB plus the XFFM of its flight (the flight manifest gives
the arrival time a complete IE3F28 filing needs), so "XFWB/s" below counts XFWB -> validated
ENS with its XFFM read and joined too.

Prints one table: the whole pipeline, each stage alone (read, map + join, render, validate =
XSD + ICS2 rules), the floors (lxml parse of the same inputs; lxml parse + serialise of the
same ENS outputs), the target of issue 3 and the XSLT 3.0 / Saxon-HE reference figure. Runs in
this process, on one core; nothing is timed inside unit tests.
"""

from __future__ import annotations

import resource
import sys
from datetime import UTC, datetime
from pathlib import Path

from lxml import etree

sys.path.insert(0, str(Path(__file__).parent))
from bench_translate import best_of  # the GC-paused timing every bench uses
from gen_cargoxml import xffm, xfwb
from gen_messages import generate

from ensgate import BatchResult, TranslateOptions
from ensgate.mapping._assemble import Shipment, assemble
from ensgate.mapping._engine import run_spec
from ensgate.mapping._spec import builtin_specs
from ensgate.pipeline import translate_bytes, translate_messages
from ensgate.pipeline._inputs import read_messages
from ensgate.readers._source import SourceMessage
from ensgate.readers.cargoimp import read_cargoimp
from ensgate.readers.cargoxml import read_cargoxml
from ensgate.render import Renderer
from ensgate.validate import check_rules, check_schema

TARGET = 4000.0  # XFWB -> ENS per second per core with validation (issue 3)
XSLT_REFERENCE = 1300.0  # XSLT 3.0 stylesheet in Saxon-HE on this machine (issue 3)


def documents(n: int) -> list[bytes]:
    """XFWB, XFFM, XFWB, XFFM ... for ``n`` generated shipments."""
    out = []
    for text in generate(n):
        (msg,) = read_cargoimp(text.encode(), file="gen")
        out.append(xfwb(msg) if msg.kind == "FWB" else xffm(msg))
    return out


def main(n: int) -> None:
    docs = documents(n)
    batch = b"".join(docs)  # several documents in one file: each starts with <?xml
    opts = TranslateOptions(issued=datetime(2026, 11, 20, 8, tzinfo=UTC), today="2026-11-20")

    def whole_files() -> BatchResult:
        msgs = [m for i, d in enumerate(docs) for m in read_messages(d, file=f"d{i}.xml")]
        return translate_messages(msgs, opts)

    def whole_batch() -> BatchResult:
        return translate_bytes(batch, file="batch.xml", options=opts)

    result = whole_batch()  # warm-up: compile specs, templates, schemas
    assert len(result.filings) == len(whole_files().filings)
    outputs = [f.xml for f in result.filings]
    whole_files_t = best_of(whole_files)
    whole_batch_t = best_of(whole_batch)

    def read_files() -> list[SourceMessage]:
        return [m for i, d in enumerate(docs) for m in read_messages(d, file=f"d{i}.xml")]

    read_files_t = best_of(read_files)
    read_batch_t = best_of(lambda: read_cargoxml(batch, file="b.xml"))
    messages = read_cargoxml(batch, file="b.xml")
    specs = {s.message: s for s in builtin_specs() if s.source_format == "cargo-xml"}

    def map_join() -> list[Shipment]:
        frags = [f for m in messages for f in run_spec(specs[m.kind], m, today="2026-11-20")]
        return assemble(frags)

    map_t = best_of(map_join)
    ships = map_join()
    renderer = Renderer()
    render_t = best_of(lambda: [renderer.render("F28", s.data) for s in ships])
    trees = [etree.fromstring(x) for x in outputs]
    validate_t = best_of(lambda: [(check_schema(t), check_rules(t, message="IE3F28"))
                                  for t in trees])
    floor_in_t = best_of(lambda: [etree.fromstring(d) for d in docs])
    floor_out_t = best_of(lambda: [etree.tostring(etree.fromstring(x)) for x in outputs])
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    rate = n / whole_batch_t
    rows = [
        ("total, one file of all documents (XFWB+XFFM -> ENS)", rate, f"{TARGET:,.0f}"),
        ("total, one file per document", n / whole_files_t, f"{TARGET:,.0f}"),
        ("  read, one file of all documents", n / read_batch_t, ""),
        ("  read, one file per document (GC paused)", n / read_files_t, ""),
        ("  map + join (cargoxml-xfwb/xffm specs, assemble)", n / map_t, ""),
        ("  render (Jinja, IE3F28)", n / render_t, ""),
        ("  validate (XSD + ICS2 rules)", n / validate_t, ""),
        ("floor: lxml parse of the XFWB + XFFM inputs", n / floor_in_t, ""),
        ("floor: lxml parse + serialise of the ENS outputs", len(outputs) / floor_out_t, ""),
        ("reference: XSLT 3.0 in Saxon-HE (issue 3)", XSLT_REFERENCE, ""),
    ]
    print(f"\nensgate Cargo-XML benchmark: {n} shipments (XFWB + XFFM each), "
          f"{len(batch) / 1e6:.1f} MB, {len(outputs)} filings, {len(result.rejects)} rejects, "
          "1 core")
    print(f"{'stage':58} {'XFWB/s':>9} {'target':>8}")
    for name, value, target in rows:
        print(f"{name:58} {value:9,.0f} {target:>8}")
    print(f"{'peak RSS (MB)':58} {rss_mb:9,.0f}")
    print(f"total = {rate / TARGET:.1%} of target; per XFWB+XFFM (us): read "
          f"{read_batch_t / n * 1e6:.0f} (parse floor {floor_in_t / n * 1e6:.0f}), map + join "
          f"{map_t / n * 1e6:.0f}, render {render_t / n * 1e6:.0f}, validate "
          f"{validate_t / n * 1e6:.0f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
