"""The FAQ's knowledge base is sound and its search stays good: floors a little below what
``make bench`` measures (see docs/performance.md), so that accuracy cannot silently fall."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from bench import faq as faq_bench
from bot.services.faq.analysis import Analyzer, fold
from bot.services.faq.dictionary import is_real_word
from bot.services.faq.evaluation import evaluate, load_eval_set
from bot.services.faq.ranking import Verdict, decide
from bot.services.faq.schema import FaqFileError, load_knowledge_base
from bot.services.privacy import personal_data_kinds
from bot.settings import DEFAULT_FAQ_DIR
from handlers import FEATURES

EVAL = load_eval_set(faq_bench.EVAL_SET)
PHONE = load_eval_set(faq_bench.PHONE_SET)
UNSEEN = load_eval_set(faq_bench.UNSEEN_SET)
KB = load_knowledge_base(DEFAULT_FAQ_DIR)
SHIPPED = faq_bench.shipped_snapshot()  # the files and the entries of the organisation file
# Every entry a user can get, by language: the files' and the generated ones.
ALL_ENTRIES = {language: [versions[language] for versions in SHIPPED.entries.values()]
               for language in KB.entries}
# Commands of features being built in parallel (issues 5 and 6: contacts, reminders);
# remove a name here once its feature is merged.
PLANNED_COMMANDS: set[str] = set()  # commands the knowledge base may name before they exist
# Every number in an answer must come from the source presentation or be a documented
# default of the bot; anything else would be an invented fact about the office.
SOURCE_NUMBERS = {  # as written in the source; "24.05.12" is also given as 24 May 2012
    "1", "2", "3", "4", "5", "6", "8", "01", "05", "07", "08", "09", "9", "10", "12", "13",
    "18", "22", "23", "24", "26", "31", "2011", "2012", "2013",
}
BOT_NUMBERS = {
    "72",  # BUDGET_ESCALATION_HOURS
    "14", "7",  # hours: a week closes 14 days after its Sunday, a lead reopens it for 7 days
    "0", "30", "90", "11", "00",  # examples of typed input: 0 €, 1:30, 90 min, 22.11., 9:00
}


@pytest.fixture(scope="module")
def index():
    return SHIPPED.index


def test_both_languages_have_the_same_forty_or_more_entries():
    assert len(KB.ids) >= 40
    assert [e.id for e in KB.entries["de"]] == [e.id for e in KB.entries["en"]]


def test_related_commands_exist():
    commands = {c.name for feature in FEATURES for c in feature.commands} | {"start"}
    used = {name for entries in KB.entries.values() for e in entries for name in e.commands}
    mentioned = {m for entries in KB.entries.values() for e in entries
                 for m in re.findall(r"(?<![\w/])/([a-z_]+)", e.answer)}
    assert (used | mentioned) - commands <= PLANNED_COMMANDS


def test_answers_invent_no_contact_details_or_figures():
    for language, entries in ALL_ENTRIES.items():
        for entry in entries:
            text = f"{entry.question} {entry.answer}"
            assert not {"email", "phone"} & set(personal_data_kinds(text)), (language, entry.id)
            numbers = set(re.findall(r"\d+", entry.answer))
            unexplained = numbers - SOURCE_NUMBERS - BOT_NUMBERS
            assert not unexplained, (language, entry.id, unexplained)


def test_the_search_holds_its_accuracy(index):
    report = evaluate(index, EVAL.questions, EVAL.no_match)
    assert len(EVAL.questions) >= 120 and len(EVAL.no_match) >= 20
    assert report.top1 >= 0.93, report.misses
    assert report.top3 >= 0.97, report.misses
    assert report.confident_wrong <= 0.02
    assert report.false_answer_rate <= 0.05


def test_the_search_holds_on_questions_never_used_for_tuning(index):
    report = evaluate(index, EVAL.holdout, EVAL.holdout_no_match)
    assert report.top1 >= 0.9, report.misses
    assert report.top3 >= 0.97, report.misses
    assert report.false_answer_rate <= 0.1


def test_the_search_holds_on_questions_typed_as_on_phones(index):
    report = evaluate(index, PHONE.questions, PHONE.no_match)
    assert len(PHONE.questions) >= 170 and len(PHONE.no_match) >= 35
    assert report.top1 >= 0.87, report.misses
    assert report.top3 >= 0.96, report.misses
    assert report.confident_wrong <= 0.02
    assert report.false_answer_rate <= 0.08


def test_the_search_holds_on_the_held_out_set(index):
    """The set written apart from all tuning (issue 17). Its misses are deliberately not shown:
    looking at them to fix them would make it one more tuning set. These floors only keep what
    was reached (December 2026: 0.825 / 0.920 / 0.04); issue 17's goal is 0.95 / 0.99 / 0.03,
    which `make bench` reports as missed until it is reached."""
    report = evaluate(index, UNSEEN.questions, UNSEEN.no_match)
    assert len(UNSEEN.questions) >= 130 and len(UNSEEN.no_match) >= 25
    assert report.top1 >= 0.8, "held-out top-1 fell"
    assert report.top3 >= 0.9, "held-out top-3 fell"
    assert report.confident_wrong <= 0.03, "held-out: more confident wrong answers"
    assert report.false_answer_rate <= 0.08, "held-out: more false answers"


def test_the_benchmark_runs_in_small():
    figures = faq_bench.run(smoke=True)
    assert figures["entries in the scaled KB (per language)"] == faq_bench.SMOKE_SIZE
    assert "scaled KB median ms per question" in figures


def test_spellings_meet_and_abbreviations_stay_apart():
    assert fold("Träger") == fold("Traeger") == "trager"
    assert fold("Fuß") == "fuss" and fold("Steuer") == "steuer" and fold("Quelle") == "quelle"
    analyzer = Analyzer("de", KB.lexicon, ["budget", "antrag", "steuerung", "gruppe"])
    assert analyzer.document("FuA FüA FueA") == ["=fua", "=fuea", "=fuea"]
    assert analyzer.document("Budgetantrag") == ["budgetantrag", "=budget", "=request"]
    assert "grupp" in analyzer.document("Steuerungsgruppe")
    assert analyzer.document("Wieviel Kohle?") == ["=howmuch", "=budget"]


def test_typos_english_and_compounds_find_their_entry(index):
    cases = {
        "Steurungsgruppe": "steering-group",
        "wie viele stunden hat ein team für fua": "hour-quota",
        "who decides on HzE": "who-decides-case-help",
        "Budgetantrag stellen": "fua-budget-request",
        "Was ist die Lenkungsgruppe?": "guidance-group",
    }
    for question, key in cases.items():
        assert index.search(question)[0].key == key, question


def test_real_words_are_not_corrected_and_slang_is_understood(index):
    assert is_real_word("boot") and is_real_word("muessen") and not is_real_word("berarung")
    cases = {
        "sind die träger auch mit im boot": "providers-list",  # "boot" is no typo of "book"
        "wie oft hat sich die lenkungsgrp getroffen": "guidance-group",
        "bleiben die ASDler für die einzelfälle zuständig": "who-decides-case-help",
        "wann hat der JHA das beschlossen": "decision-2011",
        "kollegiale berarung": "what-is-kollegiale-beratung",  # a typo still is corrected
    }
    for question, key in cases.items():
        assert index.search(question)[0].key == key, question


def test_a_lexicon_phrase_does_not_span_a_comma_and_a_compound_is_found_by_its_last_part():
    analyzer = Analyzer("de", KB.lexicon, ["regeln", "frühstück"])
    # "machen mit" would be taking part; here the comma ends one thought and starts the next.
    tokens = [a.token for w in analyzer.question("ein Frühstück machen, mit Kaffee")
              for a in w.alternatives]
    assert "=participate" not in tokens
    assert analyzer.question("a, b")  # punctuation alone never empties a question
    analyzer.learn(["=rules"], ["regeln"])
    spielregeln = analyzer.question("spielregeln")[0]
    assert "=rules" in [a.token for a in spielregeln.alternatives]


def test_colloquial_fillers_leave_the_topic(index):
    cases = {
        "moin, wat is dat mit der füa, versteh dat nich": "what-is-fuea",
        "hey guys, what is the ASD btw, i dont get it": "what-is-asd",
        "kontaktdaten von nem träger": "contacts",
    }
    for question, key in cases.items():
        assert index.search(question)[0].key == key, question


def test_off_topic_questions_are_told_from_unanswered_ones_about_the_work(index):
    for text in ("Wie wird das Wetter morgen?", "recommend a good movie",
                 "Wie koche ich Spaghetti Carbonara?"):
        assert not index.about_the_work(text), text
    for text in ("wie viel verdient man als asd fachkraft hier", "Wie beantrage ich Elternzeit?",
                 "Soll ich bei der Mutter aus Garstedt einen Hausbesuch machen?"):
        assert index.about_the_work(text), text


def test_an_invalid_file_is_named_with_entry_and_field(tmp_path: Path):
    faq = tmp_path / "faq"
    shutil.copytree(DEFAULT_FAQ_DIR, faq)
    english = faq / "en.yaml"
    text = english.read_text(encoding="utf-8")
    english.write_text(text.replace("    answer: |\n      FuA (\"fallunabhängige Arbeit\")",
                                    "    answr: |\n      FuA (\"fallunabhängige Arbeit\")"),
                       encoding="utf-8")
    with pytest.raises(FaqFileError, match=r"en.yaml: entries\[what-is-fua\]"):
        load_knowledge_base(faq)
    english.write_text(text.replace("  - id: roles-in-bot", "  - id: roles"), encoding="utf-8")
    with pytest.raises(FaqFileError, match=r"missing roles-in-bot; not in de\.yaml: roles"):
        load_knowledge_base(faq)
    english.write_text(text + "  - : [\n", encoding="utf-8")
    with pytest.raises(FaqFileError, match=r"en.yaml: not valid YAML \(line \d+\)"):
        load_knowledge_base(faq)


def test_evaluation_questions_are_not_copies_of_entry_phrasings():
    def plain(text: str) -> str:
        return " ".join(re.findall(r"\w+", fold(text)))

    written = {plain(text) for entries in ALL_ENTRIES.values() for entry in entries
               for text in (entry.question, *entry.phrasings)}
    copied = [q.q for q in (*EVAL.questions, *EVAL.holdout) if plain(q.q) in written]
    assert not copied, copied
    # The phone set was written without seeing the generated entries, whose plain phrasings
    # one question happens to match ("which team is responsible for …"); the files' entries,
    # which are tuned by hand, must not copy any of its questions.
    by_hand = {plain(text) for entries in KB.entries.values() for entry in entries
               for text in (entry.question, *entry.phrasings, *entry.tags)}
    copied = [q.q for q in PHONE.questions if plain(q.q) in by_hand]
    assert not copied, copied


def test_answers_stay_with_what_the_source_says():
    for language, entries in KB.entries.items():
        by_id = {entry.id: entry for entry in entries}
        # The source: "1 Netzwerker (Jugendarbeit)", not open youth work.
        assert not re.search(r"offen|open", by_id["networker-role"].answer, re.I), language
        # The quotas belong to the three provider staff; networkers only may log hours.
        hours = by_id["who-logs-hours"].answer
        assert re.search(r"drei festen Fachkräfte|three permanent provider staff", hours)
        # "weitere 6 Treffen mit ISSAB" is named, not reported as held.
        for key in ("steering-group", "project-support-issab"):
            assert not re.search(r"gab es|there were", by_id[key].answer), (language, key)
        privacy = by_id["data-protection"]
        assert {"mydata", "forgetme"} <= set(privacy.commands)
        assert "Inline" in privacy.answer.replace("inline", "Inline") and "90" in privacy.answer
        assert "meetings" in by_id["steering-group"].commands
        assert {"mute", "unmute", "quiet"} <= set(by_id["reminders"].commands)
        assert "team" in by_id["what-is-a-sozialraum"].commands


def test_every_labelled_entry_exists():
    labelled = {key for item in (*EVAL.questions, *EVAL.holdout, *PHONE.questions,
                                 *UNSEEN.questions)
                for key in item.right}
    assert labelled - set(SHIPPED.entries) == set()


def test_the_issues_questions_find_the_organisations_entries(index):
    # Issue 17: the first was answered with the budget entry, the others not at all.
    cases = {
        "Wie viele Regionen gibt es?": {"org-overview"},
        "Glashütte gehört zu welcher Region?": {"org-district-glashuette"},
        "wieviele asd leute sind in garstedt": {"org-district-garstedt", "org-team-sued-a"},
        "wie viele ASDler hat Nord A?": {"org-team-nord-a"},
    }
    for question, keys in cases.items():
        decision = decide(index.search(question))
        assert decision.verdict == Verdict.CONFIDENT, question
        assert decision.matches[0].key in keys, question


def test_a_file_entry_cannot_take_a_generated_id(tmp_path: Path):
    faq = tmp_path / "faq"
    shutil.copytree(DEFAULT_FAQ_DIR, faq)
    for language in ("de", "en"):
        path = faq / f"{language}.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace(
            "  - id: what-is-fua\n", "  - id: org-overview\n"), encoding="utf-8")
    with pytest.raises(FaqFileError, match=r"de.yaml: entries\[org-overview\]: ids starting "):
        load_knowledge_base(faq)
