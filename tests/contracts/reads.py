"""Every read route of the API, with concrete requests: the table the contract, access
and role-matrix tests walk. A new GET route without a case here fails
``test_every_read_route_is_walked``."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import mapbox_vector_tile

from app.access.auth_schemas import KeyListed, UserOut, Who
from app.access.schemas import AgencyListed
from app.analysis.compare_areas import CompareOut
from app.analysis.gap_schemas import DeprivationGroupsOut, GapOut
from app.analysis.schemas import AlertHistoryOut, AlertsOut, ProfileOut, RunListed, RunOut
from app.areas.custom_schemas import CustomAreaOut
from app.areas.schemas import AreaNamesOut, AreaSearchOut, AreaTypeOut
from app.audit.schemas import AuditPage
from app.contracts import Feature, FeatureCollection
from app.demo import DEMO_PATCH
from app.framework.schemas import (
    ActionOut,
    BoardOut,
    IssuedOut,
    MeasureOut,
    MeasureRisksOut,
    OutcomeOut,
    ReportOut,
    RevisionOut,
)
from app.indicators.indicator import Indicator
from app.maps.schemas import ConfigOut, MapCollection, MapValues
from app.observations.schemas import ObservationsOut
from app.ogc.schemas import (
    Collection,
    Collections,
    Conformance,
    ItemsPage,
    JsonSchemaDocument,
    LandingPage,
    OpenApiDocument,
    TileJson,
)
from app.uploads.schemas import BatchOut
from tests.contracts.conftest import AGENCY_ONLY, City

# A public count with a disclosure threshold (3), a public percentage with one (5, on
# the numerator), a partners-only percentage, and health's agency-only count.
SMALL_COUNTS = "accidental_dwelling_fires"
SMALL_SHARES = "persistent_absence"
PARTNERS_ONLY = "fsm_eligible"
INDICATORS = (SMALL_COUNTS, SMALL_SHARES, PARTNERS_ONLY, AGENCY_ONLY)
ZOOM = 12


@dataclass(frozen=True)
class Read:
    """One request: the route it exercises (as the OpenAPI document names it), its URL,
    the model of a successful body (None when it is not JSON) and, for indicator reads,
    the indicator whose visibility decides whether it is found; ``case`` tells apart two
    requests of one route that are not of an indicator."""

    route: str
    url: Callable[[City], str]
    model: Any = None
    indicator: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    kind: str = "json"  # json | csv | html | png | mvt | gpkg
    case: str = ""

    @property
    def name(self) -> str:
        return f"{self.route} [{self.indicator or self.case or '-'}, {self.kind}]"


# The demo's framework (``nis demo`` loads it): its boards, measures and actions; the
# Health and Wellbeing Partnership also leads the contracts' agency-only measure.
BOARD = "health-wellbeing"
F = "/api/framework"
# fmt: off
FRAMEWORK_READS = [
    Read(f"{F}/boards", lambda c: f"{F}/boards", list[BoardOut]),
    Read(f"{F}/boards/{{code}}", lambda c: f"{F}/boards/{BOARD}", BoardOut),
    Read(f"{F}/boards/{{code}}/report", lambda c: f"{F}/boards/{BOARD}/report", ReportOut),
    Read(f"{F}/boards/{{code}}/report.html", lambda c: f"{F}/boards/{BOARD}/report.html",
         kind="html"),
    Read(f"{F}/boards/{{code}}/report.pdf", lambda c: f"{F}/boards/{BOARD}/report.pdf",
         kind="pdf"),
    Read(f"{F}/boards/{{code}}/reports", lambda c: f"{F}/boards/{BOARD}/reports",
         list[IssuedOut]),
    Read(f"{F}/outcomes", lambda c: f"{F}/outcomes", list[OutcomeOut]),
    Read(f"{F}/measures", lambda c: f"{F}/measures", list[MeasureOut]),
    Read(f"{F}/measures/{{code}}", lambda c: f"{F}/measures/obesity-year6", MeasureOut),
    Read(f"{F}/measures/{{code}}/risks", lambda c: f"{F}/measures/obesity-year6/risks",
         MeasureRisksOut),
    Read(f"{F}/actions", lambda c: f"{F}/actions", list[ActionOut]),
    Read(f"{F}/actions/{{code}}", lambda c: f"{F}/actions/obesity-active-schools", ActionOut),
    Read(f"{F}/revisions/{{entity}}/{{code}}", lambda c: f"{F}/revisions/board/{BOARD}",
         list[RevisionOut]),
]
# fmt: on


def demo_patch(city: City) -> str:
    """The code of the demo's partnership custom area (``nis demo`` makes it)."""
    found = city.sql(
        "SELECT a.code FROM custom_area c JOIN area a ON a.id = c.area_id WHERE c.name = :n",
        n=DEMO_PATCH,
    )
    assert found, "the demo made no custom area"
    return str(found[0][0])


def public_alert(city: City) -> int:
    """An alert of the newest run whose indicators are all public (every viewer sees it)."""
    found = city.sql(
        "SELECT min(al.id) FROM alert al WHERE al.run_id = (SELECT max(id) FROM analysis_run "
        "WHERE status = 'done') AND NOT EXISTS (SELECT 1 FROM indicator i "
        "WHERE i.code = ANY(al.indicators) AND i.visibility <> 'public')"
    )
    assert found, "the demo raised no public alert"
    assert found[0][0] is not None, "the demo raised no public alert"
    return int(found[0][0])


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    """The Web Mercator tile (x, y) holding a point."""
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def _tile(city: City, layer: str) -> str:
    lon, lat = city.sql(
        "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p FROM area "
        "WHERE code = :c) s",
        c=city.lsoa,
    )[0]
    x, y = tile_of(lon, lat, ZOOM)
    return f"/tiles/{layer}/{ZOOM}/{x}/{y}.mvt"


def indicator_reads(code: str) -> list[Read]:
    return [
        Read("/api/indicators/{code}", lambda c: f"/api/indicators/{code}", Indicator, code),
        Read(
            "/api/observations",
            lambda c: f"/api/observations?indicator={code}&type=lsoa",
            ObservationsOut,
            code,
        ),
        Read(
            "/api/observations",
            lambda c: f"/api/observations?indicator={code}&type=lsoa",
            None,
            code,
            {"Accept": "text/csv"},
            "csv",
        ),
        Read("/api/maps/{indicator}", lambda c: f"/api/maps/{code}?type=lsoa", MapCollection, code),
        Read(
            "/api/indicators/{code}/compare",
            lambda c: f"/api/indicators/{code}/compare?type=lsoa",
            CompareOut,
            code,
        ),
        Read(
            "/api/maps/{indicator}",
            lambda c: f"/api/maps/{code}?type=lsoa&geometry=false",
            MapValues,
            code,
        ),
        Read(
            "/api/maps/{indicator}/export.html",
            lambda c: f"/api/maps/{code}/export.html?type=lsoa",
            None,
            code,
            kind="html",
        ),
        Read(
            "/api/maps/{indicator}/export.png",
            lambda c: f"/api/maps/{code}/export.png?type=lsoa",
            None,
            code,
            kind="png",
        ),
        Read(
            "/ogc/collections/{collection_id}",
            lambda c: f"/ogc/collections/{code}",
            Collection,
            code,
        ),
        Read(
            "/ogc/collections/{collection_id}/queryables",
            lambda c: f"/ogc/collections/{code}/queryables",
            JsonSchemaDocument,
            code,
        ),
        Read(
            "/ogc/collections/{collection_id}/schema",
            lambda c: f"/ogc/collections/{code}/schema",
            JsonSchemaDocument,
            code,
        ),
        Read(
            "/ogc/collections/{collection_id}/items",
            lambda c: f"/ogc/collections/{code}/items?limit=1000",
            ItemsPage,
            code,
        ),
        Read(
            "/api/downloads/{collection_id}.{fmt}",
            lambda c: f"/api/downloads/{code}.csv",
            None,
            code,
            kind="csv",
        ),
        Read(
            "/api/downloads/{collection_id}.{fmt}",
            lambda c: f"/api/downloads/{code}.geojson",
            FeatureCollection,
            code,
        ),
        Read("/tiles/{layer}.json", lambda c: f"/tiles/{code}.json", TileJson, code),
        Read("/api/gaps/{indicator}", lambda c: f"/api/gaps/{code}?area_type=lsoa", GapOut, code),
        Read("/tiles/{layer}/{z}/{x}/{y}.mvt", lambda c: _tile(c, code), None, code, kind="mvt"),
    ]


READS: list[Read] = [
    Read("/api/area-types", lambda c: "/api/area-types", list[AreaTypeOut]),
    Read("/api/area-types/{type_code}/names", lambda c: "/api/area-types/lsoa/names", AreaNamesOut),
    Read("/api/areas", lambda c: "/api/areas?type=msoa&simplify=3", FeatureCollection),
    Read("/api/areas/{code}", lambda c: f"/api/areas/{c.lsoa}?simplify=3", Feature),
    # Area names and codes are public: everyone finds them (no postcode directory here).
    Read("/api/areas/search", lambda c: "/api/areas/search?q=sheffield%2003", AreaSearchOut),
    Read("/api/indicators", lambda c: "/api/indicators", list[Indicator]),
    Read("/api/batches", lambda c: "/api/batches", list[BatchOut]),
    Read(
        "/api/batches/{batch_id}",
        lambda c: f"/api/batches/{c.schools_batch}",
        BatchOut,
        case="schools",
    ),
    Read(
        "/api/batches/{batch_id}",
        lambda c: f"/api/batches/{c.police_batch}",
        BatchOut,
        case="police",
    ),
    Read("/api/agencies", lambda c: "/api/agencies", list[AgencyListed]),
    Read("/api/auth/session", lambda c: "/api/auth/session", Who),
    # Single sign-on is not configured in the contracts' city: 404 for everyone (it is
    # walked against a real provider in tests/access/test_sso.py).
    Read("/api/auth/sso/start", lambda c: "/api/auth/sso/start?next=/"),
    Read("/api/auth/sso/callback", lambda c: "/api/auth/sso/callback?state=x&code=y"),
    Read("/api/users", lambda c: "/api/users", list[UserOut]),
    Read("/api/keys", lambda c: "/api/keys", list[KeyListed]),
    Read("/api/audit", lambda c: "/api/audit?limit=20", AuditPage),
    Read("/api/alerts", lambda c: "/api/alerts?limit=1000", AlertsOut),
    Read(
        "/api/alerts/{alert_id}/history",
        lambda c: f"/api/alerts/{public_alert(c)}/history",
        AlertHistoryOut,
    ),
    Read("/api/analysis/runs", lambda c: "/api/analysis/runs", list[RunListed]),
    Read(
        "/api/analysis/runs/{run_id}",
        lambda c: f"/api/analysis/runs/{c.sql('SELECT max(id) FROM analysis_run')[0][0]}",
        RunOut,
    ),
    Read("/api/areas/{code}/profile", lambda c: f"/api/areas/{c.lsoa}/profile", ProfileOut),
    Read(
        "/api/areas/{code}/report.html", lambda c: f"/api/areas/{c.lsoa}/report.html", kind="html"
    ),
    Read("/api/areas/{code}/report.pdf", lambda c: f"/api/areas/{c.lsoa}/report.pdf", kind="pdf"),
    Read("/api/custom-areas", lambda c: "/api/custom-areas", list[CustomAreaOut]),
    Read(
        "/api/custom-areas/{code}",
        lambda c: f"/api/custom-areas/{demo_patch(c)}",
        CustomAreaOut,
    ),
    Read("/api/config", lambda c: "/api/config", ConfigOut),
    Read("/api/gaps", lambda c: "/api/gaps?groups=10", DeprivationGroupsOut),
    Read("/ogc", lambda c: "/ogc", LandingPage),
    Read("/ogc/api", lambda c: "/ogc/api", OpenApiDocument),
    Read("/ogc/conformance", lambda c: "/ogc/conformance", Conformance),
    Read("/ogc/collections", lambda c: "/ogc/collections", Collections),
    Read(
        "/ogc/collections/{collection_id}/items/{feature_id}",
        lambda c: f"/ogc/collections/lsoa/items/{c.lsoa}",
        Feature,
    ),
    Read(
        "/ogc/collections/{collection_id}/items", lambda c: "/ogc/collections/msoa/items", ItemsPage
    ),
    Read(
        "/api/downloads/{collection_id}.{fmt}",
        lambda c: "/api/downloads/msoa.gpkg",
        None,
        kind="gpkg",
    ),
    Read("/tiles/{layer}/{z}/{x}/{y}.mvt", lambda c: _tile(c, "lsoa"), None, kind="mvt"),
    *(read for code in INDICATORS for read in indicator_reads(code)),
    *FRAMEWORK_READS,
]


def shown_values(read: Read, response: httpx.Response) -> dict[str, dict[str, Any]]:
    """Each cell's shown value and whether it is suppressed, as a value read's response
    shows it: by ``area|period`` for observations, by area code for the rest (one
    period)."""
    if read.kind == "csv" and read.route == "/api/observations":
        rows = csv.DictReader(io.StringIO(response.text))
        return {
            f"{r['area_code']}|{r['period']}": {
                "suppressed": r["suppressed"] == "True",
                "value": r["value"] or None,
            }
            for r in rows
        }
    if read.route == "/api/observations":
        return {
            f"{o['area_code']}|{o['period']}": {"suppressed": o["suppressed"], "value": o["value"]}
            for o in response.json()["observations"]
        }
    if read.kind == "csv":  # a download
        rows = csv.DictReader(io.StringIO(response.text))
        return {
            r["code"]: {"suppressed": r["status"] == "suppressed", "value": r["value"] or None}
            for r in rows
        }
    if read.kind == "mvt":
        layers = mapbox_vector_tile.decode(response.content)
        features = next(iter(layers.values()))["features"]
        return {
            f["properties"]["code"]: {
                "suppressed": f["properties"].get("status") == "suppressed",
                "value": f["properties"].get("value"),
            }
            for f in features
        }
    body = response.json()
    if read.route == "/api/indicators/{code}/compare":
        return {
            a["code"]: {"suppressed": a["suppressed"], "value": a["value"]} for a in body["areas"]
        }
    if "areas" in body:  # map values
        return {
            code: {"suppressed": p["status"] == "suppressed", "value": p["value"]}
            for code, p in body["areas"].items()
        }
    return {
        f["properties"]["code"]: {
            "suppressed": f["properties"]["status"] == "suppressed",
            "value": f["properties"]["value"],
        }
        for f in body["features"]
    }


def is_value_read(read: Read) -> bool:
    """Whether the read shows an indicator's values area by area (what
    :func:`shown_values` reads)."""
    return read.indicator is not None and (
        read.route in ("/api/observations", "/ogc/collections/{collection_id}/items")
        or (read.route.startswith("/api/maps/{indicator}") and read.kind == "json")
        or read.route == "/api/indicators/{code}/compare"
        or read.route == "/api/downloads/{collection_id}.{fmt}"
        or read.kind == "mvt"
    )


def admin_truth(city: City, code: str, period: str | None = None) -> dict[tuple[str, str], Any]:
    """Every value of ``code`` at LSOAs as an administrator reads it (unsuppressed), by
    area code and period."""
    with city.client("admin") as client:
        url = f"/api/observations?indicator={code}&type=lsoa"
        body = client.get(url + (f"&period={period}" if period else "")).json()
    return {(o["area_code"], o["period"]): o for o in body["observations"]}


def newest_period(city: City, code: str) -> str:
    """The period an indicator's map shows by default (its newest)."""
    with city.client("admin") as client:
        legend = client.get(f"/api/maps/{code}?type=lsoa&geometry=false").json()["legend"]
    return str(legend["period"])
