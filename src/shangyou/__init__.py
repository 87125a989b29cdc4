"""Shangyou (商友) — a multi-tenant B2B e-commerce CRM."""

__version__ = "0.1.0"
