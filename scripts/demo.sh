#!/usr/bin/env bash
# The README's first command: sets up what a fresh clone needs (npm packages, the .NET build) and
# runs the whole network in one process tree with `exchange demo`. Arguments go to `exchange demo`,
# e.g. scripts/demo.sh --tasks 40 --json, or scripts/demo.sh --lazy-verifier (a lazy verifier that
# the canary service catches: the run fails unless it is penalised and the supply conserved).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Only a missing install is made: `npm ci` deletes node_modules first, which must never happen to
# a node_modules that is a link to a folder other checkouts share.
if [ ! -L node_modules ] && [ ! -f node_modules/.package-lock.json ]; then
  echo "== npm ci" >&2
  npm ci --no-audit --no-fund >&2
fi

echo "== dotnet build" >&2
dotnet build src/Exchange.Cli -c Release --nologo -v quiet >&2

exec dotnet src/Exchange.Cli/bin/Release/net10.0/exchange.dll demo "$@"
