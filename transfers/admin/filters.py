"""Changelist filters for the questions analysts ask of transfers."""

from django.contrib import admin

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

