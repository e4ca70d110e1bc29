"""``field__any=[...]``: membership in a list passed as one parameter.

``field__in=ids`` compiles to ``IN (%s, %s, ...)`` with a placeholder per value, each prepared in
Python: for the few thousand ids of a CSV export chunk that costs more than the query. ``__any``
passes the list once: ``= ANY(%s)`` (an array) on PostgreSQL, ``IN (SELECT value FROM
json_each(%s))`` on SQLite. Registered on ForeignKey and the automatic primary keys (apps.py).
"""

import json

from django.db.models import Lookup


class Ids:
    """Integer ids for ``__any``, e.g. ``filter(transfer_id__any=Ids(ids))``, passed through as one value.

    Django resolves and type-checks a plain list in a filter item by item; for the 5,000 ids of each
    chunk of a CSV export that took 5 s of a 300k-row export. The ids must be ints already.
    """

    __slots__ = ("values",)

    def __init__(self, values: list[int]):
        self.values = values


class Any(Lookup):
    lookup_name = "any"
    prepare_rhs = False

    def get_db_prep_lookup(self, value, connection):
        return "%s", [value.values if isinstance(value, Ids) else [int(v) for v in value]]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        _, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*lhs_params, *rhs_params]

    def as_sqlite(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        _, (values,) = self.process_rhs(compiler, connection)
        return f"{lhs} IN (SELECT value FROM json_each(%s))", [*lhs_params, json.dumps(values)]  # noqa: S608 - lhs is a column
