#!/usr/bin/env bash
# Prints the path of a usable Temporal CLI on stdout, building it once if needed.
# Order: $TEMPORAL_CLI -> `temporal` on PATH -> cached build -> `go install` into the cache.
# The pinned version lives here and nowhere else: later tags carry a `replace` directive and
# cannot be go-installed.
set -euo pipefail

TEMPORAL_CLI_VERSION="v1.5.1"
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# RHS_CACHE_DIR lets CI share one build across fresh clones; the default is git-ignored.
cache_dir="${RHS_CACHE_DIR:-$repo_root/.cache}/temporal-cli/$TEMPORAL_CLI_VERSION"
cached_bin="$cache_dir/temporal"

fail() {
  cat >&2 <<MSG
Temporal CLI not found and could not be built ($1).
Install it one of these ways, then run the command again:
  - set TEMPORAL_CLI=/path/to/temporal
  - put a 'temporal' binary on PATH
  - install Go (1.22+) so this script can run:
      go install github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_VERSION
MSG
  exit 1
}

if [ -n "${TEMPORAL_CLI:-}" ]; then
  [ -x "$TEMPORAL_CLI" ] || fail "TEMPORAL_CLI=$TEMPORAL_CLI is not an executable file"
  echo "$TEMPORAL_CLI"; exit 0
fi
if on_path="$(command -v temporal 2>/dev/null)"; then
  echo "$on_path"; exit 0
fi
if [ -x "$cached_bin" ]; then
  echo "$cached_bin"; exit 0
fi

go_bin="$(command -v go 2>/dev/null || true)"
[ -n "$go_bin" ] || { [ -x /usr/local/go/bin/go ] && go_bin=/usr/local/go/bin/go; } || true
[ -n "$go_bin" ] || fail "no 'go' toolchain on PATH"

mkdir -p "$cache_dir"
echo "Building Temporal CLI $TEMPORAL_CLI_VERSION into $cache_dir (first run only, a few minutes)..." >&2
if ! GOBIN="$cache_dir" "$go_bin" install "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_VERSION" >&2; then
  fail "go install failed"
fi
echo "$cached_bin"
