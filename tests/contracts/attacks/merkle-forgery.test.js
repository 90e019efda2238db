// A provider or verifier passes something other than a committed task off as one: an internal
// node of the tasks tree as a leaf (second preimage), or a task past the job's task count.
const { expect } = require("chai");
const { ethers } = require("hardhat");
const { loadFixture } = require("@nomicfoundation/hardhat-network-helpers");
const h = require("../helpers");

const coder = ethers.AbiCoder.defaultAbiCoder();

async function fixture() {
  return h.world();
}

/** A job whose tasksRoot commits to `n` inputs; its task and result trees. */
async function committedJob(w, n) {
  const inputs = Array.from({ length: n }, (_, i) => ethers.id(`input-${i}`));
  const outputs = Array.from({ length: n }, (_, i) => ethers.id(`output-${i}`));
  const tasks = h.merkle(inputs.map((x, i) => h.taskLeaf(i, x)));
  const results = h.merkle(inputs.map((x, i) => h.resultLeaf(i, x, outputs[i])));
  const deadline = (await time()) + 3600;
  await w.market.connect(w.client).createJob(w.offer, w.offerSig, n, tasks.root, h.ZERO, deadline);
  return { inputs, outputs, tasks, results };
}

async function time() {
  return (await ethers.provider.getBlock("latest")).timestamp;
}

/** The proof of the node at (`level`, `index`): its siblings on the way up. */
function nodeProof(tree, level, index) {
  const proof = [];
  for (let l = level; l < tree.levels.length - 1; l++) {
    const sibling = index ^ 1;
    if (sibling < tree.levels[l].length) proof.push(tree.levels[l][sibling]);
    index = Math.floor(index / 2);
  }
  return proof;
}

/** The two children of an internal node, in the order it hashed them. */
function children(tree, level, index) {
  const [a, b] = tree.levels[level - 1].slice(2 * index, 2 * index + 2);
  return BigInt(a) < BigInt(b) ? [a, b] : [b, a];
}

describe("attack: forged Merkle proofs", function () {
  it("no internal node of a job's tasks tree passes as a task leaf, at any level", async function () {
    const w = await loadFixture(fixture);
    const { tasks } = await committedJob(w, 13);
    let tried = 0;
    for (let level = 1; level < tasks.levels.length - 1; level++) {
      for (let i = 0; i < tasks.levels[level].length; i++) {
        if (2 * i + 1 >= tasks.levels[level - 1].length) continue; // carried up, not hashed
        const [lo, hi] = children(tasks, level, i);
        // with single-hashed leaves this node would be the leaf of (index = lo, input = hi)
        expect(ethers.keccak256(coder.encode(["uint256", "bytes32"], [BigInt(lo), hi]))).to.equal(tasks.levels[level][i]);
        expect(await w.market.verifyTaskProof(tasks.root, ethers.MaxUint256, BigInt(lo), hi, nodeProof(tasks, level, i))).to.equal(false);
        tried += 1;
      }
    }
    expect(tried).to.be.greaterThan(4);
  });

  it("no internal node of a result tree passes as a result leaf", async function () {
    const w = await loadFixture(fixture);
    const { results } = await committedJob(w, 8);
    for (let level = 1; level < results.levels.length - 1; level++) {
      for (let i = 0; i < results.levels[level].length; i++) {
        const [lo, hi] = children(results, level, i);
        const proof = nodeProof(results, level, i);
        // every way to spread the node's 64-byte preimage over (index, input, output)
        for (const [index, input, output] of [[BigInt(lo), hi, h.ZERO], [0n, lo, hi], [BigInt(lo), hi, hi]]) {
          expect(await w.market.verifyResultProof(results.root, ethers.MaxUint256, index, input, output, proof)).to.equal(false);
        }
      }
    }
  });

  it("every committed task and result proves, and only with its own index and count", async function () {
    const w = await loadFixture(fixture);
    const n = 7;
    const { inputs, outputs, tasks, results } = await committedJob(w, n);
    for (let i = 0; i < n; i++) {
      expect(await w.market.verifyTaskProof(tasks.root, n, i, inputs[i], tasks.proof(i))).to.equal(true);
      expect(await w.market.verifyResultProof(results.root, n, i, inputs[i], outputs[i], results.proof(i))).to.equal(true);
      expect(await w.market.verifyTaskProof(tasks.root, n, (i + 1) % n, inputs[i], tasks.proof(i))).to.equal(false);
    }
  });

  it("a task past the job's task count is refused even with a valid proof", async function () {
    const w = await loadFixture(fixture);
    // the provider built its tree over five inputs but the job pays for four
    const inputs = Array.from({ length: 5 }, (_, i) => ethers.id(`input-${i}`));
    const tasks = h.merkle(inputs.map((x, i) => h.taskLeaf(i, x)));
    const results = h.merkle(inputs.map((x, i) => h.resultLeaf(i, x, x)));
    expect(await w.market.verifyTaskProof(tasks.root, 5, 4, inputs[4], tasks.proof(4))).to.equal(true);
    expect(await w.market.verifyTaskProof(tasks.root, 4, 4, inputs[4], tasks.proof(4))).to.equal(false);
    expect(await w.market.verifyResultProof(results.root, 4, 4, inputs[4], inputs[4], results.proof(4))).to.equal(false);
    expect(await w.market.verifyTaskProof(tasks.root, 0, 0, inputs[0], tasks.proof(0))).to.equal(false);
    expect(await w.market.verifyTaskProof(tasks.root, 4, ethers.MaxUint256, inputs[0], tasks.proof(0))).to.equal(false);
  });
});
