"""Names: find the vote, draft, mandate or member a person named, in the database.

``council.symbols.read_vote_name`` reads what was typed (``2722``, ``s/2022/431``,
``S/PV.9537``); these functions find it among the stored records. Every command that
takes a symbol or a slug asks them, so every command accepts the same forms and answers
the same way: one record found; several matched (the candidates listed); none (the
close matches suggested, or ``tracker sync`` when nothing is stored yet).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Engine, func, or_, select

from council.symbols import SymbolError, VoteName, read_vote_name
from db import tables
from reports.vetoes import ReportError

FORMS = "S/RES/2722 (2024), S/RES/2722, 2722, S/2024/255, S/PV.9591"


class UnknownNameError(ReportError):
    """A name that matches no stored record, or several: the message says which."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


def close_matches(text: str, choices: Iterable[str], *, limit: int = 5) -> list[str]:
    """Return the choices close to ``text``: those containing it first, then the most alike."""
    choices = list(dict.fromkeys(choices))
    wanted = text.strip().lower()
    within = [c for c in choices if wanted and wanted in c.lower()]
    alike = difflib.get_close_matches(wanted, [c.lower() for c in choices], n=limit, cutoff=0.6)
    by_lower = {c.lower(): c for c in choices}
    return list(dict.fromkeys([*within, *(by_lower[a] for a in alike)]))[:limit]


def read_name(text: str) -> VoteName:
    """Read a name as a resolution, draft or meeting; a name that is none of them is an
    error of the report (one message, exit 1)."""
    try:
        return read_vote_name(text)
    except SymbolError as exc:
        raise UnknownNameError(str(exc), hint=f"names look like {FORMS}") from None


def _nothing_stored(connection: Connection) -> bool:
    return connection.execute(select(tables.vote_event.c.id).limit(1)).first() is None \
        and connection.execute(select(tables.draft.c.id).limit(1)).first() is None


def _not_found(connection: Connection, name: VoteName, what: str,
               candidates: Sequence[str] = ()) -> UnknownNameError:
    if _nothing_stored(connection):
        return UnknownNameError(f"no {what} {name.text!r}: nothing is stored yet",
                                hint="run `tracker sync` first")
    if candidates:
        hint = f"did you mean {' or '.join(candidates)}?"
    else:
        newest = connection.execute(select(func.max(tables.vote_event.c.date))).scalar()
        hint = (f"the newest vote stored is of {newest}: `tracker sync` fetches newer ones; "
                f"names look like {FORMS}")
    read = "" if name.symbol == name.text else f" (read as {name.describe()})"
    return UnknownNameError(f"no {what} {name.text!r}{read} is stored", hint=hint)


def _ambiguous(name: VoteName, candidates: Sequence[str]) -> UnknownNameError:
    return UnknownNameError(f"{name.text!r} names {len(candidates)} stored records: "
                            f"{', '.join(sorted(candidates))}", hint="give one of them")


def _resolutions(connection: Connection, name: VoteName) -> list[str]:
    """Return the stored resolution symbols a resolution name matches (all years when the
    name gives none)."""
    r = tables.resolution
    prefix = f"S/RES/{name.number} ("
    found = connection.execute(select(r.c.symbol).where(r.c.symbol.startswith(prefix))
                               .order_by(r.c.symbol)).scalars().all()
    return [s for s in found if s == name.symbol] if name.symbol is not None else list(found)


def _close_drafts(connection: Connection, name: VoteName) -> list[str]:
    """Return the stored drafts a mistyped draft symbol may mean: its revisions first
    (``S/2022/431`` -> ``S/2022/431/Rev.1``), then the symbols of the same series
    (``S/2024/``) most alike (``S/2024/25`` -> ``S/2024/255``)."""
    d = tables.draft
    symbol = str(name.symbol)
    revisions = connection.execute(select(d.c.symbol).where(d.c.symbol.startswith(f"{symbol}/"))
                                   .order_by(d.c.symbol)).scalars().all()
    series = symbol.rsplit("/", 1)[0] + "/"
    alike = connection.execute(select(d.c.symbol).where(d.c.symbol.startswith(series))
                               ).scalars().all()
    close = difflib.get_close_matches(symbol, list(alike), n=5, cutoff=0.9)
    return list(dict.fromkeys([*revisions, *close]))[:5]


def _meeting_clause(record: str) -> Any:
    """Match a meeting record, and its parts and resumptions when none is named."""
    m = tables.meeting
    if "(" in record:
        return m.c.record == record
    return or_(m.c.record == record, m.c.record.startswith(record + " ("))


def find_meeting(engine: Engine, text: str) -> tuple[int, str]:
    """Return the id and record of the meeting a name means: a meeting record
    (``S/PV.9591``, ``pv 9591``), or any name of a vote taken at it (``S/2024/255``)."""
    name = read_name(text)
    if name.kind != "meeting":
        event = find_vote(engine, text)
        m = tables.meeting
        with engine.connect() as connection:
            record = connection.execute(select(m.c.record).where(
                m.c.id == event["meeting_id"])).scalar_one_or_none()
        if record is None:
            raise ReportError(f"no meeting is stored for the vote on {event['key']}")
        return int(event["meeting_id"]), str(record)
    assert name.symbol is not None
    m = tables.meeting
    with engine.connect() as connection:
        rows = connection.execute(select(m.c.id, m.c.record).where(
            _meeting_clause(name.symbol)).order_by(m.c.record)).all()
        exact = [row for row in rows if row.record == name.symbol]
        if exact or len(rows) == 1:
            row = (exact or rows)[0]
            return int(row.id), str(row.record)
        if rows:
            raise _ambiguous(name, [row.record for row in rows])
        raise _not_found(connection, name, "meeting", ())


def find_vote(engine: Engine, text: str) -> dict[str, Any]:
    """Return the stored vote event a name means: a resolution (``2722``, any form), a
    draft (``s/2022/431``, or the symbol the Veto List prints for the vote) or a meeting
    with one vote. The deciding vote comes before a preliminary question on the same draft.
    """
    name = read_name(text)
    e, d, r, m = tables.vote_event, tables.draft, tables.resolution, tables.meeting
    base = (select(e).outerjoin(d, d.c.id == e.c.draft_id)
            .outerjoin(r, r.c.id == e.c.resolution_id)
            .outerjoin(m, m.c.id == e.c.meeting_id))
    with engine.connect() as connection:
        if name.kind == "resolution":
            symbols = _resolutions(connection, name)
            if len(symbols) > 1:
                raise _ambiguous(name, symbols)
            if not symbols:
                others = _resolutions(connection, VoteName("resolution", None, name.number,
                                                           name.text))
                raise _not_found(connection, name, "vote on", others)
            clause = or_(r.c.symbol == symbols[0], e.c.key == symbols[0])
        elif name.kind == "draft":
            clause = or_(d.c.symbol == name.symbol, e.c.printed_as == name.symbol,
                         e.c.key == name.symbol)
        else:
            assert name.symbol is not None
            clause = _meeting_clause(name.symbol)
        rows = [dict(row) for row in connection.execute(
            base.where(clause).order_by(e.c.question.is_not(None), e.c.id)).mappings()]
        if name.kind == "meeting":
            keys = list(dict.fromkeys(row["key"] for row in rows))
            if len(keys) > 1:
                raise _ambiguous(name, keys)
        if not rows:
            raise _not_found(connection, name, "vote on",
                             _close_drafts(connection, name) if name.kind == "draft" else ())
    return rows[0]


def find_draft(engine: Engine, text: str) -> str:
    """Return the symbol of the stored draft a name means: the draft itself (``s/2022/431``,
    or the symbol the Veto List prints for its vote), the draft a resolution was adopted
    from (``2722``), or the one draft voted on at a meeting (``S/PV.9048``)."""
    name = read_name(text)
    d, e = tables.draft, tables.vote_event
    if name.kind == "draft":
        with engine.connect() as connection:
            stored = connection.execute(select(d.c.symbol).where(d.c.symbol == name.symbol)
                                        ).scalar()
            voted = connection.execute(select(d.c.symbol).join(e, e.c.draft_id == d.c.id)
                                       .where(e.c.printed_as == name.symbol)).scalar()
            if voted or stored:
                return str(voted or stored)
            raise _not_found(connection, name, "draft", _close_drafts(connection, name))
    if name.kind == "meeting":
        m = tables.meeting
        with engine.connect() as connection:
            symbols = connection.execute(
                select(d.c.symbol).join(e, e.c.draft_id == d.c.id)
                .join(m, m.c.id == e.c.meeting_id).where(_meeting_clause(str(name.symbol)))
                .order_by(e.c.id)).scalars().all()
            symbols = list(dict.fromkeys(symbols))
            if len(symbols) > 1:
                raise _ambiguous(name, symbols)
            if not symbols:
                raise _not_found(connection, name, "draft voted at meeting")
            return str(symbols[0])
    event = find_vote(engine, text)
    if event["draft_id"] is None:
        raise UnknownNameError(f"{event['key']} is stored, but no source names the draft it "
                               "was adopted from", hint=f"try `tracker votes {event['key']!r}`")
    with engine.connect() as connection:
        return str(connection.execute(select(d.c.symbol).where(d.c.id == event["draft_id"])
                                      ).scalar_one())


def find_mandate(engine: Engine, slug: str) -> str:
    """Return a stored mandate's slug, given exactly or by one of its aliases; otherwise
    raise, offering the close slugs (``dprk-panel`` -> ``dprk-panel-of-experts``)."""
    mt = tables.mandate
    wanted = slug.strip()
    with engine.connect() as connection:
        rows = connection.execute(select(mt.c.slug, mt.c.aliases).order_by(mt.c.slug)).all()
    slugs = [s for s, _ in rows]
    by_lower = {s.lower(): s for s in slugs}
    if wanted.lower() in by_lower:  # slugs are lower case; people type DPRK-PANEL-...
        return by_lower[wanted.lower()]
    by_alias = [s for s, aliases in rows
                if aliases and wanted.lower() in (a.lower() for a in aliases.split("; "))]
    if len(by_alias) == 1:
        return by_alias[0]
    if not slugs:
        raise UnknownNameError(f"no mandate {slug!r}: nothing is stored yet",
                               hint="run `tracker sync` first")
    close = close_matches(wanted, slugs)
    hint = (f"did you mean {' or '.join(close)}?" if close
            else "see `tracker mandates` for the slugs")
    raise UnknownNameError(f"no mandate {slug!r}", hint=hint)
