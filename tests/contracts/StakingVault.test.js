const { expect } = require("chai");
const { ethers } = require("hardhat");
const { loadFixture, time } = require("@nomicfoundation/hardhat-network-helpers");
const h = require("./helpers");

const { E, Role } = h;

const EPOCH = 3600n;

// The vault bound to an EOA acting as its market, so the market-only functions can be driven directly.
async function fixture() {
  const [owner, market, provider, verifier, other, v2, v3] = await ethers.getSigners();
  const token = await (await ethers.getContractFactory("ComputeToken")).deploy(E(1_000_000_000));
  const vault = await (await ethers.getContractFactory("StakingVault")).deploy(token, E(100), E(50), 7 * 86400, EPOCH);
  await vault.setMarket(market.address);
  for (const a of [provider, verifier, other, v2, v3]) {
    await token.mint(a.address, E(10_000));
    await token.connect(a).approve(vault, ethers.MaxUint256);
  }
  return { token, vault, owner, market, provider, verifier, other, v2, v3 };
}

// Moves the chain to the start of the next epoch, so the calls that follow share one epoch; returns it.
async function nextEpoch(vault) {
  const epoch = (await vault.currentEpoch()) + 1n;
  await time.increaseTo(epoch * EPOCH);
  return epoch;
}

describe("StakingVault", function () {
  describe("setMarket", function () {
    it("binds the market once, by the owner", async function () {
      const token = await (await ethers.getContractFactory("ComputeToken")).deploy(0);
      const vault = await (await ethers.getContractFactory("StakingVault")).deploy(token, 1, 1, 1, 7);
      const [owner, a, b] = await ethers.getSigners();
      expect(await vault.market()).to.equal(ethers.ZeroAddress);
      expect((await vault.accountOf(a.address)).jobsSettled).to.equal(0);
      await expect(vault.connect(a).setMarket(a.address)).to.be.revertedWithCustomError(vault, "OwnableUnauthorizedAccount").withArgs(a.address);
      await expect(vault.setMarket(ethers.ZeroAddress)).to.be.revertedWithCustomError(vault, "StakingVaultInvalidMarket").withArgs(ethers.ZeroAddress);
      await expect(vault.connect(owner).setMarket(a.address)).to.emit(vault, "MarketSet").withArgs(a.address);
      await expect(vault.setMarket(b.address)).to.be.revertedWithCustomError(vault, "StakingVaultMarketAlreadySet").withArgs(a.address);
      expect(await vault.token()).to.equal(await token.getAddress());
      expect(await vault.limits()).to.deep.equal([1n, 1n, 1n]);
      expect(await vault.epochLength()).to.equal(7n);
    });
  });

  describe("constructor and epochs", function () {
    it("refuses an epoch length of zero", async function () {
      const token = await (await ethers.getContractFactory("ComputeToken")).deploy(0);
      const factory = await ethers.getContractFactory("StakingVault");
      await expect(factory.deploy(token, 1, 1, 1, 0)).to.be.revertedWithCustomError(factory, "StakingVaultInvalidEpochLength");
    });

    it("numbers epochs by timestamp / epochLength", async function () {
      const { vault } = await loadFixture(fixture);
      const epoch = await nextEpoch(vault);
      expect(await vault.currentEpoch()).to.equal(epoch);
      expect(await vault.epochOf(epoch * EPOCH)).to.equal(epoch);
      expect(await vault.epochOf(epoch * EPOCH - 1n)).to.equal(epoch - 1n);
      expect(await vault.epochOf(0)).to.equal(0n);
      await time.increaseTo((epoch + 1n) * EPOCH - 1n);
      expect(await vault.currentEpoch()).to.equal(epoch);
      await time.increase(1);
      expect(await vault.currentEpoch()).to.equal(epoch + 1n);
    });
  });

  describe("stake", function () {
    it("stakes in a role and adds to it", async function () {
      const { vault, token, provider } = await loadFixture(fixture);
      await expect(vault.connect(provider).stake(Role.Provider, E(100))).to.emit(vault, "Staked").withArgs(provider.address, Role.Provider, E(100), E(100));
      await expect(vault.connect(provider).stake(Role.Provider, E(1))).to.emit(vault, "Staked").withArgs(provider.address, Role.Provider, E(1), E(101));
      expect(await token.balanceOf(await vault.getAddress())).to.equal(E(101));
      const a = await vault.accountOf(provider.address);
      expect(a.role).to.equal(Role.Provider);
      expect(a.stake).to.equal(E(101));
      expect(await vault.freeStake(provider.address)).to.equal(E(101));
    });

    it("a verifier with the minimum gains draw weight from the next epoch", async function () {
      const { vault, verifier } = await loadFixture(fixture);
      const epoch = await nextEpoch(vault);
      await expect(vault.connect(verifier).stake(Role.Verifier, E(50))).to.emit(vault, "DrawWeightChanged").withArgs(verifier.address, epoch + 1n, E(50));
      expect(await vault.verifierCount()).to.equal(1);
      expect(await vault.isActiveVerifier(verifier.address)).to.equal(true);
      expect(await vault.drawWeightOf(verifier.address, epoch)).to.equal(0n);
      await expect(vault.connect(verifier).stake(Role.Verifier, E(10))).to.emit(vault, "DrawWeightChanged").withArgs(verifier.address, epoch + 1n, E(60));
      await time.increaseTo((epoch + 1n) * EPOCH);
      expect(await vault.drawWeightOf(verifier.address, epoch + 1n)).to.equal(E(60));
      expect(await vault.totalDrawWeight(epoch + 1n)).to.equal(E(60));
    });

    it("a provider gains no draw weight", async function () {
      const { vault, provider } = await loadFixture(fixture);
      const epoch = await nextEpoch(vault);
      await expect(vault.connect(provider).stake(Role.Provider, E(500))).to.not.emit(vault, "DrawWeightChanged");
      await time.increaseTo((epoch + 1n) * EPOCH);
      expect(await vault.drawWeightOf(provider.address, epoch + 1n)).to.equal(0n);
      expect(await vault.totalDrawWeight(epoch + 1n)).to.equal(0n);
      expect(await vault.isActiveVerifier(provider.address)).to.equal(false);
      expect(await vault.verifierCount()).to.equal(0);
    });

    it("refuses an invalid role, zero, another role and less than the minimum", async function () {
      const { vault, provider } = await loadFixture(fixture);
      await expect(vault.connect(provider).stake(0, E(100))).to.be.revertedWithCustomError(vault, "StakingVaultInvalidRole").withArgs(0);
      await expect(vault.connect(provider).stake(3, E(100))).to.be.revertedWithCustomError(vault, "StakingVaultInvalidRole").withArgs(3);
      await expect(vault.connect(provider).stake(Role.Provider, 0)).to.be.revertedWithCustomError(vault, "StakingVaultZeroAmount");
      await expect(vault.connect(provider).stake(Role.Provider, E(99))).to.be.revertedWithCustomError(vault, "StakingVaultStakeBelowMinimum").withArgs(provider.address, E(99), E(100));
      await vault.connect(provider).stake(Role.Provider, E(100));
      await expect(vault.connect(provider).stake(Role.Verifier, E(100))).to.be.revertedWithCustomError(vault, "StakingVaultRoleMismatch").withArgs(provider.address, Role.Provider, Role.Verifier);
    });

    it("credits what a fee-on-transfer token delivers", async function () {
      const [, market, a] = await ethers.getSigners();
      const fot = await (await ethers.getContractFactory("FeeOnTransferToken")).deploy();
      const vault = await (await ethers.getContractFactory("StakingVault")).deploy(fot, E(1), E(1), 1, 1);
      await vault.setMarket(market.address);
      await fot.mint(a.address, E(100));
      await fot.connect(a).approve(vault, ethers.MaxUint256);
      await expect(vault.connect(a).stake(Role.Provider, E(100))).to.emit(vault, "Staked").withArgs(a.address, Role.Provider, E(99), E(99));
      expect(await fot.balanceOf(await vault.getAddress())).to.equal(E(99));
    });
  });

  describe("unstaking", function () {
    it("requestUnstake then withdrawUnstaked after the delay", async function () {
      const { vault, token, provider } = await loadFixture(fixture);
      await vault.connect(provider).stake(Role.Provider, E(300));
      const tx = vault.connect(provider).requestUnstake(E(200));
      await expect(tx).to.emit(vault, "UnstakeRequested");
      const a = await vault.accountOf(provider.address);
      expect(a.unbonding).to.equal(E(200));
      expect(await vault.freeStake(provider.address)).to.equal(E(100));
      await expect(vault.connect(provider).withdrawUnstaked()).to.be.revertedWithCustomError(vault, "StakingVaultUnbonding");
      await time.increaseTo(a.unbondingReleaseAt);
      const out = vault.connect(provider).withdrawUnstaked();
      await expect(out).to.emit(vault, "Unstaked").withArgs(provider.address, E(200));
      await expect(out).to.changeTokenBalance(token, provider, E(200));
      expect((await vault.accountOf(provider.address)).stake).to.equal(E(100));
      await expect(vault.connect(provider).withdrawUnstaked()).to.be.revertedWithCustomError(vault, "StakingVaultNothingUnbonding").withArgs(provider.address);
    });

    it("leaving completely frees the role", async function () {
      const { vault, verifier } = await loadFixture(fixture);
      await vault.connect(verifier).stake(Role.Verifier, E(60));
      const epoch = await nextEpoch(vault);
      await expect(vault.connect(verifier).requestUnstake(E(60))).to.emit(vault, "DrawWeightChanged").withArgs(verifier.address, epoch + 1n, 0);
      expect(await vault.isActiveVerifier(verifier.address)).to.equal(false);
      await time.increase(7 * 86400);
      await expect(vault.connect(verifier).withdrawUnstaked()).to.not.emit(vault, "DrawWeightChanged");
      expect((await vault.accountOf(verifier.address)).role).to.equal(Role.None);
      await vault.connect(verifier).stake(Role.Provider, E(100));
    });

    it("refuses zero, more than the free stake and a remainder below the minimum", async function () {
      const { vault, market, provider } = await loadFixture(fixture);
      await vault.connect(provider).stake(Role.Provider, E(300));
      await vault.connect(market).lock(provider.address, E(150));
      await expect(vault.connect(provider).requestUnstake(0)).to.be.revertedWithCustomError(vault, "StakingVaultZeroAmount");
      await expect(vault.connect(provider).requestUnstake(E(151))).to.be.revertedWithCustomError(vault, "StakingVaultInsufficientFreeStake").withArgs(provider.address, E(150), E(151));
      await vault.connect(market).unlock(provider.address, E(150));
      await expect(vault.connect(provider).requestUnstake(E(250))).to.be.revertedWithCustomError(vault, "StakingVaultStakeBelowMinimum").withArgs(provider.address, E(50), E(100));
    });
  });

  describe("market functions", function () {
    it("are refused to anyone but the market", async function () {
      const { vault, other, provider } = await loadFixture(fixture);
      await expect(vault.connect(other).lock(provider.address, 1)).to.be.revertedWithCustomError(vault, "StakingVaultNotMarket").withArgs(other.address);
      await expect(vault.connect(other).unlock(provider.address, 1)).to.be.revertedWithCustomError(vault, "StakingVaultNotMarket").withArgs(other.address);
      await expect(vault.connect(other).slash(provider.address, 0, 1, false)).to.be.revertedWithCustomError(vault, "StakingVaultNotMarket").withArgs(other.address);
      await expect(vault.connect(other).recordAuditPassed(provider.address)).to.be.revertedWithCustomError(vault, "StakingVaultNotMarket").withArgs(other.address);
    });

    it("lock and unlock move free stake; more than held is refused", async function () {
      const { vault, market, provider, verifier } = await loadFixture(fixture);
      await vault.connect(provider).stake(Role.Provider, E(200));
      await vault.connect(verifier).stake(Role.Verifier, E(200));
      await expect(vault.connect(market).lock(verifier.address, 1)).to.be.revertedWithCustomError(vault, "StakingVaultNotProvider").withArgs(verifier.address);
      await expect(vault.connect(market).lock(provider.address, E(150))).to.emit(vault, "Locked").withArgs(provider.address, E(150));
      await expect(vault.connect(market).lock(provider.address, E(51))).to.be.revertedWithCustomError(vault, "StakingVaultInsufficientFreeStake").withArgs(provider.address, E(50), E(51));
      await expect(vault.connect(market).unlock(provider.address, E(151))).to.be.revertedWithCustomError(vault, "StakingVaultInvalidUnlock").withArgs(provider.address, E(150), E(151));
      await expect(vault.connect(market).unlock(provider.address, E(150))).to.emit(vault, "Unlocked").withArgs(provider.address, E(150));
      await expect(vault.connect(market).recordAuditPassed(provider.address)).to.emit(vault, "AuditPassed").withArgs(provider.address);
      expect((await vault.accountOf(provider.address)).auditsPassed).to.equal(1);
    });

    it("slash takes stake to the market, never more than is slashable, and trims unbonding", async function () {
      const { vault, token, market, provider, verifier } = await loadFixture(fixture);
      await vault.connect(provider).stake(Role.Provider, E(500));
      await vault.connect(market).lock(provider.address, E(300));
      await expect(vault.connect(market).slash(provider.address, E(400), 1, true)).to.be.revertedWithCustomError(vault, "StakingVaultInvalidUnlock").withArgs(provider.address, E(300), E(400));
      const tx = vault.connect(market).slash(provider.address, E(100), E(100), true);
      await expect(tx).to.emit(vault, "Slashed").withArgs(provider.address, E(100));
      await expect(tx).to.changeTokenBalances(token, [vault, market], [-E(100), E(100)]);
      let a = await vault.accountOf(provider.address);
      expect([a.stake, a.locked, a.slashes, a.auditsFailed]).to.deep.equal([E(400), E(200), 1n, 1n]);
      // a verifier in unbonding: the slash eats into the unbonding amount
      await vault.connect(verifier).stake(Role.Verifier, E(100));
      await vault.connect(verifier).requestUnstake(E(100));
      await expect(vault.connect(market).slash(verifier.address, 0, E(1000), false)).to.emit(vault, "Slashed").withArgs(verifier.address, E(100));
      a = await vault.accountOf(verifier.address);
      expect([a.stake, a.unbonding, a.slashes, a.auditsFailed]).to.deep.equal([0n, 0n, 1n, 0n]);
      // nothing left to take: no transfer, still counted
      await expect(vault.connect(market).slash(verifier.address, 0, E(1), false)).to.emit(vault, "Slashed").withArgs(verifier.address, 0);
    });

    it("a slash below the minimum takes a verifier's draw weight from the next epoch", async function () {
      const { vault, market, verifier } = await loadFixture(fixture);
      await vault.connect(verifier).stake(Role.Verifier, E(60));
      const epoch = await nextEpoch(vault);
      await expect(vault.connect(market).slash(verifier.address, 0, E(20), false)).to.emit(vault, "DrawWeightChanged").withArgs(verifier.address, epoch + 1n, 0);
      expect(await vault.verifierCount()).to.equal(0);
      expect(await vault.lastSlashedAt(verifier.address)).to.equal(await time.latest());
      expect(await vault.drawWeightOf(verifier.address, epoch)).to.equal(E(60));
    });

    it("a slash of a provider leaves the draw weights alone", async function () {
      const { vault, market, provider } = await loadFixture(fixture);
      await vault.connect(provider).stake(Role.Provider, E(200));
      await expect(vault.connect(market).slash(provider.address, 0, E(20), false)).to.not.emit(vault, "DrawWeightChanged");
      expect(await vault.lastSlashedAt(provider.address)).to.equal(0n);
    });
  });

  it("setEncryptionKey publishes the caller's key", async function () {
    const { vault, provider } = await loadFixture(fixture);
    const key = ethers.id("x25519");
    await expect(vault.connect(provider).setEncryptionKey(key)).to.emit(vault, "EncryptionKeySet").withArgs(provider.address, key);
    expect(await vault.encryptionKeyOf(provider.address)).to.equal(key);
    expect((await vault.accountOf(provider.address)).encryptionKey).to.equal(key);
  });
});
