"""Thin commands for the trader-to-customs messages of the ENS lifecycle: ``invalidate``
(IE3Q04), ``answer-screening`` (IE3R03), ``answer-info`` (IE3R02) and ``arrive`` (IE3N06).
By default each is
queued in the store for the filing it concerns (``ensgate.outbox``) and ``ensgate file``
sends it; with ``--out`` the message is only written (``ensgate send FILE`` files it).
Exit 0 queued or written, 1 nothing to answer / not found / the filing's state does not allow
it (LCY001), 2 usage error."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from .diagnostics import EnsgateError


def _fail(message: str, code: int) -> None:
    click.echo(f"ensgate: {message}", err=True)
    sys.exit(code)


def _queued(done: Any) -> None:
    """Report a :class:`ensgate.outbox.Queued`: exit 1 when it was refused."""
    if done.problem is not None:
        _fail(f"{done.action} not queued for {done.lrn or '?'}: {done.problem}", 1)
        return
    click.echo(f"{done.action} queued for LRN {done.lrn} MRN {done.mrn}; "
               "ensgate file sends it")


def _store(store_url: str | None, config: Any) -> Any:
    from .store import Store

    return Store.open(store_url or config.store or "sqlite:///ensgate.db", config=config)


def _write(xml: bytes, out: Path | None, what: str) -> None:
    if out is None:
        click.echo(xml.decode("utf-8"), nl=False)
        return
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_bytes(xml)
    tmp.replace(out)  # atomic: a crash leaves the old file or the new one
    click.echo(f"{what} written to {out}; file it with: ensgate send {out} --endpoint URL "
               "--certs DIR", err=True)


def _store_options(store_help: str = "Shipment store") -> Callable[[Any], Any]:
    """``--store URL`` and ``--config FILE``, the options every lifecycle command takes."""
    def decorate(f: Any) -> Any:
        f = click.option("--config", "config_path",
                         type=click.Path(exists=True, dir_okay=False))(f)
        return click.option("--store", "store_url", metavar="URL",
                            help=f"{store_help} (default: the configuration's store).")(f)
    return decorate


@click.command("invalidate")
@click.argument("key", metavar="LRN|MRN")
@click.option("--reason", required=True, help="Why the ENS is invalidated (an..512).")
@_store_options("Shipment store that knows the LRN's MRN")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Only write the IE3Q04 to this file ('-': standard output) instead of "
              "queuing it in the store.")
def invalidate_cmd(key: str, reason: str, store_url: str | None, config_path: str | None,
                   out: Path | None) -> None:
    """Queue the invalidation request (IE3Q04) of the registered ENS filing KEY (LRN or
    MRN) in the store; ``ensgate file`` sends it, ``pull`` reads the IE3R07."""
    from .answers import MRN_PATTERN
    from .config import load_config
    from .messages import InvalidationRequest, build_invalidation
    from .store import Store

    try:
        config = load_config(config_path)
        if out is None:  # through the store: queued for ``ensgate file``
            from .outbox import queue_invalidation

            with _store(store_url, config) as db:
                _queued(queue_invalidation(db, key, reason=reason, representative=(
                    config.representative.eori if config.representative else None)))
            return
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
    _write(xml, None if str(out) == "-" else out, f"IE3Q04 for {mrn}")


@click.command("answer-screening")
@click.argument("request", metavar="LRN|MRN|IE3Q03-FILE")
@click.option("--result", required=True, help="Screening result code (CL726) for every "
              "referral of the request.")
@click.option("--method", "methods", multiple=True, help="Screening method used (CL724), "
              "2 to 9 (default: the methods the request recommends).")
@_store_options()
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Only write the IE3R03 answering the IE3Q03-FILE to this file ('-': "
              "standard output) instead of queuing it in the store.")
def answer_screening_cmd(request: str, result: str, methods: tuple[str, ...],
                         store_url: str | None, config_path: str | None,
                         out: Path | None) -> None:
    """Answer the HRCM screening request (IE3Q03) customs sent about the filing REQUEST (LRN
    or MRN; or a pulled IE3Q03 file) with the IE3R03: one result per referral, for its
    house document. Queued in the store; ``ensgate file`` sends it."""
    from .answers import AnswerReadError, read_answer
    from .config import load_config
    from .messages import ScreeningOutcome, ScreeningResults, build_screening_results
    from .outbox import queue_screening_answer

    key = request
    if Path(request).is_file():
        try:
            q03 = read_answer(Path(request).read_bytes(), source_name=request)
        except AnswerReadError as exc:
            _fail(str(exc), 2)
            return
        if q03.message_type != "IE3Q03" or not q03.mrn:
            _fail(f"{request} is an {q03.message_type}, not an HRCM screening request "
                  "(IE3Q03)", 1)
            return
        key = q03.mrn
        if out is not None:
            try:
                xml = build_screening_results(ScreeningResults(
                    mrn=q03.mrn, declarant=q03.declarant or "", issued=datetime.now(UTC),
                    responsible_member_state=q03.responsible_member_state or q03.mrn[2:4],
                    representative=q03.representative, master=q03.master,
                    outcomes=tuple(ScreeningOutcome(reference=r.reference, result=result,
                                                    methods=methods or r.methods,
                                                    house=r.house)
                                   for r in q03.referrals if r.house is not None)))
            except ValueError as exc:
                _fail(str(exc), 2)
                return
            _write(xml, None if str(out) == "-" else out, f"IE3R03 for {q03.mrn}")
            return
    elif out is not None:
        _fail("--out needs the IE3Q03 file; without it the answer is queued in the store", 2)
        return
    try:
        with _store(store_url, load_config(config_path)) as db:
            _queued(queue_screening_answer(db, key, result=result, methods=methods))
    except (EnsgateError, ValueError) as exc:
        _fail(str(exc), 2)


@click.command("answer-info")
@click.argument("key", metavar="LRN|MRN")
@click.option("--text", "texts", multiple=True, required=True,
              help="The information customs asked for (an..512; repeat for more).")
@_store_options()
def answer_info_cmd(key: str, texts: tuple[str, ...], store_url: str | None,
                    config_path: str | None) -> None:
    """Answer the request for information (IE3Q02) customs sent about the filing KEY with the
    IE3R02 (every referral of the request, with TEXTs). Queued in the store; ``ensgate file``
    sends it. An amendment answers it too (``translate`` the corrected message)."""
    from .config import load_config
    from .outbox import queue_information_answer

    try:
        with _store(store_url, load_config(config_path)) as db:
            _queued(queue_information_answer(db, key, texts=texts))
    except (EnsgateError, ValueError) as exc:
        _fail(str(exc), 2)


@click.command("arrive")
@click.argument("key", metavar="LRN|MRN")
@click.option("--at", "at", type=click.DateTime(formats=["%Y-%m-%dT%H:%M:%SZ",
                                                       "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"]),
              help="Actual arrival of the flight, UTC (default: now).")
@_store_options()
def arrive_cmd(key: str, at: datetime | None, store_url: str | None,
               config_path: str | None) -> None:
    """Notify the arrival (IE3N06) of the flight of the registered filing KEY (LRN or MRN):
    its MRN, the flight and office of first entry as registered, the arrival notifier of the
    configuration. Queued in the store; ``ensgate file`` sends it, ``pull`` reads the IE3R04
    (and an IE3N08 control notification or an IE3N07)."""
    from .config import load_config
    from .outbox import queue_arrival

    try:
        config = load_config(config_path)
        with _store(store_url, config) as db:
            _queued(queue_arrival(db, key, config=config, arrived=(
                datetime.now(UTC) if at is None else at.replace(tzinfo=UTC))))
    except (EnsgateError, ValueError) as exc:
        _fail(str(exc), 2)


LIFECYCLE_COMMANDS = (invalidate_cmd, answer_screening_cmd, answer_info_cmd, arrive_cmd)
