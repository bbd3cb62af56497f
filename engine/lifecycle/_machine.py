"""Moving a filing through its lifecycle: the lookup of :data:`TRANSITIONS`, and the
diagnostic for a step the ICD does not allow."""

from __future__ import annotations

from ..diagnostics import Diagnostic, EnsgateError, diag
from ._table import (
    ALARM_STATES,
    EVENTS,
    OPEN,
    STATES,
    TRADER_MESSAGES,
    TRANSITIONS,
    Transition,
)


def _index() -> dict[tuple[str, str], Transition]:
    out: dict[tuple[str, str], Transition] = {}
    for t in TRANSITIONS:
        if t.event not in EVENTS:
            raise ValueError(f"transition on unknown event {t.event!r}")
        if t.target is not None and t.target not in STATES:
            raise ValueError(f"transition to unknown state {t.target!r}")
        for s in sorted(t.sources):
            if s not in STATES:
                raise ValueError(f"transition from unknown state {s!r}")
            if (s, t.event) in out:
                raise ValueError(f"two transitions for {t.event} in state {s}")
            out[(s, t.event)] = t
    return out


_BY_STATE_EVENT = _index()


class LifecycleError(EnsgateError):
    """A step the filing lifecycle does not allow; ``diagnostic`` (LCY001/LCY002) says which."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        self.diagnostic = diagnostic
        super().__init__(str(diagnostic))


def check_transition(state: str, event: str, *, lrn: str = "") -> Diagnostic | None:
    """None when ``event`` may happen to a filing in ``state``; else the diagnostic (LCY002
    for an unknown state or event, LCY001 for a step the ICD does not allow)."""
    if state not in STATES or event not in EVENTS:
        what = "state" if state not in STATES else "event"
        return diag("LCY002", f"unknown filing {what} {state if what == 'state' else event!r}",
                    expected=", ".join(STATES if what == "state" else EVENTS),
                    found=state if what == "state" else event, lrn=lrn)
    if (state, event) in _BY_STATE_EVENT:
        return None
    allowed = allowed_events(state)
    return diag("LCY001", f"{event} does not apply to a filing in state {state}"
                + (f" (LRN {lrn})" if lrn else ""),
                expected=", ".join(allowed) or "no further event", found=event,
                state=state, lrn=lrn)


def transition(state: str, event: str) -> Transition:
    """The :class:`Transition` ``event`` takes from ``state``; LifecycleError if none."""
    found = _BY_STATE_EVENT.get((state, event))
    if found is None:
        problem = check_transition(state, event)
        assert problem is not None
        raise LifecycleError(problem)
    return found


def next_state(state: str, event: str) -> str:
    """The state a filing in ``state`` is in after ``event`` (the same state for an event
    that is recorded without moving it). Raises :class:`LifecycleError` carrying an LCY001
    diagnostic for a step the ICD does not allow (LCY002 for an unknown name)."""
    t = transition(state, event)
    return state if t.target is None else t.target


def allowed_events(state: str) -> list[str]:
    """The events a filing in ``state`` may see, in the order of :data:`EVENTS`."""
    return [e for e in EVENTS if (state, e) in _BY_STATE_EVENT]


def is_alarm(state: str) -> bool:
    """True while a security obligation is open (Do-Not-Load, HRCM screening requested)."""
    return state in ALARM_STATES


def open_item(state: str) -> str | None:
    """What is open for a filing in ``state`` (what the trader must do or wait for), or None
    when nothing is."""
    return OPEN.get(state)


def event_for_sent(action: str) -> str | None:
    """The lifecycle event of sending an AS4 message with this ``action`` (ICD message type)
    about a filing: ``submitted`` for an ENS filing (IE3Fxx), ``amend`` for IE3Axx, ...;
    None for a message that moves no filing (IE3Q05 consultation)."""
    if action.startswith("IE3F"):
        return "submitted"
    if action.startswith("IE3A"):
        return TRADER_MESSAGES["IE3Axx"]
    return TRADER_MESSAGES.get(action)
