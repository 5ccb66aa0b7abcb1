"""Tests that kill the surviving mutants of db (issue 18, mutation testing)."""
