"""The press releases' parser (issue 15, part 1): each vote sentence form the releases use,
several votes in one release, the members each side names, and what each speaker said.

The fixtures under tests/fixtures/press are our own, written in the shape of the real pages
(a Drupal page of 2024, a 2007 page with its banner and all-caps headline); the sentences
are the forms quoted in the issue.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from council.records import ParseError, Tally
from scrapers.press.parse import PressVote, parse_press_release, read_vote_sentence

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "press"


def votes(sentence: str, before: str = "") -> list[PressVote]:
    found, findings = read_vote_sentence(sentence, release="SC/1", url="u", paragraph=0,
                                         before=before)
    assert findings == []
    return found


@pytest.mark.parametrize(
    ("sentence", "tally", "named", "outcome"),
    [
        # 2007: "The result of the vote ... was"
        ("The result of the vote on the draft was 9 in favour to 3 against (China, Russian "
         "Federation, South Africa), with 3 abstentions (Congo, Indonesia, Qatar).",
         Tally(9, 3, 3), {"N": ("CHN", "RUS", "ZAF"), "A": ("COG", "IDN", "QAT")}, None),
        ("By a vote of 9 in favour to 3 against (Bolivia, China, Russian Federation), with 3 "
         "abstentions (Egypt, Ethiopia, Kazakhstan), the Council rejected the draft.",
         Tally(9, 3, 3), {"N": ("BOL", "CHN", "RUS"), "A": ("EGY", "ETH", "KAZ")}, "failed"),
        ("Defeated by 10 votes in favour, to 2 against (China, Russian Federation), with 3 "
         "abstentions (Egypt, Ethiopia, Kazakhstan).",
         Tally(10, 2, 3), {"N": ("CHN", "RUS"), "A": ("EGY", "ETH", "KAZ")}, "failed"),
        ("The text received 11 in favour to 2 against (Bolivia, Russian Federation), with 2 "
         "abstaining (China, Egypt).",
         Tally(11, 2, 2), {"N": ("BOL", "RUS"), "A": ("CHN", "EGY")}, None),
        # the in-favour side is the minority: it is named
        ("It received 4 votes in favour (Bolivia, China, Kazakhstan, Russian Federation) to "
         "7 against (France, Netherlands, Peru, Poland, Sweden, United Kingdom, United "
         "States), with 4 abstentions (Côte d'Ivoire, Equatorial Guinea, Ethiopia, Kuwait).",
         Tally(4, 7, 4),
         {"Y": ("BOL", "CHN", "KAZ", "RUS"),
          "N": ("FRA", "NLD", "PER", "POL", "SWE", "GBR", "USA"),
          "A": ("CIV", "GNQ", "ETH", "KWT")}, None),
        # against first
        ("In a recorded vote of 8 against (France, Kuwait, Netherlands, Peru, Poland, Sweden, "
         "United Kingdom, United States) to 3 in favour (China, Kazakhstan, Russian "
         "Federation), with 4 abstentions (Bolivia, Côte d'Ivoire, Equatorial Guinea, "
         "Ethiopia), the text was not adopted.",
         Tally(3, 8, 4),
         {"N": ("FRA", "KWT", "NLD", "PER", "POL", "SWE", "GBR", "USA"),
          "Y": ("CHN", "KAZ", "RUS"), "A": ("BOL", "CIV", "GNQ", "ETH")}, "failed"),
        ("By a vote of 13 in favour to 1 against (Russian Federation), with 1 abstention "
         "(China), the Council then rejected the draft resolution.",
         Tally(13, 1, 1), {"N": ("RUS",), "A": ("CHN",)}, "failed"),
        # numbers in words, "none", "no abstentions"
        ("The draft received fourteen votes in favour, one against (United States) and no "
         "abstentions.", Tally(14, 1, 0), {"N": ("USA",)}, None),
        ("The resolution was adopted by 13 votes in favour to none against, with 2 "
         "abstentions (China, Russian Federation).",
         Tally(13, 0, 2), {"A": ("CHN", "RUS")}, "adopted"),
    ],
)
def test_each_sentence_form_gives_the_count_and_the_named_members(
        sentence: str, tally: Tally, named: dict[str, tuple[str, ...]],
        outcome: str | None) -> None:
    [vote] = votes(sentence)
    assert vote.tally == tally
    assert vote.named == named
    assert vote.outcome == outcome
    assert vote.sentence == sentence


def test_a_speakers_aside_with_one_count_is_not_a_vote() -> None:
    assert votes("She said 13 in favour was a strong signal.") == []
    assert votes("Resolution 2397 (2017) was adopted on 22 December 2017.") == []


def test_the_draft_is_named_in_the_sentence_or_the_text_before_it() -> None:
    [vote] = votes("By 13 in favour to 1 against (Russian Federation), with 1 abstention "
                   "(China), the Council rejected S/2024/255.")
    assert vote.symbols == ("S/2024/255",)
    [vote] = votes("By 13 in favour to 1 against (Russian Federation), with 1 abstention "
                   "(China), the text was rejected.",
                   before="It voted on S/2024/250 first, then on draft S/2024/255.")
    assert vote.symbols == ("S/2024/255",)  # the nearest before it
    [vote] = votes("The amendment (document S/2018/999) failed: 4 in favour to 7 against, with "
                   "4 abstentions.")
    assert (vote.symbols, vote.amendment, vote.named) == (("S/2018/999",), True, {})


def test_names_that_do_not_add_up_are_a_finding_not_stored() -> None:
    found, findings = read_vote_sentence(
        "By 12 in favour to 2 against (Russian Federation), with 1 abstention (China), the "
        "draft was rejected.", release="SC/1", url="u", paragraph=0)
    assert [v.named for v in found] == [{"A": ("CHN",)}]  # the side that adds up is kept
    assert [(f.kind, f.severity.value, f.record, f.message) for f in findings] == [
        ("press_names_miscounted", "error", "SC/1",
         "the release counts 2 against but names 1 (RUS); the names were not stored")]


def test_a_name_that_is_no_member_is_a_finding() -> None:
    found, findings = read_vote_sentence(
        "By 13 in favour to 1 against (Freedonia), with 1 abstention (China), it failed.",
        release="SC/1", url="u", paragraph=0)
    assert [v.named for v in found] == [{"A": ("CHN",)}]
    assert [(f.kind, f.message) for f in findings] == [
        ("press_name_unknown", "the release names 'Freedonia' in a vote, which is no known "
         "member; that side's names were not stored")]


def test_a_count_without_abstentions_is_not_completed_by_guessing() -> None:
    found, findings = read_vote_sentence(
        "By 12 in favour to 2 against (China, Russian Federation), the draft was rejected.",
        release="SC/1", url="u", paragraph=0)
    assert found == []
    assert [f.kind for f in findings] == ["press_count_incomplete"]


def test_the_2024_release_of_the_dprk_panel_veto() -> None:
    release = parse_press_release((FIXTURES / "sc15648.htm").read_bytes(), url="u")
    assert (release.symbol, release.meeting, release.date) == (
        "SC/15648", "S/PV.9591", date(2024, 3, 28))
    assert release.title is not None and release.title.startswith(
        "Security Council Fails to Extend Mandate of Expert Panel")
    [vote] = release.votes
    assert (vote.tally, vote.named, vote.symbols, vote.outcome) == (
        Tally(13, 1, 1), {"N": ("RUS",), "A": ("CHN",)}, ("S/2024/255",), "failed")
    assert release.findings == []
    said = [(s.member, s.speaker, s.paragraphs, s.after_vote) for s in release.statements]
    assert said == [
        ("USA", "Speaking after the vote, the representative of the United States",
         ("Speaking after the vote, the representative of the United States said that the "
          "Russian Federation's veto was deeply regrettable.",
          "She added that the Panel had provided objective analysis for 15 years."), True),
        ("RUS", "The speaker for the Russian Federation",
         ("The speaker for the Russian Federation said the sanctions regime had lost its "
          "relevance.",), None),
        ("CHN", "China's representative",
         ("China's representative said that sanctions are not an end in themselves.",), None),
        ("CHE", "The representative of Switzerland",
         ("The representative of Switzerland, speaking in her national capacity, said the "
          "Panel's work was essential.",), None),
    ]  # "after the vote" only where said; the closing lines are no one's words


def test_a_2007_release_with_its_banner_and_capitals() -> None:
    release = parse_press_release((FIXTURES / "sc8939.htm").read_bytes(), url="u")
    assert (release.symbol, release.meeting, release.date) == (
        "SC/8939", "S/PV.5619", date(2007, 1, 12))
    [vote] = release.votes
    assert (vote.tally, vote.named, vote.symbols) == (
        Tally(9, 3, 3), {"N": ("CHN", "RUS", "ZAF"), "A": ("COG", "IDN", "QAT")},
        ("S/2007/14",))
    assert [(s.member, s.after_vote) for s in release.statements] == [
        ("GBR", False), ("CHN", True)]  # "Speaking before the vote" is said, not placed


def test_several_votes_in_one_release_each_to_its_own_text() -> None:
    release = parse_press_release((FIXTURES / "amendments.htm").read_bytes(), url="u")
    assert [(v.symbols, v.amendment, str(v.tally), v.outcome) for v in release.votes] == [
        (("S/2018/999",), True, "4-7-4", "failed"),
        (("S/2018/998",), False, "13-1-1", "failed"),
        (("S/2018/1000",), False, "3-8-4", "failed"),
    ]
    # the first names every side: all 15 seats
    assert len(release.votes[0].named_codes()) == 15


def test_a_page_that_is_no_release_is_refused() -> None:
    with pytest.raises(ParseError) as error:
        parse_press_release(b"<html><body><p>Page not found</p></body></html>",
                            url="https://press.un.org/en/2024/sc1.doc.htm")
    assert str(error.value).startswith("press-releases")
    assert "not a Security Council press release" in str(error.value)


def release_of(*paragraphs: str) -> bytes:
    return ("<html><body><p>SC/13288</p><p>8231st Meeting (PM)</p><p>10 April 2018</p>"
            + "".join(f"<p>{p}</p>" for p in paragraphs) + "</body></html>").encode()


def test_statements_are_the_speakers_words_and_nothing_else() -> None:
    """A paragraph goes on with a statement only as its speaker's words (a pronoun); the
    Secretary-General, "Also speaking were ...", background: no one's statement. The
    President in a national capacity, and a minister, are their country's speakers."""
    release = parse_press_release(release_of(
        "The representative of the Russian Federation said the text was unbalanced.",
        "He added that his delegation would vote against it.",
        "Also speaking were the representatives of France, Kuwait and Sweden.",
        "The Secretary-General's spokesperson later said the Council had failed.",
        "Council President, speaking in his national capacity as the representative of Peru, "
        "said the Council must act.",
        "The Foreign Minister of Kuwait said the Council had a duty to protect civilians.",
        "The representative of France said it would vote in favour.",
    ), url="u")
    assert [(s.member, len(s.paragraphs), s.after_vote) for s in release.statements] == [
        ("RUS", 2, None), ("PER", 1, None), ("KWT", 1, None), ("FRA", 1, None)]
    assert release.statements[0].paragraphs[1] == (
        "He added that his delegation would vote against it.")


def test_a_count_a_speaker_quotes_is_no_vote_and_stays_in_the_statement() -> None:
    release = parse_press_release(release_of(
        "By a vote of 13 in favour to 1 against (Russian Federation), with 1 abstention "
        "(China), the Council rejected the draft resolution (document S/2018/321).",
        "The representative of France said the draft had 13 votes in favour, 1 against and "
        "1 abstention.",
        "She added that 13 in favour to 1 against (Russian Federation) showed the will of "
        "the Council.",
    ), url="u")
    assert [str(v.tally) for v in release.votes] == ["13-1-1"]
    assert [(s.member, len(s.paragraphs)) for s in release.statements] == [("FRA", 2)]


def test_a_vote_without_a_symbol_is_of_the_draft_named_since_the_last_vote() -> None:
    """Two drafts in one release: the second sentence names none; the draft is the one the
    text since the first vote names, never one a speaker mentioned before."""
    release = parse_press_release(release_of(
        "The Council voted first on draft resolution S/2018/321.",
        "By a vote of 12 in favour to 2 against (Bolivia, Russian Federation), with 1 "
        "abstention (China), the draft was not adopted.",
        "The representative of the United States said S/2018/321 deserved support.",
        "The Council then voted on the text contained in document S/2018/322.",
        "It received 6 votes in favour to 7 against (France, Kuwait, Netherlands, Peru, "
        "Poland, United Kingdom, United States), with 2 abstentions (Côte d'Ivoire, "
        "Equatorial Guinea), and was not adopted.",
    ), url="u")
    assert [(v.symbols, str(v.tally)) for v in release.votes] == [
        (("S/2018/321",), "12-2-1"), (("S/2018/322",), "6-7-2")]


def test_a_count_in_words_the_parser_does_not_read_is_a_finding() -> None:
    release = parse_press_release(release_of(
        "The draft was rejected by 13 votes to 1, with 1 abstention, after a vote."), url="u")
    assert release.votes == []
    assert [(f.kind, f.message) for f in release.findings] == [(
        "press_count_unread", "the release speaks of a vote in words the tracker does not "
        "read ('The draft was rejected by 13 votes to 1, with 1 abstention, after a vote.'): "
        "nothing of it was stored")]


def test_names_with_parentheses_inside_and_every_outcome_wording() -> None:
    [vote] = votes("By 11 in favour to 2 against (Russian Federation, China), with 2 "
                   "abstentions (United Republic of Tanzania, Bolivia (Plurinational State "
                   "of)), the draft failed to be adopted.")
    assert (vote.named["A"], vote.outcome) == (("TZA", "BOL"), "failed")
    [vote] = votes("With 9 in favour to 3 against (China, Russian Federation, South Africa) "
                   "and 3 abstentions (Congo, Indonesia, Qatar), the draft failed.")
    assert vote.outcome == "failed"


COUNT_13_0_2 = ("By 13 votes in favour to none against, with 2 abstentions (China, Russian "
                "Federation), the Council ")


@pytest.mark.parametrize(("rest", "resolution"), [
    # a resolution named in passing is not the one the vote adopted
    ("renewed until 1 June 2025 the measures adopted in resolution 2664 (2022).", None),
    ("extended the measures adopted under resolution 2664 (2022).", None),
    ("adopted resolution 2800 (2025), renewing the measures adopted in resolution 2664 "
     "(2022).", "S/RES/2800 (2025)"),
    ("adopted today resolution 2800 (2025).", "S/RES/2800 (2025)"),
])
def test_the_resolution_a_vote_adopted_is_not_one_it_names_in_passing(
        rest: str, resolution: str | None) -> None:
    [vote], findings = read_vote_sentence(COUNT_13_0_2 + rest, release="SC/1", url="u",
                                          paragraph=1)
    assert (vote.tally, vote.outcome, vote.resolution, findings) == (
        Tally(13, 0, 2), "adopted", resolution, [])
