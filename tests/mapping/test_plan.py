"""The compiled mapping engine (``_plan``): values, lineage and diagnostics of each rule kind.

Each test maps a small hand-built source tree with a small spec and checks what the spec
language promises (docs/mapping-guide.md): first_of keeps the first alternative as it is,
``when`` false gives nothing (not even the default), transforms fail with MAP004 naming the
value they got, lineage lists every source field a value was computed from (dynamic transform
arguments and expression reads included), and a spec compiled once runs on many messages.
"""

from __future__ import annotations

from typing import Any

from ensgate.diagnostics import SourcePos
from ensgate.mapping._engine import Fragment, run_spec
from ensgate.mapping._plan import plan_for
from ensgate.mapping._spec import builtin_specs, compile_spec
from ensgate.readers._source import SourceMessage, SourceNode

HEAD = """ensgate-mapping: 1
id: t
source: {format: cargo-imp, message: FWB}
produces: master
"""


def _pos(line: int, col: int = 1) -> SourcePos:
    return SourcePos(file="t.txt", message=0, line=line, column=col)


def _message(weight: str = "120", unit: str = "K", hs: tuple[str, ...] = ("610910", "620520"),
             payment: str = "PP") -> SourceMessage:
    """An FWB-like tree: awb fields, two OCI records, goods with HS codes, a route."""
    root = SourceNode("fwb", _pos(1))
    awb = root.add(SourceNode("awb", _pos(2)))
    awb.set("number", "160-52817343", _pos(2, 1))
    awb.set("origin", "HKG", _pos(2, 14))
    awb.set("weight", weight, _pos(2, 20))
    awb.set("weight_unit", unit, _pos(2, 19))
    for line, info, text in ((5, "SHP", "EORI HK123"), (6, "CNE", "DE1234567")):
        oci = root.add(SourceNode("oci", _pos(line)))
        oci.set("info", info, _pos(line, 2))
        oci.set("control", "T", _pos(line, 6))
        oci.set("text", text, _pos(line, 8))
    goods = root.add(SourceNode("goods", _pos(8)))
    for i, code in enumerate(hs):
        node = goods.add(SourceNode("hs", _pos(9 + i)))
        node.set("code", code, _pos(9 + i, 5))
    for i, airport in enumerate(("DXB", "FRA")):
        route = root.add(SourceNode("route", _pos(12 + i)))
        route.set("airport", airport, _pos(12 + i, 5))
    cvd = root.add(SourceNode("cvd", _pos(15)))
    cvd.set("payment", payment, _pos(15, 5))
    return SourceMessage(format="cargo-imp", kind="FWB", version="17", file="t.txt", index=0,
                         first_line=1, raw="", root=root)


def _run(fields: str, msg: SourceMessage | None = None, extra: str = "") -> Fragment:
    spec = compile_spec(HEAD + extra + "fields:\n" + fields, file="t.yaml")
    frags = run_spec(spec, msg or _message(), today="2026-11-20")
    assert len(frags) == 1
    return frags[0]


def _codes(frag: Fragment) -> list[str]:
    return [d.code for d in frag.diagnostics]


def _sources(frag: Fragment, path: str) -> list[tuple[str, int | None, int | None]]:
    return [(text, pos.line, pos.column) for text, pos in frag.lineage[path].sources]


def test_path_value_and_its_lineage() -> None:
    frag = _run("  master.document_number: awb.number\n")
    assert frag.data["master"]["document_number"] == "160-52817343"
    assert _sources(frag, "master.document_number") == [("160-52817343", 2, 1)]
    assert frag.lineage["master.document_number"].rule is not None
    assert frag.lineage["master.document_number"].rule.line == 6


def test_selector_path_and_transform_chain() -> None:
    frag = _run('  master.consignee.identification: {from: "$.oci[info=CNE,control=T].text", '
                "transform: [first, eori]}\n")
    assert frag.data["master"]["consignee"]["identification"] == "DE1234567"
    assert _sources(frag, "master.consignee.identification") == [("DE1234567", 6, 8)]


def test_dynamic_argument_reads_are_lineage_and_convert() -> None:
    frag = _run("  master.total_gross_mass:\n    from: awb.weight\n"
                "    transform: [{kg: {unit: {from: awb.weight_unit}}}]\n",
                _message(weight="100", unit="L"))
    assert frag.data["master"]["total_gross_mass"] == "45.359"
    assert _sources(frag, "master.total_gross_mass") == [("100", 2, 20), ("L", 2, 19)]


def test_failing_transform_gives_map004_with_the_value_it_got() -> None:
    frag = _run("  master.total_gross_mass:\n    from: awb.weight\n"
                "    transform: [{kg: {unit: {from: awb.weight_unit}}}]\n",
                _message(unit="X"))
    assert frag.data["master"]["total_gross_mass"] is None
    (d,) = frag.diagnostics
    assert d.code == "MAP004" and d.found == "120" and d.expected == "K or L"
    assert d.source is not None and (d.source.line, d.source.column) == (2, 19)
    assert "master.total_gross_mass" not in frag.lineage


def test_scalar_field_with_several_values_keeps_the_first_and_warns() -> None:
    frag = _run("  master.document_number: goods.hs.code\n")
    assert frag.data["master"]["document_number"] == "610910"
    assert _codes(frag) == ["MAP005"]
    assert frag.diagnostics[0].found == "610910 | 620520"


def test_list_field_takes_every_value() -> None:
    frag = _run("  master.routing_countries: {from: [awb.origin, route.airport], "
                "transform: airport_countries}\n")
    assert frag.data["master"]["routing_countries"] == ["HK", "AE", "DE"]
    assert len(frag.lineage["master.routing_countries"].sources) == 3


def test_first_of_keeps_the_winner_as_it_is() -> None:
    # The rule's own default applies only when no alternative gives a value.
    frag = _run("  master.document_number:\n    first_of:\n      - {from: awb.missing}\n"
                "      - {from: awb.origin, transform: airport_country}\n    default: ZZ\n")
    assert frag.data["master"]["document_number"] == "HK"
    assert _sources(frag, "master.document_number") == [("HKG", 2, 14)]
    frag = _run("  master.document_number:\n    first_of:\n      - {from: awb.missing}\n"
                "    default: ZZ\n")
    assert frag.data["master"]["document_number"] == "ZZ"


def test_when_false_gives_nothing_not_even_the_default() -> None:
    frag = _run("  master.customs_value:\n    from: awb.weight\n"
                "    when: \"path('cvd.payment') == 'CC'\"\n    default: '0'\n")
    assert frag.data["master"]["customs_value"] is None
    frag = _run("  master.customs_value:\n    from: awb.weight\n"
                "    when: \"path('cvd.payment') == 'PP'\"\n    default: '0'\n")
    assert frag.data["master"]["customs_value"] == "120"
    # The condition's reads are part of the value's lineage.
    assert _sources(frag, "master.customs_value") == [("PP", 15, 5), ("120", 2, 20)]


def test_required_missing_value_is_map003() -> None:
    frag = _run("  master.document_number: {from: awb.nothing, required: 'AWB number missing'}\n")
    (d,) = frag.diagnostics
    assert d.code == "MAP003" and d.message.endswith("AWB number missing")
    assert d.expected == "awb.nothing"


def test_lookup_hit_and_miss() -> None:
    lookups = "lookups:\n  pay: {PP: A, CC: B}\n"
    frag = _run("  master.method_of_payment: {from: cvd.payment, lookup: pay}\n", extra=lookups)
    assert frag.data["master"]["method_of_payment"] == "A"
    frag = _run("  master.method_of_payment: {from: cvd.payment, lookup: pay}\n",
                _message(payment="XX"), extra=lookups)
    assert frag.data["master"]["method_of_payment"] is None
    assert _codes(frag) == ["MAP006"]


def test_default_with_a_note_is_map008_when_nothing_was_read() -> None:
    frag = _run("  master.container_indicator: {from: awb.none, default: '0', note: assumed}\n")
    assert frag.data["master"]["container_indicator"] == "0"
    assert _codes(frag) == ["MAP008"]


def test_let_variables_carry_their_sources() -> None:
    lets = "let:\n  route: {from: [awb.origin, route.airport]}\n"
    frag = _run("  master.place_of_unloading.airport: {var: route, "
                "transform: first_eu_airport}\n", extra=lets)
    assert frag.data["master"]["place_of_unloading"]["airport"] == "FRA"
    assert [s[0] for s in _sources(frag, "master.place_of_unloading.airport")] == \
        ["HKG", "DXB", "FRA"]


def test_groups_repeat_with_index_and_parent_paths() -> None:
    each = """each:
  master.goods_items:
    for_each: goods.hs
    or_once: true
    fields:
      number: {expr: "index"}
      hs6: {from: code, transform: hs6}
      shipping_marks: $.awb.number
      gross_mass:
        first_of:
          - {from: $.awb.weight, when: "index == 1"}
          - {value: "0"}
"""
    spec = compile_spec(HEAD + each, file="t.yaml")
    (frag,) = run_spec(spec, _message())
    items: list[dict[str, Any]] = frag.data["master"]["goods_items"]
    assert [(g["number"], g["hs6"], g["gross_mass"]) for g in items] == \
        [("1", "610910", "120"), ("2", "620520", "0")]
    assert _sources(frag, "master.goods_items[2].hs6") == [("620520", 10, 5)]
    assert _sources(frag, "master.goods_items[1].shipping_marks") == [("160-52817343", 2, 1)]
    (frag,) = run_spec(spec, _message(hs=()))
    assert [g["number"] for g in frag.data["master"]["goods_items"]] == ["1"]  # or_once


def test_fragments_from_gives_one_fragment_per_record_with_parent_paths() -> None:
    spec = compile_spec(HEAD.replace("master", "transport") + "fragments_from: route\n"
                        "key: airport\nfields:\n  transport.arrival_airport: airport\n"
                        "  transport.departure_airport: $.awb.origin\n", file="t.yaml")
    frags = run_spec(spec, _message())
    assert [f.key for f in frags] == ["DXB", "FRA"]
    assert [f.data["transport"]["arrival_airport"] for f in frags] == ["DXB", "FRA"]
    assert all(f.data["transport"]["departure_airport"] == "HKG" for f in frags)


def test_plan_is_compiled_once_per_spec_and_reused() -> None:
    spec = next(s for s in builtin_specs() if s.id == "cargoimp-fwb")
    assert plan_for(spec) is plan_for(spec)
    msg = _message()
    first = run_spec(spec, msg, today="2026-11-20")[0]
    again = run_spec(spec, msg, today="2026-11-20")[0]
    assert first.data == again.data and first.data is not again.data
    assert first.lineage == again.lineage
    assert [d.code for d in first.diagnostics] == [d.code for d in again.diagnostics]
