"""What an alarm says to an operator: the AWB and houses concerned and what customs asked,
read from the archived answer (IE3Q01 doNotLoadDetails, IE3Q03 referralRequestDetails)."""

from __future__ import annotations

from ..store import Alarm
from ..xmlsafe import parse_xml_safely

_ASKED = {"do-not-load": "DO NOT LOAD the cargo",
          "screening-requested": "screen the cargo (high-risk cargo & mail) before loading"}


def describe_alarm(alarm: Alarm) -> str:
    """One line: state, AWB, houses, LRN/MRN, and what customs asked (documents named in
    the answer, screening methods)."""
    asked = _ASKED.get(alarm.state, alarm.state)
    detail = _details(alarm.body)
    houses = f" HAWB {', '.join(alarm.houses)}" if alarm.houses else ""
    mrn = f" MRN {alarm.mrn}" if alarm.mrn else ""
    source = f" ({alarm.action} {alarm.message_id})" if alarm.action else ""
    return (f"ALARM {alarm.state}: AWB {alarm.awb}{houses} LRN {alarm.lrn}{mrn}: {asked}"
            f"{': ' + detail if detail else ''}{source}")


def _details(body: bytes) -> str:
    if not body:
        return ""
    tree, _ = parse_xml_safely(body, what="customs answer")
    if tree is None:
        return ""
    parts: list[str] = []
    for el in tree.getroot():
        name = _local(el.tag)
        if name == "doNotLoadDetails":
            docs = [d.text or "" for d in el.iter() if _local(d.tag) == "documentNumber"]
            parts.append("document " + ", ".join(docs) if docs else "the whole filing")
        elif name == "referralRequestDetails":
            methods = [m.text or "" for m in el.iter() if _local(m.tag) == "method"]
            docs = [d.text or "" for d in el.iter() if _local(d.tag) == "documentNumber"]
            ref = next((r.text or "" for r in el if _local(r.tag) ==
                        "referralRequestReference"), "")
            parts.append(f"house {', '.join(docs) or '?'} by {'/'.join(methods) or '?'}"
                         f"{f' (referral {ref})' if ref else ''}")
    return "; ".join(parts)


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1]
