"""Bad data never raises: arbitrary bytes and mutated valid messages (Hypothesis)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ensgate.diagnostics import Diagnostic
from ensgate.readers._source import SourceMessage, SourceNode
from ensgate.readers.cargoimp import read_cargoimp, reassemble

DATA = Path(__file__).parents[1] / "data" / "cargoimp"
EXAMPLES = sorted(p.read_text() for p in DATA.glob("*.txt"))
assert len(EXAMPLES) >= 13, DATA
SETTINGS = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def check(messages: list[SourceMessage]) -> None:
    assert messages, "every input gives at least one message"
    for m in messages:
        assert isinstance(m, SourceMessage)
        assert all(isinstance(d, Diagnostic) for d in m.diagnostics)
        assert "RUN001" not in {d.code for d in m.diagnostics}, m.diagnostics
        for node in m.root.walk():
            assert isinstance(node, SourceNode)
            for f in node.fields.values():
                assert f.text != ""  # empty elements never give a field
                assert f.pos.line is not None and f.pos.line >= 1


@SETTINGS
@given(st.binary(max_size=2000))
def test_arbitrary_bytes(data: bytes) -> None:
    check(read_cargoimp(data, file="fuzz"))


@SETTINGS
@given(st.text(alphabet="FWBHLZM/0123456789-.ABCKNOTPRS \n\r\x01\x02\x03", max_size=600))
def test_message_shaped_text(text: str) -> None:
    check(read_cargoimp(text.encode("utf-8"), file="fuzz"))


@st.composite
def mutated(draw: st.DrawFn) -> str:
    lines = draw(st.sampled_from(EXAMPLES)).splitlines()
    for _ in range(draw(st.integers(0, 6))):
        op = draw(st.sampled_from(["delete", "duplicate", "slash", "truncate", "swap", "noise"]))
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "slash":
            j = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:j] + draw(st.sampled_from(["/", "//", "///"])) + lines[i][j:]
        elif op == "truncate":
            lines[i] = lines[i][: draw(st.integers(0, len(lines[i])))]
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        else:
            lines.insert(i, draw(st.sampled_from(
                ["PART/1/CONT", "PART/2/LAST", "CONT", "LAST", "QK FRAFMLH", "NNNN", "PDM",
                 "NAM/X", "LOC/A/B", "/", "OCI////", "RTD/", "HBS/", "ULD/", "2/CX1/01JAN/HKG"])))
    return "\n".join(lines)


@SETTINGS
@given(mutated())
def test_mutated_valid_messages(text: str) -> None:
    messages = read_cargoimp(text.encode("utf-8"), file="mut")
    check(messages)
    check(reassemble(messages + messages))
