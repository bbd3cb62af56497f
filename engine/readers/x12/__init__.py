"""ANSI X12 reader: interchanges (ISA/GS/ST) into one source tree per transaction set.

The delimiters come from the ISA header; the 858 Shipment Information set feeds the ENS
pipeline, acknowledgements and other sets are recognised and routed. Node and field names are
the contract in ``docs/source-trees.md``; design and measurements in ``docs/x12-reader.md``.
"""

from ._lexer import Delimiters, Segment, lex, read_isa
from ._reader import ENS_SETS, looks_like_x12, read_x12

__all__ = ["ENS_SETS", "Delimiters", "Segment", "lex", "looks_like_x12", "read_isa",
           "read_x12"]
