"""Spec expressions: Jinja expression syntax, evaluated without Jinja's per-call overhead.

Specs may carry small expressions (``index == 1``, ``path('cvd.customs_value') not in (none,
'NCV')``). They are parsed once with Jinja's own parser; the common subset (names, constants,
comparisons, boolean logic, tuples and lists, ``path``/``paths`` calls, attribute access on the
``var`` mapping, and filters from the transform library) is evaluated by the small interpreter
below, which only reads the values it is given: no attribute of any Python object is reachable,
so it is as closed as the sandbox. Anything outside the subset runs in Jinja's
``ImmutableSandboxedEnvironment``. Both give the same results (tested).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import Any

from jinja2 import nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

Evaluator = Callable[..., Any]

_CMP: dict[str, Callable[[Any, Any], bool]] = {
    "eq": operator.eq, "ne": operator.ne, "lt": operator.lt, "gt": operator.gt,
    "lteq": operator.le, "gteq": operator.ge,
    "in": lambda a, b: a in b, "notin": lambda a, b: a not in b,
}


class _Unsupported(Exception):
    pass


def _build(node: nodes.Node, filters: Mapping[str, Callable[..., Any]]) -> Evaluator:
    if isinstance(node, nodes.Const):
        value = node.value
        return lambda ctx: value
    if isinstance(node, nodes.Name):
        name = node.name
        return lambda ctx: ctx.get(name)
    if isinstance(node, nodes.Tuple | nodes.List):
        items = [_build(n, filters) for n in node.items]
        return lambda ctx: tuple(i(ctx) for i in items)
    if isinstance(node, nodes.CondExpr) and node.expr2 is not None:
        test, yes, no = (_build(n, filters) for n in (node.test, node.expr1, node.expr2))
        return lambda ctx: yes(ctx) if test(ctx) else no(ctx)
    if isinstance(node, nodes.Not):
        inner = _build(node.node, filters)
        return lambda ctx: not inner(ctx)
    if isinstance(node, nodes.And):
        left, right = _build(node.left, filters), _build(node.right, filters)
        return lambda ctx: left(ctx) and right(ctx)
    if isinstance(node, nodes.Or):
        left, right = _build(node.left, filters), _build(node.right, filters)
        return lambda ctx: left(ctx) or right(ctx)
    if isinstance(node, nodes.Compare) and len(node.ops) == 1 and node.ops[0].op in _CMP:
        left, right = _build(node.expr, filters), _build(node.ops[0].expr, filters)
        op = _CMP[node.ops[0].op]
        return lambda ctx: op(left(ctx), right(ctx))
    if isinstance(node, nodes.Getattr) and isinstance(node.node, nodes.Name) \
            and node.node.name == "var":
        attr = node.attr
        return lambda ctx: (ctx.get("var") or {}).get(attr)
    if isinstance(node, nodes.Call) and isinstance(node.node, nodes.Name) \
            and node.node.name in ("path", "paths") and len(node.args) == 1 \
            and not node.kwargs and isinstance(node.args[0], nodes.Const):
        fname, arg = node.node.name, node.args[0].value
        return lambda ctx: ctx[fname](arg)
    if isinstance(node, nodes.Filter) and node.name in filters and node.node is not None \
            and not node.kwargs and not node.dyn_args and not node.dyn_kwargs \
            and getattr(filters[node.name], "jinja_pass_arg", None) is None:
        # a filter that wants Jinja's environment or context (``unique``, ``map``...) is left
        # to the sandbox, which passes it
        fn = filters[node.name]
        inner = _build(node.node, filters)
        args = [_build(a, filters) for a in node.args]
        return lambda ctx: fn(inner(ctx), *(a(ctx) for a in args))
    raise _Unsupported(type(node).__name__)


def compile_expression(text: str, env: ImmutableSandboxedEnvironment) -> Evaluator:
    """A callable taking the context as keyword arguments; raises Jinja's
    ``TemplateSyntaxError`` for text that is not an expression."""
    sandboxed: Evaluator = env.compile_expression(text)
    try:
        parser_env = env
        body: Any = parser_env.parse("{{ " + text + " }}").body[0]
        expr = body.nodes[0]
        fast = _build(expr, env.filters)
    except (_Unsupported, AttributeError, IndexError):
        return sandboxed

    def run(**ctx: Any) -> Any:
        return fast(ctx)

    return run
