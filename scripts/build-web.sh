#!/usr/bin/env bash
# Builds the web UI (web/ → web/dist, served by the gateway) with the npm packages pinned in
# web/package-lock.json: `npm ci` when the lock file changed, `vite build` when a source changed.
# Nothing is fetched at run time; the gateway serves the built files.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
web=$root/web
cd "$web"
lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat node_modules/.appealhub-lock 2>/dev/null)" != "$lock_sum" ]; then
  echo "build-web: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_sum" >node_modules/.appealhub-lock
fi
src_sum=$( (echo "$lock_sum"; { find index.html vite.config.js src public -type f 2>/dev/null || true; } | sort | xargs sha256sum) | sha256sum | cut -d' ' -f1)
if [ "$(cat dist/.appealhub-src 2>/dev/null)" != "$src_sum" ] || [ ! -f dist/index.html ]; then
  echo "build-web: vite build"
  npx --no-install vite build --logLevel warn
  echo "$src_sum" >dist/.appealhub-src
else
  echo "build-web: web/dist is up to date"
fi
