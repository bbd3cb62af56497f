"""A stop word inside a long, specific description is not flagged; in a short one it warns."""

from __future__ import annotations

from ensgate.validate.rules._stopwords import SHIPPED_STOPWORDS, Verdict, _classify


def test_threshold() -> None:
    long = "HYDRAULIC DISC BRAKE CALIPERS FOR BICYCLES IN 8 CARTONS"
    assert _classify(SHIPPED_STOPWORDS, long, True).verdict is Verdict.CLEAN
    assert _classify(SHIPPED_STOPWORDS, "PARTS IN CARTONS", True).verdict is Verdict.STANDALONE
    assert _classify(SHIPPED_STOPWORDS, "BICYCLE PARTS", True).verdict is Verdict.CONTAINS
