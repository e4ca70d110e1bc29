"""CSV/XLSX import and export (django-import-export) for the records analysts exchange in bulk.

References are written as natural keys (a State's ISO3 code, everything else's slug), lists as
";"-separated values. Every imported row passes the model's own validation (``full_clean``:
choices, CHECK constraints, the verbatim-quote rule) and is saved one by one, so each leaves a
historical record with the importing user and the file's name as the change reason. One bad row
rolls back the whole file.
"""

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils.text import capfirst
from import_export import fields, resources, widgets

from .models import Actor, Materiel, Source, State, Transfer, TransferVia

LIST_SEPARATOR = ";"


class NaturalKeyWidget(widgets.ForeignKeyWidget):
    """A reference by natural key whose unknown value names what was looked for."""

    def clean(self, value, row=None, **kwargs):
        value = value.strip() if isinstance(value, str) else value
        try:
            return super().clean(value, row, **kwargs)
        except self.model.DoesNotExist:
            raise ValueError(f"No {capfirst(self.model._meta.verbose_name)} with {self.field} '{value}'.") from None


class ListWidget(widgets.Widget):
    """A list of strings as one cell: "DPRK; North Korea"."""

    def clean(self, value, row=None, **kwargs):
        if value is None:
            return []
        return [item.strip() for item in str(value).split(LIST_SEPARATOR) if item.strip()]

    def render(self, value, obj=None, **kwargs):
        return LIST_SEPARATOR.join(value or [])


def list_field(name: str) -> fields.Field:
    return fields.Field(attribute=name, column_name=name, widget=ListWidget(), default=list)


def reference_field(name: str, model, key: str) -> fields.Field:
    return fields.Field(attribute=name, column_name=name, widget=NaturalKeyWidget(model, field=key))


class HistoryResource(resources.ModelResource):
    """Saves rows one by one with the importing user and the file name in their history."""

    def before_save_instance(self, instance, row, **kwargs):
        instance._history_user = kwargs.get("user")
        instance._change_reason = f"Imported from {kwargs.get('file_name') or 'a file'}"[:100]

    class Meta:
        abstract = True
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        use_transactions = True


class StateResource(HistoryResource):
    aliases = list_field("aliases")

    class Meta(HistoryResource.Meta):
        model = State
        import_id_fields = ["iso3"]
        fields = ["iso3", "name", "aliases", "subregion"]


class MaterielResource(HistoryResource):
    aliases = list_field("aliases")
    kind_of = reference_field("kind_of", Materiel, "slug")

    class Meta(HistoryResource.Meta):
        model = Materiel
        import_id_fields = ["slug"]
        fields = [
            "slug", "name", "designation", "aliases", "kind_of", "category", "un_register_category", "description",
        ]

    def get_queryset(self):
        return super().get_queryset().select_related("kind_of")


class SourceResource(HistoryResource):
    authors = list_field("authors")

    class Meta(HistoryResource.Meta):
        model = Source
        import_id_fields = ["slug"]
        fields = ["slug", "title", "publisher", "authors", "published", "url", "kind", "reliability", "text", "note"]


class ActorResource(HistoryResource):
    aliases = list_field("aliases")
    state = reference_field("state", State, "iso3")
    part_of = reference_field("part_of", Actor, "slug")
    source = reference_field("source", Source, "slug")

    class Meta(HistoryResource.Meta):
        model = Actor
        import_id_fields = ["slug"]
        fields = ["slug", "name", "aliases", "kind", "state", "part_of", "description", "source", "quote"]

    def get_queryset(self):
        return super().get_queryset().select_related("state", "part_of", "source")


class TransferResource(HistoryResource):
    """Transfers with their route: "via" lists transit States by ISO3, e.g. "SYR;LBY"."""

    supplier = reference_field("supplier", State, "iso3")
    recipient = reference_field("recipient", State, "iso3")
    supplier_actor = reference_field("supplier_actor", Actor, "slug")
    recipient_actor = reference_field("recipient_actor", Actor, "slug")
    materiel = reference_field("materiel", Materiel, "slug")
    via = fields.Field(column_name="via", dehydrate_method="dehydrate_via")

    class Meta(HistoryResource.Meta):
        model = Transfer
        import_id_fields = ["slug"]
        fields = [
            "slug",
            "supplier",
            "recipient",
            "supplier_actor",
            "recipient_actor",
            "materiel",
            "quantity",
            "quantity_note",
            "status",
            "via",
            "covert",
            "first_reported",
            "description",
        ]
        # The route is compared by hand (see skip_row): the model fields alone decide nothing.
        skip_unchanged = False

    def get_queryset(self):
        return super().get_queryset().select_related(
            "supplier", "recipient", "supplier_actor", "recipient_actor", "materiel"
        )

    def export(self, queryset=None, **kwargs):
        queryset = self.get_queryset() if queryset is None else queryset
        queryset = queryset.select_related(
            "supplier", "recipient", "supplier_actor", "recipient_actor", "materiel"
        ).prefetch_related(Prefetch("route", queryset=TransferVia.objects.select_related("state").order_by("id")))
        return super().export(queryset=queryset, **kwargs)

    def dehydrate_via(self, transfer):
        return LIST_SEPARATOR.join(step.state.iso3 for step in transfer.route.all())

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as e:
            errors = e.update_error_dict(errors)
        # The database's CHECK constraints would report these without a field; name the field.
        if "recipient" not in errors and "supplier" not in errors and instance.supplier_id is not None:
            if instance.supplier_id == instance.recipient_id:
                errors["recipient"] = ["The supplier and the recipient must be different States."]
        if "quantity" not in errors and instance.quantity is not None and instance.quantity < 0:
            errors["quantity"] = ["quantity cannot be negative."]
        if "via" in row:
            codes = ListWidget().clean(row["via"])
            states = {state.iso3: state for state in State.objects.filter(iso3__in=codes)}
            unknown = [code for code in codes if code not in states]
            if unknown:
                errors["via"] = [f"No State with iso3 {', '.join(repr(c) for c in unknown)}."]
            instance._imported_via = [states[code] for code in codes if code in states]
        if errors:
            raise ValidationError(errors)

    def save_m2m(self, instance, row, **kwargs):
        """Sync the route step by step, so that each added or removed State leaves history too."""
        wanted = getattr(instance, "_imported_via", None)
        if wanted is None or (kwargs.get("dry_run") and not kwargs.get("using_transactions")):
            return
        reason = instance._change_reason
        current = {step.state_id: step for step in instance.route.all()}
        for state_id, step in current.items():
            if state_id not in {state.pk for state in wanted}:
                step._change_reason = reason
                step.delete()
        for state in wanted:
            if state.pk not in current:
                step = TransferVia(transfer=instance, state=state)
                step._change_reason = reason
                step._history_user = kwargs.get("user")
                step.save()
