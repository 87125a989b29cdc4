"""Reads of the sales app."""
