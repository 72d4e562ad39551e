#!/usr/bin/env bash
# Re-fetch the pinned front-end libraries from the npm registry into static/vendor/ (committed:
# government intranets have no CDN and `make run` needs no npm). Versions: static/vendor/VERSIONS.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
packages=$(grep -v '^#' static/vendor/VERSIONS.txt | tr '\n' ' ')
(cd "$work" && npm init -y >/dev/null && npm install --no-audit --no-fund $packages >/dev/null)
n="$work/node_modules"
mkdir -p static/vendor/{bootstrap,htmx,echarts,bootstrap-icons/fonts}
cp "$n/bootstrap/dist/css/bootstrap.min.css" "$n/bootstrap/dist/css/bootstrap.min.css.map" \
   "$n/bootstrap/dist/js/bootstrap.bundle.min.js" "$n/bootstrap/dist/js/bootstrap.bundle.min.js.map" static/vendor/bootstrap/
cp "$n/htmx.org/dist/htmx.min.js" static/vendor/htmx/
cp "$n/echarts/dist/echarts.min.js" static/vendor/echarts/
cp "$n/bootstrap-icons/font/bootstrap-icons.min.css" static/vendor/bootstrap-icons/
cp "$n/bootstrap-icons/font/fonts/bootstrap-icons.woff2" "$n/bootstrap-icons/font/fonts/bootstrap-icons.woff" \
   static/vendor/bootstrap-icons/fonts/
echo "vendored: $packages"
