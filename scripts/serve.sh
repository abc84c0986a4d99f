#!/usr/bin/env bash
# Serves the site on http://127.0.0.1:8080 with live rebuilds, installing the tools it
# needs on a fresh machine first.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup-site.sh
export PATH="$PWD/e2e/node_modules/.bin:$PATH"
exec trunk serve "$@"
