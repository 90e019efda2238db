// A token whose transfer calls back into the market tries to withdraw twice.
const { expect } = require("chai");
const { ethers } = require("hardhat");
const { loadFixture } = require("@nomicfoundation/hardhat-network-helpers");
const h = require("../helpers");

const { E } = h;

async function fixture() {
  const token = await (await ethers.getContractFactory("ReentrantToken")).deploy();
  return h.world({ token });
}

describe("attack: reentrancy through a malicious token", function () {
  it("a withdraw re-entered from the token's transfer reverts and moves nothing", async function () {
    const w = await loadFixture(fixture);
    await w.token.mint(await w.token.getAddress(), E(10));
    const held = await w.token.balanceOf(await w.market.getAddress());
    await w.token.arm(await w.market.getAddress());
    await expect(w.market.connect(w.client).withdraw(E(5))).to.be.revertedWithCustomError(w.market, "ReentrancyGuardReentrantCall");
    expect(await w.market.balanceOf(w.client.address)).to.equal(E(100_000));
    expect(await w.token.balanceOf(await w.market.getAddress())).to.equal(held);
  });

  it("the same withdraw succeeds once the token stops re-entering", async function () {
    const w = await loadFixture(fixture);
    await w.token.arm(ethers.ZeroAddress);
    await w.market.connect(w.client).withdraw(E(5));
    expect(await w.market.balanceOf(w.client.address)).to.equal(E(99_995));
  });
});
