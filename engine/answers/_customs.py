"""The business side of the ICS2 simulator: what customs answers to a filing (no transport).

Order, as the ICD v3.30 describes the STI: validate the filing; if the XML is syntactically
wrong, answer IE3N99 with the syntax errors only; otherwise list every semantic error (ICS2
rules, R3003 LRN reuse) in one IE3N99; otherwise register it, attribute an MRN and answer
IE3R01 (IE3R04 for an arrival notification), then the scenario's notification or referral
(IE3N03, IE3Q01, IE3Q02, IE3Q03), all referring to the MRN.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol

from ..diagnostics import Diagnostic, SourcePos, diag
from ..ledger import AnswerLedger, AnswerRecord, FilingLedger, InMemoryLedger
from ..validate import RuleConfig, SchemaSet, check_rules, check_schema, parse_ens_xml
from ..validate.rules import AIR_FILINGS, ARRIVAL
from ._build import AnswerBuilder, responsible_member_state
from ._codes import CODE_INCORRECT, answer_errors
from ._facts import EnsFacts, ens_facts
from ._model import AnswerError, CustomsAnswer, Scenario
from ._mrn import MrnGenerator
from ._xml import child, local


class CustomsLedger(FilingLedger, AnswerLedger, Protocol):
    """What the simulated customs keeps: registered (sender, LRN) pairs and the answers sent
    (``InMemoryLedger`` fits)."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


class SimulatedCustoms:
    """Answers filings as the ICS2 shared trader interface would, with a chosen scenario.

    - ``scenario``: what follows a registration (``file(..., scenario=...)`` overrides it).
    - ``clock``: the time of the answers (registration date, MRN year).
    - ``mrn_country``: the country letters of the MRNs; also the responsible Member State when
      the filing names no customs office of first entry.
    - ``ledger``: where registrations and answers are kept (any ``FilingLedger`` +
      ``AnswerLedger``). Default: in memory, for the life of the simulator.
    - ``mrn_seed``: reproducible MRNs (tests).

    LRNs are unique per *sender* (the AS4 party that filed): [I] R3003 says per declarant; the
    sender is the person filing, usually the declarant. Only a registered filing uses up its
    LRN here [I: the sources do not say whether a rejected filing frees it]. Thread-safe.
    """

    def __init__(self, *, scenario: Scenario = Scenario.ACCEPT,
                 clock: Callable[[], datetime] = _utc_now, mrn_country: str = "BE",
                 ledger: CustomsLedger | None = None, schemas: SchemaSet | None = None,
                 rule_config: RuleConfig | None = None, mrn_seed: int | None = None,
                 builder: AnswerBuilder | None = None) -> None:
        self.scenario = scenario
        self.clock = clock
        self.mrn_country = mrn_country.upper()
        self.ledger: CustomsLedger = ledger if ledger is not None else InMemoryLedger()
        self._schemas = schemas if schemas is not None else SchemaSet()
        self._rule_config = rule_config
        self._mrns = MrnGenerator(country=self.mrn_country, seed=mrn_seed)
        self._builder = builder or AnswerBuilder()
        self._schema_lock = threading.Lock()  # a compiled XMLSchema is not thread-safe

    # -- the one verb ---------------------------------------------------------------------
    def file(self, ens_xml: bytes, *, sender: str, scenario: Scenario | None = None,
             source_name: str = "") -> list[CustomsAnswer]:
        """The answers to one filing, in the order customs sends them: ``[IE3N99]``, or
        ``[IE3R01]`` / ``[IE3R04]``, or ``[IE3R01, <scenario answer>]``. ValueError for an
        empty ``sender`` (a caller's mistake, not bad data)."""
        if not sender.strip():
            raise ValueError("sender (the party id of the person filing) is empty")
        when = self.clock()
        tree, problems = parse_ens_xml(ens_xml, source_name=source_name)
        if tree is None:
            return [self._reject(EnsFacts(), answer_errors(problems), sender, when)]
        root = tree.getroot()
        facts = ens_facts(root)
        message = local(root)
        if message not in AIR_FILINGS | ARRIVAL:
            return [self._reject(facts, answer_errors([self._not_handled(root, source_name)]),
                                 sender, when)]
        with self._schema_lock:
            syntax = check_schema(tree, schemas=self._schemas, source_name=source_name)
        errors = answer_errors(syntax, root)
        if errors:
            return [self._reject(facts, errors, sender, when)]
        config = self._rule_config or RuleConfig(today=when.date())
        errors = answer_errors(check_rules(root, config=config, source_name=source_name), root)
        if facts.lrn and self.ledger.lrn_used(sender, facts.lrn):
            errors = (*errors, self._lrn_reused(root, facts.lrn, sender))
        if errors:
            return [self._reject(facts, errors, sender, when)]
        documents = [d.number for d in (facts.master_document, *facts.house_documents) if d]
        if not facts.lrn or not self.ledger.record(sender, facts.lrn, documents, when):
            # a concurrent filing with the same LRN won the race
            return [self._reject(facts, (self._lrn_reused(root, facts.lrn or "", sender),),
                                 sender, when)]
        mrn = self._mrns.next(when)
        answers = [self._builder.registration(facts, mrn=mrn, when=when)]
        if message in AIR_FILINGS:
            follow = self._scenario_answer(scenario or self.scenario, facts, mrn, when)
            if follow is not None:
                answers.append(follow)
        for answer in answers:
            self.ledger.record_answer(sender, facts.lrn, answer.message_type, answer.mrn, when)
        return answers

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
        return None

    def _reject(self, facts: EnsFacts, errors: tuple[AnswerError, ...], sender: str,
                when: datetime) -> CustomsAnswer:
        answer = self._builder.error_notification(facts, errors, when=when)
        if facts.lrn:
            self.ledger.record_answer(sender, facts.lrn, answer.message_type, None, when)
        return answer

    @staticmethod
    def _not_handled(root: Any, source_name: str) -> Diagnostic:
        name = local(root) or str(root.tag)
        return diag("ANS004", f"{name} is not an ENS filing the simulated customs accepts",
                    source=SourcePos(file=source_name, line=root.sourceline, xpath="/" + name),
                    xpath="/" + name, expected="IE3F20..IE3F32 or IE3N06", found=name)

    @staticmethod
    def _lrn_reused(root: Any, lrn: str, sender: str) -> AnswerError:
        pointer = f"/{local(root)}/LRN" if child(root, "LRN") is not None else ""
        return AnswerError(code=CODE_INCORRECT, pointer=pointer,
                           text=f"LRN {lrn} was already used by {sender} (R3003: the LRN must "
                                "be unique for each declarant)",
                           technical="ICS004 R3003")
