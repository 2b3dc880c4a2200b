#!/usr/bin/env bash
# Builds assets/05_plotly-trial-<version>.min.js: plotly.js with only the trace types the
# dashboard draws (scatter, bar, box, heatmap), at the plotly.js version of the project's plotly
# (whose full bundle the meeting pack inlines). Needs Node.js and npm; run it when plotly is
# upgraded, then `make test` (tests/unit/test_assets.py checks version and traces).
#
# Why not the published cartesian bundle: it also carries histograms, contours, violins, pie,
# ternary and world calendars, and is built for ES2016; evaluating it was one 240-330 ms task
# on every first visit (2-core machine), this one 50-130 ms.
set -euo pipefail
cd "$(dirname "$0")/.."
ESBUILD=0.28.2
VERSION=$(.venv/bin/python -c 'from plotly.offline import get_plotlyjs_version as v; print(v())')
TRACES="bar box heatmap"  # scatter is in plotly.js's core
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(
  cd "$work"
  npm init -y >/dev/null
  npm install --no-audit --no-fund --ignore-scripts "plotly.js@$VERSION" "esbuild@$ESBUILD" >/dev/null
  {
    echo "var Plotly = require('plotly.js/lib/core');"
    echo "Plotly.register(["
    for t in $TRACES; do echo "  require('plotly.js/lib/$t'),"; done
    echo "]);"
    echo "module.exports = Plotly;"
  } >entry.js
  # The maplibre stylesheet plotly.js asks for serves map traces only: left out.
  npx esbuild entry.js --bundle --minify --format=iife --global-name=Plotly \
    --define:global=window --define:define.amd=false --loader:.css=empty --target=es2020 \
    --legal-comments=none --log-level=warning \
    --banner:js="/* plotly.js (trial: scatter $TRACES - minified) v$VERSION | (c) Plotly, Inc. | MIT license | built by scripts/build_plotly.sh */" \
    --outfile=bundle.js
)
rm -f assets/05_plotly-*.min.js
cp "$work/bundle.js" "assets/05_plotly-trial-$VERSION.min.js"
echo "assets/05_plotly-trial-$VERSION.min.js: $(wc -c <"assets/05_plotly-trial-$VERSION.min.js") bytes"
