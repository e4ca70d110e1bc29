from django.contrib import admin
from django.urls import include, path

from transfers.health import healthz

admin.site.site_header = "Arms-transfer tracker"
admin.site.site_title = "Arms-transfer tracker"
admin.site.index_title = "Curation"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("transfers.urls")),
    path("healthz", healthz, name="healthz"),
    # The public explorer: the overview at /, then /transfers/, /sources/, /states/, /network/, /map/.
    path("", include("explorer.urls")),
]
