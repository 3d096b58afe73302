"""Fuzzy ranking of directory entries with RapidFuzz.

Every entry is a set of weighted texts (name, services, contact people, teams, districts).
A query word scores against each indexed word: exact 100, a prefix ("pestaloz") 95, a small
typo by edit ratio ("pestalozi" ≈ 95), a word inside a compound ("zentrum") 90, an
abbreviation in the data ("Evang." for "evangelische") 90. An entry's score for a query word
is the best such score times the weight of the text it was found in; its total is the mean
over the query's known words. Words found nowhere ("bitte", "wer") are ignored, so a question
in plain words still finds the provider it names.

A field may belong to a group (say "name"): a hit also says in which groups alone it would
have been a hit, so that a caller can show why it matched ("in the name", "in the district").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.services.contacts.normalize import fold, terms

MIN_SCORE = 72.0  # an entry below this is not a hit
TYPO_CUTOFF = 80.0  # edit similarity of a misspelt word (Levenshtein ratio, 0..100)
COMPOUND_CUTOFF = 90.0  # a query word inside a longer word
MAX_WORDS = 12  # longer queries are cut: nobody types more to find a provider
SUGGEST_FLOOR = 30.0


@dataclass(frozen=True)
class Field:
    text: str
    weight: float
    group: str | None = None


@dataclass(frozen=True)
class Entry:
    key: int
    label: str
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class Scored:
    key: int
    label: str
    score: float
    groups: frozenset[str] = frozenset()  # field groups that alone make it a hit


def query_words(query: str) -> list[str]:
    """The folded words of a query, without repeats, at most :data:`MAX_WORDS`.

    Single letters ("Süd B") count only beside a longer word: alone they match too much.
    """
    words = list(dict.fromkeys(fold(query).split()))[:MAX_WORDS]
    return words if any(len(word) > 1 for word in words) else []


class SearchIndex:
    """An inverted index from words to entries; built per query, so never stale."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self.entries: list[Entry] = list(entries)
        ids: dict[str, int] = {}
        postings: list[dict[int, float]] = []
        # (word, entry) → group → the best weight of the word in the entry's fields of it
        grouped: dict[tuple[int, int], dict[str, float]] = {}
        for position, entry in enumerate(self.entries):
            for field in entry.fields:
                for word in terms(field.text):
                    word_id = ids.setdefault(word, len(ids))
                    if word_id == len(postings):
                        postings.append({})
                    if field.weight > postings[word_id].get(position, 0.0):
                        postings[word_id][position] = field.weight
                    if field.group is not None:
                        weights = grouped.setdefault((word_id, position), {})
                        weights[field.group] = max(weights.get(field.group, 0.0), field.weight)
        self._words = list(ids)
        self._postings = postings
        self._grouped = grouped

    def rank(self, query: str) -> tuple[list[Scored], list[Scored]]:
        """Hits by relevance, and (when there are none) close entries to suggest."""
        per_word: list[dict[int, float]] = []
        known = []
        word_scores: list[dict[int, float]] = []
        for word in query_words(query):
            scores = self._word_scores(word)
            if not scores:
                continue  # a word found nowhere: ignored
            known.append(word)
            word_scores.append(scores)
            best: dict[int, float] = {}
            for word_id, score in scores.items():
                for position, weight in self._postings[word_id].items():
                    best[position] = max(best.get(position, 0.0), score * weight)
            per_word.append(best)
        if all(len(word) == 1 for word in known):
            per_word = []  # only single letters were found: "<b>" is not "Süd B"
        totals: dict[int, float] = {}
        for best in per_word:
            for position, score in best.items():
                totals[position] = totals.get(position, 0.0) + score / len(per_word)
        ranked = sorted(totals.items(), key=lambda item: (-item[1], fold(self._label(item[0]))))
        hits = [self._scored(p, s, self._groups(p, word_scores))
                for p, s in ranked if s >= MIN_SCORE]
        if hits:
            return hits, []
        near = [self._scored(p, s) for p, s in ranked if s >= SUGGEST_FLOOR][:3]
        return [], near or self._similar_labels(query)

    def _word_scores(self, word: str) -> dict[int, float]:
        scores: dict[int, float] = {}

        def keep(word_id: int, score: float) -> None:
            scores[word_id] = max(scores.get(word_id, 0.0), score)

        if len(word) >= 4:
            for _, score, word_id in process.extract(
                word, self._words, scorer=fuzz.ratio, score_cutoff=TYPO_CUTOFF, limit=None
            ):
                keep(word_id, score)
            for _, score, word_id in process.extract(
                word, self._words, scorer=fuzz.partial_ratio, score_cutoff=COMPOUND_CUTOFF,
                limit=None,
            ):
                if len(self._words[word_id]) > len(word):  # the query word inside a longer one
                    keep(word_id, score * 0.9)
        for word_id, indexed in enumerate(self._words):
            if indexed == word:
                keep(word_id, 100.0)
            elif indexed.startswith(word):
                keep(word_id, 95.0 if len(word) >= 3 else 65.0)
            elif len(indexed) >= 5 and word.startswith(indexed):
                keep(word_id, 90.0)  # the data abbreviates: "evang" for "evangelische"
        return scores

    def _similar_labels(self, query: str) -> list[Scored]:
        folded = " ".join(query_words(query))
        if not folded:
            return []
        labels = [fold(entry.label) for entry in self.entries]
        return [
            self._scored(position, score)
            for _, score, position in process.extract(
                folded, labels, scorer=fuzz.WRatio, score_cutoff=65, limit=3
            )
        ]

    def _groups(self, position: int, word_scores: list[dict[int, float]]) -> frozenset[str]:
        """The field groups in which the entry alone scores as a hit, as :meth:`rank`
        scores it over all fields."""
        totals: dict[str, float] = {}
        for scores in word_scores:
            best: dict[str, float] = {}
            for word_id, score in scores.items():
                for group, weight in self._grouped.get((word_id, position), {}).items():
                    best[group] = max(best.get(group, 0.0), score * weight)
            for group, value in best.items():
                totals[group] = totals.get(group, 0.0) + value / len(word_scores)
        return frozenset(group for group, total in totals.items() if total >= MIN_SCORE)

    def _label(self, position: int) -> str:
        return self.entries[position].label

    def _scored(self, position: int, score: float,
                groups: frozenset[str] = frozenset()) -> Scored:
        entry = self.entries[position]
        return Scored(entry.key, entry.label, round(score, 1), groups)
