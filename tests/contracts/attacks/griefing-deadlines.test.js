// A client trying to make a provider pay: impossible deadlines, and jobs whose manifest and
// inputs it never uploads. Only a job the provider accepted can cost it, and only out of that
// job's own collateral.
const { expect } = require("chai");
const { ethers } = require("hardhat");
const { loadFixture, time } = require("@nomicfoundation/hardhat-network-helpers");
const { anyValue } = require("@nomicfoundation/hardhat-chai-matchers/withArgs");
const h = require("../helpers");

const { E, Role, Status } = h;

async function fixture() {
  return h.world();
}

/** Everything the provider owns and has locked, read at once. */
async function providerBook(w, provider = w.provider) {
  const [account, vault, tokens] = await Promise.all([
    w.market.accountOf(provider.address), w.vault.accountOf(provider.address), w.token.balanceOf(provider.address),
  ]);
  return { balance: account.balance, collateral: account.collateral, stake: vault.stake, locked: vault.locked, tokens };
}

describe("attack: griefing deadlines", function () {
  it("a deadline of now + 1 is refused: the offer's minimum turnaround binds", async function () {
    const w = await loadFixture(fixture);
    const at = (await time.latest()) + 10;
    await time.setNextBlockTimestamp(at);
    await expect(w.market.connect(w.client).createJob(w.offer, w.offerSig, 4, h.ZERO, h.ZERO, at + 1))
      .to.be.revertedWithCustomError(w.market, "JobMarketInvalidDeadline").withArgs(at + 1, at + w.offer.minTurnaround);
  });

  it("deadlines now, in the past, or one second short of the turnaround are refused", async function () {
    const w = await loadFixture(fixture);
    for (const offset of [0, -100, w.offer.minTurnaround - 1]) {
      const at = (await time.latest()) + 10;
      await time.setNextBlockTimestamp(at);
      await expect(w.market.connect(w.client).createJob(w.offer, w.offerSig, 4, h.ZERO, h.ZERO, at + offset), String(offset))
        .to.be.revertedWithCustomError(w.market, "JobMarketInvalidDeadline").withArgs(at + offset, at + w.offer.minTurnaround);
    }
  });

  it("jobs whose data never arrived expire without costing the provider a wei, and refund the client", async function () {
    const w = await loadFixture(fixture);
    const before = await providerBook(w);
    const clientBefore = await h.worth(w, w.client.address);
    const deadline = (await time.latest()) + 600;
    const requests = Array.from({ length: 20 }, (_, i) => ({
      offer: w.offer, offerSig: w.offerSig, taskCount: 50, tasksRoot: ethers.id(`never-${i}`), manifestHash: ethers.id(`never-${i}`), deadline,
    }));
    const first = (await w.market.ledger()).jobCount + 1n;
    await w.market.connect(w.client).createJobs(requests);
    // the provider cannot fetch the manifest, so it never accepts; the client cannot accept for it
    const jobs = requests.map((q, i) => ({
      id: first + BigInt(i),
      job: h.jobRecord({ client: w.client.address, offer: w.offer, taskCount: 50, tasksRoot: q.tasksRoot, manifestHash: q.manifestHash, deadline: BigInt(deadline) }),
    }));
    await expect(w.market.connect(w.client).acceptJob(jobs[0].id, jobs[0].job))
      .to.be.revertedWithCustomError(w.market, "JobMarketNotProvider").withArgs(w.client.address, w.provider.address);
    await time.increaseTo(deadline + 1);
    const m = h.money(w.params, E(1), 50);
    const tx = w.market.expire(jobs.map((j) => j.id), jobs.map((j) => j.job));
    await expect(tx).to.emit(w.market, "JobExpired").withArgs(first, m.cost, 0);
    await expect(tx).not.to.emit(w.vault, "Slashed");
    expect(await providerBook(w)).to.deep.equal(before);
    expect(await h.worth(w, w.client.address)).to.equal(clientBefore);
    for (const j of jobs) expect((await w.market.getJob(j.id)).status).to.equal(Status.Expired);
  });

  it("an accepted job that expires pays the penalty from its own collateral only", async function () {
    const w = await loadFixture(fixture);
    // a provider that locked exactly two jobs' collateral
    await w.vault.connect(w.other).stake(Role.Provider, E(10_000));
    const m = h.money(w.params, E(1), 100);
    await w.market.connect(w.other).lockCollateral(2n * m.collateral);
    const offer = { ...w.offer, provider: w.other.address };
    const sig = await h.signOffer(w.other, w.market, offer);
    const late = await h.createJob(w, { offer, sig, taskCount: 100, deadlineIn: 600 });
    await h.createJob(w, { offer, sig, taskCount: 100, deadlineIn: 6000 }); // in flight, not accepted
    await h.accept(w, late.id, late.job, { provider: w.other });
    const before = await providerBook(w, w.other);
    const clientBefore = await w.market.balanceOf(w.client.address);
    await time.increaseTo(late.job.deadline + 1n);
    await expect(w.market.expire([late.id], [late.job])).to.emit(w.market, "JobExpired").withArgs(late.id, m.price + m.expiryOwed, m.expiryOwed);
    expect(m.expiryOwed).to.be.lessThanOrEqual(m.collateral);
    const after = await providerBook(w, w.other);
    expect(after.stake).to.equal(before.stake - m.expiryOwed);
    expect(after.locked).to.equal(before.locked - m.expiryOwed);
    // stake the provider never locked is untouched
    expect(after.stake - after.locked).to.equal(before.stake - before.locked);
    expect(after.collateral).to.equal(m.collateral - m.expiryOwed);
    expect(after.balance).to.equal(before.balance);
    expect(await w.market.balanceOf(w.client.address)).to.equal(clientBefore + m.price + m.expiryOwed);
    // the other job still holds its whole collateral
    expect(after.locked - after.collateral).to.equal(m.collateral);
  });

  it("jobs never accepted cannot hold the provider's collateral: it declines them at once and its other clients are served", async function () {
    const w = await loadFixture(fixture);
    const griefer = w.other;
    await w.market.connect(griefer).deposit(E(10_000));
    const free = (await w.market.accountOf(w.provider.address)).collateral;
    const m = h.money(w.params, E(1), 1000);
    const jobs = Number(free / m.collateral);
    const deadline = BigInt(await time.latest()) + 365n * 24n * 3600n;
    const requests = Array.from({ length: jobs }, (_, i) => ({
      offer: w.offer, offerSig: w.offerSig, taskCount: 1000, tasksRoot: ethers.id(`hold-${i}`), manifestHash: ethers.id(`hold-${i}`), deadline,
    }));
    const first = (await w.market.ledger()).jobCount + 1n;
    const before = { griefer: await h.worth(w, griefer.address), provider: await providerBook(w) };
    await w.market.connect(griefer).createJobs(requests);
    // 5,450 tokens of escrow take all 50,000 of the provider's free collateral for a year...
    expect(BigInt(jobs) * m.cost).to.equal(E(5_450));
    expect((await w.market.accountOf(w.provider.address)).collateral).to.equal(0);
    await expect(h.createJob(w, { taskCount: 1 }))
      .to.be.revertedWithCustomError(w.market, "JobMarketInsufficientCollateral").withArgs(w.provider.address, 0, E(10));
    const records = requests.map((q) => h.jobRecord({ client: griefer.address, offer: w.offer, taskCount: 1000, tasksRoot: q.tasksRoot, manifestHash: q.manifestHash, deadline }));
    const ids = records.map((_, i) => first + BigInt(i));
    // ...until the provider declines them, which only it can do
    await expect(w.market.connect(griefer).declineJobs(ids, records))
      .to.be.revertedWithCustomError(w.market, "JobMarketNotProvider").withArgs(griefer.address, w.provider.address);
    const tx = w.market.connect(w.provider).declineJobs(ids, records);
    await expect(tx).to.emit(w.market, "JobDeclined").withArgs(ids[0]);
    await expect(tx).to.emit(w.market, "JobExpired").withArgs(ids[0], m.cost, 0);
    expect((await w.market.getJob(ids[0])).status).to.equal(h.Status.Expired);
    // everyone has exactly what it had, and the provider takes other clients' jobs again
    expect(await h.worth(w, griefer.address)).to.equal(before.griefer);
    expect(await providerBook(w)).to.deep.equal(before.provider);
    await h.createJob(w, { taskCount: 1 });
    // an accepted job cannot be declined: accepting is the provider's promise
    const { id, job } = await h.createJob(w, { taskCount: 1 });
    await h.accept(w, id, job);
    await expect(w.market.connect(w.provider).declineJobs([id], [job]))
      .to.be.revertedWithCustomError(w.market, "JobMarketInvalidStatus").withArgs(id, h.Status.Accepted, h.Status.Created);
  });

  it("a provider cannot be made to accept after the deadline", async function () {
    const w = await loadFixture(fixture);
    const { id, job } = await h.createJob(w, { deadlineIn: 600 });
    await time.increaseTo(job.deadline + 1n);
    await expect(h.accept(w, id, job)).to.be.revertedWithCustomError(w.market, "JobMarketDeadlinePassed").withArgs(id, job.deadline, anyValue);
  });
});
