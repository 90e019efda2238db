#!/usr/bin/env bash
# Runs every test of the project: contracts (lint, tests under coverage with thresholds, gas report),
# then the .NET solution. Installs what is missing first, so it works on a fresh clone.
#
#   scripts/test.sh          everything (what CI runs)
#   scripts/test.sh --fast   a developer's lane: the contract tests without coverage, the invariant,
#                            economics and gas runs, and the .NET tests not marked [Trait("Lane", "Slow")]
#                            (those that start a Hardhat chain, a process or a browser, or take seconds)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

fast=false
case "${1:-}" in
  "") ;;
  --fast) fast=true ;;
  *) echo "usage: scripts/test.sh [--fast]" >&2; exit 2 ;;
esac

step() { printf '\n== %s\n' "$*"; }

# Install only when nothing is installed: a linked node_modules (a git worktree sharing another
# checkout's) must never be reinstalled from here, and CI's .ci/run has already run `npm ci`.
if [ ! -L node_modules ] && [ ! -f node_modules/.package-lock.json ]; then
  step "npm ci"
  npm ci --no-audit --no-fund
fi

step "compile contracts"
npx hardhat compile

# The C# bindings are generated from these artifacts and committed: fail fast when they are stale.
step "bindings up to date"
node scripts/gen-bindings.js --check

step "solhint"
npx solhint 'contracts/**/*.sol'

if $fast; then
  step "contract tests (no coverage; invariant and economics are left to the full run)"
  npx hardhat test $(find tests/contracts -name '*.test.js' ! -name invariant.test.js ! -name economics.test.js | sort)
  lane=(--filter "Lane!=Slow")
else
  step "contract tests under coverage"
  npx hardhat coverage
  node scripts/check-coverage.js

  # The 10,000-step invariant test and the economics test run uninstrumented: under coverage they
  # would take many minutes.
  step "contract invariant test"
  npm run test:invariant

  step "contract economics test"
  npx hardhat test tests/contracts/economics.test.js

  step "gas report"
  npx hardhat run scripts/gas.js
  lane=()
fi

step "dotnet build"
dotnet build Exchange.sln -c Release --nologo -v minimal

step "dotnet test${lane[*]:+ (fast lane)}"
dotnet test Exchange.sln -c Release --no-build --nologo -v minimal "${lane[@]}"
