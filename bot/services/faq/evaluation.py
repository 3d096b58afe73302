"""Measure the FAQ search on a labelled set: accuracy, false answers, time per question.

Used by the quality test (a floor that must hold) and by ``make bench`` (the figures).
The sets are ``tests/faq_eval.yaml`` and ``tests/faq_phone.yaml``; their headers say how they
were written.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot import yaml_files
from bot.services.faq.ranking import FaqIndex, Thresholds, Verdict, decide


class LabelledQuestion(BaseModel):
    """A question and its right entry (``id``), or the entries that answer it equally well
    (``ids``: any of them counts as right); exactly one of the two."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    q: str
    id: str | None = None
    ids: tuple[str, ...] = ()
    locale: str = "de"

    @model_validator(mode="after")
    def _one_label(self) -> LabelledQuestion:
        if (self.id is None) == (not self.ids):
            raise ValueError(f"{self.q!r}: give either id or ids")
        return self

    @property
    def right(self) -> tuple[str, ...]:
        return self.ids or (self.id or "",)  # the validator saw to it that one is given

    @property
    def label(self) -> str:
        return " | ".join(self.right)


class EvalSet(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    questions: tuple[LabelledQuestion, ...] = Field(min_length=1)
    no_match: tuple[str, ...] = Field(min_length=1)
    holdout: tuple[LabelledQuestion, ...] = ()
    holdout_no_match: tuple[str, ...] = ()


def load_eval_set(path: Path) -> EvalSet:
    return EvalSet.model_validate(yaml_files.safe_load(path.read_text(encoding="utf-8")))


@dataclass(frozen=True)
class EvalReport:
    questions: int
    no_match_questions: int
    top1: float  # the right entry ranked first
    top3: float  # the right entry among the first three
    confident_right: float  # answered at once, correctly
    confident_wrong: float  # answered at once with the wrong entry
    false_answer_rate: float  # no-match questions answered with confidence
    median_ms: float
    misses: tuple[tuple[str, str, str | None], ...]  # (question, expected, ranked first)


def evaluate(
    index: FaqIndex, questions: Sequence[LabelledQuestion], no_match: Sequence[str],
    thresholds: Thresholds | None = None,
) -> EvalReport:
    """Search every question once (search and decision timed together)."""
    thresholds = thresholds or Thresholds()
    times: list[float] = []
    top1 = top3 = right = wrong = false_answers = 0
    misses: list[tuple[str, str, str | None]] = []
    for item in questions:
        started = time.perf_counter()
        matches = index.search(item.q, prefer=item.locale)
        decision = decide(matches, thresholds)
        times.append(time.perf_counter() - started)
        keys = [m.key for m in matches]
        first_right = bool(keys) and keys[0] in item.right
        top1 += first_right
        top3 += any(key in item.right for key in keys[:3])
        if not first_right:
            misses.append((item.q, item.label, keys[0] if keys else None))
        if decision.verdict == Verdict.CONFIDENT:
            right += decision.matches[0].key in item.right
            wrong += decision.matches[0].key not in item.right
    for text in no_match:
        started = time.perf_counter()
        decision = decide(index.search(text), thresholds)
        times.append(time.perf_counter() - started)
        false_answers += decision.verdict == Verdict.CONFIDENT
    n = len(questions)
    return EvalReport(
        questions=n,
        no_match_questions=len(no_match),
        top1=top1 / n,
        top3=top3 / n,
        confident_right=right / n,
        confident_wrong=wrong / n,
        false_answer_rate=false_answers / len(no_match) if no_match else 0.0,
        median_ms=statistics.median(times) * 1000,
        misses=tuple(misses),
    )
