// Economics: honest and deviating strategies of every role, played against the real contracts on
// one local deployment, each job's payoffs measured from real balances (market balance + vault
// stake + wallet) before and after each step that moves money. Off-chain work is instant; its cost
// is counted in tokens: computing a task costs the provider the task's whole price (the worst case
// for the protocol: skipping a task saves all of its price) and a check re-runs the audited tasks
// at the same cost. Who cheats on which tasks comes from a seeded generator; the audit draws are
// the contracts' own.
//   npx hardhat test tests/contracts/economics.test.js
// ECON_SEED=<n> draws other cheats; ECON_ROUNDS=<n> plays n rounds of 25 jobs per strategy and
// phase instead of 8 (fewer rounds may leave a committee strategy without a seat to measure).
const { expect } = require("chai");
const { ethers } = require("hardhat");
const { time } = require("@nomicfoundation/hardhat-network-helpers");
const h = require("./helpers");
const P = require("./attacks/players");

const { E, Role, BPS } = h;
const SEED = Number(process.env.ECON_SEED ?? 7);
const TASKS = 100; // a job: 100 tasks at 1 token, price 100, collateral 1,000, challenger bond 100
const UNIT = E(1);
const LOT = 25; // jobs per provider per round
const ROUNDS = Number(process.env.ECON_ROUNDS ?? 8); // rounds per phase: 200 jobs per strategy
const POOL = 40; // verifiers of equal stake: 2.5 % each
// enough to carry a false pass's penalty (fifty rewards of 50: 2,500) in full ten times: a round
// draws every audit before any dispute is played, so a lazy verifier may pass several canaries of
// one round before the first penalty lands (with 5,000, a third canary in a round found its stake
// gone and the penalty taken was 0, failing the run about one time in two)
const VERIFIER_STAKE = E(25_000);
// canaries: the minimum rate docs/contracts.md documents (of a verifier's audits), and the share
// of jobs posted as canaries on chain here, higher so that every verifier strategy meets some
// in a short run (a canary's payoff does not depend on how many there are)
const CANARY_RATE = 0.05;
const CANARY_SHARE = 0.2;
const FIRST_AUDITS = 100;
const EPOCH = h.VAULT_LIMITS.epochLength;

/** Tokens as a number, for the table and the expectations. */
const tok = (wei) => Number(ethers.formatEther(wei));

describe("economics: honest and deviating strategies of every role", function () {
  const rnd = h.prng(SEED);
  const rows = [];
  let w;
  let k; // tasks an audit re-runs
  let a; // audit rate
  let court;
  let price;
  let collateral;
  let reward;
  let bond;
  let cost; // what a client pays for a job: price and fees
  const baseline = {}; // honest payoffs per unit of the first phase, where everyone else is honest
  const providers = {};
  const payoffs = { provider: new Map(), auditor: new Map(), member: new Map(), client: new Map(), appellant: new Map() };

  /** Adds one unit's payoff (tokens) to a strategy's tally; `kind` splits committee seats by truth. */
  function tally(role, strategy, payoff, { units = 1, kind } = {}) {
    const book = payoffs[role];
    if (!book.has(strategy)) book.set(strategy, { total: 0, units: 0, values: [], kinds: { wrong: { total: 0, units: 0 }, right: { total: 0, units: 0 } } });
    const t = book.get(strategy);
    t.total += payoff;
    t.units += units;
    t.values.push(payoff / units);
    if (kind) {
      t.kinds[kind] ??= { total: 0, units: 0, values: [] };
      t.kinds[kind].total += payoff;
      t.kinds[kind].units += units;
      t.kinds[kind].values?.push(payoff / units);
    }
  }

  const perUnit = (role, strategy) => {
    const t = payoffs[role].get(strategy);
    return t.total / t.units;
  };

  async function worths(addresses) {
    const out = new Map();
    await Promise.all([...new Set(addresses)].map(async (x) => out.set(x, await h.worth(w, x))));
    return out;
  }

  async function deltas(addresses, act) {
    const before = await worths(addresses);
    await act();
    const after = await worths(addresses);
    return (x) => tok(after.get(x) - before.get(x));
  }

  before(async function () {
    w = await h.world({ collateral: E(50_000) });
    const signers = await ethers.getSigners();
    const names = ["honest", "cheat 1 %", "cheat 10 %", "cheat 100 %", "colluding cheat"];
    for (const [i, name] of names.entries()) {
      const signer = signers[4 + i];
      await w.token.mint(signer.address, E(1_000_000));
      await w.token.connect(signer).approve(w.vault, ethers.MaxUint256);
      await w.token.connect(signer).approve(w.market, ethers.MaxUint256);
      await w.vault.connect(signer).stake(Role.Provider, E(300_000), P.G);
      await w.market.connect(signer).lockCollateral(E(300_000), P.G);
      await w.market.connect(signer).deposit(E(10_000), P.G);
      const offer = { ...w.offer, provider: signer.address };
      providers[name] = { name, signer, offer, sig: await h.signOffer(signer, w.market, offer) };
    }
    // the canary service (the treasury's by default): a client and a provider of its own
    w.canaryClient = signers[10];
    const canary = signers[11];
    for (const x of [w.canaryClient, canary]) {
      await w.token.mint(x.address, E(1_000_000));
      await w.token.connect(x).approve(w.vault, ethers.MaxUint256);
      await w.token.connect(x).approve(w.market, ethers.MaxUint256);
    }
    await w.market.connect(w.canaryClient).deposit(E(500_000), P.G);
    await w.vault.connect(canary).stake(Role.Provider, E(300_000), P.G);
    await w.market.connect(canary).lockCollateral(E(300_000), P.G);
    const canaryOffer = { ...w.offer, provider: canary.address };
    providers.canary = { name: "canary", signer: canary, offer: canaryOffer, sig: await h.signOffer(canary, w.market, canaryOffer) };
    w.griefer = signers[9];
    await w.token.mint(w.griefer.address, E(1_000_000));
    await w.token.connect(w.griefer).approve(w.market, ethers.MaxUint256);
    await w.market.connect(w.griefer).deposit(E(100_000), P.G);
    await w.market.connect(w.client).deposit(E(500_000), P.G);
    w.pool = await h.extraAccounts(w, POOL, { tag: "economics-verifier", tokens: E(100_000) });
    for (const v of w.pool) {
      await w.vault.connect(v).stake(Role.Verifier, VERIFIER_STAKE, P.G);
      await w.market.connect(v).deposit(E(5_000), P.G);
    }
    const signerOf = new Map([...w.pool, ...signers].map((s) => [s.address, s]));
    w.signerOf = (x) => signerOf.get(x);
    await time.increase(EPOCH);
    court = await w.court.params();
    k = Math.min(Number(w.params.auditedTasksPerJob), TASKS);
    a = Number(w.params.auditRateBps) / 10_000;
    price = UNIT * BigInt(TASKS);
    collateral = (price * BigInt(w.params.collateralMultiplierBps)) / BPS;
    reward = (price * BigInt(w.params.auditRewardBps)) / BPS;
    const scaled = (collateral * court.challengerBondBps) / BPS;
    bond = scaled > court.minChallengerBond ? scaled : court.minChallengerBond;
    cost = h.money(w.params, UNIT, TASKS).cost;
  });

  /** Tops every verifier's stake back up to the same amount and waits for the next snapshot. */
  async function equalStakes() {
    for (const v of w.pool) {
      const { stake } = await w.vault.accountOf(v.address);
      if (stake < VERIFIER_STAKE) await w.vault.connect(v).stake(Role.Verifier, VERIFIER_STAKE - stake, P.G);
    }
    await time.increase(EPOCH);
  }

  /**
   * One round: each lot's provider gets `count` jobs from the honest client, computes all tasks
   * but a `cheat` share, drawn at random, and submits. The draws decide the audits; each drawn
   * verifier plays `auditor(address, job)` ("honest" checks the drawn tasks, "false" fails
   * regardless, "lazy" and "collude" pass unchecked); every dispute is played with each member's
   * `member(address, job)` strategy ("honest", "lazy" votes provider right unchecked, "liar"
   * votes against the truth, "collude" votes provider right), the side that is right appealing
   * each ruling against it. `appealer(job)` may appeal a pass (a signer, or null): its dispute is
   * played like a fail's; the other passes are finalized after their appeal window. A lot's
   * `client` (default the honest client) creates its jobs. Unaudited jobs settle after the
   * challenge window.
   */
  async function round({ lots, auditor = () => "honest", member = () => "honest", appealer = () => null }) {
    const jobs = [];
    for (const lot of lots) {
      const p = providers[lot.provider];
      const client = lot.client ?? w.client;
      let created;
      const d = await deltas([client.address], async () => {
        created = await P.submittedJobs(w, { client, provider: p.signer, offer: p.offer, sig: p.sig, count: lot.count, taskCount: TASKS });
      });
      if (!lot.client) tally("client", "honest", d(client.address), { units: lot.count });
      for (const j of created) {
        const cheated = new Set();
        while (cheated.size < Math.round(lot.cheat * TASKS)) cheated.add(rnd.int(TASKS));
        jobs.push({ ...j, p, lot, cheated, computeCost: tok(UNIT) * (TASKS - cheated.size) });
      }
    }
    const drawn = await P.pendingAuditors(w, jobs);
    for (const [i, j] of drawn.entries()) jobs[i].verifier = j.verifier;
    // the providers' nodes fix the draws at once, so that none lapses while disputes run
    const plain = jobs.filter((j) => j.verifier === ethers.ZeroAddress);
    const byProvider = (list) => [...new Set(list.map((j) => j.p.name))].map((name) => list.filter((j) => j.p.name === name));
    for (const group of byProvider(plain)) await w.market.connect(group[0].p.signer).recordDraw(group.map((j) => j.id), group.map((j) => j.job), P.G);
    const failed = [];
    const passed = [];
    for (const j of jobs.filter((x) => x.verifier !== ethers.ZeroAddress)) {
      const [, seed] = await w.court.pendingAuditor(j.id, j.job);
      const indices = (await w.court.taskIndicesOf(seed, TASKS)).map(Number);
      j.providerWrong = indices.some((t) => j.cheated.has(t));
      j.auditorStrategy = auditor(j.verifier, j);
      // lazy: passes unchecked; copying: fetches the provider's outputs and checks them against
      // themselves, which passes whatever was submitted and costs no compute
      const pass = { honest: !j.providerWrong, false: false, collude: true, lazy: true, copying: true }[j.auditorStrategy];
      const checkCost = j.auditorStrategy === "honest" ? tok(UNIT) * k : 0;
      j.auditorCheckCost = checkCost;
      if (!pass) {
        // every verdict of the round comes before any dispute is played: a verdict fixes its
        // job's draw, and a dispute's penalties would take their verifiers out of it
        const d = await deltas([j.verifier], () =>
          w.court.connect(w.signerOf(j.verifier)).submitVerdict(j.id, j.job, false, ethers.id(`evidence-${j.id}`), P.G));
        j.challengerPaid = d(j.verifier);
        failed.push(j);
        continue;
      }
      // a pass moves no money: the reward waits for the end of its appeal window
      const d = await deltas([j.verifier, j.p.signer.address], () =>
        w.court.connect(w.signerOf(j.verifier)).submitVerdict(j.id, j.job, true, h.ZERO, P.G));
      expect([d(j.verifier), d(j.p.signer.address)], "a pass pays nothing yet").to.deep.equal([0, 0]);
      j.appellant = appealer(j);
      if (!j.appellant) {
        passed.push(j);
        continue;
      }
      // appealed within the window, before any dispute of the round lets time pass
      j.challengerPaid = 0;
      await w.court.connect(j.appellant).appealPass(j.id, j.job, P.G);
      failed.push(j);
    }
    for (const j of failed) await dispute(j, member);
    await time.increase(Math.max(Number(w.params.challengeWindow), Number(court.passAppealWindow)) + 1);
    for (const j of passed) {
      const d = await deltas([j.verifier, j.p.signer.address], () => w.court.finalizePass(j.id, j.job, P.G));
      expect(d(j.p.signer.address), "a passed job pays its price").to.equal(tok(price));
      tally("auditor", j.auditorStrategy, d(j.verifier) - j.auditorCheckCost, { kind: j.lot.canary ? "canary" : "normal" });
      tally("provider", j.p.name, d(j.p.signer.address) - j.computeCost);
    }
    for (const group of byProvider(plain)) {
      const d = await deltas([group[0].p.signer.address], () => w.market.settle(group.map((j) => j.id), group.map((j) => j.job), P.G));
      const each = d(group[0].p.signer.address) / group.length;
      expect(each, "an unaudited job pays its price").to.equal(tok(price));
      for (const j of group) tally("provider", j.p.name, each - j.computeCost);
    }
    return jobs;
  }

  /**
   * Plays the dispute a fail verdict, or an appealed pass, opened to its final ruling; tallies
   * each party (the appellant of a pass under `appellant`, by its lot's name).
   */
  async function dispute(j, member) {
    const seats = new Map();
    const challenger = j.appellant ? j.appellant.address : j.verifier;
    const honestSide = j.providerWrong ? challenger : j.p.signer.address;
    const everyone = () => [challenger, j.verifier, j.p.signer.address, w.client.address, ...w.pool.map((v) => v.address)];
    let played;
    const d = await deltas(everyone(), async () => {
      played = await P.playDispute(w, j.id, j.job, {
        signerOf: w.signerOf,
        vote: (m) => {
          const strategy = member(m, j);
          seats.set(m, { strategy, count: (seats.get(m)?.count ?? 0) + 1 });
          return { honest: j.providerWrong, lazy: false, liar: !j.providerWrong, collude: false }[strategy];
        },
        appellant: ({ providerWrong }) => (providerWrong === j.providerWrong ? null : w.signerOf(honestSide)),
      });
    });
    tally("auditor", j.auditorStrategy, j.challengerPaid + d(j.verifier) - j.auditorCheckCost, { kind: j.lot.canary ? "canary" : "normal" });
    tally("provider", j.p.name, d(j.p.signer.address) - j.computeCost);
    if (j.appellant) tally("appellant", j.lot.provider, d(challenger));
    const kind = j.providerWrong ? "wrong" : "right";
    for (const [m, { strategy, count }] of seats) {
      const checkCost = strategy === "honest" || strategy === "liar" ? tok(UNIT) * k * count : 0;
      tally("member", strategy, d(m) - checkCost, { units: count, kind });
    }
    if (j.providerWrong && played.providerWrong) {
      expect(d(j.p.signer.address), "a caught cheat loses its collateral").to.equal(-tok(collateral));
    }
  }

  /** The verifiers of the pool from `from` to `to` (exclusive), as a set of addresses. */
  const group = (from, to) => new Set(w.pool.slice(from, to).map((v) => v.address));

  /** Probability that a 100 %-cheating job's dispute is captured by a share s in every round the honest side appeals to. */
  const captureAll = (s) => [0, 1, 2].reduce((p, r) => p * P.captureBound(((Number(court.committeeSize) + 1) << r) - 1, s), 1);

  it("providers: cheating on 1 %, 10 % or 100 % of the tasks earns less than computing them", async function () {
    for (let r = 0; r < ROUNDS; r++) {
      await round({ lots: ["honest", "cheat 1 %", "cheat 10 %", "cheat 100 %"].map((provider, i) => ({ provider, count: LOT, cheat: [0, 0.01, 0.1, 1][i] })) });
    }
    const honest = perUnit("provider", "honest");
    for (const [name, f] of [["cheat 1 %", 0.01], ["cheat 10 %", 0.1], ["cheat 100 %", 1]]) {
      // caught with probability a * P(the k drawn tasks hit one of the f * n skipped ones); a
      // caught job loses its collateral, any other is paid its price (both measured above)
      const caught = a * P.hitProbability(TASKS, Math.round(f * TASKS), k);
      const expected = (1 - caught) * tok(price) - caught * tok(collateral) - (1 - f) * TASKS * tok(UNIT);
      rows.push({ strategy: `provider ${name}`, versus: "provider honest", unit: "job", units: payoffs.provider.get(name).units, realized: perUnit("provider", name), expected, honest });
      expect(expected).to.be.lessThan(honest);
    }
    rows.push({ strategy: "provider honest", versus: "", unit: "job", units: payoffs.provider.get("honest").units, realized: honest, expected: tok(price) - TASKS * tok(UNIT), honest });
    baseline.provider = honest;
    baseline.auditor = perUnit("auditor", "honest");
    baseline.client = perUnit("client", "honest");
  });

  it("verifiers: failing honest work (a false challenge) loses the bond; checking earns the reward", async function () {
    await equalStakes();
    const challengers = group(0, 12); // 30 % of the stake
    for (let r = 0; r < ROUNDS; r++) {
      await round({ lots: [{ provider: "honest", count: 2 * LOT, cheat: 0 }], auditor: (x) => (challengers.has(x) ? "false" : "honest") });
    }
    const honest = perUnit("auditor", "honest");
    const false_ = perUnit("auditor", "false");
    rows.push({ strategy: "verifier false challenge", versus: "verifier honest", unit: "audit", units: payoffs.auditor.get("false").units, realized: false_, expected: -tok(bond), honest });
    rows.push({ strategy: "verifier honest", versus: "", unit: "audit", units: payoffs.auditor.get("honest").units, realized: honest, expected: tok(reward) - k * tok(UNIT), honest });
    for (const v of payoffs.auditor.get("false").values) expect(v, "each false challenge forfeits its bond").to.equal(-tok(bond));
    expect(false_).to.be.lessThan(honest);
  });

  it(`verifiers: with canaries at ${CANARY_RATE * 100} % of audits, a lazy and a copying verifier lose money within their first ${FIRST_AUDITS} audits while an honest one earns`, async function () {
    await equalStakes();
    const lazy = group(0, 10); // 25 % of the stake
    const copying = group(10, 20); // 25 %
    const strategyOf = (x) => (lazy.has(x) ? "lazy" : copying.has(x) ? "copying" : "honest");
    payoffs.auditor.clear();
    const service = [w.canaryClient.address, providers.canary.signer.address];
    const serviceBefore = await worths(service);
    const canaries = Math.round(CANARY_SHARE * 4 * LOT / (1 - CANARY_SHARE));
    for (let r = 0; r < ROUNDS; r++) {
      await round({
        lots: [
          { provider: "honest", count: 4 * LOT, cheat: 0 },
          // a canary is wrong on every task, so that any audit's draw hits a wrong one (q = 1)
          { provider: "canary", client: w.canaryClient, count: canaries, cheat: 1, canary: true },
        ],
        auditor: strategyOf,
        // the canary service appeals every pass of a canary; nobody appeals any other pass
        appealer: (j) => (j.lot.canary ? w.canaryClient : null),
      });
    }
    const serviceAfter = await worths(service);
    const serviceNet = service.reduce((acc, x) => acc + tok(serviceAfter.get(x) - serviceBefore.get(x)), 0);
    const posted = ROUNDS * canaries;
    const m = Number(court.falsePassPenaltyBps) / 10_000;
    const penalty = m * tok(reward);
    const binomial = (n, x, p) => P.binomial(n, x) * p ** x * (1 - p) ** (n - x);
    const table = [];
    const measured = {};
    for (const strategy of ["honest", "lazy", "copying"]) {
      const t = payoffs.auditor.get(strategy);
      const normal = t.kinds.normal;
      const canary = t.kinds.canary;
      expect(canary?.units ?? 0, `${strategy} audited a canary`).to.be.greaterThan(0);
      const perNormal = normal.total / normal.units;
      const perCanary = canary.total / canary.units;
      // what each audit of the strategy paid, to the token: no draw of luck on chain but the draws
      const expectedNormal = strategy === "honest" ? tok(reward) - k * tok(UNIT) : tok(reward);
      const expectedCanary = strategy === "honest" ? tok(reward) - k * tok(UNIT) : -penalty;
      for (const v of normal.values) expect(v, `${strategy}: a finalized pass pays the reward (the pool permitting)`).to.be.at.most(expectedNormal);
      for (const v of canary.values) expect(v, `${strategy}: a canary's audit`).to.equal(expectedCanary);
      const perAudit = (1 - CANARY_RATE) * perNormal + CANARY_RATE * perCanary;
      // the documented rate, deterministically: every (1 / c)-th audit is a canary
      const every = Math.round(1 / CANARY_RATE);
      let total = 0;
      let firstInTheRed = null;
      for (let i = 1; i <= FIRST_AUDITS; i++) {
        total += i % every === 0 ? perCanary : perNormal;
        if (total < 0 && firstInTheRed === null) firstInTheRed = i;
      }
      // at random, the same rate: the chance that the strategy is still ahead after its first audits
      let ahead = 0;
      for (let n = 0; n <= FIRST_AUDITS; n++) if ((FIRST_AUDITS - n) * perNormal + n * perCanary > 0) ahead += binomial(FIRST_AUDITS, n, CANARY_RATE);
      measured[strategy] = { perAudit, total, firstInTheRed, ahead, perNormal, perCanary };
      table.push(`| ${strategy} | ${normal.units} / ${canary.units} | ${perNormal.toFixed(2)} | ${perCanary.toFixed(2)} | ${(t.total / t.units).toFixed(2)} | ${perAudit.toFixed(2)} | ${total.toFixed(0)} | ${firstInTheRed ?? "never"} | ${(100 * ahead).toFixed(1)} % |`);
      rows.push({ strategy: `verifier ${strategy}, canaries at ${CANARY_RATE * 100} %`, versus: strategy === "honest" ? "" : "verifier honest", unit: "audit", units: t.units, realized: t.total / t.units, expected: (1 - CANARY_RATE) * expectedNormal + CANARY_RATE * expectedCanary, honest: measured.honest.perAudit });
    }
    // the minimum rate: a pass unchecked earns the reward R and costs the penalty P on a canary
    // it meets, caught with probability q (1 here): loses money iff c > R / (q (R + P))
    const minimum = measured.lazy.perNormal / (measured.lazy.perNormal - measured.lazy.perCanary);
    expect(minimum).to.be.closeTo(1 / (1 + m), 1e-9);
    expect(minimum).to.be.lessThan(CANARY_RATE);
    for (const strategy of ["lazy", "copying"]) {
      const s = measured[strategy];
      expect(s.perAudit, `${strategy} loses money per audit`).to.be.lessThan(0);
      expect(s.total, `${strategy} is in the red after ${FIRST_AUDITS} audits`).to.be.lessThan(0);
      expect(s.firstInTheRed, `${strategy} is in the red at its first canary`).to.equal(Math.round(1 / CANARY_RATE));
      expect(s.ahead, `${strategy} is still ahead after ${FIRST_AUDITS} audits by chance`).to.be.lessThan(0.05);
    }
    expect(measured.honest.perAudit).to.be.greaterThan(0);
    expect(measured.honest.firstInTheRed).to.equal(null);
    console.log([
      "",
      `  Verifiers with canaries (tokens; ${TASKS}-task jobs at 1 token per task: reward R = ${tok(reward)}, a check re-runs ${k} tasks, false-pass penalty P = ${m} R = ${penalty};`,
      `  on chain ${posted} canaries among ${ROUNDS * (4 * LOT + canaries)} jobs; projected at c = ${CANARY_RATE * 100} % of audits; minimum c = R / (R + P) = ${(100 * minimum).toFixed(2)} %)`,
      "",
      `| verifier | audits (normal / canary) | per normal audit | per canary audit | per audit on chain | per audit at c | after ${FIRST_AUDITS} audits, a canary every ${Math.round(1 / CANARY_RATE)}th | first in the red at audit | P(ahead after ${FIRST_AUDITS}) |`,
      "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
      ...table,
      "",
      `  the canary service's net per canary posted: ${(serviceNet / posted).toFixed(2)} (its client and provider together)`,
      "",
    ].join("\n"));
  });

  it("committee members: voting lazily or lying earns less per seat than checking and voting the truth", async function () {
    await equalStakes();
    const lazy = group(0, 4); // 10 %
    const liars = group(4, 8); // 10 %
    const member = (x) => (lazy.has(x) ? "lazy" : liars.has(x) ? "liar" : "honest");
    // disputes of both kinds: every audit of the honest provider's jobs is a false challenge
    // (provider right), every audit of the full cheat's jobs catches it (provider wrong)
    payoffs.member.clear();
    for (let r = 0; r < ROUNDS; r++) {
      await round({
        lots: [{ provider: "honest", count: LOT, cheat: 0 }, { provider: "cheat 100 %", count: LOT, cheat: 1 }],
        auditor: (x, j) => (j.p.name === "honest" ? "false" : "honest"),
        member,
      });
    }
    // the expectation weighs each kind of dispute by how often it occurred, whoever sat in it
    const honestBook = payoffs.member.get("honest");
    const mix = { wrong: honestBook.kinds.wrong.units, right: honestBook.kinds.right.units };
    const expectedOf = (strategy) => {
      const t = payoffs.member.get(strategy);
      let total = 0;
      for (const kind of ["wrong", "right"]) {
        expect(t.kinds[kind].units, `${strategy} sat in a ${kind} dispute`).to.be.greaterThan(0);
        total += (mix[kind] / (mix.wrong + mix.right)) * (t.kinds[kind].total / t.kinds[kind].units);
      }
      return total;
    };
    const honest = expectedOf("honest");
    for (const strategy of ["lazy", "liar"]) {
      const expected = expectedOf(strategy);
      rows.push({ strategy: `member ${strategy}`, versus: "member honest", unit: "seat", units: payoffs.member.get(strategy).units, realized: perUnit("member", strategy), expected, honest });
      expect(expected).to.be.lessThan(honest);
    }
    rows.push({ strategy: "member honest", versus: "", unit: "seat", units: honestBook.units, realized: perUnit("member", "honest"), expected: honest, honest });
  });

  for (const share of [0.1, 0.3]) {
    it(`sybils: a provider cheating on every task with a coalition of ${share * 100} % of the stake earns less than both honest`, async function () {
      await equalStakes();
      const coalition = group(0, Math.round(POOL * share));
      const name = "colluding cheat";
      const start = { ...(payoffs.provider.get(name) ?? { total: 0, units: 0 }) };
      let coalitionTotal = 0;
      for (let r = 0; r < ROUNDS; r++) {
        const addresses = [...coalition];
        const d = await deltas(addresses, () => round({
          lots: [{ provider: name, count: LOT, cheat: 1 }],
          auditor: (x) => (coalition.has(x) ? "collude" : "honest"),
          member: (x) => (coalition.has(x) ? "collude" : "honest"),
        }));
        coalitionTotal += addresses.reduce((acc, x) => acc + d(x), 0);
      }
      const t = payoffs.provider.get(name);
      const jobs = t.units - start.units;
      const realized = (t.total - start.total + coalitionTotal) / jobs;
      // expectation, favouring the coalition: audited by it (share s) the job passes and it is
      // paid the reward; audited by an honest verifier the job is caught unless the coalition
      // captures every round (then it keeps the price and, at most, all of the honest side's
      // bonds and penalties)
      const seats = [0, 1, 2].reduce((acc, r) => acc + ((Number(court.committeeSize) + 1) << r) - 1, 0);
      const capture = captureAll(share);
      const winBound = tok(price) + 7 * tok(bond) + seats * tok(court.incoherencePenalty);
      const expected = (1 - a) * tok(price) + a * share * (tok(price) + tok(reward)) + a * (1 - share) * (capture * winBound - (1 - capture) * tok(collateral));
      // both honest: the provider earns its honest profit, the coalition its verifiers' honest audits
      const honest = baseline.provider + a * share * baseline.auditor;
      rows.push({ strategy: `sybil coalition ${share * 100} % + provider cheating 100 %`, versus: "provider and coalition honest", unit: "job", units: jobs, realized, expected, honest });
      expect(expected).to.be.lessThan(honest);
    });
  }

  it("clients: impossible deadlines, data never uploaded and frivolous audits gain nothing and cost the provider nothing", async function () {
    const p = providers.honest;
    const who = [w.griefer.address, p.signer.address];
    // an honest client values delivered work at what it paid for it: its profit is zero
    const value = tok(cost);
    const honestClient = baseline.client + value;
    // impossible deadlines: refused, nothing moves
    let d = await deltas(who, async () => {
      for (let i = 0; i < LOT; i++) {
        const now = await time.latest();
        await expect(w.market.connect(w.griefer).createJob(p.offer, p.sig, TASKS, ethers.id(`grief-${i}`), h.ZERO, now + 2, P.G))
          .to.be.revertedWithCustomError(w.market, "JobMarketInvalidDeadline");
      }
    });
    expect(d(p.signer.address)).to.equal(0);
    rows.push({ strategy: "client impossible deadlines", versus: "client honest", unit: "job", units: LOT, realized: d(w.griefer.address) / LOT, expected: 0, honest: honestClient });
    expect(d(w.griefer.address)).to.be.at.most(honestClient * LOT);
    // data never uploaded: the provider never accepts, expiry refunds everyone to the wei
    d = await deltas(who, async () => {
      const deadline = BigInt(await time.latest()) + 600n;
      const first = (await w.market.ledger()).jobCount + 1n;
      const requests = Array.from({ length: LOT }, (_, i) => ({ offer: p.offer, offerSig: p.sig, taskCount: TASKS, tasksRoot: ethers.id(`never-${i}`), manifestHash: ethers.id(`never-${i}`), deadline }));
      await w.market.connect(w.griefer).createJobs(requests, P.G);
      await time.increaseTo(deadline + 1n);
      const records = requests.map((q) => h.jobRecord({ client: w.griefer.address, offer: p.offer, taskCount: TASKS, tasksRoot: q.tasksRoot, manifestHash: q.manifestHash, deadline }));
      await w.market.expire(records.map((_, i) => first + BigInt(i)), records, P.G);
    });
    expect(d(p.signer.address)).to.equal(0);
    expect(d(w.griefer.address)).to.equal(0);
    rows.push({ strategy: "client data never uploaded", versus: "client honest", unit: "job", units: LOT, realized: d(w.griefer.address) / LOT, expected: 0, honest: honestClient });
    // frivolous audits of honest results: the griefer pays the audit fee, the provider its price
    const fee = tok((price * BigInt(w.params.clientAuditFeeBps)) / BPS);
    let providerGain;
    d = await deltas(who, async () => {
      const jobs = await P.submittedJobs(w, { client: w.griefer, provider: p.signer, offer: p.offer, sig: p.sig, count: LOT, taskCount: TASKS });
      for (const j of jobs) await w.market.connect(w.griefer).requestAudit(j.id, j.job, P.G);
      await time.increase(1);
      const providerBefore = await h.worth(w, p.signer.address);
      for (const j of jobs) {
        await w.court.assignAuditor(j.id, j.job, P.G);
        const { verifier } = await w.court.auditOf(j.id);
        await w.court.connect(w.signerOf(verifier)).submitVerdict(j.id, j.job, true, h.ZERO, P.G);
      }
      await time.increase(Number(court.passAppealWindow) + 1);
      for (const j of jobs) await w.court.finalizePass(j.id, j.job, P.G);
      providerGain = tok((await h.worth(w, p.signer.address)) - providerBefore);
    });
    expect(providerGain).to.equal(LOT * tok(price));
    const frivolous = d(w.griefer.address) / LOT + value;
    expect(frivolous).to.be.closeTo(-fee, 1e-9);
    rows.push({ strategy: "client frivolous requestAudit", versus: "client honest", unit: "job", units: LOT, realized: frivolous, expected: -fee, honest: honestClient });
    expect(frivolous).to.be.lessThan(honestClient);
  });

  after(function () {
    if (!rows.length) return;
    const fmt = (x) => (Math.abs(x) < 5e-10 ? "0" : x.toFixed(2));
    const lines = [
      "| strategy | compared with | unit | units | realized per unit | expected per unit | honest per unit |",
      "| --- | --- | --- | ---: | ---: | ---: | ---: |",
      ...rows.map((r) => `| ${r.strategy} | ${r.versus || "—"} | ${r.unit} | ${r.units} | ${fmt(r.realized)} | ${fmt(r.expected)} | ${fmt(r.honest)} |`),
    ];
    console.log(`\n  Economics (tokens; seed ${SEED}; ${TASKS}-task jobs at 1 token per task)\n\n${lines.join("\n")}\n`);
  });
});
