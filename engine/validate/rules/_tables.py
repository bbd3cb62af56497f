"""Static tables and compiled patterns the rules share, built once at import time.

Everything here is a fact taken from a named source (see ``docs/ics2-rules.md``) or is marked
[I] where it is our inference.
"""

from __future__ import annotations

import re

from ...territory import ICS2_TERRITORY

NS = "urn:wco:datamodel:eu:ics2:2"
"""Namespace of every ICS2 HTI message (IE3Fxx, IE3Axx, IE3Nxx ...)."""

EU_MEMBER_STATES = ICS2_TERRITORY
"""Where the rules look for "the EU" (R3018, C3020): the ICS2 territory of
``ensgate.territory`` (the 27 Member States, Northern Ireland ``XI``, and Switzerland and Norway,
which apply ICS2 [I: see the table's basis column]). One table with the mapping stage, which
picks the first airport of the routing in the same set.
"""

ISO_COUNTRIES: frozenset[str] = frozenset(
    """AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ
    BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO
    DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU
    GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW
    KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU
    MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW
    PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF
    TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA
    ZM ZW""".split()
)
"""ISO 3166-1 alpha-2 (249 codes), for the EORI prefix check."""

EORI_EXTRA_PREFIXES: frozenset[str] = frozenset({"XI", "EL"})
"""EORI prefixes that are not ISO codes: ``XI`` Northern Ireland (post-Brexit), ``EL`` Greece
(third-party tables disagree on GR versus EL, so both are accepted with a warning)."""

VAT_IDENTICAL_EORI_COUNTRIES: frozenset[str] = frozenset({"BE", "DK", "HR", "CY", "IT", "AT"})
"""[I] Countries whose EORI is written exactly as the VAT number (third-party format tables, see
rules.md "EORI / TIN format"): only there does a failed ``stdnum.eu.vat`` checksum mean
anything. Austria only when written ``ATU...``."""

BULK_PACKAGE_TYPES: frozenset[str] = frozenset("VQ VG VL VY VR VS VO NE NF NG".split())
"""C3035/C3036: packaging types (bulk or unpacked) that forbid shipping marks and number of
packages [V R&C conditions]."""

ADDITIONAL_INFO_IMPORT_FISCAL = "10900"
"""C3037/C3038: the house additional-information code that switches on the fiscal data."""

# -- compiled patterns ------------------------------------------------------------------------
PHONE_E123 = re.compile(r"^\+(?:[0-9] ?){6,14}[0-9]$")
"""R3006, verbatim from the R&C document v2.01."""

CUS_CODE = re.compile(r"^\d{7}-\d$")
"""R3020: ``9999999-9``."""

EORI_SYNTAX = re.compile(r"^[A-Z]{2}[0-9A-Z]{1,15}$")
"""[I] EORI syntax: two-letter country code and up to 15 letters or digits (third-party format
tables; no official pattern was read)."""

MRN_STRUCTURE = re.compile(r"^(\d{2})([A-Z]{2})([A-Z0-9]{11})([A-Z])([A-Z])([A-Z0-9])$")
"""R3004: year n2, country a2, unique part an11, trader-interface id a1, procedure id a1,
check digit an1 (18 characters). The check-digit algorithm is not given, so not enforced."""

LRN_LENGTH_MAX = 22
LRN_SAFE = re.compile(r"^[A-Za-z0-9/_-]+$")
"""[I] LRN characters we consider safe: letters, digits and ``- / _`` (the IE tables say only
an..22)."""

SPACE_RUN = re.compile(r"\s+")
"""Collapses runs of white space (normalising before comparisons)."""

UNSAFE_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
"""Control characters (customs code 102 risk)."""
