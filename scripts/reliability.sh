#!/usr/bin/env bash
# The reliability campaign (docs/reliability.md): a real `npx hardhat node` and the roles as separate
# `exchange` processes, bad inputs through the CLI, the API and the chain, and the property-based
# suites. Arguments go to `exchange reliability`, e.g. scripts/reliability.sh --json, --quick, or
# --only bad-inputs. Prints the report (one JSON object with --json) and exits non-zero when anything
# was lost, duplicated, crashed or accepted.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

source scripts/prepare.sh

exec dotnet src/Exchange.Cli/bin/Release/net10.0/exchange.dll reliability "$@"
