"""FAQ entries generated from the organisation: regions, teams, districts and their figures.

"Glashütte gehört zu welcher Region?" or "wie viele ASDler hat Nord A?" are answered from the
organisation itself (the file, or the database it was imported into), never from hand-written
entries, so that the answers change with the organisation. Every text is a catalog template
(``locales/*/LC_MESSAGES/faq.po``) filled in with the organisation's data.

The ids are fixed, so that every evaluation set labels the same way: ``org-overview``,
``org-region-<region key>``, ``org-team-<team key>``, ``org-district-<district slug>``
(slug: lower case, ä → ae, ö → oe, ü → ue, ß → ss, anything else → ``-``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from babel.lists import format_list
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import N_
from bot.services.faq.analysis import words
from bot.services.faq.schema import ANSWER_MAX, GENERATED_PREFIX, QUESTION_MAX, FaqEntry
from bot.services.organisation.schema import SEAT_NAMES, OrgFile
from storage.models import Team
from storage.repositories.users import OrgRepository

OVERVIEW = f"{GENERATED_PREFIX}overview"
ID_MAX = 32  # the length limit of an entry id (schema.ENTRY_ID)
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


class Texts(Protocol):
    """One language's catalog and formats; :class:`bot.i18n.Translator` is one."""

    @property
    def locale(self) -> str: ...

    def gettext(self, message: str) -> str: ...

    def ngettext(self, singular: str, plural: str, n: int) -> str: ...

    def hours(self, minutes: int) -> str: ...


# --- the organisation as plain values ------------------------------------------------------------


@dataclass(frozen=True)
class Quota:
    """A team's weekly hours in one category, with the category's name in both languages."""

    name_de: str
    name_en: str
    minutes: int

    def name(self, locale: str) -> str:
        return self.name_de if locale == "de" else self.name_en


@dataclass(frozen=True)
class TeamFacts:
    key: str
    name: str
    region: str  # the region's name
    districts: tuple[str, ...]
    caseworkers: int
    networkers: int
    providers: int
    seats: tuple[str, ...]  # the provider seats' kinds
    quotas: tuple[Quota, ...]  # only the categories with a quota


@dataclass(frozen=True)
class RegionFacts:
    key: str
    name: str
    teams: tuple[TeamFacts, ...]


@dataclass(frozen=True)
class Organisation:
    """What the generated entries say; equal values give equal entries.

    Regions and teams are ordered by key, quotas by the categories' order, in both sources,
    so that the file and the database it was imported into compare equal.
    """

    regions: tuple[RegionFacts, ...] = ()

    @classmethod
    def from_file(cls, org: OrgFile) -> Organisation:
        regions = []
        for region in sorted(org.regions, key=lambda r: r.key):
            teams = tuple(
                _team(team.key, team.name, region.name, team.districts,
                      {role: count for role, count in team.composition.items()},
                      [seat.kind for seat in team.seats],
                      [Quota(c.name.de, c.name.en, round(hours * 60)) for c in org.categories
                       if (hours := org.quota_hours(team, c)) is not None])
                for team in sorted(region.teams, key=lambda t: t.key))
            regions.append(RegionFacts(region.key, region.name, teams))
        return cls(tuple(regions))

    @classmethod
    def from_teams(cls, teams: Iterable[Team]) -> Organisation:
        """From the database's active teams, ordered by region and team key."""
        regions: dict[str, tuple[str, list[TeamFacts]]] = {}
        for team in teams:
            quotas = sorted((q for q in team.quotas if q.category.active),
                            key=lambda q: q.category.position)
            facts = _team(team.key, team.name, team.region.name, team.districts,
                          team.composition, [seat.kind for seat in team.seats],
                          [Quota(q.category.name_de, q.category.name_en, q.weekly_minutes)
                           for q in quotas if q.weekly_minutes is not None])
            regions.setdefault(team.region.key, (team.region.name, []))[1].append(facts)
        return cls(tuple(RegionFacts(key, name, tuple(found))
                         for key, (name, found) in regions.items()))


def _team(key: str, name: str, region: str, districts: Iterable[str],
          composition: Mapping[str, int], seats: Iterable[str],
          quotas: Iterable[Quota]) -> TeamFacts:
    return TeamFacts(key, name, region, tuple(districts), composition.get("caseworker", 0),
                     composition.get("networker", 0), composition.get("provider", 0),
                     tuple(seats), tuple(quotas))


async def load_organisation(session: AsyncSession) -> Organisation:
    """The organisation as imported into the database (by start-up or ``org import``)."""
    return Organisation.from_teams(await OrgRepository(session).structure())


# --- entries --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GeneratedEntries:
    entries: Mapping[str, tuple[FaqEntry, ...]]  # language → entries
    # Lexicon groups that keep a team's or a district's words together ("Nord A", "Harksheide
    # Süd"): otherwise "A" is a stop word and "Nord A" could not be told from "Nord B".
    synonyms: Mapping[str, tuple[str, ...]]


NO_ENTRIES = GeneratedEntries({}, {})


def slug(text: str) -> str:
    return _NOT_SLUG.sub("-", text.lower().translate(_UMLAUTS)).strip("-")


def organisation_entries(org: Organisation, texts: Mapping[str, Texts]) -> GeneratedEntries:
    """The overview, one entry per region, team and district, in every language of ``texts``;
    nothing for an organisation without teams (a database before the first import)."""
    if not org.regions:
        return NO_ENTRIES
    ids = _Ids()
    region_ids = {region.key: ids.claim("region", region.key) for region in org.regions}
    team_ids = {team.key: ids.claim("team", team.key)
                for region in org.regions for team in region.teams}
    districts: dict[str, tuple[str, list[TeamFacts]]] = {}  # slug → (name, teams serving it)
    for region in org.regions:
        for team in region.teams:
            for district in team.districts:
                if slug(district):
                    districts.setdefault(slug(district), (district, []))[1].append(team)
    district_ids = {key: ids.claim("district", key) for key in districts}
    entries: dict[str, tuple[FaqEntry, ...]] = {}
    for locale, t in texts.items():
        found = [_overview(t, org)]
        found += [_region(t, region_ids[region.key], region) for region in org.regions]
        found += [_team_entry(t, team_ids[team.key], team)
                  for region in org.regions for team in region.teams]
        found += [_district(t, district_ids[key], name, serving)
                  for key, (name, serving) in districts.items()]
        entries[locale] = tuple(found)
    synonyms: dict[str, tuple[str, ...]] = {}
    for region in org.regions:
        for team in region.teams:
            synonyms.update(_group("orgteam", team.key))
    for name, _ in districts.values():
        synonyms.update(_group("orgdistrict", name))
    return GeneratedEntries(entries, synonyms)


class _Ids:
    """Entry ids by the fixed scheme, cut to the id's length limit and kept unique."""

    def __init__(self) -> None:
        self.taken = {OVERVIEW}

    def claim(self, kind: str, name: str) -> str:
        base = f"{GENERATED_PREFIX}{kind}-{slug(name)}"[:ID_MAX].rstrip("-")
        found, n = base, 1
        while found in self.taken:
            n += 1
            found = f"{base[:ID_MAX - len(str(n)) - 1].rstrip('-')}-{n}"
        self.taken.add(found)
        return found


def _group(prefix: str, name: str) -> dict[str, tuple[str, ...]]:
    """A synonym group for a name of several words: the words, and the words run together."""
    parts = words(name)
    if len(parts) < 2:
        return {}
    return {prefix + slug("".join(parts)).replace("-", ""): (" ".join(parts), "".join(parts))}


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _entry(key: str, question: str, phrasings: Iterable[str], answer: str, tags: Iterable[str],
           commands: tuple[str, ...]) -> FaqEntry:
    return FaqEntry(id=key, question=_clip(question, QUESTION_MAX),
                    phrasings=tuple(_clip(p, QUESTION_MAX) for p in phrasings),
                    answer=_clip(answer, ANSWER_MAX),
                    tags=tuple(tag for tag in (t.strip() for t in tags) if tag),
                    commands=commands)


def _tags(t: Texts, template: str, *names: str) -> list[str]:
    """The catalog's comma-separated tags, the names, and the names as typed without umlauts."""
    spelled = [name.translate(_UMLAUTS) for name in names]
    return [*t.gettext(template).split(","), *names,
            *(other for other, name in zip(spelled, names, strict=True) if other != name)]


def _and(t: Texts, items: Iterable[str]) -> str:
    return format_list(list(items), locale=t.locale)


def _members(t: Texts, cw: int, nw: int, pr: int) -> str:
    """``2 ASD-Fachkräfte, 1 Netzwerker und 3 Fachkräfte freier Träger``."""
    parts = [
        t.ngettext("{count} ASD caseworker", "{count} ASD caseworkers", cw).format(count=cw)
        if cw else "",
        t.ngettext("{count} networker", "{count} networkers", nw).format(count=nw) if nw else "",
        t.ngettext("{count} provider staff member", "{count} provider staff members",
                   pr).format(count=pr) if pr else "",
    ]
    found = [part for part in parts if part]
    return _and(t, found) if found else t.gettext(N_("no figures in the organisation file"))


def _team_members(t: Texts, team: TeamFacts) -> str:
    return _members(t, team.caseworkers, team.networkers, team.providers)


def _count_teams(t: Texts, n: int) -> str:
    return t.ngettext("{count} Sozialraumteam", "{count} Sozialraumteams", n).format(count=n)


def _overview(t: Texts, org: Organisation) -> FaqEntry:
    n_regions = len(org.regions)
    n_teams = sum(len(region.teams) for region in org.regions)
    head = t.gettext(N_("There are {regions} with {teams} in all:")).format(
        regions=t.ngettext("{count} region", "{count} regions", n_regions).format(
            count=n_regions),
        teams=_count_teams(t, n_teams))
    tail = t.gettext(N_("Each region is led by its own head of department "
                        "(Fachbereichsleitung)."))

    def answer(with_members: bool) -> str:
        lines = [head]
        for region in org.regions:
            lines += ["", region.name]
            for team in region.teams:
                line = t.gettext(N_("• {team}: {districts}")).format(
                    team=team.name, districts=_and(t, team.districts))
                if with_members:
                    line += " – " + _team_members(t, team)
                lines.append(line)
        return "\n".join([*lines, "", tail])

    full = answer(with_members=True)  # a large organisation gets the short form
    return _entry(
        OVERVIEW, t.gettext(N_("How many regions and Sozialraumteams are there?")),
        [t.gettext(N_("How many regions are there?")),
         t.gettext(N_("How many teams are there?")),
         t.gettext(N_("Which regions and teams are there?")),
         t.gettext(N_("Who belongs to a Sozialraumteam?")),
         t.gettext(N_("Which district belongs to which team?"))],
        full if len(full) <= ANSWER_MAX else answer(with_members=False),
        _tags(t, N_("regions, overview, in total, division, composition")),
        ("team",))


def _region(t: Texts, key: str, region: RegionFacts) -> FaqEntry:
    lines = [t.gettext(N_("{region} has {teams}:")).format(
        region=region.name, teams=_count_teams(t, len(region.teams)))]
    lines += [t.gettext(N_("• {team}: {districts}")).format(
        team=team.name, districts=_and(t, team.districts)) for team in region.teams]
    lines.append(t.gettext(N_("Staff in all: {members}.")).format(members=_members(
        t, sum(team.caseworkers for team in region.teams),
        sum(team.networkers for team in region.teams),
        sum(team.providers for team in region.teams))))
    lines += ["", t.gettext(N_("{region} is led by its own head of department "
                               "(Fachbereichsleitung).")).format(region=region.name)]
    return _entry(
        key, t.gettext(N_("Which teams and districts belong to {region}?")).format(
            region=region.name),
        # As people type it ("wie viele leute hat süd"): "region" in every phrasing would
        # compete with the overview for "how many regions are there".
        [t.gettext(N_("How many staff and ASD caseworkers does {region} have?")).format(
            region=" ".join(words(region.key)))],
        "\n".join(lines),
        _tags(t, N_("staff"), *words(region.key)),
        ("team",))


def _team_entry(t: Texts, key: str, team: TeamFacts) -> FaqEntry:
    lines = [t.gettext(N_("{team} belongs to {region} and covers {districts}.")).format(
                 team=team.name, region=team.region, districts=_and(t, team.districts)),
             "• " + t.gettext(N_("Staff: {members}.")).format(members=_team_members(t, team))]
    if team.seats:
        seats = [t.gettext(SEAT_NAMES[kind]) if kind in SEAT_NAMES else kind
                 for kind in team.seats]
        lines.append("• " + t.gettext(N_("Provider seats: {seats}.")).format(
            seats=_and(t, seats)))
    if team.quotas:
        quotas = _and(t, [f"{quota.name(t.locale)} {t.hours(quota.minutes)}"
                          for quota in team.quotas])
        if len(team.quotas) > 1:
            total = t.hours(sum(quota.minutes for quota in team.quotas))
            line = t.gettext(N_("Weekly hours: {quotas}; {total} in all.")).format(
                quotas=quotas, total=total)
        else:
            line = t.gettext(N_("Weekly hours: {quotas}.")).format(quotas=quotas)
        lines.append("• " + line)
    # The other phrasings name the team as people type it ("nord a"), not by its full name:
    # "Sozialraumteam" in every team's phrasings would drown what sets the teams apart.
    short = " ".join(words(team.key))
    return _entry(
        key, t.gettext(N_("Who is in {team}?")).format(team=team.name),
        [t.gettext(message).format(team=short) for message in (
            N_("How many ASD caseworkers does {team} have?"),
            N_("Which districts does {team} cover?"))],
        "\n".join(lines),
        _tags(t, N_("team, composition, ASD, caseworkers, networker, provider, seats")),
        ("team",))


def _district(t: Texts, key: str, name: str, serving: list[TeamFacts]) -> FaqEntry:
    paragraphs = [
        t.gettext(N_("{district} is covered by {team} ({region}).")).format(
            district=name, team=team.name, region=team.region)
        + "\n" + t.gettext(N_("{team}: {members}; districts: {districts}.")).format(
            team=team.name, members=_team_members(t, team), districts=_and(t, team.districts))
        for team in serving
    ]
    return _entry(
        key, t.gettext(N_("Which team and region is {district} in?")).format(district=name),
        [t.gettext(message).format(district=name) for message in (
            N_("Which team is responsible for {district}?"),
            N_("Who covers {district}?"),
            N_("How many ASD caseworkers work for {district}?"))],
        "\n\n".join(paragraphs),
        _tags(t, N_("district, responsible"), name),
        ("team", "contacts"))
