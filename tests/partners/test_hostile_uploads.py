"""Hostile uploads get a 4xx with a reason, never a 500 (issue 12, item 7: the upload
side), at both upload routes. The reader's verdicts on the same inputs are in
tests/uploads/test_reader_cases.py; this checks what reaches the client."""

from __future__ import annotations

from tests.partners.conftest import Partners
from tests.partners.test_auth import PROBLEM

HEADER = b"area_code,period,indicator,value\n"
ROW = b"E01007823,2021-03,burglary,2\n"
# (what, body, content type)
HOSTILE = [
    ("a 10 MB cell", HEADER + ROW[:-1] + b',"' + b"x" * 10_000_000 + b'"\n', "text/csv"),
    ("a 10 MB unquoted cell", HEADER + ROW[:-1] + b"," + b"x" * 10_000_000 + b"\n", "text/csv"),
    *(
        (f"charset={name}", HEADER + ROW, f"text/csv; charset={name}")
        for name in ("bz2", "base64", "rot13", "undefined", "utf-16")
    ),
    *(
        (f"JSON nested {depth:,} deep", b"[" * depth + b"]" * depth, "application/json")
        for depth in (1_000, 100_000)
    ),
    (
        "GeoJSON nested 100,000 deep",
        b'{"type": "FeatureCollection", "features": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        "application/geo+json",
    ),
    (
        "200,000 columns",
        b",".join(b"c%d" % i for i in range(200_000)) + b"\n" + b"1," * 199_999 + b"1\n",
        "text/csv",
    ),
    ("50,000 duplicate columns", b",".join([b"value"] * 50_000) + b"\n" + ROW, "text/csv"),
]


def test_hostile_uploads_are_4xx_with_a_reason_never_500(partners: Partners) -> None:
    with partners.client("police") as http:
        for route in ("/api/observations", "/api/events"):
            for what, body, content_type in HOSTILE:
                response = http.post(route, content=body, headers={"Content-Type": content_type})
                assert 400 <= response.status_code < 500, (route, what, response.text[:300])
                assert response.headers["content-type"] == PROBLEM
                detail = response.json()["detail"]
                assert detail, (route, what)
                assert len(response.content) < 20_000, (route, what)  # no file quoted back
    assert partners.sql("SELECT count(*) FROM batch")[0][0] == 0
