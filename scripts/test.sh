#!/usr/bin/env bash
# Runs every test of the project: contracts (lint, tests under coverage with thresholds, gas report),
# then the .NET solution. Installs what is missing first, so it works on a fresh clone.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

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

step "dotnet build"
dotnet build Exchange.sln -c Release --nologo -v minimal

step "dotnet test"
dotnet test Exchange.sln -c Release --no-build --nologo -v minimal
