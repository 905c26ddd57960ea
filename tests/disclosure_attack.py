"""An attacker of the public outputs: gathers what every public route publishes of some
indicators, then tries to get the hidden values back.

What the attacker knows (``Knowledge``): every value, numerator and denominator a
public route shows, by (indicator, quantity, area, period), from observations (JSON and
CSV, at every area type), maps, compare areas, OGC items, downloads, tiles, the HTML
export, alerts and profiles; which of them a route marks suppressed; and sum relations between them:

- the area hierarchy (an area is the sum of the areas below it, one relation per type
  below), read from the public area listings, so a new area type that nests is attacked
  as soon as it exists;
- window totals: an alert's observed count over its recent periods is their sum;
- similar areas: a profile's comparison with the other areas of its type in its city-own
  IMD quintile gives their summed numerator and denominator; the attacker works out the
  quintiles itself from the public IMD ranks;
- a rate's numerator is the count it is computed from (the same unknown);
- carried values: at a type the small areas do not nest in (wards, committees), an
  area's count (numerator, denominator) is the sum of its small areas' shared out by
  the overlay (each times its share, or whole to its best-fit area), when the caller
  hands the attacker the overlay (``overlay``: the worst case, every share known).

How it attacks (:func:`recover`): hierarchy and sibling differencing, window totals and
period sums are all linear equations over the hidden values, solved together: a hidden
value is recovered when the equations determine it (it has no freedom in their null
space), or when bounds (every count is at least 0) pin it to one number.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
import mapbox_vector_tile
import numpy as np

Key = tuple[str, str, str, str]  # (indicator, quantity, area code, period)
Weighted = tuple[tuple[Key, float], ...]  # sum(weight * member)
Rows = list[tuple[dict[int, float], float]]  # sum(coefficient * unknown) = constant
QUANTITIES = ("value", "numerator", "denominator")
MAP_PERIODS = 6  # maps show what observations show: a few periods each, where values hide


@dataclass
class Knowledge:
    known: dict[Key, float] = field(default_factory=dict)
    hidden: set[Key] = field(default_factory=set)
    # total - sum(members) = 0, or sum(members) = constant when total is a number
    relations: list[tuple[Key | float, tuple[Key, ...]]] = field(default_factory=list)
    aliases: dict[Key, Key] = field(default_factory=dict)
    routes: set[str] = field(default_factory=set)  # those that showed a value or a hidden one
    # total - sum(weight * member) = 0: carried values (see OverlayLink)
    weighted: list[tuple[Key, Weighted]] = field(default_factory=list)

    def canonical(self, key: Key) -> Key:
        return self.aliases.get(key, key)

    def learn(self, key: Key, value: Any, route: str) -> None:
        if value is None or value == "":
            return
        number = float(value)
        if math.isfinite(number):
            self.known[self.canonical(key)] = number
            self.routes.add(route)

    def hide(self, key: Key, route: str) -> None:
        self.hidden.add(self.canonical(key))
        self.routes.add(route)


@dataclass(frozen=True)
class OverlayLink:
    """A small area's share of its people in an area of a type it does not nest in."""

    target: str  # the area's code (a ward's, a committee's)
    source: str  # the small area's code
    share: float
    best: bool  # the target holds most of the small area's people


def protected(catalogue: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Indicators with a disclosure threshold, and those computed from one."""
    small = {i["code"] for i in catalogue if i["disclosure_threshold"]}
    return [i for i in catalogue if i["code"] in small or i.get("numerator") in small]


def leaks(recovered: dict[Key, float], truth: dict[Key, float]) -> dict[Key, float]:
    """Recovered values that are the true ones (not guesses)."""
    return {k: v for k, v in recovered.items() if k in truth and abs(truth[k] - v) < 0.5}


# --- gathering ------------------------------------------------------------------------------


def gather(
    client: httpx.Client,
    indicators: Sequence[dict[str, Any]],
    profile_areas: int = 25,
    overlay: Sequence[OverlayLink] = (),
) -> Knowledge:
    """What the public can read of ``indicators`` (catalogue entries) on every route
    (and, given the ``overlay``, how carried values were made)."""
    k = Knowledge()
    types = [t["code"] for t in _json(client, "/api/area-types")]
    parents: dict[str, str] = {}
    type_of: dict[str, str] = {}
    for type_code in types:
        body = _json(client, f"/api/areas?type={type_code}&simplify=3")
        for feature in body["features"]:
            props = feature["properties"]
            type_of[props["code"]] = type_code
            if props.get("parent"):
                parents[props["code"]] = props["parent"]
    periods_of: dict[str, set[str]] = defaultdict(set)
    for ind in indicators:
        for type_code in types:
            _observations(client, k, ind, type_code, periods_of)
    _alias_derived(k, indicators)
    layers = [c["id"] for c in _json(client, "/ogc/collections")["collections"]]
    for ind in indicators:
        code = ind["code"]
        for type_code in types:
            hidden = sorted(
                {p for c, _, a, p in k.hidden if c == code and type_of.get(a) == type_code}
            )
            for period in (hidden or sorted(periods_of[code]))[-MAP_PERIODS:]:
                _map_values(client, k, ind, type_code, period)
                _compare(client, k, ind, type_code, period)
        _ogc_items(client, k, ind, layers)
        _download(client, k, ind)
        if periods_of[code]:
            _export_html(client, k, ind, max(periods_of[code]))
        _tiles(client, k, ind)
    _alerts(client, k, indicators)
    groups = _imd_quintiles(client, types)
    hidden_areas = sorted({key[2] for key in k.hidden})[:profile_areas]
    # A published area's similar areas and its own value give its group's total.
    published: dict[tuple[str, int], int] = {}
    for area, group in sorted(groups.items()):
        if area not in hidden_areas and published.get(group, 0) < 2:
            published[group] = published.get(group, 0) + 1
            hidden_areas.append(area)
    for area in hidden_areas:
        _profile(client, k, area, {i["code"]: i for i in indicators}, groups)
    _hierarchy(k, parents, type_of, {i["code"]: i for i in indicators})
    _carried(k, overlay, {i["code"]: i for i in indicators})
    return k


def truth(client: httpx.Client, indicators: Sequence[dict[str, Any]]) -> dict[Key, float]:
    """Every value as a partner reads it (to tell a recovered value from a guess)."""
    out: dict[Key, float] = {}
    for type_code in [t["code"] for t in _json(client, "/api/area-types")]:
        for ind in indicators:
            url = f"/api/observations?indicator={ind['code']}&type={type_code}"
            for o in _json(client, url)["observations"]:
                for q in _quantities(ind):
                    if o[q] is not None:
                        out[(ind["code"], q, o["area_code"], o["period"])] = float(o[q])
    return out


def _json(client: httpx.Client, url: str, **kw: Any) -> Any:
    response = client.get(url, **kw)
    assert response.status_code == 200, (url, response.status_code, response.text[:300])
    return response.json()


def _quantities(ind: dict[str, Any]) -> tuple[str, ...]:
    return ("value",) if ind["value_type"] == "count" else QUANTITIES


def _observations(
    client: httpx.Client,
    k: Knowledge,
    ind: dict[str, Any],
    type_code: str,
    periods_of: dict[str, set[str]],
) -> None:
    code = ind["code"]
    url = f"/api/observations?indicator={code}&type={type_code}"
    body = _json(client, url)
    for o in body["observations"]:
        periods_of[code].add(o["period"])
        _learn_row(k, ind, o["area_code"], o["period"], o, o["suppressed"], "observations")
    response = client.get(url, headers={"Accept": "text/csv"})
    assert response.status_code == 200, response.text[:300]
    for r in csv.DictReader(io.StringIO(response.text)):
        _learn_row(k, ind, r["area_code"], r["period"], r, r["suppressed"] == "True", "csv")


def _learn_row(
    k: Knowledge,
    ind: dict[str, Any],
    area: str,
    period: str,
    row: Any,
    suppressed: bool,
    route: str,
) -> None:
    for q in _quantities(ind):
        key = (ind["code"], q, area, period)
        if suppressed:
            k.hide(key, route)
        else:
            k.learn(key, row.get(q), route)


def _alias_derived(k: Knowledge, indicators: Sequence[dict[str, Any]]) -> None:
    """A rate's numerator is its count (same period type): one unknown, not two."""
    by_code = {i["code"]: i for i in indicators}
    for ind in indicators:
        num = by_code.get(ind.get("numerator") or "")
        if num is None or num["period_type"] != ind["period_type"]:
            continue
        for key in list(k.known) + list(k.hidden):
            if key[0] == ind["code"] and key[1] == "numerator":
                k.aliases[key] = (num["code"], "value", key[2], key[3])
    for key in [key for key in k.known if key in k.aliases]:
        k.known.setdefault(k.aliases[key], k.known.pop(key))
    k.hidden = {k.canonical(key) for key in k.hidden}


def _map_values(
    client: httpx.Client, k: Knowledge, ind: dict[str, Any], type_code: str, period: str
) -> None:
    code = ind["code"]
    response = client.get(f"/api/maps/{code}?type={type_code}&period={period}&geometry=false")
    if response.status_code != 200:
        return
    for area, p in response.json()["areas"].items():
        _learn_feature(k, code, {**p, "code": area, "period": period}, "maps")


def _compare(
    client: httpx.Client, k: Knowledge, ind: dict[str, Any], type_code: str, period: str
) -> None:
    """Every area of the type as the compare-areas view bars it (value and interval)."""
    code = ind["code"]
    response = client.get(f"/api/indicators/{code}/compare?type={type_code}&period={period}")
    if response.status_code != 200:
        return
    for area in response.json()["areas"]:
        status = "suppressed" if area["suppressed"] else None
        _learn_feature(k, code, {**area, "period": period, "status": status}, "compare")


def _learn_feature(k: Knowledge, code: str, props: dict[str, Any], route: str) -> None:
    """An area's value as a map, a layer or a download shows it (with its status)."""
    key = (code, "value", props["code"], props["period"])
    if props.get("status") == "suppressed":
        k.hide(key, route)
    else:
        k.learn(key, props.get("value"), route)


def _ogc_items(client: httpx.Client, k: Knowledge, ind: dict[str, Any], layers: list[str]) -> None:
    """The indicator's OGC layers (their newest period): one per area type."""
    code = ind["code"]
    for layer in [layer for layer in layers if layer.split(".")[0] == code]:
        response = client.get(f"/ogc/collections/{layer}/items?limit=1000")
        if response.status_code != 200:
            continue
        for f in response.json()["features"]:
            _learn_feature(k, code, f["properties"], "ogc")


def _download(client: httpx.Client, k: Knowledge, ind: dict[str, Any]) -> None:
    """The layer's downloads, as CSV and as GeoJSON, of the newest period and of all."""
    code = ind["code"]
    response = client.get(f"/api/downloads/{code}.csv")
    if response.status_code == 200:
        for r in csv.DictReader(io.StringIO(response.text)):
            _learn_feature(k, code, r, "downloads")
    response = client.get(f"/api/downloads/{code}.geojson")
    if response.status_code == 200:
        for f in response.json()["features"]:
            _learn_feature(k, code, f["properties"], "downloads.geojson")
    # Every period in one file (the wide layout is the long one's values, pivoted).
    response = client.get(f"/api/downloads/{code}.csv", params={"periods": "all"})
    if response.status_code == 200:
        for r in csv.DictReader(io.StringIO(response.text)):
            _learn_feature(k, code, r, "downloads.all")


_GEOJSON_PROPS = re.compile(r'"properties":\s*(\{[^{}]*\})')


def _export_html(client: httpx.Client, k: Knowledge, ind: dict[str, Any], period: str) -> None:
    """The values in the HTML export's tooltips (of one period, which they do not repeat)."""
    response = client.get(f"/api/maps/{ind['code']}/export.html", params={"period": period})
    if response.status_code != 200:
        return
    for match in _GEOJSON_PROPS.finditer(response.text):
        try:
            props = json.loads(match.group(1))
        except ValueError:
            continue
        if "code" in props and "status" in props:
            _learn_feature(k, ind["code"], {**props, "period": period}, "export.html")


def _tiles(client: httpx.Client, k: Knowledge, ind: dict[str, Any]) -> None:
    tilejson = client.get(f"/tiles/{ind['code']}.json")
    if tilejson.status_code != 200:
        return
    bounds = tilejson.json().get("bounds") or [-1.8, 53.3, -1.3, 53.5]
    z = 11
    x0, y1 = _tile_of(bounds[0], bounds[1], z)
    x1, y0 = _tile_of(bounds[2], bounds[3], z)
    for x in range(x0, x1 + 1):
        for y in range(y0, y1 + 1):
            response = client.get(f"/tiles/{ind['code']}/{z}/{x}/{y}.mvt")
            if response.status_code != 200 or not response.content:
                continue
            for layer in mapbox_vector_tile.decode(response.content).values():
                for f in layer["features"]:
                    props = f["properties"]
                    if "period" in props:
                        _learn_feature(k, ind["code"], props, "tiles")


def _tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def _alerts(client: httpx.Client, k: Knowledge, indicators: Sequence[dict[str, Any]]) -> None:
    codes = {i["code"] for i in indicators}
    for alert in _json(client, "/api/alerts?limit=1000")["alerts"]:
        k.routes.add("alerts")
        stats = alert["stats"]
        for code in alert["indicators"]:
            if code not in codes or alert["area_code"] is None:
                continue
            s = stats["indicators"][code] if "indicators" in stats else stats
            window = (s.get("window") or {}).get("recent")
            if window and s.get("observed") is not None:
                members = tuple((code, "value", alert["area_code"], p) for p in window)
                k.relations.append((float(s["observed"]), members))


def _imd_quintiles(client: httpx.Client, types: list[str]) -> dict[str, tuple[str, int]]:
    """Each ranked area's (type, city-own IMD quintile), 0 the most deprived, from the
    public IMD ranks of the newest period."""
    out: dict[str, tuple[str, int]] = {}
    for type_code in types:
        response = client.get(f"/api/observations?indicator=imd_rank&type={type_code}")
        if response.status_code != 200:
            continue
        rows = [o for o in response.json()["observations"] if o["value"] is not None]
        newest = max((o["period"] for o in rows), default=None)
        ranked = sorted((o["value"], o["area_code"]) for o in rows if o["period"] == newest)
        for position, (_, area) in enumerate(ranked):
            out[area] = (type_code, position * 5 // len(ranked))
    return out


def _similar(
    k: Knowledge,
    ind: dict[str, Any],
    area: str,
    entry: dict[str, Any],
    groups: dict[str, tuple[str, int]],
) -> None:
    """The similar areas' summed numerator and denominator: sums over the others of
    the area's group (when every one of them was counted)."""
    similar = entry.get("similar") or {}
    if "numerator" not in similar or area not in groups:
        return
    k.routes.add("similar")
    others = [a for a, g in groups.items() if g == groups[area] and a != area]
    if similar["areas"] != len(others):
        return
    counted = ind["value_type"] == "count"
    for quantity in ("numerator",) if counted else ("numerator", "denominator"):
        q = "value" if counted else quantity
        members = tuple((ind["code"], q, a, entry["period"]) for a in others)
        k.relations.append((float(similar[quantity]), members))


def _profile(
    client: httpx.Client,
    k: Knowledge,
    area: str,
    indicators: dict[str, dict[str, Any]],
    groups: dict[str, tuple[str, int]],
) -> None:
    response = client.get(f"/api/areas/{area}/profile")
    if response.status_code != 200:
        return
    for entry in response.json()["indicators"]:
        code = entry["indicator"]["code"]
        if code not in indicators:
            continue
        _similar(k, indicators[code], area, entry, groups)
        key = (code, "value", area, entry["period"])
        if entry["suppressed"]:
            k.hide(key, "profiles")
        else:
            for q in QUANTITIES:
                k.learn((code, q, area, entry["period"]), entry.get(q), "profiles")
        if entry.get("window"):
            _window_totals(k, indicators[code], area, entry)
        latest = entry.get("latest_month")
        if latest and not latest["suppressed"]:
            for q in QUANTITIES:
                k.learn((code, q, area, latest["period"]), latest.get(q), "profiles")
        for point in entry["series"]:
            if point["value"] is not None:
                k.learn((code, "value", area, point["period"]), point["value"], "profiles")


def _months(first: str, count: int) -> list[str]:
    year, month = (int(x) for x in first.split("-"))
    out = []
    for _ in range(count):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _window_totals(k: Knowledge, ind: dict[str, Any], area: str, entry: dict[str, Any]) -> None:
    """A profile's 12-month headline: a count's is the sum of its months; a rate's
    numerator the sum of theirs and its denominator their mean; a percentage's both sums."""
    code, window = ind["code"], entry["window"]
    months = _months(window["from"], window["months"])
    label = entry["period"]
    weights = {"value": 1.0} if ind["value_type"] == "count" else {"numerator": 1.0}
    if ind["value_type"] != "count":
        weights["denominator"] = 1.0 / len(months) if ind["value_type"] == "rate" else 1.0
    for q, w in weights.items():
        total = (code, q, area, label)
        k.weighted.append((total, tuple(((code, q, area, m), w) for m in months)))


def _hierarchy(
    k: Knowledge,
    parents: dict[str, str],
    type_of: dict[str, str],
    indicators: dict[str, dict[str, Any]],
) -> None:
    """Each area's count (numerator, denominator) is the sum of its children's, per type
    below and per period."""
    cells = set(k.known) | k.hidden
    groups: dict[tuple[Key, str], list[Key]] = defaultdict(list)
    for key in cells:
        code, q, area, period = key
        if code in indicators and q == "value" and indicators[code]["value_type"] != "count":
            continue  # rates and means do not add up
        parent = parents.get(area)
        while parent is not None and (code, q, parent, period) not in cells:
            parent = parents.get(parent)
        if parent is not None:
            groups[((code, q, parent, period), type_of.get(area, "?"))].append(key)
    for (total, _), members in groups.items():
        k.relations.append((total, tuple(members)))


def _carried(
    k: Knowledge, overlay: Sequence[OverlayLink], indicators: dict[str, dict[str, Any]]
) -> None:
    """Each carried count (numerator, denominator) is its small areas' shared out."""
    into: dict[str, list[OverlayLink]] = defaultdict(list)
    for link in overlay:
        into[link.target].append(link)
    for key in sorted(set(k.known) | k.hidden):
        code, q, area, period = key
        ind = indicators.get(code)
        if area not in into or ind is None:
            continue
        if q == "value" and ind["value_type"] != "count":
            continue  # a rate is recomputed from its carried counts, never shared out
        how = ind.get("apportionment") or "population"
        if how == "none":
            continue
        members = tuple(
            (k.canonical((code, q, link.source, period)), 1.0 if how == "best_fit" else link.share)
            for link in into[area]
            if how != "best_fit" or link.best
        )
        k.weighted.append((key, members))


# --- attacking ------------------------------------------------------------------------------


def recover(k: Knowledge) -> dict[Key, float]:
    """Hidden values the attacker can work out, with the values worked out."""
    unknown = sorted(k.hidden - set(k.known))
    direct = {key: k.known[key] for key in k.hidden if key in k.known}
    index = {key: i for i, key in enumerate(unknown)}
    rows: Rows = []
    relations = [(t, tuple((m, 1.0) for m in ms)) for t, ms in k.relations] + k.weighted
    for total, members in relations:
        # sum(coeffs[i] * x_i) = constant, from total - sum(w * members) = 0 (or = a number)
        terms = [(-w, m) for m, w in members]
        constant = -total if isinstance(total, float) else 0.0
        if not isinstance(total, float):
            terms.append((1.0, total))
        coeffs: dict[int, float] = defaultdict(float)
        usable = True
        for sign, key in terms:
            key = k.canonical(key)
            if key in index:
                coeffs[index[key]] += sign
            elif key in k.known:
                constant -= sign * k.known[key]
            else:
                usable = False  # a value nobody has: the relation tells nothing
        coeffs = {i: c for i, c in coeffs.items() if c != 0}
        if usable and coeffs:
            rows.append((coeffs, constant))
    found = dict(direct)
    found.update(_solve_linear(rows, unknown))
    found.update(_solve_bounds(rows, unknown))
    return found


def _components(rows: Rows, n: int) -> list[list[int]]:
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for coeffs, _ in rows:
        first, *rest = coeffs
        for other in rest:
            parent[root(other)] = root(first)
    groups: dict[int, list[int]] = defaultdict(list)
    for r, (coeffs, _) in enumerate(rows):
        groups[root(next(iter(coeffs)))].append(r)
    return list(groups.values())


def _solve_linear(
    rows: list[tuple[dict[int, float], float]], unknown: list[Key]
) -> dict[Key, float]:
    out: dict[Key, float] = {}
    for group in _components(rows, len(unknown)):
        cols = sorted({c for r in group for c in rows[r][0]})
        where = {c: j for j, c in enumerate(cols)}
        a = np.zeros((len(group), len(cols)))
        b = np.zeros(len(group))
        for i, r in enumerate(group):
            for c, v in rows[r][0].items():
                a[i, where[c]] = v
            b[i] = rows[r][1]
        solution, *_ = np.linalg.lstsq(a, b, rcond=None)
        _, s, vt = np.linalg.svd(a)
        rank = int(np.sum(s > 1e-9))
        null = vt[rank:].T  # columns span the null space
        for j, c in enumerate(cols):
            if null.shape[1] == 0 or np.allclose(null[j], 0, atol=1e-9):
                out[unknown[c]] = float(solution[j])
    return out


def _solve_bounds(
    rows: list[tuple[dict[int, float], float]], unknown: list[Key]
) -> dict[Key, float]:
    """Interval propagation with every count at least 0."""
    lo = np.zeros(len(unknown))
    hi = np.full(len(unknown), np.inf)
    for _ in range(30):
        changed = False
        for coeffs, constant in rows:
            for i, ci in coeffs.items():
                rest_lo = rest_hi = 0.0
                for j, cj in coeffs.items():
                    if j == i:
                        continue
                    ends = (cj * lo[j], cj * hi[j])
                    rest_lo += min(ends)
                    rest_hi += max(ends)
                # ci * x_i = constant - rest
                bounds = sorted(((constant - rest_hi) / ci, (constant - rest_lo) / ci))
                new_lo, new_hi = max(lo[i], bounds[0]), min(hi[i], bounds[1])
                if new_lo > lo[i] + 1e-9 or new_hi < hi[i] - 1e-9:
                    lo[i], hi[i] = new_lo, new_hi
                    changed = True
        if not changed:
            break
    return {unknown[i]: float(lo[i]) for i in range(len(unknown)) if hi[i] - lo[i] < 1e-6}
