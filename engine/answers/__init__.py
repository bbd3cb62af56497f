"""Customs-to-trader answers (ICS2): build them, read them, and simulate customs.

``SimulatedCustoms`` is the business side of the ICS2 simulator (validation, MRN attribution,
scenario answers); ``read_answer`` reads an answer that arrived from outside. Answer XML is
rendered from the Jinja templates in ``ensgate.templates`` and is valid against the
provisional XSDs of ``ensgate.validate``. See ``docs/answers.md``.
"""

from ._build import (
    CODE_DUPLICATE_DOCUMENT,
    CODE_INCORRECT_STATE,
    CODE_OUT_OF_SEQUENCE,
    INFORMATION_TEXT,
    REQUEST_TYPE_INFORMATION,
    REQUEST_TYPE_SCREENING,
    SCREENING_METHODS,
    AnswerBuilder,
    ControlOrder,
    format_when,
    responsible_member_state,
)
from ._codes import MAX_ERRORS, answer_error, answer_errors
from ._customs import DEFAULT_OFFICE, CustomsLedger, SimulatedCustoms
from ._facts import EnsFacts, TransportDocumentRef, ens_facts
from ._model import (
    ANSWER_TYPES,
    AdditionalInformation,
    AnswerError,
    AnswerReadError,
    ConsultedFiling,
    Control,
    CustomsAnswer,
    DocumentRef,
    DoNotLoad,
    Referral,
    Scenario,
    SupportingDocument,
)
from ._mrn import MRN_PATTERN, MrnGenerator, is_valid_mrn, mrn_check_character
from ._read import MAX_ANSWER_BYTES, read_answer
from ._registry import CustomsRegistry, Registration
from ._render import AnswerRenderer

__all__ = [
    "ANSWER_TYPES",
    "CODE_DUPLICATE_DOCUMENT",
    "CODE_INCORRECT_STATE",
    "CODE_OUT_OF_SEQUENCE",
    "DEFAULT_OFFICE",
    "INFORMATION_TEXT",
    "MAX_ANSWER_BYTES",
    "MAX_ERRORS",
    "MRN_PATTERN",
    "REQUEST_TYPE_INFORMATION",
    "REQUEST_TYPE_SCREENING",
    "SCREENING_METHODS",
    "AdditionalInformation",
    "AnswerBuilder",
    "AnswerError",
    "AnswerReadError",
    "AnswerRenderer",
    "ConsultedFiling",
    "Control",
    "ControlOrder",
    "CustomsAnswer",
    "CustomsLedger",
    "CustomsRegistry",
    "DoNotLoad",
    "DocumentRef",
    "EnsFacts",
    "MrnGenerator",
    "Referral",
    "Registration",
    "Scenario",
    "SimulatedCustoms",
    "SupportingDocument",
    "TransportDocumentRef",
    "answer_error",
    "answer_errors",
    "ens_facts",
    "format_when",
    "is_valid_mrn",
    "mrn_check_character",
    "read_answer",
    "responsible_member_state",
]
