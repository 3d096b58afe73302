"""The FAQ files: entries per language and the lexicon, validated with pydantic.

``bot/data/faq/<language>.yaml`` holds the entries of one language; every language has the
same entry ids, so a question in English finds the German entry and vice versa.
``lexicon.yaml`` holds synonyms, compound parts and filler words for the search. A problem
names the file, the entry and the field (``de.yaml: entries[fua-budget].answer: …``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from bot import yaml_files
from bot.settings import SUPPORTED_LOCALES

M = TypeVar("M", bound=BaseModel)

_ITEM = re.compile(r"^(?:[•\-–]|\d+[.)])\s")
ENTRY_ID = r"^[a-z0-9][a-z0-9-]{1,31}$"
GENERATED_PREFIX = "org-"  # ids of the entries generated from the organisation file
QUESTION_MAX = 200
ANSWER_MAX = 1500  # well inside Telegram's 4096 characters, with the buttons' texts

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
CommandName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,31}$")]


class FaqFileError(Exception):
    """A FAQ file is missing or invalid; the message names file, entry and field."""


class FaqEntry(BaseModel):
    """One question with its answer, in one language."""

    # Tags such as 18 or 2011 are written as plain numbers in YAML.
    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)

    id: Annotated[str, StringConstraints(pattern=ENTRY_ID)]
    question: Annotated[Text, StringConstraints(max_length=QUESTION_MAX)]
    phrasings: tuple[Annotated[Text, StringConstraints(max_length=QUESTION_MAX)], ...] = ()
    answer: Annotated[Text, StringConstraints(max_length=ANSWER_MAX)]
    tags: tuple[Text, ...] = ()
    commands: tuple[CommandName, ...] = ()

    @field_validator("answer")
    @classmethod
    def _reflow(cls, value: str) -> str:
        return reflow(value)


def reflow(text: str) -> str:
    """Join the lines of a paragraph, so that a phone wraps the text where it needs to.

    A blank line separates paragraphs; a line starting with •, -, – or "1." is a list item,
    continued by indented lines; the first unindented line after a list starts a new line.
    """
    lines: list[str] = []
    in_item = False
    for raw in text.strip().splitlines():
        line = raw.strip()
        if not line:
            if lines and lines[-1]:
                lines.append("")
            in_item = False
        elif _ITEM.match(line):
            lines.append(line)
            in_item = True
        elif not lines or not lines[-1] or (in_item and raw[:1] not in (" ", "\t")):
            lines.append(line)
            in_item = False
        else:
            lines[-1] += " " + line
    return "\n".join(lines)


class FaqFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    language: str
    entries: tuple[FaqEntry, ...] = Field(min_length=1)


class Lexicon(BaseModel):
    """Words the search treats specially; see ``bot/data/faq/lexicon.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    synonyms: dict[Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+$")], tuple[Text, ...]] = (
        Field(default_factory=dict)
    )
    question_words: tuple[str, ...] = ()  # synonym keys that only say what kind of question
    compound_parts: tuple[Text, ...] = ()
    fillers: tuple[Text, ...] = ()
    topic_words: tuple[Text, ...] = ()  # synonym keys and words that make a question on-topic

    @model_validator(mode="after")
    def _question_words_are_synonyms(self) -> Lexicon:
        unknown = sorted(set(self.question_words) - set(self.synonyms))
        if unknown:
            raise ValueError(f"question_words not among the synonyms: {', '.join(unknown)}")
        return self


@dataclass(frozen=True)
class KnowledgeBase:
    """Entries by language (same ids in every language) and the lexicon."""

    entries: dict[str, tuple[FaqEntry, ...]]
    lexicon: Lexicon

    @property
    def ids(self) -> list[str]:
        first = next(iter(self.entries.values()), ())
        return [entry.id for entry in first]


def _read_yaml(path: Path) -> Any:
    try:
        return yaml_files.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FaqFileError(f"{path.name}: file not found in {path.parent}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise FaqFileError(f"{path.name}: not valid YAML{where}") from None


def _describe(path: Path, raw: Any, exc: ValidationError) -> str:
    """``de.yaml: entries[some-id].answer: Field required`` for the first problem."""
    error = exc.errors()[0]
    parts: list[str] = []
    node = raw
    for loc in error["loc"]:
        if isinstance(loc, int) and isinstance(node, list):
            node = node[loc] if loc < len(node) else None
            key = node.get("id") if isinstance(node, dict) else None
            parts[-1] += f"[{key if key else loc}]"
        else:
            parts.append(str(loc))
            node = node.get(loc) if isinstance(node, dict) else None
    return f"{path.name}: {'.'.join(parts) or 'file'}: {error['msg']}"


def _validate(model: type[M], path: Path) -> M:
    raw = _read_yaml(path)
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise FaqFileError(_describe(path, raw, exc)) from None


def load_knowledge_base(directory: Path) -> KnowledgeBase:
    """Read and cross-check every language file and the lexicon; raise :class:`FaqFileError`."""
    entries: dict[str, tuple[FaqEntry, ...]] = {}
    for locale in SUPPORTED_LOCALES:
        path = directory / f"{locale}.yaml"
        faq = _validate(FaqFile, path)
        if faq.language != locale:
            raise FaqFileError(f"{path.name}: language: expected {locale!r}, got {faq.language!r}")
        seen: set[str] = set()
        for entry in faq.entries:
            if entry.id.startswith(GENERATED_PREFIX):
                raise FaqFileError(f"{path.name}: entries[{entry.id}]: ids starting with "
                                   f"{GENERATED_PREFIX!r} are the entries generated from the "
                                   "organisation file")
            if entry.id in seen:
                raise FaqFileError(f"{path.name}: entries[{entry.id}]: the id is used twice")
            seen.add(entry.id)
        entries[locale] = faq.entries
    reference_locale, *others = SUPPORTED_LOCALES
    reference = {entry.id for entry in entries[reference_locale]}
    for locale in others:
        ids = {entry.id for entry in entries[locale]}
        if ids != reference:
            missing = sorted(reference - ids)
            extra = sorted(ids - reference)
            detail = "; ".join(
                part for part in (
                    f"missing {', '.join(missing)}" if missing else "",
                    f"not in {reference_locale}.yaml: {', '.join(extra)}" if extra else "",
                ) if part
            )
            raise FaqFileError(f"{locale}.yaml: entries differ from {reference_locale}.yaml: "
                               f"{detail}")
    lexicon = _validate(Lexicon, directory / "lexicon.yaml")
    return KnowledgeBase(entries=entries, lexicon=lexicon)
