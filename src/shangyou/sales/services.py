"""Writes of the sales app."""
