from django.contrib import admin
from django.urls import include, path

from transfers.health import healthz

admin.site.site_header = "Arms-transfer tracker"
admin.site.site_title = "Arms-transfer tracker"
admin.site.index_title = "Curation"
# No navigation sidebar beside every page: on a 1366 px laptop it left the transfer list too
# narrow for its columns (breadcrumbs and the index lead everywhere it did).
admin.site.enable_nav_sidebar = False

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("transfers.api.urls")),
    path("healthz", healthz, name="healthz"),
    # The public explorer: the overview at /, then /transfers/, /sources/, /states/, /network/, /map/.
    path("", include("explorer.urls")),
]
