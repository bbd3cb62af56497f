"""The filing lifecycle in one place (``docs/lifecycle-states.md``): the states a filing goes
through with customs, the events that move it (named by their cause: the ICD message type,
or the trader's or ensgate's action) and the transitions the ICS2 ICD allows.

``next_state(state, event)`` gives the state after an event or raises
:class:`LifecycleError` with an LCY001 diagnostic for a step the ICD does not allow;
``check_transition`` returns that diagnostic instead. ``ALARM_STATES`` are the states in
which a security obligation is open (Do-Not-Load, HRCM screening); ``open_item(state)`` says
what is open in any state.
"""

from ._machine import (
    LifecycleError,
    allowed_events,
    check_transition,
    event_for_sent,
    is_alarm,
    next_state,
    open_item,
    transition,
)
from ._table import (
    ALARM_STATES,
    CUSTOMS_MESSAGES,
    EVENTS,
    FINAL_STATES,
    INITIAL_STATE,
    OPEN,
    REGISTERED_STATES,
    SENT_STATES,
    STATES,
    TRADER_MESSAGES,
    TRANSITIONS,
    UNSENT_STATES,
    Transition,
)

__all__ = [
    "ALARM_STATES",
    "CUSTOMS_MESSAGES",
    "EVENTS",
    "FINAL_STATES",
    "INITIAL_STATE",
    "OPEN",
    "REGISTERED_STATES",
    "SENT_STATES",
    "STATES",
    "TRADER_MESSAGES",
    "TRANSITIONS",
    "UNSENT_STATES",
    "LifecycleError",
    "Transition",
    "allowed_events",
    "check_transition",
    "event_for_sent",
    "is_alarm",
    "next_state",
    "open_item",
    "transition",
]
