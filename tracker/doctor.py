"""Why a sync fails: one request to each configured source, and the database checked.

``diagnose(settings)`` returns a list of ``Check``; ``tracker doctor`` prints it. For each
base URL setting (the sources it serves in ``tracker.sources``), the host's robots.txt is
read (fresh, not from the archive), then the one request a sync would begin with is sent,
once, without retries:

- ``TRACKER_UN_ORG_URL`` (meetings, veto-list): the Veto List page.
- ``TRACKER_UNDL_URL`` (voting-records, documents): one record of the public search, read
  as the sync reads it (its bot-wall detection: 202, 401/403, an empty body, an HTML
  challenge page instead of MARCXML); with ``TRACKER_UNDL_TOKEN``, one request to the API
  route, ``/api/v1/search?p=...&format=xml`` with ``Authorization: Token ...``: 401/403 is
  a refused token. The token is never shown.
- ``TRACKER_PRESS_URL`` (press-releases): the press releases' feed, ``/en/rss.xml``.
- ``TRACKER_DOCS_URL`` (meeting-records): the meeting record S/PV.9591 (2024).

Then the database (reachable, its schema current) and the data folder (writable).
Each problem carries one plain sentence saying what to do.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

from council.records import ParseError
from scrapers.dhl import fetch as dhl_fetch
from scrapers.http import FetchError, HostUnreachable, PoliteClient, Response, TransientError
from scrapers.robots import Robots, RobotsUnavailable
from scrapers.undl import fetch as undl_fetch
from scrapers.undl.parse import safe_xml
from scrapers.verbatim.source import record_url
from tracker.settings import Settings, mask_passwords
from tracker.sync import USER_AGENT

# The query of the token check: one small search of the API route.
TOKEN_QUERY = {"p": '191__a:"S/RES/1874(2009)"', "format": "xml"}
# A meeting record that is published (the vote on S/2024/255).
KNOWN_MEETING_RECORD = "S/PV.9591"


@dataclass
class Check:
    """One line of the diagnosis: what was checked, what it answered, and what to do."""

    check: str  # what was checked: a base URL setting, the token, the database, the folder
    target: str  # the URL asked for, the database (password masked), the folder
    ok: bool
    sources: list[str] = field(default_factory=list)  # the sources a base URL setting serves
    status: int | None = None  # the HTTP status of the answer
    latency_ms: int | None = None  # from sending the request to the whole answer
    bot_wall: bool | None = None  # the Digital Library only
    token: str | None = None  # accepted, refused, not set (the Digital Library only)
    robots: str | None = None  # what robots.txt says of the target
    crawl_delay: float | None = None  # the seconds robots.txt asks between two requests
    problem: str | None = None
    advice: str | None = None  # what to do, in a sentence

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


class _Clock:
    """The client's sleep, counted: a latency leaves out the pause before a request."""

    def __init__(self) -> None:
        self.slept = 0.0

    def sleep(self, seconds: float) -> None:
        self.slept += seconds
        time.sleep(seconds)


def diagnose(settings: Settings, *, client: PoliteClient | None = None) -> list[Check]:
    """Check every configured source, the database and the data folder; return the checks.

    ``client`` (for tests) replaces the doctor's own: one attempt per request, paced as the
    settings and each host's robots.txt say."""
    clock = _Clock()
    http = client or PoliteClient(
        requests_per_second=settings.requests_per_second, timeout=settings.timeout_seconds,
        max_attempts=1, max_bytes=settings.max_response_bytes, user_agent=USER_AGENT,
        sleep=clock.sleep)
    robots = Robots(None)  # read afresh: the doctor says what the host says now
    token = settings.undl_token.get_secret_value() if settings.undl_token else None
    un_org, undl = settings.un_org_url.rstrip("/"), settings.undl_url.rstrip("/")
    veto_list = dhl_fetch.veto_list_page()
    probes: list[tuple[str, str, str, Callable[[], Response]]] = [
        ("meetings, veto-list", "TRACKER_UN_ORG_URL",
         f"{un_org}{dhl_fetch.RESGUIDE}/{veto_list.names[0]}",
         lambda: dhl_fetch.fetch_page(http, un_org, veto_list)),
        ("voting-records, documents", "TRACKER_UNDL_URL",
         str(httpx.URL(f"{undl}/search", params=undl_fetch.search_params(1, 1))),
         lambda: _library_page(http, undl)),
        ("press-releases", "TRACKER_PRESS_URL", f"{settings.press_url.rstrip('/')}/en/rss.xml",
         lambda: http.get(f"{settings.press_url.rstrip('/')}/en/rss.xml")),
        ("meeting-records", "TRACKER_DOCS_URL", record_url(settings.docs_url,
                                                           KNOWN_MEETING_RECORD),
         lambda: http.get(record_url(settings.docs_url, KNOWN_MEETING_RECORD))),
    ]
    checks = []
    try:
        for sources, setting, url, ask in probes:
            found = _source_check(http, robots, clock, sources, setting, url, ask)
            if setting == "TRACKER_UNDL_URL":
                found.token = "not set" if token is None else None
                checks.append(found)
                if token is not None:
                    checks.append(_token_check(http, robots, clock, undl, token))
            else:
                checks.append(found)
    finally:
        if client is None:
            http.close()
    checks += [_database_check(settings), _data_folder_check(settings.data_dir)]
    for found in checks:
        found.target = mask_passwords(found.target, token)
        if found.problem:
            found.problem = mask_passwords(found.problem, token)
    return checks


def _library_page(http: PoliteClient, undl: str) -> Response:
    """One record of the public search, read as the sync reads it: the bot wall's 202, 401,
    403 or empty answer is a ``BotWallError``; an HTML challenge page a ``ParseError``."""
    response = undl_fetch.fetch_search_page(http, undl, 1, rg=1)
    safe_xml(response.body, source="voting-records", record="search page 1")
    return response


def _timed(http: PoliteClient, clock: _Clock, ask: Callable[[], Response]
           ) -> tuple[Response | None, Exception | None, int]:
    began, slept = time.monotonic(), clock.slept
    try:
        response: Response | None = ask()
        failure: Exception | None = None
    except (FetchError, ParseError) as exc:
        response, failure = None, exc
    latency = (time.monotonic() - began) - (clock.slept - slept)
    return response, failure, max(0, round(latency * 1000))


def _robots(http: PoliteClient, robots: Robots, url: str, found: Check) -> bool:
    """Fill in what robots.txt says of ``url``; return whether the request may be sent."""
    try:
        rules = robots.rules(http, url)
    except RobotsUnavailable as exc:
        found.robots = "robots.txt could not be read: nothing may be fetched"
        found.problem = str(exc)
        found.advice = ("the site's robots.txt answers with an error: try again later; "
                        "until it can be read the tracker fetches nothing from this host")
        return False
    except FetchError:
        return True  # the host cannot be reached: the request itself says so
    found.crawl_delay = rules.crawl_delay
    if rules.status != 200:
        found.robots = f"no robots.txt ({rules.status}): no rules"
        return True
    if not rules.allows(url):
        found.robots = "disallowed"
        found.problem = f"{rules.url} disallows {url} for {rules.agent}"
        return False
    found.robots = "allowed" + (f", crawl delay {rules.crawl_delay:g} s"
                                if rules.crawl_delay else "")
    return True


def _source_check(http: PoliteClient, robots: Robots, clock: _Clock, sources: str,
                  setting: str, url: str, ask: Callable[[], Response]) -> Check:
    found = Check(setting, url, ok=False, sources=sources.split(", "))
    library = setting == "TRACKER_UNDL_URL"
    if not _robots(http, robots, url, found):
        if found.robots == "disallowed":
            found.advice = (
                "set TRACKER_UNDL_TOKEN to use the Digital Library's API route, or import the "
                "Library's voting dataset: tracker import undl-dataset FILE (record 4055387)"
                if library else f"point {setting} at a mirror that allows it, or sync the "
                                "other sources (tracker sync --source ...)")
        return found
    response, failure, found.latency_ms = _timed(http, clock, ask)
    if response is not None:
        found.ok, found.status = True, response.status
        found.target = response.final_url or response.url
        if library:
            found.bot_wall = False
        return found
    assert failure is not None
    found.status = getattr(failure, "status", None)
    found.target = getattr(failure, "url", None) or url
    if isinstance(failure, undl_fetch.BotWallError) or (library and isinstance(failure,
                                                                            ParseError)):
        found.bot_wall = True
        found.problem = ("bot wall: " + (f"answered {found.status}" if found.status else
                                         "answered an HTML challenge page, not MARCXML"))
        found.advice = ("the Digital Library refuses the tracker: set TRACKER_UNDL_TOKEN to "
                        "an API token of the Library, or import its voting dataset: tracker "
                        "import undl-dataset FILE (record 4055387)")
        return found
    if library and isinstance(failure, FetchError):
        found.bot_wall = False
    found.problem = failure.reason if isinstance(failure, FetchError) else str(failure)
    found.latency_ms = None if isinstance(failure, HostUnreachable) else found.latency_ms
    found.advice = _advice(failure, setting)
    return found


def _advice(failure: Exception, setting: str) -> str:
    if isinstance(failure, HostUnreachable):
        return (f"check the network connection and {setting}; offline, the votes can be "
                "loaded from the Library's voting dataset: tracker import undl-dataset FILE")
    if isinstance(failure, TransientError) and failure.status is None:
        return (f"the host did not answer in time or dropped the connection: try again, or "
                f"raise TRACKER_TIMEOUT_SECONDS; check {setting}")
    if isinstance(failure, TransientError):
        return "the server is busy or failing: try again later"
    if isinstance(failure, FetchError) and failure.status == 404:
        return f"the page is not there: check that {setting} is the site's address"
    return f"check {setting}; the site answered what the tracker cannot use"


def _token_check(http: PoliteClient, robots: Robots, clock: _Clock, undl: str, token: str
                 ) -> Check:
    url = f"{undl}/api/v1/search"
    shown = str(httpx.URL(url, params=TOKEN_QUERY))
    found = Check("TRACKER_UNDL_TOKEN", shown, ok=False, sources=["voting-records", "documents"])
    if not _robots(http, robots, shown, found):
        if found.robots == "disallowed":
            found.advice = ("the Library's robots.txt disallows its API route too: import its "
                            "voting dataset instead: tracker import undl-dataset FILE")
        return found
    response, failure, found.latency_ms = _timed(
        http, clock, lambda: http.get(url, params=TOKEN_QUERY,
                                      headers={"Authorization": f"Token {token}"}))
    if response is not None:
        found.status = response.status
        if response.status == 202 or not response.body.strip():
            found.token, found.bot_wall = "not known", True
            found.problem = f"bot wall: the API route answered {response.status} with an " \
                            "empty body"
            found.advice = ("the Library's bot wall answers its API route too: import its "
                            "voting dataset: tracker import undl-dataset FILE")
            return found
        found.ok, found.token, found.bot_wall = True, "accepted", False
        return found
    assert failure is not None
    found.status = getattr(failure, "status", None)
    if found.status in (401, 403):
        found.token = "refused"
        found.problem = f"the API route refused the token ({found.status})"
        found.advice = ("the Digital Library does not accept TRACKER_UNDL_TOKEN: check it "
                        "(copied whole, not expired), or unset it and import the Library's "
                        "voting dataset: tracker import undl-dataset FILE")
        return found
    found.token = "not known"
    found.problem = failure.reason if isinstance(failure, FetchError) else str(failure)
    found.advice = _advice(failure, "TRACKER_UNDL_URL")
    return found


def _database_check(settings: Settings) -> Check:
    from sqlalchemy.exc import SQLAlchemyError

    from db.engine import (
        head_revision,
        known_revisions,
        make_engine,
        schema_revision,
        sqlite_path,
    )

    url = settings.resolved_database_url
    found = Check("database", mask_passwords(url), ok=False)
    path = sqlite_path(url)
    if path is not None and not path.exists():
        found.ok = True
        found.target = f"{mask_passwords(url)} (not made yet: the first sync makes it)"
        return found
    try:
        engine = make_engine(url, create=False)
        try:
            revision = schema_revision(engine)
        finally:
            engine.dispose()
    except SQLAlchemyError as exc:
        orig = getattr(exc, "orig", None) or exc
        found.problem = f"cannot open the database: {' '.join(str(orig).split())}"
        found.advice = ("check TRACKER_DATABASE_URL (or --db): the server, the user and its "
                        "password, or the file's folder")
        return found
    head = head_revision()
    found.ok = True
    if revision is None:
        found.target += " (no schema yet: the first sync makes it)"
    elif revision == head:
        found.target += f" (schema current: {head})"
    elif revision in known_revisions():
        found.target += f" (schema {revision}, older: the next command upgrades it to {head})"
    else:
        found.ok = False
        found.problem = (f"the database's schema is at revision {revision}, newer than this "
                         f"tracker knows (its newest is {head})")
        found.advice = ("upgrade the tracker (pip install -U unsc-tracker), or point "
                        "TRACKER_DATABASE_URL at another database")
    return found


def _data_folder_check(folder: Path) -> Check:
    found = Check("TRACKER_DATA_DIR", str(folder), ok=False)
    existing = folder.expanduser()
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        found.problem = f"{existing} is a file, not a folder"
        found.advice = "point TRACKER_DATA_DIR at a folder"
        return found
    try:
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as exc:
        found.problem = f"cannot write in {existing}: {os.strerror(exc.errno or 0)}"
        found.advice = ("point TRACKER_DATA_DIR at a folder you can write to (the raw "
                        "archive and the default database live there)")
        return found
    found.ok = True
    if existing != folder.expanduser():
        found.target += " (not made yet: the first sync makes it)"
    return found
