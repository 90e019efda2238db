const { expect } = require("chai");
const { ethers } = require("hardhat");
const { loadFixture, time, mine } = require("@nomicfoundation/hardhat-network-helpers");
const { anyValue } = require("@nomicfoundation/hardhat-chai-matchers/withArgs");
const h = require("./helpers");

const { E, Status } = h;

// No verifiers: no job is ever audited, so settlement is deterministic.
async function fixture() {
  return h.world();
}

describe("JobMarket", function () {
  describe("constructor", function () {
    async function deployWith(overrides) {
      const { token, vault } = await h.deploySystem();
      const Market = await ethers.getContractFactory("JobMarket");
      const [deployer] = await ethers.getSigners();
      return Market.deploy(token, vault, deployer.address, h.defaultParams(overrides));
    }

    it("stores every parameter and the contracts", async function () {
      const { market, token, vault, deployer, params } = await loadFixture(fixture);
      const p = await market.params();
      for (const [k, v] of Object.entries(params)) expect(p[k]).to.equal(v, k);
      expect(await market.contracts()).to.deep.equal([await token.getAddress(), await vault.getAddress(), deployer.address]);
      expect(await market.owner()).to.equal(deployer.address);
      const domain = await market.eip712Domain();
      expect(domain.name).to.equal("Exchange");
      expect(domain.version).to.equal("1");
    });

    it("refuses parameters that break the Proof-of-Sampling rule", async function () {
      const Market = await ethers.getContractFactory("JobMarket");
      // a = 5 %, m = 10x: a(1+m) = 0.55 < 1.05
      await expect(deployWith({ auditRateBps: 500, auditRewardBps: 100 }))
        .to.be.revertedWithCustomError(Market, "JobMarketProofOfSamplingViolated").withArgs(500, 100_000, 500);
      // exactly 1 + margin passes: a = 10 %, m = 9.5x -> 0.1 * 10.5 = 1.05
      await expect(deployWith({ collateralMultiplierBps: 95_000 })).not.to.be.reverted;
      await expect(deployWith({ collateralMultiplierBps: 94_999 }))
        .to.be.revertedWithCustomError(Market, "JobMarketProofOfSamplingViolated").withArgs(1000, 94_999, 500);
    });

    it("refuses an audit reward the verification fees cannot fund", async function () {
      const Market = await ethers.getContractFactory("JobMarket");
      await expect(deployWith({ auditRewardBps: 5001 }))
        .to.be.revertedWithCustomError(Market, "JobMarketAuditPoolInsolvent").withArgs(1000, 5001, 500);
    });

    const invalid = [
      ["auditRateBps", { auditRateBps: 10_001 }, 10_001],
      ["auditedTasksPerJob", { auditedTasksPerJob: 0 }, 0],
      ["clientAuditFeeBps", { clientAuditFeeBps: 4999 }, 4999],
      ["challengeWindow", { challengeWindow: 0 }, 0],
      ["auditWindow", { auditWindow: 0 }, 0],
      ["disputeWindow", { disputeWindow: 0 }, 0],
      ["committeeSize", { committeeSize: 0 }, 0],
      ["expiryPenaltyBps", { expiryPenaltyBps: 10_001 }, 10_001],
      ["slashSplitBps", { slashClientBps: 5000, slashChallengerBps: 3000, slashCommitteeBps: 2001 }, 10_001],
    ];
    for (const [name, overrides, value] of invalid) {
      it(`refuses an invalid ${name}`, async function () {
        const Market = await ethers.getContractFactory("JobMarket");
        await expect(deployWith(overrides)).to.be.revertedWithCustomError(Market, "JobMarketInvalidParameter").withArgs(name, value);
      });
    }

    it("refuses a zero treasury", async function () {
      const { token, vault } = await h.deploySystem();
      const Market = await ethers.getContractFactory("JobMarket");
      await expect(Market.deploy(token, vault, ethers.ZeroAddress, h.defaultParams()))
        .to.be.revertedWithCustomError(Market, "JobMarketInvalidParameter").withArgs("treasury", 0);
    });
  });

  describe("balances", function () {
    it("deposit credits the internal balance", async function () {
      const { market, token, other } = await loadFixture(fixture);
      const tx = market.connect(other).deposit(E(5));
      await expect(tx).to.emit(market, "Deposited").withArgs(other.address, E(5));
      await expect(tx).to.changeTokenBalances(token, [other, market], [-E(5), E(5)]);
      expect(await market.balanceOf(other.address)).to.equal(E(5));
    });

    it("deposit refuses zero and a missing allowance", async function () {
      const { market, token, other, deployer } = await loadFixture(fixture);
      await expect(market.connect(other).deposit(0)).to.be.revertedWithCustomError(market, "JobMarketZeroAmount");
      await expect(market.connect(deployer).deposit(E(1)))
        .to.be.revertedWithCustomError(token, "ERC20InsufficientAllowance");
    });

    it("depositWithPermit deposits without a prior approval, and tolerates a front-run permit", async function () {
      const { market, token, deployer } = await loadFixture(fixture);
      const deadline = (await time.latest()) + 3600;
      const nonce = await token.nonces(deployer.address);
      const sig = ethers.Signature.from(await deployer.signTypedData(
        { name: "Compute Token", version: "1", chainId: 31337, verifyingContract: await token.getAddress() },
        { Permit: [{ name: "owner", type: "address" }, { name: "spender", type: "address" }, { name: "value", type: "uint256" }, { name: "nonce", type: "uint256" }, { name: "deadline", type: "uint256" }] },
        { owner: deployer.address, spender: await market.getAddress(), value: E(7), nonce, deadline },
      ));
      // somebody submits the permit first: the deposit still goes through on the allowance
      await token.permit(deployer.address, await market.getAddress(), E(7), deadline, sig.v, sig.r, sig.s);
      await expect(market.depositWithPermit(E(7), deadline, sig.v, sig.r, sig.s))
        .to.emit(market, "Deposited").withArgs(deployer.address, E(7));
      expect(await market.balanceOf(deployer.address)).to.equal(E(7));
    });

    it("depositWithPermit with a bad permit and no allowance reverts", async function () {
      const { market, token, deployer } = await loadFixture(fixture);
      await expect(market.depositWithPermit(E(1), 0, 27, ethers.ZeroHash, ethers.ZeroHash))
        .to.be.revertedWithCustomError(token, "ERC20InsufficientAllowance");
    });

    it("withdraw sends the balance out", async function () {
      const { market, token, client } = await loadFixture(fixture);
      const tx = market.connect(client).withdraw(E(3));
      await expect(tx).to.emit(market, "Withdrawn").withArgs(client.address, E(3));
      await expect(tx).to.changeTokenBalances(token, [client, market], [E(3), -E(3)]);
    });

    it("withdraw refuses zero and more than the balance", async function () {
      const { market, client } = await loadFixture(fixture);
      await expect(market.connect(client).withdraw(0)).to.be.revertedWithCustomError(market, "JobMarketZeroAmount");
      await expect(market.connect(client).withdraw(E(100_001)))
        .to.be.revertedWithCustomError(market, "JobMarketInsufficientBalance").withArgs(client.address, E(100_000), E(100_001));
    });

    it("claimProtocolFees moves the fee pool to the treasury balance", async function () {
      const w = await loadFixture(fixture);
      await h.createJob(w, { taskCount: 100 });
      const fee = (E(100) * 100n) / 10_000n;
      expect((await w.market.ledger()).protocolFees).to.equal(fee);
      await expect(w.market.connect(w.other).claimProtocolFees())
        .to.emit(w.market, "ProtocolFeesClaimed").withArgs(w.deployer.address, fee);
      expect(await w.market.balanceOf(w.deployer.address)).to.equal(fee);
      expect((await w.market.ledger()).protocolFees).to.equal(0);
    });
  });

  describe("offers and collateral", function () {
    it("cancelOffer withdraws the offer and every lower nonce", async function () {
      const w = await loadFixture(fixture);
      const later = { ...w.offer, nonce: 5 };
      const laterSig = await h.signOffer(w.provider, w.market, later);
      await expect(w.market.connect(w.provider).cancelOffer({ ...w.offer, nonce: 3 }))
        .to.emit(w.market, "OfferCancelled").withArgs(w.provider.address, 3, await w.market.offerDigest({ ...w.offer, nonce: 3 }));
      expect(await w.market.offerCancelled(w.offer)).to.equal(true);
      expect(await w.market.offerCancelled(later)).to.equal(false);
      expect((await w.market.accountOf(w.provider.address)).offerNonceFloor).to.equal(4);
      await expect(h.createJob(w))
        .to.be.revertedWithCustomError(w.market, "JobMarketOfferCancelled").withArgs(w.provider.address, 1, 4);
      await h.createJob(w, { offer: later, sig: laterSig });
      // a lower nonce never lowers the floor
      await w.market.connect(w.provider).cancelOffer({ ...w.offer, nonce: 2 });
      expect((await w.market.accountOf(w.provider.address)).offerNonceFloor).to.equal(4);
    });

    it("cancelOffer refuses anyone but the provider and nonces past the floor's range", async function () {
      const w = await loadFixture(fixture);
      await expect(w.market.connect(w.other).cancelOffer(w.offer))
        .to.be.revertedWithCustomError(w.market, "JobMarketNotOfferProvider").withArgs(w.other.address, w.provider.address);
      await expect(w.market.connect(w.provider).cancelOffer({ ...w.offer, nonce: 2n ** 32n - 1n }))
        .to.be.revertedWithCustomError(w.market, "JobMarketInvalidParameter").withArgs("nonce", 2n ** 32n - 1n);
    });

    it("lockCollateral and releaseCollateral move stake between vault and market", async function () {
      const w = await loadFixture(fixture);
      await expect(w.market.connect(w.provider).lockCollateral(E(500)))
        .to.emit(w.market, "CollateralLocked").withArgs(w.provider.address, E(500))
        .and.to.emit(w.vault, "Locked").withArgs(w.provider.address, E(500));
      expect(await w.vault.freeStake(w.provider.address)).to.equal(E(99_500));
      await h.createJob(w, { taskCount: 10 }); // collateral 100 from the free 500
      expect((await w.market.accountOf(w.provider.address)).collateral).to.equal(E(400));
      await expect(w.market.connect(w.provider).releaseCollateral(E(401)))
        .to.be.revertedWithCustomError(w.market, "JobMarketInsufficientCollateral").withArgs(w.provider.address, E(400), E(401));
      await expect(w.market.connect(w.provider).releaseCollateral(E(400)))
        .to.emit(w.market, "CollateralReleased").withArgs(w.provider.address, E(400))
        .and.to.emit(w.vault, "Unlocked").withArgs(w.provider.address, E(400));
      expect(await w.vault.freeStake(w.provider.address)).to.equal(E(99_900));
    });

    it("lockCollateral refuses zero and more than the free stake", async function () {
      const w = await loadFixture(fixture);
      await expect(w.market.connect(w.provider).lockCollateral(0)).to.be.revertedWithCustomError(w.market, "JobMarketZeroAmount");
      await expect(w.market.connect(w.provider).lockCollateral(E(100_001)))
        .to.be.revertedWithCustomError(w.vault, "StakingVaultInsufficientFreeStake").withArgs(w.provider.address, E(100_000), E(100_001));
      await expect(w.market.connect(w.client).lockCollateral(E(1)))
        .to.be.revertedWithCustomError(w.vault, "StakingVaultNotProvider").withArgs(w.client.address);
    });
  });

  describe("createJob", function () {
    it("debits price and fees, locks collateral and emits the record", async function () {
      const w = await loadFixture(fixture);
      const m = h.money(w.params, E(1), 10);
      const deadline = (await time.latest()) + 1000;
      const tx = w.market.connect(w.client).createJob(w.offer, w.offerSig, 10, ethers.id("t"), ethers.id("m"), deadline);
      await expect(tx).to.emit(w.market, "JobCreated")
        .withArgs(1, w.client.address, w.provider.address, w.offer.modelId, E(1), 10, deadline, ethers.id("t"), ethers.id("m"))
        .and.to.emit(w.market, "CollateralLocked").withArgs(w.provider.address, m.collateral);
      expect(await w.market.balanceOf(w.client.address)).to.equal(E(100_000) - m.cost);
      const ledger = await w.market.ledger();
      expect(ledger.jobCount).to.equal(1);
      expect(ledger.verificationPool).to.equal(m.verificationFee);
      expect(ledger.protocolFees).to.equal(m.protocolFee);
      expect((await w.vault.accountOf(w.provider.address)).locked).to.equal(m.collateral);
      const record = h.jobRecord({ client: w.client.address, offer: w.offer, taskCount: 10, tasksRoot: ethers.id("t"), manifestHash: ethers.id("m"), deadline });
      const got = await w.market.getJob(1);
      expect(got.status).to.equal(Status.Created);
      expect(got.commitment).to.equal(await w.market.jobCommitment(record));
      const hash = BigInt(ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(
        ["tuple(address,address,bytes32,uint256,uint32,uint64,bytes32,bytes32,bytes32,bytes32,uint64,uint64)"],
        [Object.values(record)],
      )));
      expect(BigInt(got.commitment)).to.equal(hash & ~0xffn);
    });

    it("uses an offer for many jobs, taking free collateral before locking stake", async function () {
      const w = await loadFixture(fixture);
      const a = await h.createJob(w);
      const b = await h.createJob(w);
      expect(b.id).to.equal(a.id + 1n);
      await w.market.connect(w.provider).lockCollateral(E(40));
      await expect((await h.createJob(w)).tx).not.to.emit(w.market, "CollateralLocked");
    });

    it("refuses a zero or oversize task count", async function () {
      const w = await loadFixture(fixture);
      await expect(h.createJob(w, { taskCount: 0 })).to.be.revertedWithCustomError(w.market, "JobMarketInvalidTaskCount").withArgs(0, 1000);
      await expect(h.createJob(w, { taskCount: 1001 })).to.be.revertedWithCustomError(w.market, "JobMarketInvalidTaskCount").withArgs(1001, 1000);
    });

    it("refuses an expired offer", async function () {
      const w = await loadFixture(fixture);
      await time.increaseTo(w.offer.expiry + 1);
      await expect(h.createJob(w)).to.be.revertedWithCustomError(w.market, "JobMarketOfferExpired").withArgs(w.offer.expiry, anyValue);
    });

    it("refuses a deadline that is not in the future", async function () {
      const w = await loadFixture(fixture);
      await expect(h.createJob(w, { deadlineIn: 0 })).to.be.revertedWithCustomError(w.market, "JobMarketInvalidDeadline");
    });

    it("refuses an offer not signed by its provider, or with altered terms", async function () {
      const w = await loadFixture(fixture);
      const forged = await h.signOffer(w.other, w.market, w.offer);
      await expect(h.createJob(w, { sig: forged }))
        .to.be.revertedWithCustomError(w.market, "JobMarketInvalidOfferSignature").withArgs(w.other.address, w.provider.address);
      await expect(h.createJob(w, { offer: { ...w.offer, unitPrice: E(0.5) } }))
        .to.be.revertedWithCustomError(w.market, "JobMarketInvalidOfferSignature").withArgs(anyValue, w.provider.address);
      await expect(h.createJob(w, { sig: "0x1234" }))
        .to.be.revertedWithCustomError(w.market, "JobMarketInvalidOfferSignature").withArgs(ethers.ZeroAddress, w.provider.address);
      // the malleable twin (s -> n - s, v flipped) of a valid signature is refused
      const sig = ethers.Signature.from(w.offerSig);
      const n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141n;
      const twin = ethers.concat([sig.r, ethers.toBeHex(n - BigInt(sig.s), 32), sig.v === 27 ? "0x1c" : "0x1b"]);
      await expect(h.createJob(w, { sig: twin }))
        .to.be.revertedWithCustomError(w.market, "JobMarketInvalidOfferSignature").withArgs(ethers.ZeroAddress, w.provider.address);
    });

    it("refuses a client without enough balance", async function () {
      const w = await loadFixture(fixture);
      const m = h.money(w.params, E(1), 1000);
      await expect(h.createJob(w, { taskCount: 1000, client: w.other }))
        .to.be.revertedWithCustomError(w.market, "JobMarketInsufficientBalance").withArgs(w.other.address, 0, m.cost);
    });

    it("refuses a provider without enough free stake", async function () {
      const w = await loadFixture(fixture);
      const big = { ...w.offer, unitPrice: E(20), nonce: 2 };
      const sig = await h.signOffer(w.provider, w.market, big);
      // 1000 tasks * 20 * 10x = 200,000 collateral > 100,000 stake
      await w.market.connect(w.client).deposit(E(500_000));
      await expect(h.createJob(w, { offer: big, sig, taskCount: 1000 }))
        .to.be.revertedWithCustomError(w.vault, "StakingVaultInsufficientFreeStake").withArgs(w.provider.address, E(100_000), E(200_000));
    });

    it("refuses an offer of an account that is not a provider", async function () {
      const w = await loadFixture(fixture);
      const offer = { ...w.offer, provider: w.other.address };
      const sig = await h.signOffer(w.other, w.market, offer);
      await expect(h.createJob(w, { offer, sig })).to.be.revertedWithCustomError(w.vault, "StakingVaultNotProvider").withArgs(w.other.address);
    });

    it("pause blocks job creation only; unpause resumes it", async function () {
      const w = await loadFixture(fixture);
      const { id, job } = await h.createJob(w);
      await expect(w.market.pause()).to.emit(w.market, "PauseChanged").withArgs(true);
      await expect(h.createJob(w)).to.be.revertedWithCustomError(w.market, "JobMarketPaused");
      await expect(w.market.connect(w.client).createJobs([])).to.be.revertedWithCustomError(w.market, "JobMarketPaused");
      const { job: sub } = await h.submit(w, id, job);
      await h.pastChallengeWindow(w);
      await w.market.settle([id], [sub]);
      await w.market.connect(w.provider).withdraw(E(1));
      await expect(w.market.unpause()).to.emit(w.market, "PauseChanged").withArgs(false);
      await h.createJob(w);
    });

    it("pause and unpause are for the owner only", async function () {
      const w = await loadFixture(fixture);
      await expect(w.market.connect(w.other).pause()).to.be.revertedWithCustomError(w.market, "OwnableUnauthorizedAccount").withArgs(w.other.address);
      await expect(w.market.connect(w.other).unpause()).to.be.revertedWithCustomError(w.market, "OwnableUnauthorizedAccount").withArgs(w.other.address);
    });
  });

  describe("createJobs", function () {
    it("creates consecutive jobs and debits the client once", async function () {
      const w = await loadFixture(fixture);
      const deadline = (await time.latest()) + 1000;
      const reqs = [3, 5].map((n, i) => ({ offer: w.offer, offerSig: w.offerSig, taskCount: n, tasksRoot: ethers.id(`t${i}`), manifestHash: ethers.id(`m${i}`), deadline }));
      expect(await w.market.connect(w.client).createJobs.staticCall(reqs)).to.equal(1);
      await expect(w.market.connect(w.client).createJobs(reqs))
        .to.emit(w.market, "JobCreated").withArgs(1, w.client.address, w.provider.address, w.offer.modelId, E(1), 3, deadline, ethers.id("t0"), ethers.id("m0"))
        .and.to.emit(w.market, "JobCreated").withArgs(2, w.client.address, w.provider.address, w.offer.modelId, E(1), 5, deadline, ethers.id("t1"), ethers.id("m1"));
      expect(await w.market.balanceOf(w.client.address)).to.equal(E(100_000) - h.money(w.params, E(1), 8).cost);
    });

    it("reverts as a whole when one request is bad", async function () {
      const w = await loadFixture(fixture);
      const deadline = (await time.latest()) + 1000;
      const good = { offer: w.offer, offerSig: w.offerSig, taskCount: 1, tasksRoot: ethers.ZeroHash, manifestHash: ethers.ZeroHash, deadline };
      await expect(w.market.connect(w.client).createJobs([good, { ...good, taskCount: 0 }]))
        .to.be.revertedWithCustomError(w.market, "JobMarketInvalidTaskCount").withArgs(0, 1000);
      expect((await w.market.ledger()).jobCount).to.equal(0);
    });
  });

  describe("submitResult", function () {
    it("records the provider's signed result relayed by anyone", async function () {
      const w = await loadFixture(fixture);
      const { id, job } = await h.createJob(w);
      const { job: sub, tx } = await h.submit(w, id, job);
      await expect(tx).to.emit(w.market, "ResultSubmitted").withArgs(id, sub.resultRoot, sub.outputsHash, sub.submittedAt, sub.submitBlock);
      const got = await w.market.getJob(id);
      expect(got.status).to.equal(Status.Submitted);
      expect(got.commitment).to.equal(await w.market.jobCommitment(sub));
    });

    it("refuses a result signed by anyone but the job's provider", async function () {
      const w = await loadFixture(fixture);
      const { id, job } = await h.createJob(w);
      await expect(h.submit(w, id, job, { signer: w.client }))
        .to.be.revertedWithCustomError(w.market, "JobMarketInvalidResultSignature").withArgs(w.client.address, w.provider.address);
    });

    it("refuses a record that does not match the commitment", async function () {
      const w = await loadFixture(fixture);
      const { id, job } = await h.createJob(w);
      const forged = { ...job, unitPrice: E(2) };
      await expect(h.submit(w, id, forged))
        .to.be.revertedWithCustomError(w.market, "JobMarketJobMismatch").withArgs(id, await w.market.jobCommitment(forged));
    });

    it("refuses a job that does not exist and a second submission", async function () {
      const w = await loadFixture(fixture);
      const { id, job } = await h.createJob(w);
      await expect(h.submit(w, 9n, job)).to.be.revertedWithCustomError(w.market, "JobMarketInvalidStatus").withArgs(9, Status.None, Status.Created);
      const { job: sub } = await h.submit(w, id, job);
      await expect(h.submit(w, id, sub)).to.be.revertedWithCustomError(w.market, "JobMarketInvalidStatus").withArgs(id, Status.Submitted, Status.Created);
    });

    it("refuses a result after the deadline", async function () {
      const w = await loadFixture(fixture);
      const { id, job } = await h.createJob(w);
      await time.increaseTo(job.deadline + 1n);
      await expect(h.submit(w, id, job)).to.be.revertedWithCustomError(w.market, "JobMarketDeadlinePassed").withArgs(id, job.deadline, anyValue);
    });

    it("submitResults records many results in one transaction", async function () {
      const w = await loadFixture(fixture);
      const jobs = [await h.createJob(w), await h.createJob(w)];
      const subs = [];
      for (const { id, job } of jobs) {
        const resultRoot = ethers.id(`r${id}`);
        const outputsHash = ethers.id(`o${id}`);
        const signature = await h.signResult(w.provider, w.market, { jobId: id, tasksRoot: job.tasksRoot, resultRoot, outputsHash });
        subs.push({ jobId: id, job, resultRoot, outputsHash, signature });
      }
      await expect(w.market.submitResults(subs)).to.emit(w.market, "ResultSubmitted").withArgs(jobs[1].id, ethers.id(`r${jobs[1].id}`), anyValue, anyValue, anyValue);
      for (const { id } of jobs) expect((await w.market.getJob(id)).status).to.equal(Status.Submitted);
    });
  });

  describe("settle", function () {
    async function submitted() {
      const w = await fixture();
      const { id, job } = await h.createJob(w, { taskCount: 10 });
      const { job: sub } = await h.submit(w, id, job);
      return { ...w, id, sub };
    }

    it("pays the provider, returns the collateral, counts the job and clears the slot", async function () {
      const w = await loadFixture(submitted);
      await h.pastChallengeWindow(w);
      const m = h.money(w.params, E(1), 10);
      await expect(w.market.connect(w.other).settle([w.id], [w.sub])).to.emit(w.market, "JobSettled").withArgs(w.id, m.price);
      expect(await w.market.balanceOf(w.provider.address)).to.equal(m.price);
      const account = await w.market.accountOf(w.provider.address);
      expect(account.collateral).to.equal(m.collateral);
      expect(account.jobsSettled).to.equal(1);
      expect(await w.market.jobsSettled(w.provider.address)).to.equal(1);
      expect((await w.vault.accountOf(w.provider.address)).jobsSettled).to.equal(1);
      const got = await w.market.getJob(w.id);
      expect(got.status).to.equal(Status.Settled);
      expect(got.commitment).to.equal(ethers.ZeroHash);
    });

    it("refuses to settle inside the challenge window", async function () {
      const w = await loadFixture(submitted);
      await mine(2);
      await expect(w.market.settle([w.id], [w.sub]))
        .to.be.revertedWithCustomError(w.market, "JobMarketChallengeWindowOpen").withArgs(w.id, w.sub.submittedAt + BigInt(w.params.challengeWindow), anyValue);
    });

    it("refuses to settle twice", async function () {
      const w = await loadFixture(submitted);
      await h.pastChallengeWindow(w);
      await w.market.settle([w.id], [w.sub]);
      await expect(w.market.settle([w.id], [w.sub]))
        .to.be.revertedWithCustomError(w.market, "JobMarketInvalidStatus").withArgs(w.id, Status.Settled, Status.Submitted);
    });

    it("refuses a job that is not submitted and mismatched lengths", async function () {
      const w = await loadFixture(fixture);
      const { id, job } = await h.createJob(w);
      await expect(w.market.settle([id], [job])).to.be.revertedWithCustomError(w.market, "JobMarketInvalidStatus").withArgs(id, Status.Created, Status.Submitted);
      await expect(w.market.settle([id, id], [job])).to.be.revertedWithCustomError(w.market, "JobMarketLengthMismatch").withArgs(2, 1);
    });

    it("refuses while the block that seeds the draw does not exist yet", async function () {
      const w = await loadFixture(submitted);
      await time.setNextBlockTimestamp(w.sub.submittedAt + BigInt(w.params.challengeWindow) + 1n);
      await expect(w.market.settle([w.id], [w.sub]))
        .to.be.revertedWithCustomError(w.market, "JobMarketDrawNotReady").withArgs(w.id, w.sub.submitBlock + 2n);
    });

    it("settles a batch", async function () {
      const w = await loadFixture(submitted);
      const { id, job } = await h.createJob(w);
      const { job: sub } = await h.submit(w, id, job);
      await h.pastChallengeWindow(w);
      await expect(w.market.settle([w.id, id], [w.sub, sub])).to.emit(w.market, "JobSettled").withArgs(id, E(4));
      expect((await w.market.accountOf(w.provider.address)).jobsSettled).to.equal(2);
    });
  });

  describe("expire", function () {
    it("refunds the client in full plus the penalty, taken from the provider's stake", async function () {
      const w = await loadFixture(fixture);
      const { id, job } = await h.createJob(w, { taskCount: 10 });
      const m = h.money(w.params, E(1), 10);
      await time.increaseTo(job.deadline + 1n);
      const owed = m.verificationFee + m.protocolFee + (m.collateral * BigInt(w.params.expiryPenaltyBps)) / 10_000n;
      await expect(w.market.connect(w.other).expire([id], [job]))
        .to.emit(w.market, "JobExpired").withArgs(id, m.price + owed, owed)
        .and.to.emit(w.vault, "Slashed").withArgs(w.provider.address, owed);
      expect(await w.market.balanceOf(w.client.address)).to.equal(E(100_000) - m.cost + m.price + owed);
      expect((await w.market.getJob(id)).status).to.equal(Status.Expired);
      const acct = await w.vault.accountOf(w.provider.address);
      expect(acct.stake).to.equal(E(100_000) - owed);
      expect(acct.locked).to.equal(0);
      expect(acct.slashes).to.equal(1);
    });

    it("refuses before the deadline, after a submission and with mismatched lengths", async function () {
      const w = await loadFixture(fixture);
      const { id, job } = await h.createJob(w);
      await expect(w.market.expire([id], [job])).to.be.revertedWithCustomError(w.market, "JobMarketDeadlineNotPassed").withArgs(id, job.deadline, anyValue);
      const { job: sub } = await h.submit(w, id, job);
      await time.increaseTo(job.deadline + 1n);
      await expect(w.market.expire([id], [sub])).to.be.revertedWithCustomError(w.market, "JobMarketInvalidStatus").withArgs(id, Status.Submitted, Status.Created);
      await expect(w.market.expire([id], [])).to.be.revertedWithCustomError(w.market, "JobMarketLengthMismatch").withArgs(1, 0);
    });
  });

  describe("views", function () {
    it("offerDigest and resultDigest are the EIP-712 digests", async function () {
      const w = await loadFixture(fixture);
      const domain = await h.domain(w.market);
      expect(await w.market.offerDigest(w.offer)).to.equal(ethers.TypedDataEncoder.hash(domain, { Offer: [
        { name: "provider", type: "address" }, { name: "modelId", type: "bytes32" }, { name: "unitPrice", type: "uint256" },
        { name: "maxTasks", type: "uint32" }, { name: "expiry", type: "uint64" }, { name: "region", type: "bytes32" }, { name: "nonce", type: "uint64" },
      ] }, w.offer));
      const result = { jobId: 7, tasksRoot: ethers.id("a"), resultRoot: ethers.id("b"), outputsHash: ethers.id("c") };
      expect(await w.market.resultDigest(7, result.tasksRoot, result.resultRoot, result.outputsHash)).to.equal(ethers.TypedDataEncoder.hash(domain, { Result: [
        { name: "jobId", type: "uint256" }, { name: "tasksRoot", type: "bytes32" }, { name: "resultRoot", type: "bytes32" }, { name: "outputsHash", type: "bytes32" },
      ] }, result));
    });

    it("verifyTaskProof and verifyResultProof check the leaves of docs/protocol.md", async function () {
      const w = await loadFixture(fixture);
      for (const n of [1, 2, 3, 5, 8]) {
        const inputs = Array.from({ length: n }, (_, i) => ethers.id(`in${i}`));
        const outputs = Array.from({ length: n }, (_, i) => ethers.id(`out${i}`));
        const tasks = h.merkle(inputs.map((x, i) => h.taskLeaf(i, x)));
        const results = h.merkle(inputs.map((x, i) => h.resultLeaf(i, x, outputs[i])));
        for (let i = 0; i < n; i++) {
          expect(await w.market.verifyTaskProof(tasks.root, i, inputs[i], tasks.proof(i))).to.equal(true);
          expect(await w.market.verifyResultProof(results.root, i, inputs[i], outputs[i], results.proof(i))).to.equal(true);
          expect(await w.market.verifyTaskProof(tasks.root, i, outputs[i], tasks.proof(i))).to.equal(false);
          expect(await w.market.verifyResultProof(results.root, i, inputs[i], inputs[i], results.proof(i))).to.equal(false);
        }
      }
    });

    it("getJob reports None for ids never issued", async function () {
      const w = await loadFixture(fixture);
      expect((await w.market.getJob(0)).status).to.equal(Status.None);
      expect((await w.market.getJob(1)).status).to.equal(Status.None);
    });

    it("auditDraw says not audited without verifiers and refuses other states", async function () {
      const w = await loadFixture(fixture);
      const { id, job } = await h.createJob(w);
      await expect(w.market.auditDraw(id, job)).to.be.revertedWithCustomError(w.market, "JobMarketInvalidStatus").withArgs(id, Status.Created, Status.Submitted);
      const { job: sub } = await h.submit(w, id, job);
      await expect(w.market.auditDraw(id, sub)).to.be.revertedWithCustomError(w.market, "JobMarketDrawNotReady").withArgs(id, sub.submitBlock + 2n);
      await mine(2);
      const draw = await w.market.auditDraw(id, sub);
      expect(draw.audited).to.equal(false);
      expect(draw.verifier).to.equal(ethers.ZeroAddress);
      expect(draw.taskIndices).to.deep.equal([]);
    });
  });
});
