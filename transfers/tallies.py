"""Keeping the transfer tallies (models/tallies.py) equal to what counting the transfers would give.

Every write path passes through here:
- a transfer saved or deleted one at a time (services, the admin, the API, ``loaddata``): the
  signal receivers in ``transfers.signals`` call ``transfer_changed`` with its key before and after,
  which moves its count in the pair, year/category and status tallies, and recounts the
  route tallies of the pairs involved (an indexed count over that pair's transfers);
- a route step added or removed: ``routes_changed`` recounts its pair's route tallies;
- the network tallies (pair and route counts by year, category, status and best credibility) are
  recounted for the pairs a write touches (``network_changed``): after a transfer or a route step
  changes, as above, and after a claim is saved or deleted (its credibility and stance move its
  transfer's best credibility);
- bulk writers that add transfers (CSV imports): ``transfers_added``, which counts the new
  transfers alone and adds them in (``transfers_deleted`` takes them away again);
- other bulk writers (the synthetic generator, a recategorised materiel's transfers): ``rebuild``,
  inside their own transaction, after their rows are written.

Counts move in the writer's transaction, with the rows locked in primary-key order (``_add``), so
that concurrent writers add up rather than overwrite and never wait on each other in a circle; a
tally row is created the first time its key appears and deleted when it counts nothing.
``tests/test_tallies.py`` proves, after every kind of write, that the tallies equal a rebuild.
"""

import datetime
from collections import Counter
from collections.abc import Iterable
from typing import NamedTuple

from django.apps import apps as installed_apps
from django.db import transaction
from django.db.models import Count, Min, OuterRef, Subquery
from django.db.models.functions import Coalesce, ExtractYear

from transfers.choices import TRANSIT_ROLES, Stance


class TransferKey(NamedTuple):
    """What the tallies count a transfer by."""

    supplier: int
    recipient: int
    category: str
    status: str
    year: int  # 0 when not dated


def transfer_key(transfer) -> TransferKey:
    first = transfer.first_reported
    if isinstance(first, str):  # as a form or a script may set it before saving
        first = datetime.date.fromisoformat(first)
    return TransferKey(transfer.supplier_id, transfer.recipient_id, transfer.category or "", transfer.status,
                       first.year if first else 0)


def _models(apps=installed_apps):
    get = apps.get_model
    return (get("transfers", "PairTally"), get("transfers", "YearCategoryTally"), get("transfers", "StatusTally"),
            get("transfers", "RouteTally"), get("transfers", "Transfer"), get("transfers", "TransferVia"))


def _network_models(apps=installed_apps):
    """The network tallies' models, or None in a migration state from before they existed (0017
    counts the other tallies with the models of its time)."""
    get = apps.get_model
    try:
        return get("transfers", "NetworkTally"), get("transfers", "NetworkRouteTally"), get("transfers", "Claim")
    except LookupError:
        return None


def _best_credibility(claim, transfer: str):
    """The best (lowest) credibility among the asserting claims of the transfer ``transfer`` names
    (an OuterRef path), or NULL when none asserts it."""
    return Subquery(
        claim.objects.filter(transfer_id=OuterRef(transfer), stance=Stance.ASSERTS).order_by()
        .values("transfer_id").annotate(best=Min("credibility")).values("best")[:1]
    )


def _network_rows(transfers, legs, claim) -> tuple[Counter, Counter]:
    """Network tally rows counted over ``transfers`` and their route ``legs`` (querysets):
    (supplier, recipient, year, category, status, credibility) -> transfers and
    (supplier, via, recipient, year, category, status, credibility) -> legs."""
    pairs = Counter({key[:-1]: key[-1] for key in transfers.order_by().annotate(
        y=Coalesce(ExtractYear("first_reported"), 0), best=_best_credibility(claim, "pk"),
    ).values_list("supplier_id", "recipient_id", "y", "category", "status", "best").annotate(n=Count("id"))})
    routes = Counter({key[:-1]: key[-1] for key in legs.filter(
        state__isnull=False, role__in=TRANSIT_ROLES).order_by().annotate(
        y=Coalesce(ExtractYear("transfer__first_reported"), 0), best=_best_credibility(claim, "transfer_id"),
    ).values_list("transfer__supplier_id", "state_id", "transfer__recipient_id", "y", "transfer__category",
                  "transfer__status", "best").annotate(n=Count("id"))})
    return pairs, routes


def network_changed(*, pairs: Iterable[tuple[int | None, int | None]], using: str = "default") -> None:
    """Recount the network tallies of these (supplier, recipient) pairs from their transfers.

    The pair's PairTally row is locked first, so that two writers recounting the same pair take
    turns (else both could delete the old rows and both insert new ones)."""
    pair_model, _, _, _, transfer, via = _models()
    network, network_route, claim = _network_models()
    for supplier, recipient in {pair for pair in pairs if _between_states(*pair)}:
        with transaction.atomic(using=using):
            list(pair_model.objects.using(using).select_for_update().filter(
                supplier_id=supplier, recipient_id=recipient).values_list("pk"))
            keys = {"supplier_id": supplier, "recipient_id": recipient}
            rows, routes = _network_rows(
                transfer.objects.using(using).filter(**keys),
                via.objects.using(using).filter(transfer__supplier_id=supplier, transfer__recipient_id=recipient),
                claim,
            )
            network.objects.using(using).filter(**keys).delete()
            network_route.objects.using(using).filter(**keys).delete()
            _insert_network(network, network_route, rows, routes, using)


def _insert_network(network, network_route, rows: Counter, routes: Counter, using: str) -> None:
    network.objects.using(using).bulk_create([
        network(supplier_id=s, recipient_id=r, year=y, category=c, status=st, credibility=b, transfers=n)
        for (s, r, y, c, st, b), n in rows.items()
    ], batch_size=5000)
    network_route.objects.using(using).bulk_create([
        network_route(supplier_id=s, via_id=v, recipient_id=r, year=y, category=c, status=st, credibility=b,
                      transfers=n)
        for (s, v, r, y, c, st, b), n in routes.items()
    ], batch_size=5000)


def _between_states(supplier: int | None, recipient: int | None) -> bool:
    """The pair and route tallies are edges between two States: a transfer with an unknown supplier
    or recipient (issue 14) counts in the year, category and status tallies only."""
    return supplier is not None and recipient is not None


def transfer_changed(*, before: TransferKey | None, after: TransferKey | None, using: str = "default") -> None:
    """A transfer was created (``before`` None), changed, or deleted (``after`` None)."""
    if before == after:
        return
    pair, year_category, status, _, _, _ = _models()
    moved: dict[str, Counter] = {"pair": Counter(), "year_category": Counter(), "status": Counter()}
    for key, delta in ((before, -1), (after, 1)):
        if key is None:
            continue
        if _between_states(key.supplier, key.recipient):
            moved["pair"][(key.supplier, key.recipient)] += delta
        moved["year_category"][(key.year, key.category)] += delta
        moved["status"][(key.status,)] += delta
    with transaction.atomic(using=using):  # its own, when the transfer was saved outside one
        for name, model in (("pair", pair), ("year_category", year_category), ("status", status)):
            _add(model, _KEYS[name], moved[name], using)
    pairs = {(key.supplier, key.recipient) for key in (before, after) if key is not None}
    if before is not None and after is not None and (before.supplier, before.recipient) == (
        after.supplier, after.recipient
    ):
        network_changed(pairs=pairs, using=using)  # its year, category or status moved
        return  # its route steps still count for the same pair
    routes_changed(pairs=pairs, using=using)  # which recounts the network tallies of these pairs too


def routes_changed(*, pairs: Iterable[tuple[int, int]], using: str = "default") -> None:
    """Recount the route tallies of these (supplier, recipient) pairs from their transfers' routes."""
    _, _, _, route, transfer, via = _models()
    pairs = {pair for pair in pairs if _between_states(*pair)}
    network_changed(pairs=pairs, using=using)
    for supplier, recipient in pairs:
        counted = Counter(dict(
            via.objects.using(using).filter(transfer__supplier_id=supplier, transfer__recipient_id=recipient,
                                            state__isnull=False, role__in=TRANSIT_ROLES)
            .order_by().values_list("state_id").annotate(n=Count("id"))
        ))
        stored = route.objects.using(using).filter(supplier_id=supplier, recipient_id=recipient)
        stored.exclude(via_id__in=list(counted)).delete()
        for state, n in counted.items():
            route.objects.using(using).update_or_create(
                supplier_id=supplier, recipient_id=recipient, via_id=state, defaults={"transfers": n}
            )


def counted(*, using: str = "default", apps=installed_apps, ids: list[int] | None = None) -> dict[str, Counter]:
    """Every tally as counting the transfers (of ``ids``, else all) gives it: (model name -> Counter
    of key tuples)."""
    _, _, _, _, transfer, via = _models(apps)
    transfers = transfer.objects.using(using).order_by()
    via = via.objects.using(using)
    if ids is not None:
        transfers, via = transfers.filter(pk__in=ids), via.filter(transfer_id__in=ids)
    between_states = transfers.filter(supplier__isnull=False, recipient__isnull=False)
    counts = {
        "pair": Counter({(s, r): n for s, r, n in between_states.values_list("supplier_id", "recipient_id")
                        .annotate(n=Count("id"))}),
        "year_category": Counter({(y, c): n for y, c, n in transfers.annotate(
            y=Coalesce(ExtractYear("first_reported"), 0)).values_list("y", "category").annotate(n=Count("id"))}),
        "status": Counter({(s,): n for s, n in transfers.values_list("status").annotate(n=Count("id"))}),
        "route": Counter({(s, v, r): n for s, v, r, n in via.filter(
            state__isnull=False, role__in=TRANSIT_ROLES, transfer__supplier__isnull=False,
            transfer__recipient__isnull=False).order_by().values_list(
            "transfer__supplier_id", "state_id", "transfer__recipient_id").annotate(n=Count("id"))}),
    }
    if _network_models(apps):
        counts["network"], counts["network_route"] = _network_rows(
            between_states, via.filter(transfer__supplier__isnull=False, transfer__recipient__isnull=False),
            _network_models(apps)[2],
        )
    return counts


# Each unique tally's key fields, in ``counted``'s key order.
_KEYS = {"pair": ("supplier_id", "recipient_id"), "year_category": ("year", "category"), "status": ("status",),
         "route": ("supplier_id", "via_id", "recipient_id")}
IDS_PER_COUNT = 5000  # ids per counting query (SQLite's limit on parameters is 32,766)


def _counted_in_batches(ids: list[int], using: str) -> dict[str, Counter]:
    fresh: dict[str, Counter] = {}
    for start in range(0, len(ids), IDS_PER_COUNT):
        for name, counts in counted(using=using, ids=ids[start:start + IDS_PER_COUNT]).items():
            fresh.setdefault(name, Counter()).update(counts)
    return fresh


def transfers_added(*, ids: list[int], using: str = "default") -> None:
    """Count the transfers ``ids``, just written in bulk with their route legs (and no claims yet),
    into every tally: the work of ``transfer_changed`` for each, without recounting the others.

    Network rows are added beside the pair's others (their readers sum them, and the pair's next
    recount merges them)."""
    pair, year_category, status, route, _, _ = _models()
    network, network_route, _ = _network_models()
    fresh = _counted_in_batches(ids, using)
    with transaction.atomic(using=using):
        for name, model in (("pair", pair), ("year_category", year_category), ("status", status), ("route", route)):
            _add(model, _KEYS[name], fresh.get(name, Counter()), using)
        _insert_network(network, network_route, fresh.get("network", Counter()), fresh.get("network_route", Counter()),
                        using)


def transfers_deleted(*, ids: list[int], delete, using: str = "default") -> None:
    """Uncount the transfers ``ids`` from every tally around ``delete()``, which removes them in bulk
    past the signals (the benchmark's clean-up of its imports): their counts are taken before, and
    their pairs' network tallies recounted after."""
    pair, year_category, status, route, _, _ = _models()
    gone = _counted_in_batches(ids, using)
    with transaction.atomic(using=using):
        delete()
        for name, model in (("pair", pair), ("year_category", year_category), ("status", status), ("route", route)):
            _add(model, _KEYS[name], Counter({key: -n for key, n in gone.get(name, Counter()).items()}), using)
        network_changed(pairs=set(gone.get("pair", Counter())), using=using)


# A row is created again when another writer deleted it meanwhile: more than twice in a row would be
# a key that never matches its stored row (a bug), not a race.
_CREATE_ATTEMPTS = 3


def _add(model, fields: tuple[str, ...], counts: Counter, using: str) -> None:
    """Add ``counts`` (key tuple -> transfers, negative to take away) to the rows of ``model`` with
    those keys: the missing ones are created first, in key order (empty, beside any a concurrent
    writer creates), then every row of the keys' first field is locked in primary-key order (every
    writer takes a tally's rows in that order: two never hold one each while waiting for the
    other's), and moved; a row that reaches 0 is deleted.

    A row another writer emptied and deleted between this one's creation of the missing rows and
    its lock is created again (else what this writer adds to it would be lost)."""
    counts = Counter({key: n for key, n in counts.items() if n})
    if not counts:
        return
    rows = model.objects.using(using)
    found: dict[tuple, object] = {}
    wanted = sorted(counts)
    for _ in range(_CREATE_ATTEMPTS):
        rows.bulk_create([model(**dict(zip(fields, key, strict=True)), transfers=0) for key in wanted
                          if counts[key] > 0], ignore_conflicts=True, batch_size=5000)
        locked = rows.select_for_update(no_key=True).filter(**{f"{fields[0]}__in": {key[0] for key in wanted}})
        for row in locked.order_by("pk"):  # a superset of the keys' rows
            key = tuple(getattr(row, field) for field in fields)
            if key in counts:
                found.setdefault(key, row)
        wanted = [key for key in wanted if counts[key] > 0 and key not in found]  # deleted meanwhile
        if not wanted:
            break
    if wanted:
        raise RuntimeError(f"{model.__name__}: rows {wanted[:5]} could not be created")
    for key, row in found.items():
        row.transfers += counts[key]
    rows.bulk_update([row for row in found.values() if row.transfers > 0], ["transfers"], batch_size=1000)
    rows.filter(pk__in=[row.pk for row in found.values() if row.transfers <= 0]).delete()


def stored(*, using: str = "default", apps=installed_apps) -> dict[str, Counter]:
    """The tallies as stored, in ``_counted``'s shape."""
    pair, year_category, status, route, _, _ = _models(apps)
    tallied = {
        "pair": Counter({(s, r): n for s, r, n in pair.objects.using(using).values_list(
            "supplier_id", "recipient_id", "transfers")}),
        "year_category": Counter({(y, c): n for y, c, n in year_category.objects.using(using).values_list(
            "year", "category", "transfers")}),
        "status": Counter({(s,): n for s, n in status.objects.using(using).values_list("status", "transfers")}),
        "route": Counter({(s, v, r): n for s, v, r, n in route.objects.using(using).values_list(
            "supplier_id", "via_id", "recipient_id", "transfers")}),
    }
    if _network_models(apps):
        network, network_route, _ = _network_models(apps)
        tallied["network"] = Counter()
        for *key, n in network.objects.using(using).values_list(
                "supplier_id", "recipient_id", "year", "category", "status", "credibility", "transfers"):
            tallied["network"][tuple(key)] += n
        tallied["network_route"] = Counter()
        for *key, n in network_route.objects.using(using).values_list(
                "supplier_id", "via_id", "recipient_id", "year", "category", "status", "credibility", "transfers"):
            tallied["network_route"][tuple(key)] += n
    return tallied


def rebuild(*, using: str = "default", apps=installed_apps) -> dict[str, int]:
    """Replace every tally with a fresh count of the transfers (a few GROUP BYs over the table).

    For bulk writers, within their transaction, and for ``manage.py rebuild_tallies``; returns the
    number of rows of each tally."""
    pair, year_category, status, route, _, _ = _models(apps)
    fresh = counted(using=using, apps=apps)
    with transaction.atomic(using=using):
        for model in (pair, year_category, status, route):
            model.objects.using(using).all().delete()
        if _network_models(apps):
            network, network_route, _ = _network_models(apps)
            network.objects.using(using).all().delete()
            network_route.objects.using(using).all().delete()
            _insert_network(network, network_route, fresh["network"], fresh["network_route"], using)
        pair.objects.using(using).bulk_create(
            [pair(supplier_id=s, recipient_id=r, transfers=n) for (s, r), n in fresh["pair"].items()], batch_size=5000)
        year_category.objects.using(using).bulk_create(
            [year_category(year=y, category=c, transfers=n) for (y, c), n in fresh["year_category"].items()])
        status.objects.using(using).bulk_create(
            [status(status=s, transfers=n) for (s,), n in fresh["status"].items()])
        route.objects.using(using).bulk_create(
            [route(supplier_id=s, via_id=v, recipient_id=r, transfers=n) for (s, v, r), n in fresh["route"].items()],
            batch_size=5000)
    return {name: len(rows) for name, rows in fresh.items()}
