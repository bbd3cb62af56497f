"""The filing table and the filing-code spellings the renderer accepts."""

from __future__ import annotations

from importlib import resources

import pytest

import ensgate.render
from ensgate.render import FILINGS, Renderer, RenderError, normalise_filing_code

AIR_ENS = ["IE3F20", "IE3F21", "IE3F22", "IE3F23", "IE3F24", "IE3F25", "IE3F26", "IE3F27",
           "IE3F28", "IE3F29", "IE3F32"]


def test_public_names() -> None:
    assert sorted(ensgate.render.__all__) == [
        "FILINGS", "FilingInfo", "RenderError", "Renderer", "normalise_filing_code",
        "template_environment"]


def test_table_lists_every_air_filing_and_the_arrival_notification() -> None:
    assert sorted(FILINGS) == [*AIR_ENS, "IE3N06"]


@pytest.mark.parametrize("code", sorted(FILINGS))
def test_every_filing_has_its_packaged_template(code: str) -> None:
    info = FILINGS[code]
    assert info.code == code and info.short == code[3:]
    assert resources.files("ensgate.templates").joinpath(info.template).is_file()


def test_indicator_and_structure_flags() -> None:
    assert [FILINGS[c].specific_circumstance for c in AIR_ENS] == [c[3:] for c in AIR_ENS]
    assert FILINGS["IE3N06"].specific_circumstance is None
    assert {c for c, f in FILINGS.items() if f.needs_master_goods} == {"IE3F20", "IE3F21",
                                                                        "IE3F27"}
    assert {c for c, f in FILINGS.items() if not f.needs_houses} == {"IE3F21", "IE3N06"}


@pytest.mark.parametrize("spelling", ["F26", "3F26", "IE3F26", "ie3f26", " f26 "])
def test_filing_spellings(renderer: Renderer, spelling: str) -> None:
    assert normalise_filing_code(spelling) == "IE3F26"
    assert renderer.filing_info(spelling) is FILINGS["IE3F26"]


@pytest.mark.parametrize("spelling", ["F30", "IE3F2", "FWB", "", "IE3A26", "X3F26"])
def test_unknown_filing_is_rnd001(renderer: Renderer, spelling: str) -> None:
    assert normalise_filing_code(spelling) is None
    with pytest.raises(RenderError) as info:
        renderer.render(spelling, {})
    assert info.value.diagnostic.code == "RND001"
    assert info.value.diagnostic.found == spelling
