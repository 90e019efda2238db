// Signatures taken from one context and replayed in another: another chain, another market,
// another job, altered terms, the wrong signer, and signatures that recover no one.
const { expect } = require("chai");
const { ethers } = require("hardhat");
const { loadFixture } = require("@nomicfoundation/hardhat-network-helpers");
const { anyValue } = require("@nomicfoundation/hardhat-chai-matchers/withArgs");
const h = require("../helpers");

const { E } = h;

async function fixture() {
  return h.world();
}

/** A 65-byte signature whose r and s are zero: ecrecover finds no signer. */
const NO_SIGNER = ethers.concat([h.ZERO, h.ZERO, "0x1b"]);

describe("attack: signature replay and forgery", function () {
  describe("offers", function () {
    it("an offer signed for another chain id is refused", async function () {
      const w = await loadFixture(fixture);
      const sig = await h.signOffer(w.provider, w.market, w.offer, await h.domain(w.market, 1n));
      await expect(h.createJob(w, { sig })).to.be.revertedWithCustomError(w.market, "JobMarketInvalidOfferSignature").withArgs(anyValue, w.provider.address);
    });

    it("an offer signed for another market is refused", async function () {
      const w = await loadFixture(fixture);
      const { market: other } = await h.deploySystem({ token: w.token });
      const sig = await h.signOffer(w.provider, other, w.offer);
      await expect(h.createJob(w, { sig })).to.be.revertedWithCustomError(w.market, "JobMarketInvalidOfferSignature").withArgs(anyValue, w.provider.address);
    });

    it("an offer with altered terms is refused: size, price, turnaround, expiry, model", async function () {
      const w = await loadFixture(fixture);
      const altered = [
        [{ maxTasks: 5000 }, { taskCount: 2000 }],
        [{ unitPrice: E(0.5) }, {}],
        [{ minTurnaround: 1 }, {}],
        [{ expiry: w.offer.expiry + 1 }, {}],
        [{ modelId: ethers.id("cheaper-model") }, {}],
      ];
      for (const [terms, job] of altered) {
        await expect(h.createJob(w, { offer: { ...w.offer, ...terms }, ...job }), Object.keys(terms)[0])
          .to.be.revertedWithCustomError(w.market, "JobMarketInvalidOfferSignature").withArgs(anyValue, w.provider.address);
      }
    });

    it("an empty offer signature and one that recovers no signer are refused", async function () {
      const w = await loadFixture(fixture);
      await expect(h.createJob(w, { sig: "0x" })).to.be.revertedWithCustomError(w.market, "JobMarketInvalidOfferSignature").withArgs(ethers.ZeroAddress, w.provider.address);
      await expect(h.createJob(w, { sig: NO_SIGNER })).to.be.revertedWithCustomError(w.market, "JobMarketInvalidOfferSignature").withArgs(ethers.ZeroAddress, w.provider.address);
    });

    it("an offer naming the zero address as provider is refused whatever the signature", async function () {
      const w = await loadFixture(fixture);
      const offer = { ...w.offer, provider: ethers.ZeroAddress };
      for (const sig of ["0x", NO_SIGNER]) {
        await expect(h.createJob(w, { offer, sig })).to.be.revertedWithCustomError(w.market, "JobMarketInvalidOfferSignature").withArgs(ethers.ZeroAddress, ethers.ZeroAddress);
      }
    });
  });

  describe("results", function () {
    it("a result signature replayed on another job with the same tasks is refused", async function () {
      const w = await loadFixture(fixture);
      const a = await h.createJob(w);
      // same tasks in both jobs: only the job id tells the two signatures apart
      w.seq -= 1;
      const b = await h.createJob(w);
      expect(b.job.tasksRoot).to.equal(a.job.tasksRoot);
      const { signature } = await h.submit(w, a.id, a.job);
      await expect(w.market.submitResult(b.id, b.job, ethers.id(`result-${a.id}`), ethers.id(`outputs-${a.id}`), signature))
        .to.be.revertedWithCustomError(w.market, "JobMarketInvalidResultSignature").withArgs(anyValue, w.provider.address);
    });

    it("a result signed for another chain id or another market is refused", async function () {
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

    it("a relayer's empty or signer-less signature is refused; only the provider's own transaction needs none", async function () {
      const w = await loadFixture(fixture);
      const { id, job } = await h.createJob(w);
      for (const sig of ["0x", NO_SIGNER]) {
        await expect(w.market.connect(w.other).submitResult(id, job, ethers.id("r"), ethers.id("o"), sig))
          .to.be.revertedWithCustomError(w.market, "JobMarketInvalidResultSignature").withArgs(ethers.ZeroAddress, w.provider.address);
      }
      // the provider's own transaction with a signature that recovers no one is refused too
      await expect(w.market.connect(w.provider).submitResult(id, job, ethers.id("r"), ethers.id("o"), NO_SIGNER))
        .to.be.revertedWithCustomError(w.market, "JobMarketInvalidResultSignature").withArgs(ethers.ZeroAddress, w.provider.address);
      await expect(w.market.connect(w.provider).submitResult(id, job, ethers.id("r"), ethers.id("o"), "0x")).to.emit(w.market, "ResultSubmitted");
    });
  });
});
