#!/usr/bin/env bash
# Install the front-end files from the npm registry (exact versions from package-lock.json) and
# copy what the built book serves into assets/vendor (listed in html_static_path): MathJax 3,
# require.js and the Jupyter widget manager. Nothing is loaded from a CDN.
set -euo pipefail
cd "$(dirname "$0")/../assets"
npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
rm -rf vendor && mkdir -p vendor/html-manager vendor/@jupyter-widgets/html-manager/dist
cp -r node_modules/mathjax/es5 vendor/mathjax
cp node_modules/requirejs/require.js vendor/require.min.js
dist=node_modules/@jupyter-widgets/html-manager/dist
cp "$dist"/embed-amd.js vendor/html-manager/
# its fonts, where it looks for them: <require.js baseUrl>/@jupyter-widgets/html-manager/dist/
cp "$dist"/*.woff* "$dist"/*.ttf "$dist"/*.eot "$dist"/*.svg vendor/@jupyter-widgets/html-manager/dist/
echo "assets/vendor: $(du -sh vendor | cut -f1)"
