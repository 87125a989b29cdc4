"""Reads for business statistics (S5)."""
