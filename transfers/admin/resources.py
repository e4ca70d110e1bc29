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

from transfers import readmodel, rules
from transfers.api.renderers import neutralise_formula
from transfers.choices import TRANSIT_ROLES
from transfers.models import Actor, Materiel, Place, Source, State, Transfer, TransferParty, TransferVia
from transfers.services.imports import parse_legs, parse_parties
from transfers.services.records import record_delete, record_save, transfer_part_changed

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

    def export_field(self, field, instance, **kwargs):
        # Exports open in spreadsheets: text that would run as a formula is neutralised the way the
        # API's CSV does it (viewers may export what editors typed).
        value = super().export_field(field, instance, **kwargs)
        return neutralise_formula(value) if isinstance(value, str) else value

    def import_data_inner(self, *args, **kwargs):
        # The file's rows are built into the read model once, at its end and in its transaction (a
        # preview's rolls back with it), as a service's writes are (readmodel.batched): one refresh per
        # row would hold records and the summary while the next row takes its tallies' locks, against
        # the write path's lock order (services.records).
        with readmodel.batched():
            return super().import_data_inner(*args, **kwargs)

    def before_save_instance(self, instance, row, **kwargs):
        instance._history_user = kwargs.get("user")
        instance._change_reason = f"Imported from {kwargs.get('file_name') or 'a file'}"[:100]

    def do_instance_save(self, instance, is_create):
        # The row was parsed here; the write service checks every rule and writes it like any other path.
        record_save(record=instance)

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
    route = fields.Field(column_name="route", dehydrate_method="dehydrate_route")
    parties = fields.Field(column_name="parties", dehydrate_method="dehydrate_parties")

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
            "quantity_delivered",
            "quantity_low",
            "quantity_high",
            "quantity_estimated",
            "quantity_note",
            "status",
            "via",
            "route",
            "parties",
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
        ).prefetch_related(
            Prefetch("route", queryset=TransferVia.objects.select_related("state", "place").order_by("seq")),
            Prefetch("parties", queryset=TransferParty.objects.select_related("actor", "state").order_by("id")),
        )
        return super().export(queryset=queryset, **kwargs)

    def dehydrate_via(self, transfer):
        return LIST_SEPARATOR.join(step.state.iso3 for step in transfer.route.all()
                                   if step.role in TRANSIT_ROLES and step.state_id and not step.place_id)

    def dehydrate_route(self, transfer):
        def where(step):
            return "+".join(part for part in (step.state.iso3 if step.state_id else "",
                                              step.place.slug if step.place_id else "") if part)
        return LIST_SEPARATOR.join(f"{step.role}:{where(step)}:{step.mode}" for step in transfer.route.all())

    def dehydrate_parties(self, transfer):
        return LIST_SEPARATOR.join(
            f"{party.role}:{party.actor.slug if party.actor_id else party.state.iso3}"
            for party in transfer.parties.all()
        )

    def import_instance(self, instance, row, **kwargs):
        instance._imported_new = instance.pk is None
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as e:
            errors = e.update_error_dict(errors)
        # The database's CHECK constraint would report this without a field; name the field.
        if "quantity" not in errors and instance.quantity is not None and instance.quantity < 0:
            errors["quantity"] = ["quantity cannot be negative."]
        for name, parse, model, key in (("route", parse_legs, Place, "places"),
                                        ("parties", parse_parties, Actor, "actors")):
            if row.get(name):
                known = {key: dict(model.objects.values_list("slug", "id"))}
                parsed, problems = parse(row[name], states=dict(State.objects.values_list("iso3", "id")), **known)
                if problems:
                    errors[name] = problems
                setattr(instance, f"_imported_{name}", parsed)
                if name == "route":
                    via = [state for _, state, place, role, _ in parsed
                           if role in TRANSIT_ROLES and state is not None and place is None]
                    instance.pending_via = rules.transit_states((role, state) for _, state, _, role, _ in parsed)
                    # An export carries both: via must then say what the route says.
                    codes = dict(State.objects.filter(pk__in=via).values_list("pk", "iso3"))
                    if row.get("via") and ListWidget().clean(row["via"]) != [codes[pk] for pk in via]:
                        errors["route"] = ["via and route disagree: give the route alone."]
        if "via" in row and not row.get("route"):
            codes = ListWidget().clean(row["via"])
            states = {state.iso3: state for state in State.objects.filter(iso3__in=codes)}
            unknown = [code for code in codes if code not in states]
            if unknown:
                errors["via"] = [f"No State with iso3 {', '.join(repr(c) for c in unknown)}."]
            instance._imported_via = [states[code] for code in codes if code in states]
            # Checked by the model's own route rule (Transfer.clean) when the row is validated.
            instance.pending_via = [state.pk for state in instance._imported_via]
        if errors:
            raise ValidationError(errors)

    def _replace_parts(self, instance, model, records: list[dict], user, reason) -> bool:
        """Replace the transfer's route legs or parties by ``records`` when they differ (with history)."""
        keys = [key for key in records[0]] if records else []
        stored = list(model.objects.filter(transfer=instance).order_by("id").values(*keys)) if keys else None
        if stored == records and keys:
            return False
        for part in model.objects.filter(transfer=instance):
            record_delete(record=part, reason=reason, touch_transfer=False)
        for fields_ in records:
            record_save(record=model(transfer=instance, **fields_), user=user, reason=reason, touch_transfer=False)
        return True

    def save_m2m(self, instance, row, **kwargs):
        """Sync the route step by step, so that each added or removed State leaves history too; a
        ``route`` or ``parties`` column replaces the legs or parties when they differ."""
        if kwargs.get("dry_run") and not kwargs.get("using_transactions"):
            return
        reason, user = instance._change_reason, kwargs.get("user")
        changed = False
        legs = getattr(instance, "_imported_route", None)
        if legs is not None:
            changed |= self._replace_parts(instance, TransferVia, [
                {"seq": seq, "state_id": state, "place_id": place, "role": role, "mode": mode}
                for seq, state, place, role, mode in legs
            ], user, reason)
        parties = getattr(instance, "_imported_parties", None)
        if parties is not None:
            changed |= self._replace_parts(instance, TransferParty, [
                {"role": role, "number": number, "actor_id": actor, "state_id": state}
                for role, number, actor, state in parties
            ], user, reason)
        if changed and not getattr(instance, "_imported_new", False):
            transfer_part_changed(transfer_id=instance.pk, reason=reason)
        wanted = getattr(instance, "_imported_via", None)
        if wanted is None:
            return
        current = {step.state_id: step for step in instance.route.filter(role__in=TRANSIT_ROLES, place__isnull=True)}
        changed = False
        for state_id, step in current.items():
            if state_id not in {state.pk for state in wanted}:
                record_delete(record=step, reason=reason, touch_transfer=False)
                changed = True
        for state in wanted:
            if state.pk not in current:
                step = TransferVia(transfer=instance, state=state)
                record_save(record=step, user=kwargs.get("user"), reason=reason, touch_transfer=False)
                changed = True
        if changed and not getattr(instance, "_imported_new", False):
            transfer_part_changed(transfer_id=instance.pk, reason=reason)
