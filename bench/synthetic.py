"""Synthetic data at analyst scale, for benchmarks and load tests (``manage.py generate_synthetic``).

Shaped like real registers: a few suppliers dominate (Zipf weights 1/rank^1.2, as in SIPRI's
register where a handful of exporters ship most arms), recipients are less concentrated, a few
materiel types recur, dates spread over decades and thicken towards the present, a few per cent of
claims deny, and some States and actors are under sanctions. Every quote is a sentence of its
source's stored text, so the quote rule holds. Deterministic: the same seed gives the same data.

The generator knows its own records by their keys, so the curated tables carry no mark of it: every
slug starts ``syn<seed>-`` (``generated``), synthetic States take ISO 3166 user-assigned codes (X..),
which no real country has, and are named "Synthetic state X..", and events, routes and parties
belong to synthetic transfers. Rows are written with ``COPY`` (``transfers.bulk``) without history rows: this is
generated test data, not a curated edit, and a million-row audit trail of nothing would double the
load for no reader. Reference data (States, actors, materiel, sources) is reused when present.
"""

import datetime
import itertools
import random
import string
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connections, transaction
from django.db.models import QuerySet
from django.utils import timezone

from transfers import readmodel, tallies
from transfers.bulk import allocate_ids, bulk_insert
from transfers.choices import (
    M49_SUBREGIONS,
    ActorKind,
    Credibility,
    DatePrecision,
    MaterielCategory,
    Reliability,
    SanctionKind,
    SourceKind,
    Stance,
    TransferStatus,
)
from transfers.models import (
    Actor,
    Claim,
    Materiel,
    SanctionDesignation,
    SanctionsRegime,
    Source,
    State,
    Transfer,
    TransferBreach,
    TransferEvent,
    TransferParty,
    TransferRecord,
    TransferVia,
    TransferWords,
)

SUPPLIER_SKEW = 1.2  # Zipf exponent: the top supplier ships about a quarter of all transfers
RECIPIENT_SKEW = 0.8
MATERIEL_SKEW = 1.0
DENIAL_RATE = 0.03
CHUNK = 50_000
FIRST_DAY = datetime.date(1990, 1, 1)
LAST_DAY = datetime.date(2025, 12, 31)

# Share of materiel types per category, roughly as registers list them.
CATEGORY_WEIGHTS = {
    MaterielCategory.AMMUNITION: 20,
    MaterielCategory.SMALL_ARMS: 14,
    MaterielCategory.ARMOURED_VEHICLE: 10,
    MaterielCategory.ARTILLERY: 10,
    MaterielCategory.AIRCRAFT: 8,
    MaterielCategory.MISSILE: 8,
    MaterielCategory.UAV: 8,
    MaterielCategory.AIR_DEFENCE: 5,
    MaterielCategory.NAVAL: 5,
    MaterielCategory.SERVICES: 5,
    MaterielCategory.WMD_COMPONENT: 1,
    MaterielCategory.OTHER: 6,
}
CATEGORY_NOUNS = {
    MaterielCategory.AMMUNITION: ["artillery shells", "rifle rounds", "mortar bombs", "tank rounds"],
    MaterielCategory.SMALL_ARMS: ["assault rifles", "machine guns", "pistols", "sniper rifles"],
    MaterielCategory.ARMOURED_VEHICLE: ["infantry fighting vehicles", "main battle tanks", "armoured carriers"],
    MaterielCategory.ARTILLERY: ["self-propelled howitzers", "multiple rocket launchers", "towed guns"],
    MaterielCategory.AIRCRAFT: ["fighter aircraft", "transport aircraft", "attack helicopters"],
    MaterielCategory.MISSILE: ["ballistic missiles", "anti-tank missiles", "cruise missiles"],
    MaterielCategory.UAV: ["loitering munitions", "reconnaissance drones", "combat drones"],
    MaterielCategory.AIR_DEFENCE: ["surface-to-air missile systems", "air defence radars"],
    MaterielCategory.NAVAL: ["patrol boats", "frigates", "naval mines"],
    MaterielCategory.SERVICES: ["training teams", "maintenance crews", "technicians"],
    MaterielCategory.WMD_COMPONENT: ["precursor chemicals", "centrifuge components"],
    MaterielCategory.OTHER: ["radios", "night-vision devices", "body armour"],
}
ACTOR_KIND_WEIGHTS = {
    ActorKind.GOVERNMENT: 10,
    ActorKind.ARMED_FORCES: 15,
    ActorKind.AGENCY: 10,
    ActorKind.COMPANY: 35,
    ActorKind.NON_STATE_ARMED_GROUP: 10,
    ActorKind.PRIVATE_MILITARY_COMPANY: 5,
    ActorKind.PERSON: 10,
    ActorKind.INTERNATIONAL_ORGANIZATION: 2,
    ActorKind.OTHER: 3,
}
ACTOR_SUFFIX = {
    ActorKind.GOVERNMENT: "Government",
    ActorKind.ARMED_FORCES: "Armed Forces",
    ActorKind.AGENCY: "Export Agency",
    ActorKind.COMPANY: "Defence Industries",
    ActorKind.NON_STATE_ARMED_GROUP: "Brigade",
    ActorKind.PRIVATE_MILITARY_COMPANY: "Security Group",
    ActorKind.PERSON: "(broker)",
    ActorKind.INTERNATIONAL_ORGANIZATION: "Organisation",
    ActorKind.OTHER: "Network",
}
# Realistic status timelines; a transfer with k events follows the first k steps of one.
STATUS_PATHS = [
    (TransferStatus.ORDERED, TransferStatus.IN_TRANSIT, TransferStatus.DELIVERED),
    (TransferStatus.OFFERED, TransferStatus.ORDERED, TransferStatus.DELIVERED),
    (TransferStatus.ANTICIPATED, TransferStatus.IN_TRANSIT, TransferStatus.DELIVERED),
    (TransferStatus.SOUGHT, TransferStatus.OFFERED, TransferStatus.CANCELLED),
    (TransferStatus.ORDERED, TransferStatus.DELIVERED, TransferStatus.UNKNOWN),
]
SYLLABLES = [a + b for a in "bdgkmnprstvz" for b in "aeiou"] + ["ar", "en", "ol", "ur", "ik", "on"]
SYNTHETIC_STATE_PREFIX = "X"  # ISO 3166-1 reserves XAA-XZZ for user assignment: no real State has one


@dataclass
class Sizes:
    transfers: int
    states: int = 200
    actors: int = 10_000
    materiel: int = 5_000
    sources: int = 100_000


def _zipf_cum_weights(n: int, exponent: float) -> list[float]:
    return list(itertools.accumulate(1 / (rank**exponent) for rank in range(1, n + 1)))


def _words(rng: random.Random, count: int) -> list[str]:
    seen: dict[str, None] = {}
    while len(seen) < count:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()
        seen.setdefault(word, None)
    return list(seen)


def _date(rng: random.Random) -> datetime.date:
    # Reports thicken towards the present: more open sources, more monitoring.
    span = (LAST_DAY - FIRST_DAY).days
    return FIRST_DAY + datetime.timedelta(days=int(span * rng.random() ** 0.6))


class Generator:
    """One run of the generator; ``run()`` writes everything in one transaction."""

    def __init__(self, *, sizes: Sizes, seed: int, using: str = "default", log: Callable[[str], None] = print):
        self.sizes = sizes
        self.seed = seed
        self.using = using
        self.log = log
        self.rng = random.Random(seed)
        self.prefix = f"syn{seed}-"
        self.now = timezone.now()
        self.counts: dict[str, int] = {}

    # -- helpers ---------------------------------------------------------------------------------

    def _insert(self, model, columns, rows) -> int:
        started = time.monotonic()
        written = bulk_insert(model, columns, rows, using=self.using)
        self.counts[model._meta.model_name] = self.counts.get(model._meta.model_name, 0) + written
        elapsed = time.monotonic() - started
        if written >= CHUNK or elapsed > 1:
            self.log(f"  {model._meta.verbose_name_plural}: {written:,} rows in {elapsed:.1f}s")
        return written

    def _record(self) -> tuple:
        return (self.now, self.now)

    # -- reference data ----------------------------------------------------------------------------

    def states(self) -> list[int]:
        existing = dict(State.objects.using(self.using).values_list("iso3", "id"))
        wanted = max(self.sizes.states - len(existing), 0)
        codes = [
            SYNTHETIC_STATE_PREFIX + a + b
            for a in string.ascii_uppercase
            for b in string.ascii_uppercase
            if SYNTHETIC_STATE_PREFIX + a + b not in existing
        ][:wanted]
        ids = allocate_ids(State, len(codes), using=self.using)
        subregions = sorted(M49_SUBREGIONS)
        self._insert(
            State,
            ["id", "created_at", "updated_at", "iso3", "name", "aliases", "subregion"],
            (
                (pk, *self._record(), code, f"Synthetic state {code}", [], subregions[i % len(subregions)])
                for i, (pk, code) in enumerate(zip(ids, codes, strict=True))
            ),
        )
        existing.update(zip(codes, ids, strict=True))
        self.state_names = dict(State.objects.using(self.using).values_list("id", "name"))
        ordered = [existing[code] for code in sorted(existing)]
        self.rng.shuffle(ordered)  # which States dominate is the seed's choice, not the alphabet's
        return ordered[: max(self.sizes.states, 2)]

    def materiel(self) -> list[tuple[int, str, str]]:
        categories = list(CATEGORY_WEIGHTS)
        cum = list(itertools.accumulate(CATEGORY_WEIGHTS.values()))
        ids = allocate_ids(Materiel, self.sizes.materiel, using=self.using)
        rows, items = [], []
        for i, pk in enumerate(ids):
            category = self.rng.choices(categories, cum_weights=cum)[0]
            noun = self.rng.choice(CATEGORY_NOUNS[category])
            name = f"{self.rng.choice(self.words)}-{self.rng.randint(1, 99)} {noun}"
            rows.append((pk, *self._record(), f"{self.prefix}m-{i}", name, "", [], category, "", ""))
            items.append((pk, name, category))
        self._insert(
            Materiel,
            ["id", "created_at", "updated_at", "slug", "name", "designation", "aliases", "category",
             "un_register_category", "description"],
            rows,
        )
        return items

    def actors(self, states: list[int]) -> list[tuple[int, int]]:
        kinds = list(ACTOR_KIND_WEIGHTS)
        cum = list(itertools.accumulate(ACTOR_KIND_WEIGHTS.values()))
        ids = allocate_ids(Actor, self.sizes.actors, using=self.using)
        rows, items = [], []
        for i, pk in enumerate(ids):
            kind = self.rng.choices(kinds, cum_weights=cum)[0]
            state = self.rng.choice(states)
            name = f"{self.rng.choice(self.words)} {self.rng.choice(self.words)} {ACTOR_SUFFIX[kind]}"
            rows.append((pk, *self._record(), None, "", f"{self.prefix}a-{i}", name, [], kind, state, None, ""))
            items.append((pk, state))
        self._insert(
            Actor,
            ["id", "created_at", "updated_at", "source_id", "quote", "slug", "name", "aliases", "kind",
             "state_id", "part_of_id", "description"],
            rows,
        )
        return items

    def sources(self) -> list[tuple[int, list[str]]]:
        kinds = list(SourceKind.values)
        reliabilities = list(Reliability.values)
        publishers = [f"The {w} {s}" for w, s in zip(self.words[:300], itertools.cycle(["Times", "Monitor", "Post",
                                                                                       "Observer", "Review"]))]
        ids = allocate_ids(Source, self.sizes.sources, using=self.using)
        rng, words, items, rows = self.rng, self.words, [], []
        for i, pk in enumerate(ids):
            sentences = [
                f"{rng.choice(words)} officials said {rng.randint(2, 900)} {rng.choice(words)} consignments "
                f"passed through {rng.choice(words)} in {rng.randint(1990, 2025)}."
                for _ in range(rng.randint(3, 6))
            ]
            published = _date(rng)
            rows.append((
                pk, *self._record(), f"{self.prefix}s-{i}", f"Synthetic report {i}: {rng.choice(words)}",
                rng.choice(publishers), [], published, "", rng.choice(kinds), rng.choice(reliabilities),
                " ".join(sentences), "Synthetic: generated by manage.py generate_synthetic.",
            ))
            items.append((pk, sentences))
        self._insert(
            Source,
            ["id", "created_at", "updated_at", "slug", "title", "publisher", "authors", "published", "url",
             "kind", "reliability", "text", "note"],
            rows,
        )
        return items

    def sanctions(self, states: list[int], actors: list[tuple[int, int]], sources) -> None:
        regime_ids = allocate_ids(SanctionsRegime, 6, using=self.using)
        self._insert(
            SanctionsRegime,
            ["id", "created_at", "updated_at", "slug", "name", "kind", "imposed_by_id", "description"],
            (
                (pk, *self._record(), f"{self.prefix}regime-{i}", f"Synthetic sanctions regime {i}",
                 SanctionKind.ARMS_EMBARGO if i % 2 else SanctionKind.SANCTIONS, None, "")
                for i, pk in enumerate(regime_ids)
            ),
        )
        # A few States among the busier ones, and about 2% of actors, are under sanctions.
        targets = [("state", s) for s in self.rng.sample(states[:40], k=min(8, len(states)))]
        targets += [("actor", a) for a, _ in self.rng.sample(actors, k=len(actors) // 50)]
        ids = allocate_ids(SanctionDesignation, len(targets), using=self.using)
        rows = []
        for i, (pk, (kind, target)) in enumerate(zip(ids, targets, strict=True)):
            source, sentences = self.rng.choice(sources)
            since = _date(self.rng)
            rows.append((
                pk, *self._record(), f"{self.prefix}d-{i}", self.rng.choice(regime_ids),
                target if kind == "state" else None, target if kind == "actor" else None, since, None, source,
                self.rng.choice(sentences), Credibility.PROBABLE, "",
            ))
        self._insert(
            SanctionDesignation,
            ["id", "created_at", "updated_at", "slug", "regime_id", "state_id", "actor_id", "since",
             "until", "source_id", "quote", "credibility", "note"],
            rows,
        )

    # -- transfers ---------------------------------------------------------------------------------

    def transfers(self, states, materiel, actors, sources) -> None:
        rng, words = self.rng, self.words
        total = self.sizes.transfers
        supplier_cum = _zipf_cum_weights(len(states), SUPPLIER_SKEW)
        recipient_order = states[:]
        rng.shuffle(recipient_order)
        recipient_cum = _zipf_cum_weights(len(states), RECIPIENT_SKEW)
        materiel_cum = _zipf_cum_weights(len(materiel), MATERIEL_SKEW)
        actors_by_state: dict[int, list[int]] = {}
        for actor, state in actors:
            actors_by_state.setdefault(state, []).append(actor)
        actor_ids = [a for a, _ in actors]
        credibilities = list(Credibility.values)
        credibility_cum = list(itertools.accumulate([10, 30, 30, 12, 5, 13]))
        precisions = [DatePrecision.DAY, DatePrecision.MONTH, DatePrecision.YEAR]
        names = self.state_names
        day = datetime.timedelta(days=1)

        transfer_cols = ["id", "created_at", "updated_at", "slug", "supplier_id", "recipient_id",
                         "supplier_actor_id", "recipient_actor_id", "materiel_id", "category", "quantity",
                         "quantity_note", "status", "destination_id", "covert", "first_reported", "description",
                         "reviewed_by_id", "reviewed_at"]
        claim_cols = ["id", "created_at", "updated_at", "slug", "transfer_id", "source_id", "quote",
                      "stance", "claimant_id", "credibility", "note"]
        event_cols = ["id", "transfer_id", "status", "date", "date_precision", "claim_id", "note"]
        started = time.monotonic()
        claim_no = 0
        for offset in range(0, total, CHUNK):
            size = min(CHUNK, total - offset)
            suppliers = rng.choices(states, cum_weights=supplier_cum, k=size)
            recipients = rng.choices(recipient_order, cum_weights=recipient_cum, k=size)
            items = rng.choices(materiel, cum_weights=materiel_cum, k=size)
            transfer_ids = allocate_ids(Transfer, size, using=self.using)
            claim_counts = rng.choices((1, 2, 3), weights=(40, 35, 25), k=size)
            claim_ids = iter(allocate_ids(Claim, sum(claim_counts), using=self.using))
            event_counts = rng.choices((1, 2, 3), weights=(35, 40, 25), k=size)
            event_ids = iter(allocate_ids(TransferEvent, sum(event_counts), using=self.using))
            transfers, claims, events, routes = [], [], [], []
            for j in range(size):
                pk, supplier, recipient = transfer_ids[j], suppliers[j], recipients[j]
                if recipient == supplier:
                    recipient = recipient_order[(recipient_order.index(recipient) + 1) % len(recipient_order)]
                materiel_id, materiel_name, category = items[j]
                first_reported = _date(rng)
                quantity = None if rng.random() < 0.25 else int(rng.lognormvariate(4, 2)) + 1
                supplier_actors = actors_by_state.get(supplier)
                supplier_actor = rng.choice(supplier_actors) if supplier_actors and rng.random() < 0.4 else None
                recipient_actors = actors_by_state.get(recipient)
                recipient_actor = rng.choice(recipient_actors) if recipient_actors and rng.random() < 0.3 else None
                path = rng.choice(STATUS_PATHS)[: event_counts[j]]
                description = (
                    f"{names[supplier]} to {names[recipient]}: "
                    f"{quantity if quantity is not None else 'an unknown number of'} {materiel_name}, "
                    f"reported near {rng.choice(words)} and {rng.choice(words)}; handled by {rng.choice(words)}."
                )
                transfers.append((
                    pk, self.now, self.now, f"{self.prefix}t-{offset + j}", supplier, recipient,
                    supplier_actor, recipient_actor, materiel_id, category, quantity, "", path[-1], None,
                    rng.random() < 0.05, first_reported, description, None, None,
                ))
                my_claims = []
                for _ in range(claim_counts[j]):
                    claim_id = next(claim_ids)
                    source, sentences = rng.choice(sources)
                    claims.append((
                        claim_id, self.now, self.now, f"{self.prefix}c-{claim_no}", pk, source,
                        rng.choice(sentences), Stance.DENIES if rng.random() < DENIAL_RATE else Stance.ASSERTS,
                        rng.choice(actor_ids) if rng.random() < 0.3 else None,
                        rng.choices(credibilities, cum_weights=credibility_cum)[0], "",
                    ))
                    my_claims.append(claim_id)
                    claim_no += 1
                date = first_reported - datetime.timedelta(days=rng.randint(0, 400))
                for status in path:
                    precision = rng.choice(precisions)
                    stored = date
                    if precision == DatePrecision.MONTH:
                        stored = date.replace(day=1)
                    elif precision == DatePrecision.YEAR:
                        stored = date.replace(month=1, day=1)
                    events.append((next(event_ids), pk, status, stored, precision, rng.choice(my_claims), ""))
                    date = min(date + day * rng.randint(20, 200), LAST_DAY)
                if rng.random() < 0.08:
                    transit = {rng.choice(states) for _ in range(rng.randint(1, 2))} - {supplier, recipient}
                    for seq, via in enumerate(sorted(transit), start=1):
                        routes.append((pk, seq, via))
            self._insert(Transfer, transfer_cols, transfers)
            self._insert(Claim, claim_cols, claims)
            self._insert(TransferEvent, event_cols, events)
            self._insert(TransferVia, ["transfer_id", "seq", "state_id"], routes)
            done = offset + size
            rate = done / (time.monotonic() - started)
            self.log(f"transfers: {done:,}/{total:,} ({rate:,.0f}/s)")

    # -- run ---------------------------------------------------------------------------------------

    def run(self) -> dict[str, int]:
        started = time.monotonic()
        self.words = _words(self.rng, 5_000)
        with transaction.atomic(using=self.using):
            states = self.states()
            materiel = self.materiel()
            actors = self.actors(states)
            sources = self.sources()
            self.log(f"reference data in {time.monotonic() - started:.1f}s")
            self.sanctions(states, actors, sources)
            self.transfers(states, materiel, actors, sources)
            self._analyze()  # the counts below join a million rows: without statistics, the planner guesses
            tallies_started = time.monotonic()
            tallies.rebuild(using=self.using)  # the rows went in by COPY, past the signals that keep them
            self.log(f"tallies recounted in {time.monotonic() - tallies_started:.1f}s")
            records_started = time.monotonic()
            readmodel.rebuild(using=self.using)  # likewise past the signals that keep the read model
            self.log(f"read model rebuilt in {time.monotonic() - records_started:.1f}s")
        self._analyze()
        self.log(f"done in {time.monotonic() - started:.1f}s")
        return self.counts

    def _analyze(self):
        """Fresh planner statistics for the tables written (PostgreSQL; within a transaction, ANALYZE
        samples its own uncommitted rows too)."""
        if connections[self.using].vendor != "postgresql":
            return
        analyze_started = time.monotonic()
        with connections[self.using].cursor() as cursor:
            for model in (State, Actor, Materiel, Source, Transfer, Claim, TransferEvent, TransferVia,
                          SanctionDesignation, TransferRecord, TransferWords):
                cursor.execute(f"ANALYZE {connections[self.using].ops.quote_name(model._meta.db_table)}")
        self.log(f"ANALYZE in {time.monotonic() - analyze_started:.1f}s")


# The slugs of every generated record: "syn<seed>-" then the record's own part ("syn7-t-12").
GENERATED_SLUG = r"^syn[0-9]+-"


def generated(model, *, using: str = "default") -> QuerySet:
    """The records of ``model`` the generator wrote (any seed), known by their keys."""
    records = model._base_manager.using(using)
    if model is State:
        return records.filter(iso3__startswith=SYNTHETIC_STATE_PREFIX, name__startswith="Synthetic state ")
    if any(field.name == "slug" for field in model._meta.fields):
        return records.filter(slug__regex=GENERATED_SLUG)
    return records.filter(transfer__in=generated(Transfer, using=using).values("pk"))


def synthetic_present(*, seed: int, transfers: int, using: str = "default") -> bool:
    """Whether a run with this seed and size has already filled the database."""
    qs = Transfer.objects.using(using).filter(slug__startswith=f"syn{seed}-t-")
    return qs.filter(slug=f"syn{seed}-t-{transfers - 1}").exists() and not qs.filter(
        slug=f"syn{seed}-t-{transfers}"
    ).exists()


def delete_synthetic(*, using: str = "default", log: Callable[[str], None] = print) -> None:
    """Delete every synthetic record (all seeds), children first; curated records are untouched.

    One ``DELETE ... WHERE id IN (<generated ids>)`` per table: no signals, no history (as they were
    written), then the tallies and the read model's summary rebuilt."""
    connection = connections[using]
    q = connection.ops.quote_name
    with transaction.atomic(using=using), connection.cursor() as cursor:
        for model in (TransferWords, TransferRecord, TransferEvent, TransferVia, TransferParty, TransferBreach, Claim,
                      Transfer, SanctionDesignation, SanctionsRegime, Actor, Source, Materiel, State):
            ids, params = generated(model, using=using).values("pk").query.sql_with_params()
            table, pk = q(model._meta.db_table), q(model._meta.pk.column)
            sql = f"DELETE FROM {table} WHERE {pk} IN ({ids})"  # noqa: S608 - compiled by the ORM
            started = time.monotonic()
            cursor.execute(sql, params)
            log(f"  {model._meta.db_table}: {cursor.rowcount:,} rows deleted in {time.monotonic() - started:.1f}s")
        tallies.rebuild(using=using)
        readmodel.summary.rebuild(using=using)
