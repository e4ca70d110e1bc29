"""The explorer's pages, at the site's root (the API is at /api/v1/, the admin at /admin/)."""

from django.urls import path, re_path

from . import views

app_name = "explorer"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("transfers/", views.transfer_list, name="transfer-list"),
    path("transfers/claims.csv", views.transfer_claims_csv, name="transfer-claims-csv"),
    path("transfers/<slug:slug>/", views.transfer_detail, name="transfer"),
    path("sources/<slug:slug>/", views.source_detail, name="source"),
    path("states/<str:iso3>/", views.state_detail, name="state"),
    path("actors/<slug:slug>/", views.actor_detail, name="actor"),
    path("network/", views.network, name="network"),
    re_path(r"^network/export\.(?P<format>gexf|graphml)$", views.network_export, name="network-export"),
    path("map/", views.world_map, name="map"),
]
