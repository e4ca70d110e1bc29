"""Every name the database knows, matched in a sentence in one pass.

Built per run from the database itself (never cached across runs: names are curated data and
change), so every alias an analyst adds improves the next proposal. One compiled alternation,
longest names first, finds the leftmost-longest name at each place: "North Korean government" (an
actor) wins over "North Korean" (a demonym), "ballistic missiles" over "missiles".
"""

import re
from dataclasses import dataclass, field

from transfers.models import Actor, Materiel, Place, State
from transfers.quotes import _QUOTE_FOLD

from .demonyms import forms as demonym_forms

# A parenthetical the curators use to qualify a name ("Missiles (type not stated)") is not part of
# how an article says it.
_PARENTHETICAL = re.compile(r"\s*\([^)]*\)\s*")


@dataclass(frozen=True)
class Entry:
    """What a name refers to: a State, an Actor, a Place or a Materiel (by key)."""

    kind: str  # "state", "actor", "place" or "materiel"
    key: str  # iso3 for a State, slug otherwise
    state: str | None = None  # the State the record belongs to (an actor's, a place's), if any
    actor_kind: str = ""
    place_kind: str = ""
    category: str = ""  # a materiel's category


@dataclass(frozen=True)
class Mention:
    """A name found in a sentence, with its offsets in the full text."""

    start: int
    end: int
    surface: str
    entries: tuple[Entry, ...]

    def of_kind(self, kind: str) -> list[Entry]:
        return [entry for entry in self.entries if entry.kind == kind]


@dataclass
class Gazetteer:
    names: dict[str, list[Entry]] = field(default_factory=dict)
    pattern: re.Pattern | None = None

    def add(self, name: str, entry: Entry) -> None:
        name = _PARENTHETICAL.sub(" ", name).strip()
        key = _key(name)
        # One- and two-letter names would match inside every sentence; an article's "U.S." has dots.
        if len(key.replace(".", "")) < 2:
            return
        entries = self.names.setdefault(key, [])
        if entry not in entries:
            entries.append(entry)
        # "the Middle East" is said "the Middle East" and "Middle East"; "the administration" needs its "the".
        if key.startswith("the ") and entry.kind == "place":
            self.add(name[4:], entry)

    def compile(self) -> "Gazetteer":
        alternatives = sorted(self.names, key=lambda name: (-len(name), name))
        body = "|".join(re.escape(name) for name in alternatives) or r"(?!x)x"
        # Word boundaries by hand: a name may end in "." ("U.S."), where \b would not hold.
        self.pattern = re.compile(rf"(?<![\w-])(?:{body})(?![\w-])", re.IGNORECASE)
        return self

    def find(self, text: str, start: int = 0, end: int | None = None) -> list[Mention]:
        """Names in ``text[start:end]``, with offsets into ``text``."""
        folded = fold(text)
        end = len(text) if end is None else end
        return [
            Mention(match.start(), match.end(), text[match.start():match.end()], tuple(self.names[_key(match.group())]))
            for match in self.pattern.finditer(folded, start, end)
        ]


def fold(text: str) -> str:
    """Curly quotes and dashes folded, one character for one, so that offsets stay valid."""
    return text.translate(_QUOTE_FOLD)


def _key(name: str) -> str:
    return fold(name).lower()


def build() -> Gazetteer:
    """The gazetteer of everything in the database now (four queries)."""
    gazetteer = Gazetteer()
    states = list(State.objects.values_list("iso3", "name", "aliases"))
    for iso3, name, aliases in states:
        entry = Entry("state", iso3, state=iso3)
        for word in [name, *aliases]:
            gazetteer.add(word, entry)
    curated = set(gazetteer.names)
    for iso3, _name, _aliases in states:
        for word in demonym_forms(iso3):
            # A curated name (an alias or another record's name) is not overridden by the table.
            if _key(word) not in curated:
                gazetteer.add(word, Entry("state", iso3, state=iso3))
    for slug, name, aliases, kind, iso3 in Actor.objects.values_list(
        "slug", "name", "aliases", "kind", "state__iso3"
    ):
        entry = Entry("actor", slug, state=iso3, actor_kind=kind)
        for word in [name, *aliases]:
            gazetteer.add(word, entry)
    for slug, name, kind, iso3 in Place.objects.values_list("slug", "name", "kind", "state__iso3"):
        gazetteer.add(name, Entry("place", slug, state=iso3, place_kind=kind))
    for slug, name, designation, aliases, category in Materiel.objects.values_list(
        "slug", "name", "designation", "aliases", "category"
    ):
        entry = Entry("materiel", slug, category=category)
        for word in [name, designation, *aliases]:
            if word:
                gazetteer.add(word, entry)
    return gazetteer.compile()
