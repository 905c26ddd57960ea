import assert from "node:assert/strict";
import { test } from "node:test";

import {
  AUTH, alertPath, allPeriodsPath, areaNamesPath, areaPath, areasPath, csvName, deprivationPath, downloadPaths, gapPath,
  geojsonName, profilePath, seriesPath,
  ssoStartPath, tileJsonPath, valuesPath,
} from "../lib/paths.js";
import { DEFAULT_VIEW } from "../lib/view.js";

const view = { ...DEFAULT_VIEW, indicator: "burglary", type: "lsoa", period: "2023-06", classes: 4 };

/** @param {string} path */
const query = (path) => Object.fromEntries(new URLSearchParams(path.split("?")[1]));

test("a view's values are asked for without geometries", () => {
  const path = valuesPath(view);
  assert.ok(path.startsWith("api/maps/burglary?"));
  assert.deepEqual(query(path), { type: "lsoa", scheme: "quantiles", classes: "4", period: "2023-06", geometry: "false" });
  assert.equal(query(valuesPath({ ...view, period: null })).period, undefined, "no period: the newest");
});

test("path segments are encoded", () => {
  assert.ok(valuesPath({ ...view, indicator: "a/b?c" }).startsWith("api/maps/a%2Fb%3Fc?"));
  assert.equal(profilePath("E01/../x"), "api/areas/E01%2F..%2Fx/profile");
  assert.equal(tileJsonPath("l s"), "tiles/l%20s.json");
  assert.equal(areaNamesPath("lsoa"), "api/area-types/lsoa/names");
});

test("downloads and exports share the view's query", () => {
  const links = downloadPaths(view);
  assert.equal(links.geojson, "api/maps/burglary?type=lsoa&scheme=quantiles&classes=4&period=2023-06");
  assert.equal(links.html, "api/maps/burglary/export.html?type=lsoa&scheme=quantiles&classes=4&period=2023-06");
  assert.equal(links.png, "api/maps/burglary/export.png?type=lsoa&scheme=quantiles&classes=4&period=2023-06");
  assert.equal(links.csv, "api/observations?indicator=burglary&type=lsoa&period=2023-06");
  assert.equal(csvName(view), "burglary-lsoa-2023-06.csv");
  assert.equal(csvName({ ...view, period: null }), "burglary-lsoa-all.csv");
});

test("every period of a view's layer downloads in one file, long or wide", () => {
  assert.equal(allPeriodsPath(view, "csv"), "api/downloads/burglary.lsoa.csv?periods=all&layout=long");
  assert.equal(allPeriodsPath(view, "gpkg", "wide"), "api/downloads/burglary.lsoa.gpkg?periods=all&layout=wide");
  assert.equal(allPeriodsPath({ ...view, period: null }, "geojson"), allPeriodsPath(view, "geojson"), "whatever the period shown");
  assert.ok(allPeriodsPath({ ...view, indicator: "a/b" }, "csv").startsWith("api/downloads/a%2Fb.lsoa.csv?"));
});

test("big types come at a coarser display level", () => {
  assert.equal(areasPath("lsoa", 345), "api/areas?type=lsoa&simplify=1");
  assert.equal(areasPath("lsoa", 35000), "api/areas?type=lsoa&simplify=3");
});

test("other paths", () => {
  assert.equal(deprivationPath("lsoa"), "api/gaps?area_type=lsoa");
  assert.equal(gapPath("a/b"), "api/gaps/a%2Fb");
  assert.equal(areaPath("E01", "lsoa"), "api/areas/E01?type=lsoa&simplify=1");
  assert.deepEqual(query(seriesPath("burglary", "lsoa", "E01")), { indicator: "burglary", type: "lsoa", area: "E01" });
});

test("single sign-on starts at the server and comes back to the page's path and query", () => {
  const path = ssoStartPath("/", "?lang=cy");
  assert.ok(path.startsWith("api/auth/sso/start?"));
  assert.deepEqual(query(path), { next: "/?lang=cy" });
  assert.deepEqual(query(ssoStartPath("/nis/", "")), { next: "/nis/" });
  // The view in the hash comes back too.
  assert.deepEqual(query(ssoStartPath("/", "", "#indicator=burglary&type=lsoa")), {
    next: "/#indicator=burglary&type=lsoa",
  });
});

test("signing in and out are the server's auth routes, relative to the page", () => {
  assert.deepEqual({ ...AUTH }, {
    session: "api/auth/session", signIn: "api/auth/sign-in", signOut: "api/auth/sign-out",
    signOutEverywhere: "api/auth/sign-out-everywhere",
  });
});

test("the GeoJSON download is saved with its extension, and alerts' records have their paths", () => {
  assert.equal(geojsonName({ indicator: "burglary", type: "lsoa", period: "2023-12" }), "burglary-lsoa-2023-12.geojson");
  assert.equal(geojsonName({ indicator: "burglary", type: "lsoa", period: null }), "burglary-lsoa-latest.geojson");
  assert.equal(alertPath(12, "acknowledgements"), "api/alerts/12/acknowledgements");
});
