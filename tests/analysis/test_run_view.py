"""A run as a viewer sees it: nothing that names an indicator they may not see."""

from __future__ import annotations

from app.analysis.run_view import without_codes

SUMMARY = {
    "tested": {"burglary": {"tested": 3}, "secret": {"tested": 2}},
    "skipped": {"secret_rate": "analysed through its numerator secret"},
    "correlated": {"tested": True, "indicators": ["burglary", "secret"]},
    "pairs": {"together_more_than_chance": [{"indicators": ["burglary", "secret"], "p": 0.01}]},
    "hotspots": {"indicators": {"secret": {"areas": 2}}, "islands_linked": ["E01000001"]},
    "driver": "secret",
}


def test_keys_values_and_records_naming_a_hidden_code_are_left_out() -> None:
    seen = without_codes(SUMMARY, {"secret", "secret_rate"})
    assert seen == {
        "tested": {"burglary": {"tested": 3}},
        "skipped": {},
        "correlated": {"tested": True, "indicators": ["burglary"]},
        "pairs": {"together_more_than_chance": []},
        "hotspots": {"indicators": {}, "islands_linked": ["E01000001"]},
    }
    assert "secret" not in str(seen)


def test_nothing_hidden_leaves_the_run_as_it_is() -> None:
    assert without_codes(SUMMARY, frozenset()) == SUMMARY
    assert without_codes(SUMMARY, {"not_in_it"}) == SUMMARY
