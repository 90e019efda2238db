// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {StakingVault} from "./StakingVault.sol";

/// @title JobMarketBase
/// @notice The types, events, errors, storage and shared rules of {JobMarket}. {JobMarket} holds
/// the hot path (balances, offers, jobs, settlement, views); {JobMarketAudits} holds audits,
/// disputes and expiry and runs by delegatecall in the market's storage, which keeps each
/// contract under the 24 KiB code limit. Both inherit this contract first, so they share one
/// storage layout.
/// @dev Each job is one storage slot: the commitment to its {Job} record in the high 248 bits and
/// its {Status} in the low 8. Callers pass the record back (rebuilt from {JobCreated} and
/// {ResultSubmitted}); a settled job's slot is cleared, and a cleared slot of an id that was
/// issued reads as {Status-Settled}.
abstract contract JobMarketBase {
    using SafeCast for uint256;

    /// @notice Job status, stored in the low byte of the job's slot.
    enum Status {
        None,
        Created,
        Submitted,
        Auditing,
        Disputed,
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
        uint64 expiry;
        bytes32 region;
        uint64 nonce;
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

    /// @notice The arguments of one {createJob}, for {createJobs}.
    struct JobRequest {
        Offer offer;
        bytes offerSig;
        uint32 taskCount;
        bytes32 tasksRoot;
        bytes32 manifestHash;
        uint64 deadline;
    }

    /// @notice The arguments of one {submitResult}, for {submitResults}.
    struct ResultSubmission {
        uint256 jobId;
        Job job;
        bytes32 resultRoot;
        bytes32 outputsHash;
        bytes signature;
    }

    /// @notice Every parameter of the market, fixed at deployment.
    struct Params {
        uint256 auditRateBps; // share of jobs audited
        uint256 auditedTasksPerJob; // k, tasks an audit re-runs
        uint256 collateralMultiplierBps; // m, collateral = price * m
        uint256 posMarginBps; // margin of the Proof-of-Sampling rule a*(1+m) >= 1+margin
        uint64 challengeWindow; // seconds after submission for a client audit, before settle
        uint64 auditWindow; // seconds a verifier has for its verdict
        uint64 disputeWindow; // seconds a committee has to vote
        uint256 verificationFeeBps; // of price, paid by the client into the verification pool
        uint256 protocolFeeBps; // of price, paid by the client to the treasury
        uint256 auditRewardBps; // of price, paid from the pool to a verifier per audit
        uint256 clientAuditFeeBps; // of price, paid by a client asking for an audit
        uint256 challengerBond; // posted by a verifier with a fail verdict
        uint256 committeeSize; // verifiers drawn to decide a dispute
        uint256 expiryPenaltyBps; // of collateral, paid to the client of an expired job
        uint256 verifierTimeoutPenalty; // slashed from a silent verifier's stake into the pool
        uint256 slashClientBps; // of slashed collateral, to the client
        uint256 slashChallengerBps; // of slashed collateral, to the challenger
        uint256 slashCommitteeBps; // of slashed collateral, to the committee's majority (rest: treasury)
    }

    /// @notice Audit state of a job whose draw is recorded.
    struct AuditState {
        bytes32 seed;
        address verifier; // zero when the recorded draw is "not audited"
        uint64 deadline;
        uint8 round; // 0 first verifier, 1 after a timeout redraw
        bool recorded;
        bool clientRequested;
    }

    /// @notice Dispute state of a job in {Status-Disputed} or resolved from it.
    struct DisputeState {
        address challenger;
        uint64 deadline;
        uint32 votesProviderWrong;
        uint32 votesProviderRight;
        bytes32 evidenceHash;
        address[] committee;
    }

    /// @notice An account's state in the market, one slot: every job reads and writes its
    /// client's and its provider's.
    struct Account {
        uint96 balance; // internal balance
        uint96 collateral; // stake locked in the vault for this market and free for new jobs
        uint32 jobsSettled; // as provider
        uint32 offerNonceFloor; // offers of this provider with a lower nonce are cancelled
    }

    /// @dev Global counters in one slot: the job id counter, the two fee pools and the pause flag
    /// are written together by every {createJob}.
    struct Ledger {
        uint64 jobCount;
        uint96 verificationPool;
        uint88 protocolFees;
        bool paused;
    }

    uint256 internal constant _BPS = 10_000;
    uint256 internal constant _STATUS_MASK = 0xff;
    uint256 internal constant _U96 = type(uint96).max;
    /// @dev blockhash() of a block more than this many blocks back is zero.
    uint256 internal constant _HORIZON = 256;

    IERC20 internal immutable _token;
    StakingVault internal immutable _vault;
    address internal immutable _treasury;

    uint256 internal immutable _auditRateBps;
    uint256 internal immutable _collateralMultiplierBps;
    uint64 internal immutable _challengeWindow;
    uint256 internal immutable _verificationFeeBps;
    uint256 internal immutable _protocolFeeBps;

    Ledger internal _ledger;
    Params internal _params;
    mapping(uint256 jobId => uint256) internal _jobs;
    mapping(address account => Account) internal _accounts;
    mapping(uint256 jobId => AuditState) internal _audits;
    mapping(uint256 jobId => DisputeState) internal _disputes;
    mapping(uint256 jobId => mapping(address member => uint8)) internal _votes;

    /// @notice Tokens were credited to `account`'s internal balance from outside.
    event Deposited(address indexed account, uint256 amount);
    /// @notice Tokens left `account`'s internal balance to its address.
    event Withdrawn(address indexed account, uint256 amount);
    /// @notice A provider withdrew its offers with nonces up to `nonce` (`digest`: the offer named).
    event OfferCancelled(address indexed provider, uint64 nonce, bytes32 digest);
    /// @notice Provider stake was locked in the vault as collateral for this market's jobs.
    event CollateralLocked(address indexed provider, uint256 amount);
    /// @notice A provider released free collateral back to its vault stake.
    event CollateralReleased(address indexed provider, uint256 amount);
    /// @notice A job was created: every immutable field of its record.
    event JobCreated(
        uint256 indexed jobId,
        address indexed client,
        address indexed provider,
        bytes32 modelId,
        uint256 unitPrice,
        uint32 taskCount,
        uint64 deadline,
        bytes32 tasksRoot,
        bytes32 manifestHash
    );
    /// @notice A provider's signed result was recorded: the fields the record gains.
    event ResultSubmitted(
        uint256 indexed jobId, bytes32 resultRoot, bytes32 outputsHash, uint64 submittedAt, uint64 submitBlock
    );
    /// @notice A job settled in the provider's favour; `payout` was credited to the provider.
    event JobSettled(uint256 indexed jobId, uint256 payout);
    /// @notice A job's deadline passed without a result; `refund` was credited to the client and
    /// `slashed` taken from the provider's collateral.
    event JobExpired(uint256 indexed jobId, uint256 refund, uint256 slashed);
    /// @notice The audit draw of a job was fixed. `verifier` is zero when the job is not audited.
    event DrawRecorded(uint256 indexed jobId, bytes32 seed, bool audited, address verifier);
    /// @notice A client asked for an audit and paid `fee` into the verification pool.
    event AuditRequested(uint256 indexed jobId, uint256 fee);
    /// @notice `verifier` must deliver a verdict on the job by `deadline`.
    event AuditAssigned(uint256 indexed jobId, address indexed verifier, uint64 deadline);
    /// @notice The drawn verifier judged the job; `reward` was credited to it (zero on fail,
    /// where the reward waits for the dispute).
    event VerdictSubmitted(
        uint256 indexed jobId, address indexed verifier, bool pass, bytes32 evidenceHash, uint256 reward
    );
    /// @notice A verifier missed its deadline; `penalty` was slashed from its stake into the pool.
    event AuditTimedOut(uint256 indexed jobId, address indexed verifier, uint256 penalty);
    /// @notice A fail verdict opened a dispute decided by `committee` by `deadline`.
    event DisputeOpened(
        uint256 indexed jobId, address indexed challenger, uint256 bond, uint64 deadline, address[] committee
    );
    /// @notice A committee member voted.
    event Voted(uint256 indexed jobId, address indexed member, bool providerWrong);
    /// @notice A dispute ended. When the provider was wrong `slashed` collateral was split and the
    /// job is {Status-Slashed}; otherwise it settled and the bond went to the provider.
    event DisputeResolved(uint256 indexed jobId, bool providerWrong, uint256 slashed);
    /// @notice `amount` of a job's money was credited to `account` by a dispute, expiry or audit.
    event Credited(uint256 indexed jobId, address indexed account, uint256 amount);
    /// @notice Protocol fees were moved to the treasury's internal balance.
    event ProtocolFeesClaimed(address indexed treasury, uint256 amount);
    /// @notice Job creation was paused or resumed by the owner.
    event PauseChanged(bool paused);

    error JobMarketInvalidParameter(string name, uint256 value);
    error JobMarketProofOfSamplingViolated(uint256 auditRateBps, uint256 collateralMultiplierBps, uint256 marginBps);
    error JobMarketAuditPoolInsolvent(uint256 auditRateBps, uint256 auditRewardBps, uint256 verificationFeeBps);
    error JobMarketZeroAmount();
    error JobMarketInsufficientBalance(address account, uint256 balance, uint256 needed);
    error JobMarketPaused();
    error JobMarketNotOfferProvider(address caller, address provider);
    error JobMarketOfferCancelled(address provider, uint64 nonce, uint32 nonceFloor);
    error JobMarketInsufficientCollateral(address provider, uint256 free, uint256 needed);
    error JobMarketOfferExpired(uint64 expiry, uint64 now_);
    error JobMarketInvalidOfferSignature(address signer, address provider);
    error JobMarketInvalidTaskCount(uint32 taskCount, uint32 maxTasks);
    error JobMarketInvalidDeadline(uint64 deadline, uint64 now_);
    error JobMarketJobMismatch(uint256 jobId, bytes32 commitment);
    error JobMarketInvalidStatus(uint256 jobId, Status status, Status expected);
    error JobMarketDeadlinePassed(uint256 jobId, uint64 deadline, uint64 now_);
    error JobMarketDeadlineNotPassed(uint256 jobId, uint64 deadline, uint64 now_);
    error JobMarketInvalidResultSignature(address signer, address provider);
    error JobMarketLengthMismatch(uint256 jobIds, uint256 jobs);
    error JobMarketChallengeWindowOpen(uint256 jobId, uint64 endsAt, uint64 now_);
    error JobMarketChallengeWindowClosed(uint256 jobId, uint64 endedAt, uint64 now_);
    error JobMarketDrawNotReady(uint256 jobId, uint256 readyAtBlock);
    error JobMarketDrawAlreadyRecorded(uint256 jobId);
    error JobMarketNotAudited(uint256 jobId);
    error JobMarketNoVerifiers();
    error JobMarketNotClient(address caller, address client);
    error JobMarketNotDrawnVerifier(address caller, address verifier);
    error JobMarketAuditOpen(uint256 jobId, uint64 deadline, uint64 now_);
    error JobMarketAuditClosed(uint256 jobId, uint64 deadline, uint64 now_);
    error JobMarketNotCommitteeMember(uint256 jobId, address caller);
    error JobMarketAlreadyVoted(uint256 jobId, address member);
    error JobMarketDisputeOpen(uint256 jobId, uint64 deadline, uint64 now_);
    error JobMarketDisputeClosed(uint256 jobId, uint64 deadline, uint64 now_);

    /// @param token The payment token (any ERC-20; fee-on-transfer tokens are credited what arrives).
    /// @param vault The staking vault holding providers' collateral and the verifier set.
    /// @param treasury Receives protocol fees and the treasury share of slashes.
    /// @param p Every parameter; refused unless it keeps audits worth the risk and the pool solvent.
    constructor(IERC20 token, StakingVault vault, address treasury, Params memory p) {
        _validate(p);
        if (treasury == address(0)) revert JobMarketInvalidParameter("treasury", 0);
        _params = p;
        _token = token;
        _vault = vault;
        _treasury = treasury;
        _auditRateBps = p.auditRateBps;
        _collateralMultiplierBps = p.collateralMultiplierBps;
        _challengeWindow = p.challengeWindow;
        _verificationFeeBps = p.verificationFeeBps;
        _protocolFeeBps = p.protocolFeeBps;
    }

    function _debit(address account, uint256 amount) internal {
        Account storage a = _accounts[account];
        uint256 packed;
        assembly ("memory-safe") {
            packed := sload(a.slot)
        }
        uint256 balance = packed & _U96;
        if (amount > balance) revert JobMarketInsufficientBalance(account, balance, amount);
        // amount <= balance: the subtraction stays inside the balance bits
        unchecked {
            packed -= amount;
        }
        assembly ("memory-safe") {
            sstore(a.slot, packed)
        }
    }

    function _addBalance(address account, uint256 amount) internal {
        Account storage a = _accounts[account];
        a.balance = (a.balance + amount).toUint96();
    }

    /// @dev Pays the provider, releases its collateral and clears the job's slot (a cleared slot
    /// of an issued id reads as Settled).
    function _settleJob(uint256 jobId, Job calldata job, uint256 payout, bool auditPassed) internal {
        _settle(jobId, job.provider, payout, job.unitPrice * job.taskCount * _collateralMultiplierBps / _BPS, auditPassed);
    }

    function _settle(uint256 jobId, address provider, uint256 payout, uint256 collateral, bool auditPassed) internal {
        delete _jobs[jobId];
        Account storage a = _accounts[provider];
        uint256 packed;
        assembly ("memory-safe") {
            packed := sload(a.slot)
        }
        // Account packs balance (bits 0-95), collateral (96-191), jobsSettled (192-223) and the
        // offer nonce floor (224-255); one read and one write of the slot.
        uint256 balance = (packed & _U96) + payout;
        if (balance > _U96) revert SafeCast.SafeCastOverflowedUintDowncast(96, balance);
        // The job's collateral left this field or the vault stake when the job was created, so the
        // field stays within the provider's locked stake, a uint96; the counter wraps only after
        // 2^32 jobs and then only miscounts.
        unchecked {
            uint256 free = ((packed >> 96) & _U96) + collateral;
            uint256 settled = ((packed >> 192) + 1) & 0xffffffff;
            packed = balance | (free << 96) | (settled << 192) | (packed & (0xffffffff << 224));
        }
        assembly ("memory-safe") {
            sstore(a.slot, packed)
        }
        emit JobSettled(jobId, payout);
        if (auditPassed) _vault.recordAuditPassed(provider);
    }

    function _recordDraw(uint256 jobId, bytes32 seed, bool audited) internal returns (address verifier) {
        if (audited) verifier = _vault.drawVerifier(seed, address(0));
        AuditState storage audit = _audits[jobId];
        audit.seed = seed;
        audit.recorded = true;
        emit DrawRecorded(jobId, seed, verifier != address(0), verifier);
        if (verifier != address(0)) {
            audit.verifier = verifier;
            audit.deadline = uint64(block.timestamp) + _params.auditWindow;
            _setStatus(jobId, Status.Auditing);
            emit AuditAssigned(jobId, verifier, audit.deadline);
        }
    }

    /// @dev The draw seed of a job and whether it is audited, per the rule in {auditDraw}.
    function _draw(uint256 jobId, uint64 submitBlock) internal view returns (bytes32 seed, bool audited) {
        if (block.number <= uint256(submitBlock) + 1) revert JobMarketDrawNotReady(jobId, uint256(submitBlock) + 2);
        bytes32 hash = blockhash(uint256(submitBlock) + 1);
        if (hash == bytes32(0)) {
            AuditState storage audit = _audits[jobId];
            if (audit.recorded) return (audit.seed, audit.verifier != address(0));
            return (_seedOf(blockhash(block.number - 1), jobId), true);
        }
        seed = _seedOf(hash, jobId);
        audited = uint256(seed) % _BPS < _auditRateBps;
    }

    /// @dev keccak256(abi.encode(hash, jobId)) in scratch space.
    function _seedOf(bytes32 hash, uint256 jobId) internal pure returns (bytes32 seed) {
        assembly ("memory-safe") {
            mstore(0x00, hash)
            mstore(0x20, jobId)
            seed := keccak256(0x00, 0x40)
        }
    }

    function _drawSeed(uint256 jobId, uint64 submitBlock) internal view returns (bytes32 seed) {
        (seed,) = _draw(jobId, submitBlock);
    }

    /// @dev {_expectStatus} in one comparison of the slot with the record's hash and status,
    /// leaving the precise error to the slow path.
    function _expectRecord(uint256 jobId, Job calldata job, Status expected) internal view {
        if (_jobs[jobId] != (_hashJob(job) & ~_STATUS_MASK) | uint256(expected)) _expectStatus(jobId, job, expected);
    }

    function _expectStatus(uint256 jobId, Job calldata job, Status expected) internal view {
        Status status = _status(jobId, job);
        if (status != expected) revert JobMarketInvalidStatus(jobId, status, expected);
    }

    /// @dev The status of a job whose record the caller passed; reverts if the record is not the
    /// one committed to.
    function _status(uint256 jobId, Job calldata job) internal view returns (Status) {
        uint256 slot = _jobs[jobId];
        if (slot == 0) return _statusOfSlot(jobId, 0);
        bytes32 commitment = bytes32(_hashJob(job) & ~_STATUS_MASK);
        if (bytes32(slot & ~_STATUS_MASK) != commitment) revert JobMarketJobMismatch(jobId, commitment);
        return Status(slot & _STATUS_MASK);
    }

    function _statusOfSlot(uint256 jobId, uint256 slot) internal view returns (Status) {
        if (slot != 0) return Status(slot & _STATUS_MASK);
        return jobId != 0 && jobId <= _ledger.jobCount ? Status.Settled : Status.None;
    }

    /// @dev keccak256(abi.encode(job)) without the copy: a Job is 12 static words in calldata,
    /// already in its ABI encoding.
    function _hashJob(Job calldata job) internal pure returns (uint256 hash) {
        assembly ("memory-safe") {
            let record := mload(0x40)
            calldatacopy(record, job, 0x180)
            hash := keccak256(record, 0x180)
        }
    }

    function _setStatus(uint256 jobId, Status status) internal {
        _jobs[jobId] = (_jobs[jobId] & ~_STATUS_MASK) | uint256(status);
    }

    function _validate(Params memory p) internal pure {
        if (p.auditRateBps > _BPS) revert JobMarketInvalidParameter("auditRateBps", p.auditRateBps);
        if (p.auditedTasksPerJob == 0) revert JobMarketInvalidParameter("auditedTasksPerJob", 0);
        if (uint256(p.auditRateBps) * (_BPS + p.collateralMultiplierBps) < _BPS * (_BPS + p.posMarginBps)) {
            revert JobMarketProofOfSamplingViolated(p.auditRateBps, p.collateralMultiplierBps, p.posMarginBps);
        }
        if (uint256(p.auditRateBps) * p.auditRewardBps > uint256(p.verificationFeeBps) * _BPS) {
            revert JobMarketAuditPoolInsolvent(p.auditRateBps, p.auditRewardBps, p.verificationFeeBps);
        }
        if (p.clientAuditFeeBps < p.auditRewardBps) revert JobMarketInvalidParameter("clientAuditFeeBps", p.clientAuditFeeBps);
        if (p.challengeWindow == 0) revert JobMarketInvalidParameter("challengeWindow", 0);
        if (p.auditWindow == 0) revert JobMarketInvalidParameter("auditWindow", 0);
        if (p.disputeWindow == 0) revert JobMarketInvalidParameter("disputeWindow", 0);
        if (p.committeeSize == 0) revert JobMarketInvalidParameter("committeeSize", 0);
        if (p.expiryPenaltyBps > _BPS) revert JobMarketInvalidParameter("expiryPenaltyBps", p.expiryPenaltyBps);
        uint256 slashSplit = uint256(p.slashClientBps) + p.slashChallengerBps + p.slashCommitteeBps;
        if (slashSplit > _BPS) revert JobMarketInvalidParameter("slashSplitBps", slashSplit);
    }
}
