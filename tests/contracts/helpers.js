// Shared deployment and signing helpers for the contract tests and scripts/gas.js.
const { ethers, artifacts } = require("hardhat");
const { time, mine } = require("@nomicfoundation/hardhat-network-helpers");

/** contracts/JobTypes.sol `Status`. */
const Status = {
  None: 0, Created: 1, Accepted: 2, Submitted: 3, Unaudited: 4, Auditing: 5, Disputed: 6, Settled: 7, Slashed: 8, Expired: 9,
};
/** contracts/JobTypes.sol `AuditOrigin`. */
const AuditOrigin = { Drawn: 0, Lapsed: 1, ClientRequested: 2 };
const Role = { None: 0, Provider: 1, Verifier: 2 };
const BPS = 10_000n;
const ZERO = ethers.ZeroHash;
const E = (n) => ethers.parseEther(String(n));

/** Market parameters of protocol v2 for local networks (`JobMarket.Params`). */
function defaultParams(overrides = {}) {
  return {
    auditRateBps: 1500,
    auditedTasksPerJob: 4,
    collateralMultiplierBps: 100_000,
    corruptShareBps: 2000,
    posMarginBps: 500,
    challengeWindow: 600,
    minUnitPrice: 10n ** 12n,
    verificationFeeBps: 800,
    protocolFeeBps: 100,
    auditRewardBps: 5000,
    poolMarginBps: 500,
    clientAuditFeeBps: 5000,
    expiryPenaltyBps: 1000,
    ...overrides,
  };
}

/** Court parameters of protocol v2 for local networks (`AuditCourt` `CourtParams`). */
function defaultCourtParams(overrides = {}) {
  return {
    auditWindow: 1800,
    commitWindow: 1800,
    revealWindow: 1800,
    appealWindow: 1800,
    passAppealWindow: 1800,
    committeeSize: 5,
    maxAppeals: 2,
    challengerBondBps: 1000,
    minChallengerBond: E(10),
    verifierTimeoutPenalty: E(5),
    incoherencePenalty: E(5),
    falsePassPenaltyBps: 500_000,
    slashClientBps: 5000,
    slashCommitteeBps: 3000,
    ...overrides,
  };
}

const VAULT_LIMITS = {
  minProviderStake: E(100),
  minVerifierStake: E(50),
  unbondingDelay: 7 * 24 * 3600,
  epochLength: 3600,
};

/**
 * The reference deployment: token, vault, market(token, vault, treasury, params), court(market,
 * vault, courtParams) when the `AuditCourt` contract exists, `market.setCourt(court)`,
 * `vault.setMarket(market)`. `withCourt: false` leaves the court out (and unset).
 */
async function deploySystem({ params = defaultParams(), courtParams = defaultCourtParams(), token, treasury, withCourt = true } = {}) {
  const [deployer] = await ethers.getSigners();
  if (!token) {
    const Token = await ethers.getContractFactory("ComputeToken");
    token = await Token.deploy(E(1_000_000_000));
  }
  const Vault = await ethers.getContractFactory("StakingVault");
  const limits = [VAULT_LIMITS.minProviderStake, VAULT_LIMITS.minVerifierStake, VAULT_LIMITS.unbondingDelay];
  // the vault takes an epoch length once stake snapshots exist
  limits.push(VAULT_LIMITS.epochLength);
  const vault = await Vault.deploy(await token.getAddress(), ...limits);
  const Market = await ethers.getContractFactory("JobMarket");
  const market = await Market.deploy(await token.getAddress(), await vault.getAddress(), treasury ?? deployer.address, params);
  let court;
  if (withCourt && (await artifacts.artifactExists("AuditCourt"))) {
    const Court = await ethers.getContractFactory("AuditCourt");
    court = await Court.deploy(await market.getAddress(), await vault.getAddress(), courtParams);
    await market.setCourt(await court.getAddress());
  }
  await vault.setMarket(await market.getAddress());
  return { token, vault, market, court };
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
    { name: "minTurnaround", type: "uint32" },
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

/** A job's money per docs/protocol.md (every division rounds down). */
function money(params, unitPrice, taskCount) {
  const price = BigInt(unitPrice) * BigInt(taskCount);
  const verificationFee = (price * BigInt(params.verificationFeeBps)) / BPS;
  const protocolFee = (price * BigInt(params.protocolFeeBps)) / BPS;
  const collateral = (price * BigInt(params.collateralMultiplierBps)) / BPS;
  const expiryOwed = verificationFee + protocolFee + (collateral * BigInt(params.expiryPenaltyBps)) / BPS;
  const clientAuditFee = (price * BigInt(params.clientAuditFeeBps)) / BPS;
  return { price, verificationFee, protocolFee, collateral, expiryOwed, clientAuditFee, cost: price + verificationFee + protocolFee };
}

/**
 * A deployed system with funded actors: a client with a 100,000-token deposit, a provider with
 * 100,000 staked of which `collateral` is locked as free collateral, its signed offer (1 token
 * per task, 60 s minimum turnaround), and `verifiers` staked verifiers each with a 100-token deposit.
 */
async function world({ params = defaultParams(), verifiers = 0, token, collateral = E(50_000), withCourt = true } = {}) {
  const [deployer, client, provider, other, ...rest] = await ethers.getSigners();
  const vs = rest.slice(0, verifiers);
  const system = await deploySystem({ params, token, withCourt });
  for (const a of [client, provider, other, ...vs]) {
    await system.token.mint(a.address, E(1_000_000));
    await system.token.connect(a).approve(await system.vault.getAddress(), ethers.MaxUint256);
    await system.token.connect(a).approve(await system.market.getAddress(), ethers.MaxUint256);
  }
  await system.vault.connect(provider).stake(Role.Provider, E(100_000));
  if (collateral > 0n) await system.market.connect(provider).lockCollateral(collateral);
  for (const v of vs) {
    await system.vault.connect(v).stake(Role.Verifier, E(100));
    await system.market.connect(v).deposit(E(100));
  }
  await system.market.connect(client).deposit(E(100_000));
  const offer = {
    provider: provider.address, modelId: ethers.id("model-card"), unitPrice: E(1), maxTasks: 1000, minTurnaround: 60,
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

/** The provider accepts the job. */
async function accept(w, id, job, { provider = w.provider } = {}) {
  return w.market.connect(provider).acceptJob(id, job);
}

/**
 * Submits a result for the job signed by `signer` (the provider) and relayed by `relayer`;
 * `self: true` has the provider submit it itself with an empty signature.
 */
async function submit(w, id, job, { signer = w.provider, relayer = w.other, self = false, resultRoot = ethers.id(`result-${id}`), outputsHash = ethers.id(`outputs-${id}`) } = {}) {
  const signature = self ? "0x" : await signResult(signer, w.market, { jobId: id, tasksRoot: job.tasksRoot, resultRoot, outputsHash });
  const from = self ? w.provider : relayer;
  const tx = await w.market.connect(from).submitResult(id, job, resultRoot, outputsHash, signature);
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
      else next.push(hashPair(prev[i], prev[i + 1]));
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
  return { root: levels[levels.length - 1][0], proof, levels };
}

/** An internal node: keccak256 of the two children in ascending order. */
function hashPair(a, b) {
  const [lo, hi] = BigInt(a) < BigInt(b) ? [a, b] : [b, a];
  return ethers.keccak256(ethers.concat([lo, hi]));
}

const coder = ethers.AbiCoder.defaultAbiCoder();
/** Task leaf i: keccak256(keccak256(abi.encode(uint256 i, bytes32 inputHash))). */
const taskLeaf = (i, inputHash) => ethers.keccak256(ethers.keccak256(coder.encode(["uint256", "bytes32"], [i, inputHash])));
/** Result leaf i: keccak256(keccak256(abi.encode(uint256 i, bytes32 inputHash, bytes32 outputHash))). */
const resultLeaf = (i, inputHash, outputHash) =>
  ethers.keccak256(ethers.keccak256(coder.encode(["uint256", "bytes32", "bytes32"], [i, inputHash, outputHash])));

/** The job's draw seed per docs/protocol.md: keccak256(abi.encode(blockhash(submitBlock + 1), jobId)). */
async function drawSeed(id, job) {
  const block = await ethers.provider.getBlock(Number(job.submitBlock) + 1);
  return ethers.keccak256(coder.encode(["bytes32", "uint256"], [block.hash, id]));
}

module.exports = {
  E, world, createJob, accept, submit, pastChallengeWindow, merkle, hashPair, taskLeaf, resultLeaf, drawSeed,
  Status, AuditOrigin, Role, BPS, ZERO, VAULT_LIMITS, OFFER_TYPES, RESULT_TYPES,
  defaultParams, defaultCourtParams, deploySystem, domain, signOffer, signResult, jobRecord, submittedRecord, money,
};

/** mulberry32: a small seeded generator, so that a run that chose who cheats can be replayed. */
function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n) => Math.floor(next() * n), pick: (xs) => xs[Math.floor(next() * xs.length)] };
}

const { setBalance } = require("@nomicfoundation/hardhat-network-helpers");

/**
 * `n` accounts beyond the node's twenty signers: impersonated addresses derived from `tag`,
 * funded with ether and `tokens`, the vault and the market approved. Committees of 23 need
 * pools of forty verifiers and more.
 */
async function extraAccounts(w, n, { tag = "extra", tokens = E(1_000_000) } = {}) {
  const accounts = [];
  for (let i = 0; i < n; i++) {
    const address = ethers.getAddress(ethers.dataSlice(ethers.id(`${tag}-${i}`), 12));
    await setBalance(address, 10n ** 21n);
    const signer = await ethers.getImpersonatedSigner(address);
    await w.token.mint(address, tokens);
    await w.token.connect(signer).approve(await w.vault.getAddress(), ethers.MaxUint256);
    await w.token.connect(signer).approve(await w.market.getAddress(), ethers.MaxUint256);
    accounts.push(signer);
  }
  return accounts;
}

/** What an account owns in tokens: its market balance, its vault stake and its wallet. */
async function worth(w, address) {
  const [balance, account, tokens] = await Promise.all([
    w.market.balanceOf(address), w.vault.accountOf(address), w.token.balanceOf(address),
  ]);
  return balance + account.stake + tokens;
}

Object.assign(module.exports, { prng, extraAccounts, worth });

/** Passes an epoch: verifier stake added before it is drawable from then on. */
async function drawable() {
  await time.increase(VAULT_LIMITS.epochLength);
}

/**
 * Creates and submits one job, then mines its seed block again and again (reverting to a
 * snapshot; a new timestamp gives the block a new hash) until the draw audits the job or not, as
 * `audited` asks: no other job is created on the way. Returns the job and its seed.
 */
async function submittedWithDraw(w, audited, options = {}) {
  const { takeSnapshot } = require("@nomicfoundation/hardhat-network-helpers");
  const { id, job } = await createJob(w, options);
  const { job: sub } = await submit(w, id, job);
  const snapshot = await takeSnapshot();
  for (let i = 1; i <= 200; i++) {
    await time.increase(i);
    await mine(1);
    const draw = await w.market.auditDraw(id, sub);
    if (draw.audited === audited) return { id, job, sub, seed: draw.seed };
    await snapshot.restore();
  }
  throw new Error(`no seed block gave audited = ${audited} in 200 tries`);
}

module.exports.drawable = drawable;
module.exports.submittedWithDraw = submittedWithDraw;

/**
 * `verifier` (a signer) passes the audited job; once the pass's appeal window has passed, anyone
 * finalizes it (pays the verifier, settles the job). Returns the finalizing transaction.
 */
async function passAndFinalize(w, verifier, id, sub) {
  await w.court.connect(verifier).submitVerdict(id, sub, true, ZERO);
  await time.increase(Number((await w.court.params()).passAppealWindow) + 1);
  return w.court.finalizePass(id, sub);
}
module.exports.passAndFinalize = passAndFinalize;
