// Fails unless the solidity-coverage summary meets the thresholds, in total and for every product
// contract on its own (a well-tested contract must not hide a poorly tested one), and unless every
// product contract was measured at all. Run after `npx hardhat coverage`; .solcover.js leaves the
// test-only contracts and the gas reference out.
const fs = require("fs");
const path = require("path");

const THRESHOLDS = { lines: 98, branches: 90 };
/** The contracts that are deployed: each must appear in the summary. */
const PRODUCT = ["JobMarket.sol", "AuditCourt.sol", "StakingVault.sol", "ComputeToken.sol", "seed/BlockHashSeedSource.sol"];
const file = path.join(__dirname, "..", "coverage", "coverage-summary.json");

if (!fs.existsSync(file)) {
  console.error(`${file} is missing: run \`npx hardhat coverage\` first (.solcover.js enables the json-summary reporter)`);
  process.exit(1);
}
const summary = JSON.parse(fs.readFileSync(file, "utf8"));
const files = Object.keys(summary).filter((k) => k !== "total");
// keys are paths, relative or absolute: name a file by its path under contracts/
const nameOf = (k) => k.split(path.sep).join("/").replace(/^(.*\/)?contracts\//, "");

let failed = false;
for (const product of PRODUCT) {
  if (!files.some((k) => nameOf(k) === product)) {
    failed = true;
    console.log(`contracts/${product} was not measured  TOO LOW`);
  }
}
const rows = [["total", summary.total], ...files.map((k) => [`contracts/${nameOf(k)}`, summary[k]])];
for (const [name, entry] of rows) {
  // a file without lines or branches (an interface, the job types) has nothing to miss
  const cells = Object.entries(THRESHOLDS).map(([metric, minimum]) => {
    const { total, pct } = entry[metric];
    const ok = total === 0 || pct >= minimum;
    failed ||= !ok;
    return `${metric} ${String(total === 0 ? "-" : pct).padStart(6)} %${ok ? "" : ` (minimum ${minimum} %) TOO LOW`}`;
  });
  console.log(`${name.padEnd(42)} ${cells.join("   ")}`);
}
console.log(`minimum: ${Object.entries(THRESHOLDS).map(([m, v]) => `${m} ${v} %`).join(", ")}, in total and per file`);
process.exit(failed ? 1 : 0);
