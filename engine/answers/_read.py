"""Reading a customs answer that arrived from outside (pulled over AS4, or a file)."""

from __future__ import annotations

from typing import Any

from ..diagnostics import Diagnostic, SourcePos, diag
from ..validate import SchemaSet, check_schema
from ..xmlsafe import parse_xml_safely
from ._model import ANSWER_TYPES, AnswerError, AnswerReadError, CustomsAnswer
from ._xml import ICS2_NAMESPACE, child, child_text, children, local

MAX_ANSWER_BYTES = 20 * 1024 * 1024
"""Size limit of an answer (an IE3N99 with 999 errors is well under 1 MB)."""

_LRN_ELEMENT = {"IE3R01": "LRN", "IE3R04": "LRN", "IE3N99": "functionalReference"}


def _errors(root: Any) -> tuple[AnswerError, ...]:
    out: list[AnswerError] = []
    for el in children(root, "error"):
        out.append(AnswerError(
            code=child_text(el, "validationCode") or "",
            text=child_text(el, "description") or "",
            pointer=child_text(child(el, "pointer"), "messageElementPath") or "",
            technical=child_text(el, "technicalErrorMessage") or ""))
    return tuple(out)


def read_answer(xml: bytes, *, source_name: str = "", schemas: SchemaSet | None = None,
                check: bool = True) -> CustomsAnswer:
    """Read one customs answer with the hardened parser (no DTD, no entities, no network, a
    size limit).

    Bad input raises :class:`AnswerReadError` (an ``EnsgateError``) carrying the diagnostics:
    refused XML (XML001), too large (SRC002), not well-formed (ANS001), not an ICS2 answer
    (ANS002). An answer that does not match our *provisional* XSD is still read (customs'
    real schemas may differ): ``check`` adds one ANS003 warning per schema finding to
    ``CustomsAnswer.diagnostics``.
    """
    tree, diags = parse_xml_safely(xml, file=source_name, what="customs answer XML",
                                   max_bytes=MAX_ANSWER_BYTES, malformed_code="ANS001")
    if tree is None:
        raise AnswerReadError(tuple(diags))
    root = tree.getroot()
    name = local(root)
    if name not in ANSWER_TYPES:
        tag = root.tag if isinstance(root.tag, str) else repr(root.tag)
        raise AnswerReadError((diag(
            "ANS002", f"{tag} is not an ICS2 customs answer message",
            source=SourcePos(file=source_name, line=root.sourceline, xpath="/"),
            expected=f"one of {', '.join(ANSWER_TYPES)} in {ICS2_NAMESPACE}",
            found=tag),))
    findings: list[Diagnostic] = []
    if check:
        for d in check_schema(tree, schemas=schemas, source_name=source_name):
            findings.append(diag("ANS003", d.message, source=d.source, xpath=d.xpath,
                                 expected=d.expected, found=d.found, schema_code=d.code))
    lrn_element = _LRN_ELEMENT.get(name)
    return CustomsAnswer(
        message_type=name,
        lrn=child_text(root, lrn_element) if lrn_element else None,
        mrn=child_text(root, "MRN"),
        errors=_errors(root),
        xml=xml,
        diagnostics=tuple(findings),
    )
