const { expect } = require("chai");
const { ethers } = require("hardhat");
const { loadFixture } = require("@nomicfoundation/hardhat-network-helpers");
const { anyValue } = require("@nomicfoundation/hardhat-chai-matchers/withArgs");
const h = require("./helpers");

const { E } = h;

async function fixture() {
  return h.world();
}

async function reentrant() {
  const token = await (await ethers.getContractFactory("ReentrantToken")).deploy();
  return h.world({ token });
}

async function feeOnTransfer() {
  const token = await (await ethers.getContractFactory("FeeOnTransferToken")).deploy();
  return h.deploySystem({ token }).then((s) => ({ ...s }));
}

describe("attacks", function () {
  it("reentrancy through a malicious token on withdraw is refused", async function () {
    const w = await loadFixture(reentrant);
    await w.token.mint(await w.token.getAddress(), E(10));
    await w.token.arm(await w.market.getAddress());
    await expect(w.market.connect(w.client).withdraw(E(5))).to.be.revertedWithCustomError(w.market, "ReentrancyGuardReentrantCall");
    expect(await w.market.balanceOf(w.client.address)).to.equal(E(100_000));
    await w.token.arm(ethers.ZeroAddress);
    await w.market.connect(w.client).withdraw(E(5));
    expect(await w.market.balanceOf(w.client.address)).to.equal(E(99_995));
  });

  it("a fee-on-transfer token is credited what arrives, keeping the books equal to the holdings", async function () {
    const { token, market } = await loadFixture(feeOnTransfer);
    const [, alice] = await ethers.getSigners();
    await token.mint(alice.address, E(100));
    await token.connect(alice).approve(market, ethers.MaxUint256);
    await expect(market.connect(alice).deposit(E(100))).to.emit(market, "Deposited").withArgs(alice.address, E(99));
    expect(await market.balanceOf(alice.address)).to.equal(await token.balanceOf(await market.getAddress()));
    await market.connect(alice).withdraw(E(99));
    expect(await token.balanceOf(await market.getAddress())).to.equal(0);
    expect(await token.balanceOf(alice.address)).to.equal(E(98.01));
  });

  it("an offer signature for another chain id is refused", async function () {
    const w = await loadFixture(fixture);
    const sig = await h.signOffer(w.provider, w.market, w.offer, await h.domain(w.market, 1n));
    await expect(h.createJob(w, { sig })).to.be.revertedWithCustomError(w.market, "JobMarketInvalidOfferSignature").withArgs(anyValue, w.provider.address);
  });

  it("an offer signature for another market is refused", async function () {
    const w = await loadFixture(fixture);
    const { market: other } = await h.deploySystem({ token: w.token });
    const sig = await h.signOffer(w.provider, other, w.offer);
    await expect(h.createJob(w, { sig })).to.be.revertedWithCustomError(w.market, "JobMarketInvalidOfferSignature").withArgs(anyValue, w.provider.address);
  });

  it("an offer signature with altered terms is refused", async function () {
    const w = await loadFixture(fixture);
    await expect(h.createJob(w, { offer: { ...w.offer, maxTasks: 5000 }, taskCount: 2000 }))
      .to.be.revertedWithCustomError(w.market, "JobMarketInvalidOfferSignature").withArgs(anyValue, w.provider.address);
  });

  it("a result signature replayed on another job is refused", async function () {
    const w = await loadFixture(fixture);
    const a = await h.createJob(w);
    const b = await h.createJob(w);
    // same tasks in both jobs: only the job id tells the signatures apart
    const job = { ...b.job, tasksRoot: a.job.tasksRoot };
    const { signature } = await h.submit(w, a.id, a.job);
    await expect(w.market.submitResult(b.id, b.job, ethers.id(`result-${a.id}`), ethers.id(`outputs-${a.id}`), signature))
      .to.be.revertedWithCustomError(w.market, "JobMarketInvalidResultSignature").withArgs(anyValue, w.provider.address);
    expect(job.tasksRoot).to.equal(a.job.tasksRoot);
  });

  it("a result signature for another chain id or another market is refused", async function () {
    const w = await loadFixture(fixture);
    const { id, job } = await h.createJob(w);
    const value = { jobId: id, tasksRoot: job.tasksRoot, resultRoot: ethers.id("r"), outputsHash: ethers.id("o") };
    const otherChain = await h.signResult(w.provider, w.market, value, await h.domain(w.market, 1n));
    await expect(w.market.submitResult(id, job, value.resultRoot, value.outputsHash, otherChain))
      .to.be.revertedWithCustomError(w.market, "JobMarketInvalidResultSignature").withArgs(anyValue, w.provider.address);
    const { market: other } = await h.deploySystem({ token: w.token });
    const otherMarket = await h.signResult(w.provider, other, value);
    await expect(w.market.submitResult(id, job, value.resultRoot, value.outputsHash, otherMarket))
      .to.be.revertedWithCustomError(w.market, "JobMarketInvalidResultSignature").withArgs(anyValue, w.provider.address);
  });

  it("a result signed by the client is refused", async function () {
    const w = await loadFixture(fixture);
    const { id, job } = await h.createJob(w);
    await expect(h.submit(w, id, job, { signer: w.client, relayer: w.client }))
      .to.be.revertedWithCustomError(w.market, "JobMarketInvalidResultSignature").withArgs(w.client.address, w.provider.address);
  });

  it("a forged record cannot move another job's money", async function () {
    const w = await loadFixture(fixture);
    const { id, job } = await h.createJob(w);
    const { job: sub } = await h.submit(w, id, job);
    await h.pastChallengeWindow(w);
    const inflated = { ...sub, unitPrice: E(1000) };
    await expect(w.market.settle([id], [inflated])).to.be.revertedWithCustomError(w.market, "JobMarketJobMismatch").withArgs(id, await w.market.jobCommitment(inflated));
    const redirected = { ...sub, provider: w.other.address };
    await expect(w.market.settle([id], [redirected])).to.be.revertedWithCustomError(w.market, "JobMarketJobMismatch").withArgs(id, await w.market.jobCommitment(redirected));
  });

  it("collateral locked for jobs cannot be unstaked", async function () {
    const w = await loadFixture(fixture);
    await h.createJob(w, { taskCount: 1000 }); // 10,000 collateral of 100,000 stake
    await expect(w.vault.connect(w.provider).requestUnstake(E(90_001)))
      .to.be.revertedWithCustomError(w.vault, "StakingVaultInsufficientFreeStake").withArgs(w.provider.address, E(90_000), E(90_001));
  });

  it("free collateral of another provider cannot be used", async function () {
    const w = await loadFixture(fixture);
    await w.market.connect(w.provider).lockCollateral(E(100_000));
    await w.vault.connect(w.other).stake(h.Role.Provider, E(100));
    const offer = { ...w.offer, provider: w.other.address };
    const sig = await h.signOffer(w.other, w.market, offer);
    await expect(h.createJob(w, { offer, sig, taskCount: 11 }))
      .to.be.revertedWithCustomError(w.vault, "StakingVaultInsufficientFreeStake").withArgs(w.other.address, E(100), E(110));
  });
});
