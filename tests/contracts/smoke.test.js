const { expect } = require("chai");
const { ethers } = require("hardhat");
const { time, mine } = require("@nomicfoundation/hardhat-network-helpers");
const h = require("./helpers");

describe("smoke", function () {
  it("runs a job from create to settle", async function () {
    const [, client, provider, v1] = await ethers.getSigners();
    const { token, vault, market } = await h.deploySystem({ params: h.defaultParams({ auditRateBps: 1000 }) });
    for (const a of [client, provider, v1]) await token.mint(a.address, ethers.parseEther("100000"));
    await token.connect(provider).approve(vault, ethers.MaxUint256);
    await vault.connect(provider).stake(1, ethers.parseEther("10000"));
    await token.connect(v1).approve(vault, ethers.MaxUint256);
    await vault.connect(v1).stake(2, ethers.parseEther("100"));
    await token.connect(client).approve(market, ethers.MaxUint256);
    await market.connect(client).deposit(ethers.parseEther("1000"));
    const now = await time.latest();
    const offer = { provider: provider.address, modelId: ethers.id("m"), unitPrice: ethers.parseEther("1"), maxTasks: 100, expiry: now + 10000, region: h.ZERO, nonce: 1 };
    const sig = await h.signOffer(provider, market, offer);
    await market.connect(client).createJob(offer, sig, 3, ethers.id("t"), ethers.id("m"), now + 1000);
    const job = h.jobRecord({ client: client.address, offer, taskCount: 3, tasksRoot: ethers.id("t"), manifestHash: ethers.id("m"), deadline: now + 1000 });
    expect((await market.getJob(1)).status).to.equal(h.Status.Created);
    const rsig = await h.signResult(provider, market, { jobId: 1, tasksRoot: job.tasksRoot, resultRoot: ethers.id("r"), outputsHash: ethers.id("o") });
    const rc = await (await market.submitResult(1, job, ethers.id("r"), ethers.id("o"), rsig)).wait();
    const sub = await h.submittedRecord(job, ethers.id("r"), ethers.id("o"), rc);
    await time.increase(700);
    await mine(2);
    const draw = await market.auditDraw(1, sub);
    if (draw.audited) {
      await market.connect(v1).submitVerdict(1, sub, true, h.ZERO);
    } else {
      await market.settle([1], [sub]);
    }
    expect((await market.getJob(1)).status).to.equal(h.Status.Settled);
    expect(await market.balanceOf(provider.address)).to.equal(ethers.parseEther("3"));
  });
});
