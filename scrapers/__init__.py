"""Scrapers: one subpackage per source, each split into fetching (I/O) and parsing (pure)."""
