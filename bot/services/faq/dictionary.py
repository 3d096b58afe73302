"""Real German and English words, so that typo correction never "corrects" one.

A word of a question that the FAQ does not know is matched to the closest FAQ word (see
:mod:`bot.services.faq.analysis`); that must not turn a real word into a different one
("Boot" into "book", "verdient" into "verdienst"). The word lists are those that
pyspellchecker ships in its wheel (``resources/de.json.gz``, ``en.json.gz``: every word with
its frequency, sorted). They are read once per process, on the first question that needs
them, and kept as the decompressed bytes with the offset of every line: about 10 MB and a
binary search per look-up, where a set of the half million words would take five times the
memory and a second to build.
"""

from __future__ import annotations

import gzip
import threading
from importlib import resources

import numpy as np
import numpy.typing as npt

LANGUAGES = ("de", "en")
_UMLAUTS = (("ae", "ä"), ("oe", "ö"), ("ue", "ü"), ("ss", "ß"))


class WordList:
    """One sorted word list: lines ``"word": frequency,`` of a JSON object."""

    def __init__(self, document: bytes) -> None:
        # Only the lines between "{" and "}", each starting with its quoted word.
        self._blob = document[document.index(b'"'):document.rindex(b"\n")]
        newlines = np.flatnonzero(np.frombuffer(self._blob, dtype=np.uint8) == ord("\n"))
        self._starts: npt.NDArray[np.int64] = np.concatenate(([0], newlines + 1))

    def __len__(self) -> int:
        return len(self._starts)

    def _word(self, line: int) -> bytes:
        start = int(self._starts[line]) + 1
        return self._blob[start:self._blob.index(b'"', start)]

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str):
            return False
        key = word.encode()
        low, high = 0, len(self._starts)
        while low < high:
            middle = (low + high) // 2
            if self._word(middle) < key:
                low = middle + 1
            else:
                high = middle
        return low < len(self._starts) and self._word(low) == key


_lock = threading.Lock()
_lists: tuple[WordList, ...] | None = None


def word_lists() -> tuple[WordList, ...]:
    """The German and English lists, read on first use (index builds run in threads)."""
    global _lists
    with _lock:
        if _lists is None:
            package = resources.files("spellchecker") / "resources"
            _lists = tuple(
                WordList(gzip.decompress((package / f"{language}.json.gz").read_bytes()))
                for language in LANGUAGES
            )
        return _lists


def is_real_word(word: str) -> bool:
    """True if the lower-case ``word`` is German or English, also typed "ue" for "ü"."""
    spellings = {word}
    for typed, letter in _UMLAUTS:
        spellings |= {s.replace(typed, letter) for s in spellings if typed in s}
    return any(s in words for words in word_lists() for s in spellings)
