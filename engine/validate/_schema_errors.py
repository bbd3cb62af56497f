"""libxml2 schema errors -> readable ENS XPath, expected and found.

libxml2 reports a schema error as one English sentence plus a node path such as
``/*/*[7]/*[3]/*[1]`` (elements in a default namespace) or ``/p:IE3F26/p:LRN[2]`` (prefixed
elements). Operators need ``/IE3F26/declarant/address/city`` and "expected city, found country",
so this module walks that path back to the element and parses the sentence. Every pattern is
precompiled; anything not recognised keeps the plain message with no expected/found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

ICS2_NAMESPACE = "urn:wco:datamodel:eu:ics2:2"
_NS_PREFIX = "{" + ICS2_NAMESPACE + "}"

_STEP = re.compile(r"(?P<name>\*|[^/\[\]]+)(?:\[(?P<pos>\d+)\])?")
_ELEMENT = re.compile(r"^Element '(?P<name>[^']*)'(?:, attribute '(?P<attr>[^']*)')?: ")
_EXPECTED = re.compile(r"Expected is (?:(?P<one>one of ))?\( (?P<names>.*?) \)\.?$")
_NOT_EXPECTED = re.compile(r"This element is not expected\.")
_MISSING_CHILD = re.compile(r"Missing child element\(s\)\.")
_LENGTH_FACET = re.compile(
    r"\[facet '(?P<facet>maxLength|minLength|length)'\] The value (?:'[^']*' )?has a length of "
    r"'(?P<found>\d+)'; this (?:exceeds|underruns|differs from) the allowed "
    r"(?:maximum |minimum )?length of '(?P<limit>\d+)'")
_PATTERN_FACET = re.compile(r"\[facet 'pattern'\] The value .* is not accepted by the pattern "
                            r"'(?P<pattern>.*)'\.$")
_DIGITS_FACET = re.compile(
    r"\[facet '(?P<facet>totalDigits|fractionDigits)'\] .*\('(?P<limit>\d+)'\)")
_ENUM_FACET = re.compile(r"\[facet 'enumeration'\] The value .* is not an element of the set "
                         r"(?P<set>\{.*\})\.$")
_RANGE_FACET = re.compile(
    r"\[facet '(?P<facet>(?:min|max)(?:In|Ex)clusive)'\] The value .* "
    r"(?:than|to) (?:the )?(?:minimum|maximum) value (?:allowed )?\('(?P<limit>[^']*)'\)")
_ATOMIC = re.compile(r"'(?P<value>.*)' is not a valid value of the (?:local )?atomic type"
                     r"(?: '(?P<type>[^']*)')?\.$")
_CHARS_IN_ELEMENT_ONLY = re.compile(r"Character content other than whitespace is not allowed")
_ATTRIBUTE_NOT_ALLOWED = re.compile(r"The attribute '(?P<attr>[^']*)' is not allowed\.")
_TYPE_NAME = re.compile(
    r"^(?:(?P<an>Alphanumeric)|(?P<a>Alphabetic)|(?P<n>Numeric))_(?P<max>Max)?(?P<size>\d+)$"
    r"|^Decimal_(?P<total>\d+)_(?P<frac>\d+)$")

_FOUND_MAX = 80  # characters of a found value repeated in a diagnostic


@dataclass(frozen=True, slots=True, kw_only=True)
class SchemaErrorDetail:
    """What one libxml2 schema error says, made readable."""

    message: str
    xpath: str | None
    line: int | None
    expected: str | None
    found: str | None


def short_name(name: str) -> str:
    """``{urn:...ics2:2}city`` -> ``city``; other namespaces are kept visible."""
    return name[len(_NS_PREFIX):] if name.startswith(_NS_PREFIX) else name


def _element_label(element: Any) -> str:
    """The name of a document element as an operator should read it."""
    tag = element.tag
    if not isinstance(tag, str):
        return str(tag)
    if tag.startswith("{"):
        return short_name(tag)
    return f"{tag} (in no namespace)"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


class Siblings:
    """Each parent's element children, grouped by local name once: naming or following many
    elements of one document (a libxml2 error per house) stays linear in the document."""

    __slots__ = ("_by_parent",)

    def __init__(self) -> None:
        self._by_parent: dict[Any, _Children] = {}

    def _table(self, parent: Any) -> _Children:
        table = self._by_parent.get(parent)
        if table is None:
            table = self._by_parent[parent] = _Children(parent)
        return table

    def named(self, parent: Any, local: str | None) -> list[Any]:
        """Element children called ``local`` (all of them for None)."""
        table = self._table(parent)
        return table.elements if local is None else table.by_local.get(local, [])

    def position(self, parent: Any, child: Any) -> tuple[int, int]:
        """(1-based position among same-tag siblings, how many share the tag)."""
        table = self._table(parent)
        return table.position.get(child, 1), table.per_tag.get(child.tag, 1)


class _Children:
    __slots__ = ("by_local", "elements", "per_tag", "position")

    def __init__(self, parent: Any) -> None:
        self.elements = [c for c in parent if isinstance(c.tag, str)]
        self.by_local: dict[str, list[Any]] = {}
        self.per_tag: dict[str, int] = {}
        self.position: dict[Any, int] = {}
        for c in self.elements:
            self.by_local.setdefault(_local(c.tag), []).append(c)
            n = self.per_tag[c.tag] = self.per_tag.get(c.tag, 0) + 1
            self.position[c] = n


def find_element(root: Any, path: str | None, siblings: Siblings | None = None) -> Any:
    """The element a libxml2 node path points at, or ``None`` when it cannot be followed."""
    if not path or not path.startswith("/"):
        return None
    kids = siblings if siblings is not None else Siblings()
    steps = path[1:].split("/")
    first = _STEP.fullmatch(steps[0])
    if first is None or (first["name"] != "*" and _local(first["name"].split(":")[-1])
                         != _local(str(root.tag))):
        return None
    node = root
    for step in steps[1:]:
        m = _STEP.fullmatch(step)
        if m is None:
            return None
        name, pos = m["name"], int(m["pos"] or 1)
        children = kids.named(node, None if name == "*" else name.split(":")[-1])
        if len(children) < pos:
            return None
        node = children[pos - 1]
    return node


def ens_xpath(element: Any, siblings: Siblings | None = None) -> str:
    """``/IE3F26/consignmentMasterLevel/consignmentHouseLevel/goodsItem[2]/weight``: local
    names, with a 1-based position where an element has siblings of the same name."""
    kids = siblings if siblings is not None else Siblings()
    steps: list[str] = []
    node = element
    while node is not None:
        local = _local(str(node.tag))
        parent = node.getparent()
        if parent is not None:
            position, same = kids.position(parent, node)
            if same > 1:
                local += f"[{position}]"
        steps.append(local)
        node = parent
    return "/" + "/".join(reversed(steps))


def describe_type(type_name: str) -> str:
    """``Alphanumeric_Max70`` -> ``an..70 (Alphanumeric_Max70)``; other names are kept."""
    name = short_name(type_name)
    m = _TYPE_NAME.match(name)
    if m is None:
        return name
    if m["total"]:
        return f"n..{m['total']},{m['frac']} ({name})"
    kind = "an" if m["an"] else "a" if m["a"] else "n"
    return f"{kind}{'..' if m['max'] else ''}{m['size']} ({name})"


def _quoted(text: str | None) -> str:
    value = "" if text is None else text
    if len(value) > _FOUND_MAX:
        value = value[:_FOUND_MAX] + "..."
    return repr(value)


def _expected_names(m: re.Match[str]) -> str:
    names = ", ".join(short_name(n.strip()) for n in m["names"].split(","))
    return f"one of {names}" if m["one"] else names


def _value_expectation(body: str) -> str | None:
    """What a value facet or type error expected."""
    if m := _LENGTH_FACET.search(body):
        limit = int(m["limit"])
        unit = "character" if limit == 1 else "characters"
        word = {"maxLength": "at most", "minLength": "at least", "length": "exactly"}[m["facet"]]
        return f"{word} {limit} {unit}"
    if m := _PATTERN_FACET.search(body):
        return f"pattern {m['pattern']}"
    if m := _DIGITS_FACET.search(body):
        what = "digits" if m["facet"] == "totalDigits" else "decimals"
        return f"at most {m['limit']} {what}"
    if m := _ENUM_FACET.search(body):
        return f"one of {m['set']}"
    if m := _RANGE_FACET.search(body):
        return f"{m['facet']} {m['limit']}"
    if m := _ATOMIC.search(body):
        return describe_type(m["type"]) if m["type"] else "a value of the element's type"
    return None


def explain(message: str, path: str | None, line: int, root: Any,
            siblings: Siblings | None = None) -> SchemaErrorDetail:
    """Translate one libxml2 schema error about the document under ``root`` (give one
    ``siblings`` for all the errors of a document)."""
    text = message.replace(_NS_PREFIX, "")
    element = find_element(root, path, siblings)
    xpath = ens_xpath(element, siblings) if element is not None else path
    src_line = element.sourceline if element is not None else None
    if not src_line:
        src_line = line or None
    head = _ELEMENT.match(message)
    body = message[head.end():] if head else message
    found_name = (_element_label(element) if element is not None
                  else short_name(head["name"]) if head else None)
    expected: str | None = None
    found: str | None = None
    if _NOT_EXPECTED.search(body):
        m = _EXPECTED.search(body)
        expected = _expected_names(m) if m else "no further element here"
        found = found_name
    elif _MISSING_CHILD.search(body):
        m = _EXPECTED.search(body)
        expected = _expected_names(m) if m else None
        found = f"end of {found_name}" if found_name else None
    elif m := _ATTRIBUTE_NOT_ALLOWED.search(body):
        expected, found = "no such attribute", f"attribute {short_name(m['attr'])}"
    elif _CHARS_IN_ELEMENT_ONLY.search(body):
        expected = "child elements only"
        found = _quoted((element.text or "").strip() if element is not None else None)
    else:
        expected = _value_expectation(body)
        if expected is not None:
            if element is not None and head is not None and not head["attr"]:
                found = _quoted(element.text)
            elif m := _ATOMIC.search(body):
                found = _quoted(m["value"])
            if found is not None and (m := _LENGTH_FACET.search(body)):
                found += f" ({m['found']} characters)"
    return SchemaErrorDetail(message=text, xpath=xpath, line=src_line, expected=expected,
                             found=found)
