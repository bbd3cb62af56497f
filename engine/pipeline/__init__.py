"""The batch pipeline: files in, ENS filings and rejects out."""

from ._batch import BatchResult, Filing, Reject, TranslateOptions, translate, translate_bytes
from ._batch import translate_messages
from ._inputs import iter_input_files, read_file, read_messages
from ._output import summarise, write_batch

__all__ = [
    "BatchResult",
    "Filing",
    "Reject",
    "TranslateOptions",
    "iter_input_files",
    "read_file",
    "read_messages",
    "summarise",
    "translate",
    "translate_bytes",
    "translate_messages",
    "write_batch",
]
