const { expect } = require("chai");
const { ethers } = require("hardhat");
const { loadFixture, time, mine } = require("@nomicfoundation/hardhat-network-helpers");
const { anyValue } = require("@nomicfoundation/hardhat-chai-matchers/withArgs");
const h = require("./helpers");

const { E, Status } = h;
const AUDIT_ALL = h.defaultParams({ auditRateBps: 10_000, auditRewardBps: 500 });

// Every job is audited, five verifiers: draws are certain whatever the block hashes.
async function auditAll() {
  return h.world({ params: AUDIT_ALL, verifiers: 5 });
}

async function threeVerifiers() {
  return h.world({ verifiers: 3 });
}

async function auditAllNoVerifiers() {
  return h.world({ params: AUDIT_ALL });
}

async function oneVerifier() {
  return h.world({ params: AUDIT_ALL, verifiers: 1 });
}

async function submittedJob(w, taskCount = 10) {
  const { id, job } = await h.createJob(w, { taskCount });
  const { job: sub } = await h.submit(w, id, job);
  await mine(2);
  return { id, sub };
}

async function drawnSigner(w, id, job) {
  const draw = await w.market.auditDraw(id, job);
  return w.verifiers.find((v) => v.address === draw.verifier);
}

async function disputed() {
  const w = await auditAll();
  const { id, sub } = await submittedJob(w);
  const challenger = await drawnSigner(w, id, sub);
  await w.market.connect(challenger).submitVerdict(id, sub, false, ethers.id("evidence"));
  const committee = (await w.market.getJob(id)).dispute.committee;
  const members = committee.map((a) => w.verifiers.find((v) => v.address === a));
  return { ...w, id, sub, challenger, members };
}

describe("JobMarket audits and disputes", function () {
  describe("auditDraw", function () {
    it("draws a verifier and k distinct task indices", async function () {
      const w = await loadFixture(auditAll);
      const { id, sub } = await submittedJob(w, 10);
      const draw = await w.market.auditDraw(id, sub);
      expect(draw.audited).to.equal(true);
      expect(w.verifiers.map((v) => v.address)).to.include(draw.verifier);
      expect(draw.verifier).to.equal(await w.vault.drawVerifier(ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(
        ["bytes32", "uint256"], [(await ethers.provider.getBlock(Number(sub.submitBlock) + 1)).hash, id])), ethers.ZeroAddress));
      const indices = draw.taskIndices.map(Number);
      expect(indices).to.have.length(4);
      expect(new Set(indices).size).to.equal(4);
      for (const i of indices) expect(i).to.be.lessThan(10);
    });

    it("draws every task of a job smaller than k", async function () {
      const w = await loadFixture(auditAll);
      const { id, sub } = await submittedJob(w, 3);
      const indices = (await w.market.auditDraw(id, sub)).taskIndices.map(Number).sort();
      expect(indices).to.deep.equal([0, 1, 2]);
    });

    it("is fixed once recorded, whatever the verifier set does afterwards", async function () {
      const w = await loadFixture(auditAll);
      const { id, sub } = await submittedJob(w);
      const before = await w.market.auditDraw(id, sub);
      await expect(w.market.recordDraw(id, sub))
        .to.emit(w.market, "DrawRecorded").withArgs(id, anyValue, true, before.verifier)
        .and.to.emit(w.market, "AuditAssigned").withArgs(id, before.verifier, anyValue);
      await w.vault.connect(w.other).stake(h.Role.Verifier, E(100));
      const drawnVerifier = w.verifiers.find((v) => v.address === before.verifier);
      await w.vault.connect(drawnVerifier).requestUnstake(E(100));
      const after = await w.market.auditDraw(id, sub);
      expect(after.verifier).to.equal(before.verifier);
      expect(after.taskIndices).to.deep.equal(before.taskIndices);
      expect((await w.market.getJob(id)).status).to.equal(Status.Auditing);
      await expect(w.market.recordDraw(id, sub)).to.be.revertedWithCustomError(w.market, "JobMarketInvalidStatus").withArgs(id, Status.Auditing, Status.Submitted);
    });

    it("records a draw that is not audited once; settle then pays", async function () {
      const w = await loadFixture(h.world); // no verifiers: never audited
      const { id, sub } = await submittedJob(w);
      await expect(w.market.recordDraw(id, sub)).to.emit(w.market, "DrawRecorded").withArgs(id, anyValue, false, ethers.ZeroAddress);
      await expect(w.market.recordDraw(id, sub)).to.be.revertedWithCustomError(w.market, "JobMarketDrawAlreadyRecorded").withArgs(id);
      await expect(w.market.submitVerdict(id, sub, true, ethers.ZeroHash)).to.be.revertedWithCustomError(w.market, "JobMarketNotAudited").withArgs(id);
      await time.increase(Number(w.params.challengeWindow) + 1);
      await expect(w.market.settle([id], [sub])).to.emit(w.market, "JobSettled");
    });

    it("a draw recorded while no verifier was active stays unaudited when verifiers join", async function () {
      const w = await loadFixture(auditAllNoVerifiers);
      const { id, sub } = await submittedJob(w);
      await expect(w.market.recordDraw(id, sub)).to.emit(w.market, "DrawRecorded").withArgs(id, anyValue, false, ethers.ZeroAddress);
      await w.vault.connect(w.other).stake(h.Role.Verifier, E(100));
      expect((await w.market.auditDraw(id, sub)).audited).to.equal(false);
      await time.increase(Number(AUDIT_ALL.challengeWindow) + 1);
      await expect(w.market.settle([id], [sub])).to.emit(w.market, "JobSettled");
    });

    describe("past the 256-block horizon", function () {
      async function tenPercent() {
        return h.world({ verifiers: 5 });
      }
      async function unauditedJob(w) {
        for (;;) {
          const { id, sub } = await submittedJob(w);
          if (!(await w.market.auditDraw(id, sub)).audited) return { id, sub };
        }
      }

      it("audits for certain a job whose draw was not recorded", async function () {
        const w = await loadFixture(tenPercent);
        const { id, sub } = await unauditedJob(w);
        await mine(300);
        const draw = await w.market.auditDraw(id, sub);
        expect(draw.audited).to.equal(true);
        await time.increase(Number(w.params.challengeWindow) + 1);
        await expect(w.market.settle([id], [sub])).to.emit(w.market, "AuditAssigned").and.not.to.emit(w.market, "JobSettled");
        expect((await w.market.getJob(id)).status).to.equal(Status.Auditing);
      });

      it("keeps a draw recorded within the horizon", async function () {
        const w = await loadFixture(tenPercent);
        const { id, sub } = await unauditedJob(w);
        await w.market.recordDraw(id, sub);
        await mine(300);
        expect((await w.market.auditDraw(id, sub)).audited).to.equal(false);
        await time.increase(Number(w.params.challengeWindow) + 1);
        await expect(w.market.settle([id], [sub])).to.emit(w.market, "JobSettled");
      });

      it("lets the drawn verifier of the re-seeded draw deliver its verdict", async function () {
        const w = await loadFixture(tenPercent);
        const { id, sub } = await unauditedJob(w);
        await mine(300);
        await w.market.recordDraw(id, sub);
        const verifier = await drawnSigner(w, id, sub);
        await expect(w.market.connect(verifier).submitVerdict(id, sub, true, ethers.ZeroHash)).to.emit(w.market, "JobSettled");
      });
    });
  });

  describe("submitVerdict", function () {
    it("pass from the drawn verifier settles the job and pays the reward", async function () {
      const w = await loadFixture(auditAll);
      const { id, sub } = await submittedJob(w);
      const verifier = await drawnSigner(w, id, sub);
      const m = h.money(AUDIT_ALL, E(1), 10);
      const reward = (m.price * 500n) / 10_000n;
      const tx = w.market.connect(verifier).submitVerdict(id, sub, true, ethers.id("ok"));
      await expect(tx).to.emit(w.market, "VerdictSubmitted").withArgs(id, verifier.address, true, ethers.id("ok"), reward);
      await expect(tx).to.emit(w.market, "JobSettled").withArgs(id, m.price);
      await expect(tx).to.emit(w.vault, "AuditPassed").withArgs(w.provider.address);
      expect(await w.market.balanceOf(verifier.address)).to.equal(E(100) + reward);
      expect(await w.market.balanceOf(w.provider.address)).to.equal(m.price);
      expect((await w.vault.accountOf(w.provider.address)).auditsPassed).to.equal(1);
      expect((await w.market.getJob(id)).status).to.equal(Status.Settled);
    });

    it("refuses a verifier that was not drawn", async function () {
      const w = await loadFixture(auditAll);
      const { id, sub } = await submittedJob(w);
      const drawn = await drawnSigner(w, id, sub);
      const intruder = w.verifiers.find((v) => v !== drawn);
      await expect(w.market.connect(intruder).submitVerdict(id, sub, true, ethers.ZeroHash))
        .to.be.revertedWithCustomError(w.market, "JobMarketNotDrawnVerifier").withArgs(intruder.address, drawn.address);
      await w.market.recordDraw(id, sub);
      await expect(w.market.connect(intruder).submitVerdict(id, sub, false, ethers.ZeroHash))
        .to.be.revertedWithCustomError(w.market, "JobMarketNotDrawnVerifier").withArgs(intruder.address, drawn.address);
    });

    it("refuses a job that is not under audit", async function () {
      const w = await loadFixture(auditAll);
      const { id, job } = await h.createJob(w);
      await expect(w.market.connect(w.verifiers[0]).submitVerdict(id, job, true, ethers.ZeroHash))
        .to.be.revertedWithCustomError(w.market, "JobMarketInvalidStatus").withArgs(id, Status.Created, Status.Auditing);
      const nobody = await h.world({ params: AUDIT_ALL });
      const { id: id2, sub } = await submittedJob(nobody);
      await expect(nobody.market.submitVerdict(id2, sub, true, ethers.ZeroHash)).to.be.revertedWithCustomError(nobody.market, "JobMarketNotAudited").withArgs(id2);
    });

    it("refuses a verdict after the audit deadline", async function () {
      const w = await loadFixture(auditAll);
      const { id, sub } = await submittedJob(w);
      const verifier = await drawnSigner(w, id, sub);
      await w.market.recordDraw(id, sub);
      const { deadline } = (await w.market.getJob(id)).audit;
      await time.increaseTo(deadline + 1n);
      await expect(w.market.connect(verifier).submitVerdict(id, sub, true, ethers.ZeroHash))
        .to.be.revertedWithCustomError(w.market, "JobMarketAuditClosed").withArgs(id, deadline, anyValue);
    });

    it("fail posts the bond and opens a dispute before a committee without the challenger", async function () {
      const w = await loadFixture(auditAll);
      const { id, sub } = await submittedJob(w);
      const verifier = await drawnSigner(w, id, sub);
      const tx = w.market.connect(verifier).submitVerdict(id, sub, false, ethers.id("bad"));
      await expect(tx).to.emit(w.market, "VerdictSubmitted").withArgs(id, verifier.address, false, ethers.id("bad"), 0);
      await expect(tx).to.emit(w.market, "DisputeOpened").withArgs(id, verifier.address, E(10), anyValue, anyValue);
      const got = await w.market.getJob(id);
      expect(got.status).to.equal(Status.Disputed);
      expect(got.dispute.challenger).to.equal(verifier.address);
      expect(got.dispute.evidenceHash).to.equal(ethers.id("bad"));
      expect(got.dispute.committee).to.have.length(3);
      expect(got.dispute.committee).not.to.include(verifier.address);
      expect(got.dispute.committee).not.to.include(w.provider.address);
      expect(new Set(got.dispute.committee).size).to.equal(3);
      expect(await w.market.balanceOf(verifier.address)).to.equal(E(90));
    });

    it("fail without the bond in the verifier's balance reverts", async function () {
      const w = await loadFixture(auditAll);
      const { id, sub } = await submittedJob(w);
      const verifier = await drawnSigner(w, id, sub);
      await w.market.connect(verifier).withdraw(E(95));
      await expect(w.market.connect(verifier).submitVerdict(id, sub, false, ethers.ZeroHash))
        .to.be.revertedWithCustomError(w.market, "JobMarketInsufficientBalance").withArgs(verifier.address, E(5), E(10));
    });
  });

  describe("settle of an audited job", function () {
    it("moves the job to Auditing instead of paying", async function () {
      const w = await loadFixture(auditAll);
      const { id, sub } = await submittedJob(w);
      await time.increase(Number(AUDIT_ALL.challengeWindow) + 1);
      const verifier = (await w.market.auditDraw(id, sub)).verifier;
      await expect(w.market.settle([id], [sub])).to.emit(w.market, "AuditAssigned").withArgs(id, verifier, anyValue);
      expect((await w.market.getJob(id)).status).to.equal(Status.Auditing);
      expect(await w.market.balanceOf(w.provider.address)).to.equal(0);
    });
  });

  describe("requestAudit", function () {
    it("the client pays the fee and a verifier is assigned, even before the draw exists", async function () {
      const w = await loadFixture(threeVerifiers);
      const { id, job } = await h.createJob(w, { taskCount: 10 });
      const { job: sub } = await h.submit(w, id, job);
      const fee = (E(10) * 5000n) / 10_000n;
      const tx = w.market.connect(w.client).requestAudit(id, sub);
      await expect(tx).to.emit(w.market, "AuditRequested").withArgs(id, fee);
      await expect(tx).to.emit(w.market, "AuditAssigned");
      const got = await w.market.getJob(id);
      expect(got.status).to.equal(Status.Auditing);
      expect(got.audit.clientRequested).to.equal(true);
      expect((await w.market.ledger()).verificationPool).to.equal(h.money(w.params, E(1), 10).verificationFee + fee);
    });

    it("uses the job's draw once it exists", async function () {
      const w = await loadFixture(auditAll);
      const { id, sub } = await submittedJob(w);
      const draw = await w.market.auditDraw(id, sub);
      await w.market.connect(w.client).requestAudit(id, sub);
      expect((await w.market.getJob(id)).audit.verifier).to.equal(draw.verifier);
    });

    it("refuses anyone but the client, after the window, without verifiers or balance", async function () {
      const w = await loadFixture(auditAll);
      const { id, sub } = await submittedJob(w);
      await expect(w.market.connect(w.other).requestAudit(id, sub)).to.be.revertedWithCustomError(w.market, "JobMarketNotClient").withArgs(w.other.address, w.client.address);
      await w.market.connect(w.client).withdraw(await w.market.balanceOf(w.client.address));
      await expect(w.market.connect(w.client).requestAudit(id, sub)).to.be.revertedWithCustomError(w.market, "JobMarketInsufficientBalance").withArgs(w.client.address, 0, E(5));
      await time.increase(Number(AUDIT_ALL.challengeWindow) + 1);
      await expect(w.market.connect(w.client).requestAudit(id, sub))
        .to.be.revertedWithCustomError(w.market, "JobMarketChallengeWindowClosed").withArgs(id, sub.submittedAt + BigInt(AUDIT_ALL.challengeWindow), anyValue);
      const nobody = await h.world();
      const j = await submittedJob(nobody);
      await expect(nobody.market.connect(nobody.client).requestAudit(j.id, j.sub)).to.be.revertedWithCustomError(nobody.market, "JobMarketNoVerifiers");
    });
  });

  describe("timeoutAudit", function () {
    it("penalises a silent verifier, redraws once, then settles", async function () {
      const w = await loadFixture(auditAll);
      const { id, sub } = await submittedJob(w);
      await w.market.recordDraw(id, sub);
      const first = (await w.market.getJob(id)).audit;
      await expect(w.market.timeoutAudit(id, sub)).to.be.revertedWithCustomError(w.market, "JobMarketAuditOpen").withArgs(id, first.deadline, anyValue);
      await time.increaseTo(first.deadline + 1n);
      const pool = (await w.market.ledger()).verificationPool;
      const tx = w.market.timeoutAudit(id, sub);
      await expect(tx).to.emit(w.market, "AuditTimedOut").withArgs(id, first.verifier, E(5));
      await expect(tx).to.emit(w.vault, "Slashed").withArgs(first.verifier, E(5));
      expect((await w.market.ledger()).verificationPool).to.equal(pool + E(5));
      const second = (await w.market.getJob(id)).audit;
      expect(second.verifier).not.to.equal(first.verifier);
      expect(second.round).to.equal(1);
      expect((await w.vault.accountOf(first.verifier)).stake).to.equal(E(95));
      await time.increaseTo(second.deadline + 1n);
      await expect(w.market.timeoutAudit(id, sub)).to.emit(w.market, "JobSettled").withArgs(id, E(10));
      expect((await w.market.getJob(id)).status).to.equal(Status.Settled);
    });

    it("settles at once when no other verifier can be drawn", async function () {
      const w = await loadFixture(oneVerifier);
      const { id, sub } = await submittedJob(w);
      await w.market.recordDraw(id, sub);
      await time.increase(Number(AUDIT_ALL.auditWindow) + 1);
      await expect(w.market.timeoutAudit(id, sub)).to.emit(w.market, "JobSettled");
      expect((await w.vault.accountOf(w.verifiers[0].address)).stake).to.equal(E(95));
    });

    it("refuses a job that is not under audit", async function () {
      const w = await loadFixture(auditAll);
      const { id, sub } = await submittedJob(w);
      await expect(w.market.timeoutAudit(id, sub)).to.be.revertedWithCustomError(w.market, "JobMarketInvalidStatus").withArgs(id, Status.Submitted, Status.Auditing);
    });
  });

  describe("vote and resolveDispute", function () {
    it("refuses outsiders, the challenger and a second vote", async function () {
      const w = await loadFixture(disputed);
      await expect(w.market.connect(w.challenger).vote(w.id, w.sub, false))
        .to.be.revertedWithCustomError(w.market, "JobMarketNotCommitteeMember").withArgs(w.id, w.challenger.address);
      await expect(w.market.connect(w.client).vote(w.id, w.sub, true))
        .to.be.revertedWithCustomError(w.market, "JobMarketNotCommitteeMember").withArgs(w.id, w.client.address);
      await expect(w.market.connect(w.members[0]).vote(w.id, w.sub, true)).to.emit(w.market, "Voted").withArgs(w.id, w.members[0].address, true);
      await expect(w.market.connect(w.members[0]).vote(w.id, w.sub, false))
        .to.be.revertedWithCustomError(w.market, "JobMarketAlreadyVoted").withArgs(w.id, w.members[0].address);
    });

    it("refuses votes after the dispute window", async function () {
      const w = await loadFixture(disputed);
      const { deadline } = (await w.market.getJob(w.id)).dispute;
      await time.increaseTo(deadline + 1n);
      await expect(w.market.connect(w.members[0]).vote(w.id, w.sub, true))
        .to.be.revertedWithCustomError(w.market, "JobMarketDisputeClosed").withArgs(w.id, deadline, anyValue);
    });

    it("refuses to resolve before a majority or the deadline", async function () {
      const w = await loadFixture(disputed);
      await w.market.connect(w.members[0]).vote(w.id, w.sub, true);
      const { deadline } = (await w.market.getJob(w.id)).dispute;
      await expect(w.market.resolveDispute(w.id, w.sub)).to.be.revertedWithCustomError(w.market, "JobMarketDisputeOpen").withArgs(w.id, deadline, anyValue);
    });

    it("a majority finding the provider wrong slashes the collateral and splits it", async function () {
      const w = await loadFixture(disputed);
      const m = h.money(AUDIT_ALL, E(1), 10);
      await w.market.connect(w.members[0]).vote(w.id, w.sub, true);
      await w.market.connect(w.members[1]).vote(w.id, w.sub, true);
      const before = {
        client: await w.market.balanceOf(w.client.address),
        challenger: await w.market.balanceOf(w.challenger.address),
        treasury: await w.market.balanceOf(w.deployer.address),
        pool: (await w.market.ledger()).verificationPool,
      };
      const slashed = m.collateral;
      const toClient = (slashed * 4000n) / 10_000n;
      const toChallenger = (slashed * 3000n) / 10_000n;
      const share = (slashed * 2000n) / 10_000n / 2n;
      const reward = (m.price * 500n) / 10_000n;
      const tx = w.market.connect(w.other).resolveDispute(w.id, w.sub);
      await expect(tx).to.emit(w.market, "DisputeResolved").withArgs(w.id, true, slashed);
      await expect(tx).to.emit(w.market, "Credited").withArgs(w.id, w.members[0].address, share);
      await expect(tx).to.emit(w.vault, "Slashed").withArgs(w.provider.address, slashed);
      expect(await w.market.balanceOf(w.client.address)).to.equal(before.client + m.price + toClient);
      expect(await w.market.balanceOf(w.challenger.address)).to.equal(before.challenger + toChallenger + E(10) + reward);
      expect(await w.market.balanceOf(w.members[1].address)).to.equal(E(100) + share);
      expect(await w.market.balanceOf(w.members[2].address)).to.equal(E(100));
      expect(await w.market.balanceOf(w.deployer.address)).to.equal(before.treasury + slashed - toClient - toChallenger - 2n * share);
      expect((await w.market.ledger()).verificationPool).to.equal(before.pool - reward);
      expect((await w.market.getJob(w.id)).status).to.equal(Status.Slashed);
      const provider = await w.vault.accountOf(w.provider.address);
      expect(provider.stake).to.equal(E(100_000) - slashed);
      expect(provider.auditsFailed).to.equal(1);
      expect(provider.slashes).to.equal(1);
    });

    it("a majority finding the provider right settles the job and gives it the bond", async function () {
      const w = await loadFixture(disputed);
      await w.market.connect(w.members[0]).vote(w.id, w.sub, false);
      await w.market.connect(w.members[2]).vote(w.id, w.sub, false);
      await expect(w.market.resolveDispute(w.id, w.sub)).to.emit(w.market, "DisputeResolved").withArgs(w.id, false, 0)
        .and.to.emit(w.market, "JobSettled").withArgs(w.id, E(10) + E(10));
      expect(await w.market.balanceOf(w.provider.address)).to.equal(E(20));
      expect(await w.market.balanceOf(w.challenger.address)).to.equal(E(90));
    });

    it("silence until the deadline settles in the provider's favour", async function () {
      const w = await loadFixture(disputed);
      await w.market.connect(w.members[0]).vote(w.id, w.sub, true);
      await time.increase(Number(AUDIT_ALL.disputeWindow) + 1);
      await expect(w.market.resolveDispute(w.id, w.sub)).to.emit(w.market, "JobSettled");
      await expect(w.market.resolveDispute(w.id, w.sub)).to.be.revertedWithCustomError(w.market, "JobMarketInvalidStatus").withArgs(w.id, Status.Settled, Status.Disputed);
    });
  });

  it("the audits module refuses direct calls", async function () {
    const w = await loadFixture(auditAll);
    const module = await ethers.getContractAt("JobMarketAudits", await w.market.auditsModule());
    await expect(module.recordDraw(1, h.jobRecord({ client: w.client.address, offer: w.offer, taskCount: 1, tasksRoot: h.ZERO, manifestHash: h.ZERO, deadline: 0n })))
      .to.be.revertedWithCustomError(module, "JobMarketAuditsDirectCall");
  });
});
