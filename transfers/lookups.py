"""``field__any=[...]``: membership in a list passed as one parameter.

``field__in=ids`` compiles to ``IN (%s, %s, ...)`` with a placeholder per value, each prepared in
Python: for the few thousand ids of a CSV export chunk that costs more than the query. ``__any``
passes the list once: ``= ANY(%s)`` (an array) on PostgreSQL, ``IN (SELECT value FROM
json_each(%s))`` on SQLite. Registered on ForeignKey and the automatic primary keys (apps.py).
"""

import json

from django.db.models import Lookup


class Any(Lookup):
    lookup_name = "any"
    prepare_rhs = False

    def get_db_prep_lookup(self, value, connection):
        return "%s", [[int(v) for v in value]]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        _, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*lhs_params, *rhs_params]

    def as_sqlite(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        _, (values,) = self.process_rhs(compiler, connection)
        return f"{lhs} IN (SELECT value FROM json_each(%s))", [*lhs_params, json.dumps(values)]  # noqa: S608 - lhs is a column
