"""ebMS3 UserMessage header values as the ICS2 HTI ICD (chapter 4) fixes them."""

from __future__ import annotations

import functools
import os
import re
import socket
import uuid
from dataclasses import dataclass

from ._errors import EnvelopeError

# ICD 4.2.2.1: two 'unregistered' ebCore party id namespaces.
PARTY_TYPE_EORI = "urn:oasis:names:tc:ebcore:partyid-type:unregistered:eu-customs:EORI"
PARTY_TYPE_AUTH = "urn:oasis:names:tc:ebcore:partyid-type:unregistered:eu-customs:auth"
ROLE_TRADER = "Trader"
ROLE_CUSTOMS = "Customs"
CUSTOMS_PARTY_ID = "sti-taxud"
# ICD 4.2.3.1 / 5.7: current interface version for Release 2 and 3, and its @type.
AGREEMENT_REF = "EU-ICS2-TI-V2.0"
"""What ensgate sends: the current version (ICD v3.30 4.2.3.1, Release 2 and 3)."""
ACCEPTED_AGREEMENT_REFS: frozenset[str] = frozenset({"EU-ICS2-TI-V1.0", "EU-ICS2-TI-V2.0"})
"""What ensgate accepts inbound by default: every version ICD v3.30 5.7 enumerates (V1.0 for
Release 1, V2.0 for Release 2 and 3; "a TI shall potentially be required to support two
concurrent versions", 4.2.3.1). A deployment narrows or extends it (``agreement_refs=`` of
verify_message, As4Settings, As4Receiver) when DG TAXUD announces a new version."""
AGREEMENT_TYPE = "ics2-interface-version"
# ICD 4.2.3.2
SERVICE_T2C = "eu_ics2_t2c"
SERVICE_C2T = "eu_ics2_c2t"
SERVICE_TYPE = "eu-customs-service-type"
# ebMS3 core 5.2.2.9: the connectivity test service and action (AS4 "ping").
EBMS_TEST_SERVICE = "http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/service"
EBMS_TEST_ACTION = "http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/test"
# ICD 4.3.3
MPC_PREFIX = "urn:fdc:ec.europa.eu:2019:eu_ics2_c2t/EORI/"
DEFAULT_CONVERSATION_ID = "1"  # ICD 4.2.3.4: not used by ICS2; "1" when none is given

# ICD Table 8: [system_identifier@]EORI[@MS]; system id alphanumeric up to 12, MS ISO alpha-2.
# EORI: two-letter country code and up to 15 alphanumerics (EU EORI format); [I] at least 3
# after the country code, so that "X@BE" style typos are not taken for an EORI.
_PARTY_ID = re.compile(r"^(?:(?P<sys>[A-Za-z0-9]{1,12})@)?(?P<eori>[A-Z]{2}[A-Za-z0-9]{3,15})"
                       r"(?:@(?P<ms>[A-Z]{2}))?$")
_IE_ACTION = re.compile(r"^IE3[A-Z][0-9]{2}$")
_FQDN = re.compile(r"^(?=.{4,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                   r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")


@dataclass(frozen=True, kw_only=True)
class PartyRef:
    """One side of eb:PartyInfo."""

    party_id: str
    party_type: str
    role: str


@dataclass(frozen=True, kw_only=True)
class UserMessageHeader:
    """Everything of an eb:UserMessage except the payload part descriptions."""

    sender: PartyRef
    receiver: PartyRef
    service: str
    service_type: str
    action: str
    agreement_ref: str
    agreement_type: str
    conversation_id: str
    message_id: str = ""
    ref_to_message_id: str | None = None
    mpc: str | None = None


@functools.lru_cache(maxsize=1)
def _fqdn() -> str:
    env = os.environ.get("ENSGATE_AS4_DOMAIN")
    if env:
        return env
    name = socket.getfqdn()
    # A bare host name ("buildbox", common in containers) is no fully qualified domain name;
    # [I] "ensgate.invalid" (RFC 2606 reserved) then stands in: set ENSGATE_AS4_DOMAIN.
    if _FQDN.match(name) and not name.startswith("localhost"):
        return name
    return "ensgate.invalid"


def new_message_id(domain: str | None = None) -> str:
    """A fresh eb:MessageId, ``uuid@fqdn`` (ICD 4.2.1); the domain is the access point's FQDN
    (``ENSGATE_AS4_DOMAIN`` overrides the host name)."""
    return f"{uuid.uuid4()}@{domain or _fqdn()}"


def check_trader_party_id(party_id: str) -> re.Match[str]:
    """EnvelopeError unless ``party_id`` has the ICD shape ``[sysid@]EORI[@MS]``."""
    m = _PARTY_ID.match(party_id)
    if m is None:
        raise EnvelopeError(f"trader party id {party_id!r} is not [system_id@]EORI[@MS] "
                            "(ICD 4.2.2.1: system id 1-12 alphanumerics, EORI with its "
                            "country prefix, MS an ISO 3166 alpha-2 code)")
    return m


def eori_of_party_id(party_id: str) -> str:
    """The EORI part of a trader party id (``system1@NL0987654321@FR`` -> ``NL0987654321``)."""
    return check_trader_party_id(party_id).group("eori")


def _check_action(action: str) -> None:
    if not _IE_ACTION.match(action):
        raise EnvelopeError(f"action {action!r} is not an ICS2 message id such as IE3F26 "
                            "(ICD 4.2.3.3: eb:Action is the IE message id)")


def trader_to_customs_header(*, sender_party_id: str, action: str,
                             conversation_id: str | None = None,
                             receiver_party_id: str = CUSTOMS_PARTY_ID,
                             message_id: str = "") -> UserMessageHeader:
    """The header of a filing from a trader to the STI (or an NTI via ``receiver_party_id``)."""
    check_trader_party_id(sender_party_id)
    _check_action(action)
    return UserMessageHeader(
        sender=PartyRef(party_id=sender_party_id, party_type=PARTY_TYPE_EORI, role=ROLE_TRADER),
        receiver=PartyRef(party_id=receiver_party_id, party_type=PARTY_TYPE_AUTH,
                          role=ROLE_CUSTOMS),
        service=SERVICE_T2C, service_type=SERVICE_TYPE, action=action,
        agreement_ref=AGREEMENT_REF, agreement_type=AGREEMENT_TYPE,
        conversation_id=conversation_id or DEFAULT_CONVERSATION_ID, message_id=message_id)


def customs_to_trader_header(*, receiver_party_id: str, action: str,
                             ref_to_message_id: str | None = None,
                             conversation_id: str | None = None,
                             sender_party_id: str = CUSTOMS_PARTY_ID,
                             message_id: str = "") -> UserMessageHeader:
    """The header of a customs answer (the simulator's side): eu_ics2_c2t, roles swapped, the
    trader's pull MPC set."""
    check_trader_party_id(receiver_party_id)
    _check_action(action)
    return UserMessageHeader(
        sender=PartyRef(party_id=sender_party_id, party_type=PARTY_TYPE_AUTH, role=ROLE_CUSTOMS),
        receiver=PartyRef(party_id=receiver_party_id, party_type=PARTY_TYPE_EORI,
                          role=ROLE_TRADER),
        service=SERVICE_C2T, service_type=SERVICE_TYPE, action=action,
        agreement_ref=AGREEMENT_REF, agreement_type=AGREEMENT_TYPE,
        conversation_id=conversation_id or DEFAULT_CONVERSATION_ID,
        message_id=message_id, ref_to_message_id=ref_to_message_id,
        mpc=pull_mpc(receiver_party_id))


def pull_mpc(party_id: str) -> str:
    """The trader's pull channel, ``urn:fdc:ec.europa.eu:2019:eu_ics2_c2t/EORI/<PartyId>``."""
    check_trader_party_id(party_id)
    return MPC_PREFIX + party_id
