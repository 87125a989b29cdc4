"""Reads of the catalog app."""
