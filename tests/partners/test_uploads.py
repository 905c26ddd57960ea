"""Uploading observations: all or nothing, every bad input named, history kept."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.partners.conftest import Partners
from tests.partners.test_auth import CSV, problem

LSOAS = ["E01007823", "E01007824", "E01007825"]


def long_csv(rows: list[tuple[str, str, str, str]], newline: str = "\n") -> bytes:
    lines = ["area_code,period,indicator,value", *(",".join(r) for r in rows)]
    return (newline.join(lines) + newline).encode()


def post(
    partners: Partners, who: str, body: bytes, content_type: str = "text/csv", **params: str
) -> httpx.Response:
    with partners.client(who) as http:
        return http.post(
            "/api/observations",
            content=body,
            headers={"Content-Type": content_type},
            params=params,
        )


def current(partners: Partners, indicator: str) -> dict[tuple[str, str], float]:
    rows = partners.sql(
        "SELECT a.code, o.period, o.value FROM observation o JOIN area a ON a.id = o.area_id "
        "WHERE o.indicator_code = :i AND o.superseded_at IS NULL",
        i=indicator,
    )
    return {(code, period): value for code, period, value in rows}


def nothing_stored(partners: Partners) -> bool:
    counts = partners.sql("SELECT (SELECT count(*) FROM observation), (SELECT count(*) FROM batch)")
    return tuple(counts[0]) == (0, 0)


def rejected(response: httpx.Response) -> list[dict[str, Any]]:
    body = problem(response, 422)
    assert "nothing was stored" in str(body["detail"])
    errors: list[dict[str, Any]] = body["errors"]  # type: ignore[assignment]
    assert all({"row", "column", "value", "reason"} <= set(e) for e in errors)
    return errors


def test_a_good_file_is_stored_as_one_batch(partners: Partners) -> None:
    response = post(partners, "police", long_csv([(a, "2021-03", "burglary", "2") for a in LSOAS]))
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["changed"], body["inserted"], body["revised"]) == (True, 3, 0)
    assert current(partners, "burglary") == {(a, "2021-03"): 2.0 for a in LSOAS}


@pytest.mark.parametrize(
    ("row", "column", "value", "reason"),
    [
        (("E05001039", "2021-03", "burglary", "2"), "area_code", "E05001039", "unknown area"),
        (("E01007823", "2021-03", "burglery", "2"), "indicator", "burglery", "burglary"),
        (("E01007823", "2021-13", "burglary", "2"), "period", "2021-13", "month"),
        (("E01007823", "2021", "burglary", "2"), "period", "2021", "month"),
        (("E01007823", "2021-03", "burglary", "two"), "value", "two", ""),
        (("E01007823", "2021-03", "burglary", "-2"), "value", "-2", "negative"),
        (("E01007823", "2021-03", "burglary", "2.5"), "value", "2.5", "whole number"),
        (("E05010857", "2019", "imd_rank", "5"), "area_code", "E05010857", "published"),
    ],
)
def test_a_bad_row_is_named_and_nothing_is_stored(
    partners: Partners, row: tuple[str, str, str, str], column: str, value: str, reason: str
) -> None:
    good = ("E01007824", "2021-03", "burglary", "1")
    (error,) = rejected(post(partners, "admin", long_csv([good, row])))
    assert (error["row"], error["column"], error["value"]) == (3, column, value)
    assert reason in error["reason"]
    assert nothing_stored(partners)


def test_duplicates_within_a_file_name_both_rows(partners: Partners) -> None:
    rows = [("E01007823", "2021-03", "burglary", "2"), ("E01007823", "2021-3", "burglary", "3")]
    (error,) = rejected(post(partners, "police", long_csv(rows)))
    assert error["row"] == 3
    assert "row 2" in error["reason"]
    assert nothing_stored(partners)


def test_every_error_of_a_file_is_listed_at_once(partners: Partners) -> None:
    rows = [("E01007823", "2021-13", "burglary", "x"), ("E09999999", "2021-03", "burglary", "-1")]
    errors = rejected(post(partners, "police", long_csv(rows)))
    assert {(e["row"], e["column"]) for e in errors} >= {(2, "value"), (3, "value")}
    assert nothing_stored(partners)


def test_bom_crlf_and_quoted_thousands_are_read(partners: Partners) -> None:
    body = b'\xef\xbb\xbfarea_code,period,indicator,value\r\nE01007823,2019,imd_rank,"15,042"\r\n'
    response = post(partners, "council", body)
    assert response.status_code == 200, response.text
    assert current(partners, "imd_rank") == {("E01007823", "2019"): 15042.0}


def test_a_latin1_spreadsheet_export_in_wide_layout_is_read(partners: Partners) -> None:
    body = (
        "LSOA code (2011),LSOA name (2011),imd_decile,imd_rank\r\n"
        'E01007823,Sheffield 069A – Beauchief £,5,"15,042"\r\n'
        'E01007824,Sheffield 066A é,10,"31,116"\r\n'
    ).encode("cp1252")
    response = post(partners, "council", body, period="2019")
    assert response.status_code == 200, response.text
    notes = " ".join(response.json()["notes"])
    assert "LSOA name (2011)" in notes  # ignored columns are said, not silently dropped
    assert current(partners, "imd_decile") == {
        ("E01007823", "2019"): 5.0,
        ("E01007824", "2019"): 10.0,
    }


def test_json_uploads_are_read(partners: Partners) -> None:
    body = json.dumps(
        {
            "observations": [
                {
                    "area_code": "E01007823",
                    "period": "2021/22",
                    "indicator": "persistent_absence",
                    "value": 14.2,
                    "numerator": 71,
                    "denominator": 500,
                },
            ]
        }
    ).encode()
    response = post(partners, "schools", body, "application/json")
    assert response.status_code == 200, response.text
    assert current(partners, "persistent_absence") == {("E01007823", "2021/22"): 14.2}


def test_an_unsupported_content_type_is_415(partners: Partners) -> None:
    problem(post(partners, "police", b"%PDF-1.4", "application/pdf"), 415)
    assert nothing_stored(partners)


def test_the_same_file_twice_changes_nothing_and_says_so(partners: Partners) -> None:
    body = long_csv([(a, "2021-03", "burglary", "2") for a in LSOAS])
    post(partners, "police", body)
    again = post(partners, "police", body).json()
    assert (again["changed"], again["batch"], again["unchanged"]) == (False, None, 3)
    assert "Nothing changed" in again["message"]
    assert len(partners.sql("SELECT id FROM batch")) == 1


def test_a_changed_value_is_a_revision_and_the_old_one_is_kept(partners: Partners) -> None:
    first = post(partners, "police", long_csv([(LSOAS[0], "2021-03", "burglary", "2")])).json()
    second = post(partners, "police", long_csv([(LSOAS[0], "2021-03", "burglary", "5")])).json()
    assert (second["inserted"], second["revised"]) == (0, 1)
    history = partners.sql(
        "SELECT value, batch_id, superseded_at IS NULL AS current FROM observation ORDER BY id"
    )
    assert [tuple(h) for h in history] == [
        (2.0, first["batch"], False),
        (5.0, second["batch"], True),
    ]


def test_batches_record_who_when_and_what(partners: Partners) -> None:
    batch = post(partners, "police", long_csv([(LSOAS[0], "2021-03", "burglary", "2")])).json()
    with partners.client("police") as http:
        listed = http.get("/api/batches").json()
        one = http.get(f"/api/batches/{batch['batch']}").json()
    assert [b["id"] for b in listed] == [batch["batch"]]
    assert one["agency"] == "police"
    assert one["actor"].startswith("key ")
    assert one["created_at"]
    assert (one["rows"], one["inserted"]) == (1, 1)
    with partners.client("schools") as http:  # another agency does not see it
        assert http.get(f"/api/batches/{batch['batch']}").status_code == 404


def test_reverting_a_batch_restores_the_values_it_replaced(partners: Partners) -> None:
    post(partners, "police", long_csv([(a, "2021-03", "burglary", "2") for a in LSOAS]))
    rows = [(LSOAS[0], "2021-03", "burglary", "9"), (LSOAS[0], "2021-04", "burglary", "1")]
    second = post(partners, "police", long_csv(rows)).json()
    with partners.client("police") as http:
        revert = http.post(f"/api/batches/{second['batch']}/revert")
        assert revert.status_code == 200, revert.text
        assert (revert.json()["rows"], revert.json()["revised"]) == (2, 1)
        problem(http.post(f"/api/batches/{second['batch']}/revert"), 409)
    assert current(partners, "burglary") == {(a, "2021-03"): 2.0 for a in LSOAS}


def test_a_batch_overwritten_later_cannot_be_reverted_first(partners: Partners) -> None:
    first = post(partners, "police", long_csv([(LSOAS[0], "2021-03", "burglary", "2")])).json()
    post(partners, "police", long_csv([(LSOAS[0], "2021-03", "burglary", "3")]))
    with partners.client("police") as http:
        body = problem(http.post(f"/api/batches/{first['batch']}/revert"), 409)
    assert "later" in str(body["detail"])
    assert current(partners, "burglary") == {(LSOAS[0], "2021-03"): 3.0}


def test_too_large_an_upload_is_413_and_stores_nothing(small_limit_partners: Partners) -> None:
    body = long_csv(
        [
            (LSOAS[0], f"20{y:02d}-{m:02d}", "burglary", "1")
            for y in range(10, 30)
            for m in range(1, 13)
        ]
    )
    assert len(body) > 4096
    assert "limit" in str(problem(post(small_limit_partners, "police", body), 413)["detail"])

    def chunks() -> Iterator[bytes]:  # streamed, no Content-Length
        for start in range(0, len(body), 1000):
            yield body[start : start + 1000]

    with small_limit_partners.client("police") as http:
        problem(http.post("/api/observations", content=chunks(), headers=CSV), 413)
    assert nothing_stored(small_limit_partners)


def test_overlapping_uploads_leave_a_consistent_result_with_full_history(
    partners: Partners,
) -> None:
    lsoas = [str(r[0]) for r in partners.sql("SELECT code FROM area WHERE type_code = 'lsoa'")]
    bodies = [long_csv([(a, "2021-03", "burglary", value) for a in lsoas]) for value in "17"]
    results: list[httpx.Response] = []
    start = threading.Barrier(2)

    def upload(body: bytes) -> None:
        start.wait()
        results.append(post(partners, "police", body))

    threads = [threading.Thread(target=upload, args=(b,)) for b in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.status_code for r in results] == [200, 200]
    values = set(current(partners, "burglary").values())
    assert len(values) == 1  # one upload wholly after the other, never a mixture
    assert len(current(partners, "burglary")) == len(lsoas)
    history = partners.sql("SELECT count(*), count(DISTINCT batch_id) FROM observation")
    assert tuple(history[0]) == (2 * len(lsoas), 2)
