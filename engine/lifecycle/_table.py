"""The filing lifecycle as data: its states, the events that move it, and the transitions
the ICS2 ICD (v3.30, ``../shared/reference/ics2/docs``) allows.

Every transition names its basis: a section of the ICD, or ``ensgate`` for steps that happen
before anything reaches customs. Where the ICD is silent (it describes each exchange, not
a state chart of the ENS), the row is marked ``inferred`` and its basis says what was
inferred from what. ``docs/lifecycle-states.md`` is generated from these tables.

Two principles for the inferred rows:

* an alarm is never dropped: a Do-Not-Load request (IE3Q01) or an HRCM screening request
  (IE3Q03) is taken in every state of a filing customs can have registered, and an alarm
  state leaves only by the answer the ICD names (IE3R03 for screening) or by invalidation;
  other notifications received while an alarm is open are recorded without changing it;
* an error answer (IE3N99, IE3N01) to a message sent *after* registration (amendment,
  invalidation request, IE3R02, IE3R03) leaves the registration as it was: only an error
  answering the filing itself (states ``sent``, ``receipt``) rejects it.
"""

from __future__ import annotations

from dataclasses import dataclass

# -- states -----------------------------------------------------------------------------------
# name -> meaning. The order is the order of the lifecycle (docs list them so). Names fit the
# store's state columns (20 characters): the "information-requested" is
# ``info-requested``.
STATES: dict[str, str] = {
    "draft": "being made; not yet valid (the pipeline makes filings straight to ready)",
    "ready": "made and valid, exported, not yet sent: remade in place when the data changes",
    "superseded": "never sent, replaced (another filing type, or the shipment stopped "
                  "filing); its LRN is free again",
    "sent": "handed to customs over AS4; its LRN is used",
    "receipt": "customs' AS4 receipt (NRR) verified",
    "registered": "customs registered it (IE3R01, with an MRN)",
    "rejected": "customs rejected it (IE3N99, IE3N01, or an ebMS error); its LRN stays used",
    "amended": "an amendment was accepted (IE3N10): registered with the new dataset",
    "not-complete": "customs found the ENS not complete (IE3N02): filings are missing",
    "info-requested": "customs asked for additional information (IE3Q02)",
    "info-answered": "the additional information was sent (IE3R02, or an amendment)",
    "screening-requested": "customs asked for High Risk Cargo & Mail screening (IE3Q03)",
    "screening-answered": "the HRCM screening result was sent (IE3R03)",
    "assessment-complete": "customs completed the risk assessment (IE3N03): may be loaded",
    "do-not-load": "customs asked that the goods not be loaded (IE3Q01)",
    "invalidated": "customs accepted the invalidation (IE3R07)",
    "arrived": "the means of transport arrived (IE3R04, or the arrival is known)",
}

INITIAL_STATE = "draft"

#: Alarms: a security obligation is open (``report``, ``pull`` and ``file`` exit non-zero).
ALARM_STATES = frozenset({"do-not-load", "screening-requested"})

#: Never sent: the LRN is not used yet.
UNSENT_STATES = frozenset({"draft", "ready", "superseded"})

#: Sent to customs at least once: the LRN is used for good.
SENT_STATES = frozenset(STATES) - UNSENT_STATES

#: Customs registered the filing (it has an MRN) and has not closed it.
REGISTERED_STATES = frozenset({
    "registered", "amended", "not-complete", "info-requested", "info-answered",
    "screening-requested", "screening-answered", "assessment-complete", "do-not-load"})

#: No further event of customs or the trader changes these.
FINAL_STATES = frozenset({"superseded", "rejected", "invalidated"})

#: What the trader still has to do (or must not do) in a state; the states not named have
#: nothing open.
OPEN: dict[str, str] = {
    "ready": "to be sent",
    "sent": "waiting for the AS4 receipt and customs' answer",
    "receipt": "waiting for customs' answer (IE3R01, IE3N99 or IE3N01)",
    "not-complete": "the ENS is not complete: the missing filings are due",
    "info-requested": "answer customs' request for information (IE3R02 or amendment)",
    "screening-requested": "screen the goods (HRCM) and send the result (IE3R03) before "
                           "loading",
    "do-not-load": "DO NOT LOAD the goods customs named; invalidate or wait for customs",
}

# -- events -------------------------------------------------------------------------------------
# name -> (who: ensgate | trader | customs, what). Customs events are named by the ICD message
# type that causes them, so the events table's cause column names what happened.
EVENTS: dict[str, tuple[str, str]] = {
    "filed": ("ensgate", "the filing was made and validated (the shipment is filed)"),
    "remade": ("ensgate", "an unsent filing was made again from changed data (same LRN)"),
    "superseded": ("ensgate", "replaced before it was sent"),
    "submitted": ("trader", "the filing was handed to customs over AS4 (a retry keeps its "
                            "MessageId)"),
    "receipt": ("customs", "AS4 receipt (non-repudiation of receipt) verified"),
    "ebms-error": ("customs", "AS4 error signal instead of a receipt"),
    "amend": ("trader", "an amendment (IE3Axx) was sent against the MRN"),
    "invalidate": ("trader", "an invalidation request (IE3Q04) was sent"),
    "answer-rfi": ("trader", "the additional information response (IE3R02) was sent"),
    "answer-screening": ("trader", "the HRCM screening response (IE3R03) was sent"),
    "arrival": ("trader", "the arrival is known (arrival notification IE3N06 lodged)"),
    "IE3R01": ("customs", "ENS registration response: the MRN"),
    "IE3R04": ("customs", "arrival registration response"),
    "IE3R07": ("customs", "invalidation acceptance response"),
    "IE3R08": ("customs", "ENS consultation results"),
    "IE3N01": ("customs", "ENS lifecycle validation error"),
    "IE3N02": ("customs", "ENS not complete notification"),
    "IE3N03": ("customs", "assessment complete notification"),
    "IE3N04": ("customs", "additional information request notification (to the carrier)"),
    "IE3N05": ("customs", "HRCM screening request notification (to the carrier)"),
    "IE3N07": ("customs", "ENS in incorrect state notification (on arrival)"),
    "IE3N08": ("customs", "control notification (to the carrier that lodged the arrival)"),
    "IE3N09": ("customs", "AEO control notification"),
    "IE3N10": ("customs", "amendment notification: the amendment is accepted"),
    "IE3N11": ("customs", "ENS pending notification (to a person that has not yet filed)"),
    "IE3N99": ("customs", "error notification (syntax or semantic errors)"),
    "IE3Q01": ("customs", "Do-Not-Load request"),
    "IE3Q02": ("customs", "additional information request"),
    "IE3Q03": ("customs", "HRCM screening request"),
}

#: The trader's messages after the filing itself, by ICD message type (an IE3Axx amendment
#: is matched by prefix); IE3Q05 (consult ENS) changes no filing.
TRADER_MESSAGES: dict[str, str] = {
    "IE3Axx": "amend", "IE3Q04": "invalidate", "IE3R02": "answer-rfi",
    "IE3R03": "answer-screening", "IE3N06": "arrival"}

#: The customs message types read back (every customs-to-trader message of ICD Annex 1).
CUSTOMS_MESSAGES = tuple(e for e, (who, _) in EVENTS.items() if e.startswith("IE3"))


@dataclass(frozen=True, slots=True, kw_only=True)
class Transition:
    """``event`` moves a filing in any of ``sources`` to ``target`` (``None``: the state does
    not change; the event is recorded). ``basis`` cites the ICD section (or says why the row
    is inferred)."""

    event: str
    sources: frozenset[str]
    target: str | None
    basis: str
    inferred: bool = False


def _t(event: str, sources: frozenset[str] | set[str], target: str | None, basis: str, *,
       inferred: bool = False) -> Transition:
    return Transition(event=event, sources=frozenset(sources), target=target, basis=basis,
                      inferred=inferred)


_AWAITING = {"sent", "receipt"}  # sent, customs' single reply not yet received
_OPEN_ALARM = set(ALARM_STATES)
_REG = set(REGISTERED_STATES)
_REG_CALM = _REG - _OPEN_ALARM
# states where the risk assessment may still produce an outcome
_ASSESSING = {"registered", "amended", "not-complete", "info-answered",
              "screening-answered"}

TRANSITIONS: tuple[Transition, ...] = (
    # -- before customs -----------------------------------------------------------------------
    _t("filed", {"draft"}, "ready", "ensgate: a filing is made and valid"),
    _t("remade", {"ready"}, None, "ensgate: an unsent filing is remade in place (same LRN)"),
    _t("superseded", {"draft", "ready"}, "superseded",
       "ensgate: an unsent filing is replaced; its LRN was never used"),
    _t("submitted", {"ready"}, "sent", "ICD 3.1.2 (ENS filing IE3Fxx), Annex 3 step (1)"),
    _t("submitted", {"sent"}, None,
       "ensgate: a retry of the same AS4 message (same MessageId; ICD 4.1 reception "
       "awareness)"),
    _t("receipt", {"sent"}, "receipt", "ICD 4.3.1 (eb:Receipt, synchronous signal)"),
    _t("ebms-error", {"sent", "receipt"}, "rejected", "ICD 4.5.2 and Annex 4 (ebMS errors)"),
    # -- customs' single reply to the filing (ICD 3.1.2, Annex 3 (2a)-(2c)) --------------------
    _t("IE3R01", _AWAITING, "registered", "ICD 3.1.2; Annex 3 (2a) ENS registration response"),
    _t("IE3N99", _AWAITING, "rejected", "ICD 3.1.10, 4.5.3; Annex 3 (2c) error notification"),
    _t("IE3N01", _AWAITING, "rejected",
       "ICD 3.1.10, 4.5.4; Annex 3 (2b) lifecycle validation error"),
    # -- error answers to what was sent after registration --------------------------------------
    _t("IE3N99", _REG - {"info-answered", "screening-answered"}, None,
       "ICD 3.1.3/3.1.4: an amendment or invalidation refused by an error leaves the filing "
       "registered as it was [inferred: the ICD names the error, not the state]",
       inferred=True),
    _t("IE3N01", _REG - {"info-answered", "screening-answered"}, None,
       "ICD 3.1.3/3.1.4, 4.5.4: a refused amendment or invalidation leaves the filing as it "
       "was [inferred]", inferred=True),
    _t("IE3N99", {"info-answered"}, "info-requested",
       "ICD 3.1.6: the response (IE3R02) was refused, so the request is open again "
       "[inferred]", inferred=True),
    _t("IE3N99", {"screening-answered"}, "screening-requested",
       "ICD 3.1.7: the screening response (IE3R03) was refused, so the request is open again "
       "[inferred]", inferred=True),
    _t("IE3N01", {"info-answered"}, "info-requested",
       "ICD 3.1.6: refused response reopens the request [inferred]", inferred=True),
    _t("IE3N01", {"screening-answered"}, "screening-requested",
       "ICD 3.1.7: refused response reopens the request [inferred]", inferred=True),
    _t("IE3N99", {"arrived"}, None,
       "ICD 3.1.5: an error on an arrival notification leaves the filing [inferred]",
       inferred=True),
    _t("IE3N01", {"arrived"}, None,
       "ICD 3.1.5: a lifecycle error on a later message leaves the filing [inferred]",
       inferred=True),
    # -- amendment (ICD 3.1.3, Annex 1 IE3Axx and IE3N10) ----------------------------------------
    _t("amend", _REG_CALM, None,
       "ICD 3.1.3: amend a registered filing against its MRN. Not while an alarm is open nor "
       "after arrival [inferred: DNL and HRCM are answered first; the ICD is silent]",
       inferred=True),
    _t("IE3N10", _REG_CALM, "amended",
       "ICD 3.1.3 and Annex 1 IE3N10: the amendment is accepted; the new dataset replaces "
       "the registered one (from info-requested: Annex 1 IE3Q02, the information may "
       "be given by an amendment)"),
    _t("IE3N10", _OPEN_ALARM, None,
       "an amendment accepted while an alarm is open does not close it [inferred]",
       inferred=True),
    # -- invalidation (ICD 3.1.4, Annex 1 IE3Q04 'an already registered ENS filing', IE3R07) -
    _t("invalidate", _REG, None,
       "ICD 3.1.4, Annex 1 IE3Q04: only a registered filing can be invalidated"),
    _t("IE3R07", _REG, "invalidated", "ICD 3.1.4, Annex 1 IE3R07 invalidation acceptance"),
    # -- risk assessment outcomes (ICD 3.1.6-3.1.8, Annex 1) --------------------------------------
    _t("IE3N03", _ASSESSING | {"assessment-complete", "info-requested"},
       "assessment-complete",
       "ICD 3.1.8 and Annex 1 IE3N03 (from an open information request: [inferred], customs "
       "decides it no longer needs it)"),
    _t("IE3N03", _OPEN_ALARM, None,
       "an assessment-complete while an alarm is open does not close it [inferred]",
       inferred=True),
    _t("IE3Q01", _REG | {"sent", "receipt"}, "do-not-load",
       "ICD 3.1.8 and Annex 1 IE3Q01; taken even before the IE3R01 is seen [inferred: an "
       "alarm is never dropped]"),
    _t("IE3Q02", _ASSESSING | {"assessment-complete", "info-requested"},
       "info-requested", "ICD 3.1.6 and Annex 1 IE3Q02 additional information request"),
    _t("IE3Q02", _OPEN_ALARM, None,
       "a request for information while an alarm is open is recorded; the alarm stays "
       "[inferred]", inferred=True),
    _t("IE3Q03", (_REG - {"do-not-load"}) | {"sent", "receipt"}, "screening-requested",
       "ICD 3.1.7 and Annex 1 IE3Q03 HRCM screening request; taken even before the IE3R01 is "
       "seen [inferred: an alarm is never dropped]"),
    _t("IE3Q03", {"do-not-load"}, None,
       "a screening request does not lift a Do-Not-Load [inferred]", inferred=True),
    _t("IE3N02", _ASSESSING | {"assessment-complete", "info-requested"},
       "not-complete", "ICD 3.1.8 and Annex 1 IE3N02 ENS not complete"),
    _t("IE3N02", _OPEN_ALARM, None,
       "not-complete while an alarm is open is recorded; the alarm stays [inferred]",
       inferred=True),
    # -- trader answers (ICD 3.1.6, 3.1.7) -------------------------------------------------------
    _t("answer-rfi", {"info-requested"}, "info-answered",
       "ICD 3.1.6 and Annex 1 IE3R02 additional information response"),
    _t("answer-screening", {"screening-requested"}, "screening-answered",
       "ICD 3.1.7 and Annex 1 IE3R03 HRCM screening response"),
    # -- arrival (ICD 3.1.5, Annex 1 IE3N06, IE3R04, IE3N07, IE3N08) -------------------------------
    _t("arrival", _REG_CALM | {"arrived"}, "arrived",
       "ICD 3.1.5: the arrival of the means of transport (lodged by the carrier, or known "
       "from flight data) [inferred for a filing the trader did not lodge the arrival of]",
       inferred=True),
    _t("IE3R04", _REG_CALM | {"arrived"}, "arrived",
       "ICD 3.1.5, Annex 1 IE3R04 arrival registration response"),
    _t("IE3R04", _OPEN_ALARM, None,
       "an arrival registered while an alarm is open does not close it: the operator must "
       "see it [inferred]", inferred=True),
    _t("arrival", _OPEN_ALARM, None,
       "arrival known while an alarm is open: recorded, the alarm stays [inferred]",
       inferred=True),
    _t("IE3N07", _REG | {"arrived"}, None,
       "Annex 1 IE3N07: the ENS was in an incorrect state for the arrival; informational"),
    _t("IE3N08", _REG | {"arrived"}, None,
       "Annex 1 IE3N08: a control at the first airport of arrival; informational"),
    # -- notifications that change nothing (ICD 3.1.8, 3.1.9, Annex 1) ----------------------------
    _t("IE3N09", _REG | {"arrived"}, None, "ICD 3.1.8, Annex 1 IE3N09 AEO control notification"),
    _t("IE3N04", _REG | {"arrived"}, None,
       "Annex 1 IE3N04: carrier's copy of a request for information"),
    _t("IE3N05", _REG | {"arrived"}, None,
       "Annex 1 IE3N05: carrier's copy of an HRCM screening request"),
    _t("IE3N11", SENT_STATES, None,
       "ICD 3.1.8, Annex 1 IE3N11: the person not yet filed is asked to file (a house or "
       "other partial filing is due); it changes no filing of ours [inferred]", inferred=True),
    _t("IE3R08", SENT_STATES, None, "ICD 3.1.9, Annex 1 IE3R08 consultation results"),
)
