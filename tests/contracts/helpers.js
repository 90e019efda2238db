// Shared deployment and signing helpers for the contract tests and scripts/gas.js.
const { ethers } = require("hardhat");

const Status = { None: 0, Created: 1, Submitted: 2, Auditing: 3, Disputed: 4, Settled: 5, Slashed: 6, Expired: 7 };
const Role = { None: 0, Provider: 1, Verifier: 2 };
const BPS = 10_000n;
const ZERO = ethers.ZeroHash;

/** Parameters for local networks (also the documented defaults in docs/contracts.md). */
function defaultParams(overrides = {}) {
  return {
    auditRateBps: 1000,
    auditedTasksPerJob: 4,
    collateralMultiplierBps: 100_000,
    posMarginBps: 500,
    challengeWindow: 600,
    auditWindow: 1800,
    disputeWindow: 3600,
    verificationFeeBps: 500,
    protocolFeeBps: 100,
    auditRewardBps: 5000,
    clientAuditFeeBps: 5000,
    challengerBond: ethers.parseEther("10"),
    committeeSize: 3,
    expiryPenaltyBps: 1000,
    verifierTimeoutPenalty: ethers.parseEther("5"),
    slashClientBps: 4000,
    slashChallengerBps: 3000,
    slashCommitteeBps: 2000,
    ...overrides,
  };
}

const VAULT_LIMITS = {
  minProviderStake: ethers.parseEther("100"),
  minVerifierStake: ethers.parseEther("50"),
  unbondingDelay: 7 * 24 * 3600,
};

/** Deploys token, vault and market with `params`; binds the vault to the market. */
async function deploySystem({ params = defaultParams(), token, treasury } = {}) {
  const [deployer] = await ethers.getSigners();
  if (!token) {
    const Token = await ethers.getContractFactory("ComputeToken");
    token = await Token.deploy(ethers.parseEther("1000000000"));
  }
  const Vault = await ethers.getContractFactory("StakingVault");
  const vault = await Vault.deploy(
    await token.getAddress(),
    VAULT_LIMITS.minProviderStake,
    VAULT_LIMITS.minVerifierStake,
    VAULT_LIMITS.unbondingDelay,
  );
  const Market = await ethers.getContractFactory("JobMarket");
  const market = await Market.deploy(
    await token.getAddress(),
    await vault.getAddress(),
    treasury ?? deployer.address,
    params,
  );
  await vault.setMarket(await market.getAddress());
  return { token, vault, market };
}

async function domain(market, chainId) {
  return {
    name: "Exchange",
    version: "1",
    chainId: chainId ?? (await ethers.provider.getNetwork()).chainId,
    verifyingContract: await market.getAddress(),
  };
}

const OFFER_TYPES = {
  Offer: [
    { name: "provider", type: "address" },
    { name: "modelId", type: "bytes32" },
    { name: "unitPrice", type: "uint256" },
    { name: "maxTasks", type: "uint32" },
    { name: "expiry", type: "uint64" },
    { name: "region", type: "bytes32" },
    { name: "nonce", type: "uint64" },
  ],
};
const RESULT_TYPES = {
  Result: [
    { name: "jobId", type: "uint256" },
    { name: "tasksRoot", type: "bytes32" },
    { name: "resultRoot", type: "bytes32" },
    { name: "outputsHash", type: "bytes32" },
  ],
};

async function signOffer(signer, market, offer, dom) {
  return signer.signTypedData(dom ?? (await domain(market)), OFFER_TYPES, offer);
}

async function signResult(signer, market, result, dom) {
  return signer.signTypedData(dom ?? (await domain(market)), RESULT_TYPES, result);
}

/** The record a job has right after creation. */
function jobRecord({ client, offer, taskCount, tasksRoot, manifestHash, deadline }) {
  return {
    client,
    provider: offer.provider,
    modelId: offer.modelId,
    unitPrice: offer.unitPrice,
    taskCount,
    deadline,
    tasksRoot,
    manifestHash,
    resultRoot: ZERO,
    outputsHash: ZERO,
    submittedAt: 0n,
    submitBlock: 0n,
  };
}

/** The record after a submission mined in `receipt`'s block. */
async function submittedRecord(job, resultRoot, outputsHash, receipt) {
  const block = await ethers.provider.getBlock(receipt.blockNumber);
  return { ...job, resultRoot, outputsHash, submittedAt: BigInt(block.timestamp), submitBlock: BigInt(receipt.blockNumber) };
}

function money(params, unitPrice, taskCount) {
  const price = BigInt(unitPrice) * BigInt(taskCount);
  const verificationFee = (price * BigInt(params.verificationFeeBps)) / BPS;
  const protocolFee = (price * BigInt(params.protocolFeeBps)) / BPS;
  const collateral = (price * BigInt(params.collateralMultiplierBps)) / BPS;
  return { price, verificationFee, protocolFee, collateral, cost: price + verificationFee + protocolFee };
}

module.exports = {
  Status, Role, BPS, ZERO, VAULT_LIMITS,
  defaultParams, deploySystem, domain, signOffer, signResult, jobRecord, submittedRecord, money,
};
