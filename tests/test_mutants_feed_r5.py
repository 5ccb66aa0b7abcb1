"""Tests that kill the survivors of the first mutation run over the press release feed's
parser (scrapers/press/feed.py, issue "Tests that bite"): which items are kept (a release
listed twice once, and those after it), the exact address, title and date read of each (the
address from the ``guid`` when there is no ``link``, a relative link against an ``xml:base``
that ends with a slash, the date in UTC whatever the machine's time zone), the feed's own
address, and every part of the refusal of a broken or foreign feed (source, record, message).

The feeds are in the shape of the live one (tests/fixtures/press/rss.xml, as a public reader
saved it): RSS 2.0, ``xml:base="https://press.un.org/en"``, items with ``title``, ``link``,
``pubDate`` in RFC 822 with the New York offset, ``dc:creator`` and a ``guid``.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree

from council.records import ParseError
from scrapers.press.feed import FeedItem, parse_press_feed

FEED = (Path(__file__).resolve().parent / "fixtures" / "press" / "rss.xml").read_bytes()
FEED_URL = "https://press.un.org/en/rss.xml"
SOURCE = "press-releases"


def item(link: str | None, *, guid: str | None = None, title: str = "Security Council",
         date: str = "Thu, 28 Mar 2024 13:02:11 -0400") -> str:
    """An <item> as the live feed writes it (no <link> when ``link`` is None)."""
    return ("<item>\n"
            f"  <title>{title}</title>\n"
            + (f"  <link>{link}</link>\n" if link is not None else "")
            + "  <description>  The Security Council today.\n</description>\n"
            f"  <pubDate>{date}</pubDate>\n"
            "    <dc:creator>United Nations</dc:creator>\n"
            + (f'    <guid isPermaLink="true">{guid}</guid>\n' if guid is not None else "")
            + "    </item>\n")


def feed(*items: str, base: str | None = "https://press.un.org/en") -> bytes:
    """A feed in the live one's shape, with these items (and this ``xml:base``, if any)."""
    xml_base = f' xml:base="{base}"' if base is not None else ""
    return ('<?xml version="1.0" encoding="utf-8"?>\n'
            '<rss xmlns:dc="http://purl.org/dc/elements/1.1/" version="2.0"'
            f"{xml_base}>\n  <channel>\n    <title>UN Meetings Coverage and Press Releases"
            "</title>\n    <link>https://press.un.org/en</link>\n    <description/>\n"
            "    <language>en</language>\n" + "".join(items)
            + "  </channel>\n</rss>\n").encode()


def kept(body: bytes, url: str = FEED_URL) -> tuple[list[tuple[str, int, str]], int]:
    parsed = parse_press_feed(body, url=url)
    return [(i.symbol, i.year, i.url) for i in parsed.items], parsed.other_items


def refusal(body: bytes) -> tuple[str, str, str]:
    with pytest.raises(ParseError) as refused:
        parse_press_feed(body, url=FEED_URL)
    return refused.value.source, refused.value.record, refused.value.message


# --- what each kept item says ----------------------------------------------------------


def test_the_feed_gives_each_releases_title_and_its_own_address() -> None:
    """Each Council release keeps the feed's title (its whitespace collapsed), and the
    parsed feed names the address it was read from."""
    parsed = parse_press_feed(FEED, url=FEED_URL)
    assert parsed.url == FEED_URL
    assert parsed.items == [
        FeedItem("SC/15648", 2024, "https://press.un.org/en/2024/sc15648.doc.htm",
                 "Security Council Fails to Extend Mandate of Expert Panel Assisting Sanctions "
                 "Committee on Democratic People’s Republic of Korea, Owing to Veto by Russian "
                 "Federation", dt.datetime(2024, 3, 28, 17, 2, 11, tzinfo=dt.UTC)),
        FeedItem("SC/15626", 2024, "https://press.un.org/en/2024/sc15626.doc.htm",
                 "Security Council Extends Mandate of United Nations Assistance Mission in "
                 "Afghanistan for One Year, Adopting Resolution 2727 (2024)",
                 dt.datetime(2024, 3, 15, 15, 20, 40, tzinfo=dt.UTC))]
    body = feed(item("https://press.un.org/en/2024/sc15626.doc.htm",
                     title="Security Council\n   Extends  Mandate"))
    assert [i.title for i in parse_press_feed(body, url=FEED_URL).items] == [
        "Security Council Extends Mandate"]


@pytest.fixture
def new_york_time() -> Iterator[None]:
    """The machine's local time zone is New York's (POSIX rule: no tz database needed)."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "EST5EDT,M3.2.0,M11.1.0"
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = before
        time.tzset()


@pytest.mark.usefixtures("new_york_time")
def test_the_release_date_is_in_utc_whatever_the_machines_time_zone() -> None:
    """The date of a release is given in UTC (its clock time and offset), not in the time
    zone of the machine that reads the feed."""
    published = [i.published for i in parse_press_feed(FEED, url=FEED_URL).items]
    assert [p.isoformat() for p in published if p is not None] == [
        "2024-03-28T17:02:11+00:00", "2024-03-15T15:20:40+00:00"]
    assert [(p.hour, p.utcoffset(), p.tzname()) for p in published if p is not None] == [
        (17, dt.timedelta(0), "UTC"), (15, dt.timedelta(0), "UTC")]


# --- which items are kept, at which address ---------------------------------------------


def test_an_item_without_a_link_is_read_at_its_guid() -> None:
    """An item whose <link> is missing or empty is read at its <guid> (the live feed's guid
    is the link); an item with neither is another item, not a Council release."""
    body = feed(item(None, guid="https://press.un.org/en/2024/sc15648.doc.htm"),
                item("", guid="https://press.un.org/en/2024/sc15626.doc.htm"),
                item(None))
    assert kept(body) == ([("SC/15648", 2024, "https://press.un.org/en/2024/sc15648.doc.htm"),
                           ("SC/15626", 2024, "https://press.un.org/en/2024/sc15626.doc.htm")],
                          1)


def test_a_relative_link_is_read_against_a_base_that_ends_with_a_slash() -> None:
    """A relative link resolves against the feed's ``xml:base`` as a folder, whether the base
    ends with a slash or not (never with two slashes in between)."""
    links = (item("2024/sc15648.doc.htm"), item("/en/2024/sc15626.doc.htm"))
    expected = ([("SC/15648", 2024, "https://press.un.org/en/2024/sc15648.doc.htm"),
                 ("SC/15626", 2024, "https://press.un.org/en/2024/sc15626.doc.htm")], 0)
    assert kept(feed(*links, base="https://press.un.org/en/")) == expected
    assert kept(feed(*links, base="https://press.un.org/en")) == expected


def test_a_release_listed_twice_is_kept_once_and_the_next_ones_are_kept() -> None:
    """A Council release the feed lists twice (here once at its pre-2019 address) is kept
    once, at its first address, and is not counted as another item; the releases listed
    after the second listing are kept too."""
    body = feed(item("https://press.un.org/en/2024/sc15648.doc.htm"),
                item("https://press.un.org/en/blog/sc15648"),
                item("https://www.un.org/press/en/2024/sc15648.doc.htm"),
                item("https://press.un.org/en/2024/sc15626.doc.htm"),
                item("https://press.un.org/en/2024/sc15626.doc.htm"),
                item("https://press.un.org/en/2024/sgsm22150.doc.htm"))
    assert kept(body) == ([("SC/15648", 2024, "https://press.un.org/en/2024/sc15648.doc.htm"),
                           ("SC/15626", 2024, "https://press.un.org/en/2024/sc15626.doc.htm")],
                          2)


# --- what a broken or foreign feed gives ------------------------------------------------


def lxml_says(body: bytes) -> str:
    try:
        etree.fromstring(body)
    except etree.XMLSyntaxError as exc:
        return str(exc)
    raise AssertionError("the body is XML")


@pytest.mark.parametrize("body", [b"", b"<rss", FEED[:200]],
                         ids=["empty", "cut-in-a-tag", "cut-in-the-channel"])
def test_an_answer_that_is_not_xml_is_refused_naming_the_feed(body: bytes) -> None:
    assert refusal(body) == (
        SOURCE, "feed", f"the press release feed is not XML ({lxml_says(body)})")


def test_an_empty_answer_is_refused_with_lxmls_words() -> None:
    assert refusal(b"") == (SOURCE, "feed", "the press release feed is not XML (Document is "
                                            "empty, line 1, column 1 (<string>, line 1))")


@pytest.mark.parametrize(("body", "root"), [
    (b"<!DOCTYPE html><html><body>Access denied</body></html>", "html"),
    (b'<feed xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>' + item(
        "https://press.un.org/en/2024/sc15648.doc.htm").encode() + b"</channel></feed>",
     "feed"),
    (b'<rss version="2.0"><item><link>https://press.un.org/en/2024/sc1.doc.htm</link>'
     b"</item></rss>", "rss"),
], ids=["html", "a-channel-under-another-root", "rss-without-channel"])
def test_an_answer_that_is_no_rss_feed_is_refused_naming_its_root(body: bytes,
                                                                 root: str) -> None:
    """Only an <rss> root's <channel> is read: an answer with another root is refused even
    when a <channel> with a Council release is under it."""
    assert refusal(body) == (
        SOURCE, "feed", f"the press release feed is no RSS 2.0 feed (its root is <{root}>, "
        "with no <channel>)")


def test_a_feed_that_lists_no_item_is_refused() -> None:
    assert refusal(feed()) == (SOURCE, "feed", "the press release feed lists no item")


def test_without_xml_base_a_relative_link_is_read_against_the_feeds_own_address() -> None:
    """RFC 3986: "2024/sc15626.doc.htm" in https://press.un.org/en/rss.xml is
    https://press.un.org/en/2024/sc15626.doc.htm (it was read under ".../rss.xml/" and lost)."""
    body = (b'<rss version="2.0"><channel><item><title>t</title>'
            b"<link>2024/sc15626.doc.htm</link></item></channel></rss>")
    feed = parse_press_feed(body, url="https://press.un.org/en/rss.xml")
    assert [(i.symbol, i.url) for i in feed.items] == [
        ("SC/15626", "https://press.un.org/en/2024/sc15626.doc.htm")]
    assert feed.other_items == 0


@pytest.mark.parametrize("date", [
    "Fri, 31 Dec 9999 23:00:00 -0400",  # past the year 9999 once in UTC
    "Thu, 28 Mar 99999999999999999999 13:02:11 -0400",  # a year too large for C
])
def test_a_date_out_of_range_is_no_date_and_the_item_is_kept(date: str) -> None:
    body = (b'<rss version="2.0"><channel><item><link>https://press.un.org/en/2024/sc1.doc.htm'
            b"</link><pubDate>" + date.encode() + b"</pubDate></item></channel></rss>")
    assert [(i.symbol, i.published) for i in parse_press_feed(body, url="u").items] == [
        ("SC/1", None)]
