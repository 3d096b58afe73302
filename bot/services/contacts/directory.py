"""The provider directory: search, the list by team, provider details, contact people.

Every search reads the directory from the database, so a re-import of the organisation file
(``sozialraum-bot org import``, by another process) shows in the very next search. Building
the search index costs several times more than reading the rows, so the last index is kept
under a fingerprint of the rows it was built from and rebuilt only when they changed
(``python -m bench --only contacts_search`` measures both).
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import N_, NotFound
from bot.services.contacts.ranking import Entry, Field, Scored, SearchIndex
from storage.models import Provider, ProviderContact, Team, TeamSeat
from storage.repositories.contacts import DirectoryRepository

MAX_QUERY_CHARS = 100
GONE = N_("This provider is no longer in the directory. Please search again.")

# Where a word was found decides how much it counts.
NAME, CONTACT, SERVICE, TEAM, FUNCTION, CITY_WIDE, DESCRIPTION = (
    1.0, 0.95, 0.9, 0.9, 0.85, 0.75, 0.7)

# Why a hit matched, in the order a result list shows them: the query names the provider
# (its name, which carries its facilities, or a contact person or function), or the district
# or team it serves, or something else (a service, the description).
NAME_MATCH, PLACE_MATCH, OTHER_MATCH = "name", "place", "other"

# Search words for the service keys of the organisation file, German and English.
SERVICE_TERMS: dict[str, tuple[str, ...]] = {
    "stationaer": ("stationär", "residential", "Heim", "Wohngruppe"),
    "ambulant": ("ambulant", "ambulante Hilfen", "outpatient"),
    "fua": ("FuA", "fallunabhängige Arbeit", "case-independent work"),
    "fuea": ("FüA", "fallübergreifende Arbeit", "cross-case work"),
    "familienzentrum": ("Familienzentrum", "family centre", "family center"),
    "familienbildung": ("Familienbildung", "family education"),
}

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")


def clean_query(text: str | None) -> str:
    """The query as typed, without control characters, on one line, cut to a sane length."""
    return " ".join(_CONTROL.sub(" ", text or "").split())[:MAX_QUERY_CHARS]


@dataclass(frozen=True)
class TeamRow:
    id: int
    key: str
    name: str
    districts: tuple[str, ...]
    region: str

    def text(self) -> str:
        return " ".join((self.name, self.key, self.region, *self.districts))


@dataclass(frozen=True)
class SearchSection:
    kind: str  # NAME_MATCH, PLACE_MATCH or OTHER_MATCH
    hits: list[Scored]  # by relevance


@dataclass(frozen=True)
class SearchResult:
    query: str
    hits: list[Scored]  # the sections' hits, section after section
    suggestions: list[Scored]
    sections: list[SearchSection] = field(default_factory=list)  # the non-empty ones
    place: str | None = None  # the districts the query names, when a place section exists


@dataclass(frozen=True)
class TeamGroup:
    team: TeamRow | None  # None: providers not tied to a team (city-wide or not given)
    providers: list[tuple[int, str]]  # (id, name), by name


@dataclass
class _Snapshot:
    """The directory as the database holds it right now."""

    providers: dict[int, tuple[str, list[str], str, str]] = field(default_factory=dict)
    contacts: defaultdict[int, list[tuple[str, str | None]]] = field(
        default_factory=lambda: defaultdict(list))
    teams_of: defaultdict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    teams: dict[int, TeamRow] = field(default_factory=dict)

    def fingerprint(self) -> str:
        """Changes whenever anything the index is built from changes."""
        rows = (sorted(self.providers.items()), sorted(self.contacts.items()),
                sorted((p, sorted(t)) for p, t in self.teams_of.items()),
                sorted(self.teams.items()))
        return hashlib.blake2b(repr(rows).encode(), digest_size=16).hexdigest()

    def entries(self) -> list[Entry]:
        all_teams = " ".join(team.text() for team in self.teams.values())
        entries = []
        for provider_id, (name, services, description_de, description_en) in (
            self.providers.items()
        ):
            fields = [Field(name, NAME, NAME_MATCH), Field(description_de, DESCRIPTION),
                      Field(description_en, DESCRIPTION)]
            for service in services:
                fields.append(Field(" ".join((service, *SERVICE_TERMS.get(service, ()))),
                                    SERVICE))
            for contact_name, function in self.contacts.get(provider_id, []):
                fields.append(Field(contact_name, CONTACT, NAME_MATCH))
                if function:
                    fields.append(Field(function, FUNCTION, NAME_MATCH))
            linked = [self.teams[t] for t in self.teams_of.get(provider_id, ()) if t in self.teams]
            if linked:
                fields += [Field(team.text(), TEAM, PLACE_MATCH) for team in linked]
            else:  # serves every district, but after those tied to it
                fields.append(Field(all_teams, CITY_WIDE, PLACE_MATCH))
            entries.append(Entry(provider_id, name, tuple(fields)))
        return entries

    def places(self) -> list[Entry]:
        """One entry per district. Its team's words are indexed too, so that they count as
        known words of a query ("Süd B"), but only its own name makes it the place named."""
        return [Entry(position, district, (Field(district, NAME, PLACE_MATCH),
                                           Field(team.text(), TEAM)))
                for position, (district, team) in enumerate(
                    (district, team) for team in self.teams.values()
                    for district in team.districts)]


async def _snapshot(session: AsyncSession) -> _Snapshot:
    repo = DirectoryRepository(session)
    snap = _Snapshot()
    for row in await repo.provider_rows():
        snap.providers[row[0]] = (row[1], list(row[2] or []), row[3] or "", row[4] or "")
    for provider_id, name, function in await repo.contact_rows():
        snap.contacts[provider_id].append((name, function))
    for provider_id, team_id in await repo.provider_team_rows():
        snap.teams_of[provider_id].add(team_id)
    for team_id, key, name, districts, region in await repo.team_rows():
        snap.teams[team_id] = TeamRow(team_id, key, name, tuple(districts or ()), region)
    return snap


class _IndexCache:
    """The most recent indexes (providers, districts), by the fingerprint of the rows they
    were built from."""

    def __init__(self) -> None:
        self._fingerprint: str | None = None
        self._indexes: tuple[SearchIndex, SearchIndex] | None = None

    def get(self, snapshot: _Snapshot) -> tuple[SearchIndex, SearchIndex]:
        fingerprint = snapshot.fingerprint()
        if self._indexes is None or fingerprint != self._fingerprint:
            self._indexes = (SearchIndex(snapshot.entries()), SearchIndex(snapshot.places()))
            self._fingerprint = fingerprint
        return self._indexes


_indexes = _IndexCache()


async def search(session: AsyncSession, query: str) -> SearchResult:
    """Providers matching ``query``: those it names first, then those serving the district it
    names, then the rest, each by relevance; close names when nothing matches."""
    cleaned = clean_query(query)
    providers, places = _indexes.get(await _snapshot(session))
    hits, suggestions = providers.rank(cleaned)
    sections = [SearchSection(kind, found) for kind in (NAME_MATCH, PLACE_MATCH, OTHER_MATCH)
                if (found := [hit for hit in hits if _section_of(hit) == kind])]
    place = None
    if any(section.kind == PLACE_MATCH for section in sections):
        named = [d for d in places.rank(cleaned)[0] if PLACE_MATCH in d.groups]
        place = ", ".join(d.label for d in named if d.score == named[0].score) or None
    return SearchResult(cleaned, [hit for section in sections for hit in section.hits],
                        suggestions, sections, place)


def _section_of(hit: Scored) -> str:
    for kind in (NAME_MATCH, PLACE_MATCH):
        if kind in hit.groups:
            return kind
    return OTHER_MATCH


async def by_team(session: AsyncSession) -> list[TeamGroup]:
    """Every active provider under each team it serves; the others in a last group."""
    snap = await _snapshot(session)
    groups: list[TeamGroup] = []
    for team in snap.teams.values():
        members = sorted(((pid, snap.providers[pid][0]) for pid in snap.providers
                          if team.id in snap.teams_of.get(pid, ())), key=lambda p: p[1].lower())
        if members:
            groups.append(TeamGroup(team, members))
    loose = sorted(((pid, values[0]) for pid, values in snap.providers.items()
                    if not snap.teams_of.get(pid, set()) & set(snap.teams)),
                   key=lambda p: p[1].lower())
    if loose:
        groups.append(TeamGroup(None, loose))
    return groups


@dataclass(frozen=True)
class ProviderDetails:
    provider: Provider
    teams: list[Team]  # teams served, as the organisation file says
    seats: list[TeamSeat]  # team seats the provider holds


async def provider_details(session: AsyncSession, provider_id: int | None) -> ProviderDetails:
    """One active provider with its teams and seats; :class:`NotFound` if it is gone."""
    found = await providers_details(session, [provider_id] if provider_id is not None else [])
    if not found:
        raise NotFound(GONE)
    return found[0]


async def providers_details(session: AsyncSession, ids: list[int]) -> list[ProviderDetails]:
    """Active providers among ``ids``, in that order, in three queries whatever their number."""
    repo = DirectoryRepository(session)
    providers = await repo.providers(ids)
    seats: defaultdict[int, list[TeamSeat]] = defaultdict(list)
    for seat in await repo.seats_of([p.id for p in providers]):
        if seat.provider_id is not None:
            seats[seat.provider_id].append(seat)
    return [
        ProviderDetails(
            provider,
            sorted((link.team for link in provider.team_links if link.team.active),
                   key=lambda team: team.key),
            seats[provider.id],
        )
        for provider in providers
    ]


async def contact_person(session: AsyncSession, contact_id: int | None) -> ProviderContact:
    """A contact person of an active provider, with a phone number to put on a card."""
    contact = (await DirectoryRepository(session).contact(contact_id)
               if contact_id is not None else None)
    if contact is None or not contact.phone:
        raise NotFound(GONE)
    return contact
