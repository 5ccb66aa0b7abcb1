"""Tests that kill the survivors of the fifth round of mutation testing over the parsers
(issue 18): the API search's answer (scrapers/undl/parse.py: ``read_api_answer``,
``split_api_page``, ``search_elements``), ``record_fields`` as it is given to callers, and the
press releases' vote sentences (scrapers/press/parse.py). Each asserts the exact value a user
sees: every part of a refusal (its source, its record, its message), the records and total of
a page, the fields of a record, the draft and resolution a vote is read for.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from council.records import ParseError, Tally
from scrapers.press.parse import PressVote, parse_press_release, read_vote_sentence
from scrapers.undl.parse import MARC, record_fields, safe_xml, split_api_page, split_search_page

SOURCE = "undl-votes"
REAL_2722 = Path("undl_records") / "record_4033397_S-RES-2722(2024)_vote.marcxml.xml"


def refusal(call, body: bytes, url: str = "https://digitallibrary.un.org/api/v1/search?p=x"
            ) -> tuple[str, str, str]:
    with pytest.raises(ParseError) as refused:
        call(body, source=SOURCE, url=url)
    return refused.value.source, refused.value.record, refused.value.message


API_URL = "https://digitallibrary.un.org/api/v1/search?p=x"


# --- the API search's answer: what a refusal names --------------------------------------


@pytest.mark.parametrize("call", [split_api_page, split_search_page],
                         ids=["split_api_page", "split_search_page"])
def test_an_api_answer_without_a_total_is_refused_by_its_source_and_url(call) -> None:
    """Both splitters read an API answer (root <response>) alike: the refusal of an answer
    without <total> names the source the caller gave, the page's URL, and what <total> held
    (nothing at all, shown as '')."""
    assert refusal(call, b"<response><search_id>x</search_id></response>") == (
        SOURCE, API_URL, "the API answer gives no total (<total> is '')")


def test_an_api_answers_bad_total_is_shown_cut_to_40_characters() -> None:
    body = b"<response><total>" + b"9" * 30 + b" results found in" + b"</total></response>"
    assert refusal(split_api_page, body) == (
        SOURCE, API_URL, "the API answer gives no total (<total> is "
        f"{('9' * 30 + ' results f')!r})")


def test_an_api_answer_whose_collection_is_not_marcxml_is_refused_by_its_source_and_url(
        ) -> None:
    body = b"<response><total>1</total><collection><record/></collection></response>"
    assert refusal(split_api_page, body) == (
        SOURCE, API_URL, f"the API answer's <collection> is not MARCXML (no {MARC} namespace)")


def test_a_public_page_given_as_an_api_answer_is_refused_by_its_source_and_url() -> None:
    body = (b'<!-- Search-Engine-Total-Number-Of-Results: 1 -->'
            b'<collection xmlns="http://www.loc.gov/MARC21/slim"></collection>')
    assert refusal(split_api_page, body) == (
        SOURCE, API_URL, "expected an answer of the API search (<response> with <total> and "
        f"<search_id>), got <{{{MARC}}}collection>")


def test_a_challenge_page_given_as_an_api_answer_is_refused_by_its_source_and_url() -> None:
    assert refusal(split_api_page, b"<html><body>Just a moment...</body></html>") == (
        SOURCE, API_URL, "expected MARCXML, got HTML or text (a bot wall or an error page?)")


def test_an_api_answer_without_a_collection_is_a_page_with_no_records() -> None:
    """An answer that gives its total but no <collection> at all: the search has ended,
    no records and no error (the collection is optional, as in an empty answer)."""
    page, search_id = split_api_page(b"<response><total>7</total><search_id>s-2</search_id>"
                                     b"</response>", source=SOURCE, url=API_URL)
    assert (page.total, page.records, page.errors, search_id) == (7, [], [], "s-2")


def test_a_record_of_an_api_answer_without_an_id_is_an_error_of_the_callers_source() -> None:
    body = (b"<response><total>2</total><search_id>s</search_id>"
            b'<collection xmlns="http://www.loc.gov/MARC21/slim">'
            b'<record><controlfield tag="005">20240119110628.0</controlfield></record>'
            b'<record><controlfield tag="001">4033397</controlfield></record>'
            b"</collection></response>")
    page, _ = split_api_page(body, source="undl-documents", url=API_URL)
    assert [r.record_id for r in page.records] == ["4033397"]
    assert [(e.source, e.record, e.message) for e in page.errors] == [
        ("undl-documents", "record", "record without a numeric id (001): None")]


# --- record_fields: every field, as the record has it ------------------------------------


def test_record_fields_gives_the_control_and_data_fields_of_the_real_record_apart(
        shared_data: Path) -> None:
    """The real record of resolution 2722 (2024): its control fields are those it has
    (no data field among them), its data fields every datafield's tag (no control field's
    tag among them), each as the list of its subfields."""
    root = safe_xml((shared_data / REAL_2722).read_bytes(), source=SOURCE, record="r")
    element = root if root.tag == f"{{{MARC}}}record" else root.find(f"{{{MARC}}}record")
    control, data = record_fields(element)
    tags = [c.get("tag") for c in element.iterchildren(f"{{{MARC}}}controlfield")]
    assert sorted(control) == sorted(tags) and "001" in control and "245" not in control
    assert (control["001"], control["005"]) == ("4033397", "20240119110628.0")
    assert not set(data) & set(control)
    assert data["791"] == [{"a": "S/RES/2722(2024)", "b": "S/", "c": "79",
                            "0": "(DHLAUTH)938242"}]
    assert len(data["967"]) == 15 and "989" in data


def test_record_fields_gives_fields_of_every_tag() -> None:
    body = (f'<record xmlns="{MARC}"><controlfield tag="001">12</controlfield>'
            '<datafield tag="650" ind1=" " ind2=" "><subfield code="a">SANCTIONS</subfield>'
            '</datafield><datafield tag="791" ind1=" " ind2=" "><subfield code="a">'
            "S/RES/1(1946)</subfield></datafield></record>").encode()
    assert record_fields(safe_xml(body, source=SOURCE, record="r")) == (
        {"001": "12"}, {"650": [{"a": "SANCTIONS"}], "791": [{"a": "S/RES/1(1946)"}]})


# --- press releases: the resolution a vote adopted, and the draft a repeated count is on ---


URL = "https://press.un.org/en/2024/sc15600.doc.htm"


def read(sentence: str) -> list[PressVote]:
    votes, findings = read_vote_sentence(sentence, release="SC/15600", url=URL, paragraph=3)
    assert findings == []
    return votes


def test_a_resolution_named_before_was_adopted_is_the_votes_resolution() -> None:
    """"Resolution 2727 (2024) was adopted by ...": the second way a release names the
    resolution a vote adopted (the number and year in the pattern's other groups)."""
    sentence = ("Resolution 2727 (2024) was adopted by 13 votes in favour to none against, "
                "with 2 abstentions (China, Russian Federation).")
    assert read(sentence) == [PressVote(
        sentence=sentence, tally=Tally(13, 0, 2), named={"A": ("CHN", "RUS")}, symbols=(),
        amendment=False, outcome="adopted", paragraph=3, resolution="S/RES/2727 (2024)")]


def test_a_failed_draft_that_names_an_adopted_resolution_adopted_none() -> None:
    """A draft that failed names the resolution whose measures it would have renewed
    ("adopted in resolution 2664 (2022)"): the vote failed, it adopted no resolution."""
    sentence = ("A draft that would have renewed the measures adopted in resolution 2664 "
                "(2022) failed to be adopted, by 13 votes in favour to 1 against (Russian "
                "Federation), with 1 abstention (China).")
    assert read(sentence) == [PressVote(
        sentence=sentence, tally=Tally(13, 1, 1), named={"N": ("RUS",), "A": ("CHN",)},
        symbols=(), amendment=False, outcome="failed", paragraph=3, resolution=None)]


def page(*paragraphs: str) -> bytes:
    return ("<html><body><p>SC/15600</p><p>9512th Meeting (AM)</p><p>20 January 2024</p>"
            + "".join(f"<p>{p}</p>" for p in paragraphs) + "</body></html>").encode()


def test_a_repeated_count_after_a_long_first_sentence_takes_the_draft_named_between() -> None:
    """A count repeated word for word after a sentence that names a draft is on that draft,
    and its first occurrence on none, however long the sentence before the first is."""
    count = ("By 13 in favour to 1 against (Russian Federation), with 1 abstention (China), "
             "it was rejected.")
    release = parse_press_release(page(
        "The Council then turned to the two texts before it on the situation in the region. "
        f"{count} Draft S/2024/5 was tabled. {count}"), url=URL)
    assert [v.symbols for v in release.votes] == [(), ("S/2024/5",)]
