"""Thin commands building the trader-to-customs messages of the ENS lifecycle: ``invalidate``
(IE3Q04) and ``answer-screening`` (IE3R03). They only build and write the message (the pure
builders of ``ensgate.messages``); ``ensgate send FILE`` files it, and the outbox of the store
will take it from there. Exit 0 written, 1 nothing to answer / not found, 2 usage error."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from .diagnostics import EnsgateError


def _fail(message: str, code: int) -> None:
    click.echo(f"ensgate: {message}", err=True)
    sys.exit(code)


def _write(xml: bytes, out: Path | None, what: str) -> None:
    if out is None:
        click.echo(xml.decode("utf-8"), nl=False)
        return
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_bytes(xml)
    tmp.replace(out)  # atomic: a crash leaves the old file or the new one
    click.echo(f"{what} written to {out}; file it with: ensgate send {out} --endpoint URL "
               "--certs DIR", err=True)


@click.command("invalidate")
@click.argument("key", metavar="LRN|MRN")
@click.option("--reason", required=True, help="Why the ENS is invalidated (an..512).")
@click.option("--store", "store_url", metavar="URL", help="Shipment store that knows the "
              "LRN's MRN (default: the configuration's store).")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write the IE3Q04 to (default: standard output).")
def invalidate_cmd(key: str, reason: str, store_url: str | None, config_path: str | None,
                   out: Path | None) -> None:
    """Build the invalidation request (IE3Q04) of the registered ENS filing KEY."""
    from .answers import MRN_PATTERN
    from .config import load_config
    from .messages import InvalidationRequest, build_invalidation
    from .store import Store

    try:
        config = load_config(config_path)
        mrn, declarant = key.strip().upper(), config.declarant.eori
        if not MRN_PATTERN.fullmatch(mrn):
            with Store.open(store_url or config.store or "sqlite:///ensgate.db",
                            config=config) as store:
                found = store.status(key)
            filing = next((f for f in (found or {}).get("filings", [])
                           if f["lrn"] == key.strip()), None)
            if filing is None or not filing["mrn"]:
                _fail(f"no registered filing with LRN {key!r} (no MRN in the store)", 1)
                return
            mrn, declarant = filing["mrn"], filing["declarant"] or declarant
        xml = build_invalidation(InvalidationRequest(
            mrn=mrn, reason=reason, declarant=declarant,
            representative=config.representative.eori if config.representative else None,
            issued=datetime.now(UTC)))
    except (EnsgateError, ValueError) as exc:
        _fail(str(exc), 2)
        return
    _write(xml, out, f"IE3Q04 for {mrn}")


@click.command("answer-screening")
@click.argument("request", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--result", required=True, help="Screening result code (CL726) for every "
              "referral of the request.")
@click.option("--method", "methods", multiple=True, help="Screening method used (CL724), "
              "2 to 9 (default: the methods the request recommends).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write the IE3R03 to (default: standard output).")
def answer_screening_cmd(request: Path, result: str, methods: tuple[str, ...],
                         out: Path | None) -> None:
    """Build the HRCM screening response (IE3R03) to REQUEST, a pulled IE3Q03: one result
    per referral, for its house document."""
    from .answers import AnswerReadError, read_answer
    from .messages import ScreeningOutcome, ScreeningResults, build_screening_results

    try:
        q03 = read_answer(request.read_bytes(), source_name=str(request))
    except AnswerReadError as exc:
        _fail(str(exc), 2)
        return
    if q03.message_type != "IE3Q03" or not q03.mrn:
        _fail(f"{request} is an {q03.message_type}, not an HRCM screening request (IE3Q03)", 1)
        return
    try:
        xml = build_screening_results(ScreeningResults(
            mrn=q03.mrn, declarant=q03.declarant or "", issued=datetime.now(UTC),
            responsible_member_state=q03.responsible_member_state or q03.mrn[2:4],
            representative=q03.representative, master=q03.master,
            outcomes=tuple(ScreeningOutcome(reference=r.reference, result=result,
                                            methods=methods or r.methods, house=r.house)
                           for r in q03.referrals if r.house is not None)))
    except ValueError as exc:
        _fail(str(exc), 2)
        return
    _write(xml, out, f"IE3R03 for {q03.mrn}")


LIFECYCLE_COMMANDS = (invalidate_cmd, answer_screening_cmd)
