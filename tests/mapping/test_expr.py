"""The fast expression interpreter agrees with Jinja's sandbox on the spec subset."""

from __future__ import annotations

from typing import Any

import pytest

from ensgate.mapping._expr import compile_expression
from ensgate.mapping._spec import _sandbox

CASES: list[tuple[str, dict[str, Any]]] = [
    ("index == 1", {"index": 1}),
    ("index == 1", {"index": 2}),
    ("index", {"index": 3}),
    ("path('a') not in (none, 'NCV', '')", {"path": lambda p: "NCV"}),
    ("path('a') not in (none, 'NCV', '')", {"path": lambda p: "12.50"}),
    ("var.x", {"var": {"x": "y"}}),
    ("var.missing", {"var": {}}),
    ("'N741' if paths('x') else 'N740'", {"paths": lambda p: []}),
    ("'N741' if paths('x') else 'N740'", {"paths": lambda p: ["CONSOL"]}),
    ("path('a') | upper", {"path": lambda p: "abc"}),
    ("not var.x and index > 1", {"var": {"x": ""}, "index": 2}),
    ("index in [1, 2]", {"index": 2}),
    # a filter that takes Jinja's environment (unique): the fast path called it without one
    ("(paths('x') | unique | list | length) > 1", {"paths": lambda p: ["A", "B", "A"]}),
    ("(paths('x') | unique | list | length) > 1", {"paths": lambda p: ["A", "A"]}),
]


@pytest.mark.parametrize(("text", "ctx"), CASES)
def test_fast_path_matches_sandbox(text: str, ctx: dict[str, Any]) -> None:
    env = _sandbox()
    fast = compile_expression(text, env)
    assert fast(**ctx) == env.compile_expression(text)(**ctx)


def test_unsupported_syntax_falls_back_to_the_sandbox() -> None:
    env = _sandbox()
    fn = compile_expression("'%s-%s' % (index, 2)", env)
    assert fn(index=1) == "1-2"
    with pytest.raises(Exception):  # noqa: B017 - the sandbox refuses, whatever its error
        compile_expression("index.__class__.__mro__", env)(index=1)
