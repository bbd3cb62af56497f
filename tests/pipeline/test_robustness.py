"""Bad input never crashes and never loses data, through the whole pipeline."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ensgate import BatchResult, translate, translate_bytes
from ensgate.diagnostics import Diagnostic

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
FWB = (SAMPLES / "cargo-imp" / "s3-fwb17-direct-180-88351270-icn-vie-security.txt").read_bytes()
FHL = (SAMPLES / "cargo-imp" / "s1-fhl5-house-HXSHA2611045-bicycle-parts-be.txt").read_bytes()


def _accounted(result: BatchResult) -> None:
    assert result.check() == []
    for rej in result.rejects:
        assert rej.diagnostics, rej.message.label
        assert all(isinstance(d, Diagnostic) for d in rej.diagnostics)
        assert rej.reason


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000))
def test_arbitrary_bytes(data: bytes) -> None:
    _accounted(translate_bytes(data, file="fuzz.bin"))


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    lines = (FWB if draw(st.booleans()) else FHL).split(b"\n")
    for _ in range(draw(st.integers(0, 6))):
        op = draw(st.sampled_from(["drop", "dup", "slash", "cut", "swap", "junk"]))
        i = draw(st.integers(0, max(0, len(lines) - 1)))
        if op == "drop" and len(lines) > 1:
            del lines[i]
        elif op == "dup":
            lines.insert(i, lines[i])
        elif op == "slash":
            j = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:j] + b"/" + lines[i][j:]
        elif op == "cut":
            lines[i] = lines[i][: draw(st.integers(0, len(lines[i])))]
        elif op == "swap" and len(lines) > 1:
            k = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[k] = lines[k], lines[i]
        elif op == "junk":
            lines[i] = draw(st.binary(min_size=1, max_size=40))
    return b"\n".join(lines)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_messages(data: bytes) -> None:
    _accounted(translate_bytes(data, file="mutated.txt"))


def test_unreadable_and_empty_inputs_are_rejects_not_crashes(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "junk.bin").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "good.txt").write_bytes(FWB)
    result = translate([tmp_path])
    _accounted(result)
    assert result.files_in == 3
    codes = {Path(r.message.file).name: {d.code for d in r.diagnostics} for r in result.rejects}
    assert codes["empty.txt"] == {"SRC003"}
    assert "SRC003" in codes["junk.bin"]


def test_one_bad_message_does_not_stop_the_batch(tmp_path: Path) -> None:
    ffm = (SAMPLES / "cargo-imp" / "s3-ffm8-KE0933-icn-vie-first-arrival-at.txt").read_bytes()
    (tmp_path / "batch.txt").write_bytes(b"FWB/17\n160-123\nRTG/FRACX\n\n" + FWB + b"\n" + ffm)
    result = translate([tmp_path / "batch.txt"])
    _accounted(result)
    assert len(result.filings) == 1
    assert any("IMP011" in {d.code for d in r.diagnostics} for r in result.rejects)


def test_retransmitted_fwb_is_a_duplicate_and_files_once(tmp_path: Path) -> None:
    """The same FWB twice (here in two files): the copy is skipped as a duplicate."""
    ffm = (SAMPLES / "cargo-imp" / "s3-ffm8-KE0933-icn-vie-first-arrival-at.txt").read_bytes()
    (tmp_path / "a.txt").write_bytes(FWB)
    (tmp_path / "b.txt").write_bytes(FWB + b"\n" + ffm)
    result = translate([tmp_path])
    _accounted(result)
    assert len(result.filings) == 1
    assert [Path(m.file).name for m in result.duplicates] == ["b.txt"]
    assert "MAP012" not in {d.code for d in result.filings[0].diagnostics}


def test_corrected_fwb_supersedes_the_earlier_one_with_a_warning(tmp_path: Path) -> None:
    """A second FWB for the same AWB with other content: the later one is used (MAP012) and
    the earlier message is superseded."""
    ffm = (SAMPLES / "cargo-imp" / "s3-ffm8-KE0933-icn-vie-first-arrival-at.txt").read_bytes()
    corrected = FWB.replace(b"/NG/", b"/NG/CORRECTED ", 1)
    assert corrected != FWB
    (tmp_path / "a.txt").write_bytes(FWB)
    (tmp_path / "b.txt").write_bytes(corrected + b"\n" + ffm)
    result = translate([tmp_path])
    _accounted(result)
    assert len(result.filings) == 1
    assert "MAP012" in {d.code for d in result.filings[0].diagnostics}
    assert [Path(m.file).name for m in result.superseded] == ["a.txt"]
    assert b"CORRECTED" in result.filings[0].xml
