"""The filing lifecycle (ensgate.lifecycle): the steps the ICD allows, the ones it refuses
(LCY001), alarms that cannot be dropped, and agreement with the store's columns and the
pipeline's tables."""

from __future__ import annotations

import pytest

from ensgate import lifecycle as lc
from ensgate.lifecycle import LifecycleError, check_transition, next_state
from ensgate.pipeline import FILING_STATES, SENT_FILING_STATES, UNSENT_FILING_STATES
from ensgate.store._schema import events, filings

# the customs-to-trader messages of ICD Annex 1 (Table 12) the issue lists
ICD_ANSWERS = {"IE3R01", "IE3R04", "IE3R07", "IE3R08", "IE3N01", "IE3N02", "IE3N03", "IE3N04",
               "IE3N05", "IE3N07", "IE3N08", "IE3N09", "IE3N10", "IE3N11", "IE3N99", "IE3Q01",
               "IE3Q02", "IE3Q03"}


def walk(*steps: str, start: str = "draft") -> str:
    state = start
    for event in steps:
        state = next_state(state, event)
    return state


def test_filing_is_registered_then_assessed() -> None:
    assert walk("filed", "submitted", "receipt", "IE3R01") == "registered"
    assert walk("filed", "submitted", "receipt", "IE3R01", "IE3N03") == "assessment-complete"
    # an IE3R01 pulled before the receipt was recorded still registers
    assert next_state("sent", "IE3R01") == "registered"
    # a retry of the same AS4 message keeps the filing sent
    assert next_state("sent", "submitted") == "sent"


def test_customs_errors_reject_only_the_filing_itself() -> None:
    for answer in ("IE3N99", "IE3N01", "ebms-error"):
        assert next_state("receipt", answer) == "rejected"
        assert next_state("sent", answer) == "rejected"
    # an error answering an amendment or invalidation leaves the registration as it was
    for state in ("registered", "amended", "info-requested", "assessment-complete",
                  "do-not-load", "screening-requested", "not-complete"):
        assert next_state(state, "IE3N99") == state
        assert next_state(state, "IE3N01") == state
    # a refused answer to a request reopens the request
    assert walk("IE3Q02", "answer-rfi", "IE3N99", start="registered") == "info-requested"
    assert walk("IE3Q03", "answer-screening", "IE3N01", start="registered") == \
        "screening-requested"


def test_amendment_invalidation_and_arrival() -> None:
    assert walk("amend", "IE3N10", start="registered") == "amended"
    assert walk("amend", "IE3N10", "IE3Q02", "amend", "IE3N10", start="registered") == \
        "amended"  # information given by an amendment (Annex 1 IE3Q02)
    assert walk("invalidate", "IE3R07", start="assessment-complete") == "invalidated"
    assert walk("IE3N03", "arrival", "IE3R04", "IE3N08", start="registered") == "arrived"
    assert walk("IE3N02", "amend", "IE3N10", start="registered") == "amended"


@pytest.mark.parametrize(("state", "event"), [
    ("ready", "IE3R01"),          # no answer before sending
    ("draft", "submitted"),       # only a valid filing is sent
    ("ready", "invalidate"),      # Annex 1 IE3Q04: an already registered filing
    ("sent", "amend"),            # ICD 3.1.3: an amendment goes against the MRN
    ("receipt", "IE3N10"),
    ("rejected", "IE3R01"),       # rejected is final: refile under a new LRN
    ("rejected", "amend"),
    ("invalidated", "IE3Q02"),
    ("invalidated", "invalidate"),
    ("arrived", "invalidate"),    # goods brought into the territory
    ("arrived", "amend"),
    ("do-not-load", "amend"),     # an alarm is answered first
    ("screening-requested", "amend"),
    ("registered", "answer-rfi"),  # nothing was asked
    ("registered", "answer-screening"),
    ("registered", "IE3R01"),     # a filing is registered once
    ("superseded", "submitted"),
    ("registered", "submitted"),
])
def test_steps_the_icd_does_not_allow_are_refused(state: str, event: str) -> None:
    with pytest.raises(LifecycleError) as err:
        next_state(state, event)
    d = err.value.diagnostic
    assert d.code == "LCY001" and d.found == event
    assert d.expected == ", ".join(lc.allowed_events(state)) or "no further event"
    assert check_transition(state, event) == d


def test_unknown_names_are_lcy002() -> None:
    assert check_transition("registerd", "IE3N03").code == "LCY002"  # type: ignore[union-attr]
    assert check_transition("registered", "IE3N06").code == "LCY002"  # type: ignore[union-attr]


def test_final_states_take_no_step_that_moves_them() -> None:
    for state in lc.FINAL_STATES:
        for event in lc.allowed_events(state):
            assert next_state(state, event) == state, (state, event)
    assert lc.allowed_events("rejected") == ["IE3R08", "IE3N11"]


def test_an_alarm_is_never_dropped() -> None:
    """A Do-Not-Load or screening request is taken wherever customs can have registered the
    filing; an alarm state is left only by invalidation, or (screening) by the answer."""
    for state in lc.REGISTERED_STATES | {"sent", "receipt"}:
        assert next_state(state, "IE3Q01") == "do-not-load", state
        assert next_state(state, "IE3Q03") in lc.ALARM_STATES, state
    for state in lc.ALARM_STATES:
        for event in lc.allowed_events(state):
            after = next_state(state, event)
            assert after in lc.ALARM_STATES or (after, event) in {
                ("invalidated", "IE3R07"), ("screening-answered", "answer-screening")}, \
                (state, event, after)
    assert lc.is_alarm("do-not-load") and not lc.is_alarm("info-requested")
    assert "DO NOT LOAD" in (lc.open_item("do-not-load") or "")
    assert lc.open_item("assessment-complete") is None


def test_every_customs_answer_of_the_icd_is_an_event() -> None:
    assert set(lc.CUSTOMS_MESSAGES) == ICD_ANSWERS
    for event in ICD_ANSWERS:  # each one applies somewhere after registration
        assert any(event in lc.allowed_events(s) for s in lc.SENT_STATES), event


def test_sent_messages_map_to_trader_events() -> None:
    assert lc.event_for_sent("IE3F24") == "submitted"
    assert lc.event_for_sent("IE3A24") == "amend"
    assert lc.event_for_sent("IE3Q04") == "invalidate"
    assert lc.event_for_sent("IE3R03") == "answer-screening"
    assert lc.event_for_sent("IE3Q05") is None


def test_names_fit_the_store_columns() -> None:
    width = filings.c.state.type.length
    assert width == events.c.from_state.type.length == events.c.to_state.type.length
    assert max(len(s) for s in lc.STATES) <= width
    assert max(len(e) for e in lc.EVENTS) <= events.c.kind.type.length


def test_pipeline_tables_are_the_lifecycle() -> None:
    assert FILING_STATES is lc.STATES
    assert frozenset(lc.STATES) - {"draft", "ready", "superseded"} == SENT_FILING_STATES
    assert {"draft", "ready"} == UNSENT_FILING_STATES
    assert lc.REGISTERED_STATES <= SENT_FILING_STATES
