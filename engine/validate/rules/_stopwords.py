"""Goods-description and party stop words: loading the data file and classifying a text.

The list is data (``ensgate/validate/data/stopwords.yaml``, with version date and sources) so
that it can follow DG TAXUD's updates without a code change. The decision logic follows
rules.md "Decision logic for the engine", which is itself [I] (built from third-party pages):

1. normalise: case-fold, split into words, ignore a trailing plural "s";
2. only stop words plus filler              -> ``standalone`` (DQ001 / DQ004, error);
3. junk pattern (checked on the raw text)   -> ``junk`` (DQ003, error);
4. a stop word among other content words    -> ``contains`` (DQ002, warning);
5. no content word at all (only filler)     -> ``no_content`` (DQ002, warning) [I].
"""

from __future__ import annotations

import enum
import functools
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

_WORD = re.compile(r"[^\W_]+")
_DIGITS = re.compile(r"^\d+(?:x)?$")


SPECIFIC_ENOUGH = 4  # content words besides stop words that make a description specific [I]


class Verdict(enum.Enum):
    CLEAN = "clean"
    STANDALONE = "standalone"
    CONTAINS = "contains"
    NO_CONTENT = "no_content"
    JUNK = "junk"


@dataclass(frozen=True, slots=True, kw_only=True)
class TextVerdict:
    """How a text fared: the verdict, the stop phrases found, and (for junk) why."""

    verdict: Verdict
    matched: tuple[str, ...] = ()
    reason: str = ""


def _canon(word: str) -> str:
    """Word key: case-folded, one trailing plural "s" dropped (not after "s")."""
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _words(value: str) -> list[str]:
    return [_canon(w) for w in _WORD.findall(value.casefold())]


@dataclass(frozen=True, eq=False, slots=True, kw_only=True)
class StopWords:
    """A loaded stop-word list (hashable by identity, so verdicts can be cached)."""

    version: str
    sources: tuple[str, ...]
    goods: dict[str, tuple[tuple[str, ...], ...]]
    party: dict[str, tuple[tuple[str, ...], ...]]
    goods_phrases: dict[tuple[str, ...], str]
    party_phrases: dict[tuple[str, ...], str]
    filler: frozenset[str]
    function_words: frozenset[str]
    file_extensions: frozenset[str]

    def classify_goods(self, value: str) -> TextVerdict:
        """Verdict on a goods description (cached per distinct text)."""
        return _classify(self, value, True)

    def classify_party(self, value: str) -> TextVerdict:
        """Verdict on a party name or address field (only ``standalone`` matters there)."""
        return _classify(self, value, False)


def _phrase_table(
    entries: list[str], disabled: frozenset[str]
) -> tuple[dict[str, tuple[tuple[str, ...], ...]], dict[tuple[str, ...], str]]:
    """First word -> candidate phrases (longest first); phrase key -> entry as written."""
    by_first: dict[str, list[tuple[str, ...]]] = {}
    spelled: dict[tuple[str, ...], str] = {}
    for entry in entries:
        key = tuple(_words(str(entry)))
        if not key or str(entry).casefold() in disabled:
            continue
        spelled.setdefault(key, str(entry))
        by_first.setdefault(key[0], []).append(key)
    table = {k: tuple(sorted(set(v), key=len, reverse=True)) for k, v in by_first.items()}
    return table, spelled


def stopwords_from_mapping(data: dict[str, Any]) -> StopWords:
    """Build a :class:`StopWords` from the parsed YAML mapping."""
    disabled = frozenset(str(x).casefold() for x in data.get("disabled") or ())
    goods, goods_spelled = _phrase_table(list(data.get("goods") or ()), disabled)
    party, party_spelled = _phrase_table(list(data.get("party") or ()), disabled)
    return StopWords(
        version=str(data.get("version", "")),
        sources=tuple(str(s) for s in data.get("sources") or ()),
        goods=goods,
        party=party,
        goods_phrases=goods_spelled,
        party_phrases=party_spelled,
        filler=frozenset(_canon(str(w).casefold()) for w in data.get("filler") or ()),
        function_words=frozenset(str(w).casefold() for w in data.get("function_words") or ()),
        file_extensions=frozenset(str(w).casefold() for w in data.get("file_extensions") or ()),
    )


def load_stopwords(path: str | Path | None = None) -> StopWords:
    """Load a stop-word file; None loads the list shipped with ensgate."""
    if path is None:
        raw = (resources.files("ensgate.validate") / "data" / "stopwords.yaml").read_text(
            encoding="utf-8")
    else:
        raw = Path(path).read_text(encoding="utf-8")
    data = yaml.safe_load(raw)
    if not isinstance(data, dict):
        raise ValueError("stop-word file must be a YAML mapping")
    return stopwords_from_mapping(data)


def _junk_reason(value: str, extensions: frozenset[str]) -> str:
    """Why a raw text is junk ('' if it is not); rules.md "Other patterns"."""
    stripped = value.strip()
    if not stripped:
        return "only blanks"
    if not any(ch.isalpha() for ch in stripped):
        if any(ch.isdigit() for ch in stripped):
            return "only digits (and punctuation)"
        return "only punctuation or special characters"
    compact = "".join(stripped.split())
    if len(compact) >= 3 and len(set(compact.casefold())) == 1:
        return "one character repeated"
    if stripped.lstrip(".").casefold() in extensions and " " not in stripped:
        return "only a file extension"
    return ""


@functools.lru_cache(maxsize=8192)
def _classify(stop: StopWords, value: str, goods: bool) -> TextVerdict:
    table = stop.goods if goods else stop.party
    spelled = stop.goods_phrases if goods else stop.party_phrases
    if goods:
        reason = _junk_reason(value, stop.file_extensions)
        if reason:
            return TextVerdict(verdict=Verdict.JUNK, reason=reason)
    words = _words(value)
    matched: list[str] = []
    content = 0
    i = 0
    while i < len(words):
        hit = None
        for phrase in table.get(words[i], ()):
            if tuple(words[i:i + len(phrase)]) == phrase:
                hit = phrase
                break
        if hit is not None:
            matched.append(spelled[hit])
            i += len(hit)
            continue
        w = words[i]
        if not (w in stop.filler or w in stop.function_words or _DIGITS.match(w)):
            content += 1
        i += 1
    if matched:
        if content >= SPECIFIC_ENOUGH:
            # Enough other words to pin the goods down ("brake pads ... in 8 cartons"):
            # rules.md says a contained stop word is then usually fine, so no warning [I].
            return TextVerdict(verdict=Verdict.CLEAN, matched=tuple(matched))
        verdict = Verdict.CONTAINS if content else Verdict.STANDALONE
        return TextVerdict(verdict=verdict, matched=tuple(matched))
    if goods and not content and words:
        return TextVerdict(verdict=Verdict.NO_CONTENT)
    return TextVerdict(verdict=Verdict.CLEAN)


SHIPPED_STOPWORDS: StopWords = load_stopwords()
"""The list shipped with ensgate, loaded once at import time."""
