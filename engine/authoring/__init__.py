"""Mapping authoring toolkit (``ensgate map``): test, lint, trace, explain, doc, coverage and
a starting-spec generator, for the analysts who write and maintain mapping specs."""

from ._cases import (
    Case,
    CaseResult,
    default_case_dir,
    find_cases,
    junit_xml,
    run_case,
    test_spec,
)
from ._coverage import Coverage, coverage
from ._doc import DocRow, doc_rows, render_doc
from ._explain import Explanation, Step, explain, explain_text
from ._known import KnownPaths, known_paths, paths_in_messages, register_known_paths
from ._lint import LintReport, default_filings, lint_spec
from ._new import MessageType, message_types, new_spec
from ._run import Run, ShipmentRun, read_inputs, run_files, run_messages
from ._trace import TraceRow, annotated_xml, as_json, rule_text, sources_text, trace_rows
from ._xpaths import (
    ElementInfo,
    element_table,
    field_xpaths,
    mandatory_fields,
    marker_xpaths,
    strip_indices,
)

__all__ = [
    "Case",
    "CaseResult",
    "Coverage",
    "DocRow",
    "ElementInfo",
    "Explanation",
    "KnownPaths",
    "LintReport",
    "MessageType",
    "Run",
    "ShipmentRun",
    "Step",
    "TraceRow",
    "annotated_xml",
    "as_json",
    "coverage",
    "default_case_dir",
    "default_filings",
    "doc_rows",
    "element_table",
    "explain",
    "explain_text",
    "field_xpaths",
    "find_cases",
    "junit_xml",
    "known_paths",
    "lint_spec",
    "mandatory_fields",
    "marker_xpaths",
    "message_types",
    "new_spec",
    "paths_in_messages",
    "read_inputs",
    "register_known_paths",
    "render_doc",
    "rule_text",
    "run_case",
    "run_files",
    "run_messages",
    "sources_text",
    "strip_indices",
    "test_spec",
    "trace_rows",
]
