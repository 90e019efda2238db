// Players for the attack and economics tests: they drive jobs, audits and disputes through the
// real contracts the way the roles' nodes would, while a strategy makes each choice (how to
// vote, whether to appeal). Not a test file: mocha loads it and finds nothing to run.
const { ethers } = require("hardhat");
const { time, mine } = require("@nomicfoundation/hardhat-network-helpers");
const h = require("../helpers");

/** A fixed gas limit skips the node's gas estimation, which would run every transaction twice. */
const G = { gasLimit: 16_000_000 };
const coder = ethers.AbiCoder.defaultAbiCoder();

/**
 * `count` jobs of `taskCount` tasks from the provider's `offer`, created by `client` in one
 * transaction, accepted by the provider in one more and submitted by it (its own transaction is
 * its signature) in a third. Returns each job's id and submitted record.
 */
async function submittedJobs(w, { client, provider, offer, sig, count, taskCount, deadlineIn = 3600, accept = true }) {
  const deadline = BigInt(await time.latest()) + BigInt(deadlineIn);
  const requests = [];
  for (let i = 0; i < count; i++) {
    w.seq += 1;
    requests.push({ offer, offerSig: sig, taskCount, tasksRoot: ethers.id(`tasks-${w.seq}`), manifestHash: ethers.id(`manifest-${w.seq}`), deadline });
  }
  const first = (await w.market.ledger()).jobCount + 1n;
  await w.market.connect(client).createJobs(requests, G);
  const jobs = requests.map((q, i) => ({
    id: first + BigInt(i),
    job: h.jobRecord({ client: client.address, offer, taskCount, tasksRoot: q.tasksRoot, manifestHash: q.manifestHash, deadline }),
  }));
  if (accept) await w.market.connect(provider).acceptJobs(jobs.map((j) => j.id), jobs.map((j) => j.job), G);
  const results = jobs.map(({ id, job }) => ({ jobId: id, job, resultRoot: ethers.id(`result-${id}`), outputsHash: ethers.id(`outputs-${id}`), signature: "0x" }));
  const receipt = await (await w.market.connect(provider).submitResults(results, G)).wait();
  const block = await ethers.provider.getBlock(receipt.blockNumber);
  return jobs.map(({ id, job }, i) => ({
    id,
    job: { ...job, resultRoot: results[i].resultRoot, outputsHash: results[i].outputsHash, submittedAt: BigInt(block.timestamp), submitBlock: BigInt(receipt.blockNumber) },
  }));
}

/**
 * For jobs submitted together: mines their seed block (and one more, so that calls see its
 * hash), then reads whom each job's own draw selects as its verifier (zero address: not audited).
 */
async function pendingAuditors(w, jobs) {
  await mine(2);
  return Promise.all(jobs.map(async (j) => ({ ...j, verifier: (await w.court.pendingAuditor(j.id, j.job))[0] })));
}

/** The commitment of a vote (AuditCourt.voteCommitment), computed here to save a call per vote. */
function voteCommitment(jobId, round, member, providerWrong, salt) {
  return ethers.keccak256(coder.encode(["uint256", "uint256", "address", "bool", "bytes32"], [jobId, round, member, providerWrong, salt]));
}

/**
 * Plays the dispute of a job in Disputed through all its rounds to the final ruling: draws each
 * committee, has every member commit and reveal `vote(member, round)` (true: provider wrong,
 * null: silent), closes the round, and lets `appellant({ round, providerWrong })` (a signer, or
 * null for nobody) appeal it while appeals remain; then resolves it.
 * Returns the rounds played ({ members, votes, providerWrong }) and the final ruling.
 */
async function playDispute(w, id, job, { signerOf, vote, appellant = () => null }) {
  const { maxAppeals } = await w.court.params();
  const rounds = [];
  for (let r = 0; ; r++) {
    // the round's seed ticket is the block after the one that opened it; a ticket that lapsed
    // while other disputes ran is re-anchored by the first call, drawn by the next
    let round;
    do {
      await mine(1);
      await w.court.drawCommittee(id, job, G);
      round = await w.court.roundOf(id, r);
    } while (!round.drawn);
    const members = [...round.members];
    const votes = new Map();
    if (!round.closed) {
      const sealed = [];
      for (const member of members) {
        const wrong = vote(member, r);
        votes.set(member, wrong);
        if (wrong === null) continue;
        const salt = ethers.id(`salt-${id}-${r}-${member}`);
        await w.court.connect(signerOf(member)).commitVote(id, voteCommitment(id, r, member, wrong, salt), G);
        sealed.push([member, wrong, salt]);
      }
      if (sealed.length < members.length) await time.increaseTo(round.commitDeadline + 1n);
      for (const [member, wrong, salt] of sealed) await w.court.connect(signerOf(member)).revealVote(id, wrong, salt, G);
      if (sealed.length < members.length) await time.increaseTo(round.revealDeadline + 1n);
      await w.court.closeRound(id, G);
      round = await w.court.roundOf(id, r);
    }
    rounds.push({ members, votes, providerWrong: round.providerWrong });
    const appealing = BigInt(r) < maxAppeals ? appellant({ round: r, providerWrong: round.providerWrong }) : null;
    if (appealing) {
      await w.court.connect(appealing).appeal(id, job, G);
      continue;
    }
    if (BigInt(r) < maxAppeals) await time.increaseTo(round.appealDeadline + 1n);
    await w.court.resolveDispute(id, job, G);
    return { rounds, providerWrong: round.providerWrong };
  }
}

/** P(X > n/2) for X ~ Bin(n, p): a committee of n captured by a share p of the stake, drawn with replacement (an upper bound for draws without it). */
function captureBound(n, p) {
  let total = 0;
  for (let k = Math.floor(n / 2) + 1; k <= n; k++) total += binomial(n, k) * p ** k * (1 - p) ** (n - k);
  return total;
}

function binomial(n, k) {
  if (k < 0 || k > n) return 0;
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i;
  return c;
}

/** P(an audit of k of n tasks hits at least one of c corrupted ones), the k drawn without repeats. */
function hitProbability(n, c, k) {
  if (c === 0) return 0;
  return 1 - binomial(n - c, Math.min(k, n)) / binomial(n, Math.min(k, n));
}

module.exports = { G, submittedJobs, pendingAuditors, voteCommitment, playDispute, captureBound, binomial, hitProbability };
