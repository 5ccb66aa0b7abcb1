"""Symbols: one key per resolution and meeting record, whatever the source's spacing."""

import pytest

from council.symbols import (
    SymbolError,
    meeting_number,
    normalise_meeting_record,
    normalise_resolution_symbol,
)


@pytest.mark.parametrize("text", ["S/RES/1874 (2009)", "S/RES/1874(2009)", " S/RES/1874 ( 2009 ) "])
def test_resolution_symbol_must_have_one_spelling(text: str) -> None:
    assert normalise_resolution_symbol(text) == "S/RES/1874 (2009)"


def test_resolution_symbol_must_refuse_other_documents() -> None:
    with pytest.raises(SymbolError):
        normalise_resolution_symbol("S/2009/301")


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("S/PV.9048", "S/PV.9048"),
        ("S/PV.6252 (closed)", "S/PV.6252"),
        ("S/PV.3434 + Corr.1", "S/PV.3434"),
        ("S/PV.6865 (Resumption1)", "S/PV.6865 (Resumption 1)"),
        ("S/PV.9042 Resumption 1)", "S/PV.9042 (Resumption 1)"),
        ("S/PV.5629(ResumptionI)", "S/PV.5629 (Resumption 1)"),
        ("S/PV.3745 (Resumption 1) + Corr.1", "S/PV.3745 (Resumption 1)"),
        ("S/PV.4820 (Part II)", "S/PV.4820 (Part II)"),
        ("S/PV.2970 (PartI) S/PV.2970 (PartII)", "S/PV.2970 (Part I)"),
    ],
)
def test_meeting_record_keys(text: str, key: str) -> None:
    """Parts and resumptions are meetings of their own; corrigenda and "(closed)" are not."""
    assert normalise_meeting_record(text) == key


def test_meeting_number() -> None:
    assert meeting_number("S/PV.9591") == 9591
    assert meeting_number("S/2020/870") is None
