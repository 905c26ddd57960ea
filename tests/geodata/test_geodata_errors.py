"""Domain errors: stable codes, messages that name features, hints."""

from __future__ import annotations

import pytest

from geodata.errors import (
    MAX_LISTED,
    BoundaryFileError,
    CrsError,
    FeatureProblem,
    FeatureValidationError,
    FieldDetectionError,
    GeodataError,
    LookupFileError,
    RepairRefusedError,
    UnknownCityError,
)


@pytest.mark.parametrize(
    ("error_class", "code"),
    [
        (GeodataError, "geodata_error"),
        (BoundaryFileError, "boundary_file_error"),
        (CrsError, "missing_crs"),
        (FieldDetectionError, "field_detection_failed"),
        (LookupFileError, "lookup_error"),
        (UnknownCityError, "unknown_city"),
        (FeatureValidationError, "invalid_features"),
        (RepairRefusedError, "repair_refused"),
    ],
)
def test_each_error_class_has_a_stable_default_code(
    error_class: type[GeodataError], code: str
) -> None:
    assert error_class.code == code
    assert issubclass(error_class, GeodataError)


def test_instance_code_overrides_the_class_default_only_for_that_instance() -> None:
    error = CrsError("bad", code="invalid_crs")

    assert error.code == "invalid_crs"
    assert CrsError.code == "missing_crs"


def test_str_gives_the_message_and_the_hint() -> None:
    assert str(GeodataError("It broke.", hint="mend it")) == "It broke.\nHint: mend it"


def test_long_problem_lists_are_cut_in_the_message_but_kept_whole() -> None:
    problems = [
        FeatureProblem(i, f"C{i}", "code", "the code is blank", "missing_code")
        for i in range(MAX_LISTED + 5)
    ]

    error = FeatureValidationError(problems)

    assert len(error.problems) == MAX_LISTED + 5
    assert "… and 5 more" in error.message
    assert f"feature #{MAX_LISTED - 1} (code 'C{MAX_LISTED - 1}')" in error.message
    assert f"feature #{MAX_LISTED} " not in error.message
