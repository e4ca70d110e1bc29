"""Admin forms: the change reason every save records, aliases one per line, query-free widgets."""

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect

from transfers.history import CHANGE_REASON_MAX
from transfers.models import Actor, Materiel, State


class AliasesField(forms.CharField):
    """A JSON list of names edited as plain text, one name per line."""

    widget = forms.Textarea(attrs={"rows": 4, "cols": 60})

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", "One name per line; blank lines and repeats are dropped.")
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(value)
        return value

    def to_python(self, value):
        seen = []
        for line in (value or "").splitlines():
            name = " ".join(line.split())
            if name and name not in seen:
                seen.append(name)
        return seen

    def has_changed(self, initial, data):
        return list(initial or []) != self.to_python(data)


class KnownLabelAutocompleteSelect(AutocompleteSelect):
    """An autocomplete that shows its selected object without a query when the form already has it.

    Django's widget looks the selected object up on every render: one query per foreign key per
    inline row. :class:`CurationForm` passes the objects it already holds (joined in by the admin's
    ``select_related``), which makes inlines cost the same for 3 rows or 300.
    """

    known: dict[str, str] | None = None

    def optgroups(self, name, value, attr=None):
        selected = {str(v) for v in value if str(v) not in self.choices.field.empty_values}
        if not selected or self.known is None or not selected <= self.known.keys():
            return super().optgroups(name, value, attr)
        default = (None, [], 0)
        if not self.is_required and not self.allow_multiple_selected:
            default[1].append(self.create_option(name, "", "", False, 0))
        for pk in selected:
            default[1].append(self.create_option(name, pk, self.known[pk], True, len(default[1])))
        return [default]


class KnownLabelsForm(forms.ModelForm):
    """Hands the related objects the instance already holds to its autocomplete widgets."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = getattr(field.widget, "widget", field.widget)  # unwrap RelatedFieldWidgetWrapper
            if not isinstance(widget, KnownLabelAutocompleteSelect):
                continue
            model_field = self._meta.model._meta.get_field(name)
            if not model_field.is_cached(self.instance):
                continue
            related = getattr(self.instance, name)
            if related is not None:
                widget.known = {str(related.pk): field.label_from_instance(related)}


class CurationForm(KnownLabelsForm):
    """Every admin save says why: the reason is stored in the record's history.

    Inline rows (a transfer's claims, events, route) share their parent form's reason.
    """

    change_reason = forms.CharField(
        max_length=CHANGE_REASON_MAX,
        required=False,
        help_text="Why you are making this change (kept in the history, e.g. 'Added the Reuters claim').",
    )
    # The version of the record the page was opened on: a page posted after someone else saved the
    # record is refused instead of silently undoing their change (see clean()).
    record_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A new record explains itself; a change to an existing one must say why.
        if self.instance.pk is not None:
            self.fields["change_reason"].required = True
        if "record_version" in self.fields:
            self.fields["record_version"].initial = getattr(self.instance, "version", None)

    def clean(self):
        cleaned = super().clean()
        posted, current = cleaned.get("record_version"), getattr(self.instance, "version", None)
        if self.instance.pk is not None and posted is not None and current is not None and posted != current:
            from transfers.services.records import last_change

            who, when = last_change(self.instance)
            # The page shown again carries the current version: saving it now is a deliberate choice.
            self.data = self.data.copy()
            self.data[self.add_prefix("record_version")] = current
            by = f" by {who}" if who else ""
            at = f" on {when:%Y-%m-%d at %H:%M:%S} UTC" if when else ""
            raise forms.ValidationError(
                f"This record was changed{by}{at}, after you opened this page. Nothing was saved; your "
                "edits are kept below. Compare them with the record's history, then save again to "
                "keep them.",
                code="stale",
            )
        return cleaned

    def data_changed(self) -> bool:
        """Whether any curated field changed (the reason alone is not a change of data)."""
        return bool(set(self.changed_data) - {"change_reason"})


class StateForm(CurationForm):
    aliases = AliasesField(help_text="Other names for the State, one per line (e.g. DPRK).")

    class Meta:
        model = State
        fields = ["iso3", "name", "aliases", "subregion"]


class ActorForm(CurationForm):
    aliases = AliasesField(help_text="Other names for the actor, one per line (e.g. PMC Wagner).")

    class Meta:
        model = Actor
        fields = ["slug", "name", "aliases", "kind", "state", "part_of", "description", "source", "quote"]


class MaterielForm(CurationForm):
    aliases = AliasesField(help_text="Other designations and names, one per line (e.g. Geran-2).")

    class Meta:
        model = Materiel
        fields = [
            "slug", "name", "designation", "aliases", "kind_of", "category", "un_register_category", "description",
        ]
