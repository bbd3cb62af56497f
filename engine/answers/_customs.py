"""The business side of the ICS2 simulator: what customs answers to a trader message (no
transport).

ENS filings, as the ICD v3.30 describes the STI: validate the filing; if the XML is
syntactically wrong, answer IE3N99 with the syntax errors only; otherwise list every semantic
error (ICS2 rules, R3003 LRN reuse) in one IE3N99; then the lifecycle checks (IE3N01, e.g.
code 81 for a master transport document this sender already filed within a year); otherwise
register it, attribute an MRN and answer IE3R01 (IE3R04 for an arrival notification), then
the scenario's notification or referral, all referring to the MRN.

Other trader messages, by root element: an amendment IE3Axx -> IE3N10 (the dataset replaced)
or IE3N99 (R3024 refused) or IE3N01 (unknown MRN, wrong state); an invalidation request
IE3Q04 -> IE3R07; a consultation IE3Q05 -> IE3R08; the answers to referrals IE3R02 / IE3R03
-> IE3N03 [I: the ICD names no direct reply; the simulated assessment then completes].
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from ..diagnostics import Diagnostic, SourcePos, diag
from ..ledger import AnswerLedger, AnswerRecord, FilingLedger
from ..validate import RuleConfig, SchemaSet, check_rules, check_schema, parse_ens_xml
from ..validate.rules import AIR_FILINGS, ARRIVAL
from ._build import (
    CODE_DUPLICATE_DOCUMENT,
    CODE_INCORRECT_STATE,
    CODE_OUT_OF_SEQUENCE,
    AnswerBuilder,
    ControlOrder,
    format_when,
    responsible_member_state,
)
from ._codes import CODE_INCORRECT, answer_errors
from ._facts import EnsFacts, ens_facts
from ._model import AnswerError, ConsultedFiling, CustomsAnswer, Scenario
from ._mrn import MrnGenerator
from ._registry import CustomsRegistry, Registration
from ._xml import child, child_text, children, local


class CustomsLedger(FilingLedger, AnswerLedger, Protocol):
    """What the simulated customs keeps: registered (sender, LRN) pairs and the answers sent
    (``InMemoryLedger`` and ``CustomsRegistry`` fit)."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


DEFAULT_OFFICE = "BE212000"
"""[I] Office the simulator names where an answer needs one (IE3N02, IE3N07, IE3N08) and the
filing gives none: a Belgian office code of the an8 shape (BE + 6 characters)."""
DUPLICATE_WINDOW = timedelta(days=365)
"""rules.md, CL723 code 81 [V-3p]: a master transport document reused by the same declarant
within one year (F20, F21, F27-F29 among the air filings)."""
_DUPLICATE_CHECKED = frozenset({"IE3F20", "IE3F21", "IE3F27", "IE3F28", "IE3F29"})
_FOLLOW_STATE = {
    "IE3N03": "assessment-complete", "IE3Q01": "do-not-load",
    "IE3Q02": "information-requested", "IE3Q03": "screening-requested",
    "IE3N02": "not-complete",
}
_CLOSED = frozenset({"invalidated", "arrived"})
_OPEN_REQUESTS = frozenset({"do-not-load", "information-requested", "screening-requested"})


class SimulatedCustoms:
    """Answers trader messages as the ICS2 shared trader interface would, with a scenario.

    - ``scenario``: what follows a registration (``file(..., scenario=...)`` overrides it).
    - ``clock``: the time of the answers (registration date, MRN year).
    - ``mrn_country``: the country letters of the MRNs; also the responsible Member State when
      the filing names no customs office of first entry.
    - ``ledger``: where LRNs, documents and answers are kept (any ``FilingLedger`` +
      ``AnswerLedger``); ``registry``: the registered filings by MRN. Default: one
      :class:`CustomsRegistry` in memory for both; give ``CustomsRegistry(journal=path)`` as
      ``registry`` (and no ledger) to keep them across restarts.
    - ``mrn_seed``: reproducible MRNs (tests).
    - ``notify_carrier``: the carrier named in the filing, when it is not the sender, gets
      its copies (ICD 3.1.8: a do-not-load "must be also communicated to the Carrier";
      IE3N04 / IE3N05 when it "has requested to be informed", which this flag stands for).

    LRNs are unique per *sender* (the AS4 party that filed): [I] R3003 says per declarant; the
    sender is the person filing, usually the declarant. Only a registered filing uses up its
    LRN here [I: the sources do not say whether a rejected filing frees it]. Thread-safe.
    """

    def __init__(self, *, scenario: Scenario = Scenario.ACCEPT,
                 clock: Callable[[], datetime] = _utc_now, mrn_country: str = "BE",
                 ledger: CustomsLedger | None = None, schemas: SchemaSet | None = None,
                 rule_config: RuleConfig | None = None, mrn_seed: int | None = None,
                 builder: AnswerBuilder | None = None,
                 registry: CustomsRegistry | None = None,
                 notify_carrier: bool = False) -> None:
        self.scenario = scenario
        self.clock = clock
        self.mrn_country = mrn_country.upper()
        self.registry = registry if registry is not None else CustomsRegistry()
        self.ledger: CustomsLedger = ledger if ledger is not None else self.registry
        self._schemas = schemas if schemas is not None else SchemaSet()
        self._rule_config = rule_config
        self._mrns = MrnGenerator(country=self.mrn_country, seed=mrn_seed)
        self._builder = builder or AnswerBuilder()
        self._schema_lock = threading.Lock()  # a compiled XMLSchema is not thread-safe
        self._state_lock = threading.Lock()   # one state change of a filing at a time
        self.notify_carrier = notify_carrier

    # -- the one verb ---------------------------------------------------------------------
    def file(self, ens_xml: bytes, *, sender: str, scenario: Scenario | None = None,
             source_name: str = "") -> list[CustomsAnswer]:
        """The answers to one trader message, in the order customs sends them (for a filing:
        ``[IE3N99]``, ``[IE3N01]``, ``[IE3R01]`` / ``[IE3R04]``, or ``[IE3R01, <scenario
        answer>]``). ValueError for an empty ``sender`` (a caller's mistake, not bad data)."""
        if not sender.strip():
            raise ValueError("sender (the party id of the person filing) is empty")
        when = self.clock()
        tree, problems = parse_ens_xml(ens_xml, source_name=source_name)
        if tree is None:
            return [self._reject(EnsFacts(), answer_errors(problems), sender, when)]
        root = tree.getroot()
        facts = ens_facts(root)
        message = local(root)
        handler = self._handlers().get(message[:4] if message.startswith("IE3A") else message)
        if message not in AIR_FILINGS | ARRIVAL and handler is None:
            return [self._reject(facts, answer_errors([self._not_handled(root, source_name)]),
                                 sender, when)]
        with self._schema_lock:
            syntax = check_schema(tree, schemas=self._schemas, source_name=source_name)
        errors = answer_errors(syntax, root)
        if errors:
            return [self._reject(facts, errors, sender, when)]
        if handler is not None:
            return handler(root, facts, ens_xml, sender, when)
        return self._filing(root, facts, ens_xml, sender, when, scenario or self.scenario,
                            source_name)

    def _handlers(self) -> dict[str, Callable[..., list[CustomsAnswer]]]:
        return {"IE3A": self._amend, "IE3Q04": self._invalidate, "IE3Q05": self._consult,
                "IE3R02": self._referral_answered, "IE3R03": self._referral_answered}

    # -- filings and arrival ----------------------------------------------------------------
    def _filing(self, root: Any, facts: EnsFacts, xml: bytes, sender: str, when: datetime,
                scenario: Scenario, source_name: str) -> list[CustomsAnswer]:
        message = local(root)
        config = self._rule_config or RuleConfig(today=when.date())
        errors = answer_errors(check_rules(root, config=config, source_name=source_name), root)
        if facts.lrn and self.ledger.lrn_used(sender, facts.lrn):
            errors = (*errors, self._lrn_reused(root, facts.lrn, sender))
        if not errors and scenario is Scenario.REJECT and message in AIR_FILINGS:
            errors = (AnswerError(code=CODE_INCORRECT, pointer=f"/{message}/LRN",
                                  text="[simulated] filing refused by the scenario 'reject'",
                                  technical="simulator scenario reject"),)
        if errors:
            return [self._reject(facts, errors, sender, when)]
        duplicate = self._duplicate_document(root, facts, sender, when)
        if duplicate is not None:
            return [duplicate]
        if message in ARRIVAL:
            refused = self._arrival_refused(root, facts, sender, when)
            if refused is not None:
                return [refused]
        documents = [d.number for d in (facts.master_document, *facts.house_documents) if d]
        if not facts.lrn or not self.ledger.record(sender, facts.lrn, documents, when):
            # a concurrent filing with the same LRN won the race
            return [self._reject(facts, (self._lrn_reused(root, facts.lrn or "", sender),),
                                 sender, when)]
        mrn = self._mrns.next(when)
        answers = [self._builder.registration(facts, mrn=mrn, when=when)]
        state = "registered"
        if message in AIR_FILINGS:
            follow = self._scenario_answer(scenario, facts, mrn, when)
            if follow is not None:
                answers.append(follow)
                state = _FOLLOW_STATE.get(follow.message_type, state)
                answers += self._carrier_copies(follow, facts, sender, mrn, when)
        elif scenario is Scenario.CONTROL:
            answers.append(self._control(self._arrived_documents(root, facts), mrn, when))
        self.registry.register(Registration(
            mrn=mrn, sender=sender, lrn=facts.lrn, message=message, xml=xml, state=state,
            master=facts.master_document.number if facts.master_document else None,
            houses=tuple(d.number for d in facts.house_documents)))
        for answer in answers:
            self.ledger.record_answer(sender, facts.lrn, answer.message_type, answer.mrn, when)
            self.registry.remember_sent(mrn, answer.message_type, answer.xml)
        return answers

    def _duplicate_document(self, root: Any, facts: EnsFacts, sender: str,
                            when: datetime) -> CustomsAnswer | None:
        """IE3N01 code 81 when this sender filed the master document within a year."""
        message = local(root)
        master = facts.master_document
        if message not in _DUPLICATE_CHECKED or master is None or not facts.declarant:
            return None
        if not self.ledger.document_used(sender, master.number, since=when - DUPLICATE_WINDOW):
            return None
        pointer = f"/{message}/consignmentMasterLevel/transportDocumentMasterLevel/documentNumber"
        answer = self._builder.lifecycle_error(facts, [AnswerError(
            code=CODE_DUPLICATE_DOCUMENT, pointer=pointer,
            text=f"transport document {master.number} was already filed by {sender} within "
                 "a year (duplicate document, lifecycle)")], when=when)
        if facts.lrn:
            self.ledger.record_answer(sender, facts.lrn, answer.message_type, None, when)
        return answer

    def _arrival_refused(self, root: Any, facts: EnsFacts, sender: str,
                         when: datetime) -> CustomsAnswer | None:
        """IE3N07 when the arrival names (relatedMRN) a filing that cannot arrive
        (invalidated, or arrived already); else every related filing is marked arrived."""
        related = [r for r in (self.registry.registration(m) for m in (
            child_text(el, "identification") for el in children(root, "relatedMRN")) if m)
            if r is not None]
        with self._state_lock:
            closed = [r for r in related if r.state in _CLOSED]
            if not closed:
                for r in related:
                    self.registry.update(r.mrn, state="arrived")
                return None
        reg = closed[0]
        ens = _facts_of(reg)  # the documents of the ENS that cannot arrive
        answer = self._builder.incorrect_state(
            EnsFacts(master_document=ens.master_document or facts.master_document,
                     house_documents=ens.house_documents, declarant=ens.declarant,
                     representative=ens.representative,
                     person_notifying=facts.person_notifying, notify_party=facts.notify_party),
            mrn=reg.mrn, when=when, office=facts.customs_office or DEFAULT_OFFICE,
            errors=[AnswerError(code=CODE_INCORRECT_STATE, pointer=f"/{local(root)}/relatedMRN",
                                text=f"ENS {reg.mrn} is {reg.state}: it cannot arrive")])
        if facts.lrn:
            self.ledger.record_answer(sender, facts.lrn, answer.message_type, reg.mrn, when)
        return answer

    # -- after registration: amendments, invalidation, referrals, consultation ----------------
    def _registered(self, root: Any, facts: EnsFacts, sender: str,
                    when: datetime) -> tuple[Registration | None, CustomsAnswer | None]:
        """The registration the message names by MRN, or the IE3N01 (code 92) refusing it."""
        mrn = child_text(root, "MRN") or ""
        reg = self.registry.registration(mrn) if mrn else None
        if reg is not None and "".join(reg.sender.split()).upper() == \
                "".join(sender.split()).upper():
            return reg, None
        return None, self._builder.lifecycle_error(
            EnsFacts(declarant=facts.declarant, representative=facts.representative), [
                AnswerError(code=CODE_OUT_OF_SEQUENCE, pointer=f"/{local(root)}/MRN",
                            text=f"MRN {mrn} is not an ENS this sender filed (out of sequence)")],
            when=when, mrn=mrn if len(mrn) == 18 else None)

    def _wrong_state(self, root: Any, facts: EnsFacts, reg: Registration,
                     when: datetime) -> CustomsAnswer:
        return self._builder.lifecycle_error(
            EnsFacts(declarant=facts.declarant, representative=facts.representative), [
                AnswerError(code=CODE_INCORRECT_STATE, pointer=f"/{local(root)}/MRN",
                            text=f"ENS {reg.mrn} is {reg.state}")], when=when, mrn=reg.mrn)

    def _record(self, reg: Registration, answer: CustomsAnswer, when: datetime) -> None:
        self.ledger.record_answer(reg.sender, reg.lrn, answer.message_type, reg.mrn, when)
        self.registry.remember_sent(reg.mrn, answer.message_type, answer.xml)

    def _open(self, root: Any, facts: EnsFacts, sender: str, when: datetime,
              allowed: Callable[[str], bool]) -> tuple[Registration | None, list[CustomsAnswer]]:
        """The registration the message names, current (call with the state lock held), or
        the refusal: IE3N01 92 (not this sender's MRN) or 90 (a state ``allowed`` refuses)."""
        reg, refused = self._registered(root, facts, sender, when)
        if reg is None:
            return None, [refused] if refused is not None else []
        reg = self.registry.registration(reg.mrn) or reg
        if not allowed(reg.state):
            answer = self._wrong_state(root, facts, reg, when)
            self._record(reg, answer, when)
            return None, [answer]
        return reg, []

    def _amend(self, root: Any, facts: EnsFacts, xml: bytes, sender: str,
               when: datetime) -> list[CustomsAnswer]:
        from ..amendments import AMENDMENT_OF, locked_changes  # amendments import answers

        message = local(root)
        with self._state_lock:
            found, refusal = self._open(root, facts, sender, when, _not_closed)
            if found is None:
                return refusal
            reg = found
            if AMENDMENT_OF.get(reg.message) != message:
                errors: tuple[AnswerError, ...] = (AnswerError(
                    code=CODE_INCORRECT, pointer=f"/{message}",
                    text=f"{message} does not amend a {reg.message} (expected "
                         f"{AMENDMENT_OF.get(reg.message, 'no amendment')})"),)
            else:
                errors = tuple(AnswerError(
                    code=CODE_INCORRECT, pointer=c.xpath,
                    text=f"R3024: {c.xpath} cannot be changed by an amendment (registered "
                         f"{c.before!r}, amended {c.after!r})", technical="AMD004 R3024")
                    for c in locked_changes(reg.xml, xml))
            if errors:
                answer = self._builder.error_notification(
                    EnsFacts(declarant=facts.declarant, master_document=facts.master_document,
                             representative=facts.representative, mrn=reg.mrn),
                    errors, when=when)
                self._record(reg, answer, when)
                return [answer]
            # [I] an open request (do-not-load, information, screening) stays open: the
            # amendment replaces the dataset, it does not answer the request by itself
            reg = self.registry.update(
                reg.mrn, xml=xml,
                state=reg.state if reg.state in _OPEN_REQUESTS else "amended")
        answer = self._builder.amendment_accepted(
            EnsFacts(declarant=facts.declarant or _declarant(reg),
                     representative=facts.representative,
                     master_document=facts.master_document,
                     customs_office=facts.customs_office,
                     addressed_member_state=facts.addressed_member_state),
            mrn=reg.mrn, when=when)
        self._record(reg, answer, when)
        return [answer]

    def _invalidate(self, root: Any, facts: EnsFacts, xml: bytes, sender: str,
                    when: datetime) -> list[CustomsAnswer]:
        with self._state_lock:
            found, refusal = self._open(root, facts, sender, when, _not_closed)
            if found is None:
                return refusal
            reg = self.registry.update(found.mrn, state="invalidated")
        registered = _facts_of(reg)
        answer = self._builder.invalidation_accepted(registered, mrn=reg.mrn, when=when)
        self._record(reg, answer, when)
        return [answer]

    def _referral_answered(self, root: Any, facts: EnsFacts, xml: bytes, sender: str,
                           when: datetime) -> list[CustomsAnswer]:
        """IE3R02 / IE3R03: accepted when the ENS has an open request of that kind; the
        simulated assessment then completes (IE3N03) [I]."""
        want = "information-requested" if local(root) == "IE3R02" else "screening-requested"
        with self._state_lock:
            found, refusal = self._open(root, facts, sender, when, lambda s: s == want)
            if found is None:
                return refusal
            reg = self.registry.update(found.mrn, state="assessment-complete")
        registered = _facts_of(reg)
        answer = self._builder.assessment_complete(
            registered, mrn=reg.mrn, when=when,
            member_state=responsible_member_state(registered, self.mrn_country))
        self._record(reg, answer, when)
        return [answer]

    def _consult(self, root: Any, facts: EnsFacts, xml: bytes, sender: str,
                 when: datetime) -> list[CustomsAnswer]:
        """IE3R08 [I: inferred tree]: what this sender filed under the MRN or document, with
        the answers sent about it when dataRequest is 1 (ICD 3.1.9: last 30 days)."""
        document = (child_text(child(root, "transportDocumentHouse"), "documentNumber")
                    or child_text(child(root, "transportDocument"), "documentNumber"))
        found = self.registry.find(sender=sender, mrn=child_text(root, "MRN"),
                                   document=document)
        notes = child_text(root, "dataRequest") == "1"
        since = when - timedelta(days=30)
        results = []
        related: list[bytes] = []
        for reg in found:
            sent = [a for a in self.ledger.answers_for(reg.sender, reg.lrn)
                    if a.received_at >= since] if notes else []
            registered = _facts_of(reg)
            results.append(ConsultedFiling(
                mrn=reg.mrn, status=reg.state, master=registered.master_document,
                houses=registered.house_documents,
                notifications=tuple((a.message_type, format_when(a.received_at))
                                    for a in sent)))
            if notes:  # ICD 4.2.6: the notifications themselves, as extra payloads [I: which]
                related += [xml for kind, xml in self.registry.sent_about(reg.mrn)
                            if kind not in ("IE3R01", "IE3R04")]
        answer = self._builder.consultation_results(
            functional_reference=child_text(root, "functionalReference") or "",
            requester=child_text(child(root, "requester"), "identificationNumber") or sender,
            results=results, when=when)
        return [replace(answer, related=tuple(related))]

    # -- look-ups -------------------------------------------------------------------------
    def answers_for(self, sender: str, lrn: str) -> list[AnswerRecord]:
        """The answers sent for this sender's LRN, oldest first."""
        return self.ledger.answers_for(sender, lrn)

    def mrn_for(self, sender: str, lrn: str) -> str | None:
        """The MRN attributed to this sender's LRN, None when it was never registered."""
        for record in self.ledger.answers_for(sender, lrn):
            if record.message_type in ("IE3R01", "IE3R04") and record.mrn:
                return record.mrn
        return None

    def state_of(self, mrn: str) -> str | None:
        """The state of the filing registered under ``mrn`` (None when unknown)."""
        reg = self.registry.registration(mrn)
        return reg.state if reg is not None else None

    # -- helpers --------------------------------------------------------------------------
    def _scenario_answer(self, scenario: Scenario, facts: EnsFacts, mrn: str,
                         when: datetime) -> CustomsAnswer | None:
        state = responsible_member_state(facts, self.mrn_country)
        b = self._builder
        if scenario is Scenario.ASSESSMENT_COMPLETE:
            return b.assessment_complete(facts, mrn=mrn, when=when, member_state=state)
        if scenario is Scenario.DO_NOT_LOAD:
            return b.do_not_load(facts, mrn=mrn, when=when, member_state=state)
        if scenario is Scenario.REQUEST_INFO:
            return b.request_info(facts, mrn=mrn, when=when, member_state=state)
        if scenario is Scenario.HIGH_RISK_SCREENING:
            return b.high_risk_screening(facts, mrn=mrn, when=when, member_state=state)
        if scenario is Scenario.NOT_COMPLETE and facts.master_document and facts.declarant:
            return b.not_complete(facts, mrn=mrn, when=when,
                                  office=facts.customs_office or DEFAULT_OFFICE)
        return None

    def _carrier_copies(self, follow: CustomsAnswer, facts: EnsFacts, sender: str, mrn: str,
                        when: datetime) -> list[CustomsAnswer]:
        """The carrier's own message about ``follow`` (ICD 3.1.8 and Annex 1): a copy of
        the IE3Q01, an IE3N04 for an IE3Q02, an IE3N05 for an IE3Q03."""
        carrier = facts.carrier
        if not self.notify_carrier or not carrier or \
                "".join(carrier.split()).upper() == "".join(sender.split()).upper():
            return []
        state = responsible_member_state(facts, self.mrn_country)
        b = self._builder
        if follow.message_type == "IE3Q01":
            copy = follow
        elif follow.message_type == "IE3Q02":
            copy = b.request_info_notification(facts, mrn=mrn, when=when, member_state=state)
        elif follow.message_type == "IE3Q03":
            copy = b.screening_notification(facts, mrn=mrn, when=when, member_state=state)
        else:
            return []
        return [replace(copy, to=carrier)]

    def _arrived_documents(self, root: Any, facts: EnsFacts) -> EnsFacts:
        """An arrival naming its ENS by relatedMRN only (R3048: no transport document) is
        controlled on the documents of that ENS as registered [I]."""
        if facts.master_document or facts.house_documents:
            return facts
        for m in (child_text(el, "identification") for el in children(root, "relatedMRN")):
            reg = self.registry.registration(m) if m else None
            if reg is not None:
                ens = _facts_of(reg)
                return replace(facts, master_document=ens.master_document,
                               house_documents=ens.house_documents)
        return facts

    def _control(self, facts: EnsFacts, mrn: str, when: datetime) -> CustomsAnswer:
        """[I] IE3N08 for an arrival under the scenario 'control': the first house (or the
        master document) is examined at the office of first entry."""
        docs = facts.house_documents[:1] or (
            (facts.master_document,) if facts.master_document else ())
        office = facts.customs_office or DEFAULT_OFFICE
        return self._builder.control(
            facts, mrn=mrn, when=when, control_office=office,
            controls=[ControlOrder(place=f"customs office {office}", houses=docs)])

    def _reject(self, facts: EnsFacts, errors: tuple[AnswerError, ...], sender: str,
                when: datetime) -> CustomsAnswer:
        answer = self._builder.error_notification(facts, errors, when=when)
        if facts.lrn:
            self.ledger.record_answer(sender, facts.lrn, answer.message_type, None, when)
        return answer

    @staticmethod
    def _not_handled(root: Any, source_name: str) -> Diagnostic:
        name = local(root) or str(root.tag)
        return diag("ANS004", f"{name} is not a message the simulated customs accepts",
                    source=SourcePos(file=source_name, line=root.sourceline, xpath="/" + name),
                    xpath="/" + name,
                    expected="IE3F20..IE3F32, IE3A2x/IE3A32, IE3N06, IE3Q04, IE3Q05, IE3R02, "
                             "IE3R03", found=name)

    @staticmethod
    def _lrn_reused(root: Any, lrn: str, sender: str) -> AnswerError:
        pointer = f"/{local(root)}/LRN" if child(root, "LRN") is not None else ""
        return AnswerError(code=CODE_INCORRECT, pointer=pointer,
                           text=f"LRN {lrn} was already used by {sender} (R3003: the LRN must "
                                "be unique for each declarant)",
                           technical="ICS004 R3003")


def _not_closed(state: str) -> bool:
    return state not in _CLOSED


def _facts_of(reg: Registration) -> EnsFacts:
    """What answers repeat of a registered dataset (kept as received: it parses)."""
    tree, _ = parse_ens_xml(reg.xml)
    return ens_facts(tree.getroot()) if tree is not None else EnsFacts()


def _declarant(reg: Registration) -> str | None:
    return _facts_of(reg).declarant
