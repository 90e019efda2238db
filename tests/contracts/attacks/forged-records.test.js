// The market stores only a commitment to each job's record; callers pass the record back. A
// record altered to move more money, or someone else's, must never match.
const { expect } = require("chai");
const { loadFixture, time } = require("@nomicfoundation/hardhat-network-helpers");
const h = require("../helpers");

const { E } = h;

async function fixture() {
  const w = await h.world({ verifiers: 3 });
  // the verifiers count for draws from the next epoch on
  await time.increase(h.VAULT_LIMITS.epochLength);
  return w;
}

describe("attack: forged job records", function () {
  it("settle refuses a record with an inflated price or another provider", async function () {
    const w = await loadFixture(fixture);
    const { id, job } = await h.createJob(w);
    const { job: sub } = await h.submit(w, id, job);
    await h.pastChallengeWindow(w);
    for (const forged of [{ ...sub, unitPrice: E(1000) }, { ...sub, taskCount: 1000 }, { ...sub, provider: w.other.address }]) {
      await expect(w.market.settle([id], [forged])).to.be.revertedWithCustomError(w.market, "JobMarketJobMismatch").withArgs(id, await w.market.jobCommitment(forged));
    }
  });

  it("expire refuses a record with an inflated price or another client", async function () {
    const w = await loadFixture(fixture);
    const { id, job } = await h.createJob(w);
    await time.increaseTo(job.deadline + 1n);
    for (const forged of [{ ...job, unitPrice: E(1000) }, { ...job, client: w.other.address }]) {
      await expect(w.market.expire([id], [forged])).to.be.revertedWithCustomError(w.market, "JobMarketJobMismatch").withArgs(id, await w.market.jobCommitment(forged));
    }
  });

  it("a record of one job cannot act on another job's id", async function () {
    const w = await loadFixture(fixture);
    const a = await h.createJob(w, { taskCount: 1 });
    const b = await h.createJob(w, { taskCount: 500 });
    const { job: sub } = await h.submit(w, a.id, a.job);
    await h.pastChallengeWindow(w);
    await expect(w.market.settle([b.id], [sub])).to.be.revertedWithCustomError(w.market, "JobMarketJobMismatch").withArgs(b.id, await w.market.jobCommitment(sub));
  });

  it("the court refuses forged records through the market's check", async function () {
    const w = await loadFixture(fixture);
    const { id, job } = await h.createJob(w);
    const { job: sub } = await h.submit(w, id, job);
    await w.market.connect(w.client).requestAudit(id, sub);
    const forged = { ...sub, unitPrice: E(1000) };
    await expect(w.court.assignAuditor(id, forged)).to.be.revertedWithCustomError(w.market, "JobMarketJobMismatch").withArgs(id, await w.market.jobCommitment(forged));
    await expect(w.court.connect(w.verifiers[0]).submitVerdict(id, forged, true, h.ZERO))
      .to.be.revertedWithCustomError(w.market, "JobMarketJobMismatch").withArgs(id, await w.market.jobCommitment(forged));
  });
});
