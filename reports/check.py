"""Check: the data-quality findings, stored and computed, as `tracker check` and
`tracker export check` both show them.

The stored findings are what the parsers and the store recorded while reading the
sources; the computed ones compare what is stored across sources (the vetoes each source
names, a roll call against its tally, the resolution numbers no source has given yet).
The computed findings carry the source ``check``.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, select

from db import tables
from reports.findings import (
    OTHER_SOURCES,
    SEVERITIES,
    SOURCE_NAMES,
    explain,
    findings,
    resolution_gaps,
    tally_disagreements,
    veto_disagreements,
)
from reports.vetoes import ReportError

COMPUTED_SOURCE = "check"


def findings_report(engine: Engine, *, severity: str | None = None,
                    source: str | None = None) -> pd.DataFrame:
    """Return every finding, stored then computed: at least ``severity``, about ``source``.

    The stored findings come most severe first; the computed ones follow (vetoes the
    sources disagree on, roll calls that disagree with their tally, resolution numbers
    missing), kept only when ``source`` is ``check`` or not given.
    """
    if severity is not None and severity not in SEVERITIES:
        raise ReportError(f"unknown severity {severity!r}; use one of {', '.join(SEVERITIES)}")
    if source is not None:
        _known_source(engine, source)
    stored = findings(engine, severity=severity, source=source)
    if source not in (None, COMPUTED_SOURCE):
        return stored
    computed = [veto_disagreements(engine), tally_disagreements(engine), resolution_gaps(engine)]
    if severity is not None:
        allowed = SEVERITIES[: SEVERITIES.index(severity) + 1]
        computed = [c[c["severity"].isin(allowed)] for c in computed]
    return pd.concat([stored, *computed], ignore_index=True)


def kinds_report(engine: Engine, *, severity: str | None = None,
                 source: str | None = None) -> pd.DataFrame:
    """Return one row per kind of finding found: its severity, how many, and its rule."""
    return explain(findings_report(engine, severity=severity, source=source))


def _known_source(engine: Engine, source: str) -> None:
    """Refuse a source no finding can come from, naming those that can: an unknown name
    would otherwise show nothing, as if that source had no finding."""
    with engine.connect() as connection:
        stored = set(connection.execute(select(tables.finding.c.source).distinct()).scalars())
    known = {COMPUTED_SOURCE, *OTHER_SOURCES, *SOURCE_NAMES.values(),
             *(SOURCE_NAMES.get(s, s) for s in stored)}
    if source not in known and source not in SOURCE_NAMES:
        raise ReportError(f"no source called {source!r}; findings come from: "
                          f"{', '.join(sorted(known))}")
