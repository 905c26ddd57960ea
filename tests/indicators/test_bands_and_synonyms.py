"""Bands (deciles) read from the catalogue's unit, and the synonyms the shipped catalogue
declares for the words officers use."""

from __future__ import annotations

import dataclasses

from app.indicators.catalogue import default_catalogue
from app.indicators.indicator import Indicator


def _shipped(code: str) -> Indicator:
    return next(i for i in default_catalogue() if i.code == code)


def test_a_decile_is_ten_bands_named_at_their_ends() -> None:
    decile = _shipped("imd_decile")
    assert decile.bands == 10
    labels = [decile.band_label(b) for b in range(1, 11)]
    assert labels[0] == "1 (most deprived)"
    assert labels[1:9] == [str(b) for b in range(2, 10)]
    assert labels[9] == "10 (least deprived)"


def test_quantities_and_ranks_are_no_bands() -> None:
    assert _shipped("imd_rank").bands is None  # 32,844 positions: classified as a quantity
    assert _shipped("imd_score").bands is None
    assert _shipped("all_crime_rate").bands is None


def test_a_band_without_words_for_its_ends_is_its_number() -> None:
    quintile = dataclasses.replace(_shipped("imd_decile"), unit="quintile")
    assert quintile.bands == 5
    assert [quintile.band_label(b) for b in (1, 5)] == ["1", "5"]
    best_first = dataclasses.replace(_shipped("imd_decile"), unit="decile (1 = least deprived)")
    assert best_first.band_label(10) == "10 (most deprived)"


def test_the_shipped_catalogue_declares_the_words_officers_use() -> None:
    assert "truancy" in _shipped("persistent_absence").synonyms
    assert {"ASB", "nuisance"} <= set(_shipped("anti_social_behaviour").synonyms)
    assert "vandalism" in _shipped("criminal_damage_arson").synonyms
    assert "break-in" in _shipped("burglary").synonyms
