"""Tests that kill the surviving mutants of council (issue 18, mutation testing)."""
