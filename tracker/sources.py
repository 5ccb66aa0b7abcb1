"""The registry of the UN's sources: the one place that lists them.

Each entry names a ``Source`` (``scrapers/<source>/source.py``), how it is built from the
settings, and the ``db.store`` writer that stores what its parser returns (scrapers never
import the database, so the two meet here). The CLI's ``--source`` choices, ``sync`` and
``rebuild`` all read this list, in its order. Adding a source is one subpackage under
``scrapers/``, one line here, and its writer in ``db/store.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlmodel import Session

from db.roll_calls import (
    meeting_records_wanted,
    press_releases_wanted,
    store_meeting_record,
    store_press_release,
)
from db.store import store_documents, store_meetings_table, store_veto_list, store_voting_records
from db.upsert import Counts
from scrapers.dhl.source import MeetingsSource, VetoListSource
from scrapers.press.source import PressReleasesSource
from scrapers.source import PageSource, SearchSource
from scrapers.undl.source import DocumentsSource, VotingRecordsSource
from scrapers.verbatim.source import MeetingRecordsSource
from tracker.settings import Settings


def _token(settings: Settings) -> str | None:
    return settings.undl_token.get_secret_value() if settings.undl_token else None


@dataclass
class Registered:
    """A source, how to build it from the settings, and its store writer: for a page
    source ``store(session, page, url=, fetched_at=)``, for a search source
    ``store(session, records, source=, fetched_at=)``."""

    kind: type[PageSource] | type[SearchSource]
    build: Callable[[Settings], PageSource | SearchSource]
    store: Callable[..., Counts]
    # For a page source that is asked for documents the other sources name (the press
    # releases of votes without a roll call): what to ask for, read from the database
    # (``everything``: all of them, else those not fetched yet). Such a source is synced
    # and rebuilt after every other one.
    wanted: Callable[[Session, bool], Sequence[tuple[str, int]]] | None = None

    @property
    def name(self) -> str:
        return self.kind.name


REGISTRY: dict[str, Registered] = {r.name: r for r in (
    Registered(MeetingsSource, lambda s: MeetingsSource(s.un_org_url), store_meetings_table),
    Registered(VetoListSource, lambda s: VetoListSource(s.un_org_url), store_veto_list),
    Registered(VotingRecordsSource, lambda s: VotingRecordsSource(
        s.undl_url, page_size=s.undl_page_size, token=_token(s)), store_voting_records),
    Registered(DocumentsSource, lambda s: DocumentsSource(
        s.undl_url, collection=s.undl_documents_collection, query=s.undl_drafts_query,
        page_size=s.undl_page_size,
        token=_token(s)), store_documents),
    Registered(PressReleasesSource, lambda s: PressReleasesSource(s.press_url),
               store_press_release,
               wanted=lambda session, everything: press_releases_wanted(
                   session, everything=everything)),
    Registered(MeetingRecordsSource, lambda s: MeetingRecordsSource(s.docs_url),
               store_meeting_record,
               wanted=lambda session, everything: meeting_records_wanted(
                   session, everything=everything)),
)}
SOURCES = tuple(REGISTRY)


def archive_names() -> dict[str, str]:
    """{source name: its archive name}."""
    return {name: r.kind.archive_name for name, r in REGISTRY.items()}
