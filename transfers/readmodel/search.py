"""Full-text search over the transfers' read model: the same words find the same transfers in the
API's ``?q=`` and the admin's search.

PostgreSQL: the transfer's ``TransferWords.search`` tsvector (config 'english', GIN index), queried with
``websearch_to_tsquery``: words are stemmed ("deny" finds "denied"), "quoted phrases" match as
phrases, ``OR`` joins alternatives and ``-word`` excludes. SQLite: the FTS5 table
``transfer_search`` (tokenizer porter unicode61, created by migration 0019), whose MATCH syntax
``to_fts5`` translates the same websearch syntax into.
"""

import re

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connections
from django.db.models import F, FloatField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast

CONFIG = "english"
FTS_TABLE = "transfer_search"

_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w+")


def to_fts5(text: str) -> str:
    """websearch syntax -> an FTS5 MATCH expression ('' when nothing searchable is left).

    Every term is quoted (so that no character of the input is FTS5 syntax); a phrase is its words
    in one quoted string; ``OR`` between terms stays OR; ``-term`` becomes ``NOT term``. As in
    websearch_to_tsquery, terms are ANDed, OR binds tighter than AND, and a query of exclusions
    only matches nothing here (FTS5 has no unary NOT)."""
    groups: list[list[str]] = []  # ANDed groups of ORed terms
    excluded: list[str] = []
    pending_or = False
    for match in _TOKEN.finditer(text):
        negated, phrase, bare = match.group(1), match.group(2), match.group(3)
        if bare is not None and bare.upper() == "OR":
            pending_or = bool(groups)
            continue
        if bare is not None and bare.startswith("-"):
            negated, bare = "-", bare[1:]
        words = _WORD.findall(phrase if phrase is not None else bare)
        if not words:
            continue
        term = '"' + " ".join(words) + '"'
        if negated:
            excluded.append(term)
        elif pending_or:
            groups[-1].append(term)
        else:
            groups.append([term])
        pending_or = False
    if not groups:
        return ""
    expression = " AND ".join(group[0] if len(group) == 1 else "(" + " OR ".join(group) + ")" for group in groups)
    for term in excluded:
        expression = f"{expression} NOT {term}"
    return expression


def search_vector(text: str) -> SearchVector:
    """The tsvector of ``text``, as a record's is built."""
    return SearchVector(Value(text), config=CONFIG)


def index_postgresql(ids: list[int], *, using: str = "default") -> None:
    """Stem the records' search words into their transfers' TransferWords (PostgreSQL), with the
    transfers' list key: one INSERT of the missing rows and one UPDATE for the batch."""
    from transfers.models import Transfer, TransferRecord, TransferWords
    from transfers.models.transfers import RECENT_KEY

    words = TransferWords.objects.using(using)
    words.bulk_create([TransferWords(transfer_id=pk) for pk in ids], ignore_conflicts=True)
    text = TransferRecord.objects.using(using).filter(pk=OuterRef("pk")).values("search_text")[:1]
    recent = Transfer.objects.using(using).filter(pk=OuterRef("pk")).values(key=RECENT_KEY)[:1]
    words.filter(pk__in=ids).update(search=SearchVector(Subquery(text), config=CONFIG), recent=Subquery(recent))


def stale_keys(*, using: str = "default") -> list[int]:
    """The ids of transfers whose words' copy of the list key differs from the transfer's (PostgreSQL;
    none elsewhere, where the words are FTS5's)."""
    if connections[using].vendor != "postgresql":
        return []
    from transfers.models import Transfer, TransferWords
    from transfers.models.transfers import RECENT_KEY

    key = Transfer.objects.using(using).filter(pk=OuterRef("pk")).values(key=RECENT_KEY)[:1]
    return list(TransferWords.objects.using(using).alias(key=Subquery(key)).exclude(recent=F("key"))
                .order_by("pk").values_list("pk", flat=True))


def index_sqlite(texts: dict[int, str], *, using: str = "default") -> None:
    """Put the records' search words in the FTS5 table (SQLite), replacing what it held for them; a
    deleted record's row goes with it (the trigger of migration 0019)."""
    if texts:
        with connections[using].cursor() as cursor:
            ids = list(texts)
            for start in range(0, len(ids), 500):  # SQLite's limit on parameters
                chunk = ids[start:start + 500]
                cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({', '.join(['%s'] * len(chunk))})",  # noqa: S608
                               chunk)
            cursor.executemany(f"INSERT INTO {FTS_TABLE} (rowid, body) VALUES (%s, %s)",  # noqa: S608
                               list(texts.items()))


def clear_sqlite(*, using: str = "default") -> None:
    with connections[using].cursor() as cursor:
        cursor.execute(f"DELETE FROM {FTS_TABLE}")  # noqa: S608


def _matching_sqlite(text: str) -> RawSQL:
    return RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [to_fts5(text)])  # noqa: S608, S611 (bound)


def matching(text: str, *, using: str = "default") -> Q:
    """Transfers whose record matches ``text`` (websearch syntax), as a filter on Transfer."""
    if connections[using].vendor == "postgresql":
        from transfers.models import TransferWords

        query = SearchQuery(text, search_type="websearch", config=CONFIG)
        return Q(pk__in=TransferWords.objects.using(using).filter(search=query).values("transfer_id"))
    if not to_fts5(text):
        return Q(pk__in=[])
    return Q(pk__in=_matching_sqlite(text))


def transfer_search(queryset: QuerySet, text: str, *, using: str = "default") -> QuerySet:
    """Transfers of ``queryset`` whose record matches ``text``: the API's ``?q=``, the admin's search.

    On PostgreSQL a join to the matches' words rather than ``matching``'s IN, so that ``recent_first``
    can order by the words' copy of the list key."""
    if connections[using].vendor == "postgresql":
        return queryset.filter(words__search=SearchQuery(text, search_type="websearch", config=CONFIG))
    return queryset.filter(matching(text, using=using))


def matches_in_list_order(text: str, *, using: str = "default") -> QuerySet | None:
    """PostgreSQL: the words rows matching ``text`` as keys (``transfer``, ``recent``) in the list's
    order, newest first, undated last; None elsewhere.

    A page of a search made alone is a page of these: PostgreSQL takes the matches from the GIN index
    and sorts their narrow rows, and only the page's documents are read after (see the transfer list
    view), where a join to the transfers and records made it read every match's rows before sorting."""
    if connections[using].vendor != "postgresql":
        return None
    from transfers.models import TransferWords

    query = SearchQuery(text, search_type="websearch", config=CONFIG)
    return (TransferWords.objects.using(using).filter(search=query).order_by("-recent", "-transfer")
            .values("transfer", "recent"))


def recent_first(queryset: QuerySet, *, using: str = "default") -> QuerySet:
    """A search's matches (``transfer_search``) in the list's order, newest first, undated last.

    On PostgreSQL by the matches' own copy of the key (``TransferWords.recent``), which holds the
    same values as the transfer's: PostgreSQL then takes the matches from the GIN index and sorts
    them, a few thousand rows for a frequent word at 1M, where ordering by the transfer's key made it
    walk the list index and test the words of every transfer it passed (300 ms). Elsewhere (SQLite)
    the order is left as it is."""
    if connections[using].vendor != "postgresql":
        return queryset
    return queryset.annotate(matched_recent=F("words__recent")).order_by("-matched_recent", "-id")


def relevance(text: str, *, using: str = "default"):
    """An expression ranking a transfer by how well its record matches ``text`` (higher is better)."""
    if connections[using].vendor == "postgresql":
        # As double precision: ts_rank's real would not round-trip exactly through a page's cursor.
        rank = SearchRank(F("words__search"), SearchQuery(text, search_type="websearch", config=CONFIG))
        return Cast(rank, FloatField())
    table = connections[using].ops.quote_name("transfers_transfer")
    # bm25 is lower for better matches, and only defined within a MATCH query.
    return RawSQL(  # noqa: S611 (the text is a bound parameter)
        f"(SELECT -bm25({FTS_TABLE}) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s AND rowid = {table}.id)",  # noqa: S608
        [to_fts5(text)], output_field=FloatField(),
    )
