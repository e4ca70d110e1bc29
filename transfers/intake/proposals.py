"""Sentences that report a transfer, turned into proposed claims and a draft fixture.

``propose(source)`` reads the source's stored text sentence by sentence and, where a sentence
reports a transfer, proposes one claim per (supplier, recipient, materiel) it names: its quote (the
sentence, or the clause before a reported denial), stance, claimant, timeline steps, route and
destination. Parties a sentence leaves out are carried over from the sentence before that named
them ("Russia was willing to buy" continues "North Korea ... shells"), and the draft says so.
Names the database does not know are listed, never guessed.

Nothing is written: ``draft_fixture`` renders the proposals in the hand-written fixture format, and
``transfers.services.intake`` accepts or rejects them.
"""

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q

from transfers.choices import (
    Credibility,
    DatePrecision,
    LegRole,
    MaterielCategory,
    Stance,
    TransferStatus,
    TransportMode,
)
from transfers.models import Actor, Claim, Materiel, ProposalRejection, Source, Transfer, TransferEvent
from transfers.quotes import normalize

from . import cues
from .gazetteer import Gazetteer, Mention, build, fold
from .sentences import Sentence, sentences

PROPOSAL_MARK = "PROPOSAL (propose_claims)"
_NAME = re.compile(r"(?<![\w'’.-])[A-Z][A-Za-z'’-]+(?:\s+(?:al-|bin\s+|of\s+)?[A-Z][A-Za-z'’-]+)*")


@dataclass
class ProposedEvent:
    """A timeline step a claim reports."""

    status: str
    date: date | None
    date_precision: str
    cue: str


@dataclass
class Proposal:
    """One proposed claim on one transfer (existing or new)."""

    sentence: int
    quote: str
    supplier: str
    recipient: str
    materiel: str
    stance: str = Stance.ASSERTS
    claimant: str | None = None
    supplier_actor: str | None = None
    recipient_actor: str | None = None
    events: list[ProposedEvent] = field(default_factory=list)
    via: list[str] = field(default_factory=list)
    via_regions: list[str] = field(default_factory=list)
    destination: str | None = None
    covert: bool = False
    transfer: str | None = None  # the existing transfer it adds to, if any
    reasons: list[str] = field(default_factory=list)  # the cues that fired, for the analyst
    unresolved: list[str] = field(default_factory=list)

    @property
    def triple(self) -> tuple[str, str, str]:
        return (self.supplier, self.recipient, self.materiel)

    @property
    def fingerprint(self) -> str:
        """Stable across runs: what is proposed (quote, stance, parties, materiel), not how."""
        key = "|".join([normalize(self.quote), self.stance, *self.triple])
        return hashlib.sha256(key.encode()).hexdigest()[:32]

    @property
    def summary(self) -> str:
        return f"{self.supplier} → {self.recipient}: {self.materiel} ({self.stance})"


@dataclass
class Unresolved:
    """A sentence that seems to report a transfer, and what in it the database does not know."""

    sentence: int
    quote: str
    reason: str
    names: list[str] = field(default_factory=list)


@dataclass
class Intake:
    """Everything one run proposes for one source."""

    source: Source
    proposals: list[Proposal] = field(default_factory=list)
    unresolved: list[Unresolved] = field(default_factory=list)
    rejected: int = 0  # proposals left out because an analyst rejected them before
    recorded: int = 0  # proposals left out because the database already holds the claim


@dataclass
class _Party:
    iso3: str
    actor: str | None
    role: str | None
    mention: Mention


@dataclass
class _Said:
    """What one sentence yielded, kept as context for the sentences after it."""

    sentence: Sentence
    suppliers: list[str]
    recipients: list[str]
    materiel: list[str]
    pairs: dict[tuple[str, str], list[str]]


def propose(source: Source, *, gazetteer: Gazetteer | None = None) -> Intake:
    """The proposals for ``source``, minus those rejected before and those already recorded."""
    gazetteer = gazetteer or build()
    intake = Intake(source=source)
    reader = _Reader(source, gazetteer)
    candidates = reader.read()
    intake.unresolved = reader.unresolved
    _match_existing(candidates)
    rejected = set(ProposalRejection.objects.filter(source=source).values_list("fingerprint", flat=True))
    recorded = _recorded(source)
    for proposal in candidates:
        if proposal.fingerprint in rejected:
            intake.rejected += 1
        elif _is_recorded(proposal, recorded):
            intake.recorded += 1
        else:
            intake.proposals.append(proposal)
    return intake


class _Reader:
    def __init__(self, source: Source, gazetteer: Gazetteer):
        self.source = source
        self.text = source.text
        self.folded = fold(source.text)
        self.gazetteer = gazetteer
        self.said: list[_Said] = []
        self.last_speaker: str | None = None
        self.last_speaker_paragraph: int | None = None
        self.unresolved: list[Unresolved] = []
        self.proposals: list[Proposal] = []
        self._governments = None

    # --- the walk ---

    def read(self) -> list[Proposal]:
        for number, sentence in enumerate(sentences(self.text)):
            self.sentence(number, sentence)
        return self.proposals

    def sentence(self, number: int, s: Sentence) -> None:
        mentions = self.gazetteer.find(self.text, s.start, s.end)
        folded = self.folded[s.start:s.end]
        speakers = self.speakers(s, mentions)
        claimant = speakers[0].of_kind("actor")[0].key if speakers else None
        if claimant is None and self.last_speaker and self._continues_quote(s):
            claimant = self.last_speaker
        if claimant:
            self.last_speaker, self.last_speaker_paragraph = claimant, s.paragraph
        materiel_mentions = [m for m in mentions if m.of_kind("materiel")]
        status_cues = self.status_cues(s.start, s.end)
        reports = bool(materiel_mentions or status_cues or cues.TRANSFER_WORDS.search(folded))
        if not reports:
            return
        reasons = []
        parties = self.parties(s, mentions, speakers)
        suppliers = _unique(p.iso3 for p in parties if p.role == "supplier")
        recipients = _unique(p.iso3 for p in parties if p.role == "recipient" and p.iso3 not in suppliers)
        others = _unique(p.iso3 for p in parties if p.role is None and p.iso3 not in suppliers + recipients)
        # A State named only to place something ("Crimea, the ... Ukrainian peninsula") or a speaker's
        # own State ("Kirby ... the United States would") is not a party unless a cue says it is.
        place_states = {e.state for m in mentions for e in m.of_kind("place") if e.state}
        speaker_states = {e.state for m in speakers for e in m.of_kind("actor") if e.state}
        others = [iso3 for iso3 in others if iso3 not in place_states | speaker_states]
        if suppliers and not recipients and len(others) == 1:
            recipients, others = others, []
            reasons.append("recipient: the other party named")
        elif recipients and not suppliers and len(others) == 1:
            suppliers, others = others, []
            reasons.append("supplier: the other party named")
        elif not suppliers and not recipients and len(others) == 2:
            suppliers, recipients = others[:1], others[1:]
            reasons.append("roles not stated: the first party named is taken as supplier; check them")
        materiel = self.materiel(s, materiel_mentions, reasons)
        unknown_roles = self.unknown_names(s, mentions)
        unknown = list(unknown_roles)
        # A role an unknown name holds is not filled from an earlier sentence: that would be a guess.
        blocked = set(unknown_roles.values())
        suppliers, recipients, pairs = self.carry_over(s, suppliers, recipients, materiel, reasons, blocked)
        if not pairs:
            missing = [name for name, found in (("supplier", suppliers), ("recipient", recipients),
                                                 ("materiel", materiel)) if not found] or ["materiel"]
            if unknown or materiel_mentions or parties:
                self.unresolved.append(Unresolved(number, s.text, f"no {' or '.join(missing)} found", unknown))
            return
        self.said.append(_Said(s, suppliers, recipients, materiel, pairs))
        self.emit(number, s, mentions, parties, pairs, claimant, status_cues, reasons, unknown)

    def emit(self, number, s, mentions, parties, pairs, claimant, status_cues, reasons, unknown) -> None:
        folded = self.folded[s.start:s.end]
        route_states, route_regions, destination = self.route(s, mentions)
        covert = bool(cues.COVERT.search(folded))
        denial = cues.DENIAL.search(folded)
        claims = []  # (quote, stance, claimant, events)
        if denial:
            denier = self.denier(s, mentions, s.start + denial.start())
            clause_end = self.text.rfind(",", s.start, s.start + denial.start())
            if claimant and claimant != denier and clause_end > s.start:
                # "X warned that ..., prompting a denial from Y": X's assertion and Y's denial.
                events = [c for c in status_cues if c[0] < clause_end]
                claims.append((self.text[s.start:clause_end], Stance.ASSERTS, claimant, events,
                               [f"claimant: speaker cue ({claimant})"]))
            claims.append((s.text, Stance.DENIES, denier, [],
                           [f"stance: denial cue {denial.group()!r}"]
                           + ([f"claimant: the denier ({denier})"] if denier else ["denier not found: set claimant"])))
        else:
            claims.append((s.text, Stance.ASSERTS, claimant, status_cues,
                           [f"claimant: speaker cue ({claimant})"] if claimant else []))
        actors = {role: _first_actor(parties, role) for role in ("supplier", "recipient")}
        for (supplier, recipient), materiel in pairs.items():
            for slug in materiel:
                for quote, stance, who, events, why in claims:
                    self.proposals.append(Proposal(
                        sentence=number, quote=quote, supplier=supplier, recipient=recipient, materiel=slug,
                        stance=stance, claimant=who,
                        supplier_actor=actors["supplier"].get(supplier),
                        recipient_actor=actors["recipient"].get(recipient),
                        events=[self.event(s, status, cue) for _pos, status, cue in events],
                        via=[iso3 for iso3 in route_states if iso3 not in (supplier, recipient)],
                        via_regions=route_regions, destination=destination, covert=covert,
                        reasons=[*reasons, *why, *(f"status: {cue!r} → {status}" for _p, status, cue in events)],
                        unresolved=unknown,
                    ))

    def materiel(self, s: Sentence, mentions: list[Mention], reasons: list[str]) -> list[str]:
        """The materiel a sentence reports as transferred: where it names a service (technicians,
        training), what the service works on ("to train operatives on the drone systems") is not."""
        services = any(e.category == MaterielCategory.SERVICES for m in mentions for e in m.of_kind("materiel"))
        found = []
        for m in mentions:
            before = self.folded[max(s.start, m.start - 30):m.start]
            if services and cues.SERVICE_OBJECT.search(before) and not any(
                e.category == MaterielCategory.SERVICES for e in m.of_kind("materiel")
            ):
                reasons.append(f"{m.surface!r}: what the service works on, not transferred")
                continue
            found.extend(e.key for e in m.of_kind("materiel"))
        return _unique(found)

    # --- speakers and deniers ---

    def speakers(self, s: Sentence, mentions: list[Mention]) -> list[Mention]:
        found = []
        for m in mentions:
            if not m.of_kind("actor"):
                continue
            after = self.folded[m.end:s.end]
            before = self.folded[s.start:m.start]
            if cues.SPEAKER_BEFORE_VERB.match(after) or cues.SPEAKER_AFTER_VERB.search(before):
                found.append(m)
        return found

    def _continues_quote(self, s: Sentence) -> bool:
        """ "he said", or a sentence wholly in quotation marks right after a speaker's."""
        if cues.PRONOUN_SPEAKER.search(self.folded[s.start:s.end]):
            return True
        return self.last_speaker_paragraph == s.paragraph and self.text[s.start] in "“\""

    def denier(self, s: Sentence, mentions: list[Mention], cue_at: int) -> str | None:
        """The actor who denies: named after "denial from" / "rejected by", or just before the verb."""
        after = next((m for m in mentions if m.start > cue_at), None)
        if after is not None and cues.DENIER_AFTER_CUE.match(self.folded[cue_at:after.start]):
            return self._actor_of(after)
        before = [m for m in mentions if m.end <= cue_at]
        between = self.folded[before[-1].end:cue_at] if before else ""
        if before and cues.DENIER_BEFORE_CUE.fullmatch(between):
            return self._actor_of(before[-1])
        return None

    def _actor_of(self, m: Mention) -> str | None:
        actors = m.of_kind("actor")
        if len(actors) == 1:
            return actors[0].key
        states = m.of_kind("state")
        if len(states) == 1:
            # A State that speaks ("Tehran denied") speaks through its government, where there is one.
            return self.governments().get(states[0].key)
        return None

    def governments(self) -> dict[str, str]:
        if self._governments is None:
            rows = Actor.objects.filter(kind="government", state__isnull=False).values_list("state__iso3", "slug")
            by_state: dict[str, list[str]] = {}
            for iso3, slug in rows:
                by_state.setdefault(iso3, []).append(slug)
            self._governments = {iso3: slugs[0] for iso3, slugs in by_state.items() if len(slugs) == 1}
        return self._governments

    # --- parties ---

    def parties(self, s: Sentence, mentions: list[Mention], speakers: list[Mention]) -> list[_Party]:
        candidates = []
        for m in mentions:
            if m in speakers:
                continue
            states = {e.key for e in m.of_kind("state")}
            actors = [e for e in m.of_kind("actor") if e.state]
            if not states:
                states = {e.state for e in actors}
            if len(states) != 1:
                continue
            iso3 = states.pop()
            own = [e.key for e in actors if e.state == iso3]
            candidates.append(_Party(iso3, own[0] if len(own) == 1 else None, None, m))
        previous = None
        for index, party in enumerate(candidates):
            nxt = candidates[index + 1].mention.start if index + 1 < len(candidates) else s.end
            party.role = self.role(s, party.mention, nxt, previous)
            previous = party
        return [p for p in candidates if p.role != "location"]

    def role(self, s: Sentence, m: Mention, next_start: int, previous: _Party | None) -> str | None:
        before = self.folded[max(s.start, m.start - 40):m.start]
        if previous is not None and previous.role and cues.COORDINATED.match(
            self.folded[previous.mention.end:m.start]
        ):
            return previous.role
        for pattern, role in cues.ROLE_BEFORE:
            if pattern.search(before):
                return role
        after = self.folded[m.end:s.end]
        if cues.PATRON_AFTER.match(after):
            return "recipient"
        window = self.folded[m.end:min(next_start, m.end + 80)]
        supply, acquire = cues.SUPPLIER_VERB.search(window), cues.RECIPIENT_VERB.search(window)
        if supply and (not acquire or supply.start() < acquire.start()):
            return "supplier"
        if acquire:
            return "recipient"
        return None

    def carry_over(self, s, suppliers, recipients, materiel, reasons, blocked):
        """Fill what the sentence leaves out from the latest sentence that named it."""
        said = list(reversed(self.said))
        if blocked & {"supplier", "recipient"}:
            pass
        elif suppliers and not recipients:
            match = next((x for x in said if set(x.suppliers) & set(suppliers)), None)
            if match:
                recipients = match.recipients
                reasons.append(f"recipient carried over from: {match.sentence.text[:60]!r}")
        elif recipients and not suppliers:
            match = next((x for x in said if set(x.recipients) & set(recipients)), None)
            if match:
                suppliers = match.suppliers
                reasons.append(f"supplier carried over from: {match.sentence.text[:60]!r}")
        elif not suppliers and not recipients:
            same_paragraph = [x for x in said if x.sentence.paragraph == s.paragraph]
            match = next((x for x in same_paragraph if set(x.materiel) & set(materiel)), None) or next(
                iter(same_paragraph), None
            )
            if match:
                suppliers, recipients = match.suppliers, match.recipients
                reasons.append(f"supplier and recipient carried over from: {match.sentence.text[:60]!r}")
        pairs = {}
        for supplier in suppliers:
            for recipient in recipients:
                if supplier == recipient:
                    continue
                carried = materiel
                if not carried:
                    # "such materiel", "the purchases": what the text first reported between these two
                    # (its lead), not the latest detail about them.
                    match = next((x for x in self.said if (supplier, recipient) in x.pairs), None)
                    if match:
                        carried = match.pairs[(supplier, recipient)]
                        reasons.append(f"materiel carried over from: {match.sentence.text[:60]!r}")
                if carried:
                    pairs[(supplier, recipient)] = carried
        return suppliers, recipients, pairs

    # --- route, status, dates, unknown names ---

    def route(self, s: Sentence, mentions: list[Mention]):
        states, regions, destination = [], [], None
        previous_route = None
        for m in mentions:
            before = self.folded[max(s.start, m.start - 40):m.start]
            on_route = bool(cues.ROUTE_BEFORE.search(before)) or (
                previous_route is not None and cues.COORDINATED.match(self.folded[previous_route.end:m.start])
            )
            places, state_entries = m.of_kind("place"), m.of_kind("state")
            if on_route:
                previous_route = m
                if places:
                    regions.extend(e.key for e in places if e.key not in regions)
                elif len(state_entries) == 1 and state_entries[0].key not in states:
                    states.append(state_entries[0].key)
            elif places and places[0].place_kind != "region" and cues.DESTINATION_BEFORE.search(before):
                destination = destination or places[0].key
        return states, regions, destination

    def status_cues(self, start: int, end: int) -> list[tuple[int, str, str]]:
        found = []
        for pattern, status in cues.STATUS_CUES:
            for match in pattern.finditer(self.folded, start, end):
                if cues.STATUS_DOUBT.search(self.folded[max(start, match.start() - 60):match.start()]):
                    continue
                found.append((match.start(), status, self.text[match.start():match.end()].strip()))
        found.sort()
        seen, result = set(), []
        for position, status, cue in found:
            if status not in seen:
                seen.add(status)
                result.append((position, status, cue))
        return result

    def event(self, s: Sentence, status: str, cue: str) -> ProposedEvent:
        published = self.source.published
        if published is None:
            return ProposedEvent(status, None, DatePrecision.DAY, cue)
        month = cues.MONTH_CUE.search(self.folded, s.start, s.end)
        if month:
            number = cues.MONTHS.index(month.group(2).lower()) + 1
            year = published.year if number <= published.month else published.year - 1
            return ProposedEvent(status, date(year, number, 1), DatePrecision.MONTH, cue)
        return ProposedEvent(status, published, DatePrecision.DAY, cue)

    def unknown_names(self, s: Sentence, mentions: list[Mention]) -> dict[str, str]:
        """Capitalised names in a party's, a speaker's or a route's place that the database lacks,
        with that place ("supplier", "recipient", "route" or "speaker")."""
        covered = [(m.start, m.end) for m in mentions]
        names: dict[str, str] = {}
        for match in _NAME.finditer(self.text, s.start, s.end):
            start, end = match.span()
            if any(a < end and start < b for a, b in covered):
                continue
            words = match.group().split()
            if all(word.lower().strip("'’") in cues.NOT_A_NAME for word in words):
                continue
            before = self.folded[max(s.start, start - 40):start]
            after = self.folded[end:s.end]
            bare = cues.AUXILIARIES.sub("", after)
            role = next((role for pattern, role in cues.ROLE_BEFORE if pattern.search(before)), None)
            if role == "location":
                role = None
            if role is None and cues.ROUTE_BEFORE.search(before):
                role = "route"
            elif role is None and cues.SPEAKER_BEFORE_VERB.match(after):
                role = "speaker"
            elif role is None and cues.SUPPLIER_VERB.match(bare):
                role = "supplier"
            elif role is None and cues.RECIPIENT_VERB.match(bare):
                role = "recipient"
            if role:
                name = match.group()
                if words[0].lower() in cues.NOT_A_NAME:
                    name = " ".join(words[1:])
                if name:
                    names.setdefault(name, role)
        return names


def _first_actor(parties: list[_Party], role: str) -> dict[str, str]:
    actors: dict[str, str] = {}
    for party in parties:
        if party.role == role and party.actor and party.iso3 not in actors:
            actors[party.iso3] = party.actor
    return actors


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


# --- matching against the database ---


def _broader(slugs: Iterable[str]) -> dict[str, list[str]]:
    """Each materiel followed by the materiel it is a kind of, narrowest first (one query)."""
    parent = dict(Materiel.objects.values_list("slug", "kind_of__slug"))
    chains = {}
    for slug in slugs:
        chain = [slug]
        # kind_of is kept acyclic by Materiel.clean(); the length bound guards raw fixture loads.
        while parent.get(chain[-1]) and len(chain) <= len(parent):
            chain.append(parent[chain[-1]])
        chains[slug] = chain
    return chains


def _match_existing(proposals: list[Proposal]) -> None:
    """Point each proposal at the existing transfer of the same parties and materiel (or a broader
    materiel), the oldest first; one query for all of them."""
    if not proposals:
        return
    chains = _broader({p.materiel for p in proposals})
    wanted = Q()
    for p in proposals:
        wanted |= Q(supplier__iso3=p.supplier, recipient__iso3=p.recipient, materiel__slug__in=chains[p.materiel])
    found: dict[tuple[str, str, str], str] = {}
    for slug, supplier, recipient, materiel in (
        Transfer.objects.filter(wanted)
        .order_by("id")
        .values_list("slug", "supplier__iso3", "recipient__iso3", "materiel__slug")
    ):
        found.setdefault((supplier, recipient, materiel), slug)
    for p in proposals:
        p.transfer = next((found[key] for m in chains[p.materiel] if (key := (p.supplier, p.recipient, m)) in found),
                          None)


def existing_transfer(supplier: str, recipient: str, materiel: str) -> Transfer | None:
    """The oldest curated transfer of these parties and this materiel, or of a broader one."""
    proposal = Proposal(sentence=0, quote="", supplier=supplier, recipient=recipient, materiel=materiel)
    _match_existing([proposal])
    return Transfer.objects.get(slug=proposal.transfer) if proposal.transfer else None


def _recorded(source: Source) -> list[tuple[str, tuple[str, str, str]]]:
    rows = Claim.objects.filter(source=source).values_list(
        "quote", "transfer__supplier__iso3", "transfer__recipient__iso3", "transfer__materiel__slug"
    )
    return [(normalize(quote), (s, r, m)) for quote, s, r, m in rows]


def _is_recorded(proposal: Proposal, recorded) -> bool:
    """The database already holds a claim from this source on this transfer whose quote lies in
    the proposed one (an analyst's narrower quote counts)."""
    quote = normalize(proposal.quote)
    return any(triple == proposal.triple and claim_quote in quote for claim_quote, triple in recorded)


# --- the draft fixture ---


def draft_fixture(intake: Intake) -> list[dict]:
    """The proposals as a hand-written fixture: natural keys, no pks, every record marked."""
    source = intake.source
    taken_transfers = set()
    taken_claims = set()
    new_transfers: dict[tuple[str, str, str], dict] = {}
    records, claims, events, legs = [], [], [], []
    planned_events, planned_legs = set(), set()
    for proposal in intake.proposals:
        slug = proposal.transfer
        if slug is None:
            record = new_transfers.get(proposal.triple)
            if record is None:
                slug = new_transfer_slug(proposal, source, taken_transfers)
                record = {
                    "model": "transfers.transfer",
                    "fields": {
                        "slug": slug,
                        "supplier": [proposal.supplier],
                        "recipient": [proposal.recipient],
                        "supplier_actor": [proposal.supplier_actor] if proposal.supplier_actor else None,
                        "recipient_actor": [proposal.recipient_actor] if proposal.recipient_actor else None,
                        "materiel": [proposal.materiel],
                        "quantity": None,
                        "quantity_note": "",
                        "status": TransferStatus.UNKNOWN,
                        "destination": [proposal.destination] if proposal.destination else None,
                        "covert": proposal.covert,
                        "first_reported": source.published.isoformat() if source.published else None,
                        "description": f"{PROPOSAL_MARK} from source '{source.slug}': write what is known and "
                        "what is not before loading.",
                    },
                }
                new_transfers[proposal.triple] = record
                records.append(record)
            fields = record["fields"]
            slug = fields["slug"]
            fields["covert"] = fields["covert"] or proposal.covert
            for key in ("supplier_actor", "recipient_actor", "destination"):
                value = getattr(proposal, key)
                if fields[key] is None and value:
                    fields[key] = [value]
            fields["status"] = cues.furthest_status([fields["status"], *(e.status for e in proposal.events)])
        claim_slug = free_slug(f"{slug[:90]}-s{proposal.sentence + 1}-{proposal.stance}", Claim, taken_claims)
        note = f"{PROPOSAL_MARK}: credibility not judged, set it. Cues: {'; '.join(proposal.reasons) or 'none'}."
        if proposal.unresolved:
            note += f" Names the database does not know: {', '.join(proposal.unresolved)}."
        claims.append({
            "model": "transfers.claim",
            "fields": {
                "slug": claim_slug,
                "transfer": [slug],
                "source": [source.slug],
                "quote": proposal.quote,
                "stance": proposal.stance,
                "claimant": [proposal.claimant] if proposal.claimant else None,
                "credibility": Credibility.CANNOT_JUDGE,
                "note": note,
            },
        })
        if proposal.transfer is None:
            # Route legs of a new transfer, each resting on the first claim that names it.
            for kind, key in [*(("place", r) for r in proposal.via_regions), *(("state", v) for v in proposal.via)]:
                if (slug, kind, key) in planned_legs:
                    continue
                planned_legs.add((slug, kind, key))
                legs.append({
                    "model": "transfers.transfervia",
                    "fields": {
                        "transfer": [slug],
                        "seq": sum(1 for leg in legs if leg["fields"]["transfer"] == [slug]) + 1,
                        "state": [key] if kind == "state" else None,
                        "place": [key] if kind == "place" else None,
                        "role": LegRole.TRANSIT,
                        "mode": TransportMode.UNKNOWN,
                        "claim": [claim_slug],
                    },
                })
        for event in proposal.events:
            if event.date is None:
                continue
            key = (slug, event.status, event.date)
            if key in planned_events or (
                proposal.transfer
                and TransferEvent.objects.filter(transfer__slug=slug, status=event.status, date=event.date).exists()
            ):
                continue
            planned_events.add(key)
            when = "the month the text names" if event.date_precision == DatePrecision.MONTH else (
                "the source's date (the day it was reported, not the day it happened)"
            )
            events.append({
                "model": "transfers.transferevent",
                "fields": {
                    "transfer": [slug],
                    "status": event.status,
                    "date": event.date.isoformat(),
                    "date_precision": event.date_precision,
                    "claim": [claim_slug],
                    "note": f"{PROPOSAL_MARK}: cue {event.cue!r}; dated {when}.",
                },
            })
    return records + claims + legs + events


def new_transfer_slug(proposal: Proposal, source: Source, taken: set[str] | None = None) -> str:
    """supplier-recipient-materiel-year, free in the database (and in ``taken``)."""
    year = str(source.published.year) if source.published else ""
    return free_slug("-".join(x for x in [*proposal.triple, year] if x)[:110], Transfer, taken)


def free_slug(base: str, model, taken: set[str] | None = None) -> str:
    """``base`` as a slug, numbered when the database (or ``taken``) already has it."""
    taken = set() if taken is None else taken
    base = re.sub(r"[^a-z0-9-]+", "-", base.lower()).strip("-")
    slug, number = base, 1
    while slug in taken or model.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    taken.add(slug)
    return slug

