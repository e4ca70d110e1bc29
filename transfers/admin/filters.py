"""Changelist filters for the questions analysts ask of transfers."""

import datetime

from django.contrib import admin

from transfers.models import Transfer
from transfers.models.transfers import RECENT, RECENT_KEY
from transfers.selectors import denial_exists, sanctioned_party


class YesNoFilter(admin.SimpleListFilter):
    """A yes/no filter on a boolean expression."""

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def expression(self):
        raise NotImplementedError

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(self.expression())
        if self.value() == "no":
            return queryset.filter(~self.expression())
        return queryset


class SanctionedFilter(YesNoFilter):
    title = "sanctioned party"
    parameter_name = "sanctioned"

    def expression(self):
        return sanctioned_party()


class ContestedFilter(YesNoFilter):
    title = "contested (a claim denies it)"
    parameter_name = "contested"

    def expression(self):
        return denial_exists()


class ReviewFilter(admin.SimpleListFilter):
    title = "review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("reviewed", "Reviewed"), ("draft", "Draft")]

    def queryset(self, request, queryset):
        if self.value() == "reviewed":
            return queryset.filter(reviewed_at__isnull=False)
        if self.value() == "draft":
            return queryset.filter(reviewed_at__isnull=True)
        return queryset



class FirstReportedYearFilter(admin.SimpleListFilter):
    """First reported in a given year, newest year first (analysts ask "what in 2022?").

    The years run from the newest to the oldest first-reported date, each found at one end of the
    list order's index (no scan of the table); a year selects a range of that same index.
    """

    title = "first reported"
    parameter_name = "reported_year"

    def lookups(self, request, model_admin):
        dated = Transfer.objects.filter(first_reported__isnull=False)
        newest = dated.order_by(RECENT).values_list("first_reported", flat=True).first()
        oldest = dated.order_by(RECENT_KEY.asc()).values_list("first_reported", flat=True).first()
        if newest is None:
            return []
        return [(str(year), str(year)) for year in range(newest.year, oldest.year - 1, -1)]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        try:
            year = int(self.value())
            start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        except ValueError:
            return queryset.none()
        return queryset.alias(_reported_key=RECENT_KEY).filter(_reported_key__gte=start, _reported_key__lte=end)
