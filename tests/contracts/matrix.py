"""The role matrix's tables: who asks (seven viewers, by session and by key, of every
role), and what each must be answered on every route.

Statuses are written out here, viewer by viewer, rather than asked of
:mod:`app.access.policy`: the table is what the issue promises, and the policy must
agree with it."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app.access.account_repository import user_by_name
from app.access.policy import Sharing
from app.access.service import create_key, key_prefix
from app.access.users import create_local_user, set_disabled
from app.access.viewer import CLI, Role, Viewer
from app.areas import custom
from app.areas.custom import CustomAreaRequest
from app.db import unit_of_work
from app.indicators.indicator import Indicator
from tests.contracts.conftest import AGENCY_ONLY, AGENCY_ONLY_PERIOD, USERS, City
from tests.contracts.reads import FRAMEWORK_READS, public_alert

# The columns of every table below, in this order.
VIEWERS = ("public", "officer", "officer_key", "analyst", "analyst_key", "admin", "admin_key")


@dataclass(frozen=True)
class Who:
    """A viewer of the matrix: the city fixture's credentials (a key's or an account's
    name, or ``public``), the role and agency the server must see."""

    name: str
    credentials: str
    role: str
    agency: str | None

    @property
    def partner(self) -> bool:
        return self.role != "public"

    @property
    def by_session(self) -> bool:
        return self.credentials in USERS

    def actor(self, city: City) -> str:
        """How the audit names them."""
        if self.by_session:
            return f"user {self.credentials}"
        if self.credentials in city.keys:
            return f"key {key_prefix(city.keys[self.credentials])}"
        return "public"


WHO = {
    w.name: w
    for w in (
        Who("public", "public", "public", None),
        # Signed in: an officer of the partnership as a whole (no agency).
        Who("officer", "officer.partnership", "officer", None),
        # A read key of health: an officer of the agency that owns AGENCY_ONLY.
        Who("officer_key", "health_read", "officer", "health"),
        # Signed in: police's analyst.
        Who("analyst", "analyst.police", "analyst", "police"),
        # An upload key of schools: schools' analyst.
        Who("analyst_key", "schools", "analyst", "schools"),
        Who("admin", "admin.partnership", "admin", None),
        Who("admin_key", "admin", "admin", None),
    )
}
assert tuple(WHO) == VIEWERS

# Who finds an indicator at all, by its visibility (agency-only: health's, the only one).
SEES = {
    "public": (1, 1, 1, 1, 1, 1, 1),
    "partners": (0, 1, 1, 1, 1, 1, 1),
    "agency": (0, 0, 1, 0, 0, 1, 1),
}


def sees(who: str, indicator: Indicator) -> bool:
    assert indicator.visibility != "agency" or indicator.code == AGENCY_ONLY
    return bool(SEES[str(indicator.visibility)][VIEWERS.index(who)])


def restricted(indicator: Indicator) -> bool:
    """A partner's read of its values is audited: it is not public, or it has small
    counts that the public sees suppressed."""
    return indicator.visibility != "public" or bool(indicator.disclosure_threshold)


PARTNERS = (401, 200, 200, 200, 200, 200, 200)
# GET routes whose status depends on who asks (by route and read case); every other read
# that is not of an indicator answers everyone 200, and an indicator's reads answer 200
# to whoever SEES it and 404 to the rest (as if it did not exist).
#                                         public off  offk ana  anak adm  admk
GET_STATUS: dict[tuple[str, str], tuple[int, ...]] = {
    ("/api/batches", ""): (401, 403, 403, 200, 200, 200, 200),
    ("/api/batches/{batch_id}", "schools"): (401, 403, 403, 404, 200, 200, 200),
    ("/api/batches/{batch_id}", "police"): (401, 403, 403, 200, 404, 200, 200),
    ("/api/agencies", ""): (401, 403, 403, 403, 403, 200, 200),
    ("/api/analysis/runs", ""): (401, 200, 200, 200, 200, 200, 200),
    ("/api/analysis/runs/{run_id}", ""): (401, 200, 200, 200, 200, 200, 200),
    ("/api/users", ""): (401, 403, 403, 403, 403, 200, 200),
    ("/api/keys", ""): (401, 403, 403, 200, 200, 200, 200),
    ("/api/audit", ""): (401, 403, 403, 403, 403, 200, 200),
    ("/api/custom-areas", ""): (401, 200, 200, 200, 200, 200, 200),
    ("/api/alerts/{alert_id}/history", ""): PARTNERS,
    ("/api/custom-areas/{code}", ""): (401, 200, 200, 200, 200, 200, 200),
    **{(r.route, ""): PARTNERS for r in FRAMEWORK_READS},
    ("/api/auth/sso/start", ""): (404,) * 7,
    ("/api/auth/sso/callback", ""): (404,) * 7,
}
EVERYONE = (200,) * len(VIEWERS)

# The audit's channel of each route that reads values.
CHANNEL = {
    "/api/observations": "api",
    "/api/maps/{indicator}": "map",
    "/api/maps/{indicator}/export.html": "export",
    "/api/maps/{indicator}/export.png": "export",
    "/ogc/collections/{collection_id}/items": "ogc",
    "/api/downloads/{collection_id}.{fmt}": "download",
    "/tiles/{layer}/{z}/{x}/{y}.mvt": "tile",
    "/api/areas/{code}/profile": "api",
    "/api/areas/{code}/report.html": "api",
    "/api/areas/{code}/report.pdf": "api",
    "/api/indicators/{code}/compare": "api",
    "/api/gaps/{indicator}": "api",
    "/api/alerts": "api",
}


# --- writes -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    url: str
    json: Any = None
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Write:
    """One write of a route, made by each viewer in turn on a database of its own:
    ``prepare`` makes what the write needs (a batch to revert, a key to revoke) afresh
    for each viewer, so that no cell depends on another."""

    method: str
    route: str
    case: str
    expect: tuple[int, ...]
    prepare: Callable[[City], Request]

    @property
    def name(self) -> str:
        return f"{self.method} {self.route} [{self.case}]"


CSV = {"Content-Type": "text/csv"}
_serial = itertools.count(1)


def _values(city: City, indicator: str, period: str) -> Request:
    """A one-value upload that changes what is stored (a new value every time)."""
    value = 10 + next(_serial) % 80
    body = f"area_code,period,indicator,value\n{city.lsoa},{period},{indicator},{value}\n"
    return Request("/api/observations", content=body.encode(), headers=CSV)


def _events(city: City) -> Request:
    lon, lat = city.sql(
        "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p FROM area "
        "WHERE code = :c) s",
        c=city.lsoa,
    )[0]
    row = f"matrix-{next(_serial)},Burglary,2023-10-05,{lon},{lat}"
    body = f"id,category,date,longitude,latitude\n{row}\n"
    return Request("/api/events", content=body.encode(), headers=CSV)


def _police_batch(city: City) -> Request:
    """A fresh batch of police's, to revert."""
    values = _values(city, "burglary", "2023-09")
    with city.client("police") as client:
        response = client.post(values.url, content=values.content, headers=values.headers)
    assert response.status_code == 200, response.text
    return Request(f"/api/batches/{response.json()['batch']}/revert")


def _catalogue_entry(city: City) -> Request:
    with city.client("admin") as client:
        entry = client.get("/api/indicators/attainment8").json()
    return Request("/api/indicators", json=[entry])


def _user(city: City, disabled: bool = False) -> str:
    name = f"matrix.user{next(_serial)}"
    with unit_of_work(city.db_url) as session:
        create_local_user(session, CLI, name, PASSWORD, "officer")
        if disabled:
            set_disabled(session, CLI, name, True)
    return name


def _police_key(city: City) -> Request:
    with unit_of_work(city.db_url) as session:
        key = create_key(session, "police", label="matrix revoke", scope="read")
    city.secrets.append(key)
    return Request(f"/api/keys/{key_prefix(key)}")


def _officers_patch(city: City) -> Request:
    """A fresh partnership custom area of officer.partnership's, to delete."""
    with unit_of_work(city.db_url) as session:
        user = user_by_name(session, "officer.partnership")
        assert user is not None
        officer = Viewer(Role.OFFICER, "user officer.partnership", user_id=int(user.id))
        request = CustomAreaRequest("Matrix patch", Sharing.PARTNERSHIP, [city.lsoa])
        made = custom.create(session, officer, request)
    return Request(f"/api/custom-areas/{made['code']}")


PASSWORD = "walnut compass seven harbour"
_SIGN_IN = {"username": "officer.partnership", "password": USERS["officer.partnership"][2]}
#                         public off  offk ana  anak adm  admk
ADMINS = (401, 403, 403, 403, 403, 200, 200)
ADMINS_MAKE = (401, 403, 403, 403, 403, 201, 201)
SIGNED_IN = (401, 200, 401, 200, 401, 200, 401)

# --- the performance framework: administrators set it, board members report and register
# interests, an action's owner (a person, signed in) updates it.
MEMBERS = (401, 200, 403, 403, 403, 200, 200)  # also: an action's owner, or administrators
MEMBERS_MAKE = (401, 201, 403, 403, 403, 201, 201)
PEOPLE_MAKE = (401, 201, 403, 201, 403, 201, 403)
OWNER_ONLY = (401, 201, 403, 403, 403, 403, 403)
FW = "/api/framework"


def _board(city: City, *, member: bool = True) -> str:
    """A fresh board, officer.partnership a member of it."""
    from app.framework import service

    code = f"matrix-board-{next(_serial)}"
    with unit_of_work(city.db_url) as session:
        service.create_board(session, CLI, {"code": code, "name": f"Board {code}"})
        if member:
            service.add_member(session, CLI, code, "officer.partnership")
    return code


def _interest(city: City) -> Request:
    from app.framework import service

    code = _board(city)
    with unit_of_work(city.db_url) as session:
        made = service.add_interest(session, CLI, code, {"kind": "indicator", "code": "burglary"})
    return Request(f"{FW}/boards/{code}/interests/{made['interests'][0]['id']}")


def _officers_action(city: City) -> str:
    """A fresh action owned by officer.partnership, on the demo's burglary measure."""
    from app.framework import actions

    code = f"matrix-action-{next(_serial)}"
    with unit_of_work(city.db_url) as session:
        actions.create_action(session, CLI, {
            "code": code, "title": "Matrix action", "owner": "officer.partnership",
            "areas": [city.lsoa], "measures": [{"measure": "burglary-down"}],
        })  # fmt: skip
    return code


def _measure_code() -> str:
    return f"matrix-measure-{next(_serial)}"


# fmt: off
FRAMEWORK_WRITES = [
    Write("POST", f"{FW}/boards", "a new board", ADMINS_MAKE,
          lambda c: Request(f"{FW}/boards", json={"code": f"matrix-new-{next(_serial)}",
                                                  "name": "Matrix"})),
    Write("PATCH", f"{FW}/boards/{{code}}", "a board's name", ADMINS,
          lambda c: Request(f"{FW}/boards/{_board(c)}", json={"name": "Renamed"})),
    Write("POST", f"{FW}/boards/{{code}}/members", "analyst.police as member", ADMINS,
          lambda c: Request(f"{FW}/boards/{_board(c)}/members",
                            json={"username": "analyst.police"})),
    Write("POST", f"{FW}/boards/{{code}}/meetings", "a meeting of a board with officer.partnership",
          MEMBERS, lambda c: Request(f"{FW}/boards/{_board(c)}/meetings",
                                     json={"meets_on": "2027-03-01"})),
    Write("POST", f"{FW}/boards/{{code}}/interests", "burglary, by a member", MEMBERS,
          lambda c: Request(f"{FW}/boards/{_board(c)}/interests",
                            json={"kind": "indicator", "code": "burglary"})),
    Write("DELETE", f"{FW}/boards/{{code}}/interests/{{interest_id}}", "a member's board's",
          (401, 204, 403, 403, 403, 204, 204), _interest),
    Write("POST", f"{FW}/boards/{{code}}/reports", "issued by a member", MEMBERS_MAKE,
          lambda c: Request(f"{FW}/boards/{_board(c)}/reports")),
    Write("POST", f"{FW}/outcomes", "a new outcome", ADMINS_MAKE,
          lambda c: Request(f"{FW}/outcomes", json={"code": f"matrix-outcome-{next(_serial)}",
                                                    "title": "Matrix"})),
    Write("POST", f"{FW}/measures", "burglary in the city", ADMINS_MAKE,
          lambda c: Request(f"{FW}/measures", json={
              "code": _measure_code(), "title": "Matrix", "indicator": "burglary",
              "baseline_period": "2021-03"})),
    Write("PATCH", f"{FW}/measures/{{code}}", "the demo's burglary measure's title", ADMINS,
          lambda c: Request(f"{FW}/measures/burglary-down", json={"title": "Burglary down"})),
    Write("POST", f"{FW}/measures/{{code}}/targets", "a milestone", ADMINS,
          lambda c: Request(f"{FW}/measures/burglary-down/targets",
                            json={"due_period": "2024-06", "value": 0.55, "milestone": True})),
    # An action has a person as owner: a key opens none (an administrator's key names one).
    Write("POST", f"{FW}/actions", "owned by whoever opens it", PEOPLE_MAKE,
          lambda c: Request(f"{FW}/actions", json={"code": f"matrix-open-{next(_serial)}",
                                                   "title": "Matrix"})),
    Write("PATCH", f"{FW}/actions/{{code}}", "officer.partnership's action", MEMBERS,
          lambda c: Request(f"{FW}/actions/{_officers_action(c)}", json={"status": "on_track"})),
    Write("POST", f"{FW}/actions/{{code}}/measures", "officer.partnership's action", MEMBERS,
          lambda c: Request(f"{FW}/actions/{_officers_action(c)}/measures",
                            json={"measure": "violence-down", "lag_months": 3})),
    # One voice: only the owner, signed in, gives an action's update.
    Write("POST", f"{FW}/actions/{{code}}/updates", "officer.partnership's action", OWNER_ONLY,
          lambda c: Request(f"{FW}/actions/{_officers_action(c)}/updates",
                            json={"cycle": "2026-11", "narrative": "On track."})),
]
# fmt: on

WRITES = [
    Write("POST", "/api/indicators", "an indicator imported again", ADMINS, _catalogue_entry),
    Write(
        "POST", "/api/observations", "police's burglary",
        (401, 403, 403, 200, 403, 200, 200), lambda c: _values(c, "burglary", "2023-11"),
    ),
    Write(
        "POST", "/api/observations", "schools' persistent absence",
        (401, 403, 403, 403, 200, 200, 200),
        lambda c: _values(c, "persistent_absence", "2023/24"),
    ),
    # Another agency's analyst is told the agency-only indicator is not one it knows.
    Write(
        "POST", "/api/observations", "health's agency-only indicator",
        (401, 403, 403, 422, 422, 200, 200),
        lambda c: _values(c, AGENCY_ONLY, AGENCY_ONLY_PERIOD),
    ),
    # A preview stores nothing: any analyst may preview any file.
    Write(
        "POST", "/api/observations/preview", "a wide file", (401, 403, 403, 200, 200, 200, 200),
        lambda c: Request("/api/observations/preview", headers=CSV,
                          content=f"LSOA code (2011),Burglary\n{c.lsoa},3\n".encode()),
    ),
    Write("POST", "/api/events", "police.uk burglaries", (401, 403, 403, 200, 403, 200, 200),
          _events),
    # Administrators name the agency; an analyst's own has no events to count (schools).
    Write(
        "POST", "/api/events/recount", "the viewer's own agency",
        (401, 403, 403, 200, 200, 400, 400), lambda c: Request("/api/events/recount"),
    ),
    Write(
        "POST", "/api/events/recount", "police's",
        (401, 403, 403, 200, 403, 200, 200),
        lambda c: Request("/api/events/recount?agency=police"),
    ),
    Write(
        "POST", "/api/batches/{batch_id}/revert", "a batch of police's",
        (401, 403, 403, 200, 404, 200, 200), _police_batch,
    ),
    Write(
        "POST", "/api/agencies", "a new agency", ADMINS_MAKE,
        lambda c: Request("/api/agencies", json={"name": f"matrix{next(_serial)}"}),
    ),
    Write(
        "POST", "/api/auth/sign-in", "an officer's right password", (200,) * len(VIEWERS),
        lambda c: Request("/api/auth/sign-in", json=_SIGN_IN),
    ),
    Write("POST", "/api/auth/sign-out", "this session", SIGNED_IN,
          lambda c: Request("/api/auth/sign-out")),
    Write(
        "POST", "/api/auth/sign-out-everywhere", "every session", SIGNED_IN,
        lambda c: Request("/api/auth/sign-out-everywhere"),
    ),
    Write(
        "POST", "/api/users", "a new officer", ADMINS_MAKE,
        lambda c: Request(
            "/api/users",
            json={"username": f"matrix.new{next(_serial)}", "password": PASSWORD,
                  "role": "officer"},
        ),
    ),
    Write(
        "POST", "/api/users/{username}/disable", "an officer", ADMINS,
        lambda c: Request(f"/api/users/{_user(c)}/disable"),
    ),
    Write(
        "POST", "/api/users/{username}/enable", "a disabled officer", ADMINS,
        lambda c: Request(f"/api/users/{_user(c, disabled=True)}/enable"),
    ),
    # An analyst makes keys of their own agency only; administrators name one.
    Write(
        "POST", "/api/keys", "a key of the viewer's own agency",
        (401, 403, 403, 201, 201, 400, 400), lambda c: Request("/api/keys", json={}),
    ),
    Write(
        "POST", "/api/keys", "a read key of police's",
        (401, 403, 403, 201, 403, 201, 201),
        lambda c: Request("/api/keys", json={"agency": "police", "scope": "read"}),
    ),
    Write(
        "POST", "/api/keys", "an administrator's key", ADMINS_MAKE,
        lambda c: Request("/api/keys", json={"admin": True}),
    ),
    # Another agency's key is not the viewer's to know of (404).
    Write(
        "DELETE", "/api/keys/{prefix}", "a key of police's",
        (401, 404, 404, 204, 404, 204, 204), _police_key,
    ),
    # Patches have a person as owner: signed-in accounts make them, keys do not.
    Write(
        "POST", "/api/custom-areas", "a patch of one LSOA", (401, 201, 403, 201, 403, 201, 403),
        lambda c: Request("/api/custom-areas", json={"name": "Matrix", "lsoas": [c.lsoa]}),
    ),
    # Its owner (the signed-in officer) or an administrator deletes a partnership patch.
    Write(
        "DELETE", "/api/custom-areas/{code}", "officer.partnership's partnership patch",
        (401, 204, 403, 403, 403, 204, 204), _officers_patch,
    ),
    Write(
        "POST", "/api/analysis/runs", "without permutations", ADMINS_MAKE,
        lambda c: Request("/api/analysis/runs", json={"permutations": 0}),
    ),
    # Alerts are acknowledged and assigned by signed-in people, of any role; not by keys.
    Write("POST", "/api/alerts/{alert_id}/acknowledgements", "a public alert, with a note",
          PEOPLE_MAKE, lambda c: Request(f"/api/alerts/{public_alert(c)}/acknowledgements",
                                         json={"note": "Seen at the tasking meeting"})),
    Write("POST", "/api/alerts/{alert_id}/assignment", "a public alert, to officer.partnership",
          (401, 200, 403, 200, 403, 200, 403),
          lambda c: Request(f"/api/alerts/{public_alert(c)}/assignment",
                            json={"user": "officer.partnership"})),
    *FRAMEWORK_WRITES,
]  # fmt: skip
