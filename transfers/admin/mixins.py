"""What every curation admin shares: history with a reason, fast counts, query-free autocompletes."""

from contextlib import nullcontext

from django.contrib import admin, messages
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpResponseRedirect
from django.urls import reverse
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats
from simple_history.admin import SimpleHistoryAdmin

from transfers import readmodel
from transfers.services.records import record_delete, record_save

from .forms import CurationForm, KnownLabelAutocompleteSelect, KnownLabelsForm
from .paginator import EstimatedCountPaginator

ADDED_REASON = "Added in the admin"
DELETED_REASON = "Deleted in the admin"


def quote_found_display(found: bool | None) -> str:
    """✓ when the quote stands in the source text, ✗ when it does not, – when there is nothing to check."""
    return {True: "✓ found", False: "✗ NOT FOUND", None: "–"}[found]


def _built_once(request):
    """A page's writes (POST) built into the read model once, at the end of its transaction; a page
    shown opens nothing."""
    return readmodel.batched() if request.method == "POST" else nullcontext()


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

    # A page writes its record and its inline rows in one transaction (Django's): they are built into
    # the read model once, at its end, as a service's writes are (readmodel.batched). One refresh per
    # row would lock the record, then the next row's source and tallies: against the write path's lock
    # order (services.records), and a deadlock with any writer that keeps it.
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        with _built_once(request):
            return super().changeform_view(request, object_id, form_url, extra_context)

    def reason_for(self, request, form=None, *, change: bool) -> str:
        reason = form.cleaned_data.get("change_reason") if form is not None else ""
        return reason or (ADDED_REASON if not change else "Changed in the admin")

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        may_save = self.has_change_permission(request, obj) if obj else self.has_add_permission(request)
        if may_save:
            if obj is None or not hasattr(obj, "version"):
                return [
                    (name, {**o, "fields": [f for f in o["fields"] if f != "record_version"]}) for name, o in fieldsets
                ]
            if any("record_version" in options["fields"] for _, options in fieldsets):
                return fieldsets
            # The hidden version travels with the reason (the last fieldset when none asks for one).
            at = next((i for i, (_, o) in enumerate(fieldsets) if "change_reason" in o["fields"]), len(fieldsets) - 1)
            return [
                (name, {**options, "fields": [*options["fields"], "record_version"]} if i == at else options)
                for i, (name, options) in enumerate(fieldsets)
            ]
        # Someone who may only look has no reason to give and no version to send.
        hidden = {"change_reason", "record_version"}
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f not in hidden]})
            for name, options in fieldsets
            if [f for f in options["fields"] if f not in hidden]
        ]

    def save_model(self, request, obj, form, change):
        if getattr(request, "reverting_history", False) and hasattr(obj, "version"):
            # A revert rebuilds the record from an old history row, old version included: it is a
            # deliberate change of the current record.
            obj.version = type(obj)._base_manager.filter(pk=obj.pk).values_list("version", flat=True).first()
        # The form parsed the page; the write service checks every rule again under the source's lock.
        record_save(record=obj, user=request.user, reason=self.reason_for(request, form, change=change))

    def save_formset(self, request, form, formset, change):
        reason = self.reason_for(request, form, change=change)
        instances = formset.save(commit=False)
        # Inline rows are parts of the page's record: it was saved already (save_model), and the
        # admin says once for all rows what their change means for it (see TransferAdmin.save_related).
        for obj in formset.deleted_objects:
            record_delete(record=obj, reason=reason, touch_transfer=False)
        for obj in instances:
            record_save(record=obj, user=request.user, reason=reason, touch_transfer=False)
        formset.save_m2m()

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history hides the Revert button from users who may only view, but would still
        # save a POSTed revert: refuse it here.
        if request.method == "POST" and not self.has_change_permission(request):
            raise PermissionDenied
        request.reverting_history = True
        with _built_once(request):
            return super().history_form_view(request, object_id, version_id, extra_context)

    def delete_model(self, request, obj):
        obj._change_reason = DELETED_REASON
        record_delete(record=obj, reason=DELETED_REASON)

    def delete_queryset(self, request, queryset):
        # One delete per record so that each leaves its history with a reason (the bulk action
        # deletes at most one page of selected rows); all or none, in one transaction, built once.
        with readmodel.batched():
            for obj in queryset.order_by("pk"):  # the order every writer of several records takes
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

