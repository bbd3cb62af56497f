"""Data quality (customs code 100): goods descriptions (DQ001-DQ003) and party fields (DQ004)
against the stop-word list shipped as data (``ensgate/validate/data/stopwords.yaml``).

[I] The decision logic is ours, built from third-party pages (rules.md "Decision logic for
the engine"): customs publishes neither the exact matching nor the full list.
"""

from __future__ import annotations

from collections.abc import Iterator

from ensgate.diagnostics import Diagnostic

from ._parties import party_addresses
from ._registry import AIR_FILINGS, RuleContext, rule
from ._stopwords import SHIPPED_STOPWORDS, StopWords, Verdict
from ._tree import Element, local_name, parent_name

_EVIDENCE = "[V-3p] stop-word pages (see stopwords.yaml); [I] decision logic"


def _stopwords(ctx: RuleContext) -> StopWords:
    return ctx.config.stopwords or SHIPPED_STOPWORDS


def _descriptions(ctx: RuleContext) -> Iterator[tuple[Element, str]]:
    for el in ctx.index.all("descriptionOfGoods"):
        yield el, el.text or ""


@rule("DQ001", title="Goods description is a stop word on its own", applies_to=AIR_FILINGS,
      evidence=_EVIDENCE, codes=("DQ001",))
def goods_standalone(ctx: RuleContext) -> Iterator[Diagnostic]:
    stop = _stopwords(ctx)
    for el, value in _descriptions(ctx):
        verdict = stop.classify_goods(value)
        if verdict.verdict is Verdict.STANDALONE:
            yield ctx.fail("DQ001", el, "goods description is only a generic term ("
                           + ", ".join(verdict.matched) + "); name the actual goods",
                           expected="what the goods are, made of or used for",
                           found=value.strip())


@rule("DQ002", title="Goods description contains a vague term", applies_to=AIR_FILINGS,
      evidence=_EVIDENCE, codes=("DQ002",))
def goods_vague(ctx: RuleContext) -> Iterator[Diagnostic]:
    stop = _stopwords(ctx)
    for el, value in _descriptions(ctx):
        verdict = stop.classify_goods(value)
        if verdict.verdict is Verdict.CONTAINS:
            yield ctx.fail("DQ002", el, "goods description contains a generic term ("
                           + ", ".join(verdict.matched) + "); check it names the goods",
                           expected="a precise description", found=value.strip())
        elif verdict.verdict is Verdict.NO_CONTENT:
            yield ctx.fail("DQ002", el, "goods description has only filler words",
                           expected="a precise description", found=value.strip())


@rule("DQ003", title="Goods description is junk (digits, punctuation, repeats, extension)",
      applies_to=AIR_FILINGS, evidence="[V-3p] DB Schenker (Commission overview)",
      codes=("DQ003",))
def goods_junk(ctx: RuleContext) -> Iterator[Diagnostic]:
    stop = _stopwords(ctx)
    for el, value in _descriptions(ctx):
        verdict = stop.classify_goods(value)
        if verdict.verdict is Verdict.JUNK:
            yield ctx.fail("DQ003", el, f"goods description is junk ({verdict.reason})",
                           expected="a plain-language description", found=value)


# [I] which party fields customs screens is not published beyond "names and addresses":
# the party name and every text field of a party address except the country code.
_ADDRESS_FIELDS = frozenset({"street", "number", "city", "postCode", "streetAdditionalLine",
                             "subDivision", "poBox"})


@rule("DQ004", title="Party name or address field is a party stop word on its own",
      applies_to=AIR_FILINGS, evidence=_EVIDENCE, codes=("DQ004",))
def party_stop_words(ctx: RuleContext) -> Iterator[Diagnostic]:
    stop = _stopwords(ctx)
    fields: list[Element] = [el for el in ctx.index.all("name")
                             if not parent_name(el).startswith("placeOf")]
    for address in party_addresses(ctx):
        fields.extend(el for el in address if local_name(el) in _ADDRESS_FIELDS)
    for el in fields:
        value = el.text or ""
        verdict = stop.classify_party(value)
        if verdict.verdict is Verdict.STANDALONE:
            yield ctx.fail("DQ004", el, f"party field is only a placeholder ({value.strip()})",
                           expected="the real name or address", found=value.strip())
