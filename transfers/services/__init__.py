"""Writes that touch several models, each in one transaction (keyword-only, type-annotated)."""
