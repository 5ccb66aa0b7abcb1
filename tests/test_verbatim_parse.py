"""The meeting records' roll calls (issue 15): the vote block with wrapped names in small
PDFs made here, the five real meeting records of ../shared/data (as the undemocracy
project rendered them: their roll calls written out in the record's own layout), and
every way a block can disagree with itself."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from council.records import ParseError, Tally
from scrapers.verbatim.parse import (
    NotPublished,
    parse_meeting_record,
    pdf_text,
    read_vote_blocks,
)

PV = Path("undemocracy_pv_html")


def pdf(*pages: list[str] | None) -> bytes:
    """A PDF whose pages show ``pages``' lines one under the other (Helvetica); a page given
    as None draws nothing (it has no content stream)."""
    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    objects = ["<< /Type /Catalog /Pages 2 0 R >>", "",
               "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
               "/Encoding /WinAnsiEncoding >>"]
    kids = []
    for lines in pages:
        number = len(objects) + 1
        kids.append(f"{number} 0 R")
        if lines is None:
            objects.append("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 842] "
                           "/Resources << /Font << /F1 3 0 R >> >> >>")
            continue
        stream = "BT /F1 10 Tf 12 TL 50 780 Td " + " ".join(
            f"({escape(line)}) Tj T*" for line in lines) + " ET"
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 842] "
                       f"/Contents {number + 1} 0 R /Resources << /Font << /F1 3 0 R >> >> >>")
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n"
            "%%EOF\n").encode()
    return out


def tiny_pdf(lines: list[str]) -> bytes:
    """A one-page PDF whose text is ``lines``, one under the other (Helvetica)."""
    return pdf(lines)


S_PV_9591 = [
    "The President: I shall put to the vote now the draft resolution contained in",
    "document S/2024/255.",
    "A vote was taken by show of hands.",
    "In favour:",
    "Algeria, Ecuador, France, Guyana, Japan, Malta, Mozambique, Republic of Korea,",
    "Sierra Leone, Slovenia, Switzerland, United Kingdom of Great Britain and Northern",
    "Ireland, United States of America",
    "Against:",
    "Russian Federation",
    "Abstaining:",
    "China",
    "The President: The draft resolution received 13 votes in favour, 1 against and 1",
    "abstention. The draft resolution has not been adopted, owing to the negative vote",
    "of a permanent member of the Council.",
]
IN_FAVOUR_2024 = ("DZA", "ECU", "FRA", "GUY", "JPN", "MLT", "MOZ", "KOR", "SLE", "SVN", "CHE",
                  "GBR", "USA")


def test_a_pdf_block_with_wrapped_names_gives_every_members_vote() -> None:
    votes = parse_meeting_record(tiny_pdf(S_PV_9591), record="S/PV.9591")
    assert votes.findings == []
    [vote] = votes.votes
    assert vote.named == {"Y": IN_FAVOUR_2024, "N": ("RUS",), "A": ("CHN",)}
    assert (vote.tally, vote.symbols, vote.amendment) == (
        Tally(13, 1, 1), ("S/2024/255",), False)


def test_none_on_a_side_and_two_votes_in_one_meeting() -> None:
    text = "\n".join([
        "The President: I put to the vote first the amendment contained in document",
        "S/2018/999.", "A vote was taken by show of hands.",
        "In favour:", "Bolivia (Plurinational State of), China, Kazakhstan, Russian Federation",
        "Against:", "France, Netherlands, Peru, Poland, Sweden, United Kingdom of Great",
        "Britain and Northern Ireland, United States of America",
        "Abstaining:", "Côte d'Ivoire, Equatorial Guinea, Ethiopia, Kuwait",
        "The President: The amendment received 4 votes in favour, 7 against and 4",
        "abstentions. The amendment has not been adopted, having failed to obtain the",
        "required number of votes. I now put to the vote the draft resolution contained in",
        "document S/2018/998.", "A vote was taken by show of hands.",
        "In favour:", "Bolivia (Plurinational State of), China, Côte d'Ivoire, Equatorial",
        "Guinea, Ethiopia, France, Kazakhstan, Kuwait, Netherlands, Peru, Poland, Russian",
        "Federation, Sweden, United Kingdom of Great Britain and Northern Ireland, United",
        "States of America", "Against:", "None", "Abstaining:", "None",
        "The President: The draft resolution received 15 votes in favour. The draft",
        "resolution has been adopted unanimously as resolution 2440 (2018).",
    ])
    votes = read_vote_blocks(text, record="S/PV.8375")
    assert [(v.symbols, v.amendment, v.tally, tuple(len(v.named[s]) for s in "YNA"))
            for v in votes.votes] == [
        (("S/2018/999",), True, Tally(4, 7, 4), (4, 7, 4)),
        (("S/2018/998",), False, None, (15, 0, 0)),  # "15 votes in favour" alone: no count
    ]
    assert votes.votes[1].named["N"] == () and votes.votes[1].named["A"] == ()
    assert votes.findings == []


def test_a_block_that_disagrees_with_the_presidents_count_is_a_finding() -> None:
    lines = [*S_PV_9591]
    lines[11] = "The President: The draft resolution received 12 votes in favour, 1 against and 2"
    votes = parse_meeting_record(tiny_pdf(lines), record="S/PV.9591")
    assert [(f.kind, f.severity.value, f.record, f.message) for f in votes.findings] == [
        ("record_count_mismatch", "error", "S/PV.9591",
         "the roll call names 13-1-1 but the President announced 12-1-2; the names were "
         "stored as the record gives them")]
    assert len(votes.votes) == 1  # the record's own names are kept


def test_a_name_that_is_no_member_or_a_member_named_twice_stores_no_roll_call() -> None:
    unknown = read_vote_blocks("In favour: France, Atlantis Against: None Abstaining: None",
                               record="S/PV.1")
    assert unknown.votes == []
    assert [(f.kind, f.message) for f in unknown.findings] == [
        ("record_name_unknown", "the roll call names 'Atlantis' in favour, which is no known "
         "member; the roll call was not stored")]
    twice = read_vote_blocks("In favour: France, China Against: China Abstaining: None",
                             record="S/PV.1")
    assert twice.votes == []
    assert [(f.kind, f.message) for f in twice.findings] == [
        ("record_member_twice", "the roll call names CHN on two sides; the roll call was "
         "not stored")]


def test_an_empty_answer_is_not_published_and_junk_is_refused() -> None:
    with pytest.raises(NotPublished, match="not published yet"):
        pdf_text(b"", record="S/PV.9999")
    with pytest.raises(ParseError, match="not a PDF"):
        pdf_text(b"<html>Not found</html>", record="S/PV.9999")
    with pytest.raises(ParseError, match="cannot be read") as error:
        pdf_text(b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 9 0 R >> endobj\n%%EOF",
                 record="S/PV.9999")
    assert "S/PV.9999" in str(error.value)


# The five real meeting records. The undemocracy project gives each roll call as one span
# per member (class favour / against / abstain) and writes names its own way ("Russia",
# "United States"); written out here as the record prints them.
_OFFICIAL = {"Russia": "Russian Federation", "United States": "United States of America",
             "United Kingdom": "United Kingdom of Great Britain and Northern Ireland",
             "Tanzania": "United Republic of Tanzania"}


def record_text(html: bytes) -> str:
    soup = BeautifulSoup(html, "lxml")
    parts = []
    for div in soup.find_all("div"):
        if "recvote" in (div.get("class") or []):
            sides = {"favour": [], "against": [], "abstain": []}
            for span in div.select("p.votelist span"):
                name = span.get_text(" ", strip=True)
                sides[span["class"][0]].append(_OFFICIAL.get(name, name))
            parts.append("A vote was taken by show of hands.")
            for title, side in (("In favour:", "favour"), ("Against:", "against"),
                                ("Abstaining:", "abstain")):
                parts += [title, ", ".join(sides[side]) or "None"]
        elif "spoken" in (div.get("class") or []):
            speaker = div.find("h3")
            words = " ".join(p.get_text(" ", strip=True) for p in div.find_all("p"))
            parts.append(f"{speaker.get_text(' ', strip=True) if speaker else ''}: {words}")
    return "\n".join(parts)


def votecounts(html: bytes) -> list[tuple[int, int, int]]:
    return [tuple(int(n) for n in re.findall(r"=(\d+)", p.get_text())[:3])  # type: ignore[misc]
            for p in BeautifulSoup(html, "lxml").select("p.votecount")]


@pytest.mark.parametrize(("name", "symbol", "tally", "against", "abstaining"), [
    ("S-PV-4947.html", "S/2004/313", Tally(14, 1, 0), ("RUS",), ()),
    ("S-PV-5488.html", "S/2006/508", Tally(10, 1, 4), ("USA",), ("DNK", "PER", "SVK", "GBR")),
    ("S-PV-5619.excerpt.html", "S/2007/14", Tally(9, 3, 3), ("CHN", "RUS", "ZAF"),
     ("COG", "IDN", "QAT")),
    ("S-PV-5933.excerpt.html", "S/2008/447", Tally(9, 5, 1), ("CHN", "LBY", "RUS", "ZAF",
                                                              "VNM"), ("IDN",)),
    ("S-PV-4248.excerpt.html", "S/2000/1171", Tally(8, 0, 7), (),
     ("ARG", "CAN", "FRA", "NLD", "RUS", "GBR", "USA")),
])
def test_the_five_real_meeting_records(shared_data: Path, name: str, symbol: str, tally: Tally,
                                       against: tuple[str, ...],
                                       abstaining: tuple[str, ...]) -> None:
    html = (shared_data / PV / name).read_bytes()
    votes = read_vote_blocks(record_text(html), record=name)
    assert votes.findings == []
    [vote] = votes.votes
    assert (vote.tally, vote.named["N"], vote.named["A"]) == (tally, against, abstaining)
    assert len(vote.named["Y"]) == tally.yes == votecounts(html)[0][0]
    assert len(vote.named_codes()) == 15
    assert vote.symbols == (symbol,)


def test_a_pdf_that_would_cost_hours_is_refused_at_once() -> None:
    """Ten pages sharing one content stream of 2 MB (a 12 kB file, deflated): each page
    would be read whole; the first is refused by its size."""
    import zlib

    drawing = b"BT /F1 10 Tf 50 780 Td " + b"(x) Tj " * 300_000 + b"ET"
    packed = zlib.compress(drawing, 9)
    kids = " ".join(f"{3 + i} 0 R" for i in range(10))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               f"<< /Type /Pages /Kids [{kids}] /Count 10 >>".encode()]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 842] /Contents 13 0 R "
                b"/Resources << /Font << /F1 14 0 R >> >> >>"] * 10
    objects += [f"<< /Length {len(packed)} /Filter /FlateDecode >>\nstream\n".encode()
                + packed + b"\nendstream",
                b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n"
            "%%EOF\n").encode()
    with pytest.raises(ParseError) as refused:
        pdf_text(out, record="S/PV.1")
    assert str(refused.value) == ("meeting-records: S/PV.1: page 1 of the PDF draws 2,100,025 "
                                  "bytes, more than a meeting record's 1,000,000")
