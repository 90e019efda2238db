// Shared deployment and signing helpers for the contract tests and scripts/gas.js.
const { ethers } = require("hardhat");
const { time, mine } = require("@nomicfoundation/hardhat-network-helpers");

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

const E = (n) => ethers.parseEther(String(n));

/**
 * A deployed system with funded actors: a client with a deposit, a staked provider and its signed
 * offer (1 token per task), `verifiers` staked verifiers each with a 100-token deposit for bonds.
 */
async function world({ params = defaultParams(), verifiers = 0, token } = {}) {
  const [deployer, client, provider, other, ...rest] = await ethers.getSigners();
  const vs = rest.slice(0, verifiers);
  const system = await deploySystem({ params, token });
  for (const a of [client, provider, other, ...vs]) {
    await system.token.mint(a.address, E(1_000_000));
    await system.token.connect(a).approve(await system.vault.getAddress(), ethers.MaxUint256);
    await system.token.connect(a).approve(await system.market.getAddress(), ethers.MaxUint256);
  }
  await system.vault.connect(provider).stake(Role.Provider, E(100_000));
  for (const v of vs) {
    await system.vault.connect(v).stake(Role.Verifier, E(100));
    await system.market.connect(v).deposit(E(100));
  }
  await system.market.connect(client).deposit(E(100_000));
  const offer = {
    provider: provider.address, modelId: ethers.id("model-card"), unitPrice: E(1), maxTasks: 1000,
    expiry: (await time.latest()) + 1_000_000, region: ethers.encodeBytes32String("eu-west"), nonce: 1,
  };
  const offerSig = await signOffer(provider, system.market, offer);
  return { ...system, deployer, client, provider, other, verifiers: vs, offer, offerSig, params, seq: 0 };
}

/** Creates a job from the world's offer (or `offer`/`sig`); returns its id and record. */
async function createJob(w, { taskCount = 4, deadlineIn = 3600, offer = w.offer, sig = w.offerSig, client = w.client } = {}) {
  w.seq += 1;
  const tasksRoot = ethers.id(`tasks-${w.seq}`);
  const manifestHash = ethers.id(`manifest-${w.seq}`);
  const deadline = (await time.latest()) + deadlineIn;
  const id = (await w.market.ledger()).jobCount + 1n;
  const tx = await w.market.connect(client).createJob(offer, sig, taskCount, tasksRoot, manifestHash, deadline);
  const job = jobRecord({ client: client.address, offer, taskCount, tasksRoot, manifestHash, deadline: BigInt(deadline) });
  return { id, job, tx };
}

/** Submits a result for the job signed by the provider and relayed by `relayer`. */
async function submit(w, id, job, { signer = w.provider, relayer = w.other, resultRoot = ethers.id(`result-${id}`), outputsHash = ethers.id(`outputs-${id}`) } = {}) {
  const signature = await signResult(signer, w.market, { jobId: id, tasksRoot: job.tasksRoot, resultRoot, outputsHash });
  const tx = await w.market.connect(relayer).submitResult(id, job, resultRoot, outputsHash, signature);
  const receipt = await tx.wait();
  return { job: await submittedRecord(job, resultRoot, outputsHash, receipt), tx, signature };
}

/** Moves past the challenge window and past the block whose hash seeds the draw. */
async function pastChallengeWindow(w) {
  await mine(2);
  await time.increase(Number(w.params.challengeWindow) + 1);
}

/** Merkle root and proofs per docs/protocol.md: leaves in order, sorted pairs, odd node carried up. */
function merkle(leaves) {
  const levels = [leaves];
  while (levels[levels.length - 1].length > 1) {
    const prev = levels[levels.length - 1];
    const next = [];
    for (let i = 0; i < prev.length; i += 2) {
      if (i + 1 === prev.length) next.push(prev[i]);
      else {
        const [a, b] = BigInt(prev[i]) < BigInt(prev[i + 1]) ? [prev[i], prev[i + 1]] : [prev[i + 1], prev[i]];
        next.push(ethers.keccak256(ethers.concat([a, b])));
      }
    }
    levels.push(next);
  }
  const proof = (index) => {
    const out = [];
    for (let l = 0; l < levels.length - 1; l++) {
      const sibling = index ^ 1;
      if (sibling < levels[l].length) out.push(levels[l][sibling]);
      index = Math.floor(index / 2);
    }
    return out;
  };
  return { root: levels[levels.length - 1][0], proof };
}

const coder = ethers.AbiCoder.defaultAbiCoder();
const taskLeaf = (i, inputHash) => ethers.keccak256(coder.encode(["uint256", "bytes32"], [i, inputHash]));
const resultLeaf = (i, inputHash, outputHash) =>
  ethers.keccak256(coder.encode(["uint256", "bytes32", "bytes32"], [i, inputHash, outputHash]));

module.exports = {
  E, world, createJob, submit, pastChallengeWindow, merkle, taskLeaf, resultLeaf,
  Status, Role, BPS, ZERO, VAULT_LIMITS,
  defaultParams, deploySystem, domain, signOffer, signResult, jobRecord, submittedRecord, money,
};
