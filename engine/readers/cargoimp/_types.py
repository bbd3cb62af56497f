"""The table of Cargo-IMP message identifiers ensgate recognises, and what each one is for.

Dispatch is on the message's first line (``FWB/17``), never on a file name (README 1.9).
ENS inputs have a layout under ``layouts/``; every other recognised type is routed, not parsed.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageType:
    """One message identifier: whether it feeds an ENS filing and, if not, how it is routed."""

    code: str
    title: str
    is_ens_input: bool
    versions: tuple[str, ...] = ()  # versions with a layout (ENS inputs only)
    route_code: str = ""  # IMP002 (status/answer) or IMP003 (other non-ENS); "" for ENS inputs


def _ens(code: str, title: str, *versions: str) -> MessageType:
    return MessageType(code=code, title=title, is_ens_input=True, versions=versions)


def _status(code: str, title: str) -> MessageType:
    return MessageType(code=code, title=title, is_ens_input=False, route_code="IMP002")


def _other(code: str, title: str) -> MessageType:
    return MessageType(code=code, title=title, is_ens_input=False, route_code="IMP003")


MESSAGE_TYPES: dict[str, MessageType] = {
    t.code: t
    for t in (
        _ens("FWB", "air waybill data", "16", "17"),
        _ens("FHL", "house manifest (consolidation list)", "4", "5"),
        _ens("FZB", "house waybill data", "6"),
        # FFM/5 and FFM/4 are tolerated with the FFM/8 skeleton [I README 5.2].
        _ens("FFM", "airline flight manifest", "8", "5", "4"),
        _status("FSU", "status update"),
        _status("FSA", "status answer"),
        _status("FNA", "error notification"),
        _status("FMA", "acknowledgement"),
        # CSN is a customs status notification; routing it with the status messages is [I].
        _status("CSN", "customs status notification"),
        _other("FBL", "booking list"),
        _other("FBR", "booking request"),
        _other("FFA", "flight allocation answer"),
        _other("FFR", "booking request (freight)"),
        _other("FSR", "status request"),
        _other("FWR", "air waybill data request"),
        _other("FHR", "house manifest request"),
        _other("FCC", "charges correction"),
        _other("FDA", "discrepancy advice"),
        _other("FAD", "advice of discrepancy"),
        _other("FXB", "customs data transmission"),
        # Type-B messages of other domains that share the mailboxes [V-S README 1.9]; [I].
        _other("MVT", "aircraft movement"),
        _other("LDM", "load message"),
        _other("CPM", "container pallet message"),
        _other("UCM", "ULD control message"),
    )
}
"""Recognised message identifiers; anything else on line 1 is IMP001."""
