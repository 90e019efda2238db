const { expect } = require("chai");
const { ethers } = require("hardhat");
const { loadFixture, time } = require("@nomicfoundation/hardhat-network-helpers");

async function fixture() {
  const [owner, alice, bob] = await ethers.getSigners();
  const token = await (await ethers.getContractFactory("ComputeToken")).deploy(ethers.parseEther("1000"));
  return { token, owner, alice, bob };
}

describe("ComputeToken", function () {
  it("has its name, symbol, decimals and the initial supply at the deployer", async function () {
    const { token, owner } = await loadFixture(fixture);
    expect(await token.name()).to.equal("Compute Token");
    expect(await token.symbol()).to.equal("COMPUTE");
    expect(await token.decimals()).to.equal(18);
    expect(await token.totalSupply()).to.equal(ethers.parseEther("1000"));
    expect(await token.balanceOf(owner.address)).to.equal(ethers.parseEther("1000"));
  });

  it("the owner mints; nobody else can", async function () {
    const { token, alice } = await loadFixture(fixture);
    await expect(token.mint(alice.address, 5)).to.emit(token, "Transfer").withArgs(ethers.ZeroAddress, alice.address, 5);
    await expect(token.connect(alice).mint(alice.address, 5)).to.be.revertedWithCustomError(token, "OwnableUnauthorizedAccount").withArgs(alice.address);
  });

  it("accepts an EIP-2612 permit and refuses an expired one", async function () {
    const { token, owner, bob } = await loadFixture(fixture);
    const deadline = (await time.latest()) + 100;
    const types = { Permit: [{ name: "owner", type: "address" }, { name: "spender", type: "address" }, { name: "value", type: "uint256" }, { name: "nonce", type: "uint256" }, { name: "deadline", type: "uint256" }] };
    const domain = { name: "Compute Token", version: "1", chainId: 31337, verifyingContract: await token.getAddress() };
    const sig = ethers.Signature.from(await owner.signTypedData(domain, types, { owner: owner.address, spender: bob.address, value: 7, nonce: 0, deadline }));
    await token.permit(owner.address, bob.address, 7, deadline, sig.v, sig.r, sig.s);
    expect(await token.allowance(owner.address, bob.address)).to.equal(7);
    await time.increase(200);
    const late = ethers.Signature.from(await owner.signTypedData(domain, types, { owner: owner.address, spender: bob.address, value: 9, nonce: 1, deadline }));
    await expect(token.permit(owner.address, bob.address, 9, deadline, late.v, late.r, late.s)).to.be.revertedWithCustomError(token, "ERC2612ExpiredSignature").withArgs(deadline);
  });
});
