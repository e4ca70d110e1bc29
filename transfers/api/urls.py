"""The v1 API's routes: /api/v1/<resource>/ and /api/v1/<resource>/<key>/, the schema and the docs."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from . import counts, feed, views

router = DefaultRouter()
# Formats are chosen with ?format=, not with suffixes: one URL per resource.
router.include_format_suffixes = False
router.register("states", views.StateViewSet, basename="state")
router.register("actors", views.ActorViewSet, basename="actor")
router.register("materiel", views.MaterielViewSet, basename="materiel")
router.register("sources", views.SourceViewSet, basename="source")
router.register("places", views.PlaceViewSet, basename="place")
router.register("sanctions", views.SanctionsRegimeViewSet, basename="sanctions-regime")
router.register("events", views.EventViewSet, basename="event")
router.register("transfers", views.TransferViewSet, basename="transfer")
router.register("claims", views.ClaimViewSet, basename="claim")
router.register("deletions", feed.DeletionViewSet, basename="deletion")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI from drf-spectacular-sidecar's static files: works with no internet. (ReDoc is left
    # out: its template fetches web fonts from a third party.)
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    # Before the router's routes: /transfers/<key>/ would take "facets" for a transfer's key.
    path("transfers/facets/", counts.TransferFacetsViewSet.as_view({"get": "list"}), name="transfer-facets"),
    path("stats/transfers/", counts.TransferStatsViewSet.as_view({"get": "list"}), name="transfer-stats"),
    *router.urls,
    # Last: what no route above matches (ending in a slash, so APPEND_SLASH still redirects first).
    re_path(r"^.*/$", views.api_not_found),
]
