"""Ranking questions against the FAQ: BM25 (bm25s) per language, and how sure we are.

Every language has its own index, built from that language's entries with its
:class:`~bot.services.faq.analysis.Analyzer`; a question is looked up in all of them, so an
English question finds a German entry (and the answer is then given in the user's
language). Each entry is indexed twice: its question, other phrasings and tags ("main"),
and its answer, which counts less.

Two numbers come out per entry:

- **score**: BM25 summed over the question's words, each word counting once through its best
  alternative (the word itself, its compound parts, or a typo correction);
- **coverage**: the share of the question's meaning, weighted by how rare each word is, that
  the entry contains. A question about the weather shares no rare word with any entry, so its
  best coverage is low however the BM25 scores fall.

:func:`decide` turns them into confident / did-you-mean / no match with thresholds
calibrated on ``tests/faq_eval.yaml`` (see ``bench/faq.py``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

import bm25s
import numpy as np
import numpy.typing as npt

from bot.services.faq.analysis import Analyzer, QueryWord, words
from bot.services.faq.schema import Lexicon

Vector = npt.NDArray[np.float32]

ANSWER_WEIGHT = 0.3  # a word found only in the answer counts this much in the score …
ANSWER_COVERAGE = 0.5  # … and this much in the coverage
# In a question of more words than this, words no entry contains are small talk ("sorry, I am
# new here and …") and do not count against the coverage; in a short one they are the topic.
LONG_QUESTION = 10


@dataclass(frozen=True)
class Document:
    """What the index needs of one entry in one language."""

    key: str
    main: str  # question, other phrasings, tags
    answer: str


@dataclass(frozen=True)
class Match:
    key: str
    score: float
    coverage: float
    language: str


class Verdict(StrEnum):
    CONFIDENT = "confident"
    UNSURE = "unsure"
    NONE = "none"


@dataclass(frozen=True)
class Thresholds:
    """Calibrated on the evaluation set; ``python -m bench --only faq`` shows the effect."""

    confident: float = 0.65  # coverage of the best entry
    margin: float = 1.15  # best score ≥ margin × second best score
    unsure: float = 0.4  # coverage below this: no match at all
    suggestion: float = 0.5  # a suggestion needs this share of the best score


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    matches: tuple[Match, ...]  # the answer, the suggestions, or nothing
    about_the_work: bool = True  # False: no match, and off-topic (not for a lead either)


def _idf(df: float, n: int) -> float:
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


class LanguageIndex:
    """BM25 over the entries of one language, main field and answer separately."""

    def __init__(self, analyzer: Analyzer, documents: Sequence[Document]) -> None:
        self.analyzer = analyzer
        self.keys = [d.key for d in documents]
        main_tokens = [analyzer.document(d.main) for d in documents]
        answer_tokens = [analyzer.document(d.answer) for d in documents]
        self._main = self._bm25(main_tokens)
        self._answer = self._bm25(answer_tokens)
        n = max(len(documents), 1)
        df: dict[str, int] = {}
        for tokens in main_tokens:
            for token in set(tokens):
                df[token] = df.get(token, 0) + 1
        self._idf = {token: _idf(count, n) for token, count in df.items()}
        # A word no entry contains is as telling as the rarest known word.
        self._idf_unknown = _idf(1, n)
        analyzer.learn(
            set(df) | {t for tokens in answer_tokens for t in tokens},
            (w for d in documents for w in words(f"{d.main} {d.answer}")),
        )

    @staticmethod
    def _bm25(corpus: list[list[str]]) -> bm25s.BM25:
        index = bm25s.BM25()
        index.index(corpus, show_progress=False)
        return index

    def _vector(self, index: bm25s.BM25, token: str) -> Vector | None:
        ids = index.get_tokens_ids([token])
        if not ids:
            return None
        scores: Vector = index.get_scores_from_ids(ids)
        return scores

    def score(self, question: list[QueryWord]) -> tuple[Vector, Vector]:
        """(BM25 score, coverage) of every entry of this language."""
        n = len(self.keys)
        total = np.zeros(n, dtype=np.float32)
        covered = np.zeros(n, dtype=np.float32)
        weight_sum = 0.0
        long = len(question) > LONG_QUESTION
        for word in question:
            score, hit, idf = self._word(word, n)
            if long and not hit.any():
                continue
            weight = idf * word.importance
            total += score
            covered += weight * hit
            weight_sum += weight
        return total, covered / weight_sum if weight_sum else covered

    def _word(self, word: QueryWord, n: int) -> tuple[Vector, Vector, float]:
        """One word's best alternative per entry: its score, how well it is found (1 in the
        main field, less in the answer only), and how telling the word is (idf)."""
        score = np.zeros(n, dtype=np.float32)
        hit = np.zeros(n, dtype=np.float32)
        idf = 0.0
        for alt in word.alternatives:
            main = self._vector(self._main, alt.token)
            answer = self._vector(self._answer, alt.token)
            if main is None and answer is None:
                continue
            combined = np.zeros(n, dtype=np.float32)
            found = np.zeros(n, dtype=np.float32)
            if main is not None:
                combined += main
                found = np.maximum(found, (main > 0).astype(np.float32))
            if answer is not None:
                combined += ANSWER_WEIGHT * answer
                found = np.maximum(found, ANSWER_COVERAGE * (answer > 0))
            np.maximum(score, alt.weight * combined, out=score)
            np.maximum(hit, alt.weight * found, out=hit)
            # A word that only answers contain tells less than a rare word of a question.
            idf = max(idf, self._idf.get(alt.token, self._idf_unknown * ANSWER_COVERAGE))
        return score, hit, idf or self._idf_unknown


class FaqIndex:
    """The search over every language's entries."""

    def __init__(
        self, documents: Mapping[str, Sequence[Document]], lexicon: Lexicon,
        compound_vocabulary: Iterable[str] = (),
    ) -> None:
        vocabulary = [*lexicon.compound_parts, *compound_vocabulary]
        for docs in documents.values():
            for d in docs:
                vocabulary += words(f"{d.main} {d.answer}")
        self.languages = {
            language: LanguageIndex(Analyzer(language, lexicon, vocabulary), docs)
            for language, docs in documents.items() if docs
        }
        self.size = len({d.key for docs in documents.values() for d in docs})

    def understands(self, text: str) -> bool:
        """False for text without a single meaningful word ("Danke!", "ok", "hallo")."""
        return any(index.analyzer.question(text) for index in self.languages.values())

    def about_the_work(self, text: str) -> bool:
        """False for an off-topic question (the weather), which no lead should be asked."""
        return any(index.analyzer.about_the_work(text) for index in self.languages.values())

    def search(self, text: str, limit: int = 3, prefer: str | None = None) -> list[Match]:
        """The best ``limit`` entries, each in the language in which it matched best."""
        best: dict[str, Match] = {}
        for language, index in self.languages.items():
            question = index.analyzer.question(text)
            if not question:
                continue
            scores, coverage = index.score(question)
            top = np.argsort(-scores, kind="stable")[: limit * 3]
            for i in top:
                if scores[i] <= 0:
                    break
                match = Match(index.keys[i], float(scores[i]), float(coverage[i]), language)
                current = best.get(match.key)
                if current is None or _better(match, current, prefer):
                    best[match.key] = match
        ranked = sorted(best.values(), key=lambda m: (-m.score, -m.coverage, m.key))
        return ranked[:limit]


def _better(candidate: Match, current: Match, prefer: str | None) -> bool:
    if candidate.coverage != current.coverage:
        return candidate.coverage > current.coverage
    if candidate.score != current.score:
        return candidate.score > current.score
    return candidate.language == prefer


def decide(matches: Sequence[Match], thresholds: Thresholds | None = None) -> Decision:
    """Confident answer, up to three suggestions, or no match."""
    thresholds = thresholds or Thresholds()
    if not matches or matches[0].coverage < thresholds.unsure:
        return Decision(Verdict.NONE, ())
    first = matches[0]
    second = matches[1].score if len(matches) > 1 else 0.0
    if first.coverage >= thresholds.confident and first.score >= thresholds.margin * second:
        return Decision(Verdict.CONFIDENT, (first,))
    suggestions = tuple(
        m for m in matches[:3]
        if m.score >= thresholds.suggestion * first.score and m.coverage >= thresholds.unsure
    )
    return Decision(Verdict.UNSURE, suggestions)
