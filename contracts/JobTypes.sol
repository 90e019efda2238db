// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice Job status, stored in the low byte of the job's slot in {JobMarket}.
/// Created -> (Accepted) -> Submitted -> Unaudited -> Settled, or Submitted -> Auditing ->
/// (Disputed) -> Settled | Slashed, or Created | Accepted -> Expired.
enum Status {
    None,
    Created, // escrowed; the provider has not accepted yet (expiry refunds, penalises no one)
    Accepted, // the provider accepted deadline and data (expiry penalises it)
    Submitted, // result recorded; the draw is not fixed yet
    Unaudited, // the draw was fixed and did not select the job; settles after the challenge window
    Auditing, // the court runs an audit
    Disputed, // the court runs a dispute (committee rounds, appeals)
    Settled,
    Slashed,
    Expired
}

/// @notice A provider's signed standing offer (EIP-712 type `Offer`).
struct Offer {
    address provider;
    bytes32 modelId;
    uint256 unitPrice;
    uint32 maxTasks;
    uint32 minTurnaround; // seconds: a job's deadline is at least this far after its creation
    uint64 expiry;
    bytes32 region;
    uint64 nonce; // below 2^32 - 1, so that {JobMarket-cancelOffer} can always cancel it
}

/// @notice The record of a job; the market stores only a commitment to it.
struct Job {
    address client;
    address provider;
    bytes32 modelId;
    uint256 unitPrice;
    uint32 taskCount;
    uint64 deadline;
    bytes32 tasksRoot;
    bytes32 manifestHash;
    bytes32 resultRoot;
    bytes32 outputsHash;
    uint64 submittedAt;
    uint64 submitBlock;
}

/// @notice Why the court audits a job.
enum AuditOrigin {
    Drawn, // the job's own draw selected it; its seed (known) draws the verifier now
    Lapsed, // nobody fixed the draw within the seed horizon: audited for certain, paid by the provider
    ClientRequested // the client paid for an audit within the challenge window
}
