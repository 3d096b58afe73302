"""From text to search terms: one :class:`Analyzer` per language.

A word goes through these steps, the same for the entries and for a question, so that the
two meet whatever way a person spells it:

1. phrases and words of the lexicon's synonym groups become the group's key (``=fua``);
   abbreviations are looked up before umlauts are folded, because FuA and FüA differ;
2. stop words and fillers are dropped (German and English lists in every language, since
   people mix them);
3. umlauts and their spellings are folded (ü/ue → u, ß → ss) and the word is stemmed with
   the language's Snowball stemmer (PyStemmer);
4. a long German compound is split into known words (``Budget|antrag``, ``Steuerungs|gruppe``);
5. only for questions: a word the index does not know is matched to the closest known word
   (RapidFuzz, Damerau-Levenshtein), so that typos still find their entry – unless it is a
   real German or English word (:mod:`bot.services.faq.dictionary`): "Boot" is no typo of
   "book", and a real word the FAQ does not know tells that the FAQ may not know the topic.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

import Stemmer
from bm25s.stopwords import STOPWORDS_EN_PLUS, STOPWORDS_GERMAN
from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from bot.services.faq.dictionary import is_real_word
from bot.services.faq.schema import Lexicon

EXACT_MARK = "^"  # a lexicon member that must not match by its stem: ^trage (≠ Träger)
SYNONYM_MARK = "="  # never produced by the tokenizer, so a key cannot clash with a word
STEMMERS = {"de": "german", "en": "english"}
_WORD = re.compile(r"[0-9a-zäöüß]+")
# A phrase of the lexicon never spans these: "… zu machen, mit Kaffee" is no "machen mit".
_CLAUSE_BREAK = re.compile(r"[,;:!?()\n]|\.(?!\d)")
_UE = re.compile(r"(?<![aeiouq])ue")
MIN_COMPOUND = 8  # shorter words are not split
MIN_PART = 3
MIN_HEAD = 5  # the known last part of an unknown compound: Spiel|regeln, Not|unterbringung
_LINKS = ("", "s", "es", "n", "en", "e")  # German linking elements: Steuerung|s|gruppe
MIN_FUZZY = 4
FUZZY_WEIGHT = 0.8  # a corrected typo counts a little less than the word itself
HEAD_WEIGHT = 0.8  # so does the last part of a compound for the whole compound
QUESTION_WORD_IMPORTANCE = 0.25
# A person of a group named by an abbreviation: "ASDler", "WJHlerin" → the ASD, the WJH.
_PERSON_SUFFIXES = ("lerinnen", "lerin", "lern", "ler")


@lru_cache(maxsize=65536)
def fold(word: str) -> str:
    """One spelling for umlaut variants: ``Träger``, ``Traeger`` → ``trager``; ß → ss."""
    word = word.lower().replace("ß", "ss")
    word = word.replace("ä", "a").replace("ö", "o").replace("ü", "u")
    word = word.replace("ae", "a").replace("oe", "o")
    return _UE.sub("u", word)


def words(text: str) -> list[str]:
    """Lower-case words; hyphens, slashes and punctuation separate them."""
    return _WORD.findall(text.lower())


@dataclass(frozen=True)
class Alternative:
    token: str
    weight: float = 1.0


@dataclass(frozen=True)
class QueryWord:
    """One meaningful word of a question and the index tokens that may stand for it.

    ``importance`` is below 1 for question words (who, when, how): they help to tell "who
    decides" from "how do I request", but say little about whether the FAQ knows the topic.
    """

    text: str
    alternatives: tuple[Alternative, ...]
    importance: float = 1.0


class Analyzer:
    """Text of one language → index tokens; knows the lexicon and, once set, the vocabulary."""

    def __init__(self, language: str, lexicon: Lexicon, compound_vocabulary: Iterable[str]):
        self.language = language
        self._stemmer = Stemmer.Stemmer(STEMMERS[language])
        fillers = {fold(w) for w in lexicon.fillers}
        self._stopwords = frozenset(
            {fold(w) for w in (*STOPWORDS_GERMAN, *STOPWORDS_EN_PLUS)} | fillers
        )
        self._raw: dict[str, str] = {}  # exact lower-case word → key (FuA ≠ FüA)
        self._phrases: dict[tuple[str, ...], str] = {}
        self._stems: dict[str, str] = {}
        for key, members in lexicon.synonyms.items():
            for member in members:
                parts = words(member)
                if len(parts) > 1:
                    self._phrases.setdefault(tuple(fold(p) for p in parts), key)
                elif parts:
                    self._raw.setdefault(parts[0], key)
                    if not member.startswith(EXACT_MARK):
                        self._stems.setdefault(self._stem(fold(parts[0])), key)
        self._longest_phrase = max((len(p) for p in self._phrases), default=1)
        self._question_words = frozenset(SYNONYM_MARK + key for key in lexicon.question_words)
        self._splitter = CompoundSplitter(
            w for w in {fold(v) for v in compound_vocabulary}
            if len(w) >= MIN_PART and w not in self._stopwords
        )
        self._known: frozenset[str] = frozenset()
        self._topic = frozenset(
            SYNONYM_MARK + word if word in lexicon.synonyms else self._token(word.lower())
            for word in lexicon.topic_words
        ) - {None}
        self._surface: list[str] = []
        self.correct = lru_cache(maxsize=4096)(self._correct)
        self.token = lru_cache(maxsize=65536)(self._token)

    # -- building blocks -----------------------------------------------------------------------

    def _stem(self, folded: str) -> str:
        stem = self._stemmer.stemWord(folded)
        return str(stem)

    def _token(self, raw: str) -> str | None:
        """The index token of one word, or None for a stop word."""
        key = self._raw.get(raw) or self._abbreviation_person(raw)
        if key is not None:
            return SYNONYM_MARK + key
        folded = fold(raw)
        if folded in self._stopwords or raw in self._stopwords:
            return None
        stem = self._stem(folded)
        key = self._stems.get(stem)
        return SYNONYM_MARK + key if key is not None else stem

    def _abbreviation_person(self, raw: str) -> str | None:
        for suffix in _PERSON_SUFFIXES:
            if raw.endswith(suffix):
                return self._raw.get(raw[: -len(suffix)])
        return None

    def split(self, folded: str) -> tuple[str, ...] | None:
        """A compound as its parts, or None if it is not one."""
        return self._splitter.split(folded)

    def _units(self, text: str) -> Iterator[tuple[str, str | None]]:
        """(word, synonym key) per unit of text; a matched phrase is one unit."""
        for clause in _CLAUSE_BREAK.split(text):
            yield from self._clause_units(clause)

    def _clause_units(self, clause: str) -> Iterator[tuple[str, str | None]]:
        raw = words(clause)
        folded = [fold(w) for w in raw]
        i = 0
        while i < len(raw):
            for size in range(min(self._longest_phrase, len(raw) - i), 1, -1):
                key = self._phrases.get(tuple(folded[i:i + size]))
                if key is not None:
                    yield " ".join(raw[i:i + size]), key
                    i += size
                    break
            else:
                yield raw[i], None
                i += 1

    # -- documents -----------------------------------------------------------------------------

    def document(self, text: str) -> list[str]:
        """Index tokens of an entry's text: every word, and the parts of compounds."""
        tokens: list[str] = []
        for word, key in self._units(text):
            if key is not None:
                tokens.append(SYNONYM_MARK + key)
                continue
            token = self.token(word)
            if token is None:
                continue
            tokens.append(token)
            for part in self.split(fold(word)) or ():  # also for synonyms: Steuerungs|gruppe
                part_token = self.token(part)
                if part_token is not None and part_token != token:
                    tokens.append(part_token)
        return tokens

    def learn(self, known_tokens: Iterable[str], surface_words: Iterable[str]) -> None:
        """Tell the analyzer what the index holds, for typo correction of questions."""
        self._known = frozenset(known_tokens)
        # Frequent words first: on a tie the more common word is the likelier meaning.
        counts: dict[str, int] = {}
        for word in surface_words:
            folded = fold(word)
            if len(folded) >= MIN_FUZZY and folded not in self._stopwords:
                counts[folded] = counts.get(folded, 0) + 1
        self._surface = sorted(counts, key=lambda w: (-counts[w], w))
        self.correct.cache_clear()

    # -- questions -----------------------------------------------------------------------------

    def question(self, text: str) -> list[QueryWord]:
        """The meaningful words of a question with the tokens that may stand for each."""
        found: dict[str, QueryWord] = {}
        for word, key in self._units(text):
            for query_word in self._query_words(word, key):
                found.setdefault(query_word.text, query_word)
        return list(found.values())

    def _query_words(self, word: str, key: str | None) -> list[QueryWord]:
        token = SYNONYM_MARK + key if key is not None else self.token(word)
        if token is None:
            return []
        if token in self._question_words:
            return [QueryWord(word, (Alternative(token),), QUESTION_WORD_IMPORTANCE)]
        if token in self._known or token.startswith(SYNONYM_MARK):
            return [QueryWord(word, (Alternative(token),))]
        parts = self.split(fold(word))
        if parts:
            part_words = [
                QueryWord(part, (Alternative(part_token),))
                for part in parts
                if (part_token := self.token(part)) is not None
            ]
            if part_words:
                return part_words
        corrected = None if is_real_word(word) else self.correct(fold(word))
        if corrected is not None:
            fixed = self.token(corrected)
            if fixed is not None and fixed != token:
                return [QueryWord(word, (Alternative(token), Alternative(fixed, FUZZY_WEIGHT)))]
        # A German compound names a kind of its last part: "Spielregeln" are rules.
        head = self._splitter.head(fold(word))
        head_token = self.token(head) if head is not None else None
        if head_token is not None and head_token != token:
            return [QueryWord(word, (Alternative(token), Alternative(head_token, HEAD_WEIGHT)))]
        return [QueryWord(word, (Alternative(token),))]

    def about_the_work(self, text: str) -> bool:
        """Whether the question is about the work, even if no entry answers it: it names a topic
        word of the lexicon (pay, leave, a case, the ASD …) or a word that only this FAQ knows
        (a district, a provider, a project term – known to the index, in no dictionary)."""
        for query_word in self.question(text):
            if query_word.importance < 1:
                continue
            token = query_word.alternatives[0].token
            if token in self._topic or (token in self._known and not is_real_word(query_word.text)):
                return True
        return False

    def _correct(self, folded: str) -> str | None:
        """The closest known word within one edit (two for long words), if any."""
        if len(folded) < MIN_FUZZY or not self._surface:
            return None
        limit = 1 if len(folded) < 7 else 2
        match = process.extractOne(
            folded, self._surface, scorer=DamerauLevenshtein.distance, score_cutoff=limit
        )
        return str(match[0]) if match is not None else None


class CompoundSplitter:
    """Splits German compounds into known words: ``steuerungsgruppe`` → steuerung, gruppe.

    A part may end in a linking element (Steuerung-s-gruppe); of all splits the one with the
    fewest parts wins, so known long words are preferred to many short ones.
    """

    def __init__(self, vocabulary: Iterable[str]) -> None:
        known = set(vocabulary)
        self._base: dict[str, str] = {}
        for word in known:
            for link in _LINKS:
                self._base.setdefault(word + link, word)
        for word in known:
            self._base[word] = word  # a word that is known as such needs no link
        self.split = lru_cache(maxsize=8192)(self._split)

    def _split(self, word: str) -> tuple[str, ...] | None:
        if len(word) < MIN_COMPOUND:
            return None
        n = len(word)
        best: list[tuple[str, ...] | None] = [None] * (n + 1)
        best[0] = ()
        for end in range(MIN_PART, n + 1):
            for start in range(0, end - MIN_PART + 1):
                if start == 0 and end == n:
                    continue  # the whole word is no split
                prefix = best[start]
                base = self._base.get(word[start:end]) if prefix is not None else None
                if base is None or prefix is None:
                    continue
                current = best[end]
                if current is None or len(prefix) + 1 < len(current):
                    best[end] = (*prefix, base)
        found = best[n]
        return found if found is not None and len(found) > 1 else None

    def head(self, word: str) -> str | None:
        """The longest known word that ends a compound whose beginning is unknown, if any."""
        if len(word) < MIN_COMPOUND:
            return None
        for start in range(MIN_PART, len(word) - MIN_HEAD + 1):
            base = self._base.get(word[start:])
            if base is not None:
                return base
        return None
