"""ICS2 Movement Reference Numbers: structure (R3004), check character and a generator.

R3004 (R&C rules, via ``shared/reference/ics2/rules.md``) gives the structure, 18 characters:
year (n2), country that attributed it (a2), unique part (an11), trader-interface id (a1),
procedure id (a1), check character (an1). The check-character algorithm is NOT in the
reference. [I] We use the algorithm customs MRNs are known to use (ISO 6346 based, as a
German customs page describes for ATLAS MRNs): letters take the values 10..38 skipping the
multiples of 11, each of the first 17 characters is weighted by 2**position, the sum is taken
modulo 11 and a remainder of 10 becomes 0 (``stdnum.iso6346`` computes it). Until an
official source confirms it for ICS2, ``is_valid_mrn(check=True)`` is our own check; the
validate stage (R3004) checks the structure only.
"""

from __future__ import annotations

import random
import re
import string
import threading
from datetime import datetime

from stdnum import iso6346

MRN_LENGTH = 18
MRN_PATTERN = re.compile(r"^(\d{2})([A-Z]{2})([A-Z0-9]{11})([A-Z])([A-Z])([A-Z0-9])$")
"""R3004: n2 a2 an11 a1 a1 an1 (upper case)."""

DEFAULT_TRADER_INTERFACE = "S"
"""[I] Trader-interface letter of the MRNs the simulator attributes: ``S`` for the shared
trader interface (STI). The code values are not in the reference."""
DEFAULT_PROCEDURE = "F"
"""[I] Procedure letter of the MRNs the simulator attributes (``F`` as in the IE3Fxx filings).
The code values are not in the reference."""

_UNIQUE_ALPHABET = string.ascii_uppercase + string.digits


_BODY = re.compile(r"[A-Z0-9]{17}")


def mrn_check_character(first17: str) -> str:
    """The check character of an MRN from its first 17 characters ([I] ISO 6346 style, see the
    module note), computed by ``stdnum.iso6346`` (python-stdnum), whose weighting and letter
    values are those of the standard for any length. Raises ValueError for a wrong length or a
    character outside A-Z, 0-9."""
    body = first17.upper()
    if len(body) != MRN_LENGTH - 1:
        raise ValueError(f"an MRN body has 17 characters, not {len(body)}")
    if _BODY.fullmatch(body) is None:
        bad = next(ch for ch in body if not ("A" <= ch <= "Z" or "0" <= ch <= "9"))
        raise ValueError(f"character {bad!r} is not allowed in an MRN")
    return str(iso6346.calc_check_digit(body))


def is_valid_mrn(value: str, *, check: bool = True) -> bool:
    """Whether ``value`` has the R3004 structure and (``check``) the right check character."""
    if not MRN_PATTERN.match(value):
        return False
    return not check or mrn_check_character(value[:17]) == value[17]


class MrnGenerator:
    """Attributes new MRNs for one country: never the same one twice in a process.

    ``seed`` makes the unique parts reproducible (tests); without it they come from the system
    random source. Thread-safe."""

    def __init__(self, *, country: str = "BE", trader_interface: str = DEFAULT_TRADER_INTERFACE,
                 procedure: str = DEFAULT_PROCEDURE, seed: int | None = None) -> None:
        country = country.upper()
        if not re.fullmatch(r"[A-Z]{2}", country):
            raise ValueError(f"MRN country must be two letters, not {country!r}")
        for name, letter in (("trader_interface", trader_interface), ("procedure", procedure)):
            if not re.fullmatch(r"[A-Z]", letter):
                raise ValueError(f"{name} must be one upper-case letter, not {letter!r}")
        self.country = country
        self.trader_interface = trader_interface
        self.procedure = procedure
        self._random = random.Random(seed) if seed is not None else random.SystemRandom()
        self._issued: set[str] = set()
        self._lock = threading.Lock()

    def next(self, when: datetime) -> str:
        """A new MRN attributed at ``when`` (its year gives the first two digits)."""
        with self._lock:
            while True:
                unique = "".join(self._random.choice(_UNIQUE_ALPHABET) for _ in range(11))
                body = (f"{when.year % 100:02d}{self.country}{unique}"
                        f"{self.trader_interface}{self.procedure}")
                mrn = body + mrn_check_character(body)
                if mrn not in self._issued:
                    self._issued.add(mrn)
                    return mrn
