// Random operations by many actors against one deployment, checking the accounting invariants
// after every step, then a keeper run that must leave every job in a terminal state.
//   INVARIANT_OPS=10000 INVARIANT_SEED=1 npx hardhat test tests/contracts/invariant.test.js
const { expect } = require("chai");
const { ethers } = require("hardhat");
const { time, mine } = require("@nomicfoundation/hardhat-network-helpers");
const h = require("./helpers");

const { E, Status } = h;
const OPS = Number(process.env.INVARIANT_OPS ?? 10_000);
const SEED = Number(process.env.INVARIANT_SEED ?? 20261127);
const PARAMS = h.defaultParams({ auditRateBps: 3000, auditRewardBps: 1500, clientAuditFeeBps: 2000, challengeWindow: 300, auditWindow: 600, disputeWindow: 900 });
// A fixed gas limit skips the node's gas estimation, which would run every transaction twice.
const G = { gasLimit: 10_000_000 };
const LIVE = new Set([Status.Created, Status.Submitted, Status.Auditing, Status.Disputed]);

/** mulberry32: a small seeded generator, so a failing run can be replayed. */
function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n) => Math.floor(next() * n), pick: (xs) => xs[Math.floor(next() * xs.length)] };
}

describe("invariants under random operations", function () {
  it(`${OPS} random operations by 9 actors keep the books balanced; a keeper ends every job`, async function () {
    const rnd = prng(SEED);
    const signers = await ethers.getSigners();
    const [deployer, c1, c2, p1, p2, v1, v2, v3, v4, keeper] = signers;
    const clients = [c1, c2];
    const providers = [p1, p2];
    const verifiers = [v1, v2, v3, v4];
    const actors = [c1, c2, p1, p2, v1, v2, v3, v4, keeper];
    const accounts = [deployer, ...actors].map((a) => a.address);
    const { token, vault, market } = await h.deploySystem({ params: PARAMS });
    const probe = await (await ethers.getContractFactory("InvariantProbe")).deploy();
    const addrs = { market: market.target, vault: vault.target, token: token.target };
    for (const a of actors) {
      await token.mint(a.address, E(1_000_000));
      await token.connect(a).approve(vault, ethers.MaxUint256);
      await token.connect(a).approve(market, ethers.MaxUint256);
    }
    for (const p of providers) await vault.connect(p).stake(h.Role.Provider, E(20_000), G);
    for (const v of verifiers) {
      await vault.connect(v).stake(h.Role.Verifier, E(60), G);
      await market.connect(v).deposit(E(50), G);
    }
    for (const c of clients) await market.connect(c).deposit(E(5_000), G);

    const offers = new Map();
    async function newOffer(p, nonce) {
      const offer = { provider: p.address, modelId: ethers.id("m"), unitPrice: E(rnd.pick([0.1, 1, 3])), maxTasks: 64, expiry: (await time.latest()) + 10_000_000, region: h.ZERO, nonce };
      offers.set(p.address, { offer, sig: await h.signOffer(p, market, offer) });
    }
    for (const p of providers) await newOffer(p, 1);

    const jobs = new Map(); // id -> { record, status, price, collateral, bond }
    const byAddress = new Map(signers.map((s) => [s.address, s]));
    const interfaces = [market.interface, vault.interface, token.interface];
    const counts = {};

    function apply(receipt) {
      for (const log of receipt.logs) {
        if (log.address !== market.target) continue;
        const ev = market.interface.parseLog(log);
        if (!ev) continue;
        const id = ev.args[0];
        const j = jobs.get(id);
        switch (ev.name) {
          case "JobCreated": {
            const [, client, provider, modelId, unitPrice, taskCount, deadline, tasksRoot, manifestHash] = ev.args;
            const record = { client, provider, modelId, unitPrice, taskCount, deadline, tasksRoot, manifestHash, resultRoot: h.ZERO, outputsHash: h.ZERO, submittedAt: 0n, submitBlock: 0n };
            const price = unitPrice * taskCount;
            jobs.set(id, { record, status: Status.Created, price, collateral: (price * BigInt(PARAMS.collateralMultiplierBps)) / 10_000n, bond: 0n });
            break;
          }
          case "ResultSubmitted":
            j.record = { ...j.record, resultRoot: ev.args[1], outputsHash: ev.args[2], submittedAt: ev.args[3], submitBlock: ev.args[4] };
            j.status = Status.Submitted;
            break;
          case "AuditAssigned": j.status = Status.Auditing; break;
          case "DisputeOpened": j.status = Status.Disputed; j.bond = ev.args[2]; break;
          case "JobSettled": j.status = Status.Settled; break;
          case "JobExpired": j.status = Status.Expired; break;
          case "DisputeResolved": if (ev.args[1]) j.status = Status.Slashed; break;
          default: break;
        }
      }
    }

    async function send(name, txPromise) {
      try {
        const receipt = await (await txPromise).wait();
        apply(receipt);
        counts[name] = (counts[name] ?? 0) + 1;
      } catch (e) {
        const data = e.data ?? e.error?.data;
        const parsed = data && interfaces.map((i) => { try { return i.parseError(data); } catch { return null; } }).find(Boolean);
        if (!parsed) throw e; // only the contracts' own refusals are expected
        counts[`${name}:${parsed.name}`] = (counts[`${name}:${parsed.name}`] ?? 0) + 1;
      }
    }

    async function check(step) {
      const t = await probe.totals(addrs.market, addrs.vault, addrs.token, accounts, { blockTag: "latest" });
      let escrow = 0n;
      const inFlight = new Map(providers.map((p) => [p.address, 0n]));
      for (const j of jobs.values()) {
        if (!LIVE.has(j.status)) continue;
        escrow += j.price + j.bond;
        inFlight.set(j.record.provider, inFlight.get(j.record.provider) + j.collateral);
      }
      expect(t.marketHeld, `market books at step ${step}`).to.equal(t.balances + escrow + t.pools);
      expect(t.vaultHeld, `vault books at step ${step}`).to.equal(t.stakes);
      providers.forEach((p) => {
        const i = accounts.indexOf(p.address);
        expect(t.locked[i], `collateral of ${p.address} at step ${step}`).to.equal(t.freeCollateral[i] + inFlight.get(p.address));
      });
    }

    const withStatus = (s) => [...jobs.entries()].filter(([, j]) => j.status === s);

    const ops = [
      [6, async () => {
        const client = rnd.pick(clients);
        const p = rnd.pick(providers);
        const { offer, sig } = offers.get(p.address);
        const n = 1 + rnd.int(64);
        await send("createJob", market.connect(client).createJob(offer, sig, n, ethers.id(`t${rnd.next()}`), ethers.id("m"), (await time.latest()) + 200 + rnd.int(2000), G));
      }],
      [2, async () => {
        const client = rnd.pick(clients);
        const deadline = (await time.latest()) + 200 + rnd.int(2000);
        const reqs = [0, 1, 2].map(() => {
          const { offer, sig } = offers.get(rnd.pick(providers).address);
          return { offer, offerSig: sig, taskCount: 1 + rnd.int(16), tasksRoot: ethers.id(`t${rnd.next()}`), manifestHash: h.ZERO, deadline };
        });
        await send("createJobs", market.connect(client).createJobs(reqs, G));
      }],
      [6, async () => {
        const created = withStatus(Status.Created);
        if (!created.length) return;
        const [id, j] = rnd.pick(created);
        const p = byAddress.get(j.record.provider);
        const r = { jobId: id, tasksRoot: j.record.tasksRoot, resultRoot: ethers.id(`r${id}`), outputsHash: ethers.id(`o${id}`) };
        await send("submitResult", market.connect(rnd.pick(actors)).submitResult(id, j.record, r.resultRoot, r.outputsHash, await h.signResult(p, market, r), G));
      }],
      [5, async () => {
        const ready = withStatus(Status.Submitted).slice(0, 1 + rnd.int(3));
        if (!ready.length) return;
        await send("settle", market.connect(keeper).settle(ready.map(([id]) => id), ready.map(([, j]) => j.record), G));
      }],
      [2, async () => {
        const created = withStatus(Status.Created);
        if (!created.length) return;
        const [id, j] = rnd.pick(created);
        await send("expire", market.connect(keeper).expire([id], [j.record], G));
      }],
      [1, async () => {
        const subs = withStatus(Status.Submitted);
        if (!subs.length) return;
        const [id, j] = rnd.pick(subs);
        await send("requestAudit", market.connect(byAddress.get(j.record.client)).requestAudit(id, j.record, G));
      }],
      [4, async () => {
        const cands = [...withStatus(Status.Auditing), ...withStatus(Status.Submitted)];
        if (!cands.length) return;
        const [id, j] = rnd.pick(cands);
        let verifier;
        try { verifier = (await market.auditDraw(id, j.record)).verifier; } catch { return; }
        if (verifier === ethers.ZeroAddress) return;
        await send("submitVerdict", market.connect(byAddress.get(verifier)).submitVerdict(id, j.record, rnd.next() < 0.8, h.ZERO, G));
      }],
      [3, async () => {
        const disputes = withStatus(Status.Disputed);
        if (!disputes.length) return;
        const [id, j] = rnd.pick(disputes);
        const { committee } = (await market.getJob(id)).dispute;
        const voter = committee.length && rnd.next() < 0.9 ? byAddress.get(rnd.pick(committee)) : rnd.pick(actors);
        await send("vote", market.connect(voter).vote(id, j.record, rnd.next() < 0.5, G));
      }],
      [2, async () => {
        const disputes = withStatus(Status.Disputed);
        if (!disputes.length) return;
        const [id, j] = rnd.pick(disputes);
        await send("resolveDispute", market.connect(keeper).resolveDispute(id, j.record, G));
      }],
      [1, async () => {
        const audits = withStatus(Status.Auditing);
        if (!audits.length) return;
        const [id, j] = rnd.pick(audits);
        await send("timeoutAudit", market.connect(keeper).timeoutAudit(id, j.record, G));
      }],
      [1, async () => {
        const subs = withStatus(Status.Submitted);
        if (!subs.length) return;
        const [id, j] = rnd.pick(subs);
        await send("recordDraw", market.connect(keeper).recordDraw(id, j.record, G));
      }],
      [3, async () => send("deposit", market.connect(rnd.pick(actors)).deposit(E(1 + rnd.int(500)), G))],
      [3, async () => {
        const a = rnd.pick(actors);
        const balance = await market.balanceOf(a.address);
        await send("withdraw", market.connect(a).withdraw(rnd.next() < 0.9 ? balance / BigInt(1 + rnd.int(4)) : balance + 1n, G));
      }],
      [1, async () => {
        const p = rnd.pick(providers);
        await send(rnd.next() < 0.5 ? "lockCollateral" : "releaseCollateral",
          rnd.next() < 0.5 ? market.connect(p).lockCollateral(E(1 + rnd.int(500)), G) : market.connect(p).releaseCollateral(E(1 + rnd.int(500)), G));
      }],
      [1, async () => {
        const a = rnd.pick([...providers, ...verifiers]);
        const choice = rnd.int(3);
        const role = providers.includes(a) ? h.Role.Provider : h.Role.Verifier;
        if (choice === 0) await send("stake", vault.connect(a).stake(role, E(1 + rnd.int(100)), G));
        else if (choice === 1) await send("requestUnstake", vault.connect(a).requestUnstake(E(1 + rnd.int(30)), G));
        else await send("withdrawUnstaked", vault.connect(a).withdrawUnstaked(G));
      }],
      [1, async () => {
        const p = rnd.pick(providers);
        const { offer } = offers.get(p.address);
        await send("cancelOffer", market.connect(p).cancelOffer(offer, G));
        await newOffer(p, offer.nonce + 1);
      }],
      [1, async () => send("claimProtocolFees", market.connect(rnd.pick(actors)).claimProtocolFees(G))],
      [4, async () => {
        await time.increase(1 + rnd.int(400));
        counts.time = (counts.time ?? 0) + 1;
      }],
    ];
    const total = ops.reduce((a, [w]) => a + w, 0);

    await check(0);
    for (let step = 1; step <= OPS; step++) {
      let r = rnd.int(total);
      const op = ops.find(([w]) => (r -= w) < 0)[1];
      await op();
      await check(step);
    }

    // Keeper: after every deadline and window, drive each job to a terminal state.
    for (let round = 0; round < 6 && [...jobs.values()].some((j) => LIVE.has(j.status)); round++) {
      await time.increase(10_000);
      await mine(2);
      for (const [id, j] of jobs) {
        const calls = {
          [Status.Created]: () => market.connect(keeper).expire([id], [j.record], G),
          [Status.Submitted]: () => market.connect(keeper).settle([id], [j.record], G),
          [Status.Auditing]: () => market.connect(keeper).timeoutAudit(id, j.record, G),
          [Status.Disputed]: () => market.connect(keeper).resolveDispute(id, j.record, G),
        };
        if (calls[j.status]) await send(`keeper:${j.status}`, calls[j.status]());
      }
      await check(`keeper round ${round}`);
    }
    for (const [id] of jobs) {
      expect(LIVE.has(Number((await market.getJob(id)).status)), `job ${id} terminal on-chain`).to.equal(false);
    }
    expect(jobs.size).to.be.greaterThan(OPS / 20);
    const terminal = [Status.Settled, Status.Slashed, Status.Expired].map((s) => withStatus(s).length);
    for (const n of terminal) expect(n).to.be.greaterThan(0);
    if (process.env.INVARIANT_VERBOSE) console.log({ jobs: jobs.size, terminal, counts });
  });
});
