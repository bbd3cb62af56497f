"""The public surface of the Cargo-IMP reader and format detection."""

from __future__ import annotations

import ensgate.readers.cargoimp as cargoimp
from ensgate.readers.cargoimp import MESSAGE_TYPES, looks_like_cargoimp


def test_public_names() -> None:
    assert sorted(cargoimp.__all__) == [
        "MESSAGE_TYPES", "MessageType", "looks_like_cargoimp", "next_index", "read_cargoimp",
        "read_cargoimp_piece", "reassemble"]


def test_next_index_counts_a_piece_as_the_full_read_does() -> None:
    """The splitter alone (how ``--jobs`` cuts a file without reading it) gives the count and
    the next index the full read gives, also when a piece ends with the second part of a
    two-part message (joined into the first, so the last message's index is not the last)."""
    from pathlib import Path

    from ensgate.readers.cargoimp import next_index, read_cargoimp_piece

    root = Path(__file__).resolve().parents[2] / "samples" / "noisy"
    data = b"".join((root / n).read_bytes() for n in (
        "batch-five-messages-020-90517361-nrt-muc.txt", "fwb17-two-parts-235-66273815-ist-waw.txt"))
    msgs, count, after = read_cargoimp_piece(data, file="p", index_offset=40)
    assert (count, after) == next_index(data, file="p", index_offset=40)
    assert count == len(msgs) + 1  # the two parts are one message
    assert after == 40 + count and max(m.index for m in msgs) == after - 2
    for odd in (b"", b"\x00\x01 junk\n", b"QK BRUFMSN\n.PVGFMMU 170630\n"):
        assert read_cargoimp_piece(odd, file="p", index_offset=7)[1:] == next_index(
            odd, file="p", index_offset=7)


def test_message_types_table() -> None:
    ens = {code: t.versions for code, t in MESSAGE_TYPES.items() if t.is_ens_input}
    assert ens == {"FWB": ("16", "17"), "FHL": ("4", "5"), "FZB": ("6",),
                   "FFM": ("8", "5", "4")}
    assert {c for c, t in MESSAGE_TYPES.items() if t.route_code == "IMP002"} >= {
        "FSU", "FSA", "FNA", "FMA"}
    assert all(MESSAGE_TYPES[c].route_code == "IMP003"
               for c in ("FBL", "FFA", "FFR", "FSR", "FWR", "FHR", "FCC"))


def test_looks_like_cargoimp() -> None:
    assert looks_like_cargoimp("FWB/17\n160-52817343HKGFRA/T12K486.5\n")
    assert looks_like_cargoimp("\x01QK FRAFMLH HKGFMCX\r\n.HKGPDXH 141130\r\n\x02FHL/5\r\n")
    assert looks_like_cargoimp("\n\nFMA\nACK/OK\n")
    assert looks_like_cargoimp("FSU/14\n")
    assert not looks_like_cargoimp("XYZ/1\n")
    assert not looks_like_cargoimp("<?xml version='1.0'?><rsm:Waybill/>")
    assert not looks_like_cargoimp("UNA:+.? '\nUNH+1+CUSCAR:D:95B:UN'")
    assert not looks_like_cargoimp("")
