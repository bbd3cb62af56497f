"""Reading an ENS tree: a one-pass index by element name, child look-ups and readable paths.

Child look-ups use ``iterchildren(tag)``: about twice as fast as ``find`` (no ElementPath).

Rules never walk the whole tree themselves: :class:`FilingIndex` walks it once per filing and
every rule asks it for the elements it needs (the pipeline budget is well under 1 ms a filing).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, TypeAlias

from lxml import etree

from ._tables import NS

Element: TypeAlias = Any
"""An ``lxml.etree._Element`` (lxml ships no type stubs; the alias documents intent)."""

_PREFIX = "{" + NS + "}"
_PREFIX_LEN = len(_PREFIX)

REPEATABLE: frozenset[str] = frozenset(
    """additionalInformation additionalSupplyChainActor binaryFile communication
    consignmentHouseLevel countriesOfRoutingOfConsignment countriesOfRoutingOfMeansOfTransport
    dangerousGoods goodsItem hrcmScreeningResults notifyParty packaging relatedMRN
    relatedTransportDocument screeningMethod supplementaryDeclarant supportingDocuments
    transportEquipment""".split()
)
"""Element names with a maximum cardinality above 1 somewhere in the air dictionary
(``dictionary/IE3F*.yaml``, IE3N06): readable paths always give their 1-based position."""


def tag(local: str) -> str:
    """Clark name of an ICS2 element (``{urn:wco:datamodel:eu:ics2:2}local``)."""
    return _PREFIX + local


def local_name(element: Element) -> str:
    """Local name of an element in the ICS2 namespace; '' for any other element."""
    t = element.tag
    if isinstance(t, str) and t.startswith(_PREFIX):
        return t[_PREFIX_LEN:]
    return ""


class FilingIndex:
    """Elements of one filing by local name, in document order, looked up on first use.

    The rules ask for about a dozen names of the ~110 elements of a filing. lxml finds the
    elements of one name in C without making a Python object for the others, so a walk per
    name asked is four times cheaper than one Python-level walk indexing every element."""

    __slots__ = ("_by_name", "root")

    def __init__(self, root: Element) -> None:
        self.root = root
        self._by_name: dict[str, list[Element]] = {}

    def all(self, name: str) -> list[Element]:
        """Every element with this local name, anywhere, in document order."""
        found = self._by_name.get(name)
        if found is None:
            found = self._by_name[name] = list(self.root.iter(_PREFIX + name))
        return found

    def under(self, name: str, parent_name: str) -> list[Element]:
        """Elements called ``name`` whose parent is called ``parent_name``."""
        return [el for el in self.all(name) if _parent_name(el) == parent_name]


def _parent_name(element: Element) -> str:
    parent = element.getparent()
    return "" if parent is None else local_name(parent)


def parent_name(element: Element) -> str:
    """Local name of the parent ('' at the root)."""
    return _parent_name(element)


def child(element: Element, name: str) -> Element | None:
    """First child called ``name``, or None."""
    return next(element.iterchildren(_PREFIX + name), None)


def children(element: Element, name: str) -> list[Element]:
    """Every child called ``name``."""
    return list(element.iterchildren(_PREFIX + name))


def text(element: Element | None) -> str:
    """Stripped text of an element; '' when absent or empty."""
    if element is None:
        return ""
    value = element.text
    return value.strip() if value else ""


def child_text(element: Element, name: str) -> str:
    """Stripped text of the first child called ``name``; '' when absent."""
    return text(next(element.iterchildren(_PREFIX + name), None))


def has_child(element: Element, name: str) -> bool:
    return next(element.iterchildren(_PREFIX + name), None) is not None


def path_text(element: Element, *names: str) -> str:
    """Text at a relative child path (``path_text(house, "consignor", "typeOfPerson")``)."""
    current: Element | None = element
    for name in names:
        if current is None:
            return ""
        current = next(current.iterchildren(_PREFIX + name), None)
    return text(current)


def whole_number(value: str) -> int | None:
    """A sequence or item number written in ASCII digits (at most 9: ENS numbers are n..5),
    else None: ``str.isdigit`` also accepts '²', which ``int`` refuses, and ``int`` refuses
    more than 4,300 digits (both were found by fuzzing, tools/fuzz.py)."""
    if value.isascii() and value.isdigit() and len(value) <= 9:
        return int(value)
    return None


def readable_xpath(element: Element, positions: SiblingPositions | None = None) -> str:
    """``/IE3F26/consignmentMasterLevel/consignmentHouseLevel[1]/consignee/address``.

    Repeatable elements (and any element with same-named siblings) get their 1-based position
    among siblings of the same name; other steps are bare names. ``positions`` remembers the
    siblings of each parent seen: give one per filing when many elements are named (counting
    preceding siblings per call was quadratic in the houses of a filing).
    """
    where = positions if positions is not None else SiblingPositions()
    steps: list[str] = []
    current: Element | None = element
    while current is not None:
        name = local_name(current) or etree.QName(current).localname
        parent = current.getparent()
        if parent is not None:
            position, repeated = where.of(parent, current)
            if name in REPEATABLE or repeated:
                name = f"{name}[{position}]"
        steps.append(name)
        current = parent
    return "/" + "/".join(reversed(steps))


class SiblingPositions:
    """Each child's 1-based position among its parent's children of the same name, and
    whether that name repeats; every parent's children are counted once."""

    __slots__ = ("_by_parent",)

    def __init__(self) -> None:
        # lxml hands out the same proxy for a node while one is alive; these dicts keep them
        self._by_parent: dict[Element, dict[Element, tuple[int, bool]]] = {}

    def of(self, parent: Element, child: Element) -> tuple[int, bool]:
        table = self._by_parent.get(parent)
        if table is None:
            counts: dict[object, int] = {}
            order: list[tuple[Element, int]] = []
            for kid in parent:
                n = counts[kid.tag] = counts.get(kid.tag, 0) + 1
                order.append((kid, n))
            table = {kid: (n, counts[kid.tag] > 1) for kid, n in order}
            self._by_parent[parent] = table
        return table[child]


def place_country(place: Element) -> str:
    """Country of a place: the first two letters of its UNLOCODE, else its address country.

    Both layouts are accepted for the code: ``place/UNLOCODE`` (the IE tables and the sample)
    and ``place/location/UNLOCODE`` [I: defensive; not seen in any source].
    """
    code = child_text(place, "UNLOCODE")
    if not code:
        code = path_text(place, "location", "UNLOCODE")
    if len(code) >= 2:
        return code[:2].upper()
    return path_text(place, "address", "country").upper()


def datetime_value(element: Element | None) -> str:
    """The value of a date-time element, flat or wrapped in ``<DateTime>`` (as in the sample)."""
    if element is None:
        return ""
    wrapped = next(element.iterchildren(_PREFIX + "DateTime"), None)
    return text(wrapped) if wrapped is not None else text(element)


def parse_instant(value: str) -> datetime | None:
    """ISO date-time to an aware instant; naive values are read as UTC; None if unreadable."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
