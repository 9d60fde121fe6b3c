#!/usr/bin/env bash
# Runs before `npm start` and `npm test`: installs the locked dependencies when they are missing or
# older than package-lock.json, so both commands work on a fresh clone. (The Temporal CLI is found
# or built on demand by scripts/temporal-cli.sh.)
set -euo pipefail
cd "$(dirname "$0")/.."
marker="node_modules/.package-lock.json"
if [ ! -f "$marker" ] || [ package-lock.json -nt "$marker" ]; then
  echo "Installing dependencies (npm ci)..." >&2
  npm ci --no-audit --no-fund >&2
fi
