"""Where each ENS dataset field lands in the XML of a filing type, derived from the templates.

The templates are the one place that says which dataset field becomes which ENS element, so the
table is not written by hand: the dataset is filled with unique markers (``Z00042Q``), the
filing's template renders it, and the element (or attribute) where each marker lands gives the
XPath of that field. Rendering the *actual* dataset of a shipment this way (every present value
replaced by a marker, list lengths kept) gives the concrete XPaths of that filing, with the
element positions of the real output.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from lxml import etree

from ..mapping import dataset_model, dataset_skeleton, new_group
from ..render import FILINGS, Renderer

_MARK = re.compile(r"Z(\d{5})Q")
_INDEX = re.compile(r"\[\d+\]")
_XS = "{http://www.w3.org/2001/XMLSchema}"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def strip_indices(path: str) -> str:
    """``houses[2].goods_items[1].hs6`` -> ``houses[].goods_items[].hs6``; XPaths lose ``[n]``."""
    if path.startswith("/"):
        return _INDEX.sub("", path)
    return _INDEX.sub("[]", path)


def _leaves(node: Any, prefix: str) -> Iterator[tuple[str, Any, Any]]:
    """(dataset path, holder, key) of every scalar / list-of-scalar slot that holds a value."""
    for key, value in node.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from _leaves(value, path + ".")
        elif isinstance(value, list):
            if value and isinstance(value[0], dict):
                for i, item in enumerate(value, start=1):
                    yield from _leaves(item, f"{path}[{i}].")
            else:
                for i in range(len(value)):
                    yield f"{path}[{i + 1}]", value, i
        elif value is not None and value != "":
            yield path, node, key


def _copy(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _copy(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_copy(v) for v in node]
    return node


def _element_path(el: Any) -> str:
    steps = []
    while el is not None:
        name = etree.QName(el).localname
        parent = el.getparent()
        if parent is not None:
            same = [s for s in parent if isinstance(s.tag, str)
                    and etree.QName(s).localname == name]
            if len(same) > 1:
                name += f"[{same.index(el) + 1}]"
        steps.append(name)
        el = parent
    return "/" + "/".join(reversed(steps))


def marker_xpaths(filing: str, dataset: dict[str, Any], *,
                  renderer: Renderer | None = None) -> dict[str, tuple[str, ...]]:
    """Concrete XPaths of every present value of ``dataset`` in the ``filing`` XML, keyed by
    concrete dataset path (``houses[1].consignee.name``; list items ``...routing_countries[2]``).
    Values the template does not write are absent from the result."""
    data = _copy(dataset)
    names: list[str] = []
    for path, holder, key in list(_leaves(data, "")):
        holder[key] = f"Z{len(names):05d}Q"
        names.append(path)
    text = (renderer or _renderer()).render(filing, data)
    root = etree.fromstring(text.encode("utf-8"), _PARSER)
    found: dict[str, list[str]] = {}
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        hits: list[tuple[str, str]] = [(m, "") for m in _MARK.findall(el.text or "")]
        for attr, val in el.attrib.items():
            hits.extend((m, "/@" + etree.QName(attr).localname) for m in _MARK.findall(val))
        if hits:
            where = _element_path(el)
            for num, suffix in hits:
                found.setdefault(names[int(num)], []).append(where + suffix)
    return {k: tuple(v) for k, v in found.items()}


@cache
def _renderer() -> Renderer:
    return Renderer()


def _synthetic() -> dict[str, Any]:
    """A dataset with every field present and one item in every repeated group and list."""
    model = dataset_model()
    data = dataset_skeleton()

    def fill(node: dict[str, Any], prefix: str) -> None:
        for key, value in node.items():
            path = prefix + key
            if isinstance(value, dict):
                fill(value, path + ".")
            elif isinstance(value, list):
                gdef = model.groups.get(path)
                if gdef is not None:
                    item = new_group(gdef.group)
                    fill(item, path + "[].")
                    value.append(item)
                else:
                    value.append("x")
            else:
                node[key] = "x"

    fill(data, "")
    return data


@cache
def field_xpaths(filing: str) -> dict[str, tuple[str, ...]]:
    """Dataset field (``houses[].consignee.name``) -> the XPaths (no positions) it is written
    to in ``filing`` (``IE3F26``); a field the filing does not carry is absent."""
    out: dict[str, list[str]] = {}
    for path, xps in marker_xpaths(filing, _synthetic()).items():
        key = strip_indices(path)
        if key not in dataset_model().fields:  # list field item: routing_countries[]
            key = key[:-2] if key.endswith("[]") else key
        for xp in xps:
            plain = strip_indices(xp)
            if plain not in out.setdefault(key, []):
                out[key].append(plain)
    return {k: tuple(v) for k, v in out.items()}


@dataclass(frozen=True, slots=True, kw_only=True)
class ElementInfo:
    """Cardinality of one ENS element in the (provisional) XSD of a filing."""

    xpath: str
    min: int
    max: int | None  # None: unbounded
    mandatory: bool  # min >= 1 here and on every ancestor


def _xsd_root(code: str) -> Any:
    text = resources.files("ensgate.validate").joinpath(
        "schemas", "ics2", f"{code}.xsd").read_bytes()
    return etree.fromstring(text, _PARSER)


@cache
def _named_types() -> dict[str, Any]:
    """Named complex types of the shared ICS2 types schema (``PartyType`` ...)."""
    try:
        root = _xsd_root("ics2_types")
    except (FileNotFoundError, OSError):
        return {}
    return {t.get("name"): t for t in root.iter(_XS + "complexType") if t.get("name")}


@cache
def element_table(filing: str) -> dict[str, ElementInfo]:
    """XPath (no positions) -> cardinality, read from the filing's XSD (local elements and the
    named types of ``ics2_types.xsd``)."""
    out: dict[str, ElementInfo] = {}
    try:
        root = _xsd_root(filing)
    except (FileNotFoundError, OSError):
        return out
    types = {**_named_types(),
             **{t.get("name"): t for t in root.iter(_XS + "complexType") if t.get("name")}}

    def walk(node: Any, prefix: str, mandatory: bool, depth: int) -> None:
        if depth > 40:
            return
        for child in node:
            if not isinstance(child.tag, str):
                continue
            if child.tag == _XS + "element" and child.get("name"):
                lo = int(child.get("minOccurs", "1"))
                hi_raw = child.get("maxOccurs", "1")
                hi = None if hi_raw == "unbounded" else int(hi_raw)
                xp = f"{prefix}/{child.get('name')}"
                m = mandatory and lo >= 1
                out[xp] = ElementInfo(xpath=xp, min=lo, max=hi, mandatory=m)
                walk(child, xp, m, depth + 1)
                named = types.get((child.get("type") or "").split(":")[-1])
                if named is not None:
                    walk(named, xp, m, depth + 1)
            elif child.tag == _XS + "choice":
                alts = [c for c in child if isinstance(c.tag, str)]
                walk(child, prefix, mandatory and child.get("minOccurs", "1") != "0"
                     and len(alts) <= 1, depth + 1)
            elif child.tag == _XS + "extension":
                base = types.get((child.get("base") or "").split(":")[-1])
                if base is not None:
                    walk(base, prefix, mandatory, depth + 1)
                walk(child, prefix, mandatory, depth + 1)
            elif child.tag != _XS + "complexType" or not child.get("name"):
                walk(child, prefix, mandatory, depth + 1)

    walk(root, "", True, 0)
    return out


def filing_codes() -> tuple[str, ...]:
    """Filing types with a template (IE3F20 ...)."""
    return tuple(FILINGS)


def mandatory_fields(filing: str) -> dict[str, str]:
    """Dataset fields whose ENS element is mandatory in ``filing``: field -> XPath."""
    table = element_table(filing)
    out: dict[str, str] = {}
    for fld, xps in field_xpaths(filing).items():
        for xp in xps:
            info = table.get(xp.split("/@")[0])
            if info is not None and info.mandatory:
                out[fld] = xp
                break
    return out
