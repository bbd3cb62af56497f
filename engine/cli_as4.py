"""``ensgate simulate``, ``ensgate send``, ``ensgate ping``: AS4 from the command line (thin:
the work is in ``ensgate.connectors.as4`` and ``.simulator``; ``file``, ``pull`` and
``rehearse`` are in ``cli_outbox``).

Exit codes: 0 done (filed and, with ``--wait``, registered), 1 refused (ebMS errors, receipt
mismatch, IE3N99 or other error answer), 2 usage or configuration error, 3 endpoint
unreachable, TLS failure or no answer within ``--wait``, 4 (``send --wait``) the filing is
under an alarm (Do-Not-Load, screening requested).
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

import click
from lxml import etree

from .diagnostics import EnsgateError
from .xmlsafe import parse_xml_safely


def _scenarios() -> list[str]:
    """The simulator's scenarios, from the Scenario enum (one source of truth)."""
    from .answers import Scenario

    return [s.value for s in Scenario]


def _fail(message: str, code: int) -> None:
    click.echo(f"ensgate: {message}", err=True)
    sys.exit(code)


def _certs_option(f: click.decorators.FC) -> click.decorators.FC:
    return click.option("--certs", "certs", required=True,
                        type=click.Path(exists=True, file_okay=False, path_type=Path),
                        help="Certificate folder (layout of `ensgate certs demo`).")(f)


def _connector_options(f: click.decorators.FC) -> click.decorators.FC:
    f = click.option("--customs-seal", "customs_seal", metavar="FILE|RULE",
                     help="The trader interface's seal, pinned: PEM certificate(s), a file of "
                          "SHA-256 fingerprints, or 'subject: ATTR=V,...; issuer: ATTR=V,...' "
                          "(default: customs-seal.pem or .sha256 in --certs). Receipts and "
                          "answers sealed by any other certificate are refused.")(f)
    f = click.option("--store", metavar="URL",
                     help="Shipment store recording what is sent and answered, and moving "
                          "the filings on (sent, registered...); default: the configuration's "
                          "store (demo profile: sqlite:///ensgate.db here).")(f)
    f = click.option("--party-id", help="Our AS4 party id [sysid@]EORI[@MS] "
                                        "(default: the EORI in the seal certificate).")(f)
    f = _certs_option(f)
    return click.option("--endpoint", required=True, metavar="URL",
                        help="Trader interface AS4 endpoint (https://...).")(f)


def _connector(endpoint: str, certs: Path, party_id: str | None, store: object,
               customs_seal: str | None, retries: int = 4) -> object:
    """The ``as4`` connector through the plugin layer (``get_connector``), recording in
    ``store`` (a Store, or a URL; default: the configuration's store)."""
    from .config import load_config
    from .connectors import get_connector

    try:
        target = store or load_config().store or "sqlite:///ensgate.db"
        conn = get_connector("as4", endpoint=endpoint, certs=certs, party_id=party_id,
                             store=target, retries=retries, customs_seal=customs_seal)
    except EnsgateError as exc:
        _fail(str(exc), 2)
        raise  # unreachable
    click.get_current_context().call_on_close(getattr(conn, "close", lambda: None))
    return conn


def _show_answer(answer: object) -> bool:
    """Print one answer; True if it is an error answer."""
    from .connectors.as4 import Answer

    assert isinstance(answer, Answer)
    parts = [f"answer     {answer.action}", f"MessageId {answer.message_id}"]
    if answer.lrn:
        parts.append(f"LRN {answer.lrn}")
    if answer.mrn:
        parts.append(f"MRN {answer.mrn}")
    click.echo("  ".join(parts))
    for err in answer.errors:
        click.echo(f"  error    {err}")
    return bool(answer.errors) or answer.action in ("IE3N99", "IE3N01")


@click.command("simulate")
@_certs_option
@click.option("--port", type=click.IntRange(1, 65535), default=8443, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Listen address (keep loopback: this is a test stand-in).")
@click.option("--scenario", type=click.Choice(_scenarios()), default="accept",
              show_default=True,
              help="What customs does with a valid ENS: accept (IE3R01), reject (IE3N99), or "
                   "register and follow with IE3N03, IE3Q01/02/03, IE3N02; control: IE3N08 "
                   "after an arrival. Amendments, invalidations, consultations and answers to "
                   "referrals are answered whatever the scenario.")
@click.option("--push-to", "push_url", metavar="URL",
              help="Push answers to this trader endpoint instead of queueing them for pull.")
@click.option("--mrn-country", default="BE", show_default=True)
@click.option("--state", metavar="URL|FILE",
              help="Store (URL, or a SQLite file) of the messages answered: a filing resent "
                   "after a restart gets its receipt again instead of a second filing "
                   "(default: in memory).")
@click.option("--ledger", type=click.Path(dir_okay=False, path_type=Path),
              help="Journal file of what customs registered and answered (LRNs, MRNs, "
                   "states): a restarted simulator keeps it (default: in memory).")
@click.option("--notify-carrier", is_flag=True,
              help="Send the carrier named in a filing (when not the filer) its copies: "
                   "IE3Q01, IE3N04, IE3N05, on its own channel.")
def simulate_cmd(certs: Path, port: int, host: str, scenario: str, push_url: str | None,
                 mrn_country: str, state: str | None, ledger: Path | None,
                 notify_carrier: bool) -> None:
    """Run a local ICS2 trader-interface stand-in (HTTPS, two-way TLS) until Ctrl-C."""
    from .answers import Scenario
    from .connectors.simulator import SimulatorConfig, run_simulator

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s",
                        datefmt="%H:%M:%S")
    config = SimulatorConfig(certs=certs, host=host, port=port, scenario=Scenario(scenario),
                             push_url=push_url, mrn_country=mrn_country, state=state,
                             ledger=ledger, notify_carrier=notify_carrier)
    mode = f"pushed to {push_url}" if push_url else "queued for pull"
    click.echo(f"ensgate simulator on https://{host}:{port}/ (scenario {scenario}; answers "
               f"{mode}); Ctrl-C stops", err=True)
    try:
        run_simulator(config)
    except EnsgateError as exc:
        _fail(str(exc), 2)
    except KeyboardInterrupt:  # uvicorn re-raises the Ctrl-C it handled, after shutting down
        pass
    click.echo("ensgate simulator stopped", err=True)


@click.command("send")
@click.argument("ens_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_connector_options
@click.option("--wait", type=click.FloatRange(min=0), default=0, show_default=True,
              metavar="SECONDS", help="Pull for the answer up to SECONDS (0: do not wait).")
@click.option("--retries", type=click.IntRange(min=0), default=4, show_default=True,
              help="Resends (same MessageId) on transport failures.")
def send_cmd(ens_file: Path, endpoint: str, certs: Path, party_id: str | None,
             store: str | None, customs_seal: str | None, wait: float, retries: int) -> None:
    """File ENS_FILE (ENS XML) over AS4; print MessageId, receipt and, with --wait, the
    answer (LRN and MRN, or the errors)."""
    from .connectors import OutboundFiling
    from .connectors.as4 import (
        As4Connector,
        As4ConnectorError,
        As4ErrorSignal,
        As4ReceiptError,
        As4TransportError,
    )

    data = ens_file.read_bytes()
    tree, problems = parse_xml_safely(data, file=str(ens_file), what="ENS XML")
    if tree is None:
        _fail(f"{ens_file}: {problems[0].message}", 2)
        return
    root = tree.getroot()
    action = etree.QName(root).localname
    lrn = next((el.text or "" for el in root if etree.QName(el).localname == "LRN"), "")
    conn = _connector(endpoint, certs, party_id, store, customs_seal, retries)
    assert isinstance(conn, As4Connector)
    try:
        done = conn.send(OutboundFiling(lrn=lrn, message_type=action, xml=data))
    except As4TransportError as exc:
        _fail(str(exc), 3)
        return
    except (As4ErrorSignal, As4ReceiptError) as exc:
        click.echo(f"MessageId  {exc.message_id}")
        click.echo("receipt    REFUSED")
        click.echo(f"  {exc}")
        sys.exit(1)
    except As4ConnectorError as exc:
        _fail(str(exc), 1)
        return
    click.echo(f"MessageId  {done.message_id}")
    click.echo(f"receipt    verified (NRR {done.receipt.message_id}"
               f"{f', {done.attempts} attempts' if done.attempts > 1 else ''})")
    click.echo(f"LRN        {lrn}")
    if not wait:
        return
    deadline = time.monotonic() + wait
    bad = answered = False
    while True:
        try:
            # every answer waiting, to the end of the channel: a Do-Not-Load queued right
            # behind the registration must not wait unseen for the next pull
            for answer in conn.answers():
                mine = answer.ref_to_message_id == done.message_id or answer.lrn == lrn
                bad = (_show_answer(answer) and mine) or bad
                answered = answered or (mine and answer.action in ("IE3R01", "IE3N99",
                                                                   "IE3N01"))
        except As4ConnectorError as exc:
            _fail(str(exc), 3)
        if answered:
            from .cli_outbox import print_alarms
            from .outbox import EXIT_ALARM

            if print_alarms(a for a in conn.store.open_alarms() if a.lrn == lrn):
                sys.exit(EXIT_ALARM)
            sys.exit(1 if bad else 0)
        if time.monotonic() >= deadline:
            _fail(f"no answer to {done.message_id} within {wait:g} s", 3)
        time.sleep(min(1.0, max(0.05, deadline - time.monotonic())))


@click.command("ping")
@_connector_options
def ping_cmd(endpoint: str, certs: Path, party_id: str | None, store: str | None,
             customs_seal: str | None) -> None:
    """Send the ebMS test message; succeeds when a verified receipt comes back."""
    from .connectors.as4 import As4Connector, As4ConnectorError

    conn = _connector(endpoint, certs, party_id, store, customs_seal)
    assert isinstance(conn, As4Connector)
    try:
        done = conn.client.ping()
    except As4ConnectorError as exc:
        _fail(str(exc), 3)
        return
    click.echo(f"MessageId  {done.message_id}")
    click.echo(f"receipt    verified (NRR {done.receipt.message_id})")


AS4_COMMANDS = (simulate_cmd, send_cmd, ping_cmd)
