// Fails unless the solidity-coverage summary meets the thresholds (run after `npx hardhat coverage`).
const fs = require("fs");
const path = require("path");

const THRESHOLDS = { lines: 98, branches: 90 };
const file = path.join(__dirname, "..", "coverage", "coverage-summary.json");

if (!fs.existsSync(file)) {
  console.error(`${file} is missing: run \`npx hardhat coverage\` first (.solcover.js enables the json-summary reporter)`);
  process.exit(1);
}
const { total } = JSON.parse(fs.readFileSync(file, "utf8"));
let failed = false;
for (const [metric, minimum] of Object.entries(THRESHOLDS)) {
  const pct = total[metric].pct;
  const ok = pct >= minimum;
  failed ||= !ok;
  console.log(`${metric.padEnd(9)} ${String(pct).padStart(6)} %  (minimum ${minimum} %)  ${ok ? "ok" : "TOO LOW"}`);
}
process.exit(failed ? 1 : 0);
