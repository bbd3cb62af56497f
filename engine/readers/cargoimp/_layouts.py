"""Message layouts: the YAML files under ``layouts/`` compiled once, at import, into tables.

The parser only does dict look-ups in these tables (tag -> :class:`LineSpec`); no YAML is
interpreted per message. A layout names, per line identifier, the node it builds, its fields
(with the regex of coded fields), the continuation semantics of a column-1 ``/`` line
(README 1.4), whether it is mandatory, and the scope it opens (FHL house, FFM ULD...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml


@dataclass(frozen=True, slots=True, kw_only=True)
class FieldSpec:
    """One ``/`` element: its name, and for coded elements the regex whose groups are fields."""

    name: str
    regex: re.Pattern[str] | None = None
    groups: tuple[str, ...] = ()
    optional: bool = False
    rest: bool = False
    serial_group: str = ""  # group holding an AWB serial (mod-7 check, IMP014)
    expect: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Choice:
    """One reading of a continuation line, chosen by ``match`` (None = always)."""

    match: re.Pattern[str] | None
    node: str = ""  # child record to create
    fields: tuple[FieldSpec, ...] = ()
    each: tuple[str, str] | None = None  # (child node, field) per element
    set: tuple[FieldSpec, ...] = ()  # fields set on the group's own record


@dataclass(frozen=True, slots=True, kw_only=True)
class LineSpec:
    tag: str
    node: str
    kind: str
    order: int
    mandatory: bool = False
    presence: str = ""  # node whose absence is IMP010 (default: ``node``)
    parent: str = ""  # scope the record hangs under ("" = root)
    opens: str = ""
    closes: tuple[str, ...] = ()
    fields: tuple[FieldSpec, ...] = ()
    cont: str = "none"
    next: tuple[tuple[FieldSpec, ...], ...] = ()
    item: FieldSpec | None = None
    each: tuple[str, str] | None = None
    choices: tuple[Choice, ...] = ()
    inherit: tuple[tuple[str, str, str], ...] = ()  # (field, scope, field of the scope record)
    extra: tuple[str, str] | None = None
    reuse_key: str = ""
    style: str = ""
    max_len: int = 69
    label: str = ""  # how IMP010 names the line when it is missing
    once: bool = False  # at most one such line per message (IMP027 for a repeat)


@dataclass(frozen=True, slots=True, kw_only=True)
class SingleHouse:
    house: str
    move: tuple[str, ...]
    holder: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Layout:
    """One message type and version."""

    type: str
    version: str
    root: str
    key: tuple[tuple[str, str], ...]  # (node, field) paths joined with "/" into the key
    multipart: str  # "part_line" (PART/n/CONT|LAST) or "ffm" (n/ on line 2 + CONT/LAST)
    check_order: bool
    header_when: re.Pattern[str] | None
    header: LineSpec | None
    tags: dict[str, LineSpec]
    patterns: tuple[tuple[re.Pattern[str], LineSpec], ...]
    mandatory: tuple[LineSpec, ...]
    single_house: SingleHouse | None


@dataclass(frozen=True, slots=True, kw_only=True)
class RtdTables:
    rate_prefix: dict[str, FieldSpec]
    goods: dict[str, tuple[str, bool, tuple[FieldSpec, ...]]]  # code -> (node, keep kind, fields)
    rate_node: str
    goods_node: str


@dataclass(frozen=True, slots=True, kw_only=True)
class OciTables:
    node: str
    country: re.Pattern[str]
    info: re.Pattern[str]
    control: re.Pattern[str]


@dataclass(frozen=True, slots=True, kw_only=True)
class Layouts:
    by_type: dict[str, dict[str, Layout]]
    rtd: RtdTables
    oci: OciTables
    country: FieldSpec
    location: tuple[FieldSpec, ...] = ()


_FILES = ("fwb.yaml", "fhl.yaml", "fzb.yaml", "ffm.yaml")


def _anchored(pattern: str) -> re.Pattern[str]:
    """Whole-element match; trailing blanks (seen on real ULD lines) are tolerated."""
    return re.compile(f"(?:{pattern})[ ]*\\Z")


def _field(raw: Any, shared: dict[str, Any]) -> FieldSpec:
    if isinstance(raw, str):
        if raw.startswith("$"):
            return _field(shared[raw[1:]], shared)
        return FieldSpec(name=raw)
    regex = _anchored(raw["re"]) if "re" in raw else None
    groups = tuple(regex.groupindex) if regex is not None else ()
    serial = ""
    if raw.get("check") == "awb":
        serial = next(g for g in groups if g.endswith("serial"))
    return FieldSpec(
        name=raw["name"],
        regex=regex,
        groups=groups,
        optional=bool(raw.get("optional", False)),
        rest=bool(raw.get("rest", False)),
        serial_group=serial,
        expect=str(raw.get("expect", raw.get("re", ""))),
    )


def _fields(raw: Any, shared: dict[str, Any]) -> tuple[FieldSpec, ...]:
    return tuple(_field(f, shared) for f in raw or ())


def _pair(raw: Any) -> tuple[str, str] | None:
    return None if raw is None else (str(raw["node"]), str(raw["field"]))


def _choice(raw: dict[str, Any], shared: dict[str, Any]) -> Choice:
    return Choice(
        match=re.compile(raw["match"]) if "match" in raw else None,
        node=str(raw.get("node", "")),
        fields=_fields(raw.get("fields"), shared),
        each=_pair(raw.get("each")),
        set=_fields(raw.get("set"), shared),
    )


def _line(tag: str, order: int, raw: dict[str, Any], shared: dict[str, Any]) -> LineSpec:
    item = raw.get("item")
    return LineSpec(
        tag=tag,
        node=str(raw.get("node", "")),
        kind=str(raw["kind"]),
        order=order,
        mandatory=bool(raw.get("mandatory", False)),
        presence=str(raw.get("presence", raw.get("node", ""))),
        parent=str(raw.get("parent", "")),
        opens=str(raw.get("opens", "")),
        closes=tuple(raw.get("closes", ())),
        fields=_fields(raw.get("fields"), shared),
        cont=str(raw.get("cont", "record" if raw["kind"] in ("text", "list", "pairs") else "none")),
        next=tuple(_fields(n, shared) for n in raw.get("next", ())),
        item=None if item is None else _field(item, shared),
        each=_pair(raw.get("each")),
        choices=tuple(_choice(c, shared) for c in raw.get("choices", ())),
        inherit=tuple((k, str(v[0]), str(v[1])) for k, v in (raw.get("inherit") or {}).items()),
        extra=_pair(raw.get("extra")),
        reuse_key=str(raw.get("reuse_key", "")),
        style=str(raw.get("style", "")),
        max_len=int(raw.get("max_len", 69)),
        label=str(raw.get("label", "")),
        once=bool(raw.get("once", False)),
    )


def _layout(doc: dict[str, Any], version: str, shared: dict[str, Any]) -> Layout:
    overrides: dict[str, Any] = (doc["versions"][version] or {}).get("overrides", {})
    specs: dict[str, LineSpec] = {}
    for order, (tag, raw) in enumerate(doc["lines"].items()):
        specs[tag] = _line(tag, order, {**raw, **overrides.get(tag, {})}, shared)
    header_raw = doc.get("header")
    header = specs[header_raw["line"]] if header_raw else None
    patterns = tuple((re.compile(p["re"]), specs[p["line"]]) for p in doc.get("patterns", ()))
    untagged = {header.tag} if header else set()
    untagged |= {spec.tag for _, spec in patterns}
    sh = doc.get("single_house")
    return Layout(
        type=doc["type"],
        version=version,
        root=doc["root"],
        key=tuple(_path(k) for k in doc["key"]),
        multipart=doc["multipart"],
        check_order=bool(doc.get("check_order", False)),
        header_when=re.compile(header_raw["when"]) if header_raw else None,
        header=header,
        tags={t: s for t, s in specs.items() if t not in untagged},
        patterns=patterns,
        mandatory=tuple(s for s in specs.values() if s.mandatory),
        single_house=None if sh is None else SingleHouse(
            house=sh["house"], move=tuple(sh["move"]), holder=sh["holder"]),
    )


def _path(dotted: str) -> tuple[str, str]:
    node, _, field_name = dotted.partition(".")
    return node, field_name


def _read(name: str) -> Any:
    text = resources.files(__package__).joinpath("layouts", name).read_text(encoding="utf-8")
    return yaml.safe_load(text)


@cache
def load_layouts() -> Layouts:
    """All layouts, read and compiled once per process."""
    common = _read("common.yaml")
    shared: dict[str, Any] = common["regex"]
    by_type: dict[str, dict[str, Layout]] = {}
    for name in _FILES:
        doc = _read(name)
        by_type[doc["type"]] = {v: _layout(doc, v, shared) for v in doc["versions"]}
    rtd = common["rtd"]
    oci = common["oci"]
    return Layouts(
        by_type=by_type,
        rtd=RtdTables(
            rate_prefix={p: _field(f, shared) for p, f in rtd["rate_prefix"].items()},
            goods={
                code: (str(g["node"]), bool(g.get("kind", False)), _fields(g["fields"], shared))
                for code, g in rtd["goods"].items()
            },
            rate_node=rtd["rate_node"],
            goods_node=rtd["goods_node"],
        ),
        oci=OciTables(
            node=oci["node"],
            country=_anchored(oci["country_re"]),
            info=_anchored(oci["info_re"]),
            control=_anchored(oci["control_re"]),
        ),
        country=_field(common["party"]["coded"]["country"], shared),
        location=_fields(common["party"]["location"], shared),
    )


def nearest_version(versions: dict[str, Layout], version: str) -> Layout:
    """The layout of the closest known version (IMP004 is the caller's job)."""
    try:
        wanted = int(version)
    except ValueError:
        wanted = 0
    best = min(versions, key=lambda v: (abs(int(v) - wanted), -int(v)))
    return versions[best]
