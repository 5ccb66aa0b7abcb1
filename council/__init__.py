"""The Security Council's domain, pure: members and seats, symbols, dates, the Council's
rules, the typed records parsers return and the store takes, and the mandate registry.

It imports nothing else of the project (an import-linter contract, checked in CI)."""
