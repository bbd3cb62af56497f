"""Evaluating a compiled spec on one source message: dataset fragments with lineage.

A fragment is a full dataset skeleton in which the spec filled its part (``master``, ``houses``
or ``transport``), plus the lineage of every value and the diagnostics of the mapping. The
assembler (``_assemble``) joins fragments of one shipment. Bad data never raises here: a failing
transform or condition gives a diagnostic naming the spec line and the source position.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..diagnostics import Diagnostic
from ..readers._source import SourceField, SourceMessage
from ._dataset import Lineage, dataset_skeleton
from ._plan import NO_LOC, Run, plan_for, scalar
from ._spec import MappingSpec


@dataclass(slots=True, kw_only=True)
class Fragment:
    """What one spec produced from one message (or from one record of it, for FFM)."""

    spec: MappingSpec
    message: SourceMessage
    produces: str
    key: str
    data: dict[str, Any]
    lineage: dict[str, Lineage] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    traced: bool = True  # lineage recorded (False: mapped without it, see run_spec)


def run_spec(spec: MappingSpec, msg: SourceMessage, *, today: str = "",
             lineage: bool = True) -> list[Fragment]:
    """Evaluate ``spec`` on ``msg``. FFM-style specs (``fragments_from``) give one fragment per
    record; others give exactly one. ``today`` (ISO date) anchors dates that carry no year.
    The spec runs as its compiled plan (``_plan``: closures made once per spec)."""
    plan = plan_for(spec)
    root = msg.root
    scopes = [root] if plan.scopes is None else plan.scopes(root, root)
    out = []
    for scope in scopes:
        run = Run(msg, root, track=lineage)
        run.vars["today"] = today or None
        for name, let in plan.lets:
            seen: list[SourceField] = []
            run.vars[name] = let(run, scope, NO_LOC, seen)
            run.var_sources[name] = seen
        data = dataset_skeleton()
        for apply in plan.fields:
            apply(run, data, scope, NO_LOC, "")
        for group in plan.groups:
            group(run, data, scope, "")
        key = ""
        if plan.key is not None:
            key = str(scalar(plan.key(run, scope, NO_LOC, [])) or "")
        out.append(Fragment(spec=spec, message=msg, produces=spec.produces, key=key, data=data,
                            lineage=run.lineage, diagnostics=run.diagnostics, traced=lineage))
    return out
