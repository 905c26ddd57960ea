"""Keys: no key, a wrong key, a revoked key, another agency's indicator, admin tasks."""

from __future__ import annotations

import httpx
import pytest

from tests.partners.conftest import Partners

PROBLEM = "application/problem+json"
ONE_ROW = b"area_code,period,indicator,value\r\nE01007823,2021-03,burglary,2\r\n"
CSV = {"Content-Type": "text/csv"}


def problem(response: httpx.Response, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, object] = response.json()
    assert body["status"] == status
    return body


def stored(partners: Partners) -> int:
    return int(partners.sql("SELECT count(*) FROM observation")[0][0])


def test_no_key_is_401_with_a_bearer_challenge(partners: Partners) -> None:
    with partners.client() as http:
        response = http.post("/api/observations", content=ONE_ROW, headers=CSV)
    problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert stored(partners) == 0


@pytest.mark.parametrize(
    "authorization",
    ["Bearer nis_00000000_not-a-real-key", "Basic dXNlcjpwYXNz", "nis_bare_key_without_scheme"],
)
def test_a_wrong_key_is_401(partners: Partners, authorization: str) -> None:
    with partners.client() as http:
        response = http.post(
            "/api/observations", content=ONE_ROW, headers={**CSV, "Authorization": authorization}
        )
    problem(response, 401)
    assert stored(partners) == 0


def test_a_revoked_key_is_401_and_says_so(partners: Partners) -> None:
    with partners.client("revoked") as http:
        response = http.post("/api/observations", content=ONE_ROW, headers=CSV)
    assert "revoked" in str(problem(response, 401)["detail"])
    assert stored(partners) == 0


def test_an_agency_cannot_write_another_agencys_indicator(partners: Partners) -> None:
    body = b"area_code,period,indicator,value\nE01007823,2021/22,persistent_absence,12.5\n"
    with partners.client("police") as http:
        response = http.post("/api/observations", content=body, headers=CSV)
    detail = str(problem(response, 403)["detail"])
    assert "persistent_absence" in detail
    assert "schools" in detail
    assert stored(partners) == 0


def test_the_owning_agency_can_write_its_indicator(partners: Partners) -> None:
    with partners.client("police") as http:
        response = http.post("/api/observations", content=ONE_ROW, headers=CSV)
    assert response.status_code == 200, response.text
    assert stored(partners) == 1


@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/api/agencies"), ("POST", "/api/indicators")]
)
def test_admin_tasks_need_an_admin_key(partners: Partners, method: str, path: str) -> None:
    with partners.client("police") as http:
        problem(http.request(method, path, content=b"[]", headers=CSV), 403)
    with partners.client() as http:
        problem(http.request(method, path, content=b"[]", headers=CSV), 401)


def test_an_admin_key_lists_agencies(partners: Partners) -> None:
    with partners.client("admin") as http:
        response = http.get("/api/agencies")
    assert response.status_code == 200
    names = {a["name"] for a in response.json()}
    assert {"police", "fire", "transport", "health", "schools", "council"} <= names
