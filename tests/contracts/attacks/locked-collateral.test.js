// Collateral is only what a provider locked with lockCollateral. It cannot be unstaked while
// locked, released while jobs hold it, or borrowed from another provider; an account that locked
// nothing cannot be made anyone's provider.
const { expect } = require("chai");
const { ethers } = require("hardhat");
const { loadFixture } = require("@nomicfoundation/hardhat-network-helpers");
const h = require("../helpers");

const { E, Role } = h;

async function fixture() {
  return h.world();
}

/** `signer`'s offer on the world's terms. */
async function offerOf(w, signer, terms = {}) {
  const offer = { ...w.offer, provider: signer.address, ...terms };
  return { offer, sig: await h.signOffer(signer, w.market, offer) };
}

describe("attack: locked collateral", function () {
  it("collateral locked for the market cannot be unstaked, whether free or held by a job", async function () {
    const w = await loadFixture(fixture);
    // world: 100,000 staked, 50,000 locked as free collateral; this job takes 10,000 of it
    await h.createJob(w, { taskCount: 1000 });
    await expect(w.vault.connect(w.provider).requestUnstake(E(50_001)))
      .to.be.revertedWithCustomError(w.vault, "StakingVaultInsufficientFreeStake").withArgs(w.provider.address, E(50_000), E(50_001));
    expect((await w.vault.accountOf(w.provider.address)).locked).to.equal(E(50_000));
  });

  it("collateral a job holds cannot be released", async function () {
    const w = await loadFixture(fixture);
    await h.createJob(w, { taskCount: 1000 });
    await expect(w.market.connect(w.provider).releaseCollateral(E(40_001)))
      .to.be.revertedWithCustomError(w.market, "JobMarketInsufficientCollateral").withArgs(w.provider.address, E(40_000), E(40_001));
    await w.market.connect(w.provider).releaseCollateral(E(40_000));
    expect((await w.vault.accountOf(w.provider.address)).locked).to.equal(E(10_000));
  });

  it("another provider's free collateral cannot be used", async function () {
    const w = await loadFixture(fixture);
    await w.vault.connect(w.other).stake(Role.Provider, E(200));
    await w.market.connect(w.other).lockCollateral(E(100));
    const { offer, sig } = await offerOf(w, w.other);
    const before = await w.market.accountOf(w.provider.address);
    await expect(h.createJob(w, { offer, sig, taskCount: 11 }))
      .to.be.revertedWithCustomError(w.market, "JobMarketInsufficientCollateral").withArgs(w.other.address, E(100), E(110));
    expect(await w.market.accountOf(w.provider.address)).to.deep.equal(before);
  });

  it("a staked provider that locked no collateral cannot be given a job", async function () {
    const w = await loadFixture(fixture);
    await w.vault.connect(w.other).stake(Role.Provider, E(10_000));
    const { offer, sig } = await offerOf(w, w.other);
    await expect(h.createJob(w, { offer, sig, taskCount: 1 }))
      .to.be.revertedWithCustomError(w.market, "JobMarketInsufficientCollateral").withArgs(w.other.address, 0, E(10));
    // stake is never locked for a job implicitly
    expect((await w.vault.accountOf(w.other.address)).locked).to.equal(0);
  });

  it("an unstaked account, or a verifier, cannot lock collateral nor be given a job", async function () {
    const w = await loadFixture(fixture);
    const [, , , , verifier] = await ethers.getSigners();
    await w.token.mint(verifier.address, E(100));
    await w.token.connect(verifier).approve(w.vault, E(100));
    await w.vault.connect(verifier).stake(Role.Verifier, E(100));
    for (const account of [w.other, verifier]) {
      await expect(w.market.connect(account).lockCollateral(E(10))).to.be.revertedWithCustomError(w.vault, "StakingVaultNotProvider").withArgs(account.address);
      const { offer, sig } = await offerOf(w, account);
      await expect(h.createJob(w, { offer, sig, taskCount: 1 }))
        .to.be.revertedWithCustomError(w.market, "JobMarketInsufficientCollateral").withArgs(account.address, 0, E(10));
    }
  });
});
