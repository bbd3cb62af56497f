"""Header checks: LRN format (IE tables), LRN uniqueness (R3003, local store), likely
duplicate transport documents (lifecycle code 81, local store), MRN structure (R3004) and the
split-consignment condition (C3001)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta

from ensgate.diagnostics import Diagnostic

from ._registry import AIR_AMENDMENTS, AIR_FILINGS, ARRIVAL, FULL_TRANSPORT, RuleContext, rule
from ._tables import LRN_LENGTH_MAX, LRN_SAFE, MRN_STRUCTURE, UNSAFE_CONTROL
from ._tree import child, child_text, path_text, text


def _declarant_id(ctx: RuleContext) -> str:
    return path_text(ctx.root, "declarant", "identificationNumber")


@rule("LRN", title="LRN format: 1 to 22 characters, letters, digits and - / _",
      applies_to=AIR_FILINGS | ARRIVAL, evidence="[V] IE tables (an..22); [I] character set",
      codes=("ICS006", "DQ005", "ICS003"))
def lrn_format(ctx: RuleContext) -> Iterator[Diagnostic]:
    el = child(ctx.root, "LRN")
    if el is None:
        return  # a missing LRN is the schema's finding (XSD002)
    raw = el.text or ""
    value = raw.strip()
    if not value or len(value) > LRN_LENGTH_MAX:
        yield ctx.fail("ICS006", el, "LRN must have 1 to 22 characters",
                       expected="an..22", found=f"{len(value)} characters: {value!r}")
    elif UNSAFE_CONTROL.search(value) or any(ch.isspace() for ch in value):
        yield ctx.fail("DQ005", el, "LRN contains white space or control characters",
                       expected="letters, digits, - / _", found=repr(value))
    elif not LRN_SAFE.match(value):
        # [I] the IE tables only say "an": other characters may pass, but are a risk.
        yield ctx.fail("ICS003", el, "LRN has characters outside letters, digits and - / _",
                       expected="[A-Za-z0-9/_-]{1,22}", found=value)


@rule("R3003", title="LRN unique per declarant (local store)", applies_to=AIR_FILINGS | ARRIVAL,
      offline="local store", evidence="[V] R&C rules", codes=("ICS004",))
def lrn_unique(ctx: RuleContext) -> Iterator[Diagnostic]:
    if ctx.ledger is None:
        return
    el = child(ctx.root, "LRN")
    declarant = _declarant_id(ctx)
    # IE3N06 has no declarant: [I] its LRN is then keyed by the person notifying the arrival.
    if not declarant:
        declarant = path_text(ctx.root, "personNotifyingTheArrival", "identificationNumber")
    lrn = text(el)
    if el is None or not lrn or not declarant:
        return
    if ctx.ledger.lrn_used(declarant, lrn):
        yield ctx.fail("ICS004", el, "LRN already used by this declarant (R3003)",
                       expected="an LRN not used before by " + declarant, found=lrn)


@rule("CODE81", title="Master transport document already filed by this declarant (likely "
      "CL723 code 81)", applies_to=FULL_TRANSPORT, offline="local store",
      evidence="[V-3p] customscloud (code 81 window: 1 year for master documents)",
      codes=("ICS005",))
def document_reuse(ctx: RuleContext) -> Iterator[Diagnostic]:
    declarant = _declarant_id(ctx)
    if ctx.ledger is None or not declarant:
        return
    since = datetime.combine(ctx.today, time(), tzinfo=UTC) - timedelta(
        days=ctx.config.document_reuse_days)
    for doc in ctx.index.under("transportDocumentMasterLevel", "consignmentMasterLevel"):
        number_el = child(doc, "documentNumber")
        number = text(number_el)
        if number_el is not None and number and ctx.ledger.document_used(
                declarant, number, since=since):
            yield ctx.fail("ICS005", number_el,
                           "master transport document already filed by this declarant within "
                           f"{ctx.config.document_reuse_days} days (customs may answer code 81)",
                           expected="a document number not filed before", found=number)


# [I] R3004 is attached to the MRN of the amendments; applying the same structure to the MRN
# references of IE3N06 (relatedMRN/identification) and to previousMRN is our inference.
_MRN_PLACES = (("MRN", ""), ("identification", "relatedMRN"), ("previousMRN", ""))


@rule("R3004", title="MRN structure (18 characters: n2 a2 an11 a1 a1 an1), check digit not "
      "verified", applies_to=AIR_AMENDMENTS | ARRIVAL | AIR_FILINGS, offline="partly",
      evidence="[V] R&C rules; [I] check digit unknown", codes=("ICS003",))
def mrn_structure(ctx: RuleContext) -> Iterator[Diagnostic]:
    for name, parent in _MRN_PLACES:
        elements = ctx.index.under(name, parent) if parent else ctx.index.all(name)
        for el in elements:
            value = text(el)
            if value and not MRN_STRUCTURE.match(value.upper()):
                yield ctx.fail("ICS003", el, "MRN does not have the R3004 structure",
                               expected="18 characters: yy + country + an11 + a1 + a1 + an1",
                               found=value)


# The filings whose header ``splitConsignment`` carries a ``previousMRN`` (none of the air
# filings: the IE3F20..IE3F32 tables of ICD v3.30 and the packaged schemas give only the
# indicator; C3001 was read on the maritime IE3F34). tests/validate checks the schemas agree.
PREVIOUS_MRN_FILINGS: frozenset[str] = frozenset()


@rule("C3001", title="Split consignment indicator 1 <=> previous MRN present",
      applies_to=FULL_TRANSPORT, evidence="[V] R&C conditions; [I] attachment to air messages",
      codes=("ICS002",))
def split_consignment(ctx: RuleContext) -> Iterator[Diagnostic]:
    # [I] C3001 was read on IE3F34; the air headers (F20/F21/F27/F28/F29) carry
    # splitConsignment copied from IE3A20 part 1 with no previousMRN: a split air consignment
    # (indicator 1) cannot give one, so only "a previous MRN where the indicator is not 1" is
    # checked there (customs' own schema rejects a previousMRN in an air header anyway).
    for split in ctx.index.all("splitConsignment"):
        indicator = child_text(split, "splitConsignmentIndicator")
        previous = child(split, "previousMRN")
        if indicator == "1" and previous is None and ctx.message in PREVIOUS_MRN_FILINGS:
            yield ctx.fail("ICS002", split, "split consignment indicator is 1 but no previous "
                           "MRN is given (C3001)", expected="previousMRN", found="absent")
        elif indicator != "1" and previous is not None:
            yield ctx.fail("ICS002", previous, "previous MRN given although the split "
                           "consignment indicator is not 1 (C3001)",
                           expected="no previousMRN", found=f"indicator {indicator or 'absent'}")

