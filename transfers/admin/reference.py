"""Reference data: States, actors, materiel and places."""

from django.contrib import admin

from transfers.models import Actor, Materiel, Place, State

from .forms import ActorForm, MaterielForm, StateForm
from .mixins import CurationAdmin, ImportExportCurationAdmin, quote_found_display
from .resources import ActorResource, MaterielResource, StateResource


@admin.register(State)
class StateAdmin(ImportExportCurationAdmin):
    resource_classes = [StateResource]
    form = StateForm
    list_display = ["iso3", "name", "subregion", "alias_list"]
    list_filter = ["subregion"]
    # iso3 is unique (indexed): exact match; names by prefix.
    search_fields = ["=iso3", "name"]
    ordering = ["name"]

    @admin.display(description="aliases")
    def alias_list(self, obj):
        return ", ".join(obj.aliases)


@admin.register(Actor)
class ActorAdmin(ImportExportCurationAdmin):
    resource_classes = [ActorResource]
    form = ActorForm
    list_display = ["name", "slug", "kind", "state", "part_of", "alias_list", "quote_status"]
    list_filter = ["kind", "state"]
    list_select_related = ["state", "part_of", "source"]
    search_fields = ["name", "=slug", "=state__iso3"]
    autocomplete_fields = ["state", "part_of", "source"]
    readonly_fields = ["quote_status"]
    ordering = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("state", "part_of", "source")

    @admin.display(description="aliases")
    def alias_list(self, obj):
        return ", ".join(obj.aliases)

    @admin.display(description="quote found")
    def quote_status(self, obj):
        return quote_found_display(obj.quote_found())


@admin.register(Materiel)
class MaterielAdmin(ImportExportCurationAdmin):
    resource_classes = [MaterielResource]
    form = MaterielForm
    list_display = ["name", "slug", "designation", "kind_of", "category", "un_register_category", "alias_list"]
    list_filter = ["category", "un_register_category"]
    list_select_related = ["kind_of"]
    search_fields = ["name", "=slug", "designation"]
    autocomplete_fields = ["kind_of"]
    ordering = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("kind_of")

    @admin.display(description="aliases")
    def alias_list(self, obj):
        return ", ".join(obj.aliases)


@admin.register(Place)
class PlaceAdmin(CurationAdmin):
    list_display = ["name", "slug", "kind", "state", "controlled_by", "quote_status"]
    list_filter = ["kind"]
    list_select_related = ["state", "controlled_by", "source"]
    search_fields = ["name", "=slug"]
    autocomplete_fields = ["state", "controlled_by", "source"]
    readonly_fields = ["quote_status"]
    ordering = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("state", "controlled_by", "source")

    @admin.display(description="quote found")
    def quote_status(self, obj):
        return quote_found_display(obj.quote_found())
