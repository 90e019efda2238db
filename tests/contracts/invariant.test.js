// Random operations by many actors against one deployment of market, court and vault, checking
// the accounting invariants after every step, then a keeper run that must leave every job in a
// terminal state.
//   INVARIANT_OPS=10000 INVARIANT_SEED=1 npx hardhat test tests/contracts/invariant.test.js
const { expect } = require("chai");
const { ethers } = require("hardhat");
const { time, mine } = require("@nomicfoundation/hardhat-network-helpers");
const h = require("./helpers");

const { E, Status } = h;
const OPS = Number(process.env.INVARIANT_OPS ?? 10_000);
const SEED = Number(process.env.INVARIANT_SEED ?? 20261127);
// Frequent audits, so that verdicts, timeouts and disputes are common.
const PARAMS = h.defaultParams({ auditRateBps: 3000, auditRewardBps: 1500, clientAuditFeeBps: 2000, challengeWindow: 300 });
// Short windows and small committees (3, 7 and 15 members), so that disputes run their course.
const COURT = h.defaultCourtParams({ auditWindow: 1200, commitWindow: 600, revealWindow: 600, appealWindow: 600, passAppealWindow: 600, committeeSize: 3 });
const EPOCH = h.VAULT_LIMITS.epochLength;
const UNBONDING = 2 * COURT.auditWindow + COURT.passAppealWindow + 3 * (COURT.commitWindow + COURT.revealWindow + COURT.appealWindow) + EPOCH;
// A fixed gas limit skips the node's gas estimation, which would run every transaction twice.
const G = { gasLimit: 15_000_000 };
const OPEN = new Set([Status.Created, Status.Accepted, Status.Submitted, Status.Unaudited, Status.Auditing, Status.Disputed]);
const coder = ethers.AbiCoder.defaultAbiCoder();

/**
 * mulberry32: a small seeded generator, so that a failing run can be replayed: the same seed makes
 * the same choices. (The draws themselves follow block hashes, which follow the node's clock.)
 */
function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n) => Math.floor(next() * n), pick: (xs) => xs[Math.floor(next() * xs.length)], chance: (p) => next() < p };
}

describe("invariants under random operations", function () {
  it(`${OPS} random operations by 19 actors keep the books balanced; a keeper ends every job`, async function () {
    const rnd = prng(SEED);
    const signers = await ethers.getSigners();
    const [deployer, c1, c2, p1, p2] = signers;
    const verifiers = signers.slice(5, 16);
    const keeper = signers[16];
    const appellants = signers.slice(17, 20);
    const clients = [c1, c2];
    // two verifiers never deliver a verdict nor vote: their audits time out, their seats stay silent
    const lazy = new Set(verifiers.slice(9).map((v) => v.address));
    const providers = [p1, p2];
    const actors = [c1, c2, p1, p2, ...verifiers, keeper, ...appellants];
    const accounts = signers.map((s) => s.address);
    // the reference deployment with a shorter unbonding delay (still covering the longest
    // dispute), so that unstaked stake is withdrawn during the run
    const token = await (await ethers.getContractFactory("ComputeToken")).deploy(E(1_000_000_000));
    const L = h.VAULT_LIMITS;
    const vault = await (await ethers.getContractFactory("StakingVault")).deploy(token, L.minProviderStake, L.minVerifierStake, UNBONDING, EPOCH);
    const market = await (await ethers.getContractFactory("JobMarket")).deploy(token, vault, deployer.address, PARAMS);
    const court = await (await ethers.getContractFactory("AuditCourt")).deploy(market, vault, COURT);
    await market.setCourt(court);
    await vault.setMarket(market);
    const probe = await (await ethers.getContractFactory("InvariantProbe")).deploy();
    const addrs = { market: market.target, vault: vault.target, court: court.target, token: token.target };
    for (const a of actors) {
      await token.mint(a.address, E(1_000_000));
      await token.connect(a).approve(vault, ethers.MaxUint256);
      await token.connect(a).approve(market, ethers.MaxUint256);
    }
    for (const p of providers) {
      await vault.connect(p).stake(h.Role.Provider, E(20_000), G);
      await market.connect(p).lockCollateral(E(10_000), G);
    }
    for (const v of verifiers) {
      await vault.connect(v).stake(h.Role.Verifier, E(60 + rnd.int(100)), G);
      await market.connect(v).deposit(E(200), G);
    }
    for (const a of appellants) await market.connect(a).deposit(E(1_000), G);
    for (const c of clients) await market.connect(c).deposit(E(20_000), G);
    await time.increase(EPOCH);

    const offers = new Map();
    async function newOffer(p, nonce) {
      const offer = {
        provider: p.address, modelId: ethers.id("m"), unitPrice: E(rnd.pick([0.1, 1, 3])), maxTasks: 64, minTurnaround: 0,
        expiry: (await time.latest()) + 100_000_000, region: h.ZERO, nonce,
      };
      offers.set(p.address, { offer, sig: await h.signOffer(p, market, offer) });
    }
    for (const p of providers) await newOffer(p, 1);

    // What the test knows of each job, from the events: record, status, money, audit and dispute.
    const jobs = new Map();
    const byAddress = new Map(signers.map((s) => [s.address, s]));
    const interfaces = [market.interface, court.interface, vault.interface, token.interface];
    const counts = {};

    function tally(ev, suffix = "") {
      const key = `event:${ev.name}${suffix}`;
      counts[key] = (counts[key] ?? 0) + 1;
    }

    function onMarket(ev) {
      tally(ev, ev.name === "DrawRecorded" && ev.args.seed === h.ZERO ? "(lapsed)" : "");
      const id = ev.args[0];
      const j = jobs.get(id);
      switch (ev.name) {
        case "JobCreated": {
          const [, client, provider, modelId, unitPrice, taskCount, deadline, tasksRoot, manifestHash] = ev.args;
          const record = { client, provider, modelId, unitPrice, taskCount, deadline, tasksRoot, manifestHash, resultRoot: h.ZERO, outputsHash: h.ZERO, submittedAt: 0n, submitBlock: 0n };
          const price = unitPrice * taskCount;
          jobs.set(id, { id, record, status: Status.Created, price, collateral: (price * BigInt(PARAMS.collateralMultiplierBps)) / 10_000n, audit: null, rounds: [] });
          break;
        }
        case "JobAccepted": j.status = Status.Accepted; break;
        case "ResultSubmitted":
          j.record = { ...j.record, resultRoot: ev.args[1], outputsHash: ev.args[2], submittedAt: ev.args[3], submitBlock: ev.args[4] };
          j.status = Status.Submitted;
          break;
        case "DrawRecorded": j.status = ev.args[2] ? Status.Auditing : Status.Unaudited; break;
        case "AuditRequested": j.status = Status.Auditing; break;
        case "JobSettled": j.status = Status.Settled; break;
        case "JobExpired": j.status = Status.Expired; break;
        default: break;
      }
    }

    function onCourt(ev) {
      if (ev.name === "RoundOpened") tally(ev, `(round ${ev.args.round})`);
      else if (ev.name === "DisputeResolved") tally(ev, ev.args.providerWrong ? "(provider wrong)" : "(provider right)");
      else tally(ev);
      const id = ev.args[0];
      const j = jobs.get(id);
      switch (ev.name) {
        case "AuditOpened":
          j.audit = { ...(j.audit ?? {}), phase: ev.args.ticket === 0n ? "opening" : "awaiting" };
          break;
        case "AuditAssigned": j.audit = { ...j.audit, phase: "assigned", verifier: ev.args.verifier, deadline: ev.args.deadline }; break;
        case "DrawReanchored": break;
        case "VerdictSubmitted":
          if (ev.args.pass) j.audit.phase = "passed";
          else { j.status = Status.Disputed; j.audit.phase = "disputed"; }
          break;
        case "PassAppealed": j.status = Status.Disputed; j.audit.phase = "disputed"; break;
        case "PassFinalized": j.audit.phase = "done"; break;
        case "AuditAbandoned": j.audit.phase = "done"; break;
        case "RoundOpened": j.rounds.push({ drawn: false, closed: false, votes: new Map() }); break;
        case "CommitteeDrawn": {
          const round = j.rounds[Number(ev.args.round)];
          Object.assign(round, { drawn: true, members: [...ev.args.members], commitDeadline: ev.args.commitDeadline, revealDeadline: ev.args.revealDeadline });
          break;
        }
        case "RoundClosed": {
          const round = j.rounds[Number(ev.args.round)];
          Object.assign(round, { closed: true, appealDeadline: ev.args.appealDeadline });
          break;
        }
        case "DisputeResolved": if (ev.args.providerWrong) j.status = Status.Slashed; break;
        default: break;
      }
    }

    function apply(receipt) {
      for (const log of receipt.logs) {
        if (log.address === addrs.market) {
          const ev = market.interface.parseLog(log);
          if (ev) onMarket(ev);
        } else if (log.address === addrs.court) {
          const ev = court.interface.parseLog(log);
          if (ev) onCourt(ev);
        }
      }
    }

    /** Sends a transaction; a refusal by one of the contracts' own custom errors is counted, anything else fails the test. */
    async function send(name, txPromise) {
      try {
        const receipt = await (await txPromise).wait();
        apply(receipt);
        counts[name] = (counts[name] ?? 0) + 1;
        return true;
      } catch (e) {
        const data = e.data ?? e.error?.data;
        const parsed = data && interfaces.map((i) => { try { return i.parseError(data); } catch { return null; } }).find(Boolean);
        if (!parsed) throw e;
        counts[`${name}:${parsed.name}`] = (counts[`${name}:${parsed.name}`] ?? 0) + 1;
        return false;
      }
    }

    async function check(step) {
      const disputed = [...jobs.values()].filter((j) => j.status === Status.Disputed).map((j) => j.id);
      const t = await probe.totals(addrs.market, addrs.vault, addrs.court, addrs.token, accounts, disputed);
      let escrow = 0n;
      const inFlight = new Map(providers.map((p) => [p.address, 0n]));
      for (const j of jobs.values()) {
        if (!OPEN.has(j.status)) continue;
        escrow += j.price;
        inFlight.set(j.record.provider, inFlight.get(j.record.provider) + j.collateral);
      }
      expect(t.marketHeld, `market books at step ${step}`).to.equal(t.balances + escrow + t.pools);
      expect(t.vaultHeld, `vault books at step ${step}`).to.equal(t.stakes);
      expect(t.held, `court holdings at step ${step}`).to.equal(t.courtHold);
      for (const p of providers) {
        const i = accounts.indexOf(p.address);
        expect(t.locked[i], `collateral of ${p.address} at step ${step}`).to.equal(t.freeCollateral[i] + inFlight.get(p.address));
      }
    }

    const withStatus = (...statuses) => [...jobs.values()].filter((j) => statuses.includes(j.status));
    const auditsIn = (phase) => withStatus(Status.Auditing).filter((j) => j.audit?.phase === phase);
    const lastRound = (j) => j.rounds[j.rounds.length - 1];
    const disputesWhere = (pred) => withStatus(Status.Disputed).filter((j) => pred(lastRound(j), j));
    const saltOf = (id, r, member) => ethers.id(`${id}:${r}:${member}`);
    const commitmentOf = (id, r, member, wrong) => ethers.keccak256(coder.encode(["uint256", "uint256", "address", "bool", "bytes32"], [id, r, member, wrong, saltOf(id, r, member)]));
    /** A committee member, or now and then someone who is not one. */
    /** Mostly jobs still before their deadline, now and then any. */
    const beforeDeadline = async (list) => {
      if (rnd.chance(0.05)) return list;
      const now = BigInt(await time.latest());
      return list.filter((j) => j.record.deadline > now);
    };
    const memberOr = (members) => (members.length && !rnd.chance(0.1) ? byAddress.get(rnd.pick(members)) : rnd.pick(actors));

    const ops = [
      [6, "createJob", async () => {
        const client = rnd.pick(clients);
        const { offer, sig } = offers.get(rnd.pick(providers).address);
        await send("createJob", market.connect(client).createJob(offer, sig, 1 + rnd.int(64), ethers.id(`t${rnd.next()}`), ethers.id("m"), (await time.latest()) + 600 + rnd.int(4000), G));
      }],
      [1, "createJobs", async () => {
        const deadline = (await time.latest()) + 600 + rnd.int(4000);
        const reqs = [0, 1, 2].map(() => {
          const { offer, sig } = offers.get(rnd.pick(providers).address);
          return { offer, offerSig: sig, taskCount: 1 + rnd.int(16), tasksRoot: ethers.id(`t${rnd.next()}`), manifestHash: h.ZERO, deadline };
        });
        await send("createJobs", market.connect(rnd.pick(clients)).createJobs(reqs, G));
      }],
      [3, "acceptJob", async () => {
        const created = await beforeDeadline(withStatus(Status.Created));
        if (!created.length) return;
        const j = rnd.pick(created);
        const caller = rnd.chance(0.9) ? byAddress.get(j.record.provider) : rnd.pick(actors);
        await send("acceptJob", market.connect(caller).acceptJob(j.id, j.record, G));
      }],
      [7, "submitResult", async () => {
        const open = await beforeDeadline(withStatus(Status.Created, Status.Accepted));
        if (!open.length) return;
        const j = rnd.pick(open);
        const p = byAddress.get(j.record.provider);
        const r = { jobId: j.id, tasksRoot: j.record.tasksRoot, resultRoot: ethers.id(`r${j.id}`), outputsHash: ethers.id(`o${j.id}`) };
        if (rnd.chance(0.3)) await send("submitResult", market.connect(p).submitResult(j.id, j.record, r.resultRoot, r.outputsHash, "0x", G));
        else await send("submitResult", market.connect(rnd.pick(actors)).submitResult(j.id, j.record, r.resultRoot, r.outputsHash, await h.signResult(p, market, r), G));
      }],
      [3, "recordDraw", async () => {
        const subs = withStatus(Status.Submitted).slice(0, 1 + rnd.int(3));
        if (!subs.length) return;
        await send("recordDraw", market.connect(keeper).recordDraw(subs.map((j) => j.id), subs.map((j) => j.record), G));
      }],
      [4, "settle", async () => {
        const ready = withStatus(Status.Submitted, Status.Unaudited).slice(0, 1 + rnd.int(3));
        if (!ready.length) return;
        await send("settle", market.connect(keeper).settle(ready.map((j) => j.id), ready.map((j) => j.record), G));
      }],
      [1, "requestAudit", async () => {
        const subs = withStatus(Status.Submitted, Status.Unaudited);
        if (!subs.length) return;
        const j = rnd.pick(subs);
        const caller = rnd.chance(0.9) ? byAddress.get(j.record.client) : rnd.pick(actors);
        await send("requestAudit", market.connect(caller).requestAudit(j.id, j.record, G));
      }],
      [2, "expire", async () => {
        const open = withStatus(Status.Created, Status.Accepted);
        if (!open.length) return;
        const j = rnd.pick(open);
        await send("expire", market.connect(keeper).expire([j.id], [j.record], G));
      }],
      [4, "directVerdict", async () => {
        const subs = withStatus(Status.Submitted);
        if (!subs.length) return;
        const j = rnd.pick(subs);
        const { verifier } = await court.pendingAuditor(j.id, j.record);
        if (verifier === ethers.ZeroAddress && rnd.chance(0.8)) return;
        if (lazy.has(verifier) && rnd.chance(0.9)) return;
        const caller = verifier !== ethers.ZeroAddress && rnd.chance(0.9) ? byAddress.get(verifier) : rnd.pick(verifiers);
        await send("directVerdict", court.connect(caller).submitVerdict(j.id, j.record, rnd.chance(0.75), h.ZERO, G));
      }],
      [5, "submitVerdict", async () => {
        const now = BigInt(await time.latest());
        const assigned = auditsIn("assigned").filter((j) => rnd.chance(0.1) || (j.audit.deadline > now && !lazy.has(j.audit.verifier)));
        if (!assigned.length) return;
        const j = rnd.pick(assigned);
        const caller = rnd.chance(0.9) ? byAddress.get(j.audit.verifier) : rnd.pick(verifiers);
        await send("submitVerdict", court.connect(caller).submitVerdict(j.id, j.record, rnd.chance(0.7), h.ZERO, G));
      }],
      [2, "appealPass", async () => {
        const passed = auditsIn("passed");
        if (!passed.length) return;
        const j = rnd.pick(passed);
        // the client, staked verifiers (the passing one among them), unstaked appellants or the provider
        const caller = rnd.pick([byAddress.get(j.record.client), ...verifiers, ...appellants, byAddress.get(j.record.provider)]);
        await send("appealPass", court.connect(caller).appealPass(j.id, j.record, G));
      }],
      [2, "finalizePass", async () => {
        const passed = auditsIn("passed");
        if (!passed.length) return;
        const j = rnd.pick(passed);
        await send("finalizePass", court.connect(rnd.pick(actors)).finalizePass(j.id, j.record, G));
      }],
      [2, "timeoutAudit", async () => {
        const now = BigInt(await time.latest());
        const assigned = auditsIn("assigned").filter((j) => rnd.chance(0.1) || j.audit.deadline < now);
        if (!assigned.length) return;
        const j = rnd.pick(assigned);
        await send("timeoutAudit", court.connect(keeper).timeoutAudit(j.id, j.record, G));
      }],
      [3, "assignAuditor", async () => {
        const awaiting = auditsIn("awaiting");
        if (!awaiting.length) return;
        const j = rnd.pick(awaiting);
        await send("assignAuditor", court.connect(rnd.pick(actors)).assignAuditor(j.id, j.record, G));
      }],
      [3, "drawCommittee", async () => {
        const undrawn = disputesWhere((r) => !r.drawn);
        if (!undrawn.length) return;
        const j = rnd.pick(undrawn);
        await send("drawCommittee", court.connect(rnd.pick(actors)).drawCommittee(j.id, j.record, G));
      }],
      [8, "commitVote", async () => {
        const now = BigInt(await time.latest());
        const open = disputesWhere((r) => r.drawn && !r.closed && (rnd.chance(0.1) || r.commitDeadline > now));
        if (!open.length) return;
        const j = rnd.pick(open);
        const r = j.rounds.length - 1;
        const round = lastRound(j);
        const seats = round.members.filter((m) => !round.votes.has(m) && !lazy.has(m));
        if (!seats.length && rnd.chance(0.9)) return;
        const member = memberOr(seats);
        const wrong = rnd.chance(0.6);
        if (await send("commitVote", court.connect(member).commitVote(j.id, commitmentOf(j.id, r, member.address, wrong), G))) {
          // some members lie: their reveal will not match what they committed
          round.votes.set(member.address, { wrong, lie: rnd.chance(0.1), revealed: false });
        }
      }],
      [8, "revealVote", async () => {
        const now = BigInt(await time.latest());
        const inReveal = (r) => r.revealDeadline > now && (r.commitDeadline < now || r.votes.size === r.members.length);
        const open = disputesWhere((r) => r.drawn && !r.closed && (rnd.chance(0.1) || inReveal(r)));
        if (!open.length) return;
        const j = rnd.pick(open);
        const r = j.rounds.length - 1;
        const round = lastRound(j);
        const pending = [...round.votes.entries()].filter(([, v]) => !v.revealed && !v.failed);
        if (!pending.length) return;
        const [address, vote] = rnd.pick(pending);
        const shown = vote.lie ? !vote.wrong : vote.wrong;
        if (await send("revealVote", court.connect(byAddress.get(address)).revealVote(j.id, shown, saltOf(j.id, r, address), G))) vote.revealed = true;
        else if (vote.lie) vote.failed = true;
      }],
      [2, "closeRound", async () => {
        const open = disputesWhere((r) => r.drawn && !r.closed);
        if (!open.length) return;
        await send("closeRound", court.connect(rnd.pick(actors)).closeRound(rnd.pick(open).id, G));
      }],
      [2, "appeal", async () => {
        const closed = disputesWhere((r) => r.closed);
        if (!closed.length) return;
        const j = rnd.pick(closed);
        const appellant = rnd.chance(0.8) ? rnd.pick(appellants) : rnd.pick(actors);
        await send("appeal", court.connect(appellant).appeal(j.id, j.record, G));
      }],
      [2, "resolveDispute", async () => {
        const closed = disputesWhere((r) => r.closed);
        if (!closed.length) return;
        const j = rnd.pick(closed);
        await send("resolveDispute", court.connect(rnd.pick(actors)).resolveDispute(j.id, j.record, G));
      }],
      [2, "deposit", async () => send("deposit", market.connect(rnd.pick(actors)).deposit(E(1 + rnd.int(300)), G))],
      [2, "withdraw", async () => {
        const a = rnd.pick(actors);
        const balance = await market.balanceOf(a.address);
        await send("withdraw", market.connect(a).withdraw(rnd.chance(0.9) ? balance / BigInt(2 + rnd.int(4)) : balance + 1n, G));
      }],
      [1, "collateral", async () => {
        const p = rnd.pick(providers);
        if (rnd.chance(0.5)) await send("lockCollateral", market.connect(p).lockCollateral(E(1 + rnd.int(2000)), G));
        else await send("releaseCollateral", market.connect(p).releaseCollateral(E(1 + rnd.int(2000)), G));
      }],
      [2, "staking", async () => {
        const a = rnd.pick([...providers, ...verifiers]);
        const role = providers.includes(a) ? h.Role.Provider : h.Role.Verifier;
        const choice = rnd.int(3);
        if (choice === 0) await send("stake", vault.connect(a).stake(role, E(1 + rnd.int(role === h.Role.Provider ? 2000 : 60)), G));
        else if (choice === 1) await send("requestUnstake", vault.connect(a).requestUnstake(E(1 + rnd.int(role === h.Role.Provider ? 2000 : 40)), G));
        else await send("withdrawUnstaked", vault.connect(a).withdrawUnstaked(G));
      }],
      [0.5, "cancelOffer", async () => {
        const p = rnd.pick(providers);
        const { offer } = offers.get(p.address);
        await send("cancelOffer", market.connect(p).cancelOffer(offer, G));
        await newOffer(p, offer.nonce + 1);
      }],
      [0.5, "claimProtocolFees", async () => send("claimProtocolFees", market.connect(rnd.pick(actors)).claimProtocolFees(G))],
      [5, "time", async () => {
        await time.increase(1 + rnd.int(200));
        counts.time = (counts.time ?? 0) + 1;
      }],
      [0.1, "epoch", async () => {
        await time.increase(EPOCH);
        counts.epoch = (counts.epoch ?? 0) + 1;
      }],
      [0.1, "lapse", async () => {
        // every seed ticket taken so far lapses
        await mine(300);
        counts.lapse = (counts.lapse ?? 0) + 1;
      }],
    ];
    const total = ops.reduce((sum, [w]) => sum + w, 0);
    function chooseOp() {
      let x = rnd.next() * total;
      for (const op of ops) {
        x -= op[0];
        if (x < 0) return op;
      }
      return ops[ops.length - 1];
    }

    await check("setup");
    for (let step = 0; step < OPS; step++) {
      const [, , run] = chooseOp();
      await run();
      await check(step);
    }

    // The keeper: anyone may end every job with the permissionless calls, given time.
    const terminal = new Set([Status.Settled, Status.Slashed, Status.Expired]);
    for (let pass = 0; pass < 60 && [...jobs.values()].some((j) => !terminal.has(j.status)); pass++) {
      await time.increase(Math.max(PARAMS.challengeWindow, COURT.auditWindow, COURT.revealWindow + COURT.commitWindow, 4600) + 1);
      await mine(2);
      for (const j of [...jobs.values()].filter((x) => !terminal.has(x.status))) {
        if (j.status === Status.Created || j.status === Status.Accepted) await send("keeper:expire", market.connect(keeper).expire([j.id], [j.record], G));
        else if (j.status === Status.Submitted || j.status === Status.Unaudited) await send("keeper:settle", market.connect(keeper).settle([j.id], [j.record], G));
        else if (j.status === Status.Auditing && j.audit.phase === "assigned") await send("keeper:timeoutAudit", court.connect(keeper).timeoutAudit(j.id, j.record, G));
        else if (j.status === Status.Auditing && j.audit.phase === "passed") await send("keeper:finalizePass", court.connect(keeper).finalizePass(j.id, j.record, G));
        else if (j.status === Status.Auditing) await send("keeper:assignAuditor", court.connect(keeper).assignAuditor(j.id, j.record, G));
        else if (j.status === Status.Disputed) {
          const round = lastRound(j);
          if (!round.drawn) await send("keeper:drawCommittee", court.connect(keeper).drawCommittee(j.id, j.record, G));
          else if (!round.closed) await send("keeper:closeRound", court.connect(keeper).closeRound(j.id, G));
          else await send("keeper:resolveDispute", court.connect(keeper).resolveDispute(j.id, j.record, G));
        }
        await check(`keeper ${j.id}`);
      }
    }
    const left = [...jobs.values()].filter((j) => !terminal.has(j.status));
    expect(left.map((j) => `${j.id}:${j.status}`), "jobs the keeper could not end").to.deep.equal([]);
    for (const j of jobs.values()) {
      expect((await market.getJob(j.id)).status, `status of job ${j.id}`).to.equal(j.status);
      expect(await court.heldFor(j.id), `court holding for job ${j.id}`).to.equal(0);
    }
    expect((await market.ledger()).courtHold_).to.equal(0);

    // every kind of step happened, and the court's paths were all taken
    const happened = (name) => (counts[name] ?? 0) > 0;
    for (const name of ["createJob", "acceptJob", "submitResult", "recordDraw", "settle", "requestAudit", "expire", "directVerdict", "submitVerdict",
      "timeoutAudit", "assignAuditor", "drawCommittee", "commitVote", "revealVote", "closeRound", "resolveDispute", "withdrawUnstaked", "appealPass", "finalizePass"]) {
      if (OPS >= 10_000) expect(happened(name), `${name} succeeded at least once`).to.equal(true);
    }
    for (const name of ["appeal", "event:DisputeResolved(provider wrong)", "event:DisputeResolved(provider right)", "event:RoundOpened(round 2)",
      "event:MemberPenalised", "event:AuditTimedOut", "event:DrawRecorded(lapsed)", "event:DrawReanchored", "event:FalsePassPenalised", "event:PassFinalized",
      "appealPass:AuditCourtNotAppellant", "appealPass:AuditCourtPassAppealClosed", "finalizePass:AuditCourtPassAppealOpen"]) {
      if (OPS >= 10_000) expect(happened(name), `${name} at least once`).to.equal(true);
    }
    console.log(`      jobs: ${jobs.size}; ${JSON.stringify(Object.fromEntries(Object.entries(counts).sort()))}`);
  });
});
