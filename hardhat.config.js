// Hardhat 2 configuration. The compiler comes from the npm `solc` package (soljson.js) rather than
// Hardhat's download, which this network cannot reach; the override also holds under
// solidity-coverage, which calls the same subtask.
const path = require("path");
const { subtask } = require("hardhat/config");
const { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } = require("hardhat/builtin-tasks/task-names");
require("@nomicfoundation/hardhat-toolbox");
require("solidity-coverage");

const SOLC_VERSION = "0.8.30";

subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD).setAction(async (args, hre, runSuper) => {
  if (args.solcVersion !== SOLC_VERSION) return runSuper();
  const solcPkg = require("solc/package.json");
  if (solcPkg.version !== SOLC_VERSION) {
    throw new Error(`npm solc is ${solcPkg.version}, hardhat.config.js expects ${SOLC_VERSION}`);
  }
  return {
    compilerPath: path.join(path.dirname(require.resolve("solc/package.json")), "soljson.js"),
    isSolcJs: true,
    version: SOLC_VERSION,
    longVersion: solcPkg.version,
  };
});

/** @type import('hardhat/config').HardhatUserConfig */
module.exports = {
  solidity: {
    compilers: [{ version: SOLC_VERSION, settings: { evmVersion: "cancun", optimizer: { enabled: true, runs: 10000 } } }],
    // The court is off the per-job hot path (only audited jobs reach it) and close to the
    // 24,576-byte code limit: it is optimised for size rather than for the last gas per call
    // (with the test probe that imports it, which would otherwise compile it at the hot setting).
    overrides: Object.fromEntries(["contracts/AuditCourt.sol", "contracts/test/InvariantProbe.sol"].map((file) => [
      file, { version: SOLC_VERSION, settings: { evmVersion: "cancun", optimizer: { enabled: true, runs: 1000 } } },
    ])),
  },
  paths: {
    sources: "./contracts",
    tests: "./tests/contracts",
    cache: "./cache",
    artifacts: "./artifacts",
  },
  networks: {
    hardhat: { chainId: 31337 },
  },
  mocha: { timeout: 600000 },
};
