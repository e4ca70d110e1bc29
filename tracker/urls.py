from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from transfers.health import healthz

admin.site.site_header = "Arms-transfer tracker"
admin.site.site_title = "Arms-transfer tracker"
admin.site.index_title = "Curation"

urlpatterns = [
    path("", RedirectView.as_view(url="/api/v1/", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/v1/", include("transfers.urls")),
    path("healthz", healthz, name="healthz"),
]
