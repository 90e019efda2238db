// solidity-coverage: the test-only contracts and the gas reference are not product code. The
// 10,000-step invariant test and the 2,500-job economics test are left out of the instrumented
// run, where they would take many minutes; scripts/test.sh runs them on the plain build.
module.exports = {
  skipFiles: ["test/", "reference/"],
  istanbulReporter: ["html", "json-summary", "text-summary", "text"],
  mocha: { grep: "invariants under random operations|economics: ", invert: true },
};
