"""Parse the press release feed (``{TRACKER_PRESS_URL}/en/rss.xml``): pure, bytes in.

The feed is RSS 2.0 (``<rss version="2.0" xml:base="https://press.un.org/en">``, one
``<channel>``, about ten ``<item>`` s, newest first, each with ``title``, ``link``,
``description``, ``pubDate`` in RFC 822 with the New York offset, ``dc:creator`` and a
``guid`` that is the link). It mixes every kind of release: the Council's meetings
coverage (``/en/2026/sc16444.doc.htm``), the Secretary-General's statements
(``sgsm23255``), daily briefings (``db260828``) and others; and it lists a Council
meeting a second time as its live blog (``/en/blog/sc16444``, "Security Council, 10216th
Meeting (PM) Haiti"), published before the meeting ends and carrying no vote. Only the
Council's releases (``sc{NUMBER}.doc.htm``) are kept, each once; the blog is not a release.

The shape is as a public reader of the live feed saved it (boostedchaos/Pythia,
``tests/fixtures/un_press.xml``, fetched 2026-08-29): no copy of the feed is in
``../shared/data``.

Parsed with entity expansion, DTDs and the network off, as the Digital Library's XML is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlparse

from lxml import etree

from council.records import ParseError
from council.sources import PRESS_RELEASE_PATH, SOURCE_PRESS

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                          dtd_validation=False, huge_tree=False)
_XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"


@dataclass(frozen=True)
class FeedItem:
    """A Council release the feed lists: its symbol, the year in its address, where it is,
    and when the feed says it was published (None: the feed gives no date it can read)."""

    symbol: str  # "SC/15648"
    year: int
    url: str
    title: str | None
    published: dt.datetime | None  # aware, UTC


@dataclass
class PressFeed:
    """The Council's releases a feed lists, newest first as the feed orders them."""

    url: str
    items: list[FeedItem] = field(default_factory=list)
    other_items: int = 0  # releases of other bodies, and the Council's live blogs
    errors: list[ParseError] = field(default_factory=list)  # parts it refused (none yet)


def _text(item: etree._Element, tag: str) -> str | None:
    found = item.find(tag)
    if found is None or found.text is None:
        return None
    return " ".join(found.text.split()) or None


def _published(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        when = parsedate_to_datetime(text)
        # RFC 822 "-0000": the offset is not known
        return when.astimezone(dt.UTC) if when.tzinfo is not None else None
    except (TypeError, ValueError, IndexError, OverflowError):  # OverflowError: past 9999
        return None


def parse_press_feed(body: bytes, *, url: str) -> PressFeed:
    """Read the feed: the Council's releases it lists (``sc{N}.doc.htm``), each once."""
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise ParseError(SOURCE_PRESS, "feed", f"the press release feed is not XML ({exc})"
                         ) from None
    channel = root.find("channel") if root.tag == "rss" else None
    if channel is None:
        raise ParseError(SOURCE_PRESS, "feed", f"the press release feed is no RSS 2.0 feed "
                         f"(its root is <{root.tag}>, with no <channel>)")
    items = channel.findall("item")
    if not items:  # an empty feed is a fault of the answer, not "nothing new"
        raise ParseError(SOURCE_PRESS, "feed", "the press release feed lists no item")
    # the feed's xml:base names a folder ("https://press.un.org/en", no closing slash);
    # without one, a relative link is resolved against the feed's own address (RFC 3986)
    declared = root.get(_XML_BASE) or channel.get(_XML_BASE)
    base = (declared if declared.endswith("/") else declared + "/") if declared else url
    feed = PressFeed(url=url)
    seen: set[str] = set()
    for item in items:
        link = _text(item, "link") or _text(item, "guid")
        address = urljoin(base, link) if link else ""
        match = PRESS_RELEASE_PATH.search(urlparse(address).path)
        if match is None:
            feed.other_items += 1
            continue
        symbol = f"SC/{int(match.group(2))}"
        if symbol in seen:
            continue
        seen.add(symbol)
        feed.items.append(FeedItem(symbol=symbol, year=int(match.group(1)), url=address,
                                   title=_text(item, "title"),
                                   published=_published(_text(item, "pubDate"))))
    return feed
