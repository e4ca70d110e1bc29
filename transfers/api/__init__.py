"""The REST API at /api/v1/: filters, serializers, views and the DRF plumbing they need."""
