"""``ensgate map coverage``: what a corpus holds that the spec ignores, and what it never does.

Three lists, from running the spec on every message of its type in the corpus: source fields
seen in the corpus that no path of the spec reads (with how many messages carry them), ENS
dataset fields of the spec's part never produced, and rules that never gave a value.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..mapping import dataset_model
from ..mapping._engine import run_spec
from ..mapping._spec import MappingSpec
from ..readers._source import SourceNode
from ._lint import DOMAIN
from ._run import ISSUED, read_inputs
from ._specinfo import all_path_uses, spec_info
from ._xpaths import strip_indices


@dataclass(slots=True, kw_only=True)
class Coverage:
    spec: MappingSpec
    messages: int = 0
    unread: list[tuple[str, int]] = field(default_factory=list)  # (record.field, messages)
    never_produced: list[str] = field(default_factory=list)
    never_fired: list[tuple[str, int | None]] = field(default_factory=list)  # (target, line)
    read: int = 0
    seen: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"spec": self.spec.file, "messages": self.messages,
                "source_fields_seen": self.seen, "source_fields_read": self.read,
                "unread_source_fields": [{"path": p, "messages": n} for p, n in self.unread],
                "ens_fields_never_produced": self.never_produced,
                "rules_never_fired": [{"rule": t, "line": ln} for t, ln in self.never_fired]}


def _fields(node: SourceNode, prefix: str, out: set[str]) -> None:
    for name in node.fields:
        out.add(f"{prefix}.{name}" if prefix else name)
    for tag, kids in node.children.items():
        for kid in kids:
            _fields(kid, f"{prefix}.{tag}" if prefix else tag, out)


def coverage(spec: MappingSpec, corpus: list[Path]) -> Coverage:
    msgs = [m for m in read_inputs(corpus)
            if m.format == spec.source_format and m.kind == spec.message and m.is_ens_input]
    cov = Coverage(spec=spec, messages=len(msgs))
    info = spec_info(spec)
    read: set[str] = set()
    for use in all_path_uses(info):
        if use.record is None:
            continue
        if use.field is not None:
            read.add(f"{use.record}.{use.field}" if use.record else use.field)
        for rec, step in zip(use.steps, use.path.steps, strict=False):  # selectors read too
            for key, _ in step.conditions:
                read.add(f"{rec}.{key}")
    seen: Counter[str] = Counter()
    produced: set[str] = set()
    fired: set[tuple[str, int | None]] = set()
    today = ISSUED.date().isoformat()
    for m in msgs:
        per: set[str] = set()
        _fields(m.root, "", per)
        seen.update(per)
        for frag in run_spec(spec, m, today=today):
            for path, lin in frag.lineage.items():
                produced.add(strip_indices(path))
                if lin.rule is not None:
                    fired.add((lin.rule.rule_id, lin.rule.line))
    cov.seen = len(seen)
    cov.read = len([p for p in seen if p in read])
    cov.unread = sorted(((p, n) for p, n in seen.items() if p not in read),
                        key=lambda x: (-x[1], x[0]))
    domain = DOMAIN.get(spec.produces, ())
    cov.never_produced = [f for f in dataset_model().fields
                          if f.startswith(domain) and f not in produced]
    for site in info.sites:
        if site.target.startswith("let.") or site.target == "key":
            continue
        r = site.rule
        if r.explicit_none is None and (r.ref.rule_id, r.ref.line) not in fired:
            cov.never_fired.append((site.target, r.ref.line))
    return cov
