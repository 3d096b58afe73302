"""The FAQ in memory: the files, the entries generated from the organisation, and the entries
leads wrote in the chat.

Everything the search needs is one immutable :class:`Snapshot`; a reload or a new entry
builds a new snapshot (in a worker thread, the event loop keeps serving) and swaps it in
one assignment, so a question never sees half an index. A file that does not validate
leaves the current snapshot in place.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from bot.services.faq.analysis import words
from bot.services.faq.organisation_entries import (
    NO_ENTRIES,
    GeneratedEntries,
    Organisation,
    Texts,
    organisation_entries,
)
from bot.services.faq.ranking import (
    Decision,
    Document,
    FaqIndex,
    Thresholds,
    Verdict,
    decide,
)
from bot.services.faq.schema import FaqEntry, KnowledgeBase, Lexicon, load_knowledge_base
from bot.settings import SUPPORTED_LOCALES


@dataclass(frozen=True)
class ChatEntry:
    """An entry written in the chat: one language only."""

    key: str
    locale: str
    question: str
    answer: str

    def as_entry(self) -> FaqEntry:
        return FaqEntry(id=self.key, question=self.question, answer=self.answer)


def _document(entry: FaqEntry) -> Document:
    return Document(entry.id, " ".join([entry.question, *entry.phrasings, *entry.tags]),
                    entry.answer)


@dataclass(frozen=True)
class Snapshot:
    knowledge: KnowledgeBase
    chat_entries: tuple[ChatEntry, ...]
    generated: GeneratedEntries
    entries: dict[str, dict[str, FaqEntry]]  # key → language → entry
    lexicon: Lexicon  # the file's, with the generated entries' synonym groups
    index: FaqIndex
    public_words: frozenset[str]  # every word the FAQ prints, lower-case

    @classmethod
    def build(cls, knowledge: KnowledgeBase, chat_entries: Iterable[ChatEntry],
              generated: GeneratedEntries = NO_ENTRIES) -> Snapshot:
        chat = tuple(chat_entries)
        entries: dict[str, dict[str, FaqEntry]] = {}
        documents: dict[str, list[Document]] = {locale: [] for locale in SUPPORTED_LOCALES}
        for source in (knowledge.entries, generated.entries):
            for locale, source_entries in source.items():
                for entry in source_entries:
                    entries.setdefault(entry.id, {})[locale] = entry
                    documents[locale].append(_document(entry))
        for item in chat:
            entry = item.as_entry()
            entries.setdefault(item.key, {})[item.locale] = entry
            documents.setdefault(item.locale, []).append(_document(entry))
        # The file's groups come first: where a word is in both, the file's meaning wins.
        lexicon = knowledge.lexicon.model_copy(
            update={"synonyms": {**generated.synonyms, **knowledge.lexicon.synonyms}})
        public = frozenset(w for docs in documents.values() for d in docs
                           for w in words(f"{d.main} {d.answer}"))
        return cls(knowledge, chat, generated, entries, lexicon, FaqIndex(documents, lexicon),
                   public)


class FaqCatalog:
    """The current snapshot, and how to replace it.

    With ``texts`` (one catalog per language) the organisation's entries are generated too:
    from ``organisation`` at once, and again whenever :meth:`set_organisation` sees it change.
    """

    def __init__(self, directory: Path, thresholds: Thresholds | None = None, *,
                 texts: Mapping[str, Texts] | None = None,
                 organisation: Organisation | None = None) -> None:
        self.directory = directory
        self.thresholds = thresholds or Thresholds()
        self._texts = texts
        self._organisation = organisation if texts is not None else None
        generated = (organisation_entries(organisation, texts)
                     if organisation is not None and texts is not None else NO_ENTRIES)
        self._snapshot = Snapshot.build(load_knowledge_base(directory), (), generated)
        self.chat_entries_loaded = False
        self._lock = asyncio.Lock()

    @property
    def file_entry_count(self) -> int:
        return len(self._snapshot.knowledge.ids)

    @property
    def organisation_entry_count(self) -> int:
        return len(next(iter(self._snapshot.generated.entries.values()), ()))

    @property
    def chat_entry_count(self) -> int:
        return len(self._snapshot.chat_entries)

    @property
    def generates_organisation_entries(self) -> bool:
        return self._texts is not None

    def entry(self, key: str, locale: str) -> tuple[FaqEntry, str] | None:
        """The entry in ``locale``, or in the language it exists in; with that language."""
        versions = self._snapshot.entries.get(key)
        if not versions:
            return None
        if locale in versions:
            return versions[locale], locale
        language, entry = next(iter(versions.items()))
        return entry, language

    @property
    def public_words(self) -> frozenset[str]:
        """Words the FAQ prints: a name among them is no personal data in a question."""
        return self._snapshot.public_words

    def understands(self, text: str) -> bool:
        return self._snapshot.index.understands(text)

    def ask(self, text: str, locale: str) -> Decision:
        index = self._snapshot.index
        decision = decide(index.search(text, prefer=locale), self.thresholds)
        if decision.verdict == Verdict.NONE and not index.about_the_work(text):
            return replace(decision, about_the_work=False)
        return decision

    def examples(self, locale: str, keys: Sequence[str], limit: int) -> list[tuple[str, str]]:
        """(key, question) for the given keys that exist, then the first file entries."""
        found: list[tuple[str, str]] = []
        for key in [*keys, *self._snapshot.knowledge.ids]:
            entry = self.entry(key, locale)
            if entry is not None and key not in {k for k, _ in found}:
                found.append((key, entry[0].question))
            if len(found) == limit:
                break
        return found

    async def reload(self, chat_entries: Iterable[ChatEntry]) -> None:
        """Read the files again and merge ``chat_entries``; raises FaqFileError, keeps the old."""
        chat = tuple(chat_entries)
        async with self._lock:
            knowledge = await asyncio.to_thread(load_knowledge_base, self.directory)
            self._snapshot = await asyncio.to_thread(
                Snapshot.build, knowledge, chat, self._snapshot.generated)
            self.chat_entries_loaded = True

    async def set_chat_entries(self, chat_entries: Iterable[ChatEntry]) -> None:
        """Merge the entries from the database (at the first question after start-up)."""
        chat = tuple(chat_entries)
        async with self._lock:
            current = self._snapshot
            self._snapshot = await asyncio.to_thread(
                Snapshot.build, current.knowledge, chat, current.generated)
            self.chat_entries_loaded = True

    async def set_organisation(self, organisation: Organisation) -> bool:
        """Generate the organisation's entries again if it changed; True if it did."""
        texts = self._texts
        if texts is None or organisation == self._organisation:
            return False
        async with self._lock:
            if organisation == self._organisation:  # another question got here first
                return False
            current = self._snapshot
            generated = organisation_entries(organisation, texts)
            self._snapshot = await asyncio.to_thread(
                Snapshot.build, current.knowledge, current.chat_entries, generated)
            self._organisation = organisation
            return True

    async def add(self, entry: ChatEntry) -> None:
        """A new entry from the chat, searchable from the next question on."""
        async with self._lock:
            current = self._snapshot
            chat = (*(c for c in current.chat_entries if c.key != entry.key), entry)
            self._snapshot = await asyncio.to_thread(
                Snapshot.build, current.knowledge, chat, current.generated)
