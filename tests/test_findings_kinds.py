"""Every kind of finding is explained, in `tracker check --explain` and in the README."""

from __future__ import annotations

import pandas as pd

from reports.findings import FINDING_KINDS, explain
from tests.readme_tables import readme_finding_kinds


def test_the_readme_table_lists_exactly_the_kinds_the_tracker_explains() -> None:
    assert readme_finding_kinds() == set(FINDING_KINDS)


def test_explain_counts_each_kind_and_gives_its_rule() -> None:
    found = pd.DataFrame([
        {"severity": "error", "kind": "veto_without_negative_vote", "record": "a"},
        {"severity": "info", "kind": "no_tally", "record": "b"},
        {"severity": "info", "kind": "no_tally", "record": "c"},
        {"severity": "warning", "kind": "something_new", "record": "d"},
    ])
    rows = explain(found).to_dict("records")
    assert [(r["kind"], r["severity"], r["findings"]) for r in rows] == [
        ("veto_without_negative_vote", "error", 1), ("no_tally", "info", 2),
        ("something_new", "warning", 1)]
    assert rows[0]["rule"] == FINDING_KINDS["veto_without_negative_vote"]
    assert "not described" in rows[2]["rule"]
    assert explain(found.iloc[0:0]).columns.tolist() == ["kind", "severity", "findings", "rule"]
