"""The batch pipeline: files in, ENS filings and rejects out."""

from ._batch import (
    BatchResult,
    Filing,
    Reject,
    TranslateOptions,
    translate_bytes,
    translate_messages,
)
from ._inputs import iter_input_files, read_file, read_messages
from ._output import BatchWriter, summarise, write_batch
from ._stream import iter_pieces, translate, translate_to_folder

__all__ = [
    "BatchResult",
    "BatchWriter",
    "Filing",
    "Reject",
    "TranslateOptions",
    "iter_input_files",
    "iter_pieces",
    "read_file",
    "read_messages",
    "summarise",
    "translate",
    "translate_bytes",
    "translate_messages",
    "translate_to_folder",
    "write_batch",
]
