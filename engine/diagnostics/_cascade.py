"""One missing fact, one diagnostic: errors that follow from the same gap are folded into it.

A party without a city gives a mapping error (MAP003 "consignee city missing"), a schema error
on its ``address`` (XSD002 "missing child city") and rule errors on the same ``address``
(R3002, C3034). They are one fact. :func:`collapse_cascades` groups the error diagnostics of one
filing by ENS XPath (a diagnostic on an element, and one on an element inside it, belong to the
same group; ``x[1]`` is ``x``) and keeps the root cause of each group: a mapping diagnostic (the
source lacks the value) before a schema one (the XML lacks the element) before a rule one.
The others are not lost: the kept diagnostic names them in its context (``folded``). Warnings
and diagnostics without an XPath are kept as they are. Linear in the number of diagnostics
(one dictionary look-up per ancestor of each XPath).
"""

from __future__ import annotations

import re
from dataclasses import replace

from ._model import Diagnostic

_FIRST = re.compile(r"\[1\]")
_MISSING_CHILD = re.compile(r"Missing child element\(s\)\. Expected is \( (\w+)")
_RANK = {"MAP": 0, "XSD": 1, "ICS": 2}


def _key(d: Diagnostic) -> str | None:
    """The element a diagnostic is about: its XPath, ``[1]`` dropped; for a schema "missing
    child" the child itself (the element the other diagnostics name)."""
    if not d.xpath or not d.is_error or d.code[:3] not in _RANK:
        return None
    path = _FIRST.sub("", d.xpath.split("@")[0].rstrip("/"))
    m = _MISSING_CHILD.search(d.message)
    return f"{path}/{m.group(1)}" if m else path


_CONTAINERS = frozenset({"consignmentMasterLevel", "consignmentHouseLevel", "goodsItem",
                         "activeBorderTransportMeans", "commodity", "packaging"})
"""Elements that hold many facts: a diagnostic on one of them does not absorb the ones inside
(R3016 on a consignment says nothing about a goods item's CUS code)."""


def _last(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def collapse_cascades(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """The diagnostics with every cascade folded into its root cause (order kept)."""
    keys = [_key(d) for d in diagnostics]
    if sum(k is not None for k in keys) < 2:
        return diagnostics
    first_at: dict[str, int] = {}
    for i, key in enumerate(keys):
        if key is not None:
            first_at.setdefault(key, i)
    parent = list(range(len(diagnostics)))  # union-find over diagnostics

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, key in enumerate(keys):
        if key is None:
            continue
        path = key
        while True:  # self, then each ancestor that is not a container
            other = first_at.get(path)
            if other is not None and not (path != key and _last(path) in _CONTAINERS):
                parent[find(i)] = find(other)
            if path.count("/") <= 2 or _last(path) in _CONTAINERS:
                break
            path = path.rsplit("/", 1)[0]
    # the root of each group: mapping before schema before rule, then the shallowest, first
    root: dict[int, int] = {}
    for i, key in enumerate(keys):
        if key is None:
            continue
        g = find(i)
        best = root.get(g)
        rank = (_RANK[diagnostics[i].code[:3]], key.count("/"), i)
        if best is None or rank < (_RANK[diagnostics[best].code[:3]],
                                   (keys[best] or "").count("/"), best):
            root[g] = i
    folded: dict[int, list[str]] = {}
    for i, key in enumerate(keys):
        if key is not None and root[find(i)] != i:
            d = diagnostics[i]
            folded.setdefault(root[find(i)], []).append(
                f"{d.code}{' ' + d.ics2_rule if d.ics2_rule else ''} at {d.xpath}: {d.message}")
    out: list[Diagnostic] = []
    for i, d in enumerate(diagnostics):
        if keys[i] is not None and root[find(i)] != i:
            continue
        if i in folded:
            d = replace(d, context=(*d.context, ("folded", " | ".join(folded[i]))))
        out.append(d)
    return out
