"""Fuzz targets: one per reader and one per XML entry point, with their seeds, their mutators
and the invariants every input must keep. Used by ``tests/fuzz/`` (hypothesis, derandomised)
and by the long runner ``tools/fuzz.py`` (inputs/s, slowest input, time per byte).

A target's ``run(data)`` returns normally for every input, whatever the verdict on it; it raises
``AssertionError`` for a finding (an invariant broken) and lets any other exception escape,
which is a finding too (bad input must never raise out of ensgate).
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import gc
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree
from mutations import CORPUS, ROOT, mutate, units

from ensgate.diagnostics import CATALOGUE, Diagnostic

Mutator = Callable[[random.Random, bytes], bytes]


@dataclass(frozen=True)
class FuzzTarget:
    name: str
    seeds: Callable[[], list[bytes]]  # built once, on first use
    run: Callable[[bytes], None]
    mutate: Mutator
    # run once, untimed, before a campaign: whatever mutants may reach (splices mix formats)
    warm: Callable[[], list[bytes]] | None = None


def _every_sample() -> list[bytes]:
    return [d for fmt in CORPUS for _, d in CORPUS[fmt]]


def _catalogued(diags: list[Diagnostic] | tuple[Diagnostic, ...], what: str) -> None:
    bad = [d.code for d in diags if d.code not in CATALOGUE]
    assert not bad, f"{what}: codes not in the catalogue: {bad}"
    internal = [d.message for d in diags if d.code == "RUN001"]
    assert not internal, f"{what}: internal error: {internal}"


# --- mutators ------------------------------------------------------------------------------

def _amplify(rng: random.Random, fmt: str, data: bytes) -> bytes:
    """One unit (a line, a segment, a tag or a text) repeated up to 3,000 times, or one value
    made up to 2,500 times longer (20 kB): the inputs that show a stage is not linear."""
    us = units(fmt, data)
    if not us:
        return data
    i = rng.randrange(len(us))
    if rng.random() < 0.5:
        us[i:i + 1] = [us[i]] * rng.randint(2, 3000)
    else:
        u = us[i]
        cut = rng.randint(0, len(u))
        piece = u[max(0, cut - 8):cut] or b"A 1 "
        us[i] = u[:cut] + piece * rng.randint(2, 2500) + u[cut:]
    return b"".join(us)


_HOSTILE_XML = (
    b'<!DOCTYPE r [<!ENTITY e "x">]>',
    b'<!DOCTYPE r SYSTEM "file:///etc/passwd">',
    b"<!--" + b"c" * 70_000 + b'--><!DOCTYPE r [<!ENTITY % p SYSTEM "file:///dev/zero"> %p;]>',
    b"<?xml-stylesheet href='http://127.0.0.1:9/x'?>",
    b'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd"/>',
    b"<![CDATA[<r/>]]>", b"&#0;", b"&#x10FFFF;", b"&e;", b"<!---->", b"<?pi?>",
    b"<a>" * 300 + b"</a>" * 300,
    b"<a " + b" ".join(b'x%d="1"' % i for i in range(2000)) + b"/>",
    b"<a " + b" ".join(b'xmlns:p%d="u%d"' % (i, i) for i in range(500)) + b"/>",
)
_ENCODINGS = ("utf-16", "utf-16-le", "utf-32", "utf-7", "latin-1")


def _xml_hostile(rng: random.Random, data: bytes) -> bytes:
    choice = rng.randrange(4)
    if choice == 0:  # a hostile construct anywhere
        at = rng.randint(0, len(data))
        return data[:at] + rng.choice(_HOSTILE_XML) + data[at:]
    if choice == 1:  # before the root, behind a long prolog
        prolog = rng.choice([b"", b"<!--" + b"p" * rng.randint(0, 80_000) + b"-->",
                             b"<?pi " + b"q" * rng.randint(0, 80_000) + b"?>"])
        body = data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data
        return prolog + rng.choice(_HOSTILE_XML[:3]) + body
    if choice == 2:  # the whole document in another encoding, declaration to match or not
        text = data.decode("utf-8", "replace")
        enc = rng.choice(_ENCODINGS)
        try:
            return text.encode(enc)
        except UnicodeEncodeError:
            return data
    return _amplify(rng, "cargo-xml", data)


def _format_mutator(fmt: str) -> Mutator:
    def m(rng: random.Random, data: bytes) -> bytes:
        if rng.random() < 0.15:
            return _amplify(rng, fmt, data)
        return mutate(rng, fmt, data, rng.randint(1, 4), gentle=rng.random() < 0.4)
    return m


def _xml_mutator(rng: random.Random, data: bytes) -> bytes:
    if rng.random() < 0.35:
        return _xml_hostile(rng, data)
    return _format_mutator("cargo-xml")(rng, data)


# --- readers -------------------------------------------------------------------------------

def _reader(fmt: str, read: Callable[..., list[Any]]) -> FuzzTarget:
    def run(data: bytes) -> None:
        msgs = read(data, file="fuzz")
        for msg in msgs:
            _catalogued(msg.diagnostics, f"{fmt} reader")
            assert msg.file == "fuzz"
    return FuzzTarget(name=f"read-{fmt}", seeds=lambda: [d for _, d in CORPUS[fmt]], run=run,
                      mutate=_format_mutator(fmt), warm=_every_sample)


def _readers() -> list[FuzzTarget]:
    from ensgate.readers.cargoimp import read_cargoimp
    from ensgate.readers.cargoxml import read_cargoxml
    from ensgate.readers.edifact import read_edifact
    from ensgate.readers.x12 import read_x12
    return [_reader("cargo-imp", read_cargoimp), _reader("cargo-xml", read_cargoxml),
            _reader("edifact", read_edifact), _reader("x12", read_x12)]


def _pipeline(fmt: str) -> FuzzTarget:
    """The whole batch (read, map, join, render, validate) on one file: every message ends
    with exactly one outcome (filed, rejected, pending, not-ens, not-subject, supporting,
    superseded or duplicate: ``BatchResult.check``), and every diagnostic is catalogued."""
    from ensgate import translate_bytes

    def run(data: bytes) -> None:
        result = translate_bytes(data, file="fuzz")
        assert result.messages_in >= 1
        assert result.check() == []
        for rej in (*result.rejects, *result.not_ens, *result.shipment_rejects):
            _catalogued(rej.diagnostics, f"{fmt} pipeline")
        for filing in result.filings:
            _catalogued(filing.diagnostics, f"{fmt} pipeline")
    return FuzzTarget(name=f"translate-{fmt}", seeds=lambda: [d for _, d in CORPUS[fmt]],
                      run=run, mutate=_format_mutator(fmt), warm=_every_sample)


# --- XML entry points ------------------------------------------------------------------------

@functools.cache
def _ens_seeds() -> list[bytes]:
    files = sorted((ROOT / "tests" / "golden" / "expected").glob("*/*.xml"))
    return [f.read_bytes() for f in files[:6]]


@functools.cache
def _answer_seeds() -> list[bytes]:
    from ensgate.answers import Scenario, SimulatedCustoms
    out: list[bytes] = []
    for scenario in (Scenario.ACCEPT, Scenario.DO_NOT_LOAD, Scenario.REQUEST_INFO):
        customs = SimulatedCustoms(scenario=scenario)
        for ens in _ens_seeds()[:2]:
            out += [a.xml for a in customs.file(ens, sender="DE0000DEMO0001")]
    broken = _ens_seeds()[0].replace(b"<LRN>", b"<LRN>" + b"X" * 30, 1)
    out += [a.xml for a in SimulatedCustoms().file(broken, sender="DE0000DEMO0001")]
    return out


def _xml_parse() -> FuzzTarget:
    from ensgate.xmlsafe import check_xml_stream, parse_xml_safely

    def run(data: bytes) -> None:
        tree, diags = parse_xml_safely(data, what="fuzz")
        assert (tree is None) == bool(diags)
        _catalogued(diags, "parse_xml_safely")
        assert {d.code for d in diags} <= {"XML001", "XML002", "SRC002"}, diags
        # the streamed check is an oracle of the tree parse, and the tree parse of it
        outline, problems = check_xml_stream(data, what="fuzz")
        assert (outline is None) == (tree is None), (diags, problems)
        if tree is not None and outline is not None:
            root = tree.getroot()
            assert outline.root_tag == root.tag
            assert outline.elements == sum(1 for el in root.iter() if isinstance(el.tag, str))
            info = tree.docinfo
            assert not info.doctype and info.internalDTD is None
    return FuzzTarget(name="xml-parse", seeds=lambda: _ens_seeds() + [d for _, d in CORPUS[
        "cargo-xml"]][:8], run=run, mutate=_xml_mutator)


def _xml_validate() -> FuzzTarget:
    from ensgate.validate import iter_errors

    def run(data: bytes) -> None:
        _catalogued(list(iter_errors(data, source_name="fuzz.xml")), "validate")
    return FuzzTarget(name="xml-validate", seeds=_ens_seeds, run=run, mutate=_xml_mutator)


def _xml_answer() -> FuzzTarget:
    from ensgate.answers import AnswerReadError, read_answer

    def run(data: bytes) -> None:
        try:
            answer = read_answer(data, source_name="fuzz")
        except AnswerReadError as exc:
            _catalogued(exc.diagnostics, "read_answer")
            assert exc.diagnostics
            return
        _catalogued(answer.diagnostics, "read_answer")
        assert answer.message_type in ("IE3R01", "IE3R04", "IE3N99", "IE3N03", "IE3Q01",
                                       "IE3Q02", "IE3Q03", "IE3N01", "IE3R02", "IE3R03")
    return FuzzTarget(name="xml-answer", seeds=_answer_seeds, run=run, mutate=_xml_mutator)


# --- AS4: sealing and the receivers ------------------------------------------------------------

@dataclass
class _As4Fixture:
    trader: Any
    customs: Any
    seeds: list[bytes]  # content type, blank line, body
    signed: dict[str, Any]  # MessageId -> the verified seed
    simulator: Any


@functools.cache
def _as4() -> _As4Fixture:
    from ensgate.connectors.as4 import simulator_certs, trader_certs
    from ensgate.connectors.simulator import Simulator
    from ensgate.seal import (
        as4_error,
        make_demo_certs,
        seal_error,
        seal_pull_request,
        seal_receipt,
        seal_user_message,
        trader_to_customs_header,
        verify_message,
    )
    folder = Path(tempfile.mkdtemp(prefix="ensgate-fuzz-certs-"))
    atexit.register(shutil.rmtree, folder, True)
    make_demo_certs(folder)
    trader, customs = trader_certs(folder), simulator_certs(folder)
    wires = []
    for ens in _ens_seeds()[:3]:
        action = etree.QName(etree.fromstring(ens)).localname
        wires.append(seal_user_message(ens, header=trader_to_customs_header(
            sender_party_id="DE0000DEMO0001", action=action), identity=trader.identity))
    first = verify_message(wires[0].content_type, wires[0].body, trust=trader.trust)
    wires += [seal_receipt(first, identity=customs.identity),
              seal_pull_request(mpc="urn:fdc:ec.europa.eu:2019:eu_ics2_c2t/EORI/DE0000DEMO0001",
                                identity=trader.identity),
              seal_error(ref_to_message_id=first.message_id, errors=[as4_error(
                  "EBMS:0004", ref_to_message_id=first.message_id)], identity=trader.identity)]
    signed = {}
    for w in wires:
        signed[w.message_id] = verify_message(w.content_type, w.body, trust=trader.trust)
    seeds = [w.content_type.encode() + b"\n\n" + w.body for w in wires]
    sim = Simulator(identity=customs.identity, trust=customs.trust)
    return _As4Fixture(trader=trader, customs=customs, seeds=seeds, signed=signed,
                       simulator=sim)


def _split(data: bytes) -> tuple[str, bytes]:
    head, _, body = data.partition(b"\n\n")
    return head.decode("latin-1"), body


def _as4_mutator(rng: random.Random, data: bytes) -> bytes:
    ct, body = _split(data)
    if rng.random() < 0.2:  # the header values a tamperer goes for: a comment or PI inside
        at = body.find(rng.choice([b"<eb:MessageId>", b"<eb:Action>", b"<eb:PartyId",
                                   b"<eb:RefToMessageId>", b"<eb:ConversationId>"]))
        if at >= 0:
            cut = body.find(b">", at) + 1 + rng.randint(0, 10)
            body = body[:cut] + rng.choice([b"<!---->", b"<?x?>", b"<!-- -->", b"<b/>"]) + \
                body[cut:]
            return ct.encode() + b"\n\n" + body
    return ct.encode() + b"\n\n" + _xml_mutator(rng, body)


_SIGNED_FIELDS = ("message_id", "ref_to_message_id", "kind", "header", "mpc",
                  "receipt_references")


def _as4_verify() -> FuzzTarget:
    from ensgate.seal import SealError, verify_message

    def run(data: bytes) -> None:
        fx = _as4()
        ct, body = _split(data)
        try:
            msg = verify_message(ct, body, trust=fx.trader.trust, require_signature=False)
        except SealError:
            return
        if msg.signer is None:  # unsigned error signals pass with require_signature=False
            assert msg.kind == "error"
            return
        seed = fx.signed.get(msg.message_id)
        assert seed is not None, f"a signed message no seed sent: {msg.message_id!r}"
        for f in _SIGNED_FIELDS:  # what verifies is what was signed, value for value
            assert getattr(msg, f) == getattr(seed, f), f
        assert [p.data for p in msg.payloads] == [p.data for p in seed.payloads]
    return FuzzTarget(name="as4-verify", seeds=lambda: _as4().seeds, run=run,
                      mutate=_as4_mutator)


def _as4_simulator() -> FuzzTarget:
    from ensgate.seal import SERVICE_C2T, verify_message

    def run(data: bytes) -> None:
        fx = _as4()
        ct, body = _split(data)
        reply = fx.simulator.handle(ct, body)
        assert reply.status == 200
        if reply.body:  # a receipt, an error signal, or (to a PullRequest) a queued answer
            answer = verify_message(reply.content_type, reply.body, trust=fx.customs.trust)
            assert answer.kind in ("receipt", "error", "user"), answer.kind
            if answer.kind == "user":
                assert answer.header is not None
                assert answer.header.service == SERVICE_C2T, answer.header
        filed = [f.message_id for f in fx.simulator.filed]
        assert len(filed) == len(set(filed)), "one sealed message filed twice"
        assert set(filed) <= set(fx.signed), "a filing no seed sent"
    return FuzzTarget(name="as4-simulator", seeds=lambda: _as4().seeds, run=run,
                      mutate=_as4_mutator)


def _seal_payload() -> FuzzTarget:
    from ensgate.seal import EnvelopeError, seal_user_message, trader_to_customs_header

    def run(data: bytes) -> None:
        header = trader_to_customs_header(sender_party_id="DE0000DEMO0001", action="IE3F26")
        with contextlib.suppress(EnvelopeError):
            seal_user_message(data, header=header, identity=_as4().trader.identity,
                              check_payload=True)
    return FuzzTarget(name="xml-seal-payload", seeds=_ens_seeds, run=run, mutate=_xml_mutator)


@functools.cache
def targets() -> dict[str, FuzzTarget]:
    out = [*_readers(), *(_pipeline(f) for f in ("cargo-imp", "cargo-xml", "edifact", "x12")),
           _xml_parse(), _xml_validate(), _xml_answer(), _seal_payload(), _as4_verify(),
           _as4_simulator()]
    return {t.name: t for t in out}


# --- cost: time per byte ---------------------------------------------------------------------

MIN_BYTES = 1024
"""Inputs are charged for at least this many bytes: the fixed cost of a call (an RSA
verification, a parser set up) is no growth."""
MAX_RATIO = 100.0


def cpu_time(fn: Callable[[], Any]) -> float:
    """CPU time of one call (process time: other load on the machine does not count), with the
    cyclic garbage collector paused so that a collection is not charged to one input. Never
    re-measured: ensgate's caches (street splitting, specs) would make a second run cheap."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        t = time.process_time()
        fn()
        return time.process_time() - t
    finally:
        if enabled:
            gc.enable()


def warm_up(target: FuzzTarget) -> None:
    """Run every seed once, untimed: first calls compile specs, schemas and code lists."""
    for seed in (target.warm or target.seeds)():
        with contextlib.suppress(AssertionError):
            target.run(seed)


def clear_caches() -> None:
    """Empty the transforms' memo caches (``functools.lru_cache`` of street splitting, phone
    numbers, time zones, airports: results per value), so that timing an input again measures
    its work, not a cache hit. Compile-once caches (specs, schemas, templates) stay: they are
    the warm-up, not the input's work."""
    from ensgate.mapping import _transforms

    for value in list(vars(_transforms).values()):
        info = getattr(value, "cache_info", None)
        if callable(info) and info().maxsize is not None:  # bounded: a memo, not a load
            value.cache_clear()


@dataclass
class CostReport:
    inputs: int
    median_per_byte: float
    slowest: tuple[float, int, bytes]  # seconds, size, input
    first_ratio: float  # the highest time per byte over the median, as first measured
    worst_ratio: float  # the highest after timing the top inputs again (caches emptied)
    worst: bytes


def per_byte(seconds: float, data: bytes) -> float:
    return seconds / max(len(data), MIN_BYTES)


class CostMeter:
    """Time per byte of every input, keeping only numbers and the inputs worth showing (the
    slowest, and the few with the highest time per byte): a campaign of a million inputs
    must not keep them all. The top few are timed again (best of three, memo caches emptied
    before each run) before one counts as a finding: a first run also pays one-off work
    (a schema compiled for a root element no seed had, a page fault) that is no growth."""

    KEEP = 3

    def __init__(self) -> None:
        self.rates: list[float] = []
        self.slowest: tuple[float, bytes] = (-1.0, b"")
        self.top: list[tuple[float, bytes]] = []  # highest time per byte first

    def add(self, seconds: float, data: bytes) -> None:
        rate = per_byte(seconds, data)
        self.rates.append(rate)
        if seconds > self.slowest[0]:
            self.slowest = (seconds, data)
        if len(self.top) < self.KEEP or rate > self.top[-1][0]:
            self.top = sorted([*self.top, (rate, data)], key=lambda r: -r[0])[:self.KEEP]

    def report(self, target: FuzzTarget) -> CostReport:
        median = max(statistics.median(self.rates), 1e-10)
        worst_ratio, worst = 0.0, b""
        for _, data in self.top:
            best = float("inf")
            for _ in range(3):
                clear_caches()
                best = min(best, cpu_time(lambda d=data: _swallow(target, d)))
            ratio = per_byte(best, data) / median
            if ratio > worst_ratio:
                worst_ratio, worst = ratio, data
        t, d = self.slowest
        return CostReport(inputs=len(self.rates), median_per_byte=median,
                          slowest=(t, len(d), d),
                          first_ratio=self.top[0][0] / median if self.top else 0.0,
                          worst_ratio=worst_ratio, worst=worst)


def cost_report(target: FuzzTarget, samples: list[tuple[float, bytes]]) -> CostReport:
    meter = CostMeter()
    for seconds, data in samples:
        meter.add(seconds, data)
    return meter.report(target)


def _swallow(target: FuzzTarget, data: bytes) -> None:
    with contextlib.suppress(AssertionError):
        target.run(data)
