// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {StakingVault} from "./StakingVault.sol";

/// @title JobMarket
/// @notice Escrow, settlement, audits and disputes of compute jobs. Clients create jobs from
/// providers' signed offers; providers' signed results are relayed by anyone; a block hash drawn
/// after submission decides which jobs a verifier audits; a committee of verifiers decides
/// disputes. Money moves only by pull: every outcome credits internal balances and {withdraw} is
/// the only transfer out.
/// @dev Each job is one storage slot: the commitment to its {Job} record in the high 248 bits and
/// its {Status} in the low 8. Callers pass the record back (rebuilt from {JobCreated} and
/// {ResultSubmitted}); a settled job's slot is cleared, and a cleared slot of an id that was
/// issued reads as {Status-Settled}.
contract JobMarket is EIP712, Ownable, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
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

    /// @dev Global counters in one slot: the job id counter, the two fee pools and the pause flag
    /// are written together by every {createJob}.
    struct Ledger {
        uint64 jobCount;
        uint96 verificationPool;
        uint88 protocolFees;
        bool paused;
    }

    bytes32 private constant _OFFER_TYPEHASH = keccak256(
        "Offer(address provider,bytes32 modelId,uint256 unitPrice,uint32 maxTasks,uint64 expiry,bytes32 region,uint64 nonce)"
    );
    bytes32 private constant _RESULT_TYPEHASH =
        keccak256("Result(uint256 jobId,bytes32 tasksRoot,bytes32 resultRoot,bytes32 outputsHash)");
    uint256 private constant _BPS = 10_000;
    uint256 private constant _STATUS_MASK = 0xff;
    /// @dev blockhash() of a block more than this many blocks back is zero.
    uint256 private constant _HORIZON = 256;

    IERC20 private immutable _token;
    StakingVault private immutable _vault;
    address private immutable _treasury;

    uint256 private immutable _auditRateBps;
    uint256 private immutable _collateralMultiplierBps;
    uint64 private immutable _challengeWindow;
    uint256 private immutable _verificationFeeBps;
    uint256 private immutable _protocolFeeBps;

    Ledger private _ledger;
    Params private _params;
    mapping(uint256 jobId => uint256) private _jobs;
    mapping(address account => uint256) private _balances;
    mapping(bytes32 offerDigest => bool) private _cancelledOffers;
    mapping(uint256 jobId => AuditState) private _audits;
    mapping(uint256 jobId => DisputeState) private _disputes;
    mapping(uint256 jobId => mapping(address member => uint8)) private _votes;

    /// @notice Tokens were credited to `account`'s internal balance from outside.
    event Deposited(address indexed account, uint256 amount);
    /// @notice Tokens left `account`'s internal balance to its address.
    event Withdrawn(address indexed account, uint256 amount);
    /// @notice A provider withdrew an offer; jobs can no longer be created from it.
    event OfferCancelled(address indexed provider, bytes32 indexed digest);
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
    error JobMarketOfferCancelled(bytes32 digest);
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
    constructor(IERC20 token, StakingVault vault, address treasury, Params memory p)
        EIP712("Exchange", "1")
        Ownable(msg.sender)
    {
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

    // ------------------------------------------------------------------ balances

    /// @notice Pulls `amount` tokens from the caller (approve first) into its internal balance,
    /// crediting what actually arrived. Emits {Deposited}.
    function deposit(uint256 amount) external nonReentrant {
        _deposit(amount);
    }

    /// @notice {deposit} with an EIP-2612 permit instead of a prior approval. A permit that was
    /// already used (front-run) is ignored when the allowance suffices. Emits {Deposited}.
    function depositWithPermit(uint256 amount, uint256 deadline, uint8 v, bytes32 r, bytes32 s) external nonReentrant {
        try IERC20Permit(address(_token)).permit(msg.sender, address(this), amount, deadline, v, r, s) {} catch {}
        _deposit(amount);
    }

    /// @notice Sends `amount` of the caller's internal balance to the caller; the only transfer out.
    /// Emits {Withdrawn}.
    function withdraw(uint256 amount) external nonReentrant {
        if (amount == 0) revert JobMarketZeroAmount();
        uint256 balance = _balances[msg.sender];
        if (amount > balance) revert JobMarketInsufficientBalance(msg.sender, balance, amount);
        // amount <= balance
        unchecked {
            _balances[msg.sender] = balance - amount;
        }
        emit Withdrawn(msg.sender, amount);
        _token.safeTransfer(msg.sender, amount);
    }

    /// @notice Moves the accrued protocol fees to the treasury's internal balance; anyone may call.
    /// Emits {ProtocolFeesClaimed}.
    function claimProtocolFees() external {
        uint256 amount = _ledger.protocolFees;
        _ledger.protocolFees = 0;
        _balances[_treasury] += amount;
        emit ProtocolFeesClaimed(_treasury, amount);
    }

    // ------------------------------------------------------------------ offers and jobs

    /// @notice Withdraws an offer; only its provider. Emits {OfferCancelled}.
    function cancelOffer(Offer calldata offer) external {
        if (msg.sender != offer.provider) revert JobMarketNotOfferProvider(msg.sender, offer.provider);
        bytes32 digest = offerDigest(offer);
        _cancelledOffers[digest] = true;
        emit OfferCancelled(offer.provider, digest);
    }

    /// @notice Creates a job from a provider's signed offer: debits the caller (the client) the
    /// price and fees, locks the provider's collateral. Job ids run from 1. Emits {JobCreated}.
    function createJob(
        Offer calldata offer,
        bytes calldata offerSig,
        uint32 taskCount,
        bytes32 tasksRoot,
        bytes32 manifestHash,
        uint64 deadline
    ) external returns (uint256 jobId) {
        Ledger memory book = _ledger;
        if (book.paused) revert JobMarketPaused();
        uint256 cost = _createJob(book, offer, offerSig, taskCount, tasksRoot, manifestHash, deadline);
        _debit(msg.sender, cost);
        _ledger = book;
        return book.jobCount;
    }

    /// @notice {createJob} for many jobs in one transaction; returns the first id (ids are
    /// consecutive). Emits {JobCreated} per job.
    function createJobs(JobRequest[] calldata requests) external returns (uint256 firstJobId) {
        Ledger memory book = _ledger;
        if (book.paused) revert JobMarketPaused();
        firstJobId = book.jobCount + 1;
        uint256 cost;
        for (uint256 i; i < requests.length; ++i) {
            JobRequest calldata q = requests[i];
            cost += _createJob(book, q.offer, q.offerSig, q.taskCount, q.tasksRoot, q.manifestHash, q.deadline);
        }
        _debit(msg.sender, cost);
        _ledger = book;
    }

    /// @notice Records the provider's signed result of a job before its deadline; anyone may
    /// relay it. Emits {ResultSubmitted}.
    function submitResult(
        uint256 jobId,
        Job calldata job,
        bytes32 resultRoot,
        bytes32 outputsHash,
        bytes calldata signature
    ) external {
        _submitResult(jobId, job, resultRoot, outputsHash, signature);
    }

    /// @notice {submitResult} for many jobs. Emits {ResultSubmitted} per job.
    function submitResults(ResultSubmission[] calldata results) external {
        for (uint256 i; i < results.length; ++i) {
            ResultSubmission calldata r = results[i];
            _submitResult(r.jobId, r.job, r.resultRoot, r.outputsHash, r.signature);
        }
    }

    /// @notice Settles submitted jobs whose challenge window has passed; anyone may call. A job
    /// the draw selects for audit moves to {Status-Auditing} instead. Emits {JobSettled} or
    /// {DrawRecorded} and {AuditAssigned} per job.
    function settle(uint256[] calldata jobIds, Job[] calldata jobs) external {
        if (jobIds.length != jobs.length) revert JobMarketLengthMismatch(jobIds.length, jobs.length);
        for (uint256 i; i < jobIds.length; ++i) {
            uint256 jobId = jobIds[i];
            Job calldata job = jobs[i];
            _expectStatus(jobId, job, Status.Submitted);
            uint64 endsAt = job.submittedAt + _challengeWindow;
            if (block.timestamp <= endsAt) {
                revert JobMarketChallengeWindowOpen(jobId, endsAt, uint64(block.timestamp));
            }
            (bytes32 seed, bool audited) = _draw(jobId, job.submitBlock);
            if (audited) {
                address verifier = _recordDraw(jobId, seed, true);
                if (verifier != address(0)) continue;
            }
            _settleJob(jobId, job, job.unitPrice * job.taskCount, false);
        }
    }

    /// @notice Ends jobs whose deadline passed without a result; anyone may call. The client gets
    /// price and fees back plus a share of the collateral, taken from the provider's stake.
    /// Emits {JobExpired} per job.
    function expire(uint256[] calldata jobIds, Job[] calldata jobs) external {
        if (jobIds.length != jobs.length) revert JobMarketLengthMismatch(jobIds.length, jobs.length);
        for (uint256 i; i < jobIds.length; ++i) {
            _expire(jobIds[i], jobs[i]);
        }
    }

    // ------------------------------------------------------------------ audits

    /// @notice Fixes the audit draw of a submitted job (whether it is audited and by whom), so
    /// that neither the 256-block horizon nor changes of the verifier set can move it; anyone may
    /// call. Emits {DrawRecorded} (and {AuditAssigned} when audited).
    function recordDraw(uint256 jobId, Job calldata job) external {
        _expectStatus(jobId, job, Status.Submitted);
        if (_audits[jobId].recorded) revert JobMarketDrawAlreadyRecorded(jobId);
        (bytes32 seed, bool audited) = _draw(jobId, job.submitBlock);
        _recordDraw(jobId, seed, audited);
    }

    /// @notice The job's client asks for an audit within the challenge window, paying the client
    /// audit fee into the verification pool. Emits {AuditRequested}, {DrawRecorded},
    /// {AuditAssigned}.
    function requestAudit(uint256 jobId, Job calldata job) external {
        _expectStatus(jobId, job, Status.Submitted);
        if (msg.sender != job.client) revert JobMarketNotClient(msg.sender, job.client);
        uint64 endsAt = job.submittedAt + _challengeWindow;
        if (block.timestamp > endsAt) revert JobMarketChallengeWindowClosed(jobId, endsAt, uint64(block.timestamp));
        // Before its draw exists the job is seeded like one past the horizon, from the last hash.
        bytes32 seed = block.number > job.submitBlock + 1
            ? _drawSeed(jobId, job.submitBlock)
            : keccak256(abi.encode(blockhash(block.number - 1), jobId));
        uint256 fee = job.unitPrice * job.taskCount * _params.clientAuditFeeBps / _BPS;
        _debit(msg.sender, fee);
        _ledger.verificationPool += fee.toUint96();
        emit AuditRequested(jobId, fee);
        _audits[jobId].clientRequested = true;
        if (_recordDraw(jobId, seed, true) == address(0)) revert JobMarketNoVerifiers();
    }

    /// @notice The drawn verifier's verdict on an audited job. Pass settles the job and pays the
    /// verifier's reward; fail posts the challenger bond from the verifier's internal balance and
    /// opens a dispute before a drawn committee. Emits {VerdictSubmitted}, then {JobSettled} or
    /// {DisputeOpened}.
    function submitVerdict(uint256 jobId, Job calldata job, bool pass, bytes32 evidenceHash) external {
        Status status = _status(jobId, job);
        if (status == Status.Submitted) {
            if (_audits[jobId].recorded) revert JobMarketNotAudited(jobId);
            (bytes32 seed, bool audited) = _draw(jobId, job.submitBlock);
            if (!audited || _recordDraw(jobId, seed, true) == address(0)) revert JobMarketNotAudited(jobId);
        } else if (status != Status.Auditing) {
            revert JobMarketInvalidStatus(jobId, status, Status.Auditing);
        }
        AuditState storage audit = _audits[jobId];
        if (msg.sender != audit.verifier) revert JobMarketNotDrawnVerifier(msg.sender, audit.verifier);
        if (block.timestamp > audit.deadline) {
            revert JobMarketAuditClosed(jobId, audit.deadline, uint64(block.timestamp));
        }
        uint256 price = job.unitPrice * job.taskCount;
        if (pass) {
            delete _audits[jobId];
            uint256 reward = _payReward(msg.sender, price);
            emit VerdictSubmitted(jobId, msg.sender, true, evidenceHash, reward);
            _settleJob(jobId, job, price, true);
        } else {
            _openDispute(jobId, audit.seed, evidenceHash);
        }
    }

    /// @notice Handles a verifier silent past its deadline: slashes its timeout penalty into the
    /// pool, then draws another verifier once; after the second silence the job settles.
    /// Anyone may call. Emits {AuditTimedOut}, then {AuditAssigned} or {JobSettled}.
    function timeoutAudit(uint256 jobId, Job calldata job) external {
        _expectStatus(jobId, job, Status.Auditing);
        AuditState storage audit = _audits[jobId];
        address verifier = audit.verifier;
        uint64 deadline = audit.deadline;
        if (block.timestamp <= deadline) revert JobMarketAuditOpen(jobId, deadline, uint64(block.timestamp));
        uint256 penalty = _vault.slash(verifier, 0, _params.verifierTimeoutPenalty, false);
        _ledger.verificationPool += penalty.toUint96();
        emit AuditTimedOut(jobId, verifier, penalty);
        address next = audit.round == 0 ? _vault.drawVerifier(keccak256(abi.encode(audit.seed, "redraw")), verifier) : address(0);
        if (next == address(0)) {
            delete _audits[jobId];
            _settleJob(jobId, job, job.unitPrice * job.taskCount, false);
        } else {
            audit.verifier = next;
            audit.round = 1;
            audit.deadline = uint64(block.timestamp) + _params.auditWindow;
            emit AuditAssigned(jobId, next, audit.deadline);
        }
    }

    // ------------------------------------------------------------------ disputes

    /// @notice A committee member's vote on a dispute, once, before the dispute deadline.
    /// Emits {Voted}.
    function vote(uint256 jobId, Job calldata job, bool providerWrong) external {
        _expectStatus(jobId, job, Status.Disputed);
        DisputeState storage dispute = _disputes[jobId];
        if (block.timestamp > dispute.deadline) {
            revert JobMarketDisputeClosed(jobId, dispute.deadline, uint64(block.timestamp));
        }
        if (!_isMember(dispute.committee, msg.sender)) revert JobMarketNotCommitteeMember(jobId, msg.sender);
        if (_votes[jobId][msg.sender] != 0) revert JobMarketAlreadyVoted(jobId, msg.sender);
        _votes[jobId][msg.sender] = providerWrong ? 1 : 2;
        if (providerWrong) dispute.votesProviderWrong += 1;
        else dispute.votesProviderRight += 1;
        emit Voted(jobId, msg.sender, providerWrong);
    }

    /// @notice Ends a dispute once a majority of the committee agrees or the dispute window has
    /// passed; anyone may call. A majority finding the provider wrong slashes its collateral:
    /// the client is refunded and the collateral split between client, challenger, the majority
    /// and the treasury, the bond returned. Otherwise the job settles and the bond goes to the
    /// provider. Emits {DisputeResolved} and {Credited}s, or {JobSettled}.
    function resolveDispute(uint256 jobId, Job calldata job) external {
        _expectStatus(jobId, job, Status.Disputed);
        DisputeState storage dispute = _disputes[jobId];
        uint256 size = dispute.committee.length;
        bool providerWrong = dispute.votesProviderWrong * 2 > size;
        bool decided = providerWrong || dispute.votesProviderRight * 2 >= size;
        if (!decided && block.timestamp <= dispute.deadline) {
            revert JobMarketDisputeOpen(jobId, dispute.deadline, uint64(block.timestamp));
        }
        uint256 price = job.unitPrice * job.taskCount;
        if (providerWrong) {
            _slashProvider(jobId, job, price, dispute);
        } else {
            emit DisputeResolved(jobId, false, 0);
            _settleJob(jobId, job, price + _params.challengerBond, true);
        }
    }

    // ------------------------------------------------------------------ owner

    /// @notice Stops the creation of new jobs; only the owner. Nothing else is affected.
    /// Emits {PauseChanged}.
    function pause() external onlyOwner {
        _ledger.paused = true;
        emit PauseChanged(true);
    }

    /// @notice Resumes the creation of new jobs; only the owner. Emits {PauseChanged}.
    function unpause() external onlyOwner {
        _ledger.paused = false;
        emit PauseChanged(false);
    }

    // ------------------------------------------------------------------ views

    /// @notice Every parameter of the market.
    function params() external view returns (Params memory) {
        return _params;
    }

    /// @notice The payment token, the vault and the treasury.
    function contracts() external view returns (IERC20 token, StakingVault vault, address treasury) {
        return (_token, _vault, _treasury);
    }

    /// @notice Internal balance of `account`.
    function balanceOf(address account) external view returns (uint256) {
        return _balances[account];
    }

    /// @notice Jobs created so far (the last id), the verification pool, unclaimed protocol fees,
    /// and whether job creation is paused.
    function ledger() external view returns (uint256 jobCount, uint256 verificationPool, uint256 protocolFees, bool paused) {
        Ledger memory book = _ledger;
        return (book.jobCount, book.verificationPool, book.protocolFees, book.paused);
    }

    /// @notice Whether the offer with this EIP-712 digest was cancelled.
    function offerCancelled(bytes32 digest) external view returns (bool) {
        return _cancelledOffers[digest];
    }

    /// @notice A job's status and stored commitment, plus its audit and dispute state.
    function getJob(uint256 jobId)
        external
        view
        returns (Status status, bytes32 commitment, AuditState memory audit, DisputeState memory dispute)
    {
        uint256 slot = _jobs[jobId];
        status = _statusOfSlot(jobId, slot);
        commitment = bytes32(slot & ~_STATUS_MASK);
        audit = _audits[jobId];
        dispute = _disputes[jobId];
    }

    /// @notice The commitment the market stores for a record (its status byte zero).
    function jobCommitment(Job calldata job) public pure returns (bytes32) {
        return bytes32(_hashJob(job) & ~_STATUS_MASK);
    }

    /// @notice The EIP-712 digest a provider signs for an offer.
    function offerDigest(Offer calldata offer) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(_OFFER_TYPEHASH, offer)));
    }

    /// @notice The EIP-712 digest a provider signs for a result.
    function resultDigest(uint256 jobId, bytes32 tasksRoot, bytes32 resultRoot, bytes32 outputsHash)
        public
        view
        returns (bytes32)
    {
        return _hashTypedDataV4(keccak256(abi.encode(_RESULT_TYPEHASH, jobId, tasksRoot, resultRoot, outputsHash)));
    }

    /// @notice The audit draw of a submitted job: the one definition, which off-chain code calls.
    /// @dev `seed = keccak256(abi.encode(blockhash(submitBlock + 1), jobId))`, audited when
    /// `seed % 10000 < auditRateBps`; the verifier is `verifierAt(keccak256(seed, 1) % count)`,
    /// task indices follow from `keccak256(seed, 2 + i)`. Horizon rule: once `blockhash(submitBlock
    /// + 1)` is gone (more than 256 blocks later) and no draw was recorded, the job is audited for
    /// certain with a seed from the latest block hash, so letting the horizon pass never helps a
    /// provider; anyone may fix the draw earlier with {recordDraw}. A recorded draw is returned
    /// as recorded. Not audited also when no verifier is active.
    function auditDraw(uint256 jobId, Job calldata job)
        external
        view
        returns (bool audited, address verifier, uint32[] memory taskIndices)
    {
        Status status = _status(jobId, job);
        AuditState memory audit = _audits[jobId];
        bytes32 seed;
        if (audit.recorded) {
            seed = audit.seed;
            verifier = audit.verifier;
        } else {
            if (status != Status.Submitted) revert JobMarketInvalidStatus(jobId, status, Status.Submitted);
            (seed, audited) = _draw(jobId, job.submitBlock);
            if (audited) verifier = _vault.drawVerifier(seed, address(0));
        }
        audited = verifier != address(0);
        if (audited) taskIndices = _taskIndices(seed, job.taskCount);
    }

    /// @notice Whether `proof` proves task leaf `keccak256(abi.encode(index, inputHash))` in `root`.
    function verifyTaskProof(bytes32 root, uint256 index, bytes32 inputHash, bytes32[] calldata proof)
        external
        pure
        returns (bool)
    {
        return MerkleProof.verifyCalldata(proof, root, keccak256(abi.encode(index, inputHash)));
    }

    /// @notice Whether `proof` proves result leaf `keccak256(abi.encode(index, inputHash,
    /// outputHash))` in `root`.
    function verifyResultProof(
        bytes32 root,
        uint256 index,
        bytes32 inputHash,
        bytes32 outputHash,
        bytes32[] calldata proof
    ) external pure returns (bool) {
        return MerkleProof.verifyCalldata(proof, root, keccak256(abi.encode(index, inputHash, outputHash)));
    }

    // ------------------------------------------------------------------ internals

    function _deposit(uint256 amount) private {
        if (amount == 0) revert JobMarketZeroAmount();
        uint256 before = _token.balanceOf(address(this));
        _token.safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = _token.balanceOf(address(this)) - before;
        _balances[msg.sender] += received;
        emit Deposited(msg.sender, received);
    }

    function _debit(address account, uint256 amount) private {
        uint256 balance = _balances[account];
        if (amount > balance) revert JobMarketInsufficientBalance(account, balance, amount);
        // amount <= balance
        unchecked {
            _balances[account] = balance - amount;
        }
    }

    function _createJob(
        Ledger memory book,
        Offer calldata offer,
        bytes calldata offerSig,
        uint32 taskCount,
        bytes32 tasksRoot,
        bytes32 manifestHash,
        uint64 deadline
    ) private returns (uint256 cost) {
        _checkOffer(offer, offerSig, taskCount, deadline);
        uint256 price = offer.unitPrice * taskCount;
        uint256 verificationFee = price * _verificationFeeBps / _BPS;
        uint256 protocolFee = price * _protocolFeeBps / _BPS;
        book.verificationPool = (book.verificationPool + verificationFee).toUint96();
        book.protocolFees = (book.protocolFees + protocolFee).toUint88();
        _storeJob(++book.jobCount, offer, taskCount, tasksRoot, manifestHash, deadline);
        _vault.lock(offer.provider, price * _collateralMultiplierBps / _BPS);
        return price + verificationFee + protocolFee;
    }

    function _checkOffer(Offer calldata offer, bytes calldata offerSig, uint32 taskCount, uint64 deadline) private view {
        if (taskCount == 0 || taskCount > offer.maxTasks) revert JobMarketInvalidTaskCount(taskCount, offer.maxTasks);
        if (offer.expiry < block.timestamp) revert JobMarketOfferExpired(offer.expiry, uint64(block.timestamp));
        if (deadline <= block.timestamp) revert JobMarketInvalidDeadline(deadline, uint64(block.timestamp));
        bytes32 digest = offerDigest(offer);
        address signer = ECDSA.recover(digest, offerSig);
        if (signer != offer.provider) revert JobMarketInvalidOfferSignature(signer, offer.provider);
        if (_cancelledOffers[digest]) revert JobMarketOfferCancelled(digest);
    }

    function _storeJob(
        uint256 jobId,
        Offer calldata offer,
        uint32 taskCount,
        bytes32 tasksRoot,
        bytes32 manifestHash,
        uint64 deadline
    ) private {
        Job memory job;
        job.client = msg.sender;
        job.provider = offer.provider;
        job.modelId = offer.modelId;
        job.unitPrice = offer.unitPrice;
        job.taskCount = taskCount;
        job.deadline = deadline;
        job.tasksRoot = tasksRoot;
        job.manifestHash = manifestHash;
        _jobs[jobId] = (uint256(keccak256(abi.encode(job))) & ~_STATUS_MASK) | uint256(Status.Created);
        emit JobCreated(
            jobId, job.client, job.provider, job.modelId, job.unitPrice, taskCount, deadline, tasksRoot, manifestHash
        );
    }

    function _submitResult(
        uint256 jobId,
        Job calldata job,
        bytes32 resultRoot,
        bytes32 outputsHash,
        bytes calldata signature
    ) private {
        _expectStatus(jobId, job, Status.Created);
        if (block.timestamp > job.deadline) {
            revert JobMarketDeadlinePassed(jobId, job.deadline, uint64(block.timestamp));
        }
        address signer = ECDSA.recover(resultDigest(jobId, job.tasksRoot, resultRoot, outputsHash), signature);
        if (signer != job.provider) revert JobMarketInvalidResultSignature(signer, job.provider);
        uint256 hash;
        // The record is 12 static words in calldata; the result fills its last four.
        assembly ("memory-safe") {
            let record := mload(0x40)
            calldatacopy(record, job, 0x100)
            mstore(add(record, 0x100), resultRoot)
            mstore(add(record, 0x120), outputsHash)
            mstore(add(record, 0x140), timestamp())
            mstore(add(record, 0x160), number())
            hash := keccak256(record, 0x180)
        }
        _jobs[jobId] = (hash & ~_STATUS_MASK) | uint256(Status.Submitted);
        emit ResultSubmitted(jobId, resultRoot, outputsHash, uint64(block.timestamp), uint64(block.number));
    }

    function _expire(uint256 jobId, Job calldata job) private {
        _expectStatus(jobId, job, Status.Created);
        if (block.timestamp <= job.deadline) {
            revert JobMarketDeadlineNotPassed(jobId, job.deadline, uint64(block.timestamp));
        }
        uint256 price = job.unitPrice * job.taskCount;
        uint256 collateral = price * _collateralMultiplierBps / _BPS;
        uint256 owed = price * (_verificationFeeBps + _protocolFeeBps) / _BPS + collateral * _params.expiryPenaltyBps / _BPS;
        _setStatus(jobId, Status.Expired);
        uint256 slashed = _vault.slash(job.provider, collateral, owed, false);
        uint256 refund = price + slashed;
        _balances[job.client] += refund;
        emit JobExpired(jobId, refund, slashed);
    }

    /// @dev Pays the provider, releases its collateral and clears the job's slot (a cleared slot
    /// of an issued id reads as Settled).
    function _settleJob(uint256 jobId, Job calldata job, uint256 payout, bool auditPassed) private {
        delete _jobs[jobId];
        _balances[job.provider] += payout;
        emit JobSettled(jobId, payout);
        _vault.unlock(job.provider, job.unitPrice * job.taskCount * _collateralMultiplierBps / _BPS, auditPassed);
    }

    function _recordDraw(uint256 jobId, bytes32 seed, bool audited) private returns (address verifier) {
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

    function _openDispute(uint256 jobId, bytes32 seed, bytes32 evidenceHash) private {
        _debit(msg.sender, _params.challengerBond);
        _setStatus(jobId, Status.Disputed);
        DisputeState storage dispute = _disputes[jobId];
        dispute.challenger = msg.sender;
        dispute.deadline = uint64(block.timestamp) + _params.disputeWindow;
        dispute.evidenceHash = evidenceHash;
        address[] memory committee =
            _vault.drawCommittee(keccak256(abi.encode(seed, 0)), _params.committeeSize, msg.sender);
        dispute.committee = committee;
        emit VerdictSubmitted(jobId, msg.sender, false, evidenceHash, 0);
        emit DisputeOpened(jobId, msg.sender, _params.challengerBond, dispute.deadline, committee);
    }

    function _slashProvider(uint256 jobId, Job calldata job, uint256 price, DisputeState storage dispute) private {
        uint256 collateral = price * _collateralMultiplierBps / _BPS;
        _setStatus(jobId, Status.Slashed);
        uint256 slashed = _vault.slash(job.provider, collateral, collateral, true);
        emit DisputeResolved(jobId, true, slashed);
        uint256 toClient = slashed * _params.slashClientBps / _BPS;
        uint256 toChallenger = slashed * _params.slashChallengerBps / _BPS;
        uint256 toCommittee = _payMajority(jobId, dispute, slashed * _params.slashCommitteeBps / _BPS);
        _credit(jobId, job.client, price + toClient);
        uint256 reward = _rewardAmount(price);
        // reward <= pool
        unchecked {
            _ledger.verificationPool -= uint96(reward);
        }
        _credit(jobId, dispute.challenger, toChallenger + _params.challengerBond + reward);
        _credit(jobId, _treasury, slashed - toClient - toChallenger - toCommittee);
    }

    /// @dev Splits `amount` equally between the members who voted the provider wrong; returns
    /// what was paid (the rounding remainder stays with the caller).
    function _payMajority(uint256 jobId, DisputeState storage dispute, uint256 amount) private returns (uint256 paid) {
        uint256 share = amount / dispute.votesProviderWrong;
        address[] storage committee = dispute.committee;
        for (uint256 i; i < committee.length; ++i) {
            address member = committee[i];
            if (_votes[jobId][member] == 1) {
                _credit(jobId, member, share);
                paid += share;
            }
        }
    }

    function _credit(uint256 jobId, address account, uint256 amount) private {
        _balances[account] += amount;
        emit Credited(jobId, account, amount);
    }

    /// @dev The audit reward of a job of this price, capped by what the pool holds.
    function _rewardAmount(uint256 price) private view returns (uint256) {
        uint256 reward = price * _params.auditRewardBps / _BPS;
        uint256 pool = _ledger.verificationPool;
        return reward < pool ? reward : pool;
    }

    function _payReward(address verifier, uint256 price) private returns (uint256 reward) {
        reward = _rewardAmount(price);
        // reward <= pool
        unchecked {
            _ledger.verificationPool -= uint96(reward);
        }
        _balances[verifier] += reward;
    }

    /// @dev The draw seed of a job and whether it is audited, per the rule in {auditDraw}.
    function _draw(uint256 jobId, uint64 submitBlock) private view returns (bytes32 seed, bool audited) {
        if (block.number <= uint256(submitBlock) + 1) revert JobMarketDrawNotReady(jobId, uint256(submitBlock) + 2);
        bytes32 hash = blockhash(uint256(submitBlock) + 1);
        if (hash == bytes32(0)) {
            AuditState storage audit = _audits[jobId];
            if (audit.recorded) return (audit.seed, audit.verifier != address(0));
            return (keccak256(abi.encode(blockhash(block.number - 1), jobId)), true);
        }
        seed = keccak256(abi.encode(hash, jobId));
        audited = uint256(seed) % _BPS < _auditRateBps;
    }

    function _drawSeed(uint256 jobId, uint64 submitBlock) private view returns (bytes32 seed) {
        (seed,) = _draw(jobId, submitBlock);
    }

    /// @dev k distinct task indices (k = min(auditedTasksPerJob, taskCount)) from the seed.
    function _taskIndices(bytes32 seed, uint32 taskCount) private view returns (uint32[] memory indices) {
        uint256 k = _params.auditedTasksPerJob < taskCount ? _params.auditedTasksPerJob : taskCount;
        indices = new uint32[](k);
        for (uint256 i; i < k; ++i) {
            uint256 index = uint256(keccak256(abi.encode(seed, 2 + i))) % taskCount;
            while (_contains(indices, i, index)) index = (index + 1) % taskCount;
            indices[i] = uint32(index);
        }
    }

    function _contains(uint32[] memory values, uint256 length, uint256 value) private pure returns (bool) {
        for (uint256 i; i < length; ++i) {
            if (values[i] == value) return true;
        }
        return false;
    }

    function _isMember(address[] storage committee, address account) private view returns (bool) {
        for (uint256 i; i < committee.length; ++i) {
            if (committee[i] == account) return true;
        }
        return false;
    }

    function _expectStatus(uint256 jobId, Job calldata job, Status expected) private view {
        Status status = _status(jobId, job);
        if (status != expected) revert JobMarketInvalidStatus(jobId, status, expected);
    }

    /// @dev The status of a job whose record the caller passed; reverts if the record is not the
    /// one committed to.
    function _status(uint256 jobId, Job calldata job) private view returns (Status) {
        uint256 slot = _jobs[jobId];
        if (slot == 0) return _statusOfSlot(jobId, 0);
        bytes32 commitment = jobCommitment(job);
        if (bytes32(slot & ~_STATUS_MASK) != commitment) revert JobMarketJobMismatch(jobId, commitment);
        return Status(slot & _STATUS_MASK);
    }

    function _statusOfSlot(uint256 jobId, uint256 slot) private view returns (Status) {
        if (slot != 0) return Status(slot & _STATUS_MASK);
        return jobId != 0 && jobId <= _ledger.jobCount ? Status.Settled : Status.None;
    }

    /// @dev keccak256(abi.encode(job)) without the copy: a Job is 12 static words in calldata,
    /// already in its ABI encoding.
    function _hashJob(Job calldata job) private pure returns (uint256 hash) {
        assembly ("memory-safe") {
            let record := mload(0x40)
            calldatacopy(record, job, 0x180)
            hash := keccak256(record, 0x180)
        }
    }

    function _setStatus(uint256 jobId, Status status) private {
        _jobs[jobId] = (_jobs[jobId] & ~_STATUS_MASK) | uint256(status);
    }

    function _validate(Params memory p) private pure {
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
