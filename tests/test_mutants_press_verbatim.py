"""Tests that kill the surviving mutants of the press releases' and meeting records' parsers
(issue 18, mutation testing): scrapers/press/parse.py and scrapers/verbatim/parse.py. Each
asserts the exact records, findings or refusal a user sees: every field of a finding (its
source, record, kind, severity, message and URL), the paragraph a vote was read in, the
draft a vote is on, and the limits a meeting record's PDF is held to, at the limit and one
past it.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

import scrapers.verbatim.parse as verbatim
from council.records import Finding, ParseError, Severity, Tally
from scrapers.press.parse import (
    SOURCE_PRESS,
    PressRelease,
    PressStatement,
    PressVote,
    parse_press_release,
    read_vote_sentence,
    release_paragraphs,
)
from scrapers.verbatim.parse import (
    SOURCE_RECORDS,
    MeetingRecordVotes,
    NotPublished,
    RecordVote,
    parse_meeting_record,
    pdf_text,
    read_vote_blocks,
)
from tests.test_verbatim_parse import pdf

URL = "https://press.un.org/en/2018/sc13288.doc.htm"

# --- press releases: a vote sentence ------------------------------------------------------


def read(sentence: str, before: str = "") -> tuple[list[PressVote], list[Finding]]:
    return read_vote_sentence(sentence, release="SC/13288", url=URL, paragraph=4,
                              before=before)


def test_each_finding_of_a_vote_sentence_must_name_its_source_release_and_url() -> None:
    incomplete = ("By 12 in favour to 2 against (China, Russian Federation), the draft was "
                  "rejected.")
    assert read(incomplete) == ([], [Finding(
        SOURCE_PRESS, "SC/13288", "press_count_incomplete", Severity.WARNING,
        "the release counts 12 in favour and 2 against but says nothing of abstentions "
        f"({incomplete!r}); the count was not stored", URL)])
    unknown = ("By 12 in favour to 1 against (Freedonia, France, Atlantis), with 2 "
               "abstentions (China, Russian Federation), the draft was rejected.")
    assert read(unknown) == ([PressVote(
        sentence=unknown, tally=Tally(12, 1, 2), named={"A": ("CHN", "RUS")}, symbols=(),
        amendment=False, outcome="failed", paragraph=4)], [Finding(
            SOURCE_PRESS, "SC/13288", "press_name_unknown", Severity.WARNING,
            "the release names 'Freedonia', 'Atlantis' in a vote, which is no known member; "
            "that side's names were not stored", URL)])
    miscounted = ("By 12 in favour to 3 against (China, Russian Federation), with no "
                  "abstentions, the draft was rejected.")
    assert read(miscounted) == ([PressVote(
        sentence=miscounted, tally=Tally(12, 3, 0), named={}, symbols=(), amendment=False,
        outcome="failed", paragraph=4)], [Finding(
            SOURCE_PRESS, "SC/13288", "press_names_miscounted", Severity.ERROR,
            "the release counts 3 against but names 2 (CHN, RUS); the names were not stored",
            URL)])


def test_a_count_that_is_not_a_vote_must_not_hide_the_vote_after_it_in_the_sentence() -> None:
    aside = ("Having had 13 in favour, the draft was rejected by 13 in favour to 1 against "
             "(Russian Federation), with 1 abstention (China).")
    assert read(aside) == ([PressVote(
        sentence=aside, tally=Tally(13, 1, 1), named={"N": ("RUS",), "A": ("CHN",)},
        symbols=(), amendment=False, outcome="failed", paragraph=4)], [])
    incomplete = ("An earlier text had 12 in favour to 3 against, and then the draft received "
                  "13 in favour to 1 against (Russian Federation), with 1 abstention (China).")
    votes, findings = read(incomplete)
    assert votes == [PressVote(
        sentence=incomplete, tally=Tally(13, 1, 1), named={"N": ("RUS",), "A": ("CHN",)},
        symbols=(), amendment=False, outcome=None, paragraph=4)]
    assert [f.kind for f in findings] == ["press_count_incomplete"]


def test_a_side_named_none_or_nothing_must_name_no_member_and_raise_no_finding() -> None:
    none = ("The draft was adopted by 13 votes in favour to none against (None), with 2 "
            "abstentions (China, Russian Federation).")
    assert read(none) == ([PressVote(
        sentence=none, tally=Tally(13, 0, 2), named={"A": ("CHN", "RUS")}, symbols=(),
        amendment=False, outcome="adopted", paragraph=4)], [])
    lower = "It received 13 in favour to none against (none ), with 2 abstentions (China, Peru)."
    assert read(lower) == ([PressVote(
        sentence=lower, tally=Tally(13, 0, 2), named={"A": ("CHN", "PER")}, symbols=(),
        amendment=False, outcome=None, paragraph=4)], [])
    empty = "It received 13 in favour to none against (), with 2 abstentions (China, Peru)."
    assert read(empty) == ([PressVote(
        sentence=empty, tally=Tally(13, 0, 2), named={"A": ("CHN", "PER")}, symbols=(),
        amendment=False, outcome=None, paragraph=4)], [])


COUNT = "By a vote of 4 in favour to 7 against, with 4 abstentions, it failed."


@pytest.mark.parametrize(("before", "symbols", "amendment"), [
    # the word that says what the document is: before it, after it, or neither
    ("Amendment S/2018/999 was put to the vote.", ("S/2018/999",), True),
    ("S/2018/999, an amendment, was put to the vote.", ("S/2018/999",), True),
    ("The draft resolution S/2018/998 was put to the vote.", ("S/2018/998",), False),
    ("Document S/2018/998 was put to the vote.", ("S/2018/998",), False),
    # the nearest word within 120 characters before the symbol and 40 after it, not beyond
    ("Amendment S/2018/999 was put to the vote, after a long debate in which many "
     "delegations took the floor, before the Council turned to the draft resolution.",
     ("S/2018/999",), True),
    ("amendment" + " " * 112 + "S/2018/999 was put to the vote.", ("S/2018/999",), False),
    ("amendment" + " " * 111 + "S/2018/999 was put to the vote.", ("S/2018/999",), True),
    ("It was S/2018/999," + " " * 31 + "amendment.", ("S/2018/999",), False),
    ("It was S/2018/999," + " " * 30 + "amendment.", ("S/2018/999",), True),
])
def test_a_vote_that_names_no_document_must_be_on_the_one_named_before_it(
        before: str, symbols: tuple[str, ...], amendment: bool) -> None:
    assert read(COUNT, before) == ([PressVote(
        sentence=COUNT, tally=Tally(4, 7, 4), named={}, symbols=symbols, amendment=amendment,
        outcome=None, paragraph=4)], [])


# --- press releases: a whole page -----------------------------------------------------------


def page(*paragraphs: str, head: str = "", top: str = "") -> bytes:
    return (f"<html><head>{head}</head><body>{top}<p>SC/13288</p><p>8231st Meeting (PM)</p>"
            "<p>10 April 2018</p>" + "".join(f"<p>{p}</p>" for p in paragraphs)
            + "</body></html>").encode()


def vote_of(sentence: str, paragraph: int, symbols: tuple[str, ...],
            outcome: str | None = "failed") -> PressVote:
    return PressVote(sentence=sentence, tally=Tally(12, 2, 1),
                     named={"N": ("BOL", "RUS"), "A": ("CHN",)}, symbols=symbols,
                     amendment=False, outcome=outcome, paragraph=paragraph)


VOTE = ("By a vote of 12 in favour to 2 against (Bolivia, Russian Federation), with 1 "
        "abstention (China), the draft was not adopted.")


def test_each_vote_must_be_of_the_draft_named_since_the_vote_before_it() -> None:
    """The text before a vote that names no draft is read from the last vote on, and a
    symbol that opens a paragraph is as much a symbol as one inside it."""
    release = parse_press_release(page(
        "S/2018/321 was the first draft put to the vote.",
        VOTE,
        "S/2018/322 was the second draft put to the vote.",
        VOTE,
        "The Council then turned to a third text.",
        "S/2018/323 was the third draft put to the vote.",
        VOTE,
        VOTE,
    ), url=URL)
    assert release.votes == [
        vote_of(VOTE, 4, ("S/2018/321",)), vote_of(VOTE, 6, ("S/2018/322",)),
        vote_of(VOTE, 9, ("S/2018/323",)),
        vote_of(VOTE, 10, ()),  # nothing named since the vote before it
    ]
    assert release.findings == []


def test_every_vote_and_finding_of_a_paragraph_must_be_kept_with_its_release_and_url() -> None:
    unread = "In the vote, none against was recorded."
    incomplete = "By 12 in favour to 2 against (China, Russian Federation), it failed."
    release = parse_press_release(page(
        f"{incomplete} The meeting went on.",
        f"{VOTE} The representatives then spoke.",
        f"{unread} The meeting then rose.",
    ), url=URL)
    assert release == PressRelease(
        symbol="SC/13288", url=URL, title=None, meeting="S/PV.8231", date=date(2018, 4, 10),
        votes=[vote_of(VOTE, 4, ())],
        findings=[
            Finding(SOURCE_PRESS, "SC/13288", "press_count_incomplete", Severity.WARNING,
                    "the release counts 12 in favour and 2 against but says nothing of "
                    f"abstentions ({incomplete!r}); the count was not stored", URL),
            Finding(SOURCE_PRESS, "SC/13288", "press_count_unread", Severity.WARNING,
                    f"the release speaks of a vote in words the tracker does not read "
                    f"({unread!r}): nothing of it was stored", URL),
        ])


def test_a_release_without_a_symbol_must_name_its_findings_by_url() -> None:
    incomplete = "By 12 in favour to 2 against (China, Russian Federation), it failed."
    release = parse_press_release(f"<html><body><p>{incomplete}</p></body></html>".encode(),
                                  url=URL)
    assert release == PressRelease(
        symbol=None, url=URL, title=None, meeting=None, date=None, findings=[
            Finding(SOURCE_PRESS, URL, "press_count_incomplete", Severity.WARNING,
                    "the release counts 12 in favour and 2 against but says nothing of "
                    f"abstentions ({incomplete!r}); the count was not stored", URL)])


def test_a_page_that_is_no_release_must_be_refused_by_its_url() -> None:
    with pytest.raises(ParseError) as refused:
        parse_press_release(b"<html><body><p>Page not found.</p></body></html>", url=URL)
    assert (refused.value.source, refused.value.record, str(refused.value)) == (
        SOURCE_PRESS, URL, f"press-releases: {URL}: no press release symbol (SC/N) and no "
        "vote on the page: not a Security Council press release")


def test_a_repeated_sentence_must_not_take_the_text_after_it_as_its_draft() -> None:
    count = ("By 13 in favour to 1 against (Russian Federation), with 1 abstention (China), "
             "it was rejected.")
    release = parse_press_release(page(f"{count} Draft S/2018/5 was also tabled. {count}"),
                                  url=URL)
    assert release.votes[0].symbols == ()


def test_a_repeated_sentence_must_take_the_draft_named_between_as_its_draft() -> None:
    """A sentence repeated word for word in one paragraph is read with the text before
    its own place, not before its first occurrence (a bug the kill tests found)."""
    count = ("By 13 in favour to 1 against (Russian Federation), with 1 abstention (China), "
             "it was rejected.")
    release = parse_press_release(page(f"{count} Draft S/2018/5 was also tabled. {count}"),
                                  url=URL)
    assert [v.symbols for v in release.votes] == [(), ("S/2018/5",)]


def test_statements_must_keep_their_paragraph_and_when_they_were_said() -> None:
    """A paragraph that names two members opens no statement; "after the vote" counts in the
    first 200 characters of a statement only; a paragraph without a closing full stop (a
    subtitle) is no one's words and no vote."""
    def said_at(start: int) -> str:  # "after the vote" from character ``start`` on
        opening = "The representative of France said that its long "
        words = opening + "x" * (start - len(opening) - 1) + " after the vote, it was sad."
        assert words.index("after the vote") == start
        return words

    late, early = said_at(187), said_at(186)  # "vote" ends at the 201st, the 200th character
    release = parse_press_release(page(
        "Vote Stands at 13 in Favour, 1 Against, 1 Abstention",
        "The representatives of France and China said the text was balanced.",
        "The representative of Peru said the Council must act.",
        "He added that it would vote in favour.",
        late, early,
    ), url=URL)
    assert release.votes == [] and release.findings == []
    assert release.statements == [
        PressStatement("PER", "The representative of Peru",
                       ("The representative of Peru said the Council must act.",
                        "He added that it would vote in favour."), None, 5),
        PressStatement("FRA", "The representative of France", (late,),
                       None, 7),
        PressStatement("FRA", "The representative of France", (early,),
                       True, 8),
    ]


def test_a_releases_title_is_its_headline_else_its_page_title() -> None:
    headline = page(head="<title>Meetings Coverage | United Nations</title>",
                    top="<h1>Council Fails<br/>to Extend Mandate</h1>")
    assert parse_press_release(headline, url=URL).title == "Council Fails to Extend Mandate"
    no_headline = page(head="<title>Council Fails to Extend Mandate | Press</title>")
    assert parse_press_release(no_headline, url=URL).title == (
        "Council Fails to Extend Mandate | Press")


def test_navigation_forms_footers_and_noscript_text_are_not_the_release() -> None:
    top = ("<nav><ul><li>SC/15000</li></ul></nav><form><p>SC/15001</p></form>"
           "<footer><p>SC/15002</p></footer><noscript><p>SC/15003</p></noscript>"
           "<script>var page = 'SC/15004';</script><style>p { content: 'SC/15005'; }</style>")
    title, paragraphs, text = release_paragraphs(page(top=top))
    assert (title, paragraphs, text) == (
        None, ["SC/13288", "8231st Meeting (PM)", "10 April 2018"],
        "SC/13288 8231st Meeting (PM) 10 April 2018")


def test_a_paragraphs_inline_markup_and_list_items_are_read_as_text() -> None:
    body = ("<html><body><p>SC/13288</p><p>The Council rejected draft resolution "
            "<a href='/S/2024/255'>S/2024/255</a> by a vote of <b>13</b> in favour to 1 "
            "against (Russian Federation), with 1 abstention (China).</p><ul><li>The "
            "representative of Peru said the Council must act.</li></ul></body></html>")
    release = parse_press_release(body.encode(), url=URL)
    sentence = ("The Council rejected draft resolution S/2024/255 by a vote of 13 in favour "
                "to 1 against (Russian Federation), with 1 abstention (China).")
    assert release.votes == [PressVote(
        sentence=sentence, tally=Tally(13, 1, 1), named={"N": ("RUS",), "A": ("CHN",)},
        symbols=("S/2024/255",), amendment=False, outcome="failed", paragraph=1)]
    assert release.statements == [PressStatement(
        "PER", "The representative of Peru",
        ("The representative of Peru said the Council must act.",), None, 2)]


def test_a_page_without_paragraph_elements_is_split_at_blank_lines() -> None:
    body = (b"<html><body><div>SC/13288\n\n8231st Meeting (PM)\n \n10 April 2018\n\n\n"
            b"The representative of Peru said\nthe Council must act.\n</div></body></html>")
    assert release_paragraphs(body) == (
        None, ["SC/13288", "8231st Meeting (PM)", "10 April 2018",
               "The representative of Peru said the Council must act."],
        "SC/13288 8231st Meeting (PM) 10 April 2018 The representative of Peru said the "
        "Council must act.")


# --- meeting records: the PDF -----------------------------------------------------------


def test_each_refusal_of_a_meeting_records_answer_must_name_the_record() -> None:
    with pytest.raises(NotPublished) as empty:
        parse_meeting_record(b" \n", record="S/PV.9999")
    assert (empty.value.source, empty.value.record, str(empty.value)) == (
        SOURCE_RECORDS, "S/PV.9999", "meeting-records: S/PV.9999: the documents service gave "
        "an empty answer: the record is not published yet")
    with pytest.raises(ParseError) as junk:
        parse_meeting_record(b"<html><head><title>Not Found</title></head></html>",
                             record="S/PV.9999")
    assert (junk.value.source, junk.value.record, str(junk.value)) == (
        SOURCE_RECORDS, "S/PV.9999", "meeting-records: S/PV.9999: the answer is not a PDF "
        "(it begins b'<html><head><title>N')")
    with pytest.raises(ParseError) as broken:
        parse_meeting_record(b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 9 0 R >> endobj\n"
                             b"%%EOF", record="S/PV.9999")
    assert (broken.value.source, broken.value.record) == (SOURCE_RECORDS, "S/PV.9999")
    assert str(broken.value).startswith("meeting-records: S/PV.9999: the PDF cannot be read: ")


def test_a_pdf_is_read_page_after_page_also_after_white_space_and_with_empty_pages() -> None:
    assert pdf_text(b"\n " + pdf(["In favour:"], None, ["Against:", "None"]),
                    record="S/PV.1") == "In favour:\n\n\nAgainst:\nNone\n"


def test_pypdfs_warnings_about_layout_are_silenced_and_only_they(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(logging.getLogger("pypdf"), "level", logging.NOTSET)
    monkeypatch.setattr(logging.getLogger(), "level", logging.WARNING)
    pdf_text(pdf(["In favour:"]), record="S/PV.1")
    assert (logging.getLogger("pypdf").level, logging.getLogger().level) == (
        logging.ERROR, logging.WARNING)


def test_a_pdf_at_each_limit_is_read_and_one_past_it_is_refused(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The limits (pages, bytes a page draws, characters of text) taken small, so that
    small PDFs reach them: at the limit is allowed, one past it is refused."""
    two = pdf(["In favour:"], ["Abstaining"])  # 11 characters a page
    monkeypatch.setattr(verbatim, "MAX_PAGES", 2)
    monkeypatch.setattr(verbatim, "MAX_TEXT", 22)
    assert pdf_text(two, record="S/PV.1") == "In favour:\n\nAbstaining\n"
    with pytest.raises(ParseError) as pages:
        pdf_text(pdf(["a"], ["b"], ["c"]), record="S/PV.1")
    assert (pages.value.source, pages.value.record, str(pages.value)) == (
        SOURCE_RECORDS, "S/PV.1",
        "meeting-records: S/PV.1: the PDF has 3 pages, more than a meeting record's 2")
    monkeypatch.setattr(verbatim, "MAX_TEXT", 21)
    with pytest.raises(ParseError) as text:
        pdf_text(two, record="S/PV.1")
    assert (text.value.source, text.value.record, str(text.value)) == (
        SOURCE_RECORDS, "S/PV.1", "meeting-records: S/PV.1: the PDF's text runs past 21 "
        "characters, more than a meeting record's")
    monkeypatch.setattr(verbatim, "MAX_PAGE_CONTENT", 0)
    assert pdf_text(pdf(None), record="S/PV.1") == ""  # a page that draws nothing


# --- meeting records: the roll calls ----------------------------------------------------


def test_every_roll_call_and_finding_of_a_record_must_be_kept_whole() -> None:
    """Four roll calls in one record: one clean, one naming no member, one naming two
    members twice, one whose names disagree with the President's count; each finding whole,
    and no finding stops the roll calls after it. The record's first words name the draft
    (as "document", neither a draft resolution nor an amendment); a soft hyphen left by the
    PDF's line breaks is no part of a name."""
    names = ("France, Bolivia (Plurinational State of), Côte d'Ivoire, Equatorial Guinea, "
             "Ethiopia, Kazakhstan, Kuwait, Netherlands, Peru, Poland, Sweden, United States "
             "of America")
    clean = f"In favour: {names}, Russian Federation Against: China Abstaining: None"
    unknown = "In favour: Atlantis, France, Freedonia Against: None Abstaining: None"
    twice = ("In favour: France Against: China, Russian Federation Abstaining: China, Russian "
             "Federation")
    mismatch = f"In favour: {names} Against: China, Rus\u00adsian Federation Abstaining: None"
    text = (f"S/2018/998 is the document put to the vote. {clean} The President: The text "
            f"received 13 votes in favour and 1 against. {unknown} The President: I put to "
            f"the vote the text in S/2018/999. {twice} {mismatch} The President: The text "
            "received 13 votes in favour, 1 against and 1 abstention.")
    result = read_vote_blocks(text, record="S/PV.8375")
    y = ("FRA", "BOL", "CIV", "GNQ", "ETH", "KAZ", "KWT", "NLD", "PER", "POL", "SWE", "USA")
    assert result == MeetingRecordVotes("S/PV.8375", votes=[
        RecordVote(named={"Y": (*y, "RUS"), "N": ("CHN",), "A": ()}, tally=Tally(13, 1, 0),
                   symbols=("S/2018/998",), amendment=False, block=clean),
        RecordVote(named={"Y": y, "N": ("CHN", "RUS"), "A": ()}, tally=Tally(13, 1, 1),
                   symbols=(), amendment=False, block=mismatch.replace("\u00ad", "")),
    ], findings=[
        Finding(SOURCE_RECORDS, "S/PV.8375", "record_name_unknown", Severity.WARNING,
                "the roll call names 'Atlantis', 'Freedonia' in favour, which is no known "
                "member; the roll call was not stored"),
        Finding(SOURCE_RECORDS, "S/PV.8375", "record_member_twice", Severity.ERROR,
                "the roll call names CHN, RUS on two sides; the roll call was not stored"),
        Finding(SOURCE_RECORDS, "S/PV.8375", "record_count_mismatch", Severity.ERROR,
                "the roll call names 12-2-0 but the President announced 13-1-1; the names "
                "were stored as the record gives them"),
    ])


FIFTEEN = ("In favour: Bolivia (Plurinational State of), China, Côte d'Ivoire, Equatorial "
           "Guinea, Ethiopia, France, Kazakhstan, Kuwait, Netherlands, Peru, Poland, Sweden, "
           "United Kingdom of Great Britain and Northern Ireland, United States of America "
           "Against: Russian Federation Abstaining: None")
ALL_BUT_RUSSIA = ("BOL", "CHN", "CIV", "GNQ", "ETH", "FRA", "KAZ", "KWT", "NLD", "PER", "POL",
                  "SWE", "GBR", "USA")


COUNT_AFTER = " The President: The text{} received 14 votes in favour and 1 against"


@pytest.mark.parametrize(("end", "tally"), [
    (None, Tally(14, 1, 0)),  # no abstention said: none
    # the count is read in the 400 characters after the block: "against" ends at the 400th
    # character, or at the 401st (cut: no count)
    (400, Tally(14, 1, 0)),
    (401, None),
])
def test_the_presidents_count_after_the_block_is_read_within_400_characters(
        end: int | None, tally: Tally | None) -> None:
    filler = end - len(COUNT_AFTER.format("")) if end else 0
    after = COUNT_AFTER.format(" " + "x" * (filler - 1) if filler else "")
    assert end is None or len(after) == end
    [vote] = read_vote_blocks(f"{FIFTEEN}{after}.", record="S/PV.1").votes
    assert vote == RecordVote(named={"Y": ALL_BUT_RUSSIA, "N": ("RUS",), "A": ()}, tally=tally,
                              symbols=(), amendment=False, block=FIFTEEN)


def put_to_the_vote(before: str) -> tuple[tuple[str, ...], bool]:
    [vote] = read_vote_blocks(f"{before} {FIFTEEN}", record="S/PV.1").votes
    return vote.symbols, vote.amendment


def test_the_word_that_makes_a_symbol_an_amendment_is_read_within_120_and_80_characters(
) -> None:
    """"amendment" up to 120 characters before the symbol, or ending within 80 after it."""
    assert put_to_the_vote("amendment " + "x" * 110 + " S/2018/999.") == (
        ("S/2018/999",), False)
    assert put_to_the_vote("amendment " + "x" * 109 + " S/2018/999.") == (
        ("S/2018/999",), True)
    assert put_to_the_vote("S/2018/999 " + "x" * 70 + " amendment.") == (
        ("S/2018/999",), False)
    assert put_to_the_vote("S/2018/999 " + "x" * 69 + " amendment.") == (
        ("S/2018/999",), True)


# The real meeting record S/PV.4248 (the undemocracy project's rendering, ../shared/data): the
# roll call written out in the record's own layout, with the words spoken before it.
_AS_PRINTED = {"Russia": "Russian Federation", "United States": "United States of America",
               "United Kingdom": "United Kingdom of Great Britain and Northern Ireland"}


def printed_record(html: bytes) -> tuple[str, dict[str, list[str]]]:
    soup = BeautifulSoup(html, "lxml")
    parts: list[str] = []
    sides: dict[str, list[str]] = {"favour": [], "against": [], "abstain": []}
    for div in soup.find_all("div", class_=["recvote", "spoken"]):
        if "recvote" in div["class"]:
            for span in div.select("p.votelist span"):
                name = span.get_text(" ", strip=True)
                sides[span["class"][0]].append(_AS_PRINTED.get(name, name))
            parts += ["A vote was taken by show of hands.",
                      "In favour:", ", ".join(sides["favour"]) or "None",
                      "Against:", ", ".join(sides["against"]) or "None",
                      "Abstaining:", ", ".join(sides["abstain"]) or "None"]
        else:
            parts.append(" ".join(p.get_text(" ", strip=True) for p in div.find_all("p")))
    return "\n".join(parts), sides


def test_the_roll_call_of_s_pv_4248_is_kept_as_the_record_prints_it(shared_data: Path) -> None:
    html = (shared_data / "undemocracy_pv_html" / "S-PV-4248.excerpt.html").read_bytes()
    text, sides = printed_record(html)
    result = read_vote_blocks(text, record="S/PV.4248")
    block = (f"In favour: {', '.join(sides['favour'])} Against: None Abstaining: "
             f"{', '.join(sides['abstain'])}")
    assert result == MeetingRecordVotes("S/PV.4248", votes=[RecordVote(
        named={"Y": ("BGD", "CHN", "JAM", "MYS", "MLI", "NAM", "TUN", "UKR"), "N": (),
               "A": ("ARG", "CAN", "FRA", "NLD", "RUS", "GBR", "USA")},
        tally=Tally(8, 0, 7), symbols=("S/2000/1171",), amendment=False, block=block)])
