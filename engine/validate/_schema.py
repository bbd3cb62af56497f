"""Schema validation of ENS XML, and the hardened parser for ENS XML read back from outside.

``SchemaSet`` holds the XSDs of one folder (default: the packaged provisional set in
``schemas/ics2``; pass another folder for the official DG TAXUD files) and compiles one
``XMLSchema`` per root element name the first time it is needed. ``check_schema`` answers with
diagnostics, never exceptions: the valid path is one libxml2 ``validate`` call.

Loading never touches the network: the XSD parser has ``no_network`` and a resolver that only
serves files inside the schema folder. A broken schema folder is a set-up problem and raises
:class:`~ensgate.diagnostics.ConfigError`; bad documents only ever yield diagnostics.
"""

from __future__ import annotations

import os
import re
import threading
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from lxml import etree

from ..diagnostics import ConfigError, Diagnostic, SourcePos, diag
from ..xmlsafe import parse_xml_safely
from ._schema_errors import ICS2_NAMESPACE, Siblings, explain, short_name

__all__ = ["MAX_ENS_XML_BYTES", "SchemaSet", "check_schema", "parse_ens_xml"]

MAX_ENS_XML_BYTES = 20 * 1024 * 1024
"""Default size limit of :func:`parse_ens_xml` (20 MB; a large ENS is a few hundred kB)."""

_ROOT_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")
_MESSAGE_FILE = re.compile(r"IE[0-9A-Z]+")
_NO_ROOT_DECLARATION = "No matching global declaration available for the validation root"


def _packaged_folder() -> Path:
    resource = files("ensgate.validate").joinpath("schemas", "ics2")
    if not isinstance(resource, Path):
        raise ConfigError(
            "the packaged ICS2 schemas are not on the file system (zipped install?); "
            "pass SchemaSet(folder=...) with an unpacked copy")
    return resource


class _FolderOnlyResolver(etree.Resolver):  # type: ignore[misc]
    """Serves ``xs:include``/``xs:import`` targets from inside one folder; refuses the rest
    (other folders, http, ftp), so a schema can never make ensgate reach out."""

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self._folder = folder

    def resolve(self, url: str, pubid: str | None, context: Any) -> Any:
        parsed = urlparse(url)
        if parsed.scheme in ("", "file") or len(parsed.scheme) == 1:  # 1: a Windows drive
            raw = unquote(parsed.path) if parsed.scheme == "file" else url
            target = Path(raw).resolve()
            if target.is_relative_to(self._folder) and target.is_file():
                return self.resolve_filename(str(target), context)
        refusal = f"<refused reason='outside the schema folder or not a file'>{url}</refused>"
        return self.resolve_string(refusal.encode("utf-8", "replace"), context)


class SchemaSet:
    """The XSDs of one folder: ``<root element name>.xsd``, compiled lazily and cached.

    ``folder=None`` uses the packaged provisional set. Compiling is guarded by a lock, but a
    compiled ``XMLSchema`` keeps the ``error_log`` of its last call on the object: give each
    thread its own ``SchemaSet`` (processes, the batch default, need nothing special).
    """

    def __init__(self, folder: str | os.PathLike[str] | None = None) -> None:
        path = _packaged_folder() if folder is None else Path(folder)
        if not path.is_dir():
            raise ConfigError(f"schema folder not found: {path}")
        self._folder = path.resolve()
        self._cache: dict[str, Any] = {}
        self._lock = threading.Lock()

    @property
    def folder(self) -> Path:
        return self._folder

    def root_names(self) -> tuple[str, ...]:
        """Message root names with a schema file here (``IE3F26`` for ``IE3F26.xsd``)."""
        return tuple(sorted(p.stem for p in self._folder.glob("*.xsd")
                            if _MESSAGE_FILE.fullmatch(p.stem)))

    def get(self, root_name: str) -> Any:
        """The compiled ``lxml.etree.XMLSchema`` for ``root_name``, or ``None`` if no file.

        Raises ``ConfigError`` when the file exists but does not compile.
        """
        cached = self._cache.get(root_name)
        if cached is not None:
            return cached
        if not _ROOT_NAME.fullmatch(root_name):
            return None
        path = self._folder / f"{root_name}.xsd"
        if not path.is_file():
            return None
        with self._lock:
            cached = self._cache.get(root_name)
            if cached is None:
                cached = self._compile(path)
                self._cache[root_name] = cached
        return cached

    def _compile(self, path: Path) -> Any:
        parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False,
                                 huge_tree=False, remove_comments=True)
        parser.resolvers.add(_FolderOnlyResolver(self._folder))
        try:
            doc = etree.parse(str(path), parser)
            return etree.XMLSchema(doc)
        except (etree.XMLSyntaxError, etree.XMLSchemaParseError) as exc:
            raise ConfigError(f"schema {path} does not compile: {exc}") from exc


_default_lock = threading.Lock()
_default: list[SchemaSet] = []


def _default_schemas() -> SchemaSet:
    if not _default:
        with _default_lock:
            if not _default:
                _default.append(SchemaSet())
    return _default[0]


def check_schema(doc: Any, *, schemas: SchemaSet | None = None,
                 source_name: str = "") -> list[Diagnostic]:
    """Validate an ENS document (``_ElementTree`` or root ``_Element``) against the XSD of its
    root element. ``[]`` when valid; otherwise one XSD002 per libxml2 error, with the ENS XPath,
    the source line and expected/found; XSD003 when no schema fits the root element."""
    schema_set = schemas if schemas is not None else _default_schemas()
    root = doc.getroot() if isinstance(doc, etree._ElementTree) else doc
    tag = root.tag if root is not None else None
    if not isinstance(tag, str) or not tag.startswith("{" + ICS2_NAMESPACE + "}"):
        return [_no_schema(root, schema_set, source_name, "namespace")]
    schema = schema_set.get(etree.QName(tag).localname)
    if schema is None:
        return [_no_schema(root, schema_set, source_name, "file")]
    if schema.validate(doc):
        return []
    doc_root = root.getroottree().getroot()
    out: list[Diagnostic] = []
    siblings = Siblings()
    for error in schema.error_log:
        if _NO_ROOT_DECLARATION in error.message:
            return [_no_schema(root, schema_set, source_name, "declaration")]
        detail = explain(error.message, error.path, error.line, doc_root, siblings)
        out.append(diag(
            "XSD002", detail.message,
            source=SourcePos(file=source_name, line=detail.line),
            xpath=detail.xpath, expected=detail.expected, found=detail.found))
    return out


def _no_schema(root: Any, schemas: SchemaSet, source_name: str, why: str) -> Diagnostic:
    tag = getattr(root, "tag", None)
    found = short_name(tag) if isinstance(tag, str) else repr(tag)
    if isinstance(tag, str) and not tag.startswith("{"):
        found += " (in no namespace)"
    reason = {
        "namespace": f"the root element is not in the ICS2 namespace {ICS2_NAMESPACE}",
        "file": f"no schema file for this root element in {schemas.folder}",
        "declaration": "the schema file does not declare this root element",
    }[why]
    names = ", ".join(schemas.root_names())
    return diag(
        "XSD003", f"no schema for root element {found}: {reason}",
        source=SourcePos(file=source_name, line=getattr(root, "sourceline", None)),
        xpath="/" + (etree.QName(tag).localname if isinstance(tag, str) else ""),
        expected=f"one of {names} in {ICS2_NAMESPACE}", found=found)


# ----------------------------------------------------------------------------------------------
# hardened parsing of ENS XML
# ----------------------------------------------------------------------------------------------

def parse_ens_xml(data: bytes, *, source_name: str = "",
                  max_bytes: int = MAX_ENS_XML_BYTES) -> tuple[Any, list[Diagnostic]]:
    """Parse ENS XML bytes with a hardened parser: ``(tree, [])`` or ``(None, [diagnostic])``.

    Refused (XML001): any DOCTYPE, so no DTD, no entity declaration, no external reference is
    ever read or expanded. Larger than ``max_bytes``: SRC002. Not well-formed: XSD001 with line
    and column. Never raises on bad input.
    """
    return parse_xml_safely(data, file=source_name, what="ENS XML", max_bytes=max_bytes,
                            malformed_code="XSD001")


