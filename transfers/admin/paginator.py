"""A paginator for the admin's large tables that never counts a whole table.

``SELECT COUNT(*)`` on a million-row table reads the whole table (PostgreSQL has no cached row
count), and the admin changelist would run it on every page view. Instead:

- an unfiltered list on PostgreSQL takes the planner's estimate (``pg_class.reltuples``, kept up to
  date by autovacuum/ANALYZE) when the table is large;
- anything else counts, but stops at ``count_cap + 1`` rows (``COUNT`` over a ``LIMIT``ed subquery),
  so a broad filter on a large table costs at most ``count_cap`` index/heap reads.

``count_is_exact`` tells the template whether to print the number as is, as "about N" or "N+".
"""

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property


def estimated_row_count(model, using: str) -> int | None:
    """PostgreSQL's estimate of a model's table size, or None elsewhere or before the first ANALYZE."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)",
            [connection.ops.quote_name(model._meta.db_table)],
        )
        row = cursor.fetchone()
    # reltuples is -1 for a table never vacuumed or analyzed (PostgreSQL 14+).
    if row is None or row[0] < 0:
        return None
    return row[0]


class EstimatedCountPaginator(Paginator):
    """Counts exactly up to ``count_cap`` rows; beyond that, estimates (unfiltered) or says "N+"."""

    count_cap = 10_000

    # "exact", "estimate" (planner statistics) or "at_least" (the capped count hit the cap).
    count_kind = "exact"

    @cached_property
    def count(self):
        queryset = self.object_list
        if not isinstance(queryset, QuerySet):
            return super().count
        if not queryset.query.where:
            estimate = estimated_row_count(queryset.model, queryset.db)
            if estimate is not None and estimate > self.count_cap:
                self.count_kind = "estimate"
                return estimate
        # values("pk") keeps annotations (e.g. Exists subqueries) out of the counted subquery.
        capped = queryset.order_by().values("pk")[: self.count_cap + 1].count()
        if capped > self.count_cap:
            self.count_kind = "at_least"
            return self.count_cap
        return capped

    @property
    def count_is_exact(self) -> bool:
        return self.count_kind == "exact"
