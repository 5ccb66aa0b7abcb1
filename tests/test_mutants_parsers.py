"""Tests that kill the surviving mutants of parsers (issue 18, mutation testing)."""
