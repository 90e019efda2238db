// Verifiers who pass without checking, and those who try to exploit the appeal of a pass. A pass
// stands only after `passAppealWindow`, during which the job's client or any staked verifier may
// appeal it with the challenger bond; a committee (commit–reveal, appeals) then judges the job,
// and a pass ruled wrong costs its verifier `falsePassPenaltyBps` of the reward, paid to the
// appellant less the committee's share. Every dispute here is played by honest committees.
const { expect } = require("chai");
const { ethers } = require("hardhat");
const { loadFixture, time } = require("@nomicfoundation/hardhat-network-helpers");
const h = require("../helpers");
const P = require("./players");

const { E, Role, BPS, Status } = h;
const POOL = 20;
const TASKS = 10; // price 10, collateral 100, reward 5, challenger bond 10, false-pass penalty 250
const STAKE = E(1_000);

async function fixture() {
  const w = await h.world();
  w.pool = await h.extraAccounts(w, POOL, { tag: "pass-verifier", tokens: E(10_000) });
  for (const v of w.pool) {
    await w.vault.connect(v).stake(Role.Verifier, STAKE, P.G);
    await w.market.connect(v).deposit(E(1_000), P.G);
  }
  // a stranger with money in the market but no stake
  [w.stranger] = await h.extraAccounts(w, 1, { tag: "stranger", tokens: E(1_000) });
  await w.market.connect(w.stranger).deposit(E(1_000), P.G);
  await time.increase(h.VAULT_LIMITS.epochLength);
  const signers = new Map([...w.pool, w.client, w.provider, w.stranger].map((s) => [s.address, s]));
  w.signerOf = (a) => signers.get(a);
  w.cp = await w.court.params();
  const price = w.offer.unitPrice * BigInt(TASKS);
  w.m = {
    price,
    collateral: (price * BigInt(w.params.collateralMultiplierBps)) / BPS,
    reward: (price * BigInt(w.params.auditRewardBps)) / BPS,
  };
  w.m.penalty = (w.m.reward * w.cp.falsePassPenaltyBps) / BPS;
  const scaled = (w.m.collateral * w.cp.challengerBondBps) / BPS;
  w.m.bond = scaled > w.cp.minChallengerBond ? scaled : w.cp.minChallengerBond;
  return w;
}

/** Submitted jobs until one whose own draw names a verifier of the pool; the others settle or are left. */
async function auditedJob(w) {
  for (let batch = 0; batch < 10; batch++) {
    const jobs = await P.pendingAuditors(w, await P.submittedJobs(w, {
      client: w.client, provider: w.provider, offer: w.offer, sig: w.offerSig, count: 20, taskCount: TASKS,
    }));
    const target = jobs.find((j) => j.verifier !== ethers.ZeroAddress);
    if (target) return { ...target, verifierSigner: w.signerOf(target.verifier) };
  }
  throw new Error("no audited job in 200");
}

/** The drawn verifier passes the job unchecked (its draw fixed by the verdict); returns the pass's appeal deadline. */
async function lazyPass(w, j, evidence = h.ZERO) {
  await w.court.connect(j.verifierSigner).submitVerdict(j.id, j.job, true, evidence, P.G);
  const audit = await w.court.auditOf(j.id);
  expect(audit.phase).to.equal(5n); // Passed
  return audit.deadline;
}

/** Plays the open dispute with every member voting `providerWrong`, nobody appealing. */
function judge(w, j, providerWrong) {
  return P.playDispute(w, j.id, j.job, { signerOf: w.signerOf, vote: () => providerWrong });
}

async function worths(w, addresses) {
  return new Map(await Promise.all(addresses.map(async (a) => [a, await h.worth(w, a)])));
}

/** Every account whose money a dispute may move: the pool, client, provider, stranger and treasury. */
const everyone = (w) => [...w.pool.map((v) => v.address), w.client.address, w.provider.address, w.stranger.address, w.deployer.address];

describe("attack: lazy and copying verifiers, and abuse of pass appeals", function () {
  it("a lazy verifier passes a wrong result; the client appeals and the verifier loses fifty rewards, the client is paid from both slashes", async function () {
    const w = await loadFixture(fixture);
    const j = await auditedJob(w);
    await lazyPass(w, j);
    const before = await worths(w, everyone(w));
    const pool = (await w.market.ledger()).verificationPool;
    await expect(w.court.connect(w.client).appealPass(j.id, j.job, P.G))
      .to.emit(w.court, "PassAppealed").withArgs(j.id, w.client.address, j.verifier, w.m.bond);
    const dispute = await w.court.disputeOf(j.id);
    expect([dispute.challenger, dispute.passingVerifier]).to.deep.equal([w.client.address, j.verifier]);
    const played = await judge(w, j, true);
    expect(played.providerWrong).to.equal(true);
    for (const round of played.rounds) {
      expect(round.members, "neither the passing verifier nor the appellant sits").to.not.include.members([j.verifier, w.client.address]);
    }
    const after = await worths(w, everyone(w));
    const delta = (a) => after.get(a) - before.get(a);
    const toAppellant = w.m.penalty - (w.m.penalty * w.cp.slashCommitteeBps) / BPS;
    expect(delta(j.verifier), "the lazy verifier's penalty").to.equal(-w.m.penalty);
    expect(delta(w.provider.address), "the provider's collateral").to.equal(-w.m.collateral);
    // the client: its price back, half the collateral, the audit reward and the penalty less the committee's 30 %
    expect(delta(w.client.address)).to.equal(w.m.price + w.m.collateral / 2n + w.m.reward + toAppellant);
    // money is conserved: all that moved came from the slashes, the escrow and the pool's reward
    const moved = everyone(w).reduce((sum, a) => sum + delta(a), 0n);
    expect(moved).to.equal(w.m.price + pool - (await w.market.ledger()).verificationPool);
    expect(await w.court.heldFor(j.id)).to.equal(0);
    expect((await w.market.getJob(j.id)).status).to.equal(Status.Slashed);
  });

  it("a copying verifier (its evidence the provider's own outputs) is caught by any staked verifier watching, who earns from it", async function () {
    const w = await loadFixture(fixture);
    const j = await auditedJob(w);
    await lazyPass(w, j, j.job.outputsHash);
    const watcher = w.pool.find((v) => v.address !== j.verifier);
    const before = await worths(w, [watcher.address, j.verifier]);
    await expect(w.court.connect(watcher).appealPass(j.id, j.job, P.G)).to.emit(w.court, "RoundOpened")
      .withArgs(j.id, 0, watcher.address, true, w.m.bond, (t) => t > 0n, (e) => e >= 0n, w.cp.committeeSize);
    await judge(w, j, true);
    const after = await worths(w, [watcher.address, j.verifier]);
    const toAppellant = w.m.penalty - (w.m.penalty * w.cp.slashCommitteeBps) / BPS;
    expect(after.get(watcher.address) - before.get(watcher.address)).to.equal(w.m.reward + toAppellant);
    expect(after.get(j.verifier) - before.get(j.verifier)).to.equal(-w.m.penalty);
  });

  it("a provider colluding with its verifier cannot finalize a wrong pass before the window ends, nor appeal it away; the client's last-second appeal slashes both", async function () {
    const w = await loadFixture(fixture);
    const j = await auditedJob(w);
    const deadline = await lazyPass(w, j);
    for (const colluder of [w.provider, j.verifierSigner]) {
      await expect(w.court.connect(colluder).finalizePass(j.id, j.job, P.G))
        .to.be.revertedWithCustomError(w.court, "AuditCourtPassAppealOpen");
      // appealing their own pass would let them pick its side and the bond's fate: refused
      await expect(w.court.connect(colluder).appealPass(j.id, j.job, P.G))
        .to.be.revertedWithCustomError(w.court, "AuditCourtNotAppellant").withArgs(j.id, colluder.address);
    }
    await time.setNextBlockTimestamp(deadline);
    await expect(w.court.connect(w.client).appealPass(j.id, j.job, P.G)).to.emit(w.court, "PassAppealed");
    await expect(w.court.finalizePass(j.id, j.job, P.G))
      .to.be.revertedWithCustomError(w.market, "JobMarketInvalidStatus").withArgs(j.id, Status.Disputed, Status.Auditing);
    const stake = (await w.vault.accountOf(j.verifier)).stake;
    await judge(w, j, true);
    expect((await w.vault.accountOf(j.verifier)).stake).to.equal(stake - w.m.penalty);
    expect((await w.market.getJob(j.id)).status).to.equal(Status.Slashed);
  });

  it("an appellant griefing honest passes loses its bond each time; the passing verifiers are paid and the provider gets half of each bond", async function () {
    const w = await loadFixture(fixture);
    const griefer = w.pool[POOL - 1];
    const before = await worths(w, [...w.pool.map((v) => v.address), w.provider.address]);
    const jobs = [];
    while (jobs.length < 3) {
      const j = await auditedJob(w);
      if (j.verifier === griefer.address) continue;
      await lazyPass(w, j);
      await w.court.connect(griefer).appealPass(j.id, j.job, P.G);
      jobs.push(j);
    }
    const accounts = [griefer.address, w.provider.address, ...jobs.map((j) => j.verifier)];
    // each passing verifier gets its reward; each coherent seat a share of the other half of the bond
    const paid = new Map();
    const pay = (a, x) => paid.set(a, (paid.get(a) ?? 0n) + x);
    for (const j of jobs) {
      const played = await judge(w, j, false);
      expect(played.providerWrong).to.equal(false);
      pay(j.verifier, w.m.reward);
      const { members } = played.rounds[0];
      for (const m of members) pay(m, (w.m.bond - w.m.bond / 2n) / BigInt(members.length));
    }
    const after = await worths(w, accounts);
    expect(after.get(griefer.address) - before.get(griefer.address), "the griefer's three bonds").to.equal(-3n * w.m.bond);
    for (const j of jobs) expect(after.get(j.verifier) - before.get(j.verifier), `verifier ${j.verifier}`).to.equal(paid.get(j.verifier));
    // the provider: each price (escrowed before) and half of each forfeited bond
    expect(after.get(w.provider.address) - before.get(w.provider.address)).to.equal(3n * (w.m.price + w.m.bond / 2n));
  });

  it("nobody can appeal a pass after its window: the pass is finalized and the verifier paid", async function () {
    const w = await loadFixture(fixture);
    const j = await auditedJob(w);
    const deadline = await lazyPass(w, j);
    await time.setNextBlockTimestamp(deadline + 1n);
    await expect(w.court.connect(w.client).appealPass(j.id, j.job, P.G))
      .to.be.revertedWithCustomError(w.court, "AuditCourtPassAppealClosed").withArgs(j.id, deadline, deadline + 1n);
    const balance = await w.market.balanceOf(j.verifier);
    await expect(w.court.connect(w.stranger).finalizePass(j.id, j.job, P.G)).to.emit(w.court, "PassFinalized").withArgs(j.id, j.verifier, w.m.reward);
    expect(await w.market.balanceOf(j.verifier)).to.equal(balance + w.m.reward);
    await expect(w.court.connect(w.client).appealPass(j.id, j.job, P.G))
      .to.be.revertedWithCustomError(w.market, "JobMarketInvalidStatus").withArgs(j.id, Status.Settled, Status.Auditing);
  });

  it("the passing verifier, the provider, an account without stake and a verifier leaving the vault cannot appeal", async function () {
    const w = await loadFixture(fixture);
    const j = await auditedJob(w);
    await lazyPass(w, j);
    const leaving = w.pool.find((v) => v.address !== j.verifier);
    await w.vault.connect(leaving).requestUnstake(STAKE, P.G);
    for (const caller of [j.verifierSigner, w.provider, w.stranger, leaving]) {
      await expect(w.court.connect(caller).appealPass(j.id, j.job, P.G))
        .to.be.revertedWithCustomError(w.court, "AuditCourtNotAppellant").withArgs(j.id, caller.address);
    }
    expect((await w.court.auditOf(j.id)).phase).to.equal(5n);
  });

  it("a verifier unstaking during the window cannot withdraw before the ruling: the penalty reaches its unbonding stake", async function () {
    const w = await loadFixture(fixture);
    const j = await auditedJob(w);
    await lazyPass(w, j);
    await w.vault.connect(j.verifierSigner).requestUnstake(STAKE, P.G);
    const { unbondingReleaseAt } = await w.vault.accountOf(j.verifier);
    await w.court.connect(w.client).appealPass(j.id, j.job, P.G);
    await expect(w.vault.connect(j.verifierSigner).withdrawUnstaked(P.G)).to.be.revertedWithCustomError(w.vault, "StakingVaultUnbonding");
    await judge(w, j, true);
    // the dispute (every round) ended well before the unbonding delay: the court refuses a shorter delay
    expect(BigInt(await time.latest())).to.be.lessThan(unbondingReleaseAt);
    const account = await w.vault.accountOf(j.verifier);
    expect([account.stake, account.unbonding]).to.deep.equal([STAKE - w.m.penalty, STAKE - w.m.penalty]);
    await time.increaseTo(unbondingReleaseAt);
    const wallet = await w.token.balanceOf(j.verifier);
    await w.vault.connect(j.verifierSigner).withdrawUnstaked(P.G);
    expect(await w.token.balanceOf(j.verifier)).to.equal(wallet + STAKE - w.m.penalty);
  });
});
