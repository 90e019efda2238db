const { expect } = require("chai");
const { ethers } = require("hardhat");
const { loadFixture, time, mine, impersonateAccount, setBalance } = require("@nomicfoundation/hardhat-network-helpers");
const { anyValue } = require("@nomicfoundation/hardhat-chai-matchers/withArgs");
const h = require("./helpers");

const { E, Status, AuditOrigin, BPS, ZERO } = h;
const coder = ethers.AbiCoder.defaultAbiCoder();

/** contracts/AuditCourt.sol `Phase`. */
const Phase = { None: 0, AwaitingDraw: 1, Assigned: 2, Disputed: 3, Done: 4, Passed: 5 };
/** Market terms under which every job is audited and each job's fee funds its own reward. */
const CERTAIN = { auditRateBps: 10_000, verificationFeeBps: 5250 };
const EPOCH = h.VAULT_LIMITS.epochLength;
/** Blocks after which a seed ticket has lapsed (BlockHashSeedSource horizon 256). */
const LAPSE = 300;
const EVIDENCE = ethers.id("evidence");

// ------------------------------------------------------------------ fixtures

/**
 * The world with `verifiers` staked verifiers (100 tokens staked, 100 deposited each), the
 * remaining signers as funded appellants, and an epoch passed so that the verifiers are drawable;
 * `courtParams` overrides the court's defaults.
 * `setup(w)` runs before the epoch passes (stake added there is drawable too).
 */
async function build({ params = h.defaultParams(), courtParams, verifiers = 12, setup } = {}) {
  const w = await h.world({ params, verifiers, withCourt: !courtParams });
  w.cp = h.defaultCourtParams(courtParams);
  if (courtParams) {
    w.court = await (await ethers.getContractFactory("AuditCourt")).deploy(w.market, w.vault, w.cp);
    await w.market.setCourt(w.court);
  }
  const signers = await ethers.getSigners();
  w.appellants = signers.slice(4 + verifiers);
  for (const a of w.appellants) {
    await w.token.mint(a.address, E(1_000_000));
    await w.token.connect(a).approve(await w.market.getAddress(), ethers.MaxUint256);
    await w.market.connect(a).deposit(E(1_000));
  }
  w.treasury = w.deployer;
  w.signers = new Map(signers.map((s) => [s.address, s]));
  if (setup) await setup(w);
  await h.drawable();
  return w;
}

const fixture = () => build();
const certain = () => build({ params: h.defaultParams(CERTAIN) });
/** Every job audited, but the audit pays no reward (so a timeout slashes nothing). */
const unpaid = () => build({ params: h.defaultParams({ ...CERTAIN, auditRewardBps: 0 }) });
/** No verifier at all. */
const empty = () => build({ params: h.defaultParams(CERTAIN), verifiers: 0 });
/** One verifier: it audits every job and no committee can be drawn beside it. */
const lonely = () => build({ params: h.defaultParams(CERTAIN), verifiers: 1 });

/** The client and the first verifier each hold a third of all draw weight. */
const heavy = () => build({
  params: h.defaultParams(CERTAIN),
  setup: async (w) => {
    await w.vault.connect(w.client).stake(h.Role.Verifier, E(1_100));
    await w.vault.connect(w.verifiers[0]).stake(h.Role.Verifier, E(1_000));
  },
});

/** Zero-reward audits with the first verifier holding half of all draw weight. */
const unpaidHeavy = () => build({
  params: h.defaultParams({ ...CERTAIN, auditRewardBps: 0 }),
  setup: async (w) => w.vault.connect(w.verifiers[0]).stake(h.Role.Verifier, E(1_000)),
});

/**
 * 40 more verifiers (wallets, staked and deposited like the others), so that every round's
 * committee can be drawn in full.
 */
const crowd = () => build({
  params: h.defaultParams(CERTAIN),
  setup: async (w) => {
    for (let i = 0; i < 40; i++) {
      const wallet = new ethers.Wallet(ethers.id(`crowd-${i}`), ethers.provider);
      await setBalance(wallet.address, E(10));
      await w.token.mint(wallet.address, E(200));
      await w.token.connect(wallet).approve(await w.vault.getAddress(), E(100));
      await w.vault.connect(wallet).stake(h.Role.Verifier, E(100));
      await w.token.connect(wallet).approve(await w.market.getAddress(), E(100));
      await w.market.connect(wallet).deposit(E(100));
      w.signers.set(wallet.address, wallet);
    }
  },
});

/** Market terms whose audit reward (200 %) exceeds the price: still a valid market. */
const RICH_REWARD = {
  auditRateBps: 1000, corruptShareBps: 2000, collateralMultiplierBps: 200_000, auditRewardBps: 20_000,
  clientAuditFeeBps: 20_000, verificationFeeBps: 2100,
};
const richReward = () => build({ params: h.defaultParams(RICH_REWARD) });

/** A court that bonds one wei, penalises no incoherence and gives the committee no share of a slash. */
const lean = () => build({
  params: h.defaultParams(CERTAIN),
  courtParams: { minChallengerBond: 1n, challengerBondBps: 0, incoherencePenalty: 0, slashCommitteeBps: 0 },
});

// ------------------------------------------------------------------ helpers

const signerOf = (w, address) => {
  const s = w.signers.get(address);
  if (!s) throw new Error(`no signer for ${address}`);
  return s;
};

/** The events `name` of `contract` in a receipt. */
function eventsOf(receipt, contract, name) {
  const address = contract.target.toLowerCase();
  return receipt.logs
    .filter((l) => l.address.toLowerCase() === address)
    .map((l) => contract.interface.parseLog(l))
    .filter((e) => e && e.name === name);
}

async function receiptOf(txPromise) {
  return (await txPromise).wait();
}

/** Creates and submits a job (relayed) and mines past its seed block. */
async function submitted(w, { taskCount = 10 } = {}) {
  const { id, job } = await h.createJob(w, { taskCount });
  const { job: sub } = await h.submit(w, id, job);
  await mine(2);
  return { id, job, sub };
}

/** A submitted job whose own draw selects it, with the verifier the court would draw. */
async function selected(w, { taskCount = 10, want = () => true } = {}) {
  for (let i = 0; i < 60; i++) {
    const s = await submitted(w, { taskCount });
    const { verifier, seed } = await w.court.pendingAuditor(s.id, s.sub);
    if (verifier !== ethers.ZeroAddress && want(verifier)) return { ...s, seed, verifier: signerOf(w, verifier) };
  }
  throw new Error("no selected job in 60 tries");
}

/** The first job of a market, its draw selecting it (see helpers.submittedWithDraw). */
async function grindSelected(w, options = {}) {
  const s = await h.submittedWithDraw(w, true, options);
  const { verifier } = await w.court.pendingAuditor(s.id, s.sub);
  return { ...s, verifier: signerOf(w, verifier) };
}

/** A submitted job whose ready draw does not select it. */
async function unselected(w, { taskCount = 10 } = {}) {
  for (let i = 0; i < 60; i++) {
    const s = await submitted(w, { taskCount });
    const draw = await w.market.auditDraw(s.id, s.sub);
    if (draw.ready && !draw.audited) return s;
  }
  throw new Error("no unselected job in 60 tries");
}

/** A selected job whose draw `recordDraw` fixed: its audit is assigned. */
async function recorded(w, options = {}) {
  const s = await selected(w, options);
  await w.market.recordDraw([s.id], [s.sub]);
  const audit = await w.court.auditOf(s.id);
  return { ...s, audit, verifier: signerOf(w, audit.verifier) };
}

/** A job whose draw lapsed and was recorded: its audit waits for a new ticket. */
async function lapsed(w, { taskCount = 10 } = {}) {
  const s = await submitted(w, { taskCount });
  await mine(LAPSE);
  await w.market.recordDraw([s.id], [s.sub]);
  return s;
}

/** Draws the verifier of an audit waiting for its seed (mining past the ticket first). */
async function assign(w, s) {
  await mine(1);
  await w.court.assignAuditor(s.id, s.sub);
  const audit = await w.court.auditOf(s.id);
  return { ...s, audit, verifier: signerOf(w, audit.verifier) };
}

/** `keccak256(abi.encode(seed, jobId, attempt))`: the seed of a draw from a ticket. */
const ticketSeed = async (ticket, id, attempt) =>
  ethers.keccak256(coder.encode(["bytes32", "uint256", "uint8"], [(await ethers.provider.getBlock(Number(ticket))).hash, id, attempt]));

/** The task indices of docs/protocol.md, in JavaScript. */
function taskIndices(seed, taskCount, k = 4) {
  if (seed === ZERO || taskCount === 0) return [];
  const n = BigInt(taskCount);
  const out = [];
  for (let i = 0; i < Math.min(k, taskCount); i++) {
    let index = BigInt(ethers.keccak256(coder.encode(["bytes32", "uint256"], [seed, 2 + i]))) % n;
    while (out.includes(index)) index = (index + 1n) % n;
    out.push(index);
  }
  return out;
}

const saltOf = (member, r) => ethers.id(`salt:${member}:${r}`);
const commitmentOf = (id, r, member, providerWrong, salt) =>
  ethers.keccak256(coder.encode(["uint256", "uint256", "address", "bool", "bytes32"], [id, r, member, providerWrong, salt]));

/**
 * The drawn verifier fails a selected (or given) job: round 0 of a dispute is open. Returns the
 * dispute as the tests track it: its rounds with funder, side, bond, and later members and votes.
 */
async function disputed(w, { taskCount = 10, s } = {}) {
  s = s ?? (await selected(w, { taskCount }));
  const holdBefore = (await w.market.ledger()).courtHold_;
  const receipt = await receiptOf(w.court.connect(s.verifier).submitVerdict(s.id, s.sub, false, EVIDENCE));
  const [opened] = eventsOf(receipt, w.court, "RoundOpened");
  return {
    ...s, holdBefore, challenger: s.verifier,
    rounds: [{ funder: s.verifier.address, fundedWrong: true, bond: opened.args.bond, ticket: opened.args.ticket }],
  };
}

/**
 * The assigned (or draw-fixing) verifier of `s` passes it, and `appellant` appeals the pass:
 * round 0 of a dispute is open, funded by the appellant. Tracked like {disputed}.
 */
async function passAppealed(w, s, appellant) {
  await w.court.connect(s.verifier).submitVerdict(s.id, s.sub, true, EVIDENCE);
  const holdBefore = (await w.market.ledger()).courtHold_;
  const receipt = await receiptOf(w.court.connect(appellant).appealPass(s.id, s.sub));
  const [opened] = eventsOf(receipt, w.court, "RoundOpened");
  return {
    ...s, holdBefore, challenger: appellant, passer: s.verifier.address,
    rounds: [{ funder: appellant.address, fundedWrong: true, bond: opened.args.bond, ticket: opened.args.ticket }],
  };
}

/**
 * `s`'s verifier passes it, `appellant` appeals, round 0 votes `votes` (see {voteRound}) and,
 * unappealed, the dispute resolves, checked to the wei by {resolveAndCheck}.
 */
async function passAppealedAndResolved(w, s, appellant, votes, options) {
  const d = await passAppealed(w, s, appellant);
  await drawRound(w, d);
  const round = await voteRound(w, d, votes);
  await time.increaseTo(round.appealDeadline + 1n);
  return { d, ...(await resolveAndCheck(w, d, options)) };
}

/** The verifier of `s` passes it and, once the appeal window has passed, anyone finalizes it. */
async function passAndFinalize(w, s) {
  await w.court.connect(s.verifier).submitVerdict(s.id, s.sub, true, EVIDENCE);
  await time.increase(w.cp.passAppealWindow + 1);
  return w.court.connect(w.other).finalizePass(s.id, s.sub);
}

/** Draws the committee of the dispute's open round once its seed exists. */
async function drawRound(w, d) {
  await mine(1);
  const receipt = await receiptOf(w.court.drawCommittee(d.id, d.sub));
  const [drawn] = eventsOf(receipt, w.court, "CommitteeDrawn");
  const round = d.rounds[Number(drawn.args.round)];
  Object.assign(round, {
    members: [...drawn.args.members], commitDeadline: drawn.args.commitDeadline, revealDeadline: drawn.args.revealDeadline, votes: {},
  });
  return round;
}

/**
 * Runs the dispute's open round: `votes(i, n)` gives member i of n its part: "wrong" or "right"
 * (commits and reveals that), "lie" (commits "wrong", then fails to reveal "right"), or null
 * (silent). Reveals early when everyone committed; closes the round. Returns the round.
 */
async function voteRound(w, d, votes) {
  const r = d.rounds.length - 1;
  const round = d.rounds[r];
  const parts = round.members.map((_, i) => votes(i, round.members.length));
  for (const [i, member] of round.members.entries()) {
    if (parts[i] === null) continue;
    const wrong = parts[i] !== "right";
    await w.court.connect(signerOf(w, member)).commitVote(d.id, commitmentOf(d.id, r, member, wrong, saltOf(member, r)));
  }
  if (parts.includes(null)) await time.increaseTo(round.commitDeadline + 1n);
  for (const [i, member] of round.members.entries()) {
    if (parts[i] === null) continue;
    const signer = signerOf(w, member);
    if (parts[i] === "lie") {
      await expect(w.court.connect(signer).revealVote(d.id, false, saltOf(member, r)))
        .to.be.revertedWithCustomError(w.court, "AuditCourtCommitmentMismatch").withArgs(d.id, r, member);
      continue;
    }
    const wrong = parts[i] === "wrong";
    await w.court.connect(signer).revealVote(d.id, wrong, saltOf(member, r));
    round.votes[member] = wrong ? 1 : 2;
  }
  if (Object.keys(round.votes).length < round.members.length) await time.increaseTo(round.revealDeadline + 1n);
  const receipt = await receiptOf(w.court.closeRound(d.id));
  const [closed] = eventsOf(receipt, w.court, "RoundClosed");
  round.providerWrong = closed.args.providerWrong;
  round.appealDeadline = closed.args.appealDeadline;
  return round;
}

/** `appellant` appeals the dispute's last ruling. */
async function appealBy(w, d, appellant) {
  const receipt = await receiptOf(w.court.connect(appellant).appeal(d.id, d.sub));
  const [opened] = eventsOf(receipt, w.court, "RoundOpened");
  d.rounds.push({ funder: appellant.address, fundedWrong: opened.args.fundedWrong, bond: opened.args.bond, ticket: opened.args.ticket });
  return opened;
}

/**
 * What resolveDispute pays, per docs/protocol.md, computed independently of the contract:
 * market credits per account, stake taken per account, and what the verification pool pays.
 */
function expectedResolution(w, d, { providerWrong, origin, pool, stakes }) {
  const { cp, params } = w;
  const price = d.sub.unitPrice * BigInt(d.sub.taskCount);
  const collateral = (price * BigInt(params.collateralMultiplierBps)) / BPS;
  const credits = new Map();
  const taken = new Map();
  const credit = (a, x) => credits.set(a, (credits.get(a) ?? 0n) + x);
  let held = 0n;
  let pot = 0n;
  const coherentVotes = [];
  const penalties = [];
  const winning = providerWrong ? 1 : 2;
  const left = new Map(stakes);
  for (const [r, round] of d.rounds.entries()) {
    held += round.bond;
    for (const m of round.members ?? []) {
      if (round.votes[m] === winning) {
        coherentVotes.push(m);
        continue;
      }
      const stake = left.get(m);
      const t = cp.incoherencePenalty < stake ? cp.incoherencePenalty : stake;
      if (cp.incoherencePenalty === 0 || cp.incoherencePenalty === 0n) continue;
      left.set(m, stake - t);
      taken.set(m, (taken.get(m) ?? 0n) + t);
      penalties.push([BigInt(r), m, t]);
      held += t;
      pot += t;
    }
  }
  let win = 0n;
  let forfeited = 0n;
  for (const round of d.rounds) {
    if (round.fundedWrong === providerWrong) win += round.bond;
    else forfeited += round.bond;
  }
  pot += forfeited - forfeited / 2n;
  const share = forfeited / 2n;
  if (win === 0n) {
    credit(d.sub.provider, share);
    held -= share;
  } else {
    for (const round of d.rounds) {
      if (round.fundedWrong !== providerWrong) continue;
      const amount = round.bond + (share * round.bond) / win;
      credit(round.funder, amount);
      held -= amount;
    }
  }
  let fromPool = 0n;
  const reward = (price * BigInt(params.auditRewardBps)) / BPS;
  if (providerWrong) {
    held += collateral + price;
    taken.set(d.sub.provider, collateral);
    pot += (collateral * BigInt(cp.slashCommitteeBps)) / BPS;
    const toClient = price + (collateral * BigInt(cp.slashClientBps)) / BPS;
    credit(d.sub.client, toClient);
    held -= toClient;
    if (origin === AuditOrigin.Lapsed) {
      const available = collateral - (collateral * BigInt(cp.slashClientBps)) / BPS - (collateral * BigInt(cp.slashCommitteeBps)) / BPS;
      const paid = reward < available ? reward : available;
      credit(d.challenger.address, paid);
      held -= paid;
    } else {
      fromPool = reward < pool ? reward : pool;
      credit(d.challenger.address, fromPool);
    }
    if (d.passer) {
      // the false pass's penalty: to the appellant, less the committee's share
      const penalty = (reward * BigInt(cp.falsePassPenaltyBps)) / BPS;
      const stake = left.get(d.passer);
      const t = penalty < stake ? penalty : stake;
      taken.set(d.passer, (taken.get(d.passer) ?? 0n) + t);
      const toPot = (t * BigInt(cp.slashCommitteeBps)) / BPS;
      held += toPot;
      pot += toPot;
      credit(d.challenger.address, t - toPot);
    }
  } else if (d.passer && origin === AuditOrigin.Lapsed) {
    const paid = reward < price ? reward : price;
    credit(d.sub.provider, price - paid);
    credit(d.passer, paid);
  } else {
    credit(d.sub.provider, price);
    if (d.passer) {
      fromPool = reward < pool ? reward : pool;
      credit(d.passer, fromPool);
    }
  }
  if (coherentVotes.length && pot) {
    const each = pot / BigInt(coherentVotes.length);
    for (const m of coherentVotes) credit(m, each);
    held -= each * BigInt(coherentVotes.length);
  }
  credit(w.treasury.address, held);
  return { credits, taken, fromPool, pot, penalties, coherent: coherentVotes.length };
}

/** Every account a dispute's resolution may touch. */
function accountsOf(w, d) {
  const set = new Set([d.sub.client, d.sub.provider, d.challenger.address, w.treasury.address]);
  if (d.passer) set.add(d.passer);
  for (const round of d.rounds) {
    set.add(round.funder);
    for (const m of round.members ?? []) set.add(m);
  }
  return [...set];
}

async function snapshot(w, accounts) {
  const balances = new Map();
  const stakes = new Map();
  for (const a of accounts) {
    balances.set(a, await w.market.balanceOf(a));
    stakes.set(a, (await w.vault.accountOf(a)).stake);
  }
  const ledger = await w.market.ledger();
  return { balances, stakes, pool: ledger.verificationPool, hold: ledger.courtHold_ };
}

/**
 * Resolves the dispute and checks every account's money to the wei against
 * {expectedResolution}, the pool, the court's account of the job and the market's court hold.
 */
async function resolveAndCheck(w, d, { origin = AuditOrigin.Drawn } = {}) {
  const providerWrong = d.rounds[d.rounds.length - 1].providerWrong;
  const accounts = accountsOf(w, d);
  const before = await snapshot(w, accounts);
  const want = expectedResolution(w, d, { providerWrong, origin, pool: before.pool, stakes: before.stakes });
  const price = d.sub.unitPrice * BigInt(d.sub.taskCount);
  const collateral = (price * BigInt(w.params.collateralMultiplierBps)) / BPS;
  const freeBefore = (await w.market.accountOf(d.sub.provider)).collateral;
  const tx = w.court.connect(w.other).resolveDispute(d.id, d.sub);
  await expect(tx).to.emit(w.court, "DisputeResolved").withArgs(d.id, providerWrong, providerWrong ? collateral : 0);
  const receipt = await (await tx).wait();
  const penalised = eventsOf(receipt, w.court, "MemberPenalised").map((e) => [e.args.round, e.args.member, e.args.amount]);
  expect(penalised).to.deep.equal(want.penalties);
  const after = await snapshot(w, accounts);
  for (const a of accounts) {
    expect(after.balances.get(a) - before.balances.get(a), `credit of ${a}`).to.equal(want.credits.get(a) ?? 0n);
    expect(before.stakes.get(a) - after.stakes.get(a), `stake taken from ${a}`).to.equal(want.taken.get(a) ?? 0n);
  }
  expect(before.pool - after.pool, "paid from the pool").to.equal(want.fromPool);
  expect(await w.court.heldFor(d.id)).to.equal(0);
  expect(after.hold).to.equal(d.holdBefore);
  expect((await w.market.accountOf(d.sub.provider)).collateral).to.equal(freeBefore + (providerWrong ? 0n : collateral));
  expect((await w.market.getJob(d.id)).status).to.equal(providerWrong ? Status.Slashed : Status.Settled);
  expect((await w.court.auditOf(d.id)).phase).to.equal(Phase.Done);
  return { receipt, want };
}

/** Calls `fn` on `contract` from the address of `as` (a contract), for guards no real caller reaches. */
async function impersonating(as, contract) {
  const address = await as.getAddress();
  await impersonateAccount(address);
  await setBalance(address, E(10));
  return contract.connect(await ethers.getSigner(address));
}

describe("AuditCourt", function () {
  describe("constructor", function () {
    async function deployWith(overrides, { unbondingDelay = h.VAULT_LIMITS.unbondingDelay } = {}) {
      const { token, market } = await h.deploySystem({ withCourt: false });
      const L = h.VAULT_LIMITS;
      const vault = await (await ethers.getContractFactory("StakingVault"))
        .deploy(token, L.minProviderStake, L.minVerifierStake, unbondingDelay, L.epochLength);
      const Court = await ethers.getContractFactory("AuditCourt");
      return Court.deploy(market, vault, h.defaultCourtParams(overrides));
    }

    it("stores every parameter and the market terms it copies", async function () {
      const w = await loadFixture(certain);
      const p = await w.court.params();
      for (const [k, v] of Object.entries(w.cp)) expect(p[k]).to.equal(v, k);
      expect(await w.court.terms()).to.deep.equal([
        await w.market.getAddress(), await w.vault.getAddress(), w.params.auditRewardBps, w.params.collateralMultiplierBps, w.params.auditedTasksPerJob,
      ]);
    });

    it("refuses windows of zero, committees that are empty, even or too large, too many appeals, bonds and splits above the whole", async function () {
      const Court = await ethers.getContractFactory("AuditCourt");
      const bad = [
        [{ auditWindow: 0 }, "auditWindow", 0],
        [{ commitWindow: 0 }, "commitWindow", 0],
        [{ revealWindow: 0 }, "revealWindow", 0],
        [{ appealWindow: 0 }, "appealWindow", 0],
        [{ passAppealWindow: 0 }, "passAppealWindow", 0],
        [{ falsePassPenaltyBps: 9_999 }, "falsePassPenaltyBps", 9_999],
        [{ committeeSize: 0 }, "committeeSize", 0],
        [{ committeeSize: 4 }, "committeeSize", 4],
        [{ committeeSize: 17 }, "committeeSize", 17],
        [{ maxAppeals: 4 }, "maxAppeals", 4],
        [{ challengerBondBps: 10_001 }, "challengerBondBps", 10_001],
        [{ minChallengerBond: 0 }, "minChallengerBond", 0],
        [{ slashClientBps: 5001, slashCommitteeBps: 5000 }, "slashSplitBps", 10_001],
      ];
      for (const [overrides, name, value] of bad) {
        await expect(deployWith(overrides), name).to.be.revertedWithCustomError(Court, "AuditCourtInvalidParameter").withArgs(name, value);
      }
      for (const edge of [{ committeeSize: 15 }, { committeeSize: 1 }, { maxAppeals: 3 }, { maxAppeals: 0 }, { challengerBondBps: 10_000 }, { slashClientBps: 7000, slashCommitteeBps: 3000 }, { falsePassPenaltyBps: 10_000 }]) {
        await expect(deployWith(edge), JSON.stringify(edge)).not.to.be.reverted;
      }
    });

    it("refuses an unbonding delay shorter than two audits, a pass's appeal window, every round's windows and an epoch", async function () {
      const Court = await ethers.getContractFactory("AuditCourt");
      const p = h.defaultCourtParams();
      const longest = 2 * p.auditWindow + p.passAppealWindow + (p.maxAppeals + 1) * (p.commitWindow + p.revealWindow + p.appealWindow) + EPOCH;
      await expect(deployWith({}, { unbondingDelay: longest - 1 }))
        .to.be.revertedWithCustomError(Court, "AuditCourtInvalidParameter").withArgs("unbondingDelay", longest - 1);
      await expect(deployWith({}, { unbondingDelay: longest })).not.to.be.reverted;
    });
  });

  describe("openAudit", function () {
    it("is for the market only", async function () {
      const w = await loadFixture(certain);
      const s = await submitted(w);
      for (const caller of [w.deployer, w.client, w.provider, w.verifiers[0]]) {
        await expect(w.court.connect(caller).openAudit(s.id, s.sub, s.sub.resultRoot, AuditOrigin.Drawn))
          .to.be.revertedWithCustomError(w.court, "AuditCourtNotMarket").withArgs(caller.address);
      }
    });

    it("refuses a job whose audit is open already (a guard the market's statuses never reach)", async function () {
      const w = await loadFixture(certain);
      const r = await recorded(w);
      const asMarket = await impersonating(w.market, w.court);
      await expect(asMarket.openAudit(r.id, r.sub, ZERO, AuditOrigin.ClientRequested))
        .to.be.revertedWithCustomError(w.court, "AuditCourtInvalidPhase").withArgs(r.id, Phase.Assigned, Phase.None);
    });
  });

  describe("submitVerdict on a submitted job (the direct path)", function () {
    it("pendingAuditor names the verifier the job's own ready draw selects, from the submission epoch", async function () {
      const w = await loadFixture(certain);
      const { id, job } = await h.createJob(w);
      const { job: sub } = await h.submit(w, id, job);
      expect(await w.court.pendingAuditor(id, sub)).to.deep.equal([ethers.ZeroAddress, ZERO]);
      await mine(2);
      const [verifier, seed] = await w.court.pendingAuditor(id, sub);
      expect(seed).to.equal(await h.drawSeed(id, sub));
      expect([verifier]).to.deep.equal(await w.vault.draw(await w.vault.epochOf(sub.submittedAt), seed, 1, [w.client.address]));
      await mine(LAPSE);
      expect(await w.court.pendingAuditor(id, sub)).to.deep.equal([ethers.ZeroAddress, ZERO]);
    });

    it("pendingAuditor is zero for a job its draw does not select, or when nobody can be drawn", async function () {
      const w = await loadFixture(fixture);
      const s = await unselected(w);
      expect(await w.court.pendingAuditor(s.id, s.sub)).to.deep.equal([ethers.ZeroAddress, ZERO]);
      const e = await loadFixture(empty);
      const t = await submitted(e);
      expect((await e.market.auditDraw(t.id, t.sub)).audited).to.equal(true);
      expect(await e.court.pendingAuditor(t.id, t.sub)).to.deep.equal([ethers.ZeroAddress, ZERO]);
    });

    it("a pass by the drawn verifier fixes the draw and records it as passed, paying nothing before the appeal window ends", async function () {
      const w = await loadFixture(certain);
      const s = await selected(w, { taskCount: 10 });
      const m = h.money(w.params, E(1), 10);
      const reward = (m.price * BigInt(w.params.auditRewardBps)) / BPS;
      const before = await w.market.ledger();
      const verifierBalance = await w.market.balanceOf(s.verifier.address);
      const providerBalance = await w.market.balanceOf(w.provider.address);
      const tx = w.court.connect(s.verifier).submitVerdict(s.id, s.sub, true, EVIDENCE);
      await expect(tx).to.emit(w.market, "DrawRecorded").withArgs(s.id, s.seed, true);
      await expect(tx).to.emit(w.court, "AuditOpened").withArgs(s.id, AuditOrigin.Drawn, 0, 0);
      const receipt = await (await tx).wait();
      const block = await ethers.provider.getBlock(receipt.blockNumber);
      await expect(tx).to.emit(w.court, "AuditAssigned").withArgs(s.id, s.verifier.address, block.timestamp, s.seed);
      await expect(tx).to.emit(w.court, "VerdictSubmitted").withArgs(s.id, s.verifier.address, true, EVIDENCE, 0);
      await expect(tx).not.to.emit(w.market, "Credited");
      await expect(tx).not.to.emit(w.market, "JobSettled");
      const deadline = BigInt(block.timestamp + w.cp.passAppealWindow);
      expect(await w.court.auditOf(s.id)).to.deep.equal([s.verifier.address, deadline, Phase.Passed, AuditOrigin.Drawn, 0, 0, 0, s.seed]);
      expect((await w.market.getJob(s.id)).status).to.equal(Status.Auditing);
      await time.setNextBlockTimestamp(deadline);
      await expect(w.court.finalizePass(s.id, s.sub))
        .to.be.revertedWithCustomError(w.court, "AuditCourtPassAppealOpen").withArgs(s.id, deadline, deadline);
      const fin = w.court.connect(w.other).finalizePass(s.id, s.sub);
      await expect(fin).to.emit(w.court, "PassFinalized").withArgs(s.id, s.verifier.address, reward);
      await expect(fin).to.emit(w.market, "Credited").withArgs(s.id, s.verifier.address, reward);
      await expect(fin).to.emit(w.market, "JobSettled").withArgs(s.id, m.price);
      await expect(fin).to.emit(w.vault, "AuditPassed").withArgs(w.provider.address);
      expect(await w.market.balanceOf(s.verifier.address)).to.equal(verifierBalance + reward);
      expect(await w.market.balanceOf(w.provider.address)).to.equal(providerBalance + m.price);
      const after = await w.market.ledger();
      expect(after.verificationPool).to.equal(before.verificationPool - reward);
      expect(after.courtHold_).to.equal(before.courtHold_);
      expect((await w.market.getJob(s.id)).status).to.equal(Status.Settled);
      expect((await w.court.auditOf(s.id)).phase).to.equal(Phase.Done);
      await expect(w.court.finalizePass(s.id, s.sub))
        .to.be.revertedWithCustomError(w.market, "JobMarketInvalidStatus").withArgs(s.id, Status.Settled, Status.Auditing);
    });

    it("pays the reward only as far as the pool holds it", async function () {
      const w = await loadFixture(fixture);
      // the first job of the market, selected by trying seed blocks: the pool holds its 8 % fee only
      const s = await grindSelected(w, { taskCount: 10 });
      const { verificationPool: pool } = await w.market.ledger();
      expect(pool).to.equal(E(0.8));
      const tx = passAndFinalize(w, s);
      await expect(tx).to.emit(w.court, "PassFinalized").withArgs(s.id, s.verifier.address, pool);
      await expect(tx).to.emit(w.market, "Credited").withArgs(s.id, s.verifier.address, pool);
      expect((await w.market.ledger()).verificationPool).to.equal(0);
    });

    it("refuses anyone but the drawn verifier, changing nothing", async function () {
      const w = await loadFixture(certain);
      const s = await selected(w);
      const other = w.verifiers.find((v) => v.address !== s.verifier.address);
      for (const caller of [other, w.client, w.provider]) {
        await expect(w.court.connect(caller).submitVerdict(s.id, s.sub, true, EVIDENCE))
          .to.be.revertedWithCustomError(w.court, "AuditCourtNotDrawnVerifier").withArgs(caller.address, s.verifier.address);
      }
      expect((await w.market.getJob(s.id)).status).to.equal(Status.Submitted);
    });

    it("refuses a job its draw does not select, or whose seed is pending or lapsed (the market's JobMarketNotDrawnForAudit)", async function () {
      const w = await loadFixture(fixture);
      const s = await unselected(w);
      await expect(w.court.connect(w.verifiers[0]).submitVerdict(s.id, s.sub, true, EVIDENCE))
        .to.be.revertedWithCustomError(w.market, "JobMarketNotDrawnForAudit").withArgs(s.id);
      const c = await loadFixture(certain);
      const { id, job } = await h.createJob(c);
      const { job: sub } = await h.submit(c, id, job);
      await expect(c.court.connect(c.verifiers[0]).submitVerdict(id, sub, true, EVIDENCE))
        .to.be.revertedWithCustomError(c.market, "JobMarketNotDrawnForAudit").withArgs(id);
      await mine(LAPSE);
      await expect(c.court.connect(c.verifiers[0]).submitVerdict(id, sub, true, EVIDENCE))
        .to.be.revertedWithCustomError(c.market, "JobMarketNotDrawnForAudit").withArgs(id);
      await expect(c.court.connect(c.verifiers[0]).submitVerdict(id, { ...sub, taskCount: 11 }, true, EVIDENCE))
        .to.be.revertedWithCustomError(c.market, "JobMarketJobMismatch");
    });

    it("refuses everyone when nobody can be drawn", async function () {
      const w = await loadFixture(empty);
      const s = await submitted(w);
      await expect(w.court.connect(w.other).submitVerdict(s.id, s.sub, true, EVIDENCE))
        .to.be.revertedWithCustomError(w.court, "AuditCourtNotDrawnVerifier").withArgs(w.other.address, ethers.ZeroAddress);
    });

    it("a fail fixes the draw, records the audit and opens round 0 with the challenger's bond", async function () {
      const w = await loadFixture(certain);
      const s = await selected(w, { taskCount: 50 });
      // max(minChallengerBond, collateral x challengerBondBps): 500 x 10 % = 50 tokens
      const bond = E(50);
      const balance = await w.market.balanceOf(s.verifier.address);
      const hold = (await w.market.ledger()).courtHold_;
      const tx = w.court.connect(s.verifier).submitVerdict(s.id, s.sub, false, EVIDENCE);
      await expect(tx).to.emit(w.market, "DrawRecorded").withArgs(s.id, s.seed, true);
      await expect(tx).to.emit(w.court, "VerdictSubmitted").withArgs(s.id, s.verifier.address, false, EVIDENCE, 0);
      const receipt = await (await tx).wait();
      await expect(tx).to.emit(w.court, "RoundOpened")
        .withArgs(s.id, 0, s.verifier.address, true, bond, receipt.blockNumber + 1, await w.vault.currentEpoch(), 5);
      await expect(tx).not.to.emit(w.market, "Credited");
      expect((await w.market.getJob(s.id)).status).to.equal(Status.Disputed);
      const audit = await w.court.auditOf(s.id);
      expect([audit.verifier, audit.phase, audit.origin, audit.seed]).to.deep.equal([s.verifier.address, Phase.Disputed, AuditOrigin.Drawn, s.seed]);
      expect(await w.court.disputeOf(s.id)).to.deep.equal([s.verifier.address, EVIDENCE, 1, ethers.ZeroAddress]);
      expect(await w.court.heldFor(s.id)).to.equal(bond);
      expect((await w.market.ledger()).courtHold_).to.equal(hold + bond);
      expect(await w.market.balanceOf(s.verifier.address)).to.equal(balance - bond);
    });

    it("bonds at least minChallengerBond, and refuses a fail the verifier cannot bond", async function () {
      const w = await loadFixture(certain);
      const s = await selected(w, { taskCount: 4 });
      await expect(w.court.connect(s.verifier).submitVerdict(s.id, s.sub, false, EVIDENCE))
        .to.emit(w.court, "RoundOpened").withArgs(s.id, 0, s.verifier.address, true, w.cp.minChallengerBond, anyValue, anyValue, 5);
      const t = await selected(w, { taskCount: 4 });
      const balance = await w.market.balanceOf(t.verifier.address);
      await w.market.connect(t.verifier).withdraw(balance);
      await expect(w.court.connect(t.verifier).submitVerdict(t.id, t.sub, false, EVIDENCE))
        .to.be.revertedWithCustomError(w.market, "JobMarketInsufficientBalance").withArgs(t.verifier.address, 0, w.cp.minChallengerBond);
      expect((await w.market.getJob(t.id)).status).to.equal(Status.Submitted);
    });
  });

  describe("submitVerdict on a recorded draw", function () {
    it("recordDraw opens the audit and assigns the verifier the seed draws from the submission epoch", async function () {
      const w = await loadFixture(certain);
      const s = await selected(w);
      const tx = w.market.recordDraw([s.id], [s.sub]);
      const epoch = await w.vault.epochOf(s.sub.submittedAt);
      await expect(tx).to.emit(w.court, "AuditOpened").withArgs(s.id, AuditOrigin.Drawn, 0, epoch);
      const block = await ethers.provider.getBlock((await (await tx).wait()).blockNumber);
      const deadline = BigInt(block.timestamp + w.cp.auditWindow);
      await expect(tx).to.emit(w.court, "AuditAssigned").withArgs(s.id, s.verifier.address, deadline, s.seed);
      expect(await w.court.auditOf(s.id)).to.deep.equal([s.verifier.address, deadline, Phase.Assigned, AuditOrigin.Drawn, 0, 0, 0, s.seed]);
    });

    it("takes the verdict until the deadline inclusive, then closes", async function () {
      const w = await loadFixture(certain);
      const a = await recorded(w);
      await time.setNextBlockTimestamp(a.audit.deadline);
      await expect(w.court.connect(a.verifier).submitVerdict(a.id, a.sub, true, EVIDENCE)).to.emit(w.court, "VerdictSubmitted");
      expect((await w.court.auditOf(a.id)).phase).to.equal(Phase.Passed);
      const b = await recorded(w);
      await time.setNextBlockTimestamp(b.audit.deadline + 1n);
      await expect(w.court.connect(b.verifier).submitVerdict(b.id, b.sub, true, EVIDENCE))
        .to.be.revertedWithCustomError(w.court, "AuditCourtAuditClosed").withArgs(b.id, b.audit.deadline, b.audit.deadline + 1n);
    });

    it("holds a pass for its appeal window, refusing a second verdict; then pays it from the pool and settles", async function () {
      const w = await loadFixture(certain);
      const a = await recorded(w, { taskCount: 10 });
      const tx = w.court.connect(a.verifier).submitVerdict(a.id, a.sub, true, EVIDENCE);
      await expect(tx).not.to.emit(w.market, "Credited");
      await expect(tx).not.to.emit(w.court, "AuditAssigned");
      await expect(w.court.connect(a.verifier).submitVerdict(a.id, a.sub, true, EVIDENCE))
        .to.be.revertedWithCustomError(w.court, "AuditCourtInvalidPhase").withArgs(a.id, Phase.Passed, Phase.Assigned);
      await expect(w.court.timeoutAudit(a.id, a.sub))
        .to.be.revertedWithCustomError(w.court, "AuditCourtInvalidPhase").withArgs(a.id, Phase.Passed, Phase.Assigned);
      await time.increase(w.cp.passAppealWindow + 1);
      const fin = w.court.finalizePass(a.id, a.sub);
      await expect(fin).to.emit(w.market, "Credited").withArgs(a.id, a.verifier.address, E(5));
      await expect(fin).to.emit(w.market, "JobSettled").withArgs(a.id, E(10));
    });

    it("refuses anyone but the assigned verifier, a forged record and an audit still waiting for its draw", async function () {
      const w = await loadFixture(certain);
      const a = await recorded(w);
      const other = w.verifiers.find((v) => v.address !== a.verifier.address);
      await expect(w.court.connect(other).submitVerdict(a.id, a.sub, true, EVIDENCE))
        .to.be.revertedWithCustomError(w.court, "AuditCourtNotDrawnVerifier").withArgs(other.address, a.verifier.address);
      const forged = { ...a.sub, unitPrice: E(2) };
      await expect(w.court.connect(a.verifier).submitVerdict(a.id, forged, true, EVIDENCE))
        .to.be.revertedWithCustomError(w.market, "JobMarketJobMismatch").withArgs(a.id, await w.market.jobCommitment(forged));
      const l = await lapsed(w);
      await expect(w.court.connect(a.verifier).submitVerdict(l.id, l.sub, true, EVIDENCE))
        .to.be.revertedWithCustomError(w.court, "AuditCourtInvalidPhase").withArgs(l.id, Phase.AwaitingDraw, Phase.Assigned);
    });
  });

  describe("lapsed draws", function () {
    it("a draw nobody fixed within the horizon is audited for certain, from a new ticket and the current epoch", async function () {
      const w = await loadFixture(fixture);
      const s = await submitted(w);
      await mine(LAPSE);
      expect(await w.market.auditDraw(s.id, s.sub)).to.deep.equal([true, true, ZERO]);
      const tx = w.market.recordDraw([s.id], [s.sub]);
      await expect(tx).to.emit(w.market, "DrawRecorded").withArgs(s.id, ZERO, true);
      const ticket = (await (await tx).wait()).blockNumber + 1;
      const epoch = await w.vault.currentEpoch();
      await expect(tx).to.emit(w.court, "AuditOpened").withArgs(s.id, AuditOrigin.Lapsed, ticket, epoch);
      await expect(tx).not.to.emit(w.court, "AuditAssigned");
      const audit = await w.court.auditOf(s.id);
      expect([audit.phase, audit.origin, audit.ticket, audit.epoch]).to.deep.equal([Phase.AwaitingDraw, AuditOrigin.Lapsed, BigInt(ticket), epoch]);
      await expect(w.court.assignAuditor(s.id, s.sub)).to.be.revertedWithCustomError(w.court, "AuditCourtSeedNotReady").withArgs(s.id, ticket + 1);
    });

    it("assignAuditor draws the verifier from the ticket's seed", async function () {
      const w = await loadFixture(fixture);
      const s = await lapsed(w);
      const { ticket, epoch } = await w.court.auditOf(s.id);
      await mine(1);
      const seed = await ticketSeed(ticket, s.id, 0);
      const [verifier] = await w.vault.draw(epoch, seed, 1, [w.client.address, ethers.ZeroAddress]);
      const tx = w.court.connect(w.other).assignAuditor(s.id, s.sub);
      const block = await ethers.provider.getBlock((await (await tx).wait()).blockNumber);
      await expect(tx).to.emit(w.court, "AuditAssigned").withArgs(s.id, verifier, block.timestamp + w.cp.auditWindow, seed);
      expect(await w.court.auditTasks(s.id, s.sub.taskCount)).to.deep.equal(taskIndices(seed, s.sub.taskCount));
    });

    it("re-anchors a lapsed ticket to a new one", async function () {
      const w = await loadFixture(fixture);
      const s = await lapsed(w);
      await mine(LAPSE);
      const tx = w.court.assignAuditor(s.id, s.sub);
      const ticket = (await (await tx).wait()).blockNumber + 1;
      await expect(tx).to.emit(w.court, "DrawReanchored").withArgs(s.id, 0, ticket, await w.vault.currentEpoch());
      await expect(tx).not.to.emit(w.court, "AuditAssigned");
      const audit = await w.court.auditOf(s.id);
      expect([audit.phase, audit.ticket]).to.deep.equal([Phase.AwaitingDraw, BigInt(ticket)]);
      await mine(1);
      await expect(w.court.assignAuditor(s.id, s.sub)).to.emit(w.court, "AuditAssigned");
    });

    it("withholds the reward from the provider's payout, to the wei", async function () {
      const w = await loadFixture(fixture);
      const a = await assign(w, await lapsed(w, { taskCount: 10 }));
      const price = E(10);
      const reward = (price * BigInt(w.params.auditRewardBps)) / BPS;
      const before = await w.market.ledger();
      const provider = await w.market.balanceOf(w.provider.address);
      const verifier = await w.market.balanceOf(a.verifier.address);
      await expect(w.court.connect(a.verifier).submitVerdict(a.id, a.sub, true, EVIDENCE))
        .to.emit(w.court, "VerdictSubmitted").withArgs(a.id, a.verifier.address, true, EVIDENCE, 0);
      await time.increase(w.cp.passAppealWindow + 1);
      const tx = w.court.finalizePass(a.id, a.sub);
      await expect(tx).to.emit(w.court, "PassFinalized").withArgs(a.id, a.verifier.address, reward);
      await expect(tx).to.emit(w.market, "JobSettled").withArgs(a.id, price - reward);
      await expect(tx).to.emit(w.market, "Credited").withArgs(a.id, a.verifier.address, reward);
      await expect(tx).to.emit(w.vault, "AuditPassed").withArgs(w.provider.address);
      expect(await w.market.balanceOf(w.provider.address)).to.equal(provider + price - reward);
      expect(await w.market.balanceOf(a.verifier.address)).to.equal(verifier + reward);
      const after = await w.market.ledger();
      expect([after.verificationPool, after.courtHold_]).to.deep.equal([before.verificationPool, before.courtHold_]);
      expect(await w.court.heldFor(a.id)).to.equal(0);
    });

    it("withholds at most the whole payout when the reward exceeds the price", async function () {
      const w = await loadFixture(richReward);
      const a = await assign(w, await lapsed(w, { taskCount: 10 }));
      const price = E(10);
      const tx = passAndFinalize(w, a);
      await expect(tx).to.emit(w.court, "PassFinalized").withArgs(a.id, a.verifier.address, price);
      await expect(tx).to.emit(w.market, "JobSettled").withArgs(a.id, 0);
      await expect(tx).to.emit(w.market, "Credited").withArgs(a.id, a.verifier.address, price);
    });

    it("assignAuditor refuses an audit already assigned and a job not auditing", async function () {
      const w = await loadFixture(certain);
      const a = await recorded(w);
      await expect(w.court.assignAuditor(a.id, a.sub))
        .to.be.revertedWithCustomError(w.court, "AuditCourtInvalidPhase").withArgs(a.id, Phase.Assigned, Phase.AwaitingDraw);
      const s = await submitted(w);
      await expect(w.court.assignAuditor(s.id, s.sub))
        .to.be.revertedWithCustomError(w.market, "JobMarketInvalidStatus").withArgs(s.id, Status.Submitted, Status.Auditing);
    });
  });

  describe("client audits", function () {
    it("requestAudit opens an audit waiting for a new ticket; its verifier is paid from the client's fee", async function () {
      const w = await loadFixture(fixture);
      const s = await submitted(w, { taskCount: 10 });
      const tx = w.market.connect(w.client).requestAudit(s.id, s.sub);
      const ticket = (await (await tx).wait()).blockNumber + 1;
      await expect(tx).to.emit(w.court, "AuditOpened").withArgs(s.id, AuditOrigin.ClientRequested, ticket, await w.vault.currentEpoch());
      await expect(w.court.assignAuditor(s.id, s.sub)).to.be.revertedWithCustomError(w.court, "AuditCourtSeedNotReady").withArgs(s.id, ticket + 1);
      const a = await assign(w, s);
      expect(a.audit.seed).to.equal(await ticketSeed(ticket, s.id, 0));
      const pool = (await w.market.ledger()).verificationPool;
      const verdict = passAndFinalize(w, a);
      await expect(verdict).to.emit(w.market, "Credited").withArgs(a.id, a.verifier.address, E(5));
      await expect(verdict).to.emit(w.market, "JobSettled").withArgs(a.id, E(10));
      expect((await w.market.ledger()).verificationPool).to.equal(pool - E(5));
    });

    it("audits an unaudited job within the challenge window", async function () {
      const w = await loadFixture(fixture);
      const s = await unselected(w);
      await w.market.recordDraw([s.id], [s.sub]);
      await expect(w.market.connect(w.client).requestAudit(s.id, s.sub)).to.emit(w.court, "AuditOpened").withArgs(s.id, AuditOrigin.ClientRequested, anyValue, anyValue);
      const a = await assign(w, s);
      expect(a.audit.phase).to.equal(Phase.Assigned);
    });
  });

  describe("timeoutAudit", function () {
    it("refuses while the verdict is due, the deadline included", async function () {
      const w = await loadFixture(certain);
      const a = await recorded(w);
      await time.setNextBlockTimestamp(a.audit.deadline);
      await expect(w.court.timeoutAudit(a.id, a.sub))
        .to.be.revertedWithCustomError(w.court, "AuditCourtAuditOpen").withArgs(a.id, a.audit.deadline, a.audit.deadline);
    });

    it("slashes min(verifierTimeoutPenalty, reward) into the pool and redraws from a new ticket", async function () {
      const w = await loadFixture(certain);
      for (const [taskCount, penalty] of [[4, E(2)], [20, E(5)]]) {
        const a = await recorded(w, { taskCount });
        const { verificationPool: pool, courtHold_: hold } = await w.market.ledger();
        const stake = (await w.vault.accountOf(a.verifier.address)).stake;
        await time.increaseTo(a.audit.deadline + 1n);
        const tx = w.court.connect(w.other).timeoutAudit(a.id, a.sub);
        await expect(tx).to.emit(w.court, "AuditTimedOut").withArgs(a.id, a.verifier.address, penalty);
        await expect(tx).to.emit(w.vault, "Slashed").withArgs(a.verifier.address, penalty);
        const ticket = (await (await tx).wait()).blockNumber + 1;
        await expect(tx).to.emit(w.court, "AuditOpened").withArgs(a.id, AuditOrigin.Drawn, ticket, await w.vault.currentEpoch());
        const ledger = await w.market.ledger();
        expect([ledger.verificationPool, ledger.courtHold_]).to.deep.equal([pool + penalty, hold]);
        expect((await w.vault.accountOf(a.verifier.address)).stake).to.equal(stake - penalty);
        const audit = await w.court.auditOf(a.id);
        expect([audit.phase, audit.attempt, audit.verifier]).to.deep.equal([Phase.AwaitingDraw, 1, a.verifier.address]);
        await expect(w.court.timeoutAudit(a.id, a.sub))
          .to.be.revertedWithCustomError(w.court, "AuditCourtInvalidPhase").withArgs(a.id, Phase.AwaitingDraw, Phase.Assigned);
      }
    });

    it("slashes nothing for an audit that pays no reward", async function () {
      const w = await loadFixture(unpaid);
      const a = await recorded(w);
      await time.increaseTo(a.audit.deadline + 1n);
      const tx = w.court.timeoutAudit(a.id, a.sub);
      await expect(tx).to.emit(w.court, "AuditTimedOut").withArgs(a.id, a.verifier.address, 0);
      await expect(tx).not.to.emit(w.vault, "Slashed");
    });

    it("never redraws the silent verifier", async function () {
      const w = await loadFixture(unpaidHeavy);
      const heavyVerifier = w.verifiers[0].address;
      // the audit pays nothing, so the silent verifier is not slashed and stays drawable: only the
      // exclusion keeps it out. Find a redraw whose seed would pick it again.
      for (let i = 0; i < 20; i++) {
        const a = await recorded(w, { want: (v) => v === heavyVerifier });
        await time.increaseTo(a.audit.deadline + 1n);
        await w.court.timeoutAudit(a.id, a.sub);
        await mine(1);
        const { ticket, epoch } = await w.court.auditOf(a.id);
        const seed = await ticketSeed(ticket, a.id, 1);
        const [unexcluded] = await w.vault.draw(epoch, seed, 1, [w.client.address]);
        if (unexcluded !== heavyVerifier) continue;
        const [excluded] = await w.vault.draw(epoch, seed, 1, [w.client.address, heavyVerifier]);
        expect(excluded).to.not.equal(heavyVerifier);
        await expect(w.court.assignAuditor(a.id, a.sub)).to.emit(w.court, "AuditAssigned").withArgs(a.id, excluded, anyValue, seed);
        return;
      }
      expect.fail("no redraw seed picked the silent verifier");
    });

    it("after a second silence the job settles for its provider, unaudited", async function () {
      const w = await loadFixture(certain);
      const a = await recorded(w, { taskCount: 10 });
      await time.increaseTo(a.audit.deadline + 1n);
      await w.court.timeoutAudit(a.id, a.sub);
      const b = await assign(w, a);
      expect(b.verifier.address).to.not.equal(a.verifier.address);
      const provider = await w.market.accountOf(w.provider.address);
      await time.increaseTo(b.audit.deadline + 1n);
      const tx = w.court.timeoutAudit(b.id, b.sub);
      await expect(tx).to.emit(w.court, "AuditTimedOut").withArgs(b.id, b.verifier.address, w.cp.verifierTimeoutPenalty);
      await expect(tx).to.emit(w.market, "JobSettled").withArgs(b.id, E(10));
      await expect(tx).not.to.emit(w.court, "AuditOpened");
      await expect(tx).not.to.emit(w.vault, "AuditPassed");
      const after = await w.market.accountOf(w.provider.address);
      expect([after.balance, after.collateral]).to.deep.equal([provider.balance + E(10), provider.collateral + E(100)]);
      expect((await w.court.auditOf(b.id)).phase).to.equal(Phase.Done);
    });

    it("refuses a job that is not auditing", async function () {
      const w = await loadFixture(certain);
      const s = await submitted(w);
      await expect(w.court.timeoutAudit(s.id, s.sub))
        .to.be.revertedWithCustomError(w.market, "JobMarketInvalidStatus").withArgs(s.id, Status.Submitted, Status.Auditing);
    });
  });

  describe("no drawable verifier", function () {
    it("a recorded draw finding nobody waits for a new ticket, then the job settles for its provider unaudited", async function () {
      const w = await loadFixture(empty);
      const s = await submitted(w, { taskCount: 10 });
      const tx = w.market.recordDraw([s.id], [s.sub]);
      const ticket = (await (await tx).wait()).blockNumber + 1;
      await expect(tx).to.emit(w.court, "AuditOpened").withArgs(s.id, AuditOrigin.Drawn, 0, await w.vault.epochOf(s.sub.submittedAt));
      await expect(tx).to.emit(w.court, "AuditOpened").withArgs(s.id, AuditOrigin.Drawn, ticket, await w.vault.currentEpoch());
      await mine(1);
      const settle = w.court.assignAuditor(s.id, s.sub);
      await expect(settle).to.emit(w.court, "AuditAbandoned").withArgs(s.id);
      await expect(settle).to.emit(w.market, "JobSettled").withArgs(s.id, E(10));
      await expect(settle).not.to.emit(w.vault, "AuditPassed");
      expect((await w.court.auditOf(s.id)).phase).to.equal(Phase.Done);
      expect((await w.market.getJob(s.id)).status).to.equal(Status.Settled);
    });

    it("a client audit finding nobody settles the job too, the fee staying in the pool", async function () {
      const w = await loadFixture(empty);
      const s = await submitted(w, { taskCount: 10 });
      await w.market.connect(w.client).requestAudit(s.id, s.sub);
      const pool = (await w.market.ledger()).verificationPool;
      await mine(1);
      await expect(w.court.assignAuditor(s.id, s.sub)).to.emit(w.court, "AuditAbandoned").withArgs(s.id);
      expect((await w.market.ledger()).verificationPool).to.equal(pool);
    });
  });

  describe("drawCommittee", function () {
    it("waits for the round's seed, then draws the committee by stake weight from the round's epoch", async function () {
      const w = await loadFixture(certain);
      const d = await disputed(w);
      const { ticket, epoch } = await w.court.roundOf(d.id, 0);
      await expect(w.court.drawCommittee(d.id, d.sub)).to.be.revertedWithCustomError(w.court, "AuditCourtSeedNotReady").withArgs(d.id, ticket + 1n);
      await mine(1);
      const seed = ethers.keccak256(coder.encode(["bytes32", "uint256", "string", "uint256"], [(await ethers.provider.getBlock(Number(ticket))).hash, d.id, "committee", 0]));
      const expected = await w.vault.draw(epoch, seed, 5, [d.challenger.address, w.client.address]);
      const tx = w.court.connect(w.other).drawCommittee(d.id, d.sub);
      const block = await ethers.provider.getBlock((await (await tx).wait()).blockNumber);
      const commitDeadline = block.timestamp + w.cp.commitWindow;
      await expect(tx).to.emit(w.court, "CommitteeDrawn").withArgs(d.id, 0, [...expected], commitDeadline, commitDeadline + w.cp.revealWindow);
      const round = await w.court.roundOf(d.id, 0);
      expect([round.drawn, round.closed, round.members.length]).to.deep.equal([true, false, 5]);
      expect(new Set(round.members).size).to.equal(5);
      await expect(w.court.drawCommittee(d.id, d.sub)).to.be.revertedWithCustomError(w.court, "AuditCourtRoundAlreadyDrawn").withArgs(d.id, 0);
    });

    it("re-anchors a lapsed ticket to a new one from the current epoch", async function () {
      const w = await loadFixture(certain);
      const d = await disputed(w);
      await mine(LAPSE);
      await time.increase(EPOCH);
      const tx = w.court.drawCommittee(d.id, d.sub);
      const ticket = (await (await tx).wait()).blockNumber + 1;
      const epoch = await w.vault.currentEpoch();
      await expect(tx).to.emit(w.court, "DrawReanchored").withArgs(d.id, 0, ticket, epoch);
      await expect(tx).not.to.emit(w.court, "CommitteeDrawn");
      const round = await w.court.roundOf(d.id, 0);
      expect([round.ticket, round.epoch, round.drawn]).to.deep.equal([BigInt(ticket), epoch, false]);
      const drawn = await drawRound(w, d);
      expect(drawn.members.length).to.equal(5);
    });

    it("never draws the challenger or the client, in any round", async function () {
      const w = await loadFixture(heavy);
      // the client and the challenger each hold a third of all draw weight
      const d = await disputed(w, { s: await selected(w, { want: (v) => v === w.verifiers[0].address }) });
      for (let r = 0; r <= w.cp.maxAppeals; r++) {
        const round = await drawRound(w, d);
        expect(round.members.length).to.be.greaterThan(0);
        expect(round.members).to.not.include(w.client.address);
        expect(round.members).to.not.include(d.challenger.address);
        expect(new Set(round.members).size).to.equal(round.members.length);
        await voteRound(w, d, () => null);
        if (r < w.cp.maxAppeals) await appealBy(w, d, w.appellants[r]);
      }
    });

    it("round r asks for (committeeSize + 1) x 2^r - 1 members", async function () {
      const w = await loadFixture(crowd);
      expect(await Promise.all([0, 1, 2, 3].map((r) => w.court.committeeSizeOf(r)))).to.deep.equal([5n, 11n, 23n, 47n]);
      const d = await disputed(w);
      for (const [r, size] of [5, 11, 23].entries()) {
        const round = await drawRound(w, d);
        expect(round.members.length).to.equal(size);
        expect(new Set(round.members).size).to.equal(size);
        await voteRound(w, d, () => null);
        if (r < 2) {
          const opened = await appealBy(w, d, w.appellants[r]);
          expect(opened.args.size).to.equal([11n, 23n][r]);
        }
      }
    });

    it("a round that finds nobody rules at once for the provider", async function () {
      const w = await loadFixture(lonely);
      const d = await disputed(w);
      await mine(1);
      const tx = w.court.drawCommittee(d.id, d.sub);
      const block = await ethers.provider.getBlock((await (await tx).wait()).blockNumber);
      await expect(tx).to.emit(w.court, "CommitteeDrawn").withArgs(d.id, 0, [], anyValue, anyValue);
      await expect(tx).to.emit(w.court, "RoundClosed").withArgs(d.id, 0, false, 0, 0, block.timestamp + w.cp.appealWindow);
    });

    it("refuses a job that is not disputed", async function () {
      const w = await loadFixture(certain);
      const a = await recorded(w);
      await expect(w.court.drawCommittee(a.id, a.sub))
        .to.be.revertedWithCustomError(w.market, "JobMarketInvalidStatus").withArgs(a.id, Status.Auditing, Status.Disputed);
    });
  });

  describe("commitVote", function () {
    it("records a member's sealed vote", async function () {
      const w = await loadFixture(certain);
      const d = await disputed(w);
      const { members } = await drawRound(w, d);
      const member = signerOf(w, members[0]);
      const commitment = commitmentOf(d.id, 0, member.address, true, saltOf(member.address, 0));
      expect(await w.court.voteCommitment(d.id, 0, member.address, true, saltOf(member.address, 0))).to.equal(commitment);
      await expect(w.court.connect(member).commitVote(d.id, commitment)).to.emit(w.court, "VoteCommitted").withArgs(d.id, 0, member.address);
      expect(await w.court.voteOf(d.id, 0, member.address)).to.deep.equal([commitment, 0]);
      expect((await w.court.roundOf(d.id, 0)).committed).to.equal(1);
    });

    it("refuses a job without a dispute, an undrawn round, outsiders, a second commitment and after the deadline", async function () {
      const w = await loadFixture(certain);
      const a = await recorded(w);
      await expect(w.court.connect(a.verifier).commitVote(a.id, ethers.id("c")))
        .to.be.revertedWithCustomError(w.court, "AuditCourtRoundNotDrawn").withArgs(a.id, 0);
      const d = await disputed(w);
      await expect(w.court.connect(w.verifiers[0]).commitVote(d.id, ethers.id("c")))
        .to.be.revertedWithCustomError(w.court, "AuditCourtRoundNotDrawn").withArgs(d.id, 0);
      const round = await drawRound(w, d);
      const outsider = w.verifiers.find((v) => !round.members.includes(v.address));
      for (const caller of [outsider, d.challenger, w.client]) {
        await expect(w.court.connect(caller).commitVote(d.id, ethers.id("c")))
          .to.be.revertedWithCustomError(w.court, "AuditCourtNotMember").withArgs(d.id, 0, caller.address);
      }
      const member = signerOf(w, round.members[0]);
      await w.court.connect(member).commitVote(d.id, ethers.id("c"));
      await expect(w.court.connect(member).commitVote(d.id, ethers.id("d")))
        .to.be.revertedWithCustomError(w.court, "AuditCourtAlreadyCommitted").withArgs(d.id, 0, member.address);
      await time.setNextBlockTimestamp(round.commitDeadline + 1n);
      await expect(w.court.connect(signerOf(w, round.members[1])).commitVote(d.id, ethers.id("c")))
        .to.be.revertedWithCustomError(w.court, "AuditCourtCommitClosed").withArgs(d.id, 0, round.commitDeadline, round.commitDeadline + 1n);
    });

    it("refuses a zero commitment, which could neither be revealed nor count once", async function () {
      const w = await loadFixture(certain);
      const d = await disputed(w);
      const round = await drawRound(w, d);
      const [liar, ...honest] = round.members.map((m) => signerOf(w, m));
      await expect(w.court.connect(liar).commitVote(d.id, ZERO))
        .to.be.revertedWithCustomError(w.court, "AuditCourtCommitmentMismatch").withArgs(d.id, 0, liar.address);
      // had it counted, four more would have opened the reveals with honest members yet to commit
      expect((await w.court.roundOf(d.id, 0)).committed).to.equal(0);
      const [first] = honest;
      await w.court.connect(first).commitVote(d.id, commitmentOf(d.id, 0, first.address, true, saltOf(first.address, 0)));
      await expect(w.court.connect(first).revealVote(d.id, true, saltOf(first.address, 0)))
        .to.be.revertedWithCustomError(w.court, "AuditCourtRevealNotOpen").withArgs(d.id, 0);
    });

    it("refuses a closed round", async function () {
      const w = await loadFixture(certain);
      const d = await disputed(w);
      const round = await drawRound(w, d);
      await voteRound(w, d, () => null);
      await expect(w.court.connect(signerOf(w, round.members[0])).commitVote(d.id, ethers.id("c")))
        .to.be.revertedWithCustomError(w.court, "AuditCourtRoundClosed").withArgs(d.id, 0);
    });
  });

  describe("revealVote", function () {
    it("opens after the commit deadline, or as soon as every member committed", async function () {
      const w = await loadFixture(certain);
      const d = await disputed(w);
      const round = await drawRound(w, d);
      const members = round.members.map((m) => signerOf(w, m));
      for (const m of members.slice(0, 4)) await w.court.connect(m).commitVote(d.id, commitmentOf(d.id, 0, m.address, true, saltOf(m.address, 0)));
      await expect(w.court.connect(members[0]).revealVote(d.id, true, saltOf(members[0].address, 0)))
        .to.be.revertedWithCustomError(w.court, "AuditCourtRevealNotOpen").withArgs(d.id, 0);
      const last = members[4];
      await w.court.connect(last).commitVote(d.id, commitmentOf(d.id, 0, last.address, false, saltOf(last.address, 0)));
      await expect(w.court.connect(members[0]).revealVote(d.id, true, saltOf(members[0].address, 0)))
        .to.emit(w.court, "VoteRevealed").withArgs(d.id, 0, members[0].address, true);
      await expect(w.court.connect(last).revealVote(d.id, false, saltOf(last.address, 0)))
        .to.emit(w.court, "VoteRevealed").withArgs(d.id, 0, last.address, false);
      expect((await w.court.voteOf(d.id, 0, last.address)).revealed).to.equal(2);
      expect((await w.court.voteOf(d.id, 0, members[0].address)).revealed).to.equal(1);
      const r = await w.court.roundOf(d.id, 0);
      expect([r.committed, r.revealed, r.votesWrong]).to.deep.equal([5n, 2n, 1n]);

      const e = await disputed(w);
      const other = await drawRound(w, e);
      const m = signerOf(w, other.members[0]);
      await w.court.connect(m).commitVote(e.id, commitmentOf(e.id, 0, m.address, false, saltOf(m.address, 0)));
      await time.increaseTo(other.commitDeadline + 1n);
      await expect(w.court.connect(m).revealVote(e.id, false, saltOf(m.address, 0))).to.emit(w.court, "VoteRevealed");
    });

    it("refuses a vote or salt that does not match, no commitment, a second reveal and after the deadline", async function () {
      const w = await loadFixture(certain);
      const d = await disputed(w);
      const round = await drawRound(w, d);
      const [a, b, c] = round.members.map((m) => signerOf(w, m));
      for (const m of [a, b]) await w.court.connect(m).commitVote(d.id, commitmentOf(d.id, 0, m.address, true, saltOf(m.address, 0)));
      await time.increaseTo(round.commitDeadline + 1n);
      await expect(w.court.connect(a).revealVote(d.id, false, saltOf(a.address, 0)))
        .to.be.revertedWithCustomError(w.court, "AuditCourtCommitmentMismatch").withArgs(d.id, 0, a.address);
      await expect(w.court.connect(a).revealVote(d.id, true, saltOf(b.address, 0)))
        .to.be.revertedWithCustomError(w.court, "AuditCourtCommitmentMismatch").withArgs(d.id, 0, a.address);
      // b's commitment is bound to b: a cannot reveal it as its own
      await expect(w.court.connect(c).revealVote(d.id, true, saltOf(c.address, 0)))
        .to.be.revertedWithCustomError(w.court, "AuditCourtCommitmentMismatch").withArgs(d.id, 0, c.address);
      await w.court.connect(a).revealVote(d.id, true, saltOf(a.address, 0));
      await expect(w.court.connect(a).revealVote(d.id, true, saltOf(a.address, 0)))
        .to.be.revertedWithCustomError(w.court, "AuditCourtAlreadyRevealed").withArgs(d.id, 0, a.address);
      await time.setNextBlockTimestamp(round.revealDeadline + 1n);
      await expect(w.court.connect(b).revealVote(d.id, true, saltOf(b.address, 0)))
        .to.be.revertedWithCustomError(w.court, "AuditCourtRevealClosed").withArgs(d.id, 0, round.revealDeadline, round.revealDeadline + 1n);
    });

    it("refuses an undrawn round and a job without a dispute", async function () {
      const w = await loadFixture(certain);
      const d = await disputed(w);
      await expect(w.court.connect(w.verifiers[0]).revealVote(d.id, true, ZERO))
        .to.be.revertedWithCustomError(w.court, "AuditCourtRoundNotDrawn").withArgs(d.id, 0);
      await expect(w.court.revealVote(999, true, ZERO)).to.be.revertedWithCustomError(w.court, "AuditCourtRoundNotDrawn").withArgs(999, 0);
    });
  });

  describe("closeRound", function () {
    async function closeWith(votes) {
      const w = await loadFixture(certain);
      const d = await disputed(w);
      await drawRound(w, d);
      const round = await voteRound(w, d, votes);
      return { w, d, round };
    }

    it("rules provider wrong on a majority of the revealed votes", async function () {
      const { w, d, round } = await closeWith((i) => ["wrong", "wrong", "right", "lie", null][i]);
      const r = await w.court.roundOf(d.id, 0);
      expect([r.closed, r.providerWrong, r.revealed, r.votesWrong]).to.deep.equal([true, true, 3n, 2n]);
      expect(round.appealDeadline).to.equal(BigInt((await time.latest()) + w.cp.appealWindow));
    });

    it("rules for the provider on a tie, and when nobody reveals", async function () {
      const tie = await closeWith((i) => ["wrong", "wrong", "right", "right", null][i]);
      expect(tie.round.providerWrong).to.equal(false);
      expect((await tie.w.court.roundOf(tie.d.id, 0)).votesWrong).to.equal(2);
      const silence = await closeWith(() => null);
      expect(silence.round.providerWrong).to.equal(false);
    });

    it("emits the tally and the appeal deadline", async function () {
      const w = await loadFixture(certain);
      const d = await disputed(w);
      const round = await drawRound(w, d);
      for (const [i, m] of round.members.entries()) {
        const wrong = i < 3;
        await w.court.connect(signerOf(w, m)).commitVote(d.id, commitmentOf(d.id, 0, m, wrong, saltOf(m, 0)));
      }
      for (const [i, m] of round.members.entries()) await w.court.connect(signerOf(w, m)).revealVote(d.id, i < 3, saltOf(m, 0));
      // every member revealed: the round closes before its deadlines
      const tx = w.court.connect(w.other).closeRound(d.id);
      const block = await ethers.provider.getBlock((await (await tx).wait()).blockNumber);
      await expect(tx).to.emit(w.court, "RoundClosed").withArgs(d.id, 0, true, 3, 2, block.timestamp + w.cp.appealWindow);
      expect(BigInt(block.timestamp) < round.commitDeadline).to.equal(true);
    });

    it("refuses an undrawn round, a round with votes still to reveal, and a closed round", async function () {
      const w = await loadFixture(certain);
      const d = await disputed(w);
      await expect(w.court.closeRound(d.id)).to.be.revertedWithCustomError(w.court, "AuditCourtRoundNotDrawn").withArgs(d.id, 0);
      const round = await drawRound(w, d);
      await time.increaseTo(round.commitDeadline + 1n);
      await time.setNextBlockTimestamp(round.revealDeadline);
      await expect(w.court.closeRound(d.id)).to.be.revertedWithCustomError(w.court, "AuditCourtRoundOpen").withArgs(d.id, 0);
      await w.court.closeRound(d.id);
      await expect(w.court.closeRound(d.id)).to.be.revertedWithCustomError(w.court, "AuditCourtRoundClosed").withArgs(d.id, 0);
    });
  });

  describe("appeal", function () {
    it("posts bond x 2^(r+1) on the side the last ruling went against and opens a larger round", async function () {
      const w = await loadFixture(certain);
      const d = await disputed(w);
      const bond = d.rounds[0].bond;
      await drawRound(w, d);
      await voteRound(w, d, () => "wrong");
      const [a1, a2] = w.appellants;
      const balance = await w.market.balanceOf(a1.address);
      const tx = w.court.connect(a1).appeal(d.id, d.sub);
      const ticket = (await (await tx).wait()).blockNumber + 1;
      await expect(tx).to.emit(w.court, "RoundOpened").withArgs(d.id, 1, a1.address, false, bond * 2n, ticket, await w.vault.currentEpoch(), 11);
      expect(await w.market.balanceOf(a1.address)).to.equal(balance - bond * 2n);
      expect(await w.court.heldFor(d.id)).to.equal(bond * 3n);
      expect((await w.court.disputeOf(d.id)).rounds).to.equal(2);
      d.rounds.push({ funder: a1.address, fundedWrong: false, bond: bond * 2n });
      await drawRound(w, d);
      await voteRound(w, d, () => "right");
      await expect(w.court.connect(a2).appeal(d.id, d.sub))
        .to.emit(w.court, "RoundOpened").withArgs(d.id, 2, a2.address, true, bond * 4n, anyValue, anyValue, 23);
      expect(await w.court.heldFor(d.id)).to.equal(bond * 7n);
    });

    it("refuses an open round, after the appeal window, beyond maxAppeals and an appellant that cannot pay", async function () {
      const w = await loadFixture(certain);
      const d = await disputed(w);
      await expect(w.court.appeal(d.id, d.sub)).to.be.revertedWithCustomError(w.court, "AuditCourtRoundOpen").withArgs(d.id, 0);
      await drawRound(w, d);
      await expect(w.court.appeal(d.id, d.sub)).to.be.revertedWithCustomError(w.court, "AuditCourtRoundOpen").withArgs(d.id, 0);
      const round = await voteRound(w, d, () => "wrong");
      await expect(w.court.connect(w.other).appeal(d.id, d.sub))
        .to.be.revertedWithCustomError(w.market, "JobMarketInsufficientBalance").withArgs(w.other.address, 0, d.rounds[0].bond * 2n);
      await time.setNextBlockTimestamp(round.appealDeadline + 1n);
      await expect(w.court.connect(w.appellants[0]).appeal(d.id, d.sub))
        .to.be.revertedWithCustomError(w.court, "AuditCourtAppealClosed").withArgs(d.id, 0, round.appealDeadline, round.appealDeadline + 1n);

      const e = await disputed(w);
      for (let r = 0; r <= w.cp.maxAppeals; r++) {
        await drawRound(w, e);
        const closed = await voteRound(w, e, () => null);
        if (r < w.cp.maxAppeals) {
          await time.setNextBlockTimestamp(closed.appealDeadline);
          await appealBy(w, e, w.appellants[r]);
        } else {
          expect(closed.appealDeadline).to.equal(BigInt(await time.latest()));
        }
      }
      await expect(w.court.connect(w.appellants[0]).appeal(e.id, e.sub))
        .to.be.revertedWithCustomError(w.court, "AuditCourtNoMoreAppeals").withArgs(e.id, w.cp.maxAppeals + 1);
    });

    it("refuses a job that is not disputed", async function () {
      const w = await loadFixture(certain);
      const a = await recorded(w);
      await expect(w.court.appeal(a.id, a.sub))
        .to.be.revertedWithCustomError(w.market, "JobMarketInvalidStatus").withArgs(a.id, Status.Auditing, Status.Disputed);
    });
  });

  describe("resolveDispute", function () {
    it("refuses while the last round is open or its ruling may still be appealed", async function () {
      const w = await loadFixture(certain);
      const d = await disputed(w);
      await expect(w.court.resolveDispute(d.id, d.sub)).to.be.revertedWithCustomError(w.court, "AuditCourtRoundOpen").withArgs(d.id, 0);
      await drawRound(w, d);
      const round = await voteRound(w, d, () => "wrong");
      await time.setNextBlockTimestamp(round.appealDeadline);
      await expect(w.court.resolveDispute(d.id, d.sub))
        .to.be.revertedWithCustomError(w.court, "AuditCourtAppealOpen").withArgs(d.id, 0, round.appealDeadline, round.appealDeadline);
      await expect(w.court.resolveDispute(d.id, d.sub)).to.emit(w.court, "DisputeResolved");
      await expect(w.court.resolveDispute(d.id, d.sub))
        .to.be.revertedWithCustomError(w.market, "JobMarketInvalidStatus").withArgs(d.id, Status.Slashed, Status.Disputed);
    });

    it("provider wrong: slashes the collateral and pays client, challenger, coherent members and treasury, to the wei", async function () {
      const w = await loadFixture(certain);
      const d = await disputed(w, { taskCount: 10 });
      await drawRound(w, d);
      // two say wrong, one right; one lies about its vote and one stays silent
      const round = await voteRound(w, d, (i) => ["wrong", "wrong", "right", "lie", null][i]);
      expect(round.providerWrong).to.equal(true);
      await time.increaseTo(round.appealDeadline + 1n);
      const providerStake = await w.vault.accountOf(w.provider.address);
      const { want } = await resolveAndCheck(w, d);
      expect(want.penalties.length).to.equal(3);
      expect(want.coherent).to.equal(2);
      const after = await w.vault.accountOf(w.provider.address);
      expect([after.locked, after.auditsFailed]).to.deep.equal([providerStake.locked - E(100), providerStake.auditsFailed + 1n]);
      // the client got its price and half the collateral back: 10 + 50
      expect(want.credits.get(w.client.address)).to.equal(E(60));
      // the challenger got its bond back and the reward: 10 + 5
      expect(want.credits.get(d.challenger.address)).to.equal(E(15));
    });

    it("provider right after two appeals: settles the job, forfeits the losing bonds to the winning appellant and the coherent, to the wei", async function () {
      const w = await loadFixture(certain);
      const d = await disputed(w, { taskCount: 10 });
      await drawRound(w, d);
      await voteRound(w, d, () => "wrong");
      await appealBy(w, d, w.appellants[0]);
      await drawRound(w, d);
      const r1 = await voteRound(w, d, (i, n) => (i <= n / 2 ? "right" : "wrong"));
      expect(r1.providerWrong).to.equal(false);
      await appealBy(w, d, w.appellants[1]);
      await drawRound(w, d);
      const r2 = await voteRound(w, d, (i, n) => (i === n - 1 ? null : i < n / 2 ? "right" : "wrong"));
      expect(r2.providerWrong).to.equal(false);
      // the last possible round: final at once
      const { want, receipt } = await resolveAndCheck(w, d);
      await expect(receipt).to.emit(w.vault, "AuditPassed").withArgs(w.provider.address);
      // the winning appellant: its 20 back plus half of the forfeited 10 + 40
      expect(want.credits.get(w.appellants[0].address)).to.equal(E(45));
      expect(want.credits.get(w.appellants[1].address) ?? 0n).to.equal(0);
      expect(want.credits.get(d.challenger.address) ?? 0n).to.equal(0);
    });

    it("provider right with nobody funding its side: the provider gets half the challenger's bond; silence is penalised", async function () {
      const w = await loadFixture(certain);
      const d = await disputed(w, { taskCount: 10 });
      await drawRound(w, d);
      const round = await voteRound(w, d, () => null);
      await time.increaseTo(round.appealDeadline + 1n);
      const { want } = await resolveAndCheck(w, d);
      // price 10 plus half of the bond 10
      expect(want.credits.get(w.provider.address)).to.equal(E(15));
      // no coherent vote: the pot (5 penalties and half the bond) goes to the treasury
      expect(want.coherent).to.equal(0);
      expect(want.credits.get(w.treasury.address)).to.equal(E(30));
    });

    it("pays the whole pot out when it divides evenly among the coherent: nothing is left for the treasury", async function () {
      const w = await loadFixture(certain);
      const d = await disputed(w, { taskCount: 10 });
      await drawRound(w, d);
      const round = await voteRound(w, d, () => "right");
      expect(round.members.length).to.equal(5);
      await time.increaseTo(round.appealDeadline + 1n);
      const { want } = await resolveAndCheck(w, d);
      // half of the bond of 10 to the provider, the other half to five coherent members
      expect(want.credits.get(round.members[0])).to.equal(E(1));
      expect(want.credits.get(w.treasury.address)).to.equal(0);
    });

    it("a bond of one wei: the provider's half and each coherent share round to nothing, the treasury keeps the wei", async function () {
      const w = await loadFixture(lean);
      const d = await disputed(w, { taskCount: 10 });
      expect(d.rounds[0].bond).to.equal(1);
      await drawRound(w, d);
      const round = await voteRound(w, d, () => "right");
      await time.increaseTo(round.appealDeadline + 1n);
      const { want } = await resolveAndCheck(w, d);
      expect(want.credits.get(w.provider.address)).to.equal(E(10));
      expect(want.credits.get(w.treasury.address)).to.equal(1);
    });

    it("without an incoherence penalty or a committee share, the incoherent keep their stake and the pot is empty", async function () {
      const w = await loadFixture(lean);
      const d = await disputed(w, { taskCount: 10 });
      await drawRound(w, d);
      const round = await voteRound(w, d, (i) => (i === 0 ? "right" : "wrong"));
      await time.increaseTo(round.appealDeadline + 1n);
      const { want, receipt } = await resolveAndCheck(w, d);
      await expect(receipt).not.to.emit(w.court, "MemberPenalised");
      expect(want.pot).to.equal(0);
      // the treasury gets the half of the collateral of 100 the client does not
      expect(want.credits.get(w.treasury.address)).to.equal(E(50));
    });

    it("provider wrong on a lapsed draw: the challenger's reward comes out of the slash, not the pool", async function () {
      const w = await loadFixture(certain);
      const a = await assign(w, await lapsed(w, { taskCount: 10 }));
      const d = await disputed(w, { s: a });
      await drawRound(w, d);
      const round = await voteRound(w, d, () => "wrong");
      await time.increaseTo(round.appealDeadline + 1n);
      const { want } = await resolveAndCheck(w, d, { origin: AuditOrigin.Lapsed });
      expect(want.fromPool).to.equal(0);
      expect(want.credits.get(d.challenger.address)).to.equal(E(15));
    });

    it("provider wrong on a client audit: the challenger's reward comes from the pool", async function () {
      const w = await loadFixture(fixture);
      const s = await submitted(w, { taskCount: 10 });
      await w.market.connect(w.client).requestAudit(s.id, s.sub);
      const d = await disputed(w, { s: await assign(w, s) });
      await drawRound(w, d);
      const round = await voteRound(w, d, (i) => (i === 0 ? "right" : "wrong"));
      await time.increaseTo(round.appealDeadline + 1n);
      const { want } = await resolveAndCheck(w, d, { origin: AuditOrigin.ClientRequested });
      expect(want.fromPool).to.equal(E(5));
    });
  });

  describe("appealable passes", function () {
    it("appealPass: the client posts the challenger bond and opens round 0 against the pass; the dispute remembers its verifier", async function () {
      const w = await loadFixture(certain);
      const a = await recorded(w, { taskCount: 50 });
      await w.court.connect(a.verifier).submitVerdict(a.id, a.sub, true, EVIDENCE);
      const bond = E(50);
      const balance = await w.market.balanceOf(w.client.address);
      const hold = (await w.market.ledger()).courtHold_;
      const tx = w.court.connect(w.client).appealPass(a.id, a.sub);
      await expect(tx).to.emit(w.court, "PassAppealed").withArgs(a.id, w.client.address, a.verifier.address, bond);
      const receipt = await (await tx).wait();
      await expect(tx).to.emit(w.court, "RoundOpened")
        .withArgs(a.id, 0, w.client.address, true, bond, receipt.blockNumber + 1, await w.vault.currentEpoch(), 5);
      expect(await w.court.disputeOf(a.id)).to.deep.equal([w.client.address, ZERO, 1, a.verifier.address]);
      expect((await w.court.auditOf(a.id)).phase).to.equal(Phase.Disputed);
      expect((await w.market.getJob(a.id)).status).to.equal(Status.Disputed);
      expect(await w.court.heldFor(a.id)).to.equal(bond);
      expect((await w.market.ledger()).courtHold_).to.equal(hold + bond);
      expect(await w.market.balanceOf(w.client.address)).to.equal(balance - bond);
      await expect(w.court.connect(w.client).appealPass(a.id, a.sub))
        .to.be.revertedWithCustomError(w.market, "JobMarketInvalidStatus").withArgs(a.id, Status.Disputed, Status.Auditing);
    });

    it("appealPass and finalizePass refuse an audit that is not a pass, and an appellant that cannot bond", async function () {
      const w = await loadFixture(certain);
      const a = await recorded(w);
      await expect(w.court.connect(w.client).appealPass(a.id, a.sub))
        .to.be.revertedWithCustomError(w.court, "AuditCourtInvalidPhase").withArgs(a.id, Phase.Assigned, Phase.Passed);
      await expect(w.court.finalizePass(a.id, a.sub))
        .to.be.revertedWithCustomError(w.court, "AuditCourtInvalidPhase").withArgs(a.id, Phase.Assigned, Phase.Passed);
      await w.court.connect(a.verifier).submitVerdict(a.id, a.sub, true, EVIDENCE);
      const broke = w.verifiers.find((v) => v.address !== a.verifier.address);
      await w.market.connect(broke).withdraw(await w.market.balanceOf(broke.address));
      await expect(w.court.connect(broke).appealPass(a.id, a.sub))
        .to.be.revertedWithCustomError(w.market, "JobMarketInsufficientBalance").withArgs(broke.address, 0, w.cp.minChallengerBond);
      expect((await w.court.auditOf(a.id)).phase).to.equal(Phase.Passed);
    });

    it("provider wrong: the passing verifier loses falsePassPenaltyBps of the reward, the appellant gets it less the committee's share, to the wei", async function () {
      const w = await loadFixture(certain);
      const a = await recorded(w, { taskCount: 10 });
      const d = await passAppealed(w, a, w.client);
      await drawRound(w, d);
      for (const m of d.rounds[0].members) expect([d.passer, w.client.address]).to.not.include(m);
      const round = await voteRound(w, d, (i) => (i === 0 ? "right" : "wrong"));
      await time.increaseTo(round.appealDeadline + 1n);
      const { want, receipt } = await resolveAndCheck(w, d);
      // the reward of 5 at fifty rewards: 250, more than the verifier's stake of 100, which is all it loses
      await expect(receipt).to.emit(w.court, "FalsePassPenalised").withArgs(d.id, d.passer, E(100));
      expect(want.taken.get(d.passer)).to.equal(E(100));
      // the client: price 10, half the collateral 50, its bond 10 back, the reward 5 and 70 % of 100
      expect(want.credits.get(w.client.address)).to.equal(E(10 + 50 + 10 + 5 + 70));
      await expect(receipt).not.to.emit(w.court, "PassFinalized");
    });

    it("provider wrong when the penalty fits in the stake: exactly fifty rewards", async function () {
      const w = await loadFixture(crowd);
      const a = await recorded(w, { taskCount: 1 });
      const { d, receipt } = await passAppealedAndResolved(w, a, w.client, () => "wrong");
      // price 1, reward 0.5, penalty 25
      await expect(receipt).to.emit(w.court, "FalsePassPenalised").withArgs(d.id, d.passer, E(25));
    });

    it("a verifier whose stake an earlier false pass took loses nothing more; the appellant still gets its bond and the reward", async function () {
      const w = await loadFixture(certain);
      const first = await recorded(w, { taskCount: 10 });
      const second = await recorded(w, { taskCount: 10, want: (v) => v === first.verifier.address });
      const disputes = [await passAppealed(w, first, w.client), await passAppealed(w, second, w.client)];
      const taken = [];
      for (const d of disputes) {
        await drawRound(w, d);
        const round = await voteRound(w, d, () => "wrong");
        await time.increaseTo(round.appealDeadline + 1n);
        // the other dispute's bond stays in the court hold
        d.holdBefore = (await w.market.ledger()).courtHold_ - (await w.court.heldFor(d.id));
        const { want, receipt } = await resolveAndCheck(w, d);
        const [penalised] = eventsOf(receipt, w.court, "FalsePassPenalised");
        taken.push(penalised.args.amount);
        expect(want.credits.get(w.client.address)).to.equal(E(10 + 50 + 10 + 5) + (penalised.args.amount * 7n) / 10n);
      }
      // its whole stake of 100 (less than the penalty of 250) the first time, nothing the second
      expect(taken).to.deep.equal([E(100), 0n]);
    });

    it("provider right: the passing verifier is paid its reward from the pool and the appellant loses its bond, to the wei", async function () {
      const w = await loadFixture(certain);
      const a = await recorded(w, { taskCount: 10 });
      const appellant = w.verifiers.find((v) => v.address !== a.verifier.address);
      const { d, want, receipt } = await passAppealedAndResolved(w, a, appellant, () => "right");
      await expect(receipt).to.emit(w.court, "PassFinalized").withArgs(d.id, d.passer, E(5));
      await expect(receipt).not.to.emit(w.court, "FalsePassPenalised");
      expect(want.credits.get(appellant.address) ?? 0n).to.equal(0);
      // the provider: its price and half the bond
      expect(want.credits.get(w.provider.address)).to.equal(E(15));
    });

    it("a lapsed draw's pass: on appeal the reward comes from the provider's payout (provider right) or from the slash (provider wrong)", async function () {
      const w = await loadFixture(certain);
      const lapsedOrigin = { origin: AuditOrigin.Lapsed };
      const right = await passAppealedAndResolved(w, await assign(w, await lapsed(w, { taskCount: 10 })), w.client, () => "right", lapsedOrigin);
      expect(right.want.fromPool).to.equal(0);
      expect(right.want.credits.get(right.d.passer)).to.equal(E(5));
      const wrong = await passAppealedAndResolved(w, await assign(w, await lapsed(w, { taskCount: 10 })), w.client, () => "wrong", lapsedOrigin);
      expect(wrong.want.fromPool).to.equal(0);
    });

    it("a lapsed draw's pass that exceeds the price (rich reward): finalizePass withholds at most the whole payout", async function () {
      const w = await loadFixture(richReward);
      const a = await assign(w, await lapsed(w, { taskCount: 10 }));
      const { d, receipt } = await passAppealedAndResolved(w, a, w.client, () => "right", { origin: AuditOrigin.Lapsed });
      await expect(receipt).to.emit(w.court, "PassFinalized").withArgs(d.id, d.passer, E(10));
    });

    it("with nobody but the passing verifier to draw, the committee is empty and the pass stands", async function () {
      const w = await loadFixture(lonely);
      const a = await recorded(w, { taskCount: 10 });
      const d = await passAppealed(w, a, w.client);
      await mine(1);
      await expect(w.court.drawCommittee(d.id, d.sub)).to.emit(w.court, "CommitteeDrawn").withArgs(d.id, 0, [], anyValue, anyValue);
      d.rounds[0].members = [];
      d.rounds[0].votes = {};
      d.rounds[0].providerWrong = false;
      const { appealDeadline } = await w.court.roundOf(d.id, 0);
      await time.increaseTo(appealDeadline + 1n);
      const { receipt } = await resolveAndCheck(w, d);
      await expect(receipt).to.emit(w.court, "PassFinalized").withArgs(d.id, d.passer, E(5));
    });
  });

  describe("views", function () {
    it("taskIndicesOf draws min(k, taskCount) distinct indices, probing forward past repeats", async function () {
      const w = await loadFixture(certain);
      for (let i = 0; i < 12; i++) {
        const seed = ethers.id(`seed-${i}`);
        for (const n of [1, 2, 3, 4, 5, 16, 1000]) {
          const got = await w.court.taskIndicesOf(seed, n);
          expect(got, `seed ${i}, ${n} tasks`).to.deep.equal(taskIndices(seed, n));
          expect(new Set(got.map(String)).size).to.equal(Math.min(4, n));
        }
      }
      expect(await w.court.taskIndicesOf(ZERO, 10)).to.deep.equal([]);
      expect(await w.court.taskIndicesOf(ethers.id("x"), 0)).to.deep.equal([]);
    });

    it("auditTasks are the indices of the seed that drew the verifier, none before", async function () {
      const w = await loadFixture(certain);
      const a = await recorded(w, { taskCount: 7 });
      expect(await w.court.auditTasks(a.id, 7)).to.deep.equal(taskIndices(a.seed, 7));
      const l = await lapsed(w);
      expect(await w.court.auditTasks(l.id, l.sub.taskCount)).to.deep.equal([]);
    });

    it("heldFor, disputeOf, roundOf and voteOf are empty for a job never disputed", async function () {
      const w = await loadFixture(certain);
      expect(await w.court.heldFor(1)).to.equal(0);
      expect(await w.court.disputeOf(1)).to.deep.equal([ethers.ZeroAddress, ZERO, 0, ethers.ZeroAddress]);
      expect((await w.court.roundOf(1, 0)).members).to.deep.equal([]);
      expect(await w.court.voteOf(1, 0, w.client.address)).to.deep.equal([ZERO, 0]);
    });
  });
});
