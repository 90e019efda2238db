// A coalition of verifiers holding a share s of the stake, together with the job's client, says
// "provider wrong" about honest work: its member drawn as verifier fails the job, its members on
// committees vote so, hoping for the slashed collateral (half of it to the client, 30 % to the
// coherent voters) and the audit reward. The honest provider appeals every round the coalition
// captures; the coalition appeals nothing (its appeals would cost more and almost always fail).
const { expect } = require("chai");
const { ethers } = require("hardhat");
const { loadFixture, time, mine } = require("@nomicfoundation/hardhat-network-helpers");
const { anyValue } = require("@nomicfoundation/hardhat-chai-matchers/withArgs");
const h = require("../helpers");
const P = require("./players");

const { E, Role, BPS } = h;
const POOL = 40;
const TASKS = 100; // a job of 100 tasks at 1 token: price 100, collateral 1,000, bond 100

async function fixture() {
  const w = await h.world({ collateral: E(100_000) });
  await w.vault.connect(w.provider).stake(Role.Provider, E(200_000));
  await w.market.connect(w.provider).lockCollateral(E(200_000));
  await w.market.connect(w.provider).deposit(E(10_000));
  w.pool = await h.extraAccounts(w, POOL, { tag: "verifier", tokens: E(10_000) });
  for (const v of w.pool) {
    await w.vault.connect(v).stake(Role.Verifier, E(250), P.G);
    await w.market.connect(v).deposit(E(2_000), P.G);
  }
  await time.increase(h.VAULT_LIMITS.epochLength);
  w.signerOf = (a) => w.pool.find((v) => v.address === a) ?? [w.client, w.provider].find((s) => s.address === a);
  return w;
}

/**
 * Honest jobs until one whose own draw selects a coalition member as its verifier; the others
 * are passed by their verifiers or settle unaudited. Returns that job.
 */
async function jobAuditedBy(w, coalition) {
  for (let batch = 0; batch < 20; batch++) {
    const jobs = await P.pendingAuditors(w, await P.submittedJobs(w, {
      client: w.client, provider: w.provider, offer: w.offer, sig: w.offerSig, count: 100, taskCount: TASKS,
    }));
    const target = jobs.find((j) => coalition.has(j.verifier));
    for (const j of jobs) {
      if (j !== target && j.verifier !== ethers.ZeroAddress) await w.court.connect(w.signerOf(j.verifier)).submitVerdict(j.id, j.job, true, h.ZERO, P.G);
    }
    await time.increase(Number(w.params.challengeWindow) + 1);
    const plain = jobs.filter((j) => j.verifier === ethers.ZeroAddress);
    await w.market.settle(plain.map((j) => j.id), plain.map((j) => j.job), P.G);
    if (target) return target;
  }
  throw new Error("no job audited by the coalition in 2,000");
}

/** Everyone whose money a dispute can move. */
function everyone(w) {
  return [...w.pool.map((v) => v.address), w.client.address, w.provider.address, w.deployer.address];
}

async function worths(w) {
  const out = new Map();
  for (const a of everyone(w)) out.set(a, await h.worth(w, a));
  return out;
}

/**
 * What the court's rules pay each account for a dispute played as `played`, from the moment the
 * challenger failed the job: bonds, the committee pot shared by coherent seats, incoherence
 * penalties, the slash split or the provider's price (docs/contracts.md, "Court").
 */
function expectedDeltas(w, job, challenger, played, { bond, penalty, slashClientBps, slashCommitteeBps }) {
  const deltas = new Map(everyone(w).map((a) => [a, 0n]));
  const add = (a, v) => deltas.set(a, deltas.get(a) + v);
  const wrong = played.providerWrong;
  const price = job.unitPrice * BigInt(job.taskCount);
  const collateral = (price * BigInt(w.params.collateralMultiplierBps)) / BPS;
  const funded = played.rounds.map((r, i) => ({
    funder: i === 0 ? challenger : played.appellants[i - 1],
    side: i === 0 ? true : !played.rounds[i - 1].providerWrong,
    amount: bond << BigInt(i),
  }));
  let forfeited = 0n;
  let winning = 0n;
  for (const f of funded) {
    add(f.funder, -f.amount);
    if (f.side === wrong) winning += f.amount;
    else forfeited += f.amount;
  }
  const share = forfeited / 2n;
  let pot = forfeited - share;
  if (winning === 0n) add(job.provider, share);
  for (const f of funded) if (f.side === wrong) add(f.funder, f.amount + (share * f.amount) / winning);
  let coherent = 0n;
  for (const r of played.rounds) {
    for (const m of r.members) {
      if (r.votes.get(m) === wrong) coherent += 1n;
      else {
        add(m, -penalty);
        pot += penalty;
      }
    }
  }
  const reward = (price * BigInt(w.params.auditRewardBps)) / BPS;
  if (wrong) {
    add(job.provider, -collateral);
    add(job.client, price + (collateral * slashClientBps) / BPS);
    pot += (collateral * slashCommitteeBps) / BPS;
    add(challenger, reward);
  } else {
    add(job.provider, price);
  }
  const each = coherent === 0n ? 0n : pot / coherent;
  for (const r of played.rounds) for (const m of r.members) if (r.votes.get(m) === wrong) add(m, each);
  return deltas;
}

/**
 * An upper bound of what the coalition gains when it wins a dispute it started: the client's
 * price back and its share of the slash, the committee's share, the audit reward, the provider's
 * appeal bonds and every honest member's penalty.
 */
function winBound(w, price, bond, penalty, court) {
  const collateral = (price * BigInt(w.params.collateralMultiplierBps)) / BPS;
  const reward = (price * BigInt(w.params.auditRewardBps)) / BPS;
  const seats = [0, 1, 2].reduce((a, r) => a + ((Number(court.committeeSize) + 1) << r) - 1, 0);
  return price + (collateral * (court.slashClientBps + court.slashCommitteeBps)) / BPS + reward + 6n * bond + BigInt(seats) * penalty;
}

describe("attack: a lying coalition on committees", function () {
  for (const share of [0.1, 0.2, 0.3]) {
    it(`a coalition with ${share * 100} % of the stake and the client loses what it puts up; honest voters are paid`, async function () {
      const w = await loadFixture(fixture);
      const court = await w.court.params();
      const coalition = new Set([...w.pool.slice(0, Math.round(POOL * share)).map((v) => v.address), w.client.address]);
      const price = E(TASKS);
      const bond = (price * BigInt(w.params.collateralMultiplierBps) * court.challengerBondBps) / BPS / BPS;
      const terms = { bond, penalty: court.incoherencePenalty, slashClientBps: court.slashClientBps, slashCommitteeBps: court.slashCommitteeBps };
      for (let dispute = 0; dispute < 2; dispute++) {
        const target = await jobAuditedBy(w, coalition);
        const before = await worths(w);
        const challenger = target.verifier;
        await expect(w.court.connect(w.signerOf(challenger)).submitVerdict(target.id, target.job, false, ethers.id("lie"), P.G))
          .to.emit(w.court, "RoundOpened").withArgs(target.id, 0, challenger, true, bond, anyValue, anyValue, 5);
        let silent; // the first honest member of the first round keeps quiet, and pays for it
        const played = await P.playDispute(w, target.id, target.job, {
          signerOf: w.signerOf,
          vote: (member, round) => {
            if (coalition.has(member)) return true;
            if (dispute === 0 && round === 0 && silent === undefined) {
              silent = member;
              return null;
            }
            return false;
          },
          appellant: ({ providerWrong }) => (providerWrong ? w.provider : null),
        });
        // every appeal was the provider's
        played.appellants = played.rounds.slice(1).map(() => w.provider.address);
        const after = await worths(w);
        const expected = expectedDeltas(w, target.job, challenger, played, terms);
        for (const a of everyone(w)) {
          if (a !== w.deployer.address) expect(after.get(a) - before.get(a), a).to.equal(expected.get(a));
        }
        // the treasury gets the rest: the escrowed price (and the pool's reward when the
        // challenger was right) came in, and nothing else appears or vanishes
        const reward = (price * BigInt(w.params.auditRewardBps)) / BPS;
        const inflow = price + (played.providerWrong ? reward : 0n);
        const paid = [...expected.values()].reduce((a, b) => a + b, 0n);
        expect(after.get(w.deployer.address) - before.get(w.deployer.address)).to.equal(inflow - paid);
        const coalitionDelta = [...coalition].reduce((acc, a) => acc + after.get(a) - before.get(a), 0n);
        if (!played.providerWrong) {
          expect(coalitionDelta).to.be.lessThanOrEqual(-bond);
          if (silent) {
            const penalised = await w.court.queryFilter(w.court.filters.MemberPenalised(target.id));
            expect(penalised.map((e) => [e.args.round, e.args.member, e.args.amount])).to.deep.include([0n, silent, court.incoherencePenalty]);
          }
        }
      }
      // In expectation: the coalition wins only by capturing every round the provider appeals
      // to (sizes 5, 11, 23; binomial bounds, higher than draws without replacement), and
      // otherwise loses at least its bond.
      const pWin = [0, 1, 2].reduce((p, r) => p * P.captureBound(((Number(court.committeeSize) + 1) << r) - 1, share), 1);
      const win = Number(ethers.formatEther(winBound(w, price, bond, court.incoherencePenalty, court)));
      const loss = Number(ethers.formatEther(bond));
      expect(pWin * win - (1 - pWin) * loss).to.be.lessThan(0);
    });
  }

  it("without the provider's appeal a 30 % coalition with the client would win in expectation: the appeal is its defence", async function () {
    const w = await loadFixture(fixture);
    const court = await w.court.params();
    const price = E(TASKS);
    const bond = (price * BigInt(w.params.collateralMultiplierBps) * court.challengerBondBps) / BPS / BPS;
    const collateral = (price * BigInt(w.params.collateralMultiplierBps)) / BPS;
    // round 0 alone: the coalition's gain when it captures five members, its bond when not
    const gain = Number(ethers.formatEther(price + (collateral * (court.slashClientBps + court.slashCommitteeBps)) / BPS + (price * BigInt(w.params.auditRewardBps)) / BPS));
    const loss = Number(ethers.formatEther(bond));
    const ev = (s) => P.captureBound(5, s) * gain - (1 - P.captureBound(5, s)) * loss;
    expect(ev(0.2)).to.be.lessThan(0);
    expect(ev(0.3)).to.be.greaterThan(0);
  });

  it("the challenger's bond scales with the collateral it attacks", async function () {
    const w = await loadFixture(fixture);
    const court = await w.court.params();
    for (const taskCount of [1, 4, 100, 1000]) {
      const { id, job } = await h.createJob(w, { taskCount });
      const { job: sub } = await h.submit(w, id, job);
      await w.market.connect(w.client).requestAudit(id, sub);
      await mine(1);
      await w.court.assignAuditor(id, sub);
      const { verifier } = await w.court.auditOf(id);
      const collateral = (E(taskCount) * BigInt(w.params.collateralMultiplierBps)) / BPS;
      const scaled = (collateral * court.challengerBondBps) / BPS;
      const bond = scaled > court.minChallengerBond ? scaled : court.minChallengerBond;
      await w.market.connect(w.signerOf(verifier)).deposit(E(1_000));
      await expect(w.court.connect(w.signerOf(verifier)).submitVerdict(id, sub, false, h.ZERO))
        .to.emit(w.court, "RoundOpened").withArgs(id, 0, verifier, true, bond, anyValue, anyValue, 5);
    }
  });
});
