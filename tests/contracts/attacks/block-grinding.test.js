// A provider that does not like its job's draw tries other blocks: recording it later, or
// letting it lapse and settling at a block of its choice. The draw is one block hash, fixed the
// block after submission; after the horizon it no longer exists, and the job is audited for
// certain, at the provider's cost.
const { expect } = require("chai");
const { ethers } = require("hardhat");
const { loadFixture, time, mine, takeSnapshot } = require("@nomicfoundation/hardhat-network-helpers");
const { anyValue } = require("@nomicfoundation/hardhat-chai-matchers/withArgs");
const h = require("../helpers");

const { E, Status, AuditOrigin, BPS } = h;
const HORIZON = 256;

async function fixture() {
  const w = await h.world({ verifiers: 3 });
  await time.increase(h.VAULT_LIMITS.epochLength);
  const { id, job } = await h.createJob(w, { taskCount: 10 });
  const { job: sub } = await h.submit(w, id, job);
  return { ...w, id, sub };
}

/**
 * Mines `n` blocks one by one. hardhat_mine reserves a range of blocks without building them,
 * and calls at a reserved block's state fail; these tests read the state at every block.
 */
async function mineEach(n) {
  for (let i = 0; i < n; i++) await ethers.provider.send("evm_mine", []);
}

/** The fixture with the job's challenge window over and its draw lapsed. */
async function lapsed() {
  const w = await fixture();
  await time.increase(Number(w.params.challengeWindow) + 1);
  await mineEach(HORIZON + 2);
  return w;
}

/** What settling the job does, read back from the chain: its status, its draw, the audit, money. */
async function settleOutcome(w) {
  const poolBefore = (await w.market.ledger()).verificationPool;
  const providerBefore = await w.market.balanceOf(w.provider.address);
  const receipt = await (await w.market.connect(w.client).settle([w.id], [w.sub])).wait();
  const draw = receipt.logs.map((l) => w.market.interface.parseLog(l)).find((e) => e?.name === "DrawRecorded");
  const audit = await w.court.auditOf(w.id);
  return {
    status: Number((await w.market.getJob(w.id)).status),
    draw: draw && [draw.args.seed, draw.args.audited],
    origin: Number(audit.origin),
    phase: Number(audit.phase),
    verifier: audit.verifier,
    ticketAfterSettleBlock: Number(audit.ticket) - receipt.blockNumber,
    pool: (await w.market.ledger()).verificationPool - poolBefore,
    provider: (await w.market.balanceOf(w.provider.address)) - providerBefore,
  };
}

describe("attack: block grinding around the audit draw", function () {
  it("the draw is the same at every block until the horizon, and audited for certain after it", async function () {
    const w = await loadFixture(fixture);
    const s = Number(w.sub.submitBlock);
    await mineEach(HORIZON + 10);
    const at = (block) => w.market.auditDraw(w.id, w.sub, { blockTag: block });
    expect(await at(s + 1)).to.deep.equal([false, false, h.ZERO]);
    const fixed = await at(s + 2);
    expect(fixed.seed).to.equal(await h.drawSeed(w.id, w.sub));
    for (let b = s + 3; b <= s + HORIZON + 1; b += 1) expect(await at(b), `block ${b}`).to.deep.equal(fixed);
    for (let b = s + HORIZON + 2; b <= s + HORIZON + 10; b++) expect(await at(b), `block ${b}`).to.deep.equal([true, true, h.ZERO]);
  });

  it("recording the draw early or late in the window gives the same result", async function () {
    const w = await loadFixture(fixture);
    // The seed block (submitBlock + 1) is mined once, before the snapshots. Mined again in each
    // branch, it would get that moment's timestamp, and so another hash: a slow run would see
    // different draws for a reason no provider controls.
    await mine(1);
    const outcomes = [];
    // recorded at submitBlock + 2, + 41 and + 257, the last block whose hash reaches the seed block
    for (const wait of [0, 39, HORIZON - 1]) {
      const snapshot = await takeSnapshot();
      await mine(wait);
      const receipt = await (await w.market.connect(w.provider).recordDraw([w.id], [w.sub])).wait();
      const ev = receipt.logs.map((l) => w.market.interface.parseLog(l)).find((e) => e?.name === "DrawRecorded");
      outcomes.push([ev.args.seed, ev.args.audited, Number((await w.market.getJob(w.id)).status)]);
      await snapshot.restore();
    }
    expect(outcomes[1]).to.deep.equal(outcomes[0]);
    expect(outcomes[2]).to.deep.equal(outcomes[0]);
  });

  it("after the horizon no settlement block changes the outcome: audited, verifier not yet drawn", async function () {
    const w = await loadFixture(lapsed);
    // eth_call: settling succeeds at every block
    const latest = await ethers.provider.getBlockNumber();
    for (let b = latest - 8; b <= latest; b++) await w.market.settle.staticCall([w.id], [w.sub], { blockTag: b });
    const outcomes = [];
    for (let wait = 0; wait < 12; wait++) {
      const snapshot = await takeSnapshot();
      await mineEach(wait);
      outcomes.push(await settleOutcome(w));
      await snapshot.restore();
    }
    const expected = {
      status: Status.Auditing, draw: [h.ZERO, true], origin: AuditOrigin.Lapsed, phase: 1, verifier: ethers.ZeroAddress,
      ticketAfterSettleBlock: 1, pool: 0n, provider: 0n,
    };
    for (const outcome of outcomes) expect(outcome).to.deep.equal(expected);
  });

  it("the lapsed audit's verifier comes from a future block, and the provider pays its reward", async function () {
    const w = await loadFixture(lapsed);
    const m = h.money(w.params, E(1), 10);
    const reward = (m.price * BigInt(w.params.auditRewardBps)) / BPS;
    const pool = (await w.market.ledger()).verificationPool;
    await w.market.settle([w.id], [w.sub]);
    const { ticket } = await w.court.auditOf(w.id);
    await expect(w.court.assignAuditor(w.id, w.sub)).to.be.revertedWithCustomError(w.court, "AuditCourtSeedNotReady").withArgs(w.id, ticket + 1n);
    await mine(1);
    await expect(w.court.assignAuditor(w.id, w.sub)).to.emit(w.court, "AuditAssigned");
    const { verifier } = await w.court.auditOf(w.id);
    const signer = w.verifiers.find((v) => v.address === verifier);
    const providerBefore = await w.market.balanceOf(w.provider.address);
    const tx = await h.passAndFinalize(w, signer, w.id, w.sub);
    await expect(tx).to.emit(w.market, "JobSettled").withArgs(w.id, m.price - reward);
    await expect(tx).to.emit(w.market, "Credited").withArgs(w.id, verifier, reward);
    expect(await w.market.balanceOf(w.provider.address)).to.equal(providerBefore + m.price - reward);
    // the pool paid nothing: the provider that let its draw lapse did
    expect((await w.market.ledger()).verificationPool).to.equal(pool);
    expect((await w.market.ledger()).courtHold_).to.equal(0);
  });

  it("a drawn verifier's verdict fixes the draw before the provider can let it lapse", async function () {
    const w = await loadFixture(fixture);
    // find a job the draw audits: keep creating until one is selected
    let target;
    for (let i = 0; i < 60 && !target; i++) {
      const { id, job } = await h.createJob(w, { taskCount: 10 });
      const { job: sub } = await h.submit(w, id, job);
      // the seed block submitBlock + 1, and one more so that calls see its hash
      await mine(2);
      const [verifier] = await w.court.pendingAuditor(id, sub);
      if (verifier !== ethers.ZeroAddress) target = { id, sub, verifier };
    }
    expect(target, "a job the draw audits").to.not.equal(undefined);
    const signer = w.verifiers.find((v) => v.address === target.verifier);
    await expect(w.court.connect(signer).submitVerdict(target.id, target.sub, true, h.ZERO))
      .to.emit(w.market, "DrawRecorded").withArgs(target.id, anyValue, true);
    // audited for good: the pass stands once its appeal window has passed
    expect((await w.market.getJob(target.id)).status).to.equal(Status.Auditing);
    expect((await w.court.auditOf(target.id)).verifier).to.equal(target.verifier);
  });
});
