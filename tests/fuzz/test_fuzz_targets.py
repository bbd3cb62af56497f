"""Fuzzing every reader and every XML entry point (issue 9): mutated real inputs, hostile XML,
tampered AS4 messages and amplified units, derandomised (the same inputs on every run).

Two checks per target: no input breaks its invariants (``tests/fuzz_targets.py``: no exception
out of ensgate, catalogued diagnostic codes, the streamed and the tree parse agree, a tampered
AS4 message verifies only with the values that were signed, one sealed message is filed once),
and no input costs more than 100 times the median time per byte. The long campaign is
``python tools/fuzz.py`` (see bench/README.md).
"""

from __future__ import annotations

import random

import pytest
from fuzz_targets import MAX_RATIO, FuzzTarget, cost_report, cpu_time, targets, warm_up
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

NAMES = sorted(targets())
EXAMPLES = {"as4-verify": 80, "as4-simulator": 60, "xml-seal-payload": 60, "xml-validate": 60,
            "translate-cargo-imp": 40, "translate-cargo-xml": 40, "translate-edifact": 40,
            "translate-x12": 40}
_SETTINGS = settings(deadline=None, derandomize=True, database=None, max_examples=120,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _mutant(target: FuzzTarget, data: st.DataObject) -> bytes:
    seeds = target.seeds()
    seed = seeds[data.draw(st.integers(0, len(seeds) - 1), label="seed")]
    rng = data.draw(st.randoms(use_true_random=False), label="rng")
    return target.mutate(rng, seed)


@pytest.mark.parametrize("name", NAMES)
def test_invariants(name: str) -> None:
    target = targets()[name]

    @settings(_SETTINGS, max_examples=EXAMPLES.get(name, 120))
    @given(st.data())
    def check(data: st.DataObject) -> None:
        target.run(_mutant(target, data))

    check()


@pytest.mark.parametrize("name", NAMES)
def test_no_input_costs_100_times_the_median_per_byte(name: str) -> None:
    target = targets()[name]

    @settings(_SETTINGS, max_examples=1)
    @given(st.randoms(use_true_random=False))
    def check(rng: random.Random) -> None:
        seeds = target.seeds()
        warm_up(target)
        samples = []
        for _ in range(30):
            data = target.mutate(rng, rng.choice(seeds))
            samples.append((cpu_time(lambda d=data: _quiet(target, d)), data))
        report = cost_report(target, samples)
        assert report.worst_ratio <= MAX_RATIO, (
            f"{name}: an input of {len(report.worst)} bytes costs {report.worst_ratio:.0f}x "
            f"the median time per byte: {report.worst[:200]!r}")

    check()


def _quiet(target: FuzzTarget, data: bytes) -> None:
    target.run(data)
