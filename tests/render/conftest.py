"""Fixtures of the render tests: the packaged renderer, the HKG-FRA consolidation dataset and
the provisional ICS2 schemas."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from lxml import etree

from ensgate.mapping import dataset_model, dataset_skeleton, new_group
from ensgate.render import Renderer

ROOT = Path(__file__).parents[2]
DATA = ROOT / "tests" / "data"
SCHEMAS = ROOT / "engine" / "validate" / "schemas" / "ics2"
NS = "urn:wco:datamodel:eu:ics2:2"


@cache
def _group_of_list_field() -> dict[str, str]:
    """Name of a repeated group field (``houses``, ``goods_items`` ...) -> its dataset group."""
    return {path.rsplit(".", 1)[-1].removesuffix("[]"): g.group
            for path, g in dataset_model().groups.items()}


def _overlay(base: dict[str, Any], values: dict[str, Any], where: str = "") -> dict[str, Any]:
    """Lay ``values`` over an empty dataset structure; an unknown key fails (catches typos)."""
    groups = _group_of_list_field()
    for key, value in values.items():
        assert key in base, f"{where}{key} is not a dataset key"
        if isinstance(value, dict):
            _overlay(base[key], value, f"{where}{key}.")
        elif key in groups and isinstance(value, list):
            base[key] = [_overlay(new_group(groups[key]), item, f"{where}{key}[].")
                         for item in value]
        else:
            base[key] = value
    return base


def load_dataset(name: str) -> dict[str, Any]:
    raw = yaml.safe_load((DATA / "datasets" / name).read_text("utf-8"))
    return _overlay(dataset_skeleton(), raw)


@pytest.fixture(scope="session")
def renderer() -> Renderer:
    return Renderer()


@pytest.fixture
def make_dataset() -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Build a full dataset (every key present) from a partial dict of values."""
    return lambda values: _overlay(dataset_skeleton(), values)


@pytest.fixture
def consol() -> dict[str, Any]:
    """A fresh copy of the complete HKG-FRA consolidation dataset (tests may change it)."""
    return load_dataset("hkg-fra-consol.yaml")


@cache
def _schema(code: str) -> etree.XMLSchema:
    return etree.XMLSchema(file=str(SCHEMAS / f"{code}.xsd"))


@pytest.fixture
def schema() -> Callable[[str], etree.XMLSchema]:
    """The provisional XSD of a message; skips when the schema set is not there."""
    def get(code: str) -> etree.XMLSchema:
        if not (SCHEMAS / f"{code}.xsd").is_file():
            pytest.skip(f"provisional schema {code}.xsd not present")
        return _schema(code)
    return get
