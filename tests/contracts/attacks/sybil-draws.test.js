// Sybils: stake brought in once a seed is public, to be drawn as a job's verifier or onto its
// committee. Every draw reads the stake snapshot of an epoch that was fixed before its seed
// existed, so such stake is never drawn with that seed. Committees are sampled by stake weight.
const { expect } = require("chai");
const { ethers } = require("hardhat");
const { loadFixture, time, mine, takeSnapshot } = require("@nomicfoundation/hardhat-network-helpers");
const h = require("../helpers");
const P = require("./players");

const { E, Role } = h;
const EPOCH = h.VAULT_LIMITS.epochLength;
const SYBIL_STAKE = E(1_000_000);

async function fixture() {
  const w = await h.world({ verifiers: 14 });
  w.sybils = await h.extraAccounts(w, 10, { tag: "sybil", tokens: SYBIL_STAKE * 2n });
  await time.increase(EPOCH);
  w.honest = new Set(w.verifiers.map((v) => v.address));
  w.signerOf = (a) => w.verifiers.find((v) => v.address === a);
  return w;
}

/** Moves to one second into the next epoch, so that what follows happens within one epoch. */
async function startOfNextEpoch() {
  const now = await time.latest();
  await time.increaseTo((Math.floor(now / EPOCH) + 1) * EPOCH + 1);
}

async function stakeSybils(w) {
  for (const s of w.sybils) await w.vault.connect(s).stake(Role.Verifier, SYBIL_STAKE, P.G);
}

function jobsOf(w, count) {
  return P.submittedJobs(w, { client: w.client, provider: w.provider, offer: w.offer, sig: w.offerSig, count, taskCount: 4 });
}

describe("attack: sybils staked after a seed is public", function () {
  it("are never drawn as the verifier of a job whose seed they saw", async function () {
    const w = await loadFixture(fixture);
    await startOfNextEpoch();
    const jobs = await jobsOf(w, 100);
    await mine(2); // the seeds exist
    await stakeSybils(w);
    // the sybils, 99.99 % of all stake, are drawable in the epoch now running
    await time.increase(EPOCH);
    const now = await w.vault.currentEpoch();
    const then = await w.vault.epochOf(jobs[0].job.submittedAt);
    for (const s of w.sybils) {
      expect(await w.vault.isDrawable(s.address, now)).to.equal(true);
      expect(await w.vault.drawWeightOf(s.address, then)).to.equal(0);
    }
    let audited = 0;
    let sybilsWithTheSeedNow = 0;
    for (const { id, job } of jobs) {
      const [verifier, seed] = await w.court.pendingAuditor(id, job);
      if (verifier === ethers.ZeroAddress) continue;
      audited += 1;
      expect(w.honest.has(verifier), `job ${id}`).to.equal(true);
      // the same seed drawn from today's snapshot would have found a sybil
      const [today] = await w.vault.draw(now, seed, 1, [w.client.address]);
      if (!w.honest.has(today)) sybilsWithTheSeedNow += 1;
    }
    expect(audited).to.be.greaterThan(0);
    expect(sybilsWithTheSeedNow).to.be.greaterThan(0);
    // nor can a sybil fix a draw with its own passing verdict, on a selected job or an unselected one
    const sybil = w.sybils[0];
    const selected = [];
    const unselected = [];
    for (const j of jobs) ((await w.court.pendingAuditor(j.id, j.job))[0] === ethers.ZeroAddress ? unselected : selected).push(j);
    await expect(w.court.connect(sybil).submitVerdict(selected[0].id, selected[0].job, true, h.ZERO, P.G))
      .to.be.revertedWithCustomError(w.court, "AuditCourtNotDrawnVerifier");
    await expect(w.court.connect(sybil).submitVerdict(unselected[0].id, unselected[0].job, true, h.ZERO, P.G))
      .to.be.revertedWithCustomError(w.market, "JobMarketNotDrawnForAudit").withArgs(unselected[0].id);
    await w.market.recordDraw(jobs.map((j) => j.id), jobs.map((j) => j.job), P.G);
    for (const { id } of jobs) {
      const { verifier } = await w.court.auditOf(id);
      if (verifier !== ethers.ZeroAddress) expect(w.honest.has(verifier), `job ${id}`).to.equal(true);
    }
  });

  it("a client with sybils asking for audits of honest results neither picks the verifier nor gets its sybils drawn", async function () {
    const w = await loadFixture(fixture);
    await startOfNextEpoch();
    const jobs = await jobsOf(w, 10);
    await stakeSybils(w);
    for (const { id, job } of jobs) {
      await w.market.connect(w.client).requestAudit(id, job, P.G);
      // nobody is drawn yet: the seed is the hash of a block that does not exist
      const audit = await w.court.auditOf(id);
      expect(audit.verifier).to.equal(ethers.ZeroAddress);
      expect(audit.ticket).to.equal(BigInt(await ethers.provider.getBlockNumber()) + 1n);
    }
    await time.increase(EPOCH);
    expect(await w.vault.isDrawable(w.sybils[0].address, await w.vault.currentEpoch())).to.equal(true);
    // the first job's verifier is the same whichever block in the seed's window draws it
    const first = jobs[0];
    const chosen = new Set();
    for (const wait of [0, 50, 200]) {
      const snapshot = await takeSnapshot();
      await mine(wait);
      await w.court.assignAuditor(first.id, first.job, P.G);
      chosen.add((await w.court.auditOf(first.id)).verifier);
      await snapshot.restore();
    }
    expect(chosen.size).to.equal(1);
    // past the seed's window nobody reads it: the draw waits for a new, future block
    {
      const snapshot = await takeSnapshot();
      await mine(256);
      await expect(w.court.assignAuditor(first.id, first.job, P.G)).to.emit(w.court, "DrawReanchored");
      const audit = await w.court.auditOf(first.id);
      expect(audit.verifier).to.equal(ethers.ZeroAddress);
      expect(audit.ticket).to.equal(BigInt(await ethers.provider.getBlockNumber()) + 1n);
      await snapshot.restore();
    }
    for (const { id, job } of jobs) {
      await w.court.assignAuditor(id, job, P.G);
      expect(w.honest.has((await w.court.auditOf(id)).verifier), `job ${id}`).to.equal(true);
    }
  });

  it("are never drawn onto the committee of a round opened before their stake counted", async function () {
    const w = await loadFixture(fixture);
    await startOfNextEpoch();
    let target;
    while (!target) {
      const jobs = await P.pendingAuditors(w, await jobsOf(w, 20));
      target = jobs.find((j) => j.verifier !== ethers.ZeroAddress);
    }
    const challenger = w.signerOf(target.verifier);
    await w.court.connect(challenger).submitVerdict(target.id, target.job, false, ethers.id("evidence"), P.G);
    await stakeSybils(w);
    // round 0 and its appeal open in this epoch; round 1's committee is drawn in the next one
    await mine(1);
    await w.court.drawCommittee(target.id, target.job, P.G);
    const round0 = await w.court.roundOf(target.id, 0);
    for (const m of round0.members) expect(w.honest.has(m), "round 0").to.equal(true);
    for (const m of round0.members) {
      const salt = ethers.id(m);
      await w.court.connect(w.signerOf(m)).commitVote(target.id, P.voteCommitment(target.id, 0, m, false, salt), P.G);
    }
    for (const m of round0.members) await w.court.connect(w.signerOf(m)).revealVote(target.id, false, ethers.id(m), P.G);
    await w.court.closeRound(target.id, P.G);
    await w.court.connect(challenger).appeal(target.id, target.job, P.G);
    await time.increase(EPOCH);
    expect(await w.vault.isDrawable(w.sybils[0].address, await w.vault.currentEpoch())).to.equal(true);
    await mine(1);
    await w.court.drawCommittee(target.id, target.job, P.G);
    const round1 = await w.court.roundOf(target.id, 1);
    expect(round1.members.length).to.be.greaterThan(5);
    for (const m of round1.members) expect(w.honest.has(m), "round 1").to.equal(true);
  });

  it("stake added during a dispute counts only for rounds opened from the next epoch on, with seeds it could not know", async function () {
    const w = await loadFixture(fixture);
    await startOfNextEpoch();
    let target;
    while (!target) {
      const jobs = await P.pendingAuditors(w, await jobsOf(w, 20));
      target = jobs.find((j) => j.verifier !== ethers.ZeroAddress);
    }
    const challenger = w.signerOf(target.verifier);
    await w.court.connect(challenger).submitVerdict(target.id, target.job, false, h.ZERO, P.G);
    await stakeSybils(w);
    const opened = await w.court.roundOf(target.id, 0);
    expect(await w.vault.drawWeightOf(w.sybils[0].address, opened.epoch)).to.equal(0);
    await time.increase(EPOCH);
    // a round opened now takes a ticket for the next block and reads this epoch's snapshot
    await mine(1);
    await w.court.drawCommittee(target.id, target.job, P.G);
    const round0 = await w.court.roundOf(target.id, 0);
    for (const m of round0.members) {
      const salt = ethers.id(m);
      await w.court.connect(w.signerOf(m)).commitVote(target.id, P.voteCommitment(target.id, 0, m, true, salt), P.G);
    }
    for (const m of round0.members) await w.court.connect(w.signerOf(m)).revealVote(target.id, true, ethers.id(m), P.G);
    await w.court.closeRound(target.id, P.G);
    await w.market.connect(w.provider).deposit(E(10_000));
    const block = await ethers.provider.getBlockNumber();
    await w.court.connect(w.provider).appeal(target.id, target.job, P.G);
    const round1 = await w.court.roundOf(target.id, 1);
    expect(round1.ticket).to.be.greaterThan(BigInt(block) + 1n);
    expect(await w.vault.drawWeightOf(w.sybils[0].address, round1.epoch)).to.equal(SYBIL_STAKE);
  });
});

describe("attack: committees as runs of neighbours", function () {
  async function weighted() {
    const w = await h.world({ verifiers: 16 });
    // weights 100, 150, ..., 850 in staking (slot) order
    for (const [i, v] of w.verifiers.entries()) if (i > 0) await w.vault.connect(v).stake(Role.Verifier, E(50 * i));
    await time.increase(EPOCH);
    return w;
  }

  it("draws are stake-weighted samples, not runs of consecutive slots", async function () {
    const w = await loadFixture(weighted);
    const epoch = await w.vault.currentEpoch();
    const slots = new Map(w.verifiers.map((v, i) => [v.address, i]));
    const weights = w.verifiers.map((_, i) => 100 + 50 * i);
    const total = weights.reduce((a, b) => a + b);
    const firsts = new Array(16).fill(0);
    const DRAWS = 1000;
    let runs = 0;
    for (let i = 0; i < DRAWS; i++) {
      const committee = await w.vault.draw(epoch, ethers.id(`committee-${i}`), 5, []);
      expect(new Set(committee).size).to.equal(5);
      firsts[slots.get(committee[0])] += 1;
      const sorted = committee.map((a) => slots.get(a)).sort((a, b) => a - b);
      // a run of neighbours, wrapping around the end
      const gaps = sorted.map((s, j) => (sorted[(j + 1) % 5] - s + 16) % 16);
      if (gaps.filter((g) => g === 1).length === 4) runs += 1;
    }
    // the first member is drawn with probability weight / total: chi-square over 15 degrees of
    // freedom, below its 0.1 % critical value (37.7); the seeds are fixed, so the result is too
    const chi = firsts.reduce((acc, n, i) => acc + (n - (DRAWS * weights[i]) / total) ** 2 / ((DRAWS * weights[i]) / total), 0);
    expect(chi).to.be.lessThan(37.7);
    // a run of 5 among 16 slots happens by chance about once in 200 draws
    expect(runs).to.be.lessThan(DRAWS / 50);
    // the heaviest account is drawn first about 8.5 times as often as the lightest
    expect(firsts[15]).to.be.greaterThan(4 * firsts[0]);
  });
});
