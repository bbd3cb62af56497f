"""The output guard: every filing, lineage and diagnostic ensgate gives on the samples, the
golden cases and a generated corpus, as one JSON document (XML and lineage as sha256, the
diagnostics as their JSON lines), so a speed change can prove its outputs byte-identical.

    python tools/output_snapshot.py            # print the snapshot
    python tools/output_snapshot.py --bless    # rewrite tests/golden/snapshot.json

``tests/golden/test_snapshot.py`` compares a fresh snapshot with the committed one. The
committed snapshot was taken on the code before the issue-13 speed work; the filing XML it
digests is the same as the independently checked golden files (the test checks that too).
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "golden"))
sys.path.insert(0, str(ROOT / "bench"))

from golden import ISSUED, cases, run_case  # noqa: E402

from ensgate import BatchResult, TranslateOptions, translate, translate_bytes  # noqa: E402
from ensgate.pipeline._sources import diagnostics_text, lineage_json  # noqa: E402

SNAPSHOT = ROOT / "tests" / "golden" / "snapshot.json"
GENERATED_SHIPMENTS = 60


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _relative(data: bytes) -> bytes:
    return data.replace(str(ROOT).encode() + b"/", b"")


def _lines(text: str) -> list[str]:
    # file names relative to the repository, whatever folder the checkout is in
    return text.replace(str(ROOT) + "/", "").splitlines()


def describe(result: BatchResult) -> dict[str, Any]:
    """What a result gives, in a stable order."""
    return {
        "filings": [{"lrn": f.lrn, "filing": f.filing, "shipment": f.shipment,
                     "xml": _sha(f.xml), "lineage": _sha(_relative(lineage_json(f.lineage))),
                     "messages": _lines("\n".join(f.messages)),
                     "diagnostics": _lines(diagnostics_text(f.diagnostics))}
                    for f in result.filings],
        "rejects": [{"message": _lines(r.message.label), "reason": _lines(r.reason),
                     "not_ens": r.not_ens, "shipment": r.shipment,
                     "diagnostics": _lines(diagnostics_text(r.diagnostics))}
                    for r in (*result.rejects, *result.shipment_rejects, *result.not_ens)],
        "pending": [[p.shipment, p.waiting_for] for p in result.pending],
        "not_subject": [[n.shipment, n.reason] for n in result.not_subject],
        "counts": result.outcome_counts(),
    }


def _files(folder: Path) -> Iterable[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix != ".md")


def snapshot() -> dict[str, Any]:
    from gen_messages import generate

    out: dict[str, Any] = {}
    opts = TranslateOptions(issued=ISSUED, today="2026-11-20")
    for name, case in sorted(cases().items()):
        out[f"golden/{name}"] = describe(run_case(case))
    for folder in sorted(p for p in (ROOT / "samples").iterdir() if p.is_dir()):
        out[f"samples/{folder.name}"] = describe(translate(list(_files(folder)), opts))
        if folder.name in ("problems", "noisy"):
            for f in _files(folder):  # each alone: the rejects and diagnostics of one file
                out[f"file/{folder.name}/{f.name}"] = describe(translate([f], opts))
    text = "".join(generate(GENERATED_SHIPMENTS, seed=13)).encode()
    gen = translate_bytes(text, file="generated.txt", options=TranslateOptions(
        issued=datetime(2026, 11, 20, 8, 0, tzinfo=UTC), today="2026-11-20"))
    out["generated"] = describe(gen)
    out["store/samples+generated"] = store_snapshot(text)
    return out


def store_snapshot(generated: bytes) -> dict[str, Any]:
    """The store after one ``Store.translate`` of every sample folder and the generated
    corpus (what the CLI runs, no output folder): filings and every message's outcome and
    diagnostics."""
    import tempfile

    from sqlalchemy import select

    from ensgate import Store
    from ensgate.store._schema import messages

    opts = TranslateOptions(issued=ISSUED, today="2026-11-20")
    with tempfile.TemporaryDirectory() as tmp:
        gen = Path(tmp) / "in" / "generated.txt"
        gen.parent.mkdir()
        gen.write_bytes(generated)
        inputs = [*(p for p in sorted((ROOT / "samples").iterdir()) if p.is_dir()), gen]
        with Store.open(f"sqlite:///{tmp}/store.db") as store:
            summary = store.translate(inputs, None, opts, window=40)
            fils = [[f.lrn, f.filing, f.state, f.shipment, _sha(f.xml)]
                    for f in store.filings()]
            with store.engine.connect() as conn:
                msgs = [[_lines(r.file.replace(tmp + "/", ""))[0], r.idx, r.outcome,
                         _lines((r.diagnostics or "").replace(tmp + "/", ""))]
                        for r in conn.execute(select(
                            messages.c.file, messages.c.idx, messages.c.outcome,
                            messages.c.diagnostics).order_by(messages.c.file,
                                                             messages.c.idx))]
    for k in ("seconds", "run", "indexes"):
        summary.pop(k, None)
    return {"filings": sorted(fils), "messages": sorted(msgs), "summary": summary}


def dumps(snap: dict[str, Any]) -> str:
    return json.dumps(snap, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


if __name__ == "__main__":
    text = dumps(snapshot())
    if "--bless" in sys.argv[1:]:
        SNAPSHOT.write_text(text, "utf-8")
        print(f"written {SNAPSHOT.relative_to(ROOT)}")
    else:
        sys.stdout.write(text)
