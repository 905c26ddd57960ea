#!/usr/bin/env bash
# Vendor the web page's libraries from npm into frontend/vendor/ (committed), so that the
# page loads nothing from the internet. Run after changing frontend/package.json.
set -euo pipefail
cd "$(dirname "$0")/../frontend"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp package.json "$work/"
[ -f package-lock.json ] && cp package-lock.json "$work/"
(cd "$work" && npm install --no-audit --no-fund --silent)
cp "$work/package-lock.json" .
rm -rf vendor/leaflet
mkdir -p vendor/leaflet
cp -r "$work/node_modules/leaflet/dist/leaflet.js" "$work/node_modules/leaflet/dist/leaflet.css" \
      "$work/node_modules/leaflet/dist/images" "$work/node_modules/leaflet/LICENSE" vendor/leaflet/
echo "vendored: leaflet $(node -p "require('$work/node_modules/leaflet/package.json').version")"
