// Work for nothing: a job at a zero or dust price (no fee for verifiers, no collateral at
// stake), and an audit that pays nothing yet would slash the verifier who skips it.
const { expect } = require("chai");
const { loadFixture, time, mine } = require("@nomicfoundation/hardhat-network-helpers");
const h = require("../helpers");

const { E, Status } = h;
const MIN_UNIT_PRICE = h.defaultParams().minUnitPrice;

async function fixture() {
  const w = await h.world({ verifiers: 3 });
  await time.increase(h.VAULT_LIMITS.epochLength);
  return w;
}

/** A market whose audits pay no reward at all. */
async function unpaidAudits() {
  const w = await h.world({ verifiers: 3, params: h.defaultParams({ auditRewardBps: 0 }) });
  await time.increase(h.VAULT_LIMITS.epochLength);
  return w;
}

async function priced(w, unitPrice) {
  const offer = { ...w.offer, unitPrice };
  return { offer, sig: await h.signOffer(w.provider, w.market, offer) };
}

/** A submitted job the client sent to audit, with its verifier drawn; returns it and the verifier. */
async function auditedJob(w, options) {
  const { id, job } = await h.createJob(w, options);
  const { job: sub } = await h.submit(w, id, job);
  await w.market.connect(w.client).requestAudit(id, sub);
  await mine(1);
  await w.court.assignAuditor(id, sub);
  const { verifier } = await w.court.auditOf(id);
  return { id, sub, verifier };
}

describe("attack: free work", function () {
  describe("prices", function () {
    it("a zero unit price is refused", async function () {
      const w = await loadFixture(fixture);
      await expect(h.createJob(w, await priced(w, 0n))).to.be.revertedWithCustomError(w.market, "JobMarketInvalidUnitPrice").withArgs(0, MIN_UNIT_PRICE);
    });

    it("a unit price one wei below the market's minimum is refused", async function () {
      const w = await loadFixture(fixture);
      await expect(h.createJob(w, await priced(w, MIN_UNIT_PRICE - 1n)))
        .to.be.revertedWithCustomError(w.market, "JobMarketInvalidUnitPrice").withArgs(MIN_UNIT_PRICE - 1n, MIN_UNIT_PRICE);
    });

    it("a job at the minimum price of one task still pays fees and holds collateral", async function () {
      const w = await loadFixture(fixture);
      const m = h.money(w.params, MIN_UNIT_PRICE, 1);
      expect(m.verificationFee).to.be.greaterThan(0n);
      expect(m.collateral).to.be.greaterThan(0n);
      const before = await w.market.accountOf(w.provider.address);
      await h.createJob(w, { ...(await priced(w, MIN_UNIT_PRICE)), taskCount: 1 });
      expect((await w.market.accountOf(w.provider.address)).collateral).to.equal(before.collateral - m.collateral);
    });
  });

  describe("unpaid audits", function () {
    it("a verifier silent on an audit paying no reward loses nothing, twice, and the job settles", async function () {
      const w = await loadFixture(unpaidAudits);
      const { id, sub, verifier } = await auditedJob(w, { taskCount: 10 });
      const stake = (await w.vault.accountOf(verifier)).stake;
      await time.increase(Number((await w.court.params()).auditWindow) + 1);
      const first = w.court.timeoutAudit(id, sub);
      await expect(first).to.emit(w.court, "AuditTimedOut").withArgs(id, verifier, 0);
      await expect(first).not.to.emit(w.vault, "Slashed");
      expect((await w.vault.accountOf(verifier)).stake).to.equal(stake);
      expect(await w.vault.lastSlashedAt(verifier)).to.equal(0);
      await mine(1);
      await w.court.assignAuditor(id, sub);
      const second = (await w.court.auditOf(id)).verifier;
      expect(second).not.to.equal(verifier);
      const secondStake = (await w.vault.accountOf(second)).stake;
      await time.increase(Number((await w.court.params()).auditWindow) + 1);
      const last = w.court.timeoutAudit(id, sub);
      await expect(last).to.emit(w.court, "AuditTimedOut").withArgs(id, second, 0);
      await expect(last).to.emit(w.market, "JobSettled").withArgs(id, E(10));
      await expect(last).not.to.emit(w.vault, "Slashed");
      expect((await w.vault.accountOf(second)).stake).to.equal(secondStake);
      expect((await w.market.getJob(id)).status).to.equal(Status.Settled);
    });

    it("a silent verifier of a dust-priced audit loses at most that audit's reward", async function () {
      const w = await loadFixture(fixture);
      const { id, sub, verifier } = await auditedJob(w, { ...(await priced(w, MIN_UNIT_PRICE)), taskCount: 1 });
      const reward = (MIN_UNIT_PRICE * BigInt(w.params.auditRewardBps)) / h.BPS;
      expect(reward).to.be.lessThan((await w.court.params()).verifierTimeoutPenalty);
      const stake = (await w.vault.accountOf(verifier)).stake;
      await time.increase(Number((await w.court.params()).auditWindow) + 1);
      await expect(w.court.timeoutAudit(id, sub)).to.emit(w.court, "AuditTimedOut").withArgs(id, verifier, reward);
      expect((await w.vault.accountOf(verifier)).stake).to.equal(stake - reward);
    });
  });
});
