"""Issue 9, item 1: no XML entry point ever opens a file named by the document.

The attack: a comment longer than the old guard's 64 KB window, then a DOCTYPE whose internal
subset pulls an external parameter entity. libxml2 opened the file before the post-parse check
refused the document (with ``/dev/zero``: forever). Each entry point gets the attack with the
entity pointing at a FIFO: a parser that opens it blocks, which the trap detects, so the test
fails instead of hanging.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from _traps import LONG_COMMENT, call_with_fifo, doctype_with_external_pe, fifo
from lxml import etree

from ensgate.answers import AnswerReadError, read_answer
from ensgate.connectors.as4 import EndpointCerts
from ensgate.connectors.simulator import Simulator
from ensgate.readers.cargoxml import read_cargoxml
from ensgate.seal import (
    EnvelopeError,
    seal_user_message,
    trader_to_customs_header,
    verify_message,
)
from ensgate.validate import iter_errors
from ensgate.xmlsafe import (
    ExternalReferenceRefused,
    PrologVerdict,
    RefuseEveryUrl,
    hardened_parser,
    parse_xml_safely,
    scan_prolog,
)

SOAP = (b'<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Header/>'
        b"<env:Body/></env:Envelope>")


def attack(tmp_path: Path, root: bytes) -> tuple[Path, bytes]:
    trap = fifo(tmp_path)
    return trap, LONG_COMMENT + doctype_with_external_pe(trap.as_uri()) + root


def test_parse_xml_safely(tmp_path: Path) -> None:
    trap, doc = attack(tmp_path, b"<r/>")
    out = call_with_fifo(trap, lambda: parse_xml_safely(doc))
    assert not out.blocked, "the parser opened the file named by the DOCTYPE"
    tree, diags = out.result
    assert tree is None and [d.code for d in diags] == ["XML001"]


def test_validate(tmp_path: Path, ens_xml: bytes) -> None:
    trap, doc = attack(tmp_path, ens_xml.split(b"?>", 1)[1])
    out = call_with_fifo(trap, lambda: list(iter_errors(doc, source_name="ens.xml")))
    assert not out.blocked
    assert [d.code for d in out.result] == ["XML001"]


def test_seal(tmp_path: Path, trader: EndpointCerts, ens_xml: bytes) -> None:
    trap, doc = attack(tmp_path, ens_xml.split(b"?>", 1)[1])
    header = trader_to_customs_header(sender_party_id="DE0000DEMO0001", action="IE3F26")
    out = call_with_fifo(trap, lambda: seal_user_message(
        doc, header=header, identity=trader.identity, check_payload=True))
    assert not out.blocked
    assert isinstance(out.result, EnvelopeError) and "DOCTYPE" in str(out.result)


def test_read_answer(tmp_path: Path) -> None:
    trap, doc = attack(tmp_path, b'<IE3R01 xmlns="urn:x"/>')
    out = call_with_fifo(trap, lambda: read_answer(doc))
    assert not out.blocked
    assert isinstance(out.result, AnswerReadError)
    assert [d.code for d in out.result.diagnostics] == ["XML001"]


def test_cargo_xml_reader(tmp_path: Path) -> None:
    trap, doc = attack(tmp_path, b'<Waybill xmlns="iata:waybill:1"/>')
    out = call_with_fifo(trap, lambda: read_cargoxml(doc, file="w.xml"))
    assert not out.blocked
    assert "XML001" in {d.code for d in out.result[0].diagnostics}


def test_simulator_soap_parse_before_any_signature_check(
        tmp_path: Path, customs_side: EndpointCerts) -> None:
    """The SOAP envelope is parsed before its signature can be checked: an unauthenticated
    POST must not make the simulator open files."""
    sim = Simulator(identity=customs_side.identity, trust=customs_side.trust)
    trap, doc = attack(tmp_path, SOAP)
    out = call_with_fifo(trap, lambda: sim.handle("application/soap+xml", doc))
    assert not out.blocked
    answer = verify_message(out.result.content_type, out.result.body, trust=customs_side.trust)
    assert answer.kind == "error"
    assert "DOCTYPE" in answer.errors[0].description


def test_hardened_parser_loads_nothing_even_when_a_doctype_reaches_it(tmp_path: Path) -> None:
    """Behind the prolog scan: the parser's own options make libxml2 ask for no file (the
    old ``collect_ids=False`` set the libxml2 flag that loads external parameter entities)."""
    trap = fifo(tmp_path)
    doc = doctype_with_external_pe(trap.as_uri()) + b"<r/>"
    out = call_with_fifo(trap, lambda: etree.fromstring(doc, hardened_parser()))
    assert not out.blocked


@pytest.mark.parametrize("declaration", [
    '<!DOCTYPE r SYSTEM "{url}">',
    '<!DOCTYPE r [<!ENTITY % p SYSTEM "{url}"> %p;]>',
    '<!DOCTYPE r [<!ENTITY e SYSTEM "{url}">]>',
])
def test_every_load_libxml2_asks_for_is_refused(tmp_path: Path, declaration: str) -> None:
    """And behind the options, the resolver: even a parser told to load DTDs and substitute
    entities opens nothing when it has ``RefuseEveryUrl``."""
    trap = fifo(tmp_path)
    doc = (declaration.format(url=trap.as_uri()) + "<r>&e;</r>").encode()
    if "ENTITY e" not in declaration:
        doc = doc.replace(b"&e;", b"")
    parser = etree.XMLParser(load_dtd=True, resolve_entities=True, no_network=True)
    parser.resolvers.add(RefuseEveryUrl())
    out = call_with_fifo(trap, lambda: etree.fromstring(doc, parser))
    assert not out.blocked
    assert isinstance(out.result, ExternalReferenceRefused)
    assert out.result.url == trap.as_uri()


def test_dev_zero_does_not_pin_a_core() -> None:
    """The endless variant: with /dev/zero the old parser never returned. Run in a child
    process so a regression times out instead of spinning in the test run."""
    code = textwrap.dedent("""
        from ensgate.xmlsafe import parse_xml_safely
        doc = (b"<!--" + b"x" * 70000 + b"-->"
               + b'<!DOCTYPE r [<!ENTITY % p SYSTEM "file:///dev/zero"> %p;]><r/>')
        print(parse_xml_safely(doc)[1][0].code)
    """)
    started = time.monotonic()
    try:
        run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("parsing a DOCTYPE that names /dev/zero did not end within 60 s")
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "XML001"
    assert time.monotonic() - started < 60


# --- the prolog scan ------------------------------------------------------------------

@pytest.mark.parametrize(("doc", "verdict"), [
    (b"<r/>", PrologVerdict.CLEAN),
    (b'<?xml version="1.0"?>\n<!-- a -->\n<?pi x?>\n<r><!DOCTYPE x></r>', PrologVerdict.CLEAN),
    (LONG_COMMENT * 300 + b"<!DOCTYPE r><r/>", PrologVerdict.DOCTYPE),  # 21 MB of comments
    (b"<?pi " + b"y" * 200_000 + b"?><!DOCTYPE r><r/>", PrologVerdict.DOCTYPE),
    (b"\xef\xbb\xbf  <!doctype r><r/>", PrologVerdict.DOCTYPE),
    ("<!--é-->\n<!DOCTYPE r><r/>".encode("utf-16"), PrologVerdict.DOCTYPE),
    (("<!--" + "z" * 100_000 + "--><!DOCTYPE r><r/>").encode("utf-32"), PrologVerdict.DOCTYPE),
    ('<?xml version="1.0" encoding="UTF-16LE"?><!DOCTYPE r><r/>'.encode("utf-16-le"),
     PrologVerdict.DOCTYPE),
    # UTF-7 writes "<!" as "+ADwAIQ-": no byte scan sees it, libxml2 reads it
    (b'<?xml version="1.0" encoding="UTF-7"?>+ADwAIQ-DOCTYPE r +AFs-+AF0APg-+ADw-r/+AD4-',
     PrologVerdict.DOCTYPE),
    (b'<?xml version="1.0" encoding="UTF-7"?>+ADw-r/+AD4-', PrologVerdict.CLEAN),
    ('<?xml version="1.0" encoding="IBM037"?><r/>'.encode("cp037"), PrologVerdict.UNREADABLE),
])
def test_prolog_scan(doc: bytes, verdict: str) -> None:
    assert scan_prolog(doc) == verdict


def test_utf7_doctype_is_refused_before_parsing() -> None:
    doc = b'<?xml version="1.0" encoding="UTF-7"?>+ADwAIQ-DOCTYPE r +AFs-+AF0APg-+ADw-r/+AD4-'
    assert etree.fromstring(doc).getroottree().docinfo.doctype  # libxml2 does read it
    assert [d.code for d in parse_xml_safely(doc)[1]] == ["XML001"]


def test_prolog_scan_is_linear() -> None:
    """Ten times the prolog costs about ten times the time (best of three, CPU time), however
    the prolog is made: many small comments or one long one."""
    def cost(doc: bytes) -> float:
        best = float("inf")
        for _ in range(3):
            t = time.process_time()
            scan_prolog(doc)
            best = min(best, time.process_time() - t)
        return max(best, 1e-4)

    for unit in (b"<!---->", b"<?a?>\n"):
        small, big = unit * 20_000, unit * 200_000
        assert cost(big + b"<r/>") <= 20 * cost(small + b"<r/>")
