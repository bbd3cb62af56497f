"""What every real-world corpus test checks of a file's run, whatever the format."""

from __future__ import annotations

from lxml import etree

from ensgate.pipeline import BatchResult
from ensgate.validate import check_schema

NS = {"e": "urn:wco:datamodel:eu:ics2:2"}


def check_accounting_and_filings(result: BatchResult, messages: int,
                                 filings: list[str]) -> None:
    """The message count, the accounting identity, the filing types, and every filing valid
    with no error left on it."""
    assert result.messages_in == messages
    assert result.check() == []
    assert sorted(f.filing for f in result.filings) == filings
    for f in result.filings:
        assert check_schema(etree.fromstring(f.xml)) == []
        assert not any(d.is_error for d in f.diagnostics)


def texts(xml: bytes, path: str) -> list[str]:
    """The texts of the elements at ``path`` (prefix ``e:`` = the ICS2 namespace)."""
    return [e.text or "" for e in etree.fromstring(xml).iterfind(path, NS)]
