"""IATA Cargo-IMP reader: FWB, FHL, FZB and FFM into source trees with positions.

Status and answer messages (FSU, FSA, FNA, FMA...) are recognised and returned with
``is_ens_input=False``; node and field names are the contract in ``docs/source-trees.md``;
the message layouts are data (``layouts/*.yaml``), see ``docs/cargo-imp-reader.md``.
"""

from ._reader import looks_like_cargoimp, next_index, read_cargoimp, read_cargoimp_piece
from ._reassemble import reassemble
from ._types import MESSAGE_TYPES, MessageType

__all__ = ["MESSAGE_TYPES", "MessageType", "looks_like_cargoimp", "next_index",
           "read_cargoimp", "read_cargoimp_piece", "reassemble"]
