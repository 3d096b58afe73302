"""FAQ quality and speed: accuracy on the labelled set, and time per question at 1,000 entries.

The shipped knowledge base has about 60 entries per language from the files, and the entries
generated from the shipped organisation file (regions, teams, districts). To see how the
search scales, it is padded with synthetic entries: made of words of the real entries (so they
compete for the same questions) and of invented words (so the vocabulary grows as a real,
larger FAQ's would). Accuracy is reported for the real knowledge base, for the padded one,
for the held-out questions that were never used to tune the thresholds, and for the phone
set (``tests/faq_phone.yaml``: written independently of the search, as staff type on phones).
"""

from __future__ import annotations

import random
import time
from pathlib import Path

from bot.i18n import I18n
from bot.services.faq.analysis import words
from bot.services.faq.catalog import Snapshot
from bot.services.faq.evaluation import EvalReport, evaluate, load_eval_set
from bot.services.faq.organisation_entries import Organisation, organisation_entries
from bot.services.faq.ranking import Document, FaqIndex
from bot.services.faq.schema import load_knowledge_base
from bot.services.organisation import load_org_file
from bot.settings import DEFAULT_FAQ_DIR, DEFAULT_ORG_FILE, SUPPORTED_LOCALES

EVAL_SET = Path(__file__).resolve().parent.parent / "tests" / "faq_eval.yaml"
# Written independently of the search, as staff type on phones (see its header): for tuning.
PHONE_SET = EVAL_SET.with_name("faq_phone.yaml")
# Written the same way but held out: never tuned on, never read for its misses (see its header).
UNSEEN_SET = EVAL_SET.with_name("faq_unseen.yaml")
SCALED_SIZE = 1000
SMOKE_SIZE = 120
_SYLLABLES = ("ka", "lo", "mi", "ner", "sto", "ber", "ga", "tul", "fen", "dri", "ho", "wes",
              "ul", "pra", "ten", "vi", "sche", "rung", "mo", "lan")


def _pseudo_words(rng: random.Random, count: int) -> list[str]:
    found: set[str] = set()
    while len(found) < count:
        found.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(found)


def _sentence(rng: random.Random, real: list[str], invented: list[str], n: int) -> str:
    return " ".join(rng.choice(real) if rng.random() < 0.3 else rng.choice(invented)
                    for _ in range(n))


def shipped_snapshot() -> Snapshot:
    """The shipped FAQ files with the entries generated from the shipped organisation file."""
    i18n = I18n()
    generated = organisation_entries(
        Organisation.from_file(load_org_file(DEFAULT_ORG_FILE)),
        {locale: i18n.get(locale) for locale in SUPPORTED_LOCALES})
    return Snapshot.build(load_knowledge_base(DEFAULT_FAQ_DIR), (), generated)


def scaled_documents(snapshot: Snapshot, size: int,
                     seed: int = 7) -> dict[str, list[Document]]:
    """The real entries plus synthetic ones, ``size`` entries per language in all."""
    rng = random.Random(seed)
    invented = _pseudo_words(rng, 6000)
    documents: dict[str, list[Document]] = {}
    for language in SUPPORTED_LOCALES:
        docs = _documents(snapshot, language)
        real_words = sorted({w for versions in snapshot.entries.values()
                             if (e := versions.get(language)) is not None
                             for w in words(f"{e.question} {e.answer}") if len(w) >= 4})
        for i in range(size - len(docs)):
            main = " ".join(_sentence(rng, real_words, invented, rng.randint(5, 9))
                            for _ in range(3))
            answer = _sentence(rng, real_words, invented, rng.randint(40, 80))
            docs.append(Document(f"filler-{i:04d}", main, answer))
        documents[language] = docs
    return documents


def _documents(snapshot: Snapshot, language: str) -> list[Document]:
    return [Document(key, " ".join([e.question, *e.phrasings, *e.tags]), e.answer)
            for key, versions in snapshot.entries.items()
            if (e := versions.get(language)) is not None]


def _figures(prefix: str, report: EvalReport) -> dict[str, float | int | str]:
    return {
        f"{prefix} top-1": round(report.top1, 3),
        f"{prefix} top-3": round(report.top3, 3),
        f"{prefix} answered at once, right": round(report.confident_right, 3),
        f"{prefix} answered at once, wrong": round(report.confident_wrong, 3),
        f"{prefix} false answers on no-match": round(report.false_answer_rate, 3),
    }


def run(smoke: bool = False) -> dict[str, float | int | str]:
    snapshot = shipped_snapshot()
    eval_set = load_eval_set(EVAL_SET)
    size = SMOKE_SIZE if smoke else SCALED_SIZE
    real = snapshot.index
    started = time.perf_counter()
    scaled = FaqIndex(scaled_documents(snapshot, size), snapshot.lexicon)
    build_seconds = time.perf_counter() - started
    on_real = evaluate(real, eval_set.questions, eval_set.no_match)
    on_scaled = evaluate(scaled, eval_set.questions, eval_set.no_match)
    held_out = evaluate(real, eval_set.holdout, eval_set.holdout_no_match)
    phone_set = load_eval_set(PHONE_SET)
    on_phone = evaluate(real, phone_set.questions, phone_set.no_match)
    unseen_set = load_eval_set(UNSEEN_SET)
    on_unseen = evaluate(real, unseen_set.questions, unseen_set.no_match)
    return {
        "questions (labelled / no-match)":
            f"{on_real.questions} / {on_real.no_match_questions}",
        **_figures("real KB", on_real),
        **_figures("held out", held_out),
        "phone set questions (labelled / no-match)":
            f"{on_phone.questions} / {on_phone.no_match_questions}",
        **_figures("phone set", on_phone),
        "unseen set questions (labelled / no-match)":
            f"{on_unseen.questions} / {on_unseen.no_match_questions}",
        **_figures("unseen set", on_unseen),
        "entries in the scaled KB (per language)": scaled.size,
        **_figures("scaled KB", on_scaled),
        "scaled KB median ms per question": round(on_scaled.median_ms, 3),
        "scaled KB index build s": round(build_seconds, 2),
    }


def targets() -> dict[str, tuple[str, float]]:
    """The FAQ issue's targets, for the labelled questions and the 1,000-entry knowledge base."""
    return {
        "real KB top-1": (">=", 0.9),
        "real KB top-3": (">=", 0.97),
        "real KB false answers on no-match": ("<=", 0.05),
        "scaled KB median ms per question": ("<=", 5.0),
        # Issue 17's goal, on the set the search was never tuned on.
        "unseen set top-1": (">=", 0.95),
        "unseen set top-3": (">=", 0.99),
        "unseen set false answers on no-match": ("<=", 0.03),
    }
