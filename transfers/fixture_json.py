"""Django's JSON serialization, with each deserialized record remembering what its fixture named.

Registered as the ``json`` format (settings.SERIALIZATION_MODULES) so that ``loaddata`` can tell
a record that names every field from one that names a few (and would blank the rest), and write
the fixture's file name as the change reason of the history it leaves. Serializing is unchanged.
"""

from django.core.serializers.json import Deserializer as JSONDeserializer
from django.core.serializers.json import Serializer

__all__ = ["Deserializer", "Serializer"]


class Deserializer(JSONDeserializer):
    def __init__(self, stream_or_string, **options):
        self.file_name = getattr(stream_or_string, "name", "")
        super().__init__(stream_or_string, **options)

    def _handle_object(self, obj):
        for deserialized in super()._handle_object(obj):
            deserialized.named_fields = set(obj.get("fields", {})) if isinstance(obj, dict) else set()
            deserialized.fixture_file = self.file_name
            yield deserialized
