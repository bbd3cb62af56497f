"""``ensgate certs demo|check`` and ``ensgate seal``: certificates and sealed AS4 messages.

Passwords are read from ``--password-env`` / ``--password-file`` (or ``ENSGATE_CERT_PASSWORD``),
never from the command line, and are never printed.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from .config import load_config
from .diagnostics import ConfigError
from .xmlsafe import parse_xml_safely

if TYPE_CHECKING:
    from .seal import SealIdentity

# ``ensgate.seal`` (cryptography) is imported inside the commands: every other command,
# ``translate`` first, starts without paying for it (~45 ms).


def _password_options(f: click.decorators.FC) -> click.decorators.FC:
    f = click.option("--password-file", type=click.Path(exists=True, dir_okay=False),
                     help="File whose first line is the key/PKCS#12 password.")(f)
    f = click.option("--password-env", metavar="NAME",
                     help="Environment variable holding the password "
                          "(default: ENSGATE_CERT_PASSWORD when set).")(f)
    return f


def _fail(msg: str, code: int = 2) -> NoReturn:
    Console(stderr=True).print(f"ensgate: {msg}", markup=False, highlight=False)
    sys.exit(code)


def _identity(path: Path, key: str | None, password_env: str | None,
              password_file: str | None) -> SealIdentity:
    from .seal import load_identity

    return load_identity(path, key_path=key, password_env=password_env,
                         password_file=password_file)


def _seal_eori(certificate: Any) -> str:
    """The EORI a seal certificate names (the AS4 connector's rule)."""
    from .connectors.as4 import party_id_of

    return party_id_of(certificate)


@click.group("certs")
def certs_group() -> None:
    """Seal and TLS certificates: make a demo set, check a certificate."""


@certs_group.command("demo")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), required=True,
              help="Folder to write the demo PKI into (created if missing).")
@click.option("--eori", default=None, help="EORI the demo eSeal names (default: the "
              "declarant EORI of the site configuration).")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False))
def certs_demo_cmd(out_dir: str, eori: str | None, config_path: str | None) -> None:
    """Write a throw-away test PKI (CA, eSeal, TLS client/server, customs seal)."""
    from .seal import SealError, make_demo_certs

    try:
        who = eori or load_config(config_path).declarant.eori
        demo = make_demo_certs(out_dir, eori=who)
    except (ConfigError, SealError, OSError) as exc:
        _fail(str(exc))
    click.echo(f"demo certificates for EORI {demo.eori} written to {demo.folder} "
               f"(see {demo.readme.name}; NOT for production)")


@certs_group.command("check")
@click.argument("identity", type=click.Path(exists=True, dir_okay=False))
@click.option("--key", "key_path", type=click.Path(exists=True, dir_okay=False),
              help="PEM private key, when IDENTITY is a PEM certificate chain without it.")
@click.option("--trust", "trust_path", type=click.Path(exists=True),
              help="PEM bundle (or folder of *.pem) of trusted CA certificates.")
@click.option("--eori", default=None, help="EORI the seal certificate must name (default: "
              "the configuration's access_point_eori, the access point operator; unset: the "
              "EORI is reported, not compared).")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False))
@click.option("--usage", type=click.Choice(["seal", "tls"]), default="seal", show_default=True)
@_password_options
def certs_check_cmd(identity: str, key_path: str | None, trust_path: str | None,
                    eori: str | None, config_path: str | None, usage: str,
                    password_env: str | None, password_file: str | None) -> None:
    """Report chain, validity, key usage and EORI of a seal (or TLS) identity.

    Exit 0 when fit for use, 1 when a problem was found, 2 when it cannot be read.
    """
    from .seal import SealError, check_certificate, load_trust

    try:
        ident = _identity(Path(identity), key_path, password_env, password_file)
        trust = load_trust(trust_path) if trust_path else None
        want = eori
        if want is None and usage == "seal":
            # ICD 4.2.2.1: the seal is the access point operator's (an ITSP or the trader),
            # not necessarily the declarant's
            want = load_config(config_path).access_point_eori
    except (SealError, ConfigError) as exc:
        _fail(str(exc))
    report = check_certificate(ident.chain, trust=trust, eori=want, usage=usage)
    # certificate names and file names are text, never markup
    table = Table(title=f"ensgate certs check {escape(str(identity))}", show_header=False)
    table.add_column("what")
    table.add_column("value")
    table.add_row("subject", Text(report.subject))
    table.add_row("issuer", Text(report.issuer))
    table.add_row("chain (leaf first)", Text("\n".join(report.chain)))
    table.add_row("valid", f"{report.not_before:%Y-%m-%d %H:%M}Z .. "
                           f"{report.not_after:%Y-%m-%d %H:%M}Z")
    table.add_row("key usage", ", ".join(report.key_usage) or "(none)")
    table.add_row("extended key usage", ", ".join(report.extended_key_usage) or "(none)")
    if want:
        table.add_row(f"names EORI {want}", f"yes ({report.eori_found})" if report.eori_found
                      else "NO")
    elif usage == "seal":
        try:
            named = _seal_eori(ident.chain[0])
        except ConfigError as exc:
            named = str(exc)
        table.add_row("EORI (organizationIdentifier)", Text(named))
    table.add_row("trusted chain", "not checked" if trust is None else
                  ("yes" if not any("chain" in p or "trusted" in p for p in report.problems)
                   else "NO"))
    console = Console()
    console.print(table)
    for p in report.problems:
        console.print(f"[red]problem[/] {escape(p)}", highlight=False)
    console.print("[green]OK[/]" if report.ok else f"[red]{len(report.problems)} problem(s)[/]")
    sys.exit(0 if report.ok else 1)


@click.command("seal")
@click.argument("ens_xml", type=click.Path(exists=True, dir_okay=False))
@click.option("--certs", "certs_dir", type=click.Path(exists=True, file_okay=False),
              help="Folder with seal.pem + seal.key.pem (or seal.p12), e.g. from "
                   "`ensgate certs demo`.")
@click.option("--identity", "identity_path", type=click.Path(exists=True, dir_okay=False),
              help="Seal identity file (PKCS#12 or PEM); overrides --certs.")
@click.option("--key", "key_path", type=click.Path(exists=True, dir_okay=False),
              help="PEM private key for a PEM --identity without the key.")
@click.option("--out", "out_path", type=click.Path(dir_okay=False), required=True,
              help="Wire file to write: Content-Type header line, blank line, MIME body.")
@click.option("--party-id", default=None, help="Sender party id [sysid@]EORI[@MS] "
              "(default: the configuration's access_point_eori, else the EORI the seal "
              "certificate names: the access point operator, ICD 4.2.2.1).")
@click.option("--action", default=None, help="eb:Action (default: the ENS root element, "
              "e.g. IE3F26).")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False))
@_password_options
def seal_cmd(ens_xml: str, certs_dir: str | None, identity_path: str | None,
             key_path: str | None, out_path: str, party_id: str | None, action: str | None,
             config_path: str | None, password_env: str | None,
             password_file: str | None) -> None:
    """Seal ENS_XML into an ICS2 AS4 message, exactly as it goes on the wire."""
    from .seal import SealError, seal_user_message, trader_to_customs_header

    data = Path(ens_xml).read_bytes()
    tree, diags = parse_xml_safely(data, file=ens_xml, what="ENS XML")
    if tree is None:
        _fail(str(diags[0]), 1)
    try:
        if identity_path is None:
            if certs_dir is None:
                raise click.UsageError("give --certs DIR or --identity FILE")
            folder = Path(certs_dir)
            # The same rule as the AS4 connector's certificate folder: the PEM pair when both
            # files exist (no password needed), else the PKCS#12.
            if (folder / "seal.pem").is_file() and (folder / "seal.key.pem").is_file():
                identity_path = str(folder / "seal.pem")
                key_path = key_path or str(folder / "seal.key.pem")
            else:
                identity_path = str(folder / "seal.p12")
        ident = _identity(Path(identity_path), key_path, password_env, password_file)
        sender = party_id or load_config(config_path).access_point_eori \
            or _seal_eori(ident.certificate)
        act = action or tree.getroot().tag.rpartition("}")[2]
        header = trader_to_customs_header(sender_party_id=sender, action=act)
        wire = seal_user_message(data, header=header, identity=ident, check_payload=False)
    except (SealError, ConfigError) as exc:
        _fail(str(exc))
    Path(out_path).write_bytes(wire.to_bytes())
    click.echo(f"sealed {ens_xml} -> {out_path} (eb:MessageId {wire.message_id}, action {act}, "
               f"from {sender}, {len(wire.body)} bytes)")


SEAL_COMMANDS = (certs_group, seal_cmd)
