"""``ensgate map new``: a commented starting spec for a source message type.

It lists every ENS dataset field of the part the spec fills, each with its type, length, code
list, the filings where it is mandatory and the ENS XPath it becomes, commented out so the spec
loads at once and ``map lint`` lists what is still to do. The source paths the reader gives
for that message type close the file, as a menu to pick from.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..mapping import dataset_model
from ._known import known_paths
from ._lint import DOMAIN
from ._run import usable_builtins
from ._xpaths import element_table, field_xpaths, mandatory_fields

FILINGS_SHOWN = ("IE3F20", "IE3F26", "IE3F28")


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageType:
    format: str
    kind: str
    versions: tuple[str, ...]
    produces: str
    key: str


def message_types() -> dict[tuple[str, str], MessageType]:
    """Message types the engine knows: those of the built-in specs and of reader layouts."""
    out: dict[tuple[str, str], MessageType] = {}
    for s in usable_builtins():
        key = s.raw.get("key")
        out[(s.source_format, s.message)] = MessageType(
            format=s.source_format, kind=s.message, versions=s.versions, produces=s.produces,
            key=str(key) if isinstance(key, str) else "")
    try:
        from ..readers.cargoimp._layouts import load_layouts

        for kind, versions in load_layouts().by_type.items():
            out.setdefault(("cargo-imp", kind), MessageType(
                format="cargo-imp", kind=kind, versions=tuple(versions),
                produces=_guess_produces(kind), key=""))
    except Exception:
        pass
    return out


def _guess_produces(kind: str) -> str:
    k = kind.upper()
    if "FFM" in k or "MANIFEST" in k:
        return "transport"
    if "FHL" in k or "FZB" in k or "HOUSE" in k:
        return "houses"
    return "master"


def _field_comment(name: str, fld: str, mand: dict[str, set[str]]) -> list[str]:
    fdef = dataset_model().fields[fld]
    bits = [fdef.type + (f" ..{fdef.max_length}" if fdef.max_length else "")
            + (" (list)" if fdef.is_list else "")]
    if fdef.code_list:
        bits.append(fdef.code_list)
    if mand.get(fld):
        bits.append("MANDATORY in " + ", ".join(sorted(mand[fld])))
    lines = [f"  # {name}:{' ' * max(1, 36 - len(name))}# {'; '.join(bits)}"]
    if fdef.doc:
        lines.append(f"  #     {fdef.doc}")
    for f in FILINGS_SHOWN:
        for xp in field_xpaths(f).get(fld, ())[:1]:
            info = element_table(f).get(xp.split("/@")[0])
            card = "" if info is None else (
                f"   [{info.min}..{'n' if info.max is None else info.max}]")
            lines.append(f"  #     {xp}{card}")
    return lines


def new_spec(kind: str, *, fmt: str | None = None, spec_id: str = "my-spec",
             produces: str | None = None) -> str:
    """The text of a starting spec for message type ``kind`` (``FWB``)."""
    types = message_types()
    hits = [t for (f, k), t in types.items() if k.upper() == kind.upper()
            and (fmt is None or f == fmt)]
    if not hits:
        known = ", ".join(sorted(f"{k} ({f})" for f, k in types))
        raise ValueError(f"unknown source message type {kind!r}; known: {known}")
    mt = hits[0]
    part = produces or mt.produces
    domain = DOMAIN.get(part, ("master.",))
    mand: dict[str, set[str]] = {}
    for f in FILINGS_SHOWN:
        for fld in mandatory_fields(f):
            mand.setdefault(fld, set()).add(f)
    model = dataset_model()
    versions = ", ".join(f'"{v}"' for v in mt.versions)
    out = [
        f"# Mapping spec for {mt.format} {mt.kind}: a starting point made by `ensgate map new`.",
        "# Every ENS dataset field this spec can fill is listed below, commented out, with its",
        "# type (and ENS length), code list, the filings where it is mandatory, and the ENS",
        "# element it becomes with its cardinality [min..max] in IE3F20, IE3F26 and IE3F28.",
        "# Uncomment and complete the ones you map; say `none: <reason>` for a mandatory field",
        "# this message cannot give. Then: `ensgate map lint` (what is missing or wrong),",
        "# `ensgate map test` (golden samples), `ensgate map doc` (the mapping document).",
        "# Guide: docs/mapping-guide.md.",
        "ensgate-mapping: 1",
        f"id: {spec_id}",
        "description: >",
        f"  {mt.kind} onto the {part} part of the ENS dataset (describe what and why here).",
        f"source: {{format: {mt.format}, message: {mt.kind}, versions: [{versions}]}}",
        f"produces: {part}                # master | houses | transport",
    ]
    if mt.key:
        out.append(f"key: {mt.key}               # joins this message to the others of a "
                   "shipment (AWB number)")
    else:
        out.append("# key: <path of the master AWB number>   # joins the shipment's messages")
    out += ["", "lookups:", "  # payment: {file: cvd-payment-to-cl116.yaml}   # or code: value",
            "", "let:", "  # name: {from: <path>}   # computed once, used as `var: name`", "",
            "fields:"]
    group_fields: dict[str, list[str]] = {}
    for fld in model.fields:
        if not fld.startswith(domain):
            continue
        if "[]." in fld:
            group, leaf = fld.rsplit("[].", 1)
            group_fields.setdefault(group, []).append(fld)
            continue
        out += _field_comment(fld, fld, mand)
    out += ["", "each:"]
    for group, flds in group_fields.items():
        gdef = model.groups.get(group)
        out.append(f"  # {group}:{' ' * max(1, 36 - len(group))}# repeated group "
                   f"({gdef.group if gdef else '?'}): one item per source record")
        if "[]." in group:
            parent, _, name = group.rpartition("[].")
            out.append(f"  #   (nested: write it under {parent}: as each: {{{name}: ...}})")
        out.append("  #   for_each: <path of the source records>")
        out.append("  #   fields:")
        for fld in flds:
            leaf = fld[len(group) + 3:]
            out += ["  #    " + line[3:] if line.startswith("  #") else line
                    for line in _field_comment(leaf, fld, mand)]
    kp = known_paths(mt.format, mt.kind)
    if kp is not None:
        out += ["", f"# Source paths of {mt.kind} messages ({kp.origin}):"]
        for rec in sorted(kp.records):
            flds = sorted(kp.records[rec])
            if flds:
                out.append(f"#   {rec or '(root)'}: {', '.join(flds)}")
    return "\n".join(out) + "\n"
