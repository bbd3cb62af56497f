"""The hardened parser: one lxml parser configuration, a resolver that refuses every URL, the
prolog scan and the size limit, behind one function that never raises for bad input."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any

from lxml import etree

from ..diagnostics import Diagnostic, SourcePos, diag
from ._prolog import PrologVerdict, scan_prolog

DEFAULT_MAX_XML_BYTES = 20 * 1024 * 1024
"""Default size limit (20 MB; an ENS or a Cargo-XML document is a few hundred kB at most)."""

_POSITION_SUFFIX = re.compile(r", line \d+, column \d+$")

_parsers = threading.local()


class ExternalReferenceRefused(Exception):
    """Raised by the resolver when libxml2 asks to load anything (a DTD, an external entity,
    an XInclude): the load never happens."""

    def __init__(self, url: str) -> None:
        super().__init__(f"external reference refused: {url[:200]}")
        self.url = url


class RefuseEveryUrl(etree.Resolver):  # type: ignore[misc]
    """lxml resolver that answers every request by raising: libxml2 hands every external
    load (file, http, ftp, any scheme, public ids) to the parser's resolvers before its own
    loader, and the exception ends the parse there, so nothing is opened or read."""

    def resolve(self, system_url: str | None, public_id: str | None, context: Any) -> Any:
        raise ExternalReferenceRefused(system_url or public_id or "")


_OPTIONS: dict[str, Any] = dict(
    resolve_entities=False, load_dtd=False, no_network=True, dtd_validation=False,
    huge_tree=False, attribute_defaults=False, remove_comments=True, remove_pis=True)


def hardened_parser() -> Any:
    """One hardened lxml parser per thread (lxml parsers must not be shared between threads).

    No DTD loaded or validated, no entity substituted, no network, no huge-tree mode; comments
    and processing instructions are dropped while parsing, so an element's ``.text`` is its
    whole text (``12<!---->34`` reads ``1234``, as exclusive C14N and so a signature see it).
    ``collect_ids`` keeps lxml's default: ``collect_ids=False`` sets a libxml2 flag that makes
    it load external parameter entities named in an internal subset."""
    parser = getattr(_parsers, "parser", None)
    if parser is None:
        parser = etree.XMLParser(**_OPTIONS)
        parser.resolvers.add(RefuseEveryUrl())
        _parsers.parser = parser
    return parser


def parse_xml_safely(data: bytes, *, file: str = "", what: str = "XML",
                     max_bytes: int = DEFAULT_MAX_XML_BYTES,
                     malformed_code: str = "XML002",
                     message: int | None = None) -> tuple[Any, list[Diagnostic]]:
    """Parse bytes with the hardened parser: ``(tree, [])`` or ``(None, [diagnostic])``.

    ``what`` names the document in messages ("ENS XML", "Cargo-XML", "AS4 envelope");
    ``malformed_code`` lets a stage keep its own code for not-well-formed input. Refused:
    larger than ``max_bytes`` (SRC002, before anything is read), a DOCTYPE anywhere in the
    prolog or an external reference (XML001). Parsing is linear in the input (no DTD, no
    entity expansion), so the size limit is also its time limit.
    """
    source = SourcePos(file=file, message=message)
    refused = _before_parsing(data, source, what, max_bytes, malformed_code)
    if refused is not None:
        return None, [refused]
    try:
        tree = etree.ElementTree(etree.fromstring(data, hardened_parser()))
    except (ExternalReferenceRefused, etree.LxmlError, ValueError) as exc:
        return None, [_parse_failure(exc, source, what, malformed_code)]
    info = tree.docinfo
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        return None, [_refused(source, what)]  # e.g. a DOCTYPE the prolog scan missed
    return tree, []


@dataclass(frozen=True, kw_only=True)
class XmlOutline:
    """What a streamed check learnt of a document: its root element (Clark notation) and how
    many elements it holds."""

    root_tag: str
    elements: int


def check_xml_stream(data: bytes, *, what: str = "XML", file: str = "",
                     max_bytes: int = DEFAULT_MAX_XML_BYTES, max_elements: int = 1_000_000,
                     malformed_code: str = "XML002",
                     ) -> tuple[XmlOutline | None, list[Diagnostic]]:
    """Check a document as :func:`parse_xml_safely` would, without building its tree: the same
    parser, options and resolver, with a target that only counts elements (lxml parser
    target), so memory stays flat however many elements there are; more than
    ``max_elements`` is refused (SRC002) at the first one over. For a receiver that only needs
    to know that a large payload is well-formed XML and what its root is (a tree of 20 MB of
    ``<a/>`` takes 650 MB)."""
    source = SourcePos(file=file)
    refused = _before_parsing(data, source, what, max_bytes, malformed_code)
    if refused is not None:
        return None, [refused]
    outline = _Outline(max_elements)
    parser = etree.XMLParser(target=outline, **_OPTIONS)
    parser.resolvers.add(RefuseEveryUrl())
    try:
        etree.fromstring(data, parser)
    except _TooManyElements:
        return None, [diag("SRC002", f"{what} holds more than {max_elements} elements",
                           source=source, expected=f"at most {max_elements} elements",
                           found=f"more than {max_elements}")]
    except (ExternalReferenceRefused, etree.LxmlError, ValueError) as exc:
        return None, [_parse_failure(exc, source, what, malformed_code)]
    if outline.saw_doctype:
        return None, [_refused(source, what)]
    # A parser target is not failed for errors the tree builder fails on (a namespace prefix
    # never declared): the first such error fails the check, as the tree parse would.
    error = next((e for e in parser.error_log if e.level >= etree.ErrorLevels.ERROR), None)
    if error is not None:
        return None, [diag(malformed_code, f"{what} is not well-formed: {error.message}",
                           source=SourcePos(file=file, line=error.line or None,
                                            column=error.column or None),
                           expected="well-formed XML", found=error.message)]
    return XmlOutline(root_tag=outline.root_tag, elements=outline.count), []


class _TooManyElements(Exception):
    pass


class _Outline:
    """lxml parser target: counts elements, keeps the root's tag, notes a DOCTYPE."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.count = 0
        self.root_tag = ""
        self.saw_doctype = False

    def start(self, tag: str, attrib: Any, nsmap: Any = None) -> None:
        self.count += 1
        if self.count == 1:
            self.root_tag = tag
        elif self.count > self.limit:
            raise _TooManyElements

    def end(self, tag: str) -> None:
        pass

    def data(self, text: str) -> None:
        pass

    def doctype(self, *args: Any) -> None:
        self.saw_doctype = True

    def close(self) -> None:
        pass


def _before_parsing(data: bytes, source: SourcePos, what: str, max_bytes: int,
                    malformed_code: str) -> Diagnostic | None:
    """The checks made on the bytes: size, then the whole prolog."""
    if len(data) > max_bytes:
        return diag("SRC002", f"{what} of {len(data)} bytes is larger than the limit",
                    source=source, expected=f"at most {max_bytes} bytes",
                    found=f"{len(data)} bytes")
    verdict = scan_prolog(data)
    if verdict == PrologVerdict.DOCTYPE:
        return _refused(source, what)
    if verdict == PrologVerdict.UNREADABLE:
        return diag(malformed_code, f"{what} is in an encoding whose markup cannot be checked "
                    "(EBCDIC)", source=source,
                    expected="UTF-8, UTF-16, UTF-32 or an ASCII-based encoding",
                    found=repr(data[:4]))
    return None


def _parse_failure(exc: Exception, source: SourcePos, what: str,
                   malformed_code: str) -> Diagnostic:
    if isinstance(exc, ExternalReferenceRefused):
        return _refused(source, what, found=exc.url[:200])
    if isinstance(exc, etree.XMLSyntaxError):
        if "amplification" in str(exc.msg):  # libxml2's entity-bomb guard fired
            return _refused(source, what)
        line, column = exc.position if exc.position else (None, None)
        reason = _POSITION_SUFFIX.sub("", str(exc.msg))
        return diag(malformed_code, f"{what} is not well-formed: {reason}",
                    source=SourcePos(file=source.file, message=source.message,
                                     line=line or None, column=column or None),
                    expected="well-formed XML", found=reason)
    return diag(malformed_code, f"{what} could not be parsed: {exc}", source=source)


def _refused(source: SourcePos, what: str, found: str = "<!DOCTYPE ...>") -> Diagnostic:
    return diag("XML001", f"{what} with a DOCTYPE (DTD or entity declarations) or an external "
                "reference is refused", source=source, expected="no DOCTYPE, no external "
                "reference", found=found)
