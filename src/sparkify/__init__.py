"""Sparkify analytics: land raw Sparkify JSON in PostgreSQL for dbt."""

__version__ = "0.1.0"
