// A token that burns 1 % of every transfer: the market and the vault must credit what arrived,
// or their books would promise more tokens than they hold.
const { expect } = require("chai");
const { ethers } = require("hardhat");
const { loadFixture, time } = require("@nomicfoundation/hardhat-network-helpers");
const h = require("../helpers");

const { E, Status } = h;

async function fixture() {
  const token = await (await ethers.getContractFactory("FeeOnTransferToken")).deploy();
  return h.world({ token });
}

describe("attack: fee-on-transfer token", function () {
  it("a deposit is credited what arrives, keeping the books equal to the holdings", async function () {
    const w = await loadFixture(fixture);
    const [, , , , alice] = await ethers.getSigners();
    const held = await w.token.balanceOf(await w.market.getAddress());
    await w.token.mint(alice.address, E(100));
    await w.token.connect(alice).approve(w.market, ethers.MaxUint256);
    await expect(w.market.connect(alice).deposit(E(100))).to.emit(w.market, "Deposited").withArgs(alice.address, E(99));
    expect(await w.token.balanceOf(await w.market.getAddress())).to.equal(held + E(99));
    await w.market.connect(alice).withdraw(E(99));
    expect(await w.token.balanceOf(await w.market.getAddress())).to.equal(held);
    expect(await w.token.balanceOf(alice.address)).to.equal(E(98.01));
  });

  it("stake is credited what arrives", async function () {
    const w = await loadFixture(fixture);
    // world staked 100,000: the vault received and credited 99,000
    expect((await w.vault.accountOf(w.provider.address)).stake).to.equal(E(99_000));
    expect(await w.token.balanceOf(await w.vault.getAddress())).to.equal(E(99_000));
  });

  it("an expiry's penalty credits the client what the vault's transfer delivered", async function () {
    const w = await loadFixture(fixture);
    const { id, job } = await h.createJob(w, { taskCount: 10 });
    await h.accept(w, id, job);
    await time.increaseTo(job.deadline + 1n);
    const m = h.money(w.params, E(1), 10);
    // the vault sends the owed amount; 1 % of it burns on the way
    const delivered = m.expiryOwed - m.expiryOwed / 100n;
    const before = await w.market.balanceOf(w.client.address);
    await expect(w.market.expire([id], [job])).to.emit(w.market, "JobExpired").withArgs(id, m.price + delivered, delivered);
    expect(await w.market.balanceOf(w.client.address)).to.equal(before + m.price + delivered);
    expect((await w.market.getJob(id)).status).to.equal(Status.Expired);
    const ledger = await w.market.ledger();
    const balances = (await Promise.all([w.deployer, w.client, w.provider, w.other].map((a) => w.market.balanceOf(a.address)))).reduce((a, b) => a + b);
    expect(await w.token.balanceOf(await w.market.getAddress())).to.equal(balances + ledger.verificationPool + ledger.protocolFees + ledger.courtHold_);
  });
});
