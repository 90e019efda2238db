// Offer nonces live below 2^32 - 1, so that cancelOffer can always raise the provider's floor
// past an offer. An offer with a larger nonce could never be cancelled: createJob refuses it.
const { expect } = require("chai");
const { loadFixture } = require("@nomicfoundation/hardhat-network-helpers");
const h = require("../helpers");

const U32_MAX = 2n ** 32n - 1n;

async function fixture() {
  return h.world();
}

async function signed(w, nonce) {
  const offer = { ...w.offer, nonce };
  return { offer, sig: await h.signOffer(w.provider, w.market, offer) };
}

describe("attack: offer nonces beyond what cancelOffer can cancel", function () {
  for (const nonce of [U32_MAX, U32_MAX + 1n, 2n ** 63n, 2n ** 64n - 1n]) {
    it(`createJob refuses a signed offer with nonce ${nonce}, and cancelOffer refuses it too`, async function () {
      const w = await loadFixture(fixture);
      const { offer, sig } = await signed(w, nonce);
      await expect(h.createJob(w, { offer, sig })).to.be.revertedWithCustomError(w.market, "JobMarketInvalidOfferNonce").withArgs(nonce);
      await expect(w.market.connect(w.provider).cancelOffer(offer)).to.be.revertedWithCustomError(w.market, "JobMarketInvalidOfferNonce").withArgs(nonce);
    });
  }

  for (const nonce of [0n, 1n, 2n ** 31n, U32_MAX - 1n]) {
    it(`cancelOffer withdraws an offer with nonce ${nonce} that createJob accepted, and every lower one`, async function () {
      const w = await loadFixture(fixture);
      const { offer, sig } = await signed(w, nonce);
      await h.createJob(w, { offer, sig });
      await expect(w.market.connect(w.provider).cancelOffer(offer))
        .to.emit(w.market, "OfferCancelled").withArgs(w.provider.address, nonce, await w.market.offerDigest(offer));
      expect(await w.market.offerCancelled(offer)).to.equal(true);
      await expect(h.createJob(w, { offer, sig })).to.be.revertedWithCustomError(w.market, "JobMarketOfferCancelled").withArgs(w.provider.address, nonce, nonce + 1n);
      if (nonce > 0n) {
        const lower = await signed(w, nonce - 1n);
        await expect(h.createJob(w, lower)).to.be.revertedWithCustomError(w.market, "JobMarketOfferCancelled").withArgs(w.provider.address, nonce - 1n, nonce + 1n);
      }
    });
  }

  it("cancelling the largest nonce leaves no usable offer at all", async function () {
    const w = await loadFixture(fixture);
    const { offer } = await signed(w, U32_MAX - 1n);
    await w.market.connect(w.provider).cancelOffer(offer);
    expect((await w.market.accountOf(w.provider.address)).offerNonceFloor).to.equal(U32_MAX);
    for (const nonce of [0n, 7n, U32_MAX - 1n]) {
      await expect(h.createJob(w, await signed(w, nonce))).to.be.revertedWithCustomError(w.market, "JobMarketOfferCancelled").withArgs(w.provider.address, nonce, U32_MAX);
    }
  });

  it("a lower nonce cancelled later does not lower the floor", async function () {
    const w = await loadFixture(fixture);
    await w.market.connect(w.provider).cancelOffer((await signed(w, 10n)).offer);
    await w.market.connect(w.provider).cancelOffer((await signed(w, 3n)).offer);
    expect((await w.market.accountOf(w.provider.address)).offerNonceFloor).to.equal(11);
    await expect(h.createJob(w, await signed(w, 10n))).to.be.revertedWithCustomError(w.market, "JobMarketOfferCancelled");
    const { tx } = await h.createJob(w, await signed(w, 11n));
    await expect(tx).to.emit(w.market, "JobCreated");
  });
});
