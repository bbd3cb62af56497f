"""Operator wording of ebMS errors and the public surface of the AS4 package."""

from __future__ import annotations

import ensgate.connectors.as4 as as4
import ensgate.connectors.simulator as simulator
from ensgate.connectors.as4 import As4AuthorizationError, error_signal, explain
from ensgate.seal import as4_error, uumds_error


def test_uumds_subcode_is_named_and_explained() -> None:
    err = uumds_error("A001", ref_to_message_id="m1")
    text = explain(err)
    assert text.startswith("EBMS:0004 Other, UUM&DS A001:")
    assert "authori" in text
    signal = error_signal([err], message_id="m1")
    assert isinstance(signal, As4AuthorizationError) and signal.subcode == "A001"
    assert "m1" in str(signal)


def test_each_code_gets_its_name_and_what_the_peer_said() -> None:
    err = as4_error("EBMS:0101", description="digest mismatch on cid:payload")
    text = explain(err)
    assert text.startswith("EBMS:0101 FailedAuthentication: ")
    assert text.endswith("(digest mismatch on cid:payload)")
    empty = error_signal([as4_error("EBMS:0006")], message_id=None)
    assert empty.empty_mpc and not isinstance(empty, As4AuthorizationError)
    both = error_signal([as4_error("EBMS:0006"), as4_error("EBMS:0004")], message_id=None)
    assert not both.empty_mpc and both.codes == ("EBMS:0006", "EBMS:0004")


def test_public_names_are_exactly_all() -> None:
    for module in (as4, simulator):
        public = {n for n in dir(module) if not n.startswith("_")}
        exported = set(module.__all__)
        assert exported <= public
        leaked = {n for n in public - exported
                  if not isinstance(getattr(module, n), type(as4))}  # submodules are fine
        assert leaked == set(), leaked
        assert list(module.__all__) == sorted(module.__all__, key=lambda n: (not n.isupper(),
                                                                              n))
