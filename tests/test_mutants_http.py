"""Tests that kill the surviving mutants of http (issue 18, mutation testing)."""
