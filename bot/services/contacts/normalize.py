"""Folding text for search: case, umlauts and ß, accents, punctuation.

"St.-Josef" and "st josef" fold alike; "Glashütte", "Glashuette" and "Glashutte" all find
each other, because indexed text is folded twice: umlauts written out (ü → ue) and umlauts
stripped (ü → u). Queries are folded the first way only.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_WRITTEN_OUT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})
_STRIPPED = str.maketrans({"ä": "a", "ö": "o", "ü": "u"})
_COMBINING = re.compile(r"[\u0300-\u036f]")  # accents left over after NFKD (é → e)
_NOT_WORD = re.compile(r"[\W_]+")  # punctuation, symbols, emoji, control characters
# Words written in more than one way in provider names.
_SYNONYMS = {"sankt": "st", "hl": "heilig"}


def _fold(text: str, umlauts: dict[int, str]) -> str:
    text = unicodedata.normalize("NFC", text).casefold().translate(umlauts)  # casefold: ß → ss
    text = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
    return " ".join(_SYNONYMS.get(word, word) for word in _NOT_WORD.sub(" ", text).split())


def fold(text: str) -> str:
    """Lower-case words, umlauts written out, everything else a single space."""
    return _fold(text, _WRITTEN_OUT)


@lru_cache(maxsize=8192)  # descriptions, services and team texts repeat across providers
def terms(text: str) -> frozenset[str]:
    """Every word under which ``text`` can be found (both umlaut spellings)."""
    return frozenset(_fold(text, _WRITTEN_OUT).split()) | frozenset(
        _fold(text, _STRIPPED).split())
