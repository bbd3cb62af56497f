"""ensgate diagnostics -> IE3N99 errors (CL723 validation code, description, pointer).

The CL723 code list is not public (``shared/reference/ics2/rules.md``, "CL723 validation codes
seen"). The mapping follows the engine mapping proposed there [I]: a rule or condition failure
is code 12, a missing mandatory element 13 (as seen with C3048), stop words and junk text 100,
characters not allowed 102. Syntax errors (not well-formed, refused, wrong structure) have no
known code: [I] we answer 12, as for an incorrect value. LRN reuse (R3003) is a rule failure,
so 12 [I].
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from ..diagnostics import Diagnostic
from ._model import AnswerError
from ._xml import ICS2_PREFIX

CODE_INCORRECT = "12"
CODE_MISSING = "13"
CODE_QUALITY = "100"
CODE_CHARACTER = "102"

MAX_ERRORS = 999
"""ICD v3.30 (validation errors): "The cardinality of the errors is 1 up to 999"."""

_BY_CODE: dict[str, str] = {
    "DQ001": CODE_QUALITY, "DQ002": CODE_QUALITY, "DQ003": CODE_QUALITY, "DQ004": CODE_QUALITY,
    "DQ005": CODE_CHARACTER,
}
_MISSING_RULES = frozenset({"C3048"})  # seen with code 13 (customscloud, rules.md)
_NAME = re.compile(r"^[A-Za-z_][\w.-]*$")
_STEP = re.compile(r"^(?P<name>[^\[\]]+)(?:\[(?P<pos>\d+)\])?$")


def _resolve(root: Any, xpath: str) -> Any:
    """The element at a readable ENS XPath (``/IE3F20/a/b[2]``), or None."""
    steps = xpath.strip("/").split("/")
    if root is None or not steps or steps[0] != root.tag.rsplit("}", 1)[-1]:
        return None
    node = root
    for step in steps[1:]:
        m = _STEP.match(step)
        if m is None:
            return None
        same = list(node.iterchildren(ICS2_PREFIX + m["name"]))
        pos = int(m["pos"] or 1)
        if len(same) < pos:
            return None
        node = same[pos - 1]
    return node


def _schema_error(d: Diagnostic, root: Any) -> tuple[str, str, str | None]:
    """Code, pointer and (for a missing element) a clearer text of an XSD002.

    libxml2 reports a missing mandatory element at the element found in its place ("not
    expected, expected is ( x )" or "one of ( optional..., x )": our XSDs are sequences, so the
    last name listed is the required one) or at its parent ("missing child element"). The
    pointer then names the missing element itself [I: the pointer convention for an absent
    element is not documented]."""
    xpath = d.xpath or ""
    expected = (d.expected or "").strip()
    names = [n.strip() for n in expected.removeprefix("one of ").split(",")]
    if not xpath or not names or not all(_NAME.match(n) for n in names):
        return CODE_INCORRECT, xpath, None
    wanted = names[-1]
    if "Missing child element" in d.message:
        return CODE_MISSING, f"{xpath}/{wanted}", f"mandatory element {wanted} is missing"
    if "not expected" in d.message and d.found not in names:
        parent_path = xpath.rsplit("/", 1)[0]
        parent = _resolve(root, parent_path)
        if parent is not None and next(parent.iterchildren(ICS2_PREFIX + wanted),
                                       None) is None:
            return (CODE_MISSING, f"{parent_path}/{wanted}",
                    f"mandatory element {wanted} is missing (found {d.found} in its place)")
    return CODE_INCORRECT, xpath, None


def _technical(d: Diagnostic) -> str:
    bits = [d.code + (f" {d.ics2_rule}" if d.ics2_rule else "")]
    if d.expected is not None or d.found is not None:
        bits.append(f"expected {d.expected!r}, found {d.found!r}")
    return "; ".join(bits)[:1024]


def answer_error(d: Diagnostic, root: Any = None) -> AnswerError:
    """One IE3N99 error for an ensgate diagnostic; ``root`` (the filing) refines pointers of
    schema errors."""
    text: str | None = None
    if d.code == "XSD002":
        code, pointer, text = _schema_error(d, root)
    elif d.code in _BY_CODE:
        code, pointer = _BY_CODE[d.code], d.xpath or ""
    elif d.code == "ICS002" and d.ics2_rule in _MISSING_RULES:
        code, pointer = CODE_MISSING, d.xpath or ""
    else:
        code, pointer = CODE_INCORRECT, d.xpath or ""
    text = " ".join((text or d.message).split())[:512] or d.code
    return AnswerError(code=code, text=text, pointer=pointer[:512], technical=_technical(d))


def answer_errors(diagnostics: Iterable[Diagnostic], root: Any = None) -> tuple[AnswerError, ...]:
    """The IE3N99 errors for the ERROR diagnostics (warnings are not customs errors), at most
    :data:`MAX_ERRORS`, in the order found."""
    out: list[AnswerError] = []
    for d in diagnostics:
        if d.is_error:
            out.append(answer_error(d, root))
            if len(out) == MAX_ERRORS:
                break
    return tuple(out)
