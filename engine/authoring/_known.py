"""Which source paths exist for a message type: the reader's contract, as data lint can check.

``known_paths(format, kind)`` answers from a registry that each reader family can fill with
``register_known_paths``. Cargo-IMP fills it from its layout files (the same YAML the reader
runs on), so the list cannot drift from the reader. A format without a provider is answered
from a corpus of sample messages (``paths_in_messages``): then the list is only as complete as
the corpus, and lint reports unknown paths as warnings, not errors.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from ..readers._source import SourceMessage, SourceNode


@dataclass(slots=True, kw_only=True)
class KnownPaths:
    """Records (dotted tag paths from the message root; "" is the root) with their fields, and
    for some fields the pattern every value has (so a selector value that cannot match is seen).
    ``declared`` is True when the list is the reader's contract, False when it was seen in a
    corpus (then it may be incomplete)."""

    records: dict[str, set[str]] = field(default_factory=dict)
    patterns: dict[tuple[str, str], str] = field(default_factory=dict)
    declared: bool = True
    origin: str = ""

    def add(self, record: str, *fields: str) -> None:
        self.records.setdefault(record, set()).update(fields)
        parts = record.split(".") if record else []
        for i in range(len(parts)):  # every ancestor exists too
            self.records.setdefault(".".join(parts[:i]), set())

    def merge(self, other: KnownPaths) -> None:
        for rec, flds in other.records.items():
            self.add(rec, *flds)
        for key, pat in other.patterns.items():
            self.patterns.setdefault(key, pat)

    def children(self, record: str) -> set[str]:
        pre = record + "." if record else ""
        return {r[len(pre):].split(".")[0] for r in self.records
                if r.startswith(pre) and r != record and r[len(pre):]}


Provider = Callable[[str], "KnownPaths | None"]
_PROVIDERS: dict[str, Provider] = {}


def register_known_paths(fmt: str, provider: Provider) -> None:
    """Let a reader family say which paths its messages have: ``provider(kind)`` returns the
    :class:`KnownPaths` of one message type, or None when it does not know the type."""
    _PROVIDERS[fmt] = provider
    known_paths.cache_clear()


@cache
def known_paths(fmt: str, kind: str) -> KnownPaths | None:
    """The paths of message type ``kind`` of reader family ``fmt`` (None: nothing known)."""
    provider = _PROVIDERS.get(fmt)
    if provider is None and fmt == "cargo-imp":
        provider = _cargoimp
    out = provider(kind) if provider is not None else None
    if out is None:
        corpus = corpus_paths(fmt, kind)
        if corpus is not None:
            return corpus
    return out


def paths_in_messages(messages: Iterable[SourceMessage]) -> KnownPaths:
    """The records and fields that occur in ``messages`` (a corpus)."""
    out = KnownPaths(declared=False, origin="corpus")

    def walk(node: SourceNode, prefix: str) -> None:
        out.add(prefix, *node.fields)
        for tag, kids in node.children.items():
            for kid in kids:
                walk(kid, f"{prefix}.{tag}" if prefix else tag)

    for msg in messages:
        walk(msg.root, "")
    return out


def _samples_root() -> Path | None:
    here = Path(__file__).resolve()
    for base in (Path.cwd(), *here.parents):
        if (base / "samples").is_dir() and (base / "mappings").is_dir():
            return base / "samples"
    return None


@cache
def corpus_paths(fmt: str, kind: str, root: str | None = None) -> KnownPaths | None:
    """Paths seen in the sample corpus (``samples/`` of a source checkout) for one type."""
    from ..pipeline import iter_input_files, read_file

    base = Path(root) if root else _samples_root()
    if base is None:
        return None
    msgs = [m for p in iter_input_files([base]) for m in read_file(p, max_bytes=50_000_000)
            if m.format == fmt and m.kind == kind]
    if not msgs:
        return None
    out = paths_in_messages(msgs)
    out.origin = f"corpus {base}"
    return out


# ------------------------------------------------------------------------ Cargo-IMP layouts
def _spec_fields(spec: object) -> list[str]:
    groups = tuple(getattr(spec, "groups", ()) or ())
    name = str(getattr(spec, "name", ""))
    return list(groups) if groups else [name]


def _unanchor(pattern: str) -> str:
    """The layout regex as written (the reader anchors it as ``(?:X)[ ]*\\Z``)."""
    m = re.fullmatch(r"\(\?:(.*)\)\[ \]\*\\Z", pattern)
    return m.group(1) if m else pattern


def _party(out: KnownPaths, rec: str) -> None:
    out.add(rec, "account")
    for sub in ("name", "street", "extra"):
        out.add(f"{rec}.{sub}", "text")
    out.add(rec, "place", "state", "country", "postcode")
    out.add(f"{rec}.contact", "type", "number")
    out.patterns[(rec, "country")] = "[A-Z]{2}"


def _record_base(spec: Any, opener: dict[str, Any], depth: int = 0) -> str:
    """Record path of the scope a line hangs under (``parent`` names the scope a line
    ``opens``: FHL ``house``, FFM ``unloading`` > ``consignment``)."""
    parent = str(getattr(spec, "parent", ""))
    if not parent or parent not in opener or depth > 8:
        return ""
    up = opener[parent]
    base = _record_base(up, opener, depth + 1)
    return f"{base}.{up.node}" if base else str(up.node)


@cache
def _cargoimp_all() -> dict[str, KnownPaths]:
    from ..readers.cargoimp._layouts import load_layouts

    lay = load_layouts()
    result: dict[str, KnownPaths] = {}
    for kind, versions in lay.by_type.items():
        out = KnownPaths(origin="engine/readers/cargoimp/layouts")
        for layout in versions.values():
            specs = list(layout.tags.values()) + [s for _, s in layout.patterns]
            if layout.header is not None:
                specs.append(layout.header)
            opener = {s.opens: s for s in specs if s.opens}

            for spec in specs:
                base = _record_base(spec, opener)
                rec = f"{base}.{spec.node}" if base and spec.node else (spec.node or base)
                if spec.kind in ("fields", "pairs", "marker"):
                    names = [n for f in spec.fields for n in _spec_fields(f)]
                    for nxt in spec.next:
                        names += [n for f in nxt for n in _spec_fields(f)]
                    if spec.kind == "marker":
                        names.append("marker")
                    out.add(rec, *names)
                    for ch in spec.choices:
                        if ch.node:
                            out.add(f"{rec}.{ch.node}",
                                    *[n for f in ch.fields for n in _spec_fields(f)])
                        out.add(rec, *[n for f in ch.set for n in _spec_fields(f)])
                        if ch.each:
                            out.add(f"{rec}.{ch.each[0]}", ch.each[1])
                    for pair in (spec.each, spec.extra):
                        if pair:
                            out.add(f"{rec}.{pair[0]}", pair[1])
                    out.add(rec, *[k for k, _, _ in spec.inherit])
                elif spec.kind == "text":
                    out.add(rec, "text")
                elif spec.kind == "list":
                    out.add(rec, *(_spec_fields(spec.item) if spec.item else ["text"]))
                elif spec.kind == "party":
                    _party(out, rec)
                elif spec.kind == "oci":
                    orec = f"{base}.{lay.oci.node}" if base else lay.oci.node
                    out.add(orec, "country", "info", "control", "text", "seq")
                    out.patterns[(orec, "country")] = _unanchor(lay.oci.country.pattern)
                    out.patterns[(orec, "info")] = _unanchor(lay.oci.info.pattern)
                    out.patterns[(orec, "control")] = _unanchor(lay.oci.control.pattern)
                elif spec.kind == "rtd":
                    rate = f"{base}.{lay.rtd.rate_node}" if base else lay.rtd.rate_node
                    out.add(rate, "line_no", "unknown_1", "unknown_2",
                            *[n for f in lay.rtd.rate_prefix.values() for n in _spec_fields(f)])
                    goods = f"{base}.{lay.rtd.goods_node}" if base else lay.rtd.goods_node
                    kinds: dict[str, list[str]] = {}
                    for code, (node, keep, flds) in lay.rtd.goods.items():
                        names = [n for f in flds for n in _spec_fields(f)] + ["line_no"]
                        if keep:
                            names.append("kind")
                            kinds.setdefault(node, []).append(re.escape(code))
                        out.add(f"{goods}.{node}", *names)
                    for node, codes in kinds.items():
                        out.patterns[(f"{goods}.{node}", "kind")] = "|".join(codes)
            out.add("", "extra")
            out.add("segment", "number", "marker", "raw")
            out.add("extra", "text")
            if layout.single_house is not None:
                sh = layout.single_house
                for moved in sh.move:
                    for rec in list(out.records):
                        if rec == moved or rec.startswith(moved + "."):
                            for r2 in (f"{sh.house}.{rec}", f"{sh.holder}.{rec}"):
                                out.add(r2, *out.records[rec])
                                pat = {(r2 + k[0][len(rec):], k[1]): v
                                       for k, v in out.patterns.items() if k[0] == rec}
                                out.patterns.update(pat)
        result[kind] = out
    return result


def _cargoimp(kind: str) -> KnownPaths | None:
    return _cargoimp_all().get(kind)
