#!/usr/bin/env bash
# The README's first command: sets up what a fresh clone needs (npm packages, the .NET build) and
# runs the whole network in one process tree with `exchange demo`. Arguments go to `exchange demo`,
# e.g. scripts/demo.sh --tasks 40 --json, or scripts/demo.sh --lazy-verifier (a lazy verifier that
# the canary service catches: the run fails unless it is penalised and the supply conserved).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

source scripts/prepare.sh

exec dotnet src/Exchange.Cli/bin/Release/net10.0/exchange.dll demo "$@"
