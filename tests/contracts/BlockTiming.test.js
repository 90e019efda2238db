// The draw rules under real block timing: a chain with 2-second blocks (where the default
// 600-second challenge window is longer than the 256-block horizon of blockhash) and one with
// 12-second blocks. Blocks are mined at the chain's pace with `hardhat_mine`'s interval, so a
// window of T seconds passes T / blockTime blocks, as on such a chain.
const { expect } = require("chai");
const { ethers, network } = require("hardhat");
const { loadFixture, mine, time } = require("@nomicfoundation/hardhat-network-helpers");
const h = require("./helpers");

const { E, Status, AuditOrigin } = h;

async function drawableWorld() {
  const w = await h.world({ verifiers: 8 });
  await time.increase(h.VAULT_LIMITS.epochLength);
  await mine();
  return w;
}

/** Lets `seconds` pass on a chain that makes a block every `blockTime` seconds. */
async function pass(seconds, blockTime) {
  await mine(Math.ceil(seconds / blockTime), { interval: blockTime });
}

async function submitted(w, blockTime) {
  const { id, job } = await h.createJob(w, { taskCount: 8, deadlineIn: 3600 });
  await h.accept(w, id, job);
  await pass(blockTime, blockTime);
  const { job: sub } = await h.submit(w, id, job, { self: true });
  return { id, sub };
}

function signerOf(w, address) {
  const signer = w.verifiers.find((v) => v.address === address);
  if (!signer) throw new Error(`no verifier ${address}`);
  return signer;
}

for (const blockTime of [2, 12]) {
  describe(`draws on a chain with ${blockTime}-second blocks`, function () {
    it("a keeper that fixes the draw at once gets every job settled, audited (its pass finalized) or not", async function () {
      const w = await loadFixture(drawableWorld);
      const price = E(8);
      const before = await w.market.balanceOf(w.provider.address);
      const jobs = [];
      const passed = [];
      // Batches of 12 until one job is drawn for audit (at the 15 % rate a batch draws none with
      // probability 0.85^12 ≈ 14 %; four batches all draw none with probability 0.04 %), each
      // batch's draws fixed well inside the 256-block horizon.
      for (let batch = 0; batch < 4 && passed.length === 0; batch++) {
        const fresh = [];
        for (let i = 0; i < 12; i++) fresh.push(await submitted(w, blockTime));
        await pass(2 * blockTime, blockTime);
        await w.market.recordDraw(fresh.map((j) => j.id), fresh.map((j) => j.sub));
        for (const { id, sub } of fresh) {
          const [status] = await w.market.getJob(id);
          if (status === BigInt(Status.Auditing)) {
            const audit = await w.court.auditOf(id);
            await w.court.connect(signerOf(w, audit.verifier)).submitVerdict(id, sub, true, ethers.id("ok"));
            passed.push({ id, sub });
          } else {
            expect(status).to.equal(Status.Unaudited);
          }
        }
        jobs.push(...fresh);
      }
      expect(passed.length).to.be.greaterThan(0);
      await pass(Number(w.params.challengeWindow) + blockTime, blockTime);
      const open = [];
      for (const j of jobs) if ((await w.market.getJob(j.id))[0] === BigInt(Status.Unaudited)) open.push(j);
      if (open.length) await w.market.settle(open.map((j) => j.id), open.map((j) => j.sub));
      await pass(Number((await w.court.params()).passAppealWindow) + blockTime, blockTime);
      for (const { id, sub } of passed) await w.court.finalizePass(id, sub);
      for (const { id } of jobs) expect((await w.market.getJob(id))[0]).to.equal(Status.Settled);
      expect(await w.market.balanceOf(w.provider.address)).to.equal(before + price * BigInt(jobs.length));
    });

    it(`a draw nobody fixed ${blockTime === 2 ? "lapses within the challenge window and costs the provider the audit" : "is still computable when the window ends"}`, async function () {
      const w = await loadFixture(drawableWorld);
      const { id, sub } = await submitted(w, blockTime);
      const { verificationPool: poolBefore } = await w.market.ledger();
      const before = await w.market.balanceOf(w.provider.address);
      await pass(Number(w.params.challengeWindow) + blockTime, blockTime);
      const lapsed = (await ethers.provider.getBlockNumber()) > Number(sub.submitBlock) + 257;
      expect(lapsed).to.equal(blockTime === 2);
      const draw = await w.market.auditDraw(id, sub);
      await w.market.settle([id], [sub]);
      const [status] = await w.market.getJob(id);
      if (!lapsed) {
        expect(draw.ready).to.equal(true);
        expect(status).to.equal(draw.audited ? Status.Auditing : Status.Settled);
        return;
      }
      // Lapsed: audited for certain, the verifier drawn from a ticket for a block after this one.
      expect(status).to.equal(Status.Auditing);
      const audit = await w.court.auditOf(id);
      expect(audit.origin).to.equal(AuditOrigin.Lapsed);
      expect(audit.ticket).to.equal(BigInt(await ethers.provider.getBlockNumber()) + 1n);
      await pass(blockTime, blockTime);
      await w.court.assignAuditor(id, sub);
      const assigned = await w.court.auditOf(id);
      await w.court.connect(signerOf(w, assigned.verifier)).submitVerdict(id, sub, true, ethers.id("ok"));
      await pass(Number((await w.court.params()).passAppealWindow) + blockTime, blockTime);
      await w.court.finalizePass(id, sub);
      const reward = (E(8) * BigInt(w.params.auditRewardBps)) / h.BPS;
      expect(await w.market.balanceOf(w.provider.address)).to.equal(before + E(8) - reward);
      expect(await w.market.balanceOf(assigned.verifier)).to.equal(E(100) + reward);
      expect((await w.market.ledger()).verificationPool).to.equal(poolBefore);
    });
  });
}

describe("seed tickets under interval mining", function () {
  afterEach(async function () {
    await network.provider.send("evm_setIntervalMining", [0]);
    await network.provider.send("evm_setAutomine", [true]);
  });

  it("a draw becomes ready from blocks alone, with no transaction sent after the submission", async function () {
    const w = await loadFixture(drawableWorld);
    const { id, sub } = await submitted(w, 1);
    expect((await w.market.auditDraw(id, sub)).ready).to.equal(false);
    await network.provider.send("evm_setAutomine", [false]);
    await network.provider.send("evm_setIntervalMining", [100]);
    const target = Number(sub.submitBlock) + 2;
    for (let waited = 0; (await ethers.provider.getBlockNumber()) < target; waited += 50) {
      if (waited > 10_000) throw new Error("interval mining produced no blocks");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const draw = await w.market.auditDraw(id, sub);
    expect(draw.ready).to.equal(true);
    expect(draw.seed).to.equal(await h.drawSeed(id, sub));
  });
});
