// Stake-weighted verifier draws from epoch snapshots: weights count from the next epoch, a fixed
// snapshot never moves, and the draw follows the documented formula (checked against a model).
const { expect } = require("chai");
const { ethers } = require("hardhat");
const { loadFixture, time, setBalance, getStorageAt, setStorageAt } = require("@nomicfoundation/hardhat-network-helpers");
const h = require("./helpers");

const { E, Role } = h;

const EPOCH = 3600n;
const CAPACITY = 4096n;
// Storage slot of the vault's count of issued verifier slots; the capacity tests set it to stand
// in for thousands of verifiers, and "counts issued slots" checks the layout still matches.
const SLOTS_ISSUED = 10;
const coder = ethers.AbiCoder.defaultAbiCoder();

// A funded account (from a fixed key) that has approved the vault.
async function account(token, vault, label) {
  const wallet = new ethers.Wallet(ethers.id(label), ethers.provider);
  await setBalance(wallet.address, E(10));
  await token.mint(wallet.address, E(1_000_000));
  await token.connect(wallet).approve(vault, ethers.MaxUint256);
  return wallet;
}

async function deploy(count) {
  const [owner, market] = await ethers.getSigners();
  const token = await (await ethers.getContractFactory("ComputeToken")).deploy(E(1_000_000_000));
  const vault = await (await ethers.getContractFactory("StakingVault")).deploy(token, E(100), E(50), 7 * 86400, EPOCH);
  await vault.setMarket(market.address);
  const accounts = [];
  for (let i = 0; i < count; i++) accounts.push(await account(token, vault, `verifier ${i}`));
  return { token, vault, owner, market, accounts };
}

const fixture = () => deploy(8);
const fiftyFixture = () => deploy(50);

// Moves the chain to the start of the next epoch, so the calls that follow share one epoch; returns it.
async function nextEpoch(vault) {
  const epoch = (await vault.currentEpoch()) + 1n;
  await time.increaseTo(epoch * EPOCH);
  return epoch;
}

const stake = (vault, who, amount) => vault.connect(who).stake(Role.Verifier, amount);
const seeds = (n, tag = "seed") => Array.from({ length: n }, (_, i) => ethers.id(`${tag} ${i}`));

// The documented draw, from the snapshot's weights in slot order and the accounts drawable now.
function modelDraw({ order, weights, drawable }, seed, count, exclude = [], tries = count * 4 + 8) {
  const total = order.reduce((sum, a) => sum + weights[a], 0n);
  const found = [];
  if (total === 0n) return found;
  for (let i = 0; i < tries && found.length < count; i++) {
    let point = BigInt(ethers.keccak256(coder.encode(["bytes32", "uint256"], [seed, i]))) % total;
    const account = order.find((a) => {
      if (point < weights[a]) return true;
      point -= weights[a];
      return false;
    });
    if (!found.includes(account) && !exclude.includes(account) && drawable.includes(account)) found.push(account);
  }
  return found;
}

async function snapshotOf(vault, order, epoch) {
  const weights = {};
  const drawable = [];
  for (const a of order) {
    weights[a] = await vault.drawWeightOf(a, epoch);
    if (await vault.isDrawable(a, epoch)) drawable.push(a);
  }
  return { order, weights, drawable };
}

async function drawMany(vault, epoch, count, exclude = [], n = 20, tag = "seed") {
  const out = [];
  for (const seed of seeds(n, tag)) out.push([...(await vault.draw(epoch, seed, count, exclude))]);
  return out;
}

describe("StakingVault draws", function () {
  describe("draw weights", function () {
    it("count only from the epoch after the change", async function () {
      const { vault, accounts: [a] } = await loadFixture(fixture);
      const e = await nextEpoch(vault);
      await expect(stake(vault, a, E(80))).to.emit(vault, "DrawWeightChanged").withArgs(a.address, e + 1n, E(80));
      expect(await vault.drawWeightOf(a.address, e)).to.equal(0n);
      expect(await vault.totalDrawWeight(e)).to.equal(0n);
      expect(await vault.isDrawable(a.address, e)).to.equal(false);
      expect(await vault.draw(e, ethers.id("s"), 1, [])).to.deep.equal([]);
      expect(await vault.isActiveVerifier(a.address)).to.equal(true);
      expect(await vault.verifierCount()).to.equal(1n);

      await time.increaseTo((e + 1n) * EPOCH);
      expect(await vault.drawWeightOf(a.address, e + 1n)).to.equal(E(80));
      expect(await vault.totalDrawWeight(e + 1n)).to.equal(E(80));
      expect(await vault.isDrawable(a.address, e + 1n)).to.equal(true);
      expect(await vault.draw(e + 1n, ethers.id("s"), 1, [])).to.deep.equal([a.address]);
      expect(await vault.draw(e, ethers.id("s"), 1, [])).to.deep.equal([]);
    });

    it("stake added during an epoch never enters that epoch's draws", async function () {
      const { vault, accounts: [a, b] } = await loadFixture(fixture);
      await stake(vault, a, E(50));
      const e = await nextEpoch(vault);
      // b stakes twenty times a's weight after e's snapshot is fixed (and its seeds may be known)
      await stake(vault, b, E(1000));
      await stake(vault, a, E(1000));
      expect(await vault.drawWeightOf(b.address, e)).to.equal(0n);
      expect(await vault.drawWeightOf(a.address, e)).to.equal(E(50));
      expect(await vault.totalDrawWeight(e)).to.equal(E(50));
      expect(await vault.isDrawable(b.address, e)).to.equal(false);
      for (const drawn of await drawMany(vault, e, 2)) expect(drawn).to.deep.equal([a.address]);
      await time.increaseTo((e + 1n) * EPOCH);
      expect(await vault.totalDrawWeight(e + 1n)).to.equal(E(2050));
      expect((await drawMany(vault, e + 1n, 2)).flat()).to.include(b.address);
    });

    it("an exit drops the weight from the next epoch while the stake stays slashable", async function () {
      const { vault, market, accounts: [a, b] } = await loadFixture(fixture);
      await stake(vault, a, E(70));
      await stake(vault, b, E(60));
      const e = await nextEpoch(vault);
      await expect(vault.connect(a).requestUnstake(E(70))).to.emit(vault, "DrawWeightChanged").withArgs(a.address, e + 1n, 0);
      expect(await vault.isActiveVerifier(a.address)).to.equal(false);
      expect(await vault.verifierCount()).to.equal(1n);
      // e's snapshot keeps a's weight, but a has no active stake now and is not drawn
      expect(await vault.drawWeightOf(a.address, e)).to.equal(E(70));
      expect(await vault.totalDrawWeight(e)).to.equal(E(130));
      expect(await vault.isDrawable(a.address, e)).to.equal(false);
      for (const drawn of await drawMany(vault, e, 2)) expect(drawn).to.deep.equal([b.address]);
      // unbonding stake is still slashable
      await expect(vault.connect(market).slash(a.address, 0, E(30), false)).to.emit(vault, "Slashed").withArgs(a.address, E(30));
      expect((await vault.accountOf(a.address)).unbonding).to.equal(E(40));
      await time.increaseTo((e + 1n) * EPOCH);
      expect(await vault.drawWeightOf(a.address, e + 1n)).to.equal(0n);
      expect(await vault.totalDrawWeight(e + 1n)).to.equal(E(60));
    });

    it("a slash below the minimum drops the weight from the next epoch; new stake restores it", async function () {
      const { vault, market, accounts: [a] } = await loadFixture(fixture);
      await stake(vault, a, E(60));
      const e = await nextEpoch(vault);
      await expect(vault.connect(market).slash(a.address, 0, E(20), false)).to.emit(vault, "DrawWeightChanged").withArgs(a.address, e + 1n, 0);
      expect(await vault.isActiveVerifier(a.address)).to.equal(false);
      await expect(stake(vault, a, E(15))).to.emit(vault, "DrawWeightChanged").withArgs(a.address, e + 1n, E(55));
      await time.increaseTo((e + 1n) * EPOCH);
      expect(await vault.drawWeightOf(a.address, e)).to.equal(E(60));
      expect(await vault.drawWeightOf(a.address, e + 1n)).to.equal(E(55));
    });

    it("are refused for an epoch whose snapshot is not fixed yet", async function () {
      const { vault, accounts: [a] } = await loadFixture(fixture);
      const e = await nextEpoch(vault);
      for (const call of [
        () => vault.drawWeightOf(a.address, e + 1n),
        () => vault.totalDrawWeight(e + 1n),
        () => vault.isDrawable(a.address, e + 1n),
        () => vault.draw(e + 1n, ethers.ZeroHash, 1, []),
      ]) {
        await expect(call()).to.be.revertedWithCustomError(vault, "StakingVaultEpochNotFixed").withArgs(e + 1n, e);
      }
    });
  });

  describe("draw", function () {
    it("returns nothing from an empty snapshot or for a count of zero", async function () {
      const { vault, accounts: [a] } = await loadFixture(fixture);
      const e = await nextEpoch(vault);
      expect(await vault.draw(e, ethers.id("s"), 5, [])).to.deep.equal([]);
      await stake(vault, a, E(50));
      await time.increaseTo((e + 1n) * EPOCH);
      expect(await vault.draw(e + 1n, ethers.id("s"), 0, [])).to.deep.equal([]);
      expect(await vault.draw(e + 1n, ethers.id("s"), 5, [a.address])).to.deep.equal([]);
    });

    it("follows the documented formula", async function () {
      const { vault, accounts } = await loadFixture(fixture);
      const order = accounts.slice(0, 6).map((a) => a.address);
      for (const [i, a] of accounts.slice(0, 6).entries()) await stake(vault, a, E(50 + 40 * i));
      const e = await nextEpoch(vault);
      const model = await snapshotOf(vault, order, e);
      for (const [count, exclude] of [[1, []], [3, []], [6, []], [4, [order[5], order[0]]]]) {
        for (const seed of seeds(10, `formula ${count}`)) {
          expect([...(await vault.draw(e, seed, count, exclude))]).to.deep.equal(modelDraw(model, seed, count, exclude));
        }
      }
    });

    it("gives up after count * 4 + 8 tries", async function () {
      const { vault, accounts } = await loadFixture(fixture);
      for (const [i, a] of accounts.slice(0, 4).entries()) await stake(vault, a, E(i === 0 ? 50 : 500));
      const e = await nextEpoch(vault);
      const model = await snapshotOf(vault, accounts.slice(0, 4).map((a) => a.address), e);
      const exclude = model.order.slice(1);
      // seeds on which one try more or less changes the outcome: the light account is first hit
      // on the last allowed try, or on the first one past it
      for (const extra of [0, 1]) {
        let seed;
        for (let i = 0; !seed; i++) {
          const s = ethers.id(`tries ${i}`);
          const at = (n) => modelDraw(model, s, 2, exclude, n).length;
          if (at(16 + extra) !== at(15 + extra)) seed = s;
        }
        expect([...(await vault.draw(e, seed, 2, exclude))]).to.deep.equal(modelDraw(model, seed, 2, exclude));
      }
    });

    it("refuses a count above the capacity", async function () {
      const { vault } = await loadFixture(fixture);
      const e = await vault.currentEpoch();
      await expect(vault.draw(e, ethers.ZeroHash, CAPACITY + 1n, [])).to.be.revertedWithCustomError(vault, "StakingVaultDrawCountTooLarge").withArgs(CAPACITY + 1n, CAPACITY);
      expect(await vault.draw(e, ethers.ZeroHash, CAPACITY, [])).to.deep.equal([]);
    });

    it("never returns an account that is no longer a verifier", async function () {
      const { vault, accounts: [a, b] } = await loadFixture(fixture);
      await stake(vault, a, E(100));
      await stake(vault, b, E(100));
      const e = await nextEpoch(vault);
      await vault.connect(a).requestUnstake(E(100));
      await time.increase(7 * 86400);
      await vault.connect(a).withdrawUnstaked();
      // a provider now, with more than a verifier's minimum: still not drawn from e's snapshot
      await vault.connect(a).stake(Role.Provider, E(200));
      expect(await vault.drawWeightOf(a.address, e)).to.equal(E(100));
      expect(await vault.isDrawable(a.address, e)).to.equal(false);
      for (const drawn of await drawMany(vault, e, 2)) expect(drawn).to.deep.equal([b.address]);
    });

    it("never returns an excluded or a repeated account", async function () {
      const { vault, accounts } = await loadFixture(fixture);
      for (const a of accounts.slice(0, 6)) await stake(vault, a, E(50));
      const e = await nextEpoch(vault);
      const exclude = [accounts[0].address, accounts[3].address];
      let full = 0;
      for (const drawn of await drawMany(vault, e, 6, exclude, 30)) {
        expect(new Set(drawn).size).to.equal(drawn.length);
        for (const x of exclude) expect(drawn).to.not.include(x);
        expect(drawn.length).to.be.at.most(4);
        if (drawn.length === 4) full++;
      }
      expect(full).to.be.greaterThan(20);
      // asking for more than there are returns each at most once
      for (const drawn of await drawMany(vault, e, 40, [], 5)) {
        expect(new Set(drawn).size).to.equal(drawn.length);
        expect(drawn.length).to.equal(6);
      }
    });

    it("draws in proportion to stake", async function () {
      const { vault, accounts: [a, b] } = await loadFixture(fixture);
      await stake(vault, a, E(50));
      await stake(vault, b, E(150));
      const e = await nextEpoch(vault);
      const firsts = (await drawMany(vault, e, 1, [], 400, "share")).map((d) => d[0]);
      const ofA = firsts.filter((x) => x === a.address).length;
      // expected 100 of 400 (sd 8.7): loose bounds
      expect(ofA).to.be.within(65, 135);
      expect(firsts.length - ofA).to.be.within(265, 335);
    });

    it("never returns an account slashed since the snapshot's epoch began", async function () {
      const { vault, market, accounts } = await loadFixture(fixture);
      const [a, b, c] = accounts;
      for (const v of [a, b, c]) await stake(vault, v, E(100));
      const e1 = await nextEpoch(vault);
      const e2 = await nextEpoch(vault);
      const excluded = {};
      for (const e of [e1, e2]) excluded[e] = await drawMany(vault, e, 3, [a.address]);
      expect(await vault.isDrawable(a.address, e1)).to.equal(true);

      // a keeps more than the minimum: only the slash rule keeps it out of e1 and e2
      await vault.connect(market).slash(a.address, 0, E(1), false);
      expect(await vault.lastSlashedAt(a.address)).to.equal(await time.latest());
      for (const e of [e1, e2]) {
        expect(await vault.isDrawable(a.address, e)).to.equal(false);
        expect(await vault.drawWeightOf(a.address, e)).to.equal(E(100));
        // a rejected pick uses up its try just like an excluded one
        expect(await drawMany(vault, e, 3)).to.deep.equal(excluded[e]);
      }
      const e3 = await nextEpoch(vault);
      expect(await vault.drawWeightOf(a.address, e3)).to.equal(E(99));
      expect(await vault.isDrawable(a.address, e3)).to.equal(true);
      expect((await drawMany(vault, e3, 3)).flat()).to.include(a.address);
      expect(await drawMany(vault, e1, 3)).to.deep.equal(excluded[e1]);
    });

    it("an old snapshot does not move with later stakes, unstakes, slashes and slot reuse", async function () {
      const { vault, market, accounts } = await loadFixture(fixture);
      const [v0, v1, v2, v3, v4, n1, n2] = accounts;
      const olds = [v0, v1, v2, v3, v4];
      for (const [i, v] of olds.entries()) await stake(vault, v, E(60 + 30 * i));
      const e = await nextEpoch(vault);
      const everyone = accounts.map((a) => a.address);
      const weights = [];
      for (const a of everyone) weights.push(await vault.drawWeightOf(a, e));
      const total = await vault.totalDrawWeight(e);
      // v1 will leave and v2 and v4 be slashed: later draws reject them as if they were excluded now
      const before = await drawMany(vault, e, 4, [v1.address, v2.address, v4.address]);

      await stake(vault, v0, E(500));
      await vault.connect(v3).requestUnstake(E(40));
      await vault.connect(v1).requestUnstake(E(90));
      await stake(vault, n1, E(700)); // takes the slot v1 released
      await vault.connect(market).slash(v2.address, 0, E(5), false);
      expect(await getStorageAt(await vault.getAddress(), SLOTS_ISSUED)).to.equal(ethers.toBeHex(5, 32));
      const e2 = await nextEpoch(vault);
      await stake(vault, n2, E(300));
      await vault.connect(v0).requestUnstake(E(100));
      await vault.connect(market).slash(v4.address, 0, E(1), false);
      await nextEpoch(vault);

      for (const [i, a] of everyone.entries()) expect(await vault.drawWeightOf(a, e)).to.equal(weights[i]);
      expect(await vault.totalDrawWeight(e)).to.equal(total);
      expect(await drawMany(vault, e, 4)).to.deep.equal(before);
      expect(before.flat()).to.not.include(n1.address);
      expect(await vault.drawWeightOf(n1.address, e2)).to.equal(E(700));
      expect((await drawMany(vault, e2, 4)).flat()).to.include(n1.address);
    });

    it("a reused slot keeps its old owner in old snapshots", async function () {
      const { vault, accounts: [a, b, c] } = await loadFixture(fixture);
      await stake(vault, a, E(100));
      await stake(vault, c, E(100));
      const e = await nextEpoch(vault);
      // a leaves, b takes a's slot, a comes back in a new slot: a is drawable now, b has no weight in e
      await vault.connect(a).requestUnstake(E(100));
      await stake(vault, b, E(100));
      await stake(vault, a, E(50));
      expect(await getStorageAt(await vault.getAddress(), SLOTS_ISSUED)).to.equal(ethers.toBeHex(3, 32));
      const e1 = await nextEpoch(vault);
      expect(await vault.drawWeightOf(b.address, e)).to.equal(0n);
      expect(await vault.isDrawable(a.address, e)).to.equal(true);
      expect(await vault.isDrawable(b.address, e)).to.equal(false);
      const old = (await drawMany(vault, e, 2)).flat();
      expect(old).to.include(a.address);
      expect(old).to.not.include(b.address);
      const model = await snapshotOf(vault, [b.address, c.address, a.address], e1);
      for (const seed of seeds(10)) {
        expect([...(await vault.draw(e1, seed, 2, []))]).to.deep.equal(modelDraw(model, seed, 2));
      }
    });

    it("draws 23 of 50 verifiers within 3M gas", async function () {
      const { vault, accounts } = await loadFixture(fiftyFixture);
      for (const [i, a] of accounts.entries()) await stake(vault, a, E(50 + 7 * i));
      const e = await nextEpoch(vault);
      let most = 0n;
      for (const seed of seeds(5, "gas")) {
        const drawn = await vault.draw(e, seed, 23, []);
        expect(drawn.length).to.equal(23);
        const gas = await vault.draw.estimateGas(e, seed, 23, []);
        if (gas > most) most = gas;
      }
      console.log(`      draw of 23 among 50 verifiers: at most ${most} gas`);
      expect(most).to.be.lessThan(3_000_000n);
    });
  });

  describe("capacity", function () {
    it("counts issued slots (storage layout the capacity tests rely on)", async function () {
      const { vault, accounts: [a, b] } = await loadFixture(fixture);
      await stake(vault, a, E(50));
      await stake(vault, b, E(50));
      expect(await getStorageAt(await vault.getAddress(), SLOTS_ISSUED)).to.equal(ethers.toBeHex(2, 32));
    });

    it("refuses a new verifier when every slot is taken, and reuses a released one", async function () {
      const { vault, accounts: [a, b, c, d] } = await loadFixture(fixture);
      await stake(vault, a, E(50));
      await stake(vault, b, E(80));
      await setStorageAt(await vault.getAddress(), SLOTS_ISSUED, CAPACITY);
      await expect(stake(vault, c, E(50))).to.be.revertedWithCustomError(vault, "StakingVaultVerifierCapacityReached").withArgs(CAPACITY);
      const e = await nextEpoch(vault);
      await vault.connect(a).requestUnstake(E(50));
      await expect(stake(vault, c, E(60))).to.emit(vault, "DrawWeightChanged").withArgs(c.address, e + 1n, E(60));
      await expect(stake(vault, d, E(50))).to.be.revertedWithCustomError(vault, "StakingVaultVerifierCapacityReached").withArgs(CAPACITY);
      await time.increaseTo((e + 1n) * EPOCH);
      expect(await vault.totalDrawWeight(e + 1n)).to.equal(E(140));
      const model = await snapshotOf(vault, [c.address, b.address], e + 1n);
      for (const seed of seeds(10)) {
        expect([...(await vault.draw(e + 1n, seed, 2, []))]).to.deep.equal(modelDraw(model, seed, 2));
      }
    });

    it("draws the last slot like any other", async function () {
      const { vault, accounts: [a, b, c, d] } = await loadFixture(fixture);
      await stake(vault, a, E(50));
      await stake(vault, b, E(80));
      await setStorageAt(await vault.getAddress(), SLOTS_ISSUED, CAPACITY - 1n);
      await stake(vault, c, E(120)); // slot 4096: the tree grows to its full size
      await expect(stake(vault, d, E(50))).to.be.revertedWithCustomError(vault, "StakingVaultVerifierCapacityReached").withArgs(CAPACITY);
      const e = await nextEpoch(vault);
      expect(await vault.totalDrawWeight(e)).to.equal(E(250));
      const model = await snapshotOf(vault, [a.address, b.address, c.address], e);
      for (const seed of seeds(15)) {
        expect([...(await vault.draw(e, seed, 3, []))]).to.deep.equal(modelDraw(model, seed, 3));
      }
      await stake(vault, c, E(10));
      const e1 = await nextEpoch(vault);
      expect(await vault.drawWeightOf(c.address, e1)).to.equal(E(130));
      expect(await vault.totalDrawWeight(e1)).to.equal(E(260));
    });
  });

  describe("providers", function () {
    it("stake, lock, unlock and slash leave the draw state alone", async function () {
      const { vault, market, accounts: [p] } = await loadFixture(fixture);
      const e = await nextEpoch(vault);
      await expect(vault.connect(p).stake(Role.Provider, E(500))).to.not.emit(vault, "DrawWeightChanged");
      await expect(vault.connect(market).lock(p.address, E(200))).to.not.emit(vault, "DrawWeightChanged");
      await expect(vault.connect(market).unlock(p.address, E(100))).to.not.emit(vault, "DrawWeightChanged");
      await expect(vault.connect(market).slash(p.address, E(100), E(50), true)).to.not.emit(vault, "DrawWeightChanged");
      await time.increaseTo((e + 1n) * EPOCH);
      expect(await vault.totalDrawWeight(e + 1n)).to.equal(0n);
      expect(await vault.isDrawable(p.address, e + 1n)).to.equal(false);
      expect(await getStorageAt(await vault.getAddress(), SLOTS_ISSUED)).to.equal(ethers.toBeHex(0, 32));
    });
  });
});
