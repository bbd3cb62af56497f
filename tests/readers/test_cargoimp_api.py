"""The public surface of the Cargo-IMP reader and format detection."""

from __future__ import annotations

import ensgate.readers.cargoimp as cargoimp
from ensgate.readers.cargoimp import MESSAGE_TYPES, looks_like_cargoimp


def test_public_names() -> None:
    assert sorted(cargoimp.__all__) == [
        "MESSAGE_TYPES", "MessageType", "looks_like_cargoimp", "read_cargoimp", "reassemble"]


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
