"""What every curation admin shares: history with a reason, fast counts, query-free autocompletes."""

from django.contrib import admin, messages
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats
from simple_history.admin import SimpleHistoryAdmin

from transfers.forms import CurationForm, KnownLabelAutocompleteSelect, KnownLabelsForm
from transfers.paginators import EstimatedCountPaginator

ADDED_REASON = "Added in the admin"
DELETED_REASON = "Deleted in the admin"


def quote_found_display(found: bool | None) -> str:
    """✓ when the quote stands in the source text, ✗ when it does not, – when there is nothing to check."""
    return {True: "✓ found", False: "✗ NOT FOUND", None: "–"}[found]


class KnownLabelsMixin:
    """Autocomplete widgets that reuse the related objects the form's instance already holds."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = KnownLabelAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class CurationInline(KnownLabelsMixin, admin.TabularInline):
    form = KnownLabelsForm
    extra = 0


class CurationStackedInline(KnownLabelsMixin, admin.StackedInline):
    """For rows with long texts (a claim's quote and note): one block per record, page-wide."""

    form = KnownLabelsForm
    extra = 0


class CurationAdmin(KnownLabelsMixin, SimpleHistoryAdmin):
    """A model admin whose every write leaves a historical record with its user and reason."""

    form = CurationForm
    paginator = EstimatedCountPaginator
    # No second, unfiltered COUNT(*) for "N results (M total)" on every filtered page.
    show_full_result_count = False
    list_per_page = 100
    save_on_top = True
    # Analysts paste URLs without a scheme; assume https (Django 6's default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def reason_for(self, request, form=None, *, change: bool) -> str:
        reason = form.cleaned_data.get("change_reason") if form is not None else ""
        return reason or (ADDED_REASON if not change else "Changed in the admin")

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        may_save = self.has_change_permission(request, obj) if obj else self.has_add_permission(request)
        if may_save:
            return fieldsets
        # Someone who may only look has no reason to give.
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "change_reason"]})
            for name, options in fieldsets
            if [f for f in options["fields"] if f != "change_reason"]
        ]

    def save_model(self, request, obj, form, change):
        obj._change_reason = self.reason_for(request, form, change=change)
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        reason = self.reason_for(request, form, change=change)
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj._change_reason = reason
            obj.delete()
        for obj in instances:
            obj._change_reason = reason
            obj.save()
        formset.save_m2m()

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history hides the Revert button from users who may only view, but would still
        # save a POSTed revert: refuse it here.
        if request.method == "POST" and not self.has_change_permission(request):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def delete_model(self, request, obj):
        obj._change_reason = DELETED_REASON
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        # One delete per record so that each leaves its history with a reason (the bulk action
        # deletes at most one page of selected rows); all or none, in one transaction.
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)


class ImportExportCurationAdmin(ImportExportMixin, CurationAdmin):
    """Curation admin with CSV/XLSX import (a dry-run preview first) and export."""

    formats = [base_formats.CSV, base_formats.XLSX]

    def has_import_permission(self, request):
        # Import both adds and changes records.
        opts = self.opts
        return all(
            request.user.has_perm(f"{opts.app_label}.{get_permission_codename(action, opts)}")
            for action in ("add", "change")
        )

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def get_import_data_kwargs(self, **kwargs):
        # The confirm step must also roll everything back if any row fails (the default only
        # rolls back on exceptions, not on validation errors).
        return {**super().get_import_data_kwargs(**kwargs), "rollback_on_validation_errors": True}

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            lines = ", ".join(str(row.number) for row in result.invalid_rows) or ", ".join(
                str(number) for number, _ in result.row_errors()
            )
            self.message_user(
                request, f"Nothing was imported: rows {lines} failed. Fix the file and import again.", messages.ERROR
            )
            return HttpResponseRedirect(reverse("admin:{}_{}_import".format(*self.get_model_info())))
        return super().process_result(result, request)

