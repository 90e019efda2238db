// solidity-coverage: the test-only contracts and the gas reference are not product code. The
// 10,000-step invariant test is left out of the instrumented run, where it would take many
// minutes; `npx hardhat test` runs it on the plain build.
module.exports = {
  skipFiles: ["test/", "reference/"],
  istanbulReporter: ["html", "json-summary", "text-summary", "text"],
  mocha: { grep: "invariants under random operations", invert: true },
};
