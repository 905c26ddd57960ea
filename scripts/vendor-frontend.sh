#!/usr/bin/env bash
# Vendor the web page's libraries from npm into frontend/vendor/ (committed), so that the
# page loads nothing from the internet. Run after changing frontend/package.json.
#   leaflet                 the map (a classic script: window.L)
#   @mapbox/vector-tile     decodes the area types' vector tiles (an ES module); it imports
#   @mapbox/point-geometry  by its bare name, and the page gives it pbf's reader: index.html's
#   pbf                     import map points those names at the files copied here
#   swagger-ui-dist         the OpenAPI page at /docs (app/security_headers.py): its bundle,
#                           its stylesheet and a favicon, with the licences of what it bundles
# No package's install scripts run (--ignore-scripts, here and in `make jstest`'s npm ci):
# swagger-ui-dist depends on @scarf/scarf, whose postinstall reports the installation to
# scarf.sh, and nothing vendored needs one. package.json's scarfSettings turns that report
# off for a plain `npm install` too.
set -euo pipefail
cd "$(dirname "$0")/../frontend"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp package.json "$work/"
[ -f package-lock.json ] && cp package-lock.json "$work/"
(cd "$work" && npm install --no-audit --no-fund --silent --ignore-scripts)
cp "$work/package-lock.json" .
modules="$work/node_modules"
version() { node -p "require('$modules/$1/package.json').version"; }

rm -rf vendor/leaflet vendor/vector-tile vendor/point-geometry vendor/pbf vendor/swagger-ui
mkdir -p vendor/leaflet vendor/vector-tile vendor/point-geometry vendor/pbf vendor/swagger-ui
cp -r "$modules/leaflet/dist/leaflet.js" "$modules/leaflet/dist/leaflet.css" \
      "$modules/leaflet/dist/images" "$modules/leaflet/LICENSE" vendor/leaflet/
# The ES modules as published (no build step): each package's index.js and its licence.
cp "$modules/@mapbox/vector-tile/index.js" "$modules/@mapbox/vector-tile/LICENSE.txt" \
   vendor/vector-tile/
cp "$modules/@mapbox/point-geometry/index.js" "$modules/@mapbox/point-geometry/LICENSE" \
   vendor/point-geometry/
cp "$modules/pbf/index.js" "$modules/pbf/LICENSE" vendor/pbf/
# Swagger UI's one-file build (React and its other libraries inside, their licences in
# the .LICENSE.txt beside it), as FastAPI's page loads it from a CDN; not its source maps.
swagger="$modules/swagger-ui-dist"
cp "$swagger/swagger-ui-bundle.js" "$swagger/swagger-ui-bundle.js.LICENSE.txt" \
   "$swagger/swagger-ui.css" "$swagger/favicon-32x32.png" "$swagger/LICENSE" "$swagger/NOTICE" \
   vendor/swagger-ui/
echo "vendored: leaflet $(version leaflet), @mapbox/vector-tile $(version @mapbox/vector-tile)," \
     "@mapbox/point-geometry $(version @mapbox/point-geometry), pbf $(version pbf)," \
     "swagger-ui-dist $(version swagger-ui-dist)"
