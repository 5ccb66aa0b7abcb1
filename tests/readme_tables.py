"""Read the README's tables, so that tests can hold the README to what the tracker does."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_finding_severities() -> dict[str, str]:
    """Return the kinds named in the first column of the README's findings table, each with
    the severity its row gives."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("### `tracker check`"):]
    section = section[:section.index("\n### ")]
    severities: dict[str, str] = {}
    for line in section.splitlines():
        if line.startswith("| `"):
            cells = line.split("|")
            for kind in re.findall(r"`([a-z_]+)`", cells[1]):
                severities[kind] = cells[2].strip()
    return severities


def readme_finding_kinds() -> set[str]:
    return set(readme_finding_severities())
