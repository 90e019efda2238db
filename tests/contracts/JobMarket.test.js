const { expect } = require("chai");
const { ethers } = require("hardhat");
const { loadFixture, time, mine, impersonateAccount, setBalance } = require("@nomicfoundation/hardhat-network-helpers");
const { anyValue } = require("@nomicfoundation/hardhat-chai-matchers/withArgs");
const h = require("./helpers");

const { E, Status, AuditOrigin, BPS } = h;
const coder = ethers.AbiCoder.defaultAbiCoder();
const OPEN = new Set([Status.Created, Status.Accepted, Status.Submitted, Status.Unaudited, Status.Auditing, Status.Disputed]);

/** The market with the AuditCourt and three verifiers, drawable from the current epoch on. */
async function fixture() {
  const w = await h.world({ verifiers: 3 });
  await h.drawable();
  return w;
}

/** The market before any court is bound. */
async function courtless() {
  return h.world({ withCourt: false });
}

/**
 * The market as called from the court's own address: for the hooks' guards, which the court's
 * logic never trips (a status outside the court's, more than the hold, withholding more than the
 * price). Everything else the tests drive through the court.
 */
async function asCourt(w) {
  const address = await w.court.getAddress();
  await impersonateAccount(address);
  await setBalance(address, E(1));
  return w.market.connect(await ethers.getSigner(address));
}

const signerOf = (w, address) => [w.client, w.provider, w.other, ...w.verifiers].find((s) => s.address === address);

/** The job's selected verifier fails it: the job is Disputed, round 0 open. */
async function disputedJob(w, options = {}) {
  const s = await h.submittedWithDraw(w, true, options);
  const { verifier } = await w.court.pendingAuditor(s.id, s.sub);
  await w.court.connect(signerOf(w, verifier)).submitVerdict(s.id, s.sub, false, ethers.id("evidence"));
  return { ...s, challenger: verifier };
}

/** Runs round 0 of a dispute to a unanimous "provider wrong" and past its appeal window. */
async function ruleProviderWrong(w, d) {
  await mine(1);
  await w.court.drawCommittee(d.id, d.sub);
  const { members } = await w.court.roundOf(d.id, 0);
  const salt = ethers.id("salt");
  for (const m of members) await w.court.connect(signerOf(w, m)).commitVote(d.id, await w.court.voteCommitment(d.id, 0, m, true, salt));
  for (const m of members) await w.court.connect(signerOf(w, m)).revealVote(d.id, true, salt);
  await w.court.closeRound(d.id);
  await time.increase(h.defaultCourtParams().appealWindow + 1);
  return members;
}

/** A job whose draw lapsed, its audit assigned from a new ticket. */
async function lapsedAudit(w, options = {}) {
  const { id, job } = await h.createJob(w, options);
  const { job: sub } = await h.submit(w, id, job);
  await mine(300);
  await w.market.recordDraw([id], [sub]);
  await mine(1);
  await w.court.assignAuditor(id, sub);
  const { verifier, deadline } = await w.court.auditOf(id);
  return { id, sub, verifier: signerOf(w, verifier), deadline };
}

/** Creates and submits jobs until one whose ready draw audits it (or not); returns it. */
async function submittedWhere(w, audited, options = {}) {
  for (let i = 0; i < 100; i++) {
    const { id, job } = await h.createJob(w, options);
    const { job: sub } = await h.submit(w, id, job);
    await mine(2);
    const draw = await w.market.auditDraw(id, sub);
    if (draw.audited === audited) return { id, sub, seed: draw.seed };
  }
  throw new Error("no job with the wanted draw in 100 tries");
}

/** Creates, submits and returns a job with its submitted record. */
async function submittedJob(w, options = {}) {
  const { id, job } = await h.createJob(w, options);
  const { job: sub } = await h.submit(w, id, job);
  return { id, job, sub };
}

/**
 * The market's token balance equals the internal balances of `accounts`, the price of every
 * open job (from the JobCreated events), both fee pools and the court hold.
 */
async function expectBooksBalanced(w, accounts) {
  const ledger = await w.market.ledger();
  let escrow = 0n;
  for (const ev of await w.market.queryFilter(w.market.filters.JobCreated())) {
    const { jobId, unitPrice, taskCount } = ev.args;
    if (OPEN.has(Number((await w.market.getJob(jobId)).status))) escrow += unitPrice * taskCount;
  }
  let balances = 0n;
  for (const a of accounts) balances += await w.market.balanceOf(a);
  const held = await w.token.balanceOf(await w.market.getAddress());
  expect(held).to.equal(balances + escrow + ledger.verificationPool + ledger.protocolFees + ledger.courtHold_);
}

describe("JobMarket", function () {
  describe("constructor", function () {
    async function deployWith(overrides) {
      const { token, vault } = await h.deploySystem({ withCourt: false });
      const Market = await ethers.getContractFactory("JobMarket");
      const [deployer] = await ethers.getSigners();
      return Market.deploy(token, vault, deployer.address, h.defaultParams(overrides));
    }

    it("stores every parameter and the contracts, with no court bound", async function () {
      const { market, token, vault, deployer, params } = await loadFixture(courtless);
      const p = await market.params();
      for (const [k, v] of Object.entries(params)) expect(p[k]).to.equal(v, k);
      expect(await market.contracts()).to.deep.equal([await token.getAddress(), await vault.getAddress(), deployer.address, ethers.ZeroAddress]);
      expect(await market.treasury()).to.equal(deployer.address);
      expect(await market.court()).to.equal(ethers.ZeroAddress);
      expect(await market.owner()).to.equal(deployer.address);
      const domain = await market.eip712Domain();
      expect(domain.name).to.equal("Exchange");
      expect(domain.version).to.equal("1");
    });

    it("refuses parameters that break the Proof-of-Sampling rule a(1-s)(1+m) > 1 + margin", async function () {
      const Market = await ethers.getContractFactory("JobMarket");
      // a = 10 %, s = 0, m = 9x, margin 0: exactly 1 is not enough
      const edge = { auditRateBps: 1000, corruptShareBps: 0, collateralMultiplierBps: 90_000, posMarginBps: 0 };
      await expect(deployWith(edge))
        .to.be.revertedWithCustomError(Market, "JobMarketProofOfSamplingViolated").withArgs(1000, 0, 90_000, 0);
      await expect(deployWith({ ...edge, collateralMultiplierBps: 90_001 })).not.to.be.reverted;
      // the defaults pass only because a cheater's corrupted share is counted: with s = 50 % they do not
      await expect(deployWith({ corruptShareBps: 5000 }))
        .to.be.revertedWithCustomError(Market, "JobMarketProofOfSamplingViolated").withArgs(1500, 5000, 100_000, 500);
      await expect(deployWith({ posMarginBps: 5000 }))
        .to.be.revertedWithCustomError(Market, "JobMarketProofOfSamplingViolated").withArgs(1500, 2000, 100_000, 5000);
    });

    it("refuses an audit reward the verification fees cannot fund with the pool's slack", async function () {
      const Market = await ethers.getContractFactory("JobMarket");
      const base = { auditRateBps: 1000, corruptShareBps: 0, auditRewardBps: 4000, poolMarginBps: 2500 };
      // 0.1 * 0.4 * 1.25 = 0.05: a fee of exactly 5 % funds it
      await expect(deployWith({ ...base, verificationFeeBps: 500 })).not.to.be.reverted;
      await expect(deployWith({ ...base, verificationFeeBps: 499 }))
        .to.be.revertedWithCustomError(Market, "JobMarketAuditPoolInsolvent").withArgs(1000, 4000, 2500, 499);
      // the defaults fund it without slack (0.15 * 0.5 = 0.075 <= 0.08) but not with 10 % of it
      await expect(deployWith({ poolMarginBps: 1000 }))
        .to.be.revertedWithCustomError(Market, "JobMarketAuditPoolInsolvent").withArgs(1500, 5000, 1000, 800);
    });

    it("refuses a collateral that does not cover an accepted job's expiry refund", async function () {
      const Market = await ethers.getContractFactory("JobMarket");
      // fees 9 % of price = 0.9 % of collateral: the penalty may take the other 99.1 %
      await expect(deployWith({ expiryPenaltyBps: 9910 })).not.to.be.reverted;
      await expect(deployWith({ expiryPenaltyBps: 9911 }))
        .to.be.revertedWithCustomError(Market, "JobMarketInvalidParameter").withArgs("expiryPenaltyBps", 9911);
    });

    it("refuses a minimum unit price that would leave a job without collateral", async function () {
      const Market = await ethers.getContractFactory("JobMarket");
      // m = 0.5x, every job audited: a unit price of 1 wei has no collateral, 2 wei has 1
      const half = { auditRateBps: 10_000, corruptShareBps: 0, collateralMultiplierBps: 5000, auditRewardBps: 500 };
      await expect(deployWith({ ...half, minUnitPrice: 1 }))
        .to.be.revertedWithCustomError(Market, "JobMarketInvalidParameter").withArgs("minUnitPrice", 1);
      await expect(deployWith({ ...half, minUnitPrice: 2 })).not.to.be.reverted;
      await expect(deployWith({ minUnitPrice: 0 }))
        .to.be.revertedWithCustomError(Market, "JobMarketInvalidParameter").withArgs("minUnitPrice", 0);
    });

    const U32 = 2n ** 32n;
    // far past the ratio bound; without it the rules' products would overflow
    const HUGE = 2n ** 255n;
    const invalid = [
      ["auditRateBps", { auditRateBps: 10_001 }, 10_001],
      ["corruptShareBps", { corruptShareBps: 10_000 }, 10_000],
      ["auditedTasksPerJob", { auditedTasksPerJob: 0 }, 0],
      ["auditedTasksPerJob", { auditedTasksPerJob: U32 }, U32],
      ["challengeWindow", { challengeWindow: 0 }, 0],
      ["poolMarginBps", { poolMarginBps: 0 }, 0],
      ["clientAuditFeeBps", { clientAuditFeeBps: 4999 }, 4999],
      ...["collateralMultiplierBps", "posMarginBps", "verificationFeeBps", "protocolFeeBps", "auditRewardBps", "poolMarginBps", "clientAuditFeeBps", "expiryPenaltyBps"]
        .map((name) => [name, { [name]: HUGE }, HUGE]),
    ];
    for (const [name, overrides, value] of invalid) {
      it(`refuses ${name} = ${value === HUGE ? "2^255" : value}`, async function () {
        const Market = await ethers.getContractFactory("JobMarket");
        await expect(deployWith(overrides)).to.be.revertedWithCustomError(Market, "JobMarketInvalidParameter").withArgs(name, value);
      });
    }

    it("refuses a zero treasury", async function () {
      const { token, vault } = await h.deploySystem({ withCourt: false });
      const Market = await ethers.getContractFactory("JobMarket");
      await expect(Market.deploy(token, vault, ethers.ZeroAddress, h.defaultParams()))
        .to.be.revertedWithCustomError(Market, "JobMarketInvalidParameter").withArgs("treasury", 0);
    });
  });

  describe("setCourt", function () {
    it("binds the court once, for the owner only", async function () {
      const w = await loadFixture(courtless);
      await expect(w.market.connect(w.other).setCourt(w.other.address))
        .to.be.revertedWithCustomError(w.market, "OwnableUnauthorizedAccount").withArgs(w.other.address);
      await expect(w.market.setCourt(ethers.ZeroAddress)).to.be.revertedWithCustomError(w.market, "JobMarketInvalidCourt").withArgs(ethers.ZeroAddress);
      await expect(w.market.setCourt(w.other.address)).to.emit(w.market, "CourtSet").withArgs(w.other.address);
      expect(await w.market.court()).to.equal(w.other.address);
      expect((await w.market.contracts())[3]).to.equal(w.other.address);
      await expect(w.market.setCourt(w.client.address)).to.be.revertedWithCustomError(w.market, "JobMarketCourtAlreadySet").withArgs(w.other.address);
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
      await expect(market.connect(deployer).deposit(E(1))).to.be.revertedWithCustomError(token, "ERC20InsufficientAllowance");
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
      await token.permit(deployer.address, await market.getAddress(), E(7), deadline, sig.v, sig.r, sig.s);
      await expect(market.depositWithPermit(E(7), deadline, sig.v, sig.r, sig.s)).to.emit(market, "Deposited").withArgs(deployer.address, E(7));
      expect(await market.balanceOf(deployer.address)).to.equal(E(7));
    });

    it("depositWithPermit with a bad permit and no allowance reverts", async function () {
      const { market, token } = await loadFixture(fixture);
      await expect(market.depositWithPermit(E(1), 0, 27, ethers.ZeroHash, ethers.ZeroHash)).to.be.revertedWithCustomError(token, "ERC20InsufficientAllowance");
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
      const fee = h.money(w.params, E(1), 100).protocolFee;
      expect((await w.market.ledger()).protocolFees).to.equal(fee);
      await expect(w.market.connect(w.other).claimProtocolFees()).to.emit(w.market, "ProtocolFeesClaimed").withArgs(w.deployer.address, fee);
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
      await expect(h.createJob(w)).to.be.revertedWithCustomError(w.market, "JobMarketOfferCancelled").withArgs(w.provider.address, 1, 4);
      await h.createJob(w, { offer: later, sig: laterSig });
      // a lower nonce never lowers the floor
      await w.market.connect(w.provider).cancelOffer({ ...w.offer, nonce: 2 });
      expect((await w.market.accountOf(w.provider.address)).offerNonceFloor).to.equal(4);
    });

    it("cancelOffer refuses anyone but the provider and nonces it could not cancel", async function () {
      const w = await loadFixture(fixture);
      await expect(w.market.connect(w.other).cancelOffer(w.offer))
        .to.be.revertedWithCustomError(w.market, "JobMarketNotOfferProvider").withArgs(w.other.address, w.provider.address);
      await expect(w.market.connect(w.provider).cancelOffer({ ...w.offer, nonce: 2n ** 32n - 1n }))
        .to.be.revertedWithCustomError(w.market, "JobMarketInvalidOfferNonce").withArgs(2n ** 32n - 1n);
      // the highest nonce an offer may have can be cancelled
      await w.market.connect(w.provider).cancelOffer({ ...w.offer, nonce: 2n ** 32n - 2n });
      expect((await w.market.accountOf(w.provider.address)).offerNonceFloor).to.equal(2n ** 32n - 1n);
    });

    it("lockCollateral and releaseCollateral move stake between vault and market", async function () {
      const w = await loadFixture(fixture);
      await expect(w.market.connect(w.provider).lockCollateral(E(500)))
        .to.emit(w.market, "CollateralLocked").withArgs(w.provider.address, E(500))
        .and.to.emit(w.vault, "Locked").withArgs(w.provider.address, E(500));
      expect(await w.vault.freeStake(w.provider.address)).to.equal(E(49_500));
      await h.createJob(w, { taskCount: 10 }); // collateral 100
      expect((await w.market.accountOf(w.provider.address)).collateral).to.equal(E(50_400));
      await expect(w.market.connect(w.provider).releaseCollateral(E(50_401)))
        .to.be.revertedWithCustomError(w.market, "JobMarketInsufficientCollateral").withArgs(w.provider.address, E(50_400), E(50_401));
      await expect(w.market.connect(w.provider).releaseCollateral(E(50_400)))
        .to.emit(w.market, "CollateralReleased").withArgs(w.provider.address, E(50_400))
        .and.to.emit(w.vault, "Unlocked").withArgs(w.provider.address, E(50_400));
      expect(await w.vault.freeStake(w.provider.address)).to.equal(E(99_900));
    });

    it("lockCollateral refuses zero, more than the free stake, and accounts without the provider role", async function () {
      const w = await loadFixture(fixture);
      await expect(w.market.connect(w.provider).lockCollateral(0)).to.be.revertedWithCustomError(w.market, "JobMarketZeroAmount");
      await expect(w.market.connect(w.provider).lockCollateral(E(50_001)))
        .to.be.revertedWithCustomError(w.vault, "StakingVaultInsufficientFreeStake").withArgs(w.provider.address, E(50_000), E(50_001));
      await expect(w.market.connect(w.client).lockCollateral(E(1))).to.be.revertedWithCustomError(w.vault, "StakingVaultNotProvider").withArgs(w.client.address);
    });
  });

  describe("createJob", function () {
    it("debits price and fees, takes collateral from free collateral and emits the record", async function () {
      const w = await loadFixture(fixture);
      const m = h.money(w.params, E(1), 10);
      const deadline = (await time.latest()) + 1000;
      const tx = w.market.connect(w.client).createJob(w.offer, w.offerSig, 10, ethers.id("t"), ethers.id("m"), deadline);
      await expect(tx).to.emit(w.market, "JobCreated")
        .withArgs(1, w.client.address, w.provider.address, w.offer.modelId, E(1), 10, deadline, ethers.id("t"), ethers.id("m"));
      await expect(tx).not.to.emit(w.vault, "Locked");
      expect(await w.market.balanceOf(w.client.address)).to.equal(E(100_000) - m.cost);
      const ledger = await w.market.ledger();
      expect(ledger.jobCount).to.equal(1);
      expect(ledger.verificationPool).to.equal(m.verificationFee);
      expect(ledger.protocolFees).to.equal(m.protocolFee);
      expect((await w.market.accountOf(w.provider.address)).collateral).to.equal(E(50_000) - m.collateral);
      expect((await w.vault.accountOf(w.provider.address)).locked).to.equal(E(50_000));
      const record = h.jobRecord({ client: w.client.address, offer: w.offer, taskCount: 10, tasksRoot: ethers.id("t"), manifestHash: ethers.id("m"), deadline });
      const got = await w.market.getJob(1);
      expect(got.status).to.equal(Status.Created);
      expect(got.commitment).to.equal(await w.market.jobCommitment(record));
      const hash = BigInt(ethers.keccak256(coder.encode(
        ["tuple(address,address,bytes32,uint256,uint32,uint64,bytes32,bytes32,bytes32,bytes32,uint64,uint64)"],
        [Object.values(record)],
      )));
      expect(BigInt(got.commitment)).to.equal(hash & ~0xffn);
    });

    it("never locks stake for a job: too little free collateral is refused", async function () {
      const w = await loadFixture(fixture);
      // 50,000 free collateral covers 5,000 tasks at 10x; the provider's other 50,000 of stake stays untouched
      const big = { ...w.offer, maxTasks: 6000 };
      const sig = await h.signOffer(w.provider, w.market, big);
      await expect(h.createJob(w, { offer: big, sig, taskCount: 5001 }))
        .to.be.revertedWithCustomError(w.market, "JobMarketInsufficientCollateral").withArgs(w.provider.address, E(50_000), E(50_010));
      await h.createJob(w, { offer: big, sig, taskCount: 5000 });
      expect((await w.market.accountOf(w.provider.address)).collateral).to.equal(0);
      await expect(h.createJob(w, { offer: big, sig, taskCount: 1 }))
        .to.be.revertedWithCustomError(w.market, "JobMarketInsufficientCollateral").withArgs(w.provider.address, 0, E(10));
      expect((await w.vault.accountOf(w.provider.address)).locked).to.equal(E(50_000));
      expect(await w.vault.freeStake(w.provider.address)).to.equal(E(50_000));
    });

    it("refuses a staked provider that locked no collateral, and an account that is not a provider", async function () {
      const w = await loadFixture(fixture);
      await w.vault.connect(w.other).stake(h.Role.Provider, E(1000));
      const offer = { ...w.offer, provider: w.other.address };
      const sig = await h.signOffer(w.other, w.market, offer);
      await expect(h.createJob(w, { offer, sig }))
        .to.be.revertedWithCustomError(w.market, "JobMarketInsufficientCollateral").withArgs(w.other.address, 0, E(40));
      const [, , , , stranger] = await ethers.getSigners();
      const offer2 = { ...w.offer, provider: stranger.address };
      await expect(h.createJob(w, { offer: offer2, sig: await h.signOffer(stranger, w.market, offer2) }))
        .to.be.revertedWithCustomError(w.market, "JobMarketInsufficientCollateral").withArgs(stranger.address, 0, E(40));
    });

    it("uses an offer for many jobs with consecutive ids", async function () {
      const w = await loadFixture(fixture);
      const a = await h.createJob(w);
      const b = await h.createJob(w);
      expect(b.id).to.equal(a.id + 1n);
    });

    it("refuses a zero or oversize task count", async function () {
      const w = await loadFixture(fixture);
      await expect(h.createJob(w, { taskCount: 0 })).to.be.revertedWithCustomError(w.market, "JobMarketInvalidTaskCount").withArgs(0, 1000);
      await expect(h.createJob(w, { taskCount: 1001 })).to.be.revertedWithCustomError(w.market, "JobMarketInvalidTaskCount").withArgs(1001, 1000);
    });

    it("refuses a unit price below the market's minimum or above what a balance can hold", async function () {
      const w = await loadFixture(fixture);
      const min = BigInt(w.params.minUnitPrice);
      const cheap = { ...w.offer, unitPrice: min - 1n };
      await expect(h.createJob(w, { offer: cheap, sig: await h.signOffer(w.provider, w.market, cheap) }))
        .to.be.revertedWithCustomError(w.market, "JobMarketInvalidUnitPrice").withArgs(min - 1n, min);
      const floor = { ...w.offer, unitPrice: min };
      await h.createJob(w, { offer: floor, sig: await h.signOffer(w.provider, w.market, floor) });
      const huge = { ...w.offer, unitPrice: 2n ** 96n };
      await expect(h.createJob(w, { offer: huge, sig: await h.signOffer(w.provider, w.market, huge) }))
        .to.be.revertedWithCustomError(w.market, "JobMarketInvalidUnitPrice").withArgs(2n ** 96n, min);
    });

    it("refuses an offer nonce that cancelOffer could not cancel", async function () {
      const w = await loadFixture(fixture);
      const last = { ...w.offer, nonce: 2n ** 32n - 2n };
      await h.createJob(w, { offer: last, sig: await h.signOffer(w.provider, w.market, last) });
      for (const nonce of [2n ** 32n - 1n, 2n ** 64n - 1n]) {
        const offer = { ...w.offer, nonce };
        await expect(h.createJob(w, { offer, sig: await h.signOffer(w.provider, w.market, offer) }))
          .to.be.revertedWithCustomError(w.market, "JobMarketInvalidOfferNonce").withArgs(nonce);
      }
    });

    it("refuses an expired offer", async function () {
      const w = await loadFixture(fixture);
      await time.increaseTo(w.offer.expiry + 1);
      await expect(h.createJob(w)).to.be.revertedWithCustomError(w.market, "JobMarketOfferExpired").withArgs(w.offer.expiry, anyValue);
    });

    it("refuses a deadline sooner than the offer's minimum turnaround", async function () {
      const w = await loadFixture(fixture);
      const at = (await time.latest()) + 100;
      const create = (deadline) => w.market.connect(w.client).createJob(w.offer, w.offerSig, 1, h.ZERO, h.ZERO, deadline);
      await time.setNextBlockTimestamp(at);
      await expect(create(at + 59)).to.be.revertedWithCustomError(w.market, "JobMarketInvalidDeadline").withArgs(at + 59, at + 60);
      await time.setNextBlockTimestamp(at + 10);
      await expect(create(at + 70)).to.emit(w.market, "JobCreated");
    });

    it("refuses a deadline that is not in the future when the offer has no turnaround", async function () {
      const w = await loadFixture(fixture);
      const offer = { ...w.offer, minTurnaround: 0 };
      const sig = await h.signOffer(w.provider, w.market, offer);
      const at = (await time.latest()) + 100;
      await time.setNextBlockTimestamp(at);
      await expect(w.market.connect(w.client).createJob(offer, sig, 1, h.ZERO, h.ZERO, at))
        .to.be.revertedWithCustomError(w.market, "JobMarketInvalidDeadline").withArgs(at, at + 1);
      await time.setNextBlockTimestamp(at + 10);
      await expect(w.market.connect(w.client).createJob(offer, sig, 1, h.ZERO, h.ZERO, at + 11)).to.emit(w.market, "JobCreated");
    });

    it("refuses an offer not signed by its provider, or with altered terms", async function () {
      const w = await loadFixture(fixture);
      const forged = await h.signOffer(w.other, w.market, w.offer);
      await expect(h.createJob(w, { sig: forged }))
        .to.be.revertedWithCustomError(w.market, "JobMarketInvalidOfferSignature").withArgs(w.other.address, w.provider.address);
      await expect(h.createJob(w, { offer: { ...w.offer, minTurnaround: 0 } }))
        .to.be.revertedWithCustomError(w.market, "JobMarketInvalidOfferSignature").withArgs(anyValue, w.provider.address);
      await expect(h.createJob(w, { sig: "0x1234" }))
        .to.be.revertedWithCustomError(w.market, "JobMarketInvalidOfferSignature").withArgs(ethers.ZeroAddress, w.provider.address);
    });

    it("refuses a malleable high-s copy of a valid signature", async function () {
      const w = await loadFixture(fixture);
      const sig = ethers.Signature.from(w.offerSig);
      const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
      const flipped = ethers.concat([sig.r, ethers.toBeHex(n - BigInt(sig.s), 32), sig.v === 27 ? "0x1c" : "0x1b"]);
      await expect(h.createJob(w, { sig: flipped }))
        .to.be.revertedWithCustomError(w.market, "JobMarketInvalidOfferSignature").withArgs(ethers.ZeroAddress, w.provider.address);
    });

    it("never takes the zero address as a signer", async function () {
      const w = await loadFixture(fixture);
      // an unrecoverable signature recovers to zero, which must not pass as the zero provider's
      const offer = { ...w.offer, provider: ethers.ZeroAddress };
      const garbage = ethers.concat([ethers.ZeroHash, ethers.ZeroHash, "0x1b"]);
      await expect(h.createJob(w, { offer, sig: garbage }))
        .to.be.revertedWithCustomError(w.market, "JobMarketInvalidOfferSignature").withArgs(ethers.ZeroAddress, ethers.ZeroAddress);
    });

    it("pause blocks job creation only; unpause resumes it", async function () {
      const w = await loadFixture(fixture);
      const { id, job } = await h.createJob(w);
      await expect(w.market.pause()).to.emit(w.market, "PauseChanged").withArgs(true);
      await expect(h.createJob(w)).to.be.revertedWithCustomError(w.market, "JobMarketPaused");
      await expect(w.market.connect(w.client).createJobs([])).to.be.revertedWithCustomError(w.market, "JobMarketPaused");
      await h.accept(w, id, job);
      await w.market.connect(w.client).withdraw(E(1));
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
      const good = { offer: w.offer, offerSig: w.offerSig, taskCount: 1, tasksRoot: h.ZERO, manifestHash: h.ZERO, deadline };
      await expect(w.market.connect(w.client).createJobs([good, { ...good, taskCount: 0 }]))
        .to.be.revertedWithCustomError(w.market, "JobMarketInvalidTaskCount").withArgs(0, 1000);
      expect((await w.market.ledger()).jobCount).to.equal(0);
    });
  });

  describe("acceptJob", function () {
    it("the provider accepts a created job", async function () {
      const w = await loadFixture(fixture);
      const { id, job } = await h.createJob(w);
      await expect(h.accept(w, id, job)).to.emit(w.market, "JobAccepted").withArgs(id);
      const got = await w.market.getJob(id);
      expect(got.status).to.equal(Status.Accepted);
      expect(got.commitment).to.equal(await w.market.jobCommitment(job));
    });

    it("refuses anyone but the provider, after the deadline, twice, and a forged record", async function () {
      const w = await loadFixture(fixture);
      const { id, job } = await h.createJob(w);
      await expect(w.market.connect(w.client).acceptJob(id, job))
        .to.be.revertedWithCustomError(w.market, "JobMarketNotProvider").withArgs(w.client.address, w.provider.address);
      const forged = { ...job, unitPrice: E(2) };
      await expect(h.accept(w, id, forged)).to.be.revertedWithCustomError(w.market, "JobMarketJobMismatch").withArgs(id, await w.market.jobCommitment(forged));
      await h.accept(w, id, job);
      await expect(h.accept(w, id, job)).to.be.revertedWithCustomError(w.market, "JobMarketInvalidStatus").withArgs(id, Status.Accepted, Status.Created);
      const late = await h.createJob(w);
      await time.increaseTo(late.job.deadline + 1n);
      await expect(h.accept(w, late.id, late.job)).to.be.revertedWithCustomError(w.market, "JobMarketDeadlinePassed").withArgs(late.id, late.job.deadline, anyValue);
    });

    it("acceptJobs accepts many and refuses mismatched lengths", async function () {
      const w = await loadFixture(fixture);
      const a = await h.createJob(w);
      const b = await h.createJob(w);
      await expect(w.market.connect(w.provider).acceptJobs([a.id, b.id], [a.job, b.job]))
        .to.emit(w.market, "JobAccepted").withArgs(a.id).and.to.emit(w.market, "JobAccepted").withArgs(b.id);
      await expect(w.market.connect(w.provider).acceptJobs([a.id], [])).to.be.revertedWithCustomError(w.market, "JobMarketLengthMismatch").withArgs(1, 0);
    });
  });

  describe("submitResult", function () {
    it("records the provider's signed result relayed by anyone, from Created", async function () {
      const w = await loadFixture(fixture);
      const { id, job } = await h.createJob(w);
      const { job: sub, tx } = await h.submit(w, id, job);
      await expect(tx).to.emit(w.market, "ResultSubmitted").withArgs(id, sub.resultRoot, sub.outputsHash, sub.submittedAt, sub.submitBlock);
      const got = await w.market.getJob(id);
      expect(got.status).to.equal(Status.Submitted);
      expect(got.commitment).to.equal(await w.market.jobCommitment(sub));
    });

    it("records a result of an accepted job", async function () {
      const w = await loadFixture(fixture);
      const { id, job } = await h.createJob(w);
      await h.accept(w, id, job);
      const { job: sub } = await h.submit(w, id, job);
      expect((await w.market.getJob(id)).commitment).to.equal(await w.market.jobCommitment(sub));
    });

    it("lets the provider submit its own result without a signature, and nobody else", async function () {
      const w = await loadFixture(fixture);
      const { id, job } = await h.createJob(w);
      await expect(w.market.connect(w.other).submitResult(id, job, ethers.id("r"), ethers.id("o"), "0x"))
        .to.be.revertedWithCustomError(w.market, "JobMarketInvalidResultSignature").withArgs(ethers.ZeroAddress, w.provider.address);
      // a signature the provider sends along is still checked
      const wrong = await h.signResult(w.client, w.market, { jobId: id, tasksRoot: job.tasksRoot, resultRoot: ethers.id("r"), outputsHash: ethers.id("o") });
      await expect(w.market.connect(w.provider).submitResult(id, job, ethers.id("r"), ethers.id("o"), wrong))
        .to.be.revertedWithCustomError(w.market, "JobMarketInvalidResultSignature").withArgs(w.client.address, w.provider.address);
      const { job: sub, tx } = await h.submit(w, id, job, { self: true });
      await expect(tx).to.emit(w.market, "ResultSubmitted").withArgs(id, sub.resultRoot, sub.outputsHash, sub.submittedAt, sub.submitBlock);
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
      const forged = { ...job, deadline: job.deadline + 1000n };
      await expect(h.submit(w, id, forged)).to.be.revertedWithCustomError(w.market, "JobMarketJobMismatch").withArgs(id, await w.market.jobCommitment(forged));
    });

    it("refuses a job that does not exist and a second submission", async function () {
      const w = await loadFixture(fixture);
      const { id, job } = await h.createJob(w);
      await expect(h.submit(w, 9n, job)).to.be.revertedWithCustomError(w.market, "JobMarketInvalidStatus").withArgs(9, Status.None, Status.Accepted);
      const { job: sub } = await h.submit(w, id, job);
      await expect(h.submit(w, id, sub)).to.be.revertedWithCustomError(w.market, "JobMarketInvalidStatus").withArgs(id, Status.Submitted, Status.Accepted);
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

  describe("recordDraw", function () {
    it("refuses until the seed block exists", async function () {
      const w = await loadFixture(fixture);
      const { id, sub } = await submittedJob(w);
      await expect(w.market.recordDraw([id], [sub])).to.be.revertedWithCustomError(w.market, "JobMarketDrawNotReady").withArgs(id, sub.submitBlock + 2n);
    });

    it("fixes a draw that does not select the job as Unaudited", async function () {
      const w = await loadFixture(fixture);
      const { id, sub, seed } = await submittedWhere(w, false);
      expect(seed).to.equal(await h.drawSeed(id, sub));
      expect(BigInt(seed) % BPS >= BigInt(w.params.auditRateBps)).to.equal(true);
      const tx = w.market.connect(w.other).recordDraw([id], [sub]);
      await expect(tx).to.emit(w.market, "DrawRecorded").withArgs(id, seed, false);
      await expect(tx).not.to.emit(w.court, "AuditOpened");
      expect((await w.market.getJob(id)).status).to.equal(Status.Unaudited);
      await expect(w.market.recordDraw([id], [sub])).to.be.revertedWithCustomError(w.market, "JobMarketInvalidStatus").withArgs(id, Status.Unaudited, Status.Submitted);
    });

    it("moves a job the draw selects to Auditing and has the court open its audit with the seed", async function () {
      const w = await loadFixture(fixture);
      const { id, sub, seed } = await submittedWhere(w, true);
      expect(seed).to.equal(await h.drawSeed(id, sub));
      expect(BigInt(seed) % BPS < BigInt(w.params.auditRateBps)).to.equal(true);
      const tx = w.market.recordDraw([id], [sub]);
      await expect(tx).to.emit(w.market, "DrawRecorded").withArgs(id, seed, true);
      // the court opens the audit and draws its verifier with the job's seed
      await expect(tx).to.emit(w.court, "AuditOpened").withArgs(id, AuditOrigin.Drawn, 0, await w.vault.epochOf(sub.submittedAt));
      await expect(tx).to.emit(w.court, "AuditAssigned").withArgs(id, anyValue, anyValue, seed);
      expect((await w.market.getJob(id)).status).to.equal(Status.Auditing);
    });

    it("audits for certain, with a new ticket, a job whose seed lapsed", async function () {
      const w = await loadFixture(fixture);
      const { id, sub } = await submittedJob(w);
      await mine(300);
      expect(await w.market.auditDraw(id, sub)).to.deep.equal([true, true, h.ZERO]);
      const tx = w.market.recordDraw([id], [sub]);
      await expect(tx).to.emit(w.market, "DrawRecorded").withArgs(id, h.ZERO, true);
      await expect(tx).to.emit(w.court, "AuditOpened").withArgs(id, AuditOrigin.Lapsed, anyValue, anyValue);
      expect((await w.market.getJob(id)).status).to.equal(Status.Auditing);
    });

    it("fixes many draws and refuses other statuses, forged records and mismatched lengths", async function () {
      const w = await loadFixture(fixture);
      const a = await submittedWhere(w, false);
      const b = await submittedWhere(w, false);
      await expect(w.market.recordDraw([a.id, b.id], [a.sub, b.sub]))
        .to.emit(w.market, "DrawRecorded").withArgs(a.id, a.seed, false)
        .and.to.emit(w.market, "DrawRecorded").withArgs(b.id, b.seed, false);
      const { id, job } = await h.createJob(w);
      await expect(w.market.recordDraw([id], [job])).to.be.revertedWithCustomError(w.market, "JobMarketInvalidStatus").withArgs(id, Status.Created, Status.Submitted);
      const forged = { ...a.sub, submitBlock: a.sub.submitBlock + 1n };
      await expect(w.market.recordDraw([a.id], [forged])).to.be.revertedWithCustomError(w.market, "JobMarketJobMismatch").withArgs(a.id, await w.market.jobCommitment(forged));
      await expect(w.market.recordDraw([id], [])).to.be.revertedWithCustomError(w.market, "JobMarketLengthMismatch").withArgs(1, 0);
    });

    it("cannot open an audit before a court is bound", async function () {
      const w = await loadFixture(courtless);
      const { id, sub } = await submittedWhere(w, true);
      await expect(w.market.recordDraw([id], [sub])).to.be.revertedWithCustomError(w.market, "JobMarketCourtNotSet");
    });
  });

  describe("settle", function () {
    it("settles a job its draw does not select: pays the provider, returns the collateral, counts it, clears the slot", async function () {
      const w = await loadFixture(fixture);
      const { id, sub } = await submittedWhere(w, false, { taskCount: 10 });
      await time.increase(Number(w.params.challengeWindow) + 1);
      const m = h.money(w.params, E(1), 10);
      const before = await w.market.accountOf(w.provider.address);
      const tx = w.market.connect(w.other).settle([id], [sub]);
      await expect(tx).to.emit(w.market, "JobSettled").withArgs(id, m.price);
      await expect(tx).not.to.emit(w.market, "DrawRecorded");
      const account = await w.market.accountOf(w.provider.address);
      expect(account.balance).to.equal(before.balance + m.price);
      expect(account.collateral).to.equal(before.collateral + m.collateral);
      expect(account.jobsSettled).to.equal(1);
      expect(await w.market.jobsSettled(w.provider.address)).to.equal(1);
      expect((await w.vault.accountOf(w.provider.address)).jobsSettled).to.equal(1);
      expect(await w.market.getJob(id)).to.deep.equal([Status.Settled, h.ZERO]);
    });

    it("settles an unaudited job", async function () {
      const w = await loadFixture(fixture);
      const { id, sub } = await submittedWhere(w, false);
      await w.market.recordDraw([id], [sub]);
      await time.increase(Number(w.params.challengeWindow) + 1);
      await expect(w.market.settle([id], [sub])).to.emit(w.market, "JobSettled").withArgs(id, E(4));
    });

    it("refuses inside the challenge window, Submitted or Unaudited", async function () {
      const w = await loadFixture(fixture);
      const a = await submittedWhere(w, false);
      const b = await submittedWhere(w, false);
      await w.market.recordDraw([b.id], [b.sub]);
      const endsAt = a.sub.submittedAt + BigInt(w.params.challengeWindow);
      await time.setNextBlockTimestamp(endsAt);
      await expect(w.market.settle([a.id], [a.sub])).to.be.revertedWithCustomError(w.market, "JobMarketChallengeWindowOpen").withArgs(a.id, endsAt, endsAt);
      await expect(w.market.settle([b.id], [b.sub])).to.be.revertedWithCustomError(w.market, "JobMarketChallengeWindowOpen")
        .withArgs(b.id, b.sub.submittedAt + BigInt(w.params.challengeWindow), anyValue);
    });

    it("refuses while the block that seeds the draw does not exist yet", async function () {
      const w = await loadFixture(fixture);
      const { id, sub } = await submittedJob(w);
      await time.setNextBlockTimestamp(sub.submittedAt + BigInt(w.params.challengeWindow) + 1n);
      await expect(w.market.settle([id], [sub])).to.be.revertedWithCustomError(w.market, "JobMarketDrawNotReady").withArgs(id, sub.submitBlock + 2n);
    });

    it("moves a job its draw selects to Auditing instead, opening the court's audit", async function () {
      const w = await loadFixture(fixture);
      const { id, sub, seed } = await submittedWhere(w, true);
      await time.increase(Number(w.params.challengeWindow) + 1);
      const tx = w.market.settle([id], [sub]);
      await expect(tx).to.emit(w.market, "DrawRecorded").withArgs(id, seed, true);
      await expect(tx).to.emit(w.court, "AuditOpened").withArgs(id, AuditOrigin.Drawn, 0, anyValue);
      await expect(tx).to.emit(w.court, "AuditAssigned").withArgs(id, anyValue, anyValue, seed);
      await expect(tx).not.to.emit(w.market, "JobSettled");
      expect((await w.market.getJob(id)).status).to.equal(Status.Auditing);
    });

    it("audits a job whose seed lapsed instead of settling it", async function () {
      const w = await loadFixture(fixture);
      const { id, sub } = await submittedWhere(w, false);
      await mine(300);
      await time.increase(Number(w.params.challengeWindow) + 1);
      const tx = w.market.settle([id], [sub]);
      await expect(tx).to.emit(w.court, "AuditOpened").withArgs(id, AuditOrigin.Lapsed, anyValue, anyValue);
      await expect(tx).not.to.emit(w.market, "JobSettled");
    });

    it("refuses to settle twice, a job not submitted and mismatched lengths", async function () {
      const w = await loadFixture(fixture);
      const { id, sub } = await submittedWhere(w, false);
      await time.increase(Number(w.params.challengeWindow) + 1);
      await w.market.settle([id], [sub]);
      await expect(w.market.settle([id], [sub])).to.be.revertedWithCustomError(w.market, "JobMarketInvalidStatus").withArgs(id, Status.Settled, Status.Submitted);
      const created = await h.createJob(w);
      await expect(w.market.settle([created.id], [created.job]))
        .to.be.revertedWithCustomError(w.market, "JobMarketInvalidStatus").withArgs(created.id, Status.Created, Status.Submitted);
      await expect(w.market.settle([id, id], [sub])).to.be.revertedWithCustomError(w.market, "JobMarketLengthMismatch").withArgs(2, 1);
    });

    it("refuses a forged record", async function () {
      const w = await loadFixture(fixture);
      const { id, sub } = await submittedWhere(w, false);
      await time.increase(Number(w.params.challengeWindow) + 1);
      for (const forged of [{ ...sub, unitPrice: E(1000) }, { ...sub, provider: w.other.address }, { ...sub, submitBlock: sub.submitBlock - 1n }]) {
        await expect(w.market.settle([id], [forged])).to.be.revertedWithCustomError(w.market, "JobMarketJobMismatch").withArgs(id, await w.market.jobCommitment(forged));
      }
    });

    it("settles a batch", async function () {
      const w = await loadFixture(fixture);
      const a = await submittedWhere(w, false);
      const b = await submittedWhere(w, false, { taskCount: 7 });
      await time.increase(Number(w.params.challengeWindow) + 1);
      await expect(w.market.settle([a.id, b.id], [a.sub, b.sub]))
        .to.emit(w.market, "JobSettled").withArgs(a.id, E(4)).and.to.emit(w.market, "JobSettled").withArgs(b.id, E(7));
      expect((await w.market.accountOf(w.provider.address)).jobsSettled).to.equal(2);
    });
  });

  describe("requestAudit", function () {
    it("the client pays the audit fee into the pool and the court opens a client audit", async function () {
      const w = await loadFixture(fixture);
      const { id, sub } = await submittedJob(w, { taskCount: 10 });
      const m = h.money(w.params, E(1), 10);
      const pool = (await w.market.ledger()).verificationPool;
      const balance = await w.market.balanceOf(w.client.address);
      const tx = w.market.connect(w.client).requestAudit(id, sub);
      await expect(tx).to.emit(w.market, "AuditRequested").withArgs(id, m.clientAuditFee);
      const ticket = (await (await tx).wait()).blockNumber + 1;
      await expect(tx).to.emit(w.court, "AuditOpened").withArgs(id, AuditOrigin.ClientRequested, ticket, await w.vault.currentEpoch());
      expect(await w.market.balanceOf(w.client.address)).to.equal(balance - m.clientAuditFee);
      expect((await w.market.ledger()).verificationPool).to.equal(pool + m.clientAuditFee);
      expect((await w.market.getJob(id)).status).to.equal(Status.Auditing);
    });

    it("audits an unaudited job within the window", async function () {
      const w = await loadFixture(fixture);
      const { id, sub } = await submittedWhere(w, false);
      await w.market.recordDraw([id], [sub]);
      await expect(w.market.connect(w.client).requestAudit(id, sub)).to.emit(w.court, "AuditOpened").withArgs(id, AuditOrigin.ClientRequested, anyValue, anyValue);
    });

    it("refuses anyone but the client, after the window, and a job already audited", async function () {
      const w = await loadFixture(fixture);
      const { id, sub } = await submittedJob(w);
      await expect(w.market.connect(w.provider).requestAudit(id, sub))
        .to.be.revertedWithCustomError(w.market, "JobMarketNotClient").withArgs(w.provider.address, w.client.address);
      await w.market.connect(w.client).requestAudit(id, sub);
      await expect(w.market.connect(w.client).requestAudit(id, sub))
        .to.be.revertedWithCustomError(w.market, "JobMarketInvalidStatus").withArgs(id, Status.Auditing, Status.Submitted);
      const late = await submittedJob(w);
      const endsAt = late.sub.submittedAt + BigInt(w.params.challengeWindow);
      await time.setNextBlockTimestamp(endsAt + 1n);
      await expect(w.market.connect(w.client).requestAudit(late.id, late.sub))
        .to.be.revertedWithCustomError(w.market, "JobMarketChallengeWindowClosed").withArgs(late.id, endsAt, endsAt + 1n);
    });

    it("the end of the challenge window is the last moment for a client audit", async function () {
      const w = await loadFixture(fixture);
      const { id, sub } = await submittedJob(w);
      await time.setNextBlockTimestamp(sub.submittedAt + BigInt(w.params.challengeWindow));
      await expect(w.market.connect(w.client).requestAudit(id, sub)).to.emit(w.market, "AuditRequested");
    });

    it("refuses a client that cannot pay the fee", async function () {
      const w = await loadFixture(fixture);
      const { id, sub } = await submittedJob(w, { taskCount: 10 });
      const balance = await w.market.balanceOf(w.client.address);
      await w.market.connect(w.client).withdraw(balance);
      await expect(w.market.connect(w.client).requestAudit(id, sub))
        .to.be.revertedWithCustomError(w.market, "JobMarketInsufficientBalance").withArgs(w.client.address, 0, E(5));
    });
  });

  describe("expire", function () {
    it("refunds a created job in full, penalises no one and frees the collateral", async function () {
      const w = await loadFixture(fixture);
      const { id, job } = await h.createJob(w, { taskCount: 10 });
      const m = h.money(w.params, E(1), 10);
      await time.increaseTo(job.deadline + 1n);
      const tx = w.market.connect(w.other).expire([id], [job]);
      await expect(tx).to.emit(w.market, "JobExpired").withArgs(id, m.cost, 0);
      await expect(tx).not.to.emit(w.vault, "Slashed");
      expect(await w.market.balanceOf(w.client.address)).to.equal(E(100_000));
      const ledger = await w.market.ledger();
      expect(ledger.verificationPool).to.equal(0);
      expect(ledger.protocolFees).to.equal(0);
      expect((await w.market.accountOf(w.provider.address)).collateral).to.equal(E(50_000));
      expect((await w.market.getJob(id)).status).to.equal(Status.Expired);
      expect((await w.vault.accountOf(w.provider.address)).stake).to.equal(E(100_000));
    });

    it("refunds a created job's fees only as far as the pools still hold them", async function () {
      const w = await loadFixture(fixture);
      const { id, job } = await h.createJob(w, { taskCount: 10, deadlineIn: 100_000 });
      const m = h.money(w.params, E(1), 10);
      // a one-task job's audit pays its verifier 0.5 from the pool of 0.8 + 0.08
      const audited = await h.submittedWithDraw(w, true, { taskCount: 1 });
      const { verifier } = await w.court.pendingAuditor(audited.id, audited.sub);
      await h.passAndFinalize(w, signerOf(w, verifier), audited.id, audited.sub);
      expect((await w.market.ledger()).verificationPool).to.equal(E(0.38));
      await w.market.claimProtocolFees();
      await time.increaseTo(job.deadline + 1n);
      await expect(w.market.expire([id], [job])).to.emit(w.market, "JobExpired").withArgs(id, m.price + E(0.38), 0);
      expect((await w.market.ledger()).verificationPool).to.equal(0);
    });

    it("pays the client of an accepted job the fees and the penalty out of that job's collateral", async function () {
      const w = await loadFixture(fixture);
      const { id, job } = await h.createJob(w, { taskCount: 10 });
      await h.accept(w, id, job);
      const m = h.money(w.params, E(1), 10);
      const pool = (await w.market.ledger()).verificationPool;
      await time.increaseTo(job.deadline + 1n);
      const tx = w.market.connect(w.other).expire([id], [job]);
      await expect(tx).to.emit(w.market, "JobExpired").withArgs(id, m.price + m.expiryOwed, m.expiryOwed);
      await expect(tx).to.emit(w.vault, "Slashed").withArgs(w.provider.address, m.expiryOwed);
      expect(await w.market.balanceOf(w.client.address)).to.equal(E(100_000) - m.cost + m.price + m.expiryOwed);
      // the fees stay in their pools; the rest of the collateral is free again
      expect((await w.market.ledger()).verificationPool).to.equal(pool);
      expect((await w.market.accountOf(w.provider.address)).collateral).to.equal(E(50_000) - m.expiryOwed);
      const acct = await w.vault.accountOf(w.provider.address);
      expect(acct.stake).to.equal(E(100_000) - m.expiryOwed);
      expect(acct.locked).to.equal(E(50_000) - m.expiryOwed);
      expect((await w.market.getJob(id)).status).to.equal(Status.Expired);
    });

    it("the deadline is the last moment to accept or submit; expiry starts after it", async function () {
      const w = await loadFixture(fixture);
      const a = await h.createJob(w, { deadlineIn: 3600 });
      const b = await h.createJob(w, { deadlineIn: 3700 });
      const c = await h.createJob(w, { deadlineIn: 3800 });
      await time.setNextBlockTimestamp(a.job.deadline);
      await h.accept(w, a.id, a.job);
      await time.setNextBlockTimestamp(b.job.deadline);
      await h.submit(w, b.id, b.job);
      await time.setNextBlockTimestamp(c.job.deadline);
      await expect(w.market.expire([c.id], [c.job])).to.be.revertedWithCustomError(w.market, "JobMarketDeadlineNotPassed").withArgs(c.id, c.job.deadline, c.job.deadline);
      await expect(w.market.expire([a.id, c.id], [a.job, c.job])).to.emit(w.market, "JobExpired");
    });

    it("credits only what a fee-on-transfer token delivers from the slash", async function () {
      const token = await (await ethers.getContractFactory("FeeOnTransferToken")).deploy();
      const w = await h.world({ token, withCourt: false });
      const { id, job } = await h.createJob(w, { taskCount: 10 });
      await h.accept(w, id, job);
      const m = h.money(w.params, E(1), 10);
      const arrived = m.expiryOwed - m.expiryOwed / 100n;
      await time.increaseTo(job.deadline + 1n);
      await expect(w.market.expire([id], [job])).to.emit(w.market, "JobExpired").withArgs(id, m.price + arrived, arrived);
      await expectBooksBalanced(w, (await ethers.getSigners()).map((s) => s.address));
    });

    it("refuses before the deadline, after a submission, twice and with mismatched lengths", async function () {
      const w = await loadFixture(fixture);
      const { id, job } = await h.createJob(w);
      await expect(w.market.expire([id], [job])).to.be.revertedWithCustomError(w.market, "JobMarketDeadlineNotPassed").withArgs(id, job.deadline, anyValue);
      const { job: sub } = await h.submit(w, id, job);
      const other = await h.createJob(w);
      await time.increaseTo(other.job.deadline + 1n);
      await expect(w.market.expire([id], [sub])).to.be.revertedWithCustomError(w.market, "JobMarketInvalidStatus").withArgs(id, Status.Submitted, Status.Created);
      await w.market.expire([other.id], [other.job]);
      await expect(w.market.expire([other.id], [other.job])).to.be.revertedWithCustomError(w.market, "JobMarketInvalidStatus").withArgs(other.id, Status.Expired, Status.Created);
      await expect(w.market.expire([id], [])).to.be.revertedWithCustomError(w.market, "JobMarketLengthMismatch").withArgs(1, 0);
    });
  });

  describe("court hooks", function () {
    /** A client audit of a 10-task job, its verifier drawn. */
    async function auditing() {
      const w = await fixture();
      const { id, sub } = await submittedJob(w, { taskCount: 10 });
      await w.market.connect(w.client).requestAudit(id, sub);
      await mine(1);
      await w.court.assignAuditor(id, sub);
      const { verifier } = await w.court.auditOf(id);
      return { ...w, id, sub, m: h.money(w.params, E(1), 10), verifier: signerOf(w, verifier) };
    }

    it("refuse every caller but the court", async function () {
      const w = await loadFixture(auditing);
      const calls = [
        ["courtFixDraw", [w.id, w.sub]],
        ["courtSetStatus", [w.id, w.sub, Status.Auditing, Status.Disputed]],
        ["courtSettle", [w.id, w.sub, Status.Auditing, 0, false]],
        ["courtSlash", [w.id, w.sub, Status.Auditing]],
        ["courtHold", [w.client.address, 1]],
        ["courtPay", [w.id, w.other.address, 0]],
        ["courtPayFromPool", [w.id, w.other.address, 1]],
        ["courtHoldToPool", [0]],
        ["courtSlashVerifier", [w.other.address, 1]],
      ];
      for (const [fn, args] of calls) {
        for (const caller of [w.deployer, w.client, w.provider, w.verifier]) {
          await expect(w.market.connect(caller)[fn](...args), fn).to.be.revertedWithCustomError(w.market, "JobMarketNotCourt").withArgs(caller.address);
        }
      }
    });

    it("expectJob checks record and status for anyone", async function () {
      const w = await loadFixture(auditing);
      await w.market.expectJob(w.id, w.sub, Status.Auditing);
      await expect(w.market.expectJob(w.id, w.sub, Status.Disputed)).to.be.revertedWithCustomError(w.market, "JobMarketInvalidStatus").withArgs(w.id, Status.Auditing, Status.Disputed);
      const forged = { ...w.sub, client: w.other.address };
      await expect(w.market.expectJob(w.id, forged, Status.Auditing)).to.be.revertedWithCustomError(w.market, "JobMarketJobMismatch").withArgs(w.id, await w.market.jobCommitment(forged));
    });

    it("courtFixDraw moves a submitted job its ready draw selects to Auditing, for the drawn verifier's verdict", async function () {
      const w = await loadFixture(fixture);
      const { id, sub, seed } = await h.submittedWithDraw(w, true);
      const { verifier } = await w.court.pendingAuditor(id, sub);
      const tx = w.court.connect(signerOf(w, verifier)).submitVerdict(id, sub, false, h.ZERO);
      await expect(tx).to.emit(w.market, "DrawRecorded").withArgs(id, seed, true);
      expect((await w.market.getJob(id)).status).to.equal(Status.Disputed);
      await expect(w.market.recordDraw([id], [sub])).to.be.revertedWithCustomError(w.market, "JobMarketInvalidStatus").withArgs(id, Status.Disputed, Status.Submitted);
    });

    it("courtFixDraw refuses a draw that is not ready, does not select the job, or lapsed", async function () {
      const w = await loadFixture(fixture);
      const court = await asCourt(w);
      const pending = await submittedJob(w);
      await expect(court.courtFixDraw(pending.id, pending.sub)).to.be.revertedWithCustomError(w.market, "JobMarketNotDrawnForAudit").withArgs(pending.id);
      const unselected = await h.submittedWithDraw(w, false);
      await expect(court.courtFixDraw(unselected.id, unselected.sub)).to.be.revertedWithCustomError(w.market, "JobMarketNotDrawnForAudit").withArgs(unselected.id);
      await mine(300);
      await expect(court.courtFixDraw(pending.id, pending.sub)).to.be.revertedWithCustomError(w.market, "JobMarketNotDrawnForAudit").withArgs(pending.id);
      expect((await w.market.getJob(pending.id)).status).to.equal(Status.Submitted);
    });

    it("courtSetStatus: a fail verdict moves the job from Auditing to Disputed", async function () {
      const w = await loadFixture(auditing);
      await w.court.connect(w.verifier).submitVerdict(w.id, w.sub, false, h.ZERO);
      expect((await w.market.getJob(w.id)).status).to.equal(Status.Disputed);
      expect(await w.market.auditDraw(w.id, w.sub)).to.deep.equal([true, true, h.ZERO]);
    });

    it("courtSetStatus moves only between Auditing and Disputed, from the status the job has (guards)", async function () {
      const w = await loadFixture(auditing);
      const court = await asCourt(w);
      await expect(court.courtSetStatus(w.id, w.sub, Status.Disputed, Status.Auditing))
        .to.be.revertedWithCustomError(w.market, "JobMarketInvalidStatus").withArgs(w.id, Status.Auditing, Status.Disputed);
      for (const to of [Status.Settled, Status.Slashed, Status.Submitted, Status.Unaudited]) {
        await expect(court.courtSetStatus(w.id, w.sub, Status.Auditing, to)).to.be.revertedWithCustomError(w.market, "JobMarketNotCourtStatus").withArgs(to);
      }
      const other = await submittedJob(w);
      await expect(court.courtSetStatus(other.id, other.sub, Status.Submitted, Status.Auditing))
        .to.be.revertedWithCustomError(w.market, "JobMarketNotCourtStatus").withArgs(Status.Submitted);
      await court.courtSetStatus(w.id, w.sub, Status.Auditing, Status.Disputed);
      await court.courtSetStatus(w.id, w.sub, Status.Disputed, Status.Auditing);
      expect((await w.market.getJob(w.id)).status).to.equal(Status.Auditing);
    });

    it("courtSettle: a pass of a lapsed draw pays the provider its price less the reward, frees the collateral and counts the audit", async function () {
      const w = await loadFixture(fixture);
      const a = await lapsedAudit(w, { taskCount: 10 });
      const m = h.money(w.params, E(1), 10);
      const reward = (m.price * BigInt(w.params.auditRewardBps)) / BPS;
      const before = await w.market.accountOf(w.provider.address);
      const { courtHold_: hold } = await w.market.ledger();
      const tx = await h.passAndFinalize(w, a.verifier, a.id, a.sub);
      await expect(tx).to.emit(w.market, "JobSettled").withArgs(a.id, m.price - reward);
      await expect(tx).to.emit(w.market, "Credited").withArgs(a.id, a.verifier.address, reward);
      await expect(tx).to.emit(w.vault, "AuditPassed").withArgs(w.provider.address);
      const after = await w.market.accountOf(w.provider.address);
      expect(after.balance).to.equal(before.balance + m.price - reward);
      expect(after.collateral).to.equal(before.collateral + m.collateral);
      expect(after.jobsSettled).to.equal(before.jobsSettled + 1n);
      expect((await w.market.ledger()).courtHold_).to.equal(hold);
      expect(await w.market.getJob(a.id)).to.deep.equal([Status.Settled, h.ZERO]);
    });

    it("courtSettle: after two silent verifiers the job settles without counting an audit", async function () {
      const w = await loadFixture(auditing);
      await time.increaseTo((await w.court.auditOf(w.id)).deadline + 1n);
      await w.court.timeoutAudit(w.id, w.sub);
      await mine(1);
      await w.court.assignAuditor(w.id, w.sub);
      await time.increaseTo((await w.court.auditOf(w.id)).deadline + 1n);
      const tx = w.court.timeoutAudit(w.id, w.sub);
      await expect(tx).to.emit(w.market, "JobSettled").withArgs(w.id, w.m.price);
      await expect(tx).not.to.emit(w.vault, "AuditPassed");
    });

    it("courtSettle refuses withholding more than the price and a status the job does not have (guards)", async function () {
      const w = await loadFixture(auditing);
      const court = await asCourt(w);
      await expect(court.courtSettle(w.id, w.sub, Status.Auditing, w.m.price + 1n, false))
        .to.be.revertedWithCustomError(w.market, "JobMarketWithheldExceedsPrice").withArgs(w.m.price + 1n, w.m.price);
      await expect(court.courtSettle(w.id, w.sub, Status.Disputed, 0, false))
        .to.be.revertedWithCustomError(w.market, "JobMarketInvalidStatus").withArgs(w.id, Status.Auditing, Status.Disputed);
      await expect(court.courtSettle(w.id, w.sub, Status.Submitted, 0, false))
        .to.be.revertedWithCustomError(w.market, "JobMarketNotCourtStatus").withArgs(Status.Submitted);
      await expect(court.courtSettle(w.id, w.sub, Status.Auditing, w.m.price, false)).to.emit(w.market, "JobSettled").withArgs(w.id, 0);
      expect((await w.market.ledger()).courtHold_).to.equal(w.m.price);
    });

    it("courtSlash: a ruling against the provider takes the job's whole collateral from its stake into the hold", async function () {
      const w = await loadFixture(fixture);
      const d = await disputedJob(w, { taskCount: 10 });
      const m = h.money(w.params, E(1), 10);
      await ruleProviderWrong(w, d);
      const vaultBefore = await w.vault.accountOf(w.provider.address);
      const free = (await w.market.accountOf(w.provider.address)).collateral;
      const tx = w.court.resolveDispute(d.id, d.sub);
      await expect(tx).to.emit(w.vault, "Slashed").withArgs(w.provider.address, m.collateral);
      await expect(tx).to.changeTokenBalances(w.token, [w.vault, w.market], [-m.collateral, m.collateral]);
      const vaultAfter = await w.vault.accountOf(w.provider.address);
      expect(vaultAfter.stake).to.equal(vaultBefore.stake - m.collateral);
      expect(vaultAfter.locked).to.equal(vaultBefore.locked - m.collateral);
      expect(vaultAfter.auditsFailed).to.equal(vaultBefore.auditsFailed + 1n);
      expect((await w.market.accountOf(w.provider.address)).collateral).to.equal(free);
      expect((await w.market.getJob(d.id)).status).to.equal(Status.Slashed);
      expect(await w.market.auditDraw(d.id, d.sub)).to.deep.equal([true, true, h.ZERO]);
      expect((await w.market.ledger()).courtHold_).to.equal(0);
    });

    it("courtSlash returns the collateral received and holds it with the price; refuses a status the job does not have (guards)", async function () {
      const w = await loadFixture(auditing);
      const court = await asCourt(w);
      await expect(court.courtSlash(w.id, w.sub, Status.Disputed))
        .to.be.revertedWithCustomError(w.market, "JobMarketInvalidStatus").withArgs(w.id, Status.Auditing, Status.Disputed);
      await expect(court.courtSlash(w.id, w.sub, Status.Submitted)).to.be.revertedWithCustomError(w.market, "JobMarketNotCourtStatus").withArgs(Status.Submitted);
      expect(await court.courtSlash.staticCall(w.id, w.sub, Status.Auditing)).to.equal(w.m.collateral);
      await court.courtSlash(w.id, w.sub, Status.Auditing);
      expect((await w.market.ledger()).courtHold_).to.equal(w.m.price + w.m.collateral);
      await expect(court.courtSlash(w.id, w.sub, Status.Auditing))
        .to.be.revertedWithCustomError(w.market, "JobMarketInvalidStatus").withArgs(w.id, Status.Slashed, Status.Auditing);
    });

    it("courtHold: a fail verdict moves the bond from the verifier's balance into the hold", async function () {
      const w = await loadFixture(auditing);
      const bond = h.defaultCourtParams().minChallengerBond;
      const balance = await w.market.balanceOf(w.verifier.address);
      await w.court.connect(w.verifier).submitVerdict(w.id, w.sub, false, h.ZERO);
      expect(await w.market.balanceOf(w.verifier.address)).to.equal(balance - bond);
      expect((await w.market.ledger()).courtHold_).to.equal(bond);
    });

    it("courtHold refuses a bond above the balance", async function () {
      const w = await loadFixture(auditing);
      await w.market.connect(w.verifier).withdraw(await w.market.balanceOf(w.verifier.address));
      await expect(w.court.connect(w.verifier).submitVerdict(w.id, w.sub, false, h.ZERO))
        .to.be.revertedWithCustomError(w.market, "JobMarketInsufficientBalance").withArgs(w.verifier.address, 0, h.defaultCourtParams().minChallengerBond);
    });

    it("courtPay credits the hold out; the hold cannot pay more than it holds (guards)", async function () {
      const w = await loadFixture(fixture);
      const d = await disputedJob(w, { taskCount: 10 });
      await ruleProviderWrong(w, d);
      const tx = w.court.resolveDispute(d.id, d.sub);
      // the client: its price and half of the collateral of 100
      await expect(tx).to.emit(w.market, "Credited").withArgs(d.id, w.client.address, E(10) + E(50));
      const court = await asCourt(w);
      await expect(court.courtPay(d.id, w.other.address, 1)).to.be.revertedWithCustomError(w.market, "JobMarketInsufficientCourtHold").withArgs(0, 1);
      await expect(court.courtHoldToPool(1)).to.be.revertedWithCustomError(w.market, "JobMarketInsufficientCourtHold").withArgs(0, 1);
    });

    it("courtSlashVerifier and courtHoldToPool: a silent verifier's penalty goes through the hold into the pool", async function () {
      const w = await loadFixture(auditing);
      const penalty = h.defaultCourtParams().verifierTimeoutPenalty;
      const { verificationPool: pool } = await w.market.ledger();
      await time.increaseTo((await w.court.auditOf(w.id)).deadline + 1n);
      const tx = w.court.timeoutAudit(w.id, w.sub);
      await expect(tx).to.emit(w.vault, "Slashed").withArgs(w.verifier.address, penalty);
      await expect(tx).to.changeTokenBalances(w.token, [w.vault, w.market], [-penalty, penalty]);
      const ledger = await w.market.ledger();
      expect([ledger.verificationPool, ledger.courtHold_]).to.deep.equal([pool + penalty, 0n]);
    });

    it("courtSlashVerifier takes at most the verifier's stake (guard)", async function () {
      const w = await loadFixture(auditing);
      const court = await asCourt(w);
      const stake = (await w.vault.accountOf(w.verifier.address)).stake;
      expect(await court.courtSlashVerifier.staticCall(w.verifier.address, stake + 1n)).to.equal(stake);
      await court.courtSlashVerifier(w.verifier.address, stake + 1n);
      expect((await w.market.ledger()).courtHold_).to.equal(stake);
      expect((await w.vault.accountOf(w.verifier.address)).stake).to.equal(0);
    });

    it("courtPayFromPool pays what the pool holds, at most", async function () {
      const w = await loadFixture(fixture);
      // the market's first job: the pool holds its 8 % fee, the reward is 50 % of the price
      const s = await h.submittedWithDraw(w, true, { taskCount: 10 });
      const { verifier } = await w.court.pendingAuditor(s.id, s.sub);
      const tx = await h.passAndFinalize(w, signerOf(w, verifier), s.id, s.sub);
      await expect(tx).to.emit(w.market, "Credited").withArgs(s.id, verifier, E(0.8));
      expect((await w.market.ledger()).verificationPool).to.equal(0);
    });
  });

  describe("views", function () {
    it("offerDigest and resultDigest are the EIP-712 digests of docs/protocol.md", async function () {
      const w = await loadFixture(fixture);
      const domain = await h.domain(w.market);
      expect(await w.market.offerDigest(w.offer)).to.equal(ethers.TypedDataEncoder.hash(domain, h.OFFER_TYPES, w.offer));
      expect(ethers.TypedDataEncoder.from(h.OFFER_TYPES).encodeType("Offer")).to.equal(
        "Offer(address provider,bytes32 modelId,uint256 unitPrice,uint32 maxTasks,uint32 minTurnaround,uint64 expiry,bytes32 region,uint64 nonce)",
      );
      const result = { jobId: 7, tasksRoot: ethers.id("a"), resultRoot: ethers.id("b"), outputsHash: ethers.id("c") };
      expect(await w.market.resultDigest(7, result.tasksRoot, result.resultRoot, result.outputsHash))
        .to.equal(ethers.TypedDataEncoder.hash(domain, h.RESULT_TYPES, result));
    });

    it("verifyTaskProof and verifyResultProof check the double-hashed leaves of docs/protocol.md", async function () {
      const w = await loadFixture(fixture);
      for (const n of [1, 2, 3, 5, 8]) {
        const inputs = Array.from({ length: n }, (_, i) => ethers.id(`in${i}`));
        const outputs = Array.from({ length: n }, (_, i) => ethers.id(`out${i}`));
        const tasks = h.merkle(inputs.map((x, i) => h.taskLeaf(i, x)));
        const results = h.merkle(inputs.map((x, i) => h.resultLeaf(i, x, outputs[i])));
        for (let i = 0; i < n; i++) {
          expect(await w.market.verifyTaskProof(tasks.root, n, i, inputs[i], tasks.proof(i))).to.equal(true);
          expect(await w.market.verifyResultProof(results.root, n, i, inputs[i], outputs[i], results.proof(i))).to.equal(true);
          expect(await w.market.verifyTaskProof(tasks.root, n, i, outputs[i], tasks.proof(i))).to.equal(false);
          expect(await w.market.verifyResultProof(results.root, n, i, inputs[i], inputs[i], results.proof(i))).to.equal(false);
        }
      }
    });

    it("refuses an index at or past the task count", async function () {
      const w = await loadFixture(fixture);
      // a one-leaf tree: its root is the leaf and its proof is empty
      const leaf = h.taskLeaf(3, ethers.id("x"));
      expect(await w.market.verifyTaskProof(leaf, 4, 3, ethers.id("x"), [])).to.equal(true);
      expect(await w.market.verifyTaskProof(leaf, 3, 3, ethers.id("x"), [])).to.equal(false);
      const rleaf = h.resultLeaf(3, ethers.id("x"), ethers.id("y"));
      expect(await w.market.verifyResultProof(rleaf, 4, 3, ethers.id("x"), ethers.id("y"), [])).to.equal(true);
      expect(await w.market.verifyResultProof(rleaf, 3, 3, ethers.id("x"), ethers.id("y"), [])).to.equal(false);
    });

    it("refuses an internal node passed off as a leaf", async function () {
      const w = await loadFixture(fixture);
      const inputs = Array.from({ length: 4 }, (_, i) => ethers.id(`in${i}`));
      const tree = h.merkle(inputs.map((x, i) => h.taskLeaf(i, x)));
      const [left, right] = tree.levels[0].slice(0, 2).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
      const node = tree.levels[1][0];
      // with single-hashed leaves the pair would pass as leaf (index = left, input = right)
      expect(ethers.keccak256(coder.encode(["uint256", "bytes32"], [BigInt(left), right]))).to.equal(node);
      expect(await w.market.verifyTaskProof(tree.root, ethers.MaxUint256, BigInt(left), right, [tree.levels[1][1]])).to.equal(false);
      const results = h.merkle(inputs.map((x, i) => h.resultLeaf(i, x, x)));
      const rnode = results.levels[1][0];
      // a result leaf's preimage is 96 bytes, the node's 64: splice the node's children in as index and input
      const [rl, rr] = results.levels[0].slice(0, 2).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
      expect(ethers.keccak256(ethers.concat([rl, rr]))).to.equal(rnode);
      expect(await w.market.verifyResultProof(results.root, ethers.MaxUint256, BigInt(rl), rr, h.ZERO, [results.levels[1][1]])).to.equal(false);
    });

    it("getJob reports None for ids never issued", async function () {
      const w = await loadFixture(fixture);
      expect(await w.market.getJob(0)).to.deep.equal([Status.None, h.ZERO]);
      expect(await w.market.getJob(1)).to.deep.equal([Status.None, h.ZERO]);
    });

    it("auditDraw answers before the draw is fixed and from the status after", async function () {
      const w = await loadFixture(fixture);
      const { id, job } = await h.createJob(w);
      await expect(w.market.auditDraw(id, job)).to.be.revertedWithCustomError(w.market, "JobMarketInvalidStatus").withArgs(id, Status.Created, Status.Submitted);
      const { job: sub } = await h.submit(w, id, job);
      expect(await w.market.auditDraw(id, sub)).to.deep.equal([false, false, h.ZERO]);
      const a = await submittedWhere(w, false);
      expect(await w.market.auditDraw(a.id, a.sub)).to.deep.equal([true, false, await h.drawSeed(a.id, a.sub)]);
      await w.market.recordDraw([a.id], [a.sub]);
      expect(await w.market.auditDraw(a.id, a.sub)).to.deep.equal([true, false, h.ZERO]);
      const b = await submittedWhere(w, true);
      expect(await w.market.auditDraw(b.id, b.sub)).to.deep.equal([true, true, await h.drawSeed(b.id, b.sub)]);
      await w.market.recordDraw([b.id], [b.sub]);
      expect(await w.market.auditDraw(b.id, b.sub)).to.deep.equal([true, true, h.ZERO]);
      const { verifier } = await w.court.auditOf(b.id);
      await w.court.connect(signerOf(w, verifier)).submitVerdict(b.id, b.sub, false, h.ZERO);
      expect((await w.market.getJob(b.id)).status).to.equal(Status.Disputed);
      expect(await w.market.auditDraw(b.id, b.sub)).to.deep.equal([true, true, h.ZERO]);
      await time.increase(Number(w.params.challengeWindow) + 1);
      await w.market.settle([a.id], [a.sub]);
      await expect(w.market.auditDraw(a.id, a.sub)).to.be.revertedWithCustomError(w.market, "JobMarketInvalidStatus").withArgs(a.id, Status.Settled, Status.Submitted);
    });
  });

  describe("token conservation", function () {
    it("the market holds exactly its balances, open jobs' prices, pools and court hold through every path", async function () {
      const w = await loadFixture(fixture);
      const signers = await ethers.getSigners();
      const accounts = signers.map((s) => s.address);
      const check = () => expectBooksBalanced(w, accounts);
      await check();
      const expiring = await h.createJob(w, { taskCount: 3, deadlineIn: 100_000 });
      const accepted = await h.createJob(w, { taskCount: 5, deadlineIn: 100_000 });
      await h.accept(w, accepted.id, accepted.job);
      await check();
      const plain = await submittedWhere(w, false, { taskCount: 6 });
      const disputed = await disputedJob(w, { taskCount: 7 });
      const asked = await submittedJob(w, { taskCount: 8 });
      await check();
      // a client audit passed from the pool
      await w.market.connect(w.client).requestAudit(asked.id, asked.sub);
      await mine(1);
      await w.court.assignAuditor(asked.id, asked.sub);
      await check();
      await w.court.connect(signerOf(w, (await w.court.auditOf(asked.id)).verifier)).submitVerdict(asked.id, asked.sub, true, h.ZERO);
      await check();
      await time.increase(Number((await w.court.params()).passAppealWindow) + 1);
      await w.court.finalizePass(asked.id, asked.sub);
      await check();
      // a dispute: bond held, committee, slash and payouts
      await ruleProviderWrong(w, disputed);
      await check();
      await w.court.resolveDispute(disputed.id, disputed.sub);
      await check();
      // a lapsed draw: a silent verifier slashed into the pool, the next one paid from the payout
      const lapsed = await lapsedAudit(w, { taskCount: 9 });
      await time.increaseTo(lapsed.deadline + 1n);
      await w.court.timeoutAudit(lapsed.id, lapsed.sub);
      await check();
      await mine(1);
      await w.court.assignAuditor(lapsed.id, lapsed.sub);
      await h.passAndFinalize(w, signerOf(w, (await w.court.auditOf(lapsed.id)).verifier), lapsed.id, lapsed.sub);
      await check();
      await time.increase(100_001);
      await w.market.settle([plain.id], [plain.sub]);
      await w.market.expire([expiring.id, accepted.id], [expiring.job, accepted.job]);
      await w.market.claimProtocolFees();
      await check();
      await w.market.connect(w.provider).withdraw(await w.market.balanceOf(w.provider.address));
      await check();
    });
  });

  describe("with the AuditCourt", function () {
    it("deploySystem binds market, court and vault to each other", async function () {
      const w = await loadFixture(fixture);
      expect(await w.market.court()).to.equal(await w.court.getAddress());
      expect(await w.vault.market()).to.equal(await w.market.getAddress());
    });

    it("an audited job passes through the court: after the pass's appeal window the verifier is paid from the pool and the provider settles", async function () {
      const w = await loadFixture(fixture);
      const { id, sub } = await submittedWhere(w, true, { taskCount: 10 });
      const m = h.money(w.params, E(1), 10);
      await expect(w.market.recordDraw([id], [sub])).to.emit(w.court, "AuditAssigned");
      const { verifier } = await w.court.auditOf(id);
      // the reward, as far as the pool holds it
      const reward = (m.price * BigInt(w.params.auditRewardBps)) / BPS;
      const pool = (await w.market.ledger()).verificationPool;
      const tx = await h.passAndFinalize(w, signerOf(w, verifier), id, sub);
      await expect(tx).to.emit(w.market, "Credited").withArgs(id, verifier, reward < pool ? reward : pool);
      await expect(tx).to.emit(w.market, "JobSettled").withArgs(id, m.price);
      await expect(tx).to.emit(w.vault, "AuditPassed").withArgs(w.provider.address);
      expect(await w.market.getJob(id)).to.deep.equal([Status.Settled, h.ZERO]);
      await expectBooksBalanced(w, (await ethers.getSigners()).map((a) => a.address));
    });
  });
});
