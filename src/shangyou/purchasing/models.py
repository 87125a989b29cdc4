"""Procurement models (B1–B3)."""
