"""Bad input of every format never crashes and never loses data.

The real samples of the four input formats (Cargo-XML, UN/EDIFACT, ANSI X12, Cargo-IMP) are
mutated the way broken feeds break them: cut off, segments or lines dropped, doubled, swapped,
bytes flipped, delimiters, release characters, ``<`` and ``&`` inserted, encoding
declarations changed, two formats spliced together. Each mutant goes through the whole
pipeline and must come out as filings, rejects and supporting messages that add up, with no
exception and no RUN001 (the safety net that turns a reader or mapping bug into a reject:
every RUN001 seen here is a bug to fix, not an outcome to accept).

CI runs a few hundred derandomized examples per test (reproducible, about 10 s). Larger
campaigns run locally, not in CI::

    python tests/pipeline/test_robustness_formats.py --iterations 20000 --seed 7

Each crash such a campaign found is kept below as a regression case (``REGRESSIONS``).
"""

from __future__ import annotations

import random
import re
import sys
import traceback
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mutations import ALL, CORPUS, FORMATS, mutate, separators, units

from ensgate import BatchResult, translate, translate_bytes
from ensgate.diagnostics import CATALOGUE, diag

ROOT = Path(__file__).resolve().parents[2]


# --- what must hold for every input ------------------------------------------------------

def check(result: BatchResult, files: set[str] | str) -> None:
    """The accounting identity holds; nothing went through the safety net (RUN001); every
    reject says why, in catalogued codes, at a position in a file that was read."""
    names = {files} if isinstance(files, str) else files
    assert result.messages_in >= 1, "input vanished without a message"
    assert result.check() == []
    assert result.filed_messages >= 0
    assert bool(result.filings) == (result.filed_messages > 0)
    every = [d for r in result.rejects for d in r.diagnostics]
    every += [d for f in result.filings for d in f.diagnostics]
    internal = [str(d.to_dict()) for d in every if d.code == "RUN001"]
    assert not internal, internal
    for rej in result.rejects:
        assert rej.reason, rej.message.label
        assert rej.message.file in names, rej.message.file
        assert rej.diagnostics, rej.message.label
        assert all(d.code in CATALOGUE for d in rej.diagnostics), rej.diagnostics
        assert any(d.source is not None and d.source.file in names
                   for d in rej.diagnostics), (rej.message.label, rej.diagnostics)


# --- regression cases: each input once crashed the pipeline -------------------------------

# (label, sample, bytes replaced, replacement, codes that must be reported). Each is the
# smallest edit of a real sample that reproduces a failure a campaign found; before the fix the
# input raised out of translate_bytes, went through the RUN001 net, or (last) named no file.
_S3_GROUP = "samples/edifact/s3-cuscar-KE0933-icn-vie-group.edi"
_E01 = "tests/data/edifact-realworld/e01-cuscar-d96b-decimal-comma-crlf.edi"
_X01 = "tests/data/x12-realworld/x01-858-00501-repetition-separator-crlf.x12"
_XFWB_LBR = "tests/data/cargoxml-realworld/01-xfwb-rsm-ram-lbr-multi-hs.xml"
REGRESSION_EDITS: list[tuple[str, str, bytes, bytes, set[str]]] = [
    # str.isdigit() accepts '²' (Latin-1 byte B2) and int() refuses it: ValueError
    ("edifact-unz-count-superscript-two", _S3_GROUP, b"UNZ+1+", b"UNZ+\xb2+", {"EDI010"}),
    ("edifact-une-count-superscript-two", _S3_GROUP, b"UNE+1+", b"UNE+\xb2+", {"EDI010"}),
    ("edifact-unt-count-superscript-two", _S3_GROUP, b"UNT+14+", b"UNT+\xb2+", {"EDI008"}),
    ("cargoimp-part-number-superscript-two",
     "samples/noisy/fwb17-two-parts-235-66273815-ist-waw.txt", b"PART/1/CONT",
     b"PART/\xb2/CONT", {"IMP016"}),
    # a control character inside a value made the rendered filing ill-formed: lxml raised
    ("edifact-ctrl-z-inside-consignee-name", _E01, b"NOORDLICHT OPTIEK",
     b"NOORDLICHT\x1aOPTIEK", {"XSD001", "DQ005"}),
    ("x12-nul-inside-consignee-name", _X01, b"TEXTILHANDEL RHEIN", b"TEXTILHANDEL\x00RHEIN",
     {"XSD001", "DQ005"}),
    # 40-digit weight in pounds: Decimal.quantize raised InvalidOperation in measure_kg (RUN001)
    ("cargoxml-forty-digit-weight-in-pounds", _XFWB_LBR,
     b'<ram:GrossWeightMeasure unitCode="LBR">640<', b'<ram:GrossWeightMeasure unitCode="LBR">'
     + b"9" * 40 + b"<", {"MAP004"}),
    # rejected by an ICS2 rule only: no diagnostic named the source file (now BAT001 does)
    ("x12-consignee-postcode-removed", _X01, b"N4*DUESSELDORF**40221*DE",
     b"N4*DUESSELDORF***DE", {"ICS002", "BAT001"}),
]


def _edited(path: str, old: bytes, new: bytes) -> bytes:
    data = (ROOT / path).read_bytes()
    assert old in data, (path, old)
    return data.replace(old, new, 1)


@pytest.mark.parametrize(("label", "path", "old", "new", "codes"), REGRESSION_EDITS,
                         ids=[r[0] for r in REGRESSION_EDITS])
def test_regression_inputs(label: str, path: str, old: bytes, new: bytes,
                           codes: set[str]) -> None:
    result = translate_bytes(_edited(path, old, new), file=label)
    check(result, label)
    seen = {d.code for r in result.rejects for d in r.diagnostics}
    seen |= {d.code for m in result.supporting for d in m.diagnostics}
    seen |= {d.code for f in result.filings for d in f.diagnostics}
    assert codes <= seen, (codes - seen, seen)


def test_unwritable_character_is_reported_at_its_source_position() -> None:
    """The DQ005 for a control character points at the EDIFACT element that holds it."""
    result = translate_bytes(_edited(_E01, b"NOORDLICHT OPTIEK", b"NOORDLICHT\x1aOPTIEK"),
                             file="e01.edi")
    check(result, "e01.edi")
    (dq,) = [d for r in result.rejects for d in r.diagnostics if d.code == "DQ005"]
    assert dq.source is not None and dq.source.file == "e01.edi"
    text = (ROOT / _E01).read_bytes().decode("latin-1")
    line = next(n for n, t in enumerate(text.splitlines(), 1) if "NOORDLICHT" in t)
    assert dq.source.line == line
    assert "\\x1a" in dq.message


# --- hypothesis: reproducible (derandomized) mutants of the real samples ------------------

_SETTINGS = settings(max_examples=400, deadline=None, derandomize=True, database=None,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _mutants(fmt: str, max_ops: int = 4) -> st.SearchStrategy[bytes]:
    @st.composite
    def strat(draw: st.DrawFn) -> bytes:
        _, data = draw(st.sampled_from(CORPUS[fmt]))
        rng = draw(st.randoms(use_true_random=False))
        return mutate(rng, fmt, data, draw(st.integers(1, max_ops)), gentle=draw(st.booleans()))
    return strat()


@_SETTINGS
@given(_mutants("cargo-xml"))
def test_mutated_cargo_xml(data: bytes) -> None:
    check(translate_bytes(data, file="mutated.xml"), "mutated.xml")


@_SETTINGS
@given(_mutants("edifact"))
def test_mutated_edifact(data: bytes) -> None:
    check(translate_bytes(data, file="mutated.edi"), "mutated.edi")


@_SETTINGS
@given(_mutants("x12"))
def test_mutated_x12(data: bytes) -> None:
    check(translate_bytes(data, file="mutated.x12"), "mutated.x12")


@settings(_SETTINGS, max_examples=150)
@given(_mutants("cargo-imp"))
def test_mutated_cargo_imp(data: bytes) -> None:
    check(translate_bytes(data, file="mutated.txt"), "mutated.txt")


@settings(_SETTINGS, max_examples=200)
@given(st.sampled_from(ALL), st.sampled_from(ALL), st.data())
def test_spliced_formats(a: tuple[str, str, bytes], b: tuple[str, str, bytes],
                         data: st.DataObject) -> None:
    """The head of one file glued to the tail of another, of any two formats."""
    cut_a = data.draw(st.integers(0, len(a[2])))
    cut_b = data.draw(st.integers(0, len(b[2])))
    check(translate_bytes(a[2][:cut_a] + b[2][cut_b:], file="spliced"), "spliced")


@pytest.mark.parametrize(("fmt", "name", "data"), ALL, ids=[f"{a[0]}/{a[1]}" for a in ALL])
def test_every_truncation_point_class(fmt: str, name: str, data: bytes) -> None:
    """Each sample cut inside its first unit, in the middle and one byte before its end."""
    us = units(fmt, data)
    first = len(us[0]) if us else 0
    for cut in sorted({1, max(1, first // 2), len(data) // 2, max(0, len(data) - 1)}):
        check(translate_bytes(data[:cut], file=name), name)


# A file whose AWBs appear in no other sample, so no mutant can join its shipment.
GOOD = next((n, d) for fmt, n, d in ALL if n.startswith("x01-858"))


@settings(_SETTINGS, max_examples=25)
@given(st.lists(st.sampled_from(ALL), min_size=2, max_size=5), st.randoms(use_true_random=False))
def test_a_batch_of_bad_files_goes_on(tmp_path_factory: pytest.TempPathFactory,
                                      picks: list[tuple[str, str, bytes]],
                                      rng: random.Random) -> None:
    """Several mutated files of several formats in one folder, beside one good file: the good
    one is still filed, and every message of every file is accounted for."""
    folder = tmp_path_factory.mktemp("batch")
    names = set()
    for n, (fmt, name, data) in enumerate(picks):
        path = folder / f"{n:02d}-{name}"
        path.write_bytes(mutate(rng, fmt, data, rng.randint(1, 3)))
        names.add(str(path))
    good = folder / f"99-{GOOD[0]}"
    good.write_bytes(GOOD[1])
    names.add(str(good))
    result = translate([folder])
    check(result, names)
    assert result.files_in == len(picks) + 1
    assert any(str(good) in label for f in result.filings for label in f.messages), [
        r.reason for r in result.rejects if r.message.file == str(good)]


@pytest.mark.parametrize(("fmt", "name", "data"), ALL, ids=[f"{a[0]}/{a[1]}" for a in ALL])
def test_units_cut_each_sample_losslessly(fmt: str, name: str, data: bytes) -> None:
    """The mutators work on real units: cut and joined again, each sample is unchanged, and
    a segment format gives more than one unit."""
    us = units(fmt, data)
    assert b"".join(us) == data
    assert len(us) > 1


def test_check_catches_what_it_is_for() -> None:
    """The invariant check fails on a RUN001 and on a reject that names no source file."""
    good = translate_bytes(_edited(_X01, b"N4*DUESSELDORF**40221*DE", b"N4*DUESSELDORF***DE"),
                           file="x01.x12")
    check(good, "x01.x12")
    with pytest.raises(AssertionError):
        check(good, "another-file.x12")
    bad = translate_bytes(b"\x00\x01binary", file="b.bin")
    rej = bad.rejects[0]
    bad.rejects[0] = type(rej)(message=rej.message, reason=rej.reason, diagnostics=(
        *rej.diagnostics, diag("RUN001", source=rej.message.pos(1))))
    with pytest.raises(AssertionError, match="RUN001"):
        check(bad, "b.bin")


# --- local campaign (not collected by pytest) ---------------------------------------------

def _campaign(iterations: int, seed: int, out: Path) -> int:
    rng = random.Random(seed)
    found = 0
    out.mkdir(parents=True, exist_ok=True)
    for it in range(iterations):
        fmt, name, data = rng.choice(ALL)
        gentle = rng.random() < 0.5
        mutant = mutate(rng, fmt, data, rng.randint(1, 3 if gentle else 6), gentle=gentle)
        label = f"campaign-{seed}-{it}"
        try:
            check(translate_bytes(mutant, file=label), label)
        except Exception:  # a campaign reports every kind of failure and goes on
            found += 1
            (out / f"{label}.bin").write_bytes(mutant)
            (out / f"{label}.txt").write_text(f"{fmt} {name}\n{traceback.format_exc()}")
            print(f"FAIL {label} from {fmt}/{name}: {traceback.format_exc().splitlines()[-1]}",
                  flush=True)
        if it and it % 1000 == 0:
            print(f"{it} mutants, {found} failures", flush=True)
    print(f"done: {iterations} mutants, {found} failures")
    return found


def sweep_mutants(fmt: str, data: bytes) -> list[tuple[str, bytes]]:
    """Every single-unit deletion, duplication and cut-after of a sample, and every value of
    every unit replaced by a few hostile values: systematic, where the campaign is random."""
    us = units(fmt, data)
    out = []
    for i, u in enumerate(us):
        out.append((f"del{i}", b"".join(us[:i] + us[i + 1:])))
        out.append((f"dup{i}", b"".join(us[:i + 1] + us[i:])))
        out.append((f"cut{i}", b"".join(us[:i]) + u[:len(u) // 2]))
        seps = separators(fmt, data)
        pieces = re.split(b"([" + re.escape(seps) + b"])", u)
        for j, p in enumerate(pieces):
            if not p or p in seps or (j == 0 and fmt != "cargo-xml"):
                continue
            for k, v in enumerate((b"", b"\xb2", b"9" * 40, b"\x00", b"-1")):
                swapped = b"".join([*pieces[:j], v, *pieces[j + 1:]])
                out.append((f"val{i}.{j}.{k}", b"".join([*us[:i], swapped, *us[i + 1:]])))
    return out


def _sweep(out: Path, formats: tuple[str, ...]) -> int:
    found = 0
    out.mkdir(parents=True, exist_ok=True)
    for fmt, name, data in ALL:
        if fmt not in formats:
            continue
        mutants = sweep_mutants(fmt, data)
        for tag, mutant in mutants:
            label = f"sweep-{name}-{tag}"
            try:
                check(translate_bytes(mutant, file=label), label)
            except Exception:  # a sweep reports every kind of failure and goes on
                found += 1
                (out / f"{label}.bin").write_bytes(mutant)
                (out / f"{label}.txt").write_text(f"{fmt} {name}\n{traceback.format_exc()}")
                print(f"FAIL {label}: {traceback.format_exc().splitlines()[-1]}", flush=True)
        print(f"{name}: {len(mutants)} mutants, {found} failures so far", flush=True)
    return found


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description="mutation campaign over the real samples")
    ap.add_argument("--iterations", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, default=Path("fuzz-failures"))
    ap.add_argument("--sweep", action="store_true", help="systematic single-unit mutants")
    ap.add_argument("--format", action="append", choices=FORMATS, help="sweep only these")
    args = ap.parse_args()
    if args.sweep:
        sys.exit(1 if _sweep(args.out, tuple(args.format or FORMATS)) else 0)
    sys.exit(1 if _campaign(args.iterations, args.seed, args.out) else 0)


def test_unwritable_character_through_the_store_gives_the_traced_findings(
        tmp_path: Path) -> None:
    """A store run maps without lineage (nobody reads it there), but the DQ005 findings come
    from lineage: the unit maps again with it, so they are those of the in-memory run."""
    from ensgate.pipeline._sources import diagnostics_text
    from ensgate.store import Store

    data = _edited(_E01, b"NOORDLICHT OPTIEK", b"NOORDLICHT\x1aOPTIEK")
    memory = translate_bytes(data, file="e01.edi")
    with Store.open(f"sqlite:///{tmp_path / 's.db'}") as store:
        stored = store.ingest(data, "e01.edi")
        assert stored.outcomes == {"rejected": 1}
        from ensgate.store._schema import messages

        with store.engine.connect() as conn:
            (lines,) = conn.execute(messages.select().with_only_columns(
                messages.c.diagnostics)).scalars()
    expected = diagnostics_text(memory.rejects[0].diagnostics)
    assert "DQ005" in expected
    assert lines + "\n" == expected
