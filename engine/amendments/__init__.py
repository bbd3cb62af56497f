"""Amendments (IE3Axx) of registered ENS filings: compare, refuse what R3024 forbids, build.

``build_amendment(registered, corrected, mrn)`` takes what was registered (the filing's XML, or
its dataset) and the corrected dataset (or XML) of the same filing type, lists every change,
refuses the changes rule R3024 forbids (AMD004, with the XPath and the registered vs the new
value) and otherwise writes the IE3Axx: the FULL new dataset against the MRN, as the ICD v3.30
(2.1.2) requires ("the updated data-set ... completely replaces the data-set previously
associated with the MRN"). See docs/amendments.md for what is read and what is inferred.
"""

from ._build import (
    AMENDMENT_OF,
    Amendment,
    Change,
    amendment_locks,
    build_amendment,
    locked_changes,
)

__all__ = ["AMENDMENT_OF", "Amendment", "Change", "amendment_locks", "build_amendment",
           "locked_changes"]
