"""Values and periods have bounds per indicator (issue 12, item 3): an upload outside
them is refused whole, naming the row, column, value and reason, and nothing is stored."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError

from tests.partners.conftest import Partners
from tests.partners.test_auth import problem
from tests.partners.test_events import upload
from tests.partners.test_uploads import LSOAS, long_csv, nothing_stored, post, rejected
from tests.uploads.test_event_layouts import POLICE_UK_HEADER, POLICE_UK_ROW


def police_uk(month: str) -> bytes:
    return (POLICE_UK_HEADER + "\n" + POLICE_UK_ROW.replace("2019-12", month) + "\n").encode()


@pytest.mark.parametrize("month", ["9999-12", "1800-01", "0001-01", "0000-01", "1989-12"])
def test_a_police_uk_month_outside_the_indicators_years_is_refused(
    partners: Partners, month: str
) -> None:
    errors: list[dict[str, Any]] = problem(upload(partners, "police", police_uk(month)), 422)[
        "errors"
    ]  # type: ignore[assignment]
    assert [(e["row"], e["column"], e["value"]) for e in errors] == [(2, "Month", month)]
    assert "1990" in errors[0]["reason"]
    assert partners.sql("SELECT count(*) FROM event")[0][0] == 0
    assert nothing_stored(partners)


def test_a_police_uk_month_of_this_decade_is_stored(partners: Partners) -> None:
    response = upload(partners, "police", police_uk("2021-03"))
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("period", ["1800-01", "1989-12", "2100-01"])
def test_an_observation_period_outside_the_years_is_refused(
    partners: Partners, period: str
) -> None:
    errors = rejected(post(partners, "police", long_csv([(LSOAS[0], period, "burglary", "2")])))
    assert [(e["row"], e["column"], e["value"]) for e in errors] == [(2, "period", period)]
    assert nothing_stored(partners)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("1e308", "ceiling"),
        ("2000000000", "ceiling"),
        ("-1e300", "negative"),
        ("\u0663", "digits other than 0 to 9"),
    ],
)
def test_a_value_out_of_bounds_is_refused_and_nothing_is_half_written(
    partners: Partners, value: str, reason: str
) -> None:
    rows = [(LSOAS[0], "2021-03", "burglary", "4"), (LSOAS[1], "2021-03", "burglary", value)]
    errors = rejected(post(partners, "police", long_csv(rows)))
    assert {(e["row"], e["column"]) for e in errors} == {(3, "value")}
    assert all(e["value"] for e in errors)
    assert any(reason in e["reason"] for e in errors)
    assert nothing_stored(partners)


@pytest.mark.parametrize(
    ("setting", "period", "value"),
    [({"earliest_year": 1980}, "1985-01", "2"), ({"max_value": 1e10}, "2021-03", "2e9")],
)
def test_the_catalogue_can_widen_an_indicators_bounds(
    partners: Partners, setting: dict[str, float], period: str, value: str
) -> None:
    rows = [(LSOAS[0], period, "burglary", value)]
    assert post(partners, "police", long_csv(rows)).status_code == 422
    with partners.client("admin") as http:
        burglary = http.get("/api/indicators/burglary").json()
        imported = http.post("/api/indicators", json=[{**burglary, **setting}])
        assert imported.status_code == 200, imported.text
        stored = http.get("/api/indicators/burglary").json()
        assert {name: stored[name] for name in setting} == setting
    response = post(partners, "police", long_csv(rows))
    assert response.status_code == 200, response.text


def test_a_tiny_denominator_is_refused(partners: Partners) -> None:
    body = b"area_code,period,indicator,value,numerator,denominator\n"
    body += f"{LSOAS[0]},2021/22,persistent_absence,10,1,1e-300\n".encode()
    errors = rejected(post(partners, "schools", body))
    assert [(e["row"], e["column"]) for e in errors] == [(2, "denominator")]


def test_the_database_refuses_a_value_a_sum_would_overflow_on(partners: Partners) -> None:
    assert post(partners, "police", long_csv([(LSOAS[0], "2021-03", "burglary", "2")])).is_success
    with pytest.raises(IntegrityError, match="storable_values"):
        partners.sql(
            "WITH u AS (UPDATE observation SET value = 1e308 RETURNING 1) SELECT count(*) FROM u"
        )
