"""UN/EDIFACT reader: CUSCAR and IFTMIN interchanges into source trees with positions.

Our own streaming lexer (UNA, release character, UNB syntax identifier as codec, segment index,
byte offset, line/column) feeds an envelope walker that checks every UNT/UNE/UNZ control count.
Node and field names are the contract in ``docs/source-trees.md``; see
``docs/edifact-reader.md``.
"""

from ._envelope import EnvelopeWalker, Interchange, RawMessage
from ._layout import MESSAGE_KINDS
from ._lexer import Lexer, LexProblem, Segment
from ._reader import read_edifact
from ._syntax import CODECS, DEFAULT, Delimiters, looks_like_edifact

__all__ = [
    "CODECS",
    "DEFAULT",
    "MESSAGE_KINDS",
    "Delimiters",
    "EnvelopeWalker",
    "Interchange",
    "LexProblem",
    "Lexer",
    "RawMessage",
    "Segment",
    "looks_like_edifact",
    "read_edifact",
]
