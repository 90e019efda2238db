// Signs an EIP-712 Offer or Result with ethers v6 signTypedData, for the cross-language tests:
//   node sign-typed-data.js '<json: {privateKey, domain, type: "Offer"|"Result", value}>'
// prints {"signature": "0x…", "digest": "0x…"} (the digest from ethers' TypedDataEncoder).
"use strict";
const { ethers } = require("ethers");

const types = {
  Offer: [
    { name: "provider", type: "address" },
    { name: "modelId", type: "bytes32" },
    { name: "unitPrice", type: "uint256" },
    { name: "maxTasks", type: "uint32" },
    { name: "minTurnaround", type: "uint32" },
    { name: "expiry", type: "uint64" },
    { name: "region", type: "bytes32" },
    { name: "nonce", type: "uint64" },
  ],
  Result: [
    { name: "jobId", type: "uint256" },
    { name: "tasksRoot", type: "bytes32" },
    { name: "resultRoot", type: "bytes32" },
    { name: "outputsHash", type: "bytes32" },
  ],
};

async function main() {
  const input = JSON.parse(process.argv[2]);
  const wallet = new ethers.Wallet(input.privateKey);
  const only = { [input.type]: types[input.type] };
  const signature = await wallet.signTypedData(input.domain, only, input.value);
  const digest = ethers.TypedDataEncoder.hash(input.domain, only, input.value);
  process.stdout.write(JSON.stringify({ signature, digest }));
}

main().catch((e) => {
  process.stderr.write(`${e.message}\n`);
  process.exit(1);
});
