"""Who may do what through the API: anonymous users read; writes need the model permission."""

from rest_framework.permissions import DjangoModelPermissionsOrAnonReadOnly


class ModelPermissionsOrAnonReadOnly(DjangoModelPermissionsOrAnonReadOnly):
    """DRF's DjangoModelPermissionsOrAnonReadOnly, learning the model from the view's ``queryset``.

    DRF's own calls ``get_queryset()`` on every request only to read the queryset's model; a
    transfer page's queryset (sub-queries, filters) took 5-8 ms to build at a million rows, and the
    list builds it again anyway. The rule itself is DRF's, unchanged.
    """

    def _queryset(self, view):
        if getattr(view, "queryset", None) is not None:
            return view.queryset
        return super()._queryset(view)
