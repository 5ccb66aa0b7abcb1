"""Upgrading a database made by an earlier version applies the new rules to what it holds."""

from __future__ import annotations

from alembic import command
from sqlalchemy import Engine, text

from db.engine import alembic_config, upgrade


def test_the_upgrade_removes_resolutions_a_link_alone_made(engine: Engine) -> None:
    """Before 0007 a draft's link created a resolution (S/2015/134 -> "S/RES/220 (2015)"):
    the upgrade must remove it, its empty vote event and the "adopted" it gave the draft,
    and keep every resolution a table or a voting record gave (those have a date); the
    findings move to their new identity (a page without the base URL) with their times,
    in a database whose resolutions are referred to (SQLite must not rebuild the table)."""
    with engine.begin() as connection:
        config = alembic_config(engine)
        config.attributes["connection"] = connection
        command.upgrade(config, "0006")
    with engine.begin() as c:
        c.execute(text("INSERT INTO meeting (id, record, date, written_procedure) VALUES "
                       "(1, 'S/PV.7400', '2015-03-10', false)"))
        c.execute(text("INSERT INTO draft (id, symbol, status) VALUES (1, 'S/2015/134', "
                       "'adopted'), (2, 'S/2015/150', 'adopted')"))
        c.execute(text("INSERT INTO resolution (id, symbol, number, year, draft_id) VALUES "
                       "(1, 'S/RES/220 (2015)', 220, 2015, 1)"))
        c.execute(text("INSERT INTO resolution (id, symbol, number, year, date, meeting_id, "
                       "draft_id) VALUES (2, 'S/RES/2205 (2015)', 2205, 2015, '2015-03-10', 1, 2)"))
        c.execute(text("INSERT INTO vote_event (id, key, resolution_id, draft_id) VALUES "
                       "(1, 'S/RES/220 (2015)', 1, 1), (2, 'S/RES/2205 (2015)', 2, 2)"))
        c.execute(text("INSERT INTO finding (source, record, kind, severity, message, url, "
                       "first_seen) VALUES ('dhl-meetings', 'S/PV.30', 'tally_short', 'info', "
                       "'S/RES/3 (1946): tally 9-0-1', "
                       "'https://www.un.org/depts/dhl/resguide/scact1946_table_en.html', "
                       "'2026-11-29 23:36:18.978230')"))
    upgrade(engine)
    with engine.connect() as c:
        assert c.execute(text("SELECT page, record, first_seen FROM finding")).one()[:2] == (
            "depts/dhl/resguide/scact1946_table_en.html", "S/PV.30")
        assert c.execute(text("SELECT symbol FROM resolution")).scalars().all() == [
            "S/RES/2205 (2015)"]
        assert c.execute(text("SELECT key FROM vote_event")).scalars().all() == [
            "S/RES/2205 (2015)"]
        assert c.execute(text("SELECT symbol, status FROM draft ORDER BY symbol")).all() == [
            ("S/2015/134", None), ("S/2015/150", "adopted")]
