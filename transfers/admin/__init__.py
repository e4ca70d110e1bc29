"""The curation admin, split by domain; importing the package registers every model."""

from . import reference, sanctions, sources, transfers  # noqa: F401
