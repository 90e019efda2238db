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
import {Status, Offer, Job, AuditOrigin} from "./JobTypes.sol";
import {IAuditCourt} from "./interfaces/IAuditCourt.sol";
import {IJobMarketCourt} from "./interfaces/IJobMarketCourt.sol";
import {BlockHashSeedSource} from "./seed/BlockHashSeedSource.sol";

/// @title JobMarket
/// @notice Holds all money of the exchange and runs the hot path of a compute job: offers, jobs,
/// acceptance, results, the audit draw, settlement and expiry. Clients create jobs from
/// providers' signed offers; providers' signed results are relayed by anyone; a seed that exists
/// only after submission decides which jobs the court audits. Audits, verdicts and disputes run
/// in the court ({IAuditCourt}), which moves money only through this contract's `onlyCourt`
/// hooks ({IJobMarketCourt}). Money moves by pull: every outcome credits internal balances and
/// {withdraw} is the only transfer out.
/// @dev Each job is one storage slot: the commitment to its {Job} record in the high 248 bits and
/// its {Status} in the low 8. Callers pass the record back (rebuilt from {JobCreated} and
/// {ResultSubmitted}); a settled job's slot is cleared, and a cleared slot of an id that was
/// issued reads as {Status-Settled}. The market's tokens always equal the internal balances, the
/// price of every open job, the two fee pools and the court hold.
contract JobMarket is IJobMarketCourt, BlockHashSeedSource, EIP712, Ownable, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    /// @notice Every parameter of the market, fixed at deployment.
    struct Params {
        uint256 auditRateBps; // a, share of jobs the draw audits
        uint256 auditedTasksPerJob; // k, tasks an audit re-runs
        uint256 collateralMultiplierBps; // m, collateral = price * m
        uint256 corruptShareBps; // s, share of a job's tasks a cheater corrupts at least
        uint256 posMarginBps; // margin of the Proof-of-Sampling rule a*(1-s)*(1+m) > 1 + margin
        uint64 challengeWindow; // seconds after submission for a client audit, before settlement
        uint256 minUnitPrice; // least unit price of a job, so that every job has collateral
        uint256 verificationFeeBps; // of price, paid by the client into the verification pool
        uint256 protocolFeeBps; // of price, paid by the client into the protocol fee pool
        uint256 auditRewardBps; // of price, paid to the verifier of an audit
        uint256 poolMarginBps; // slack of the pool rule a*reward*(1+margin) <= verification fee
        uint256 clientAuditFeeBps; // of price, paid by a client asking for an audit
        uint256 expiryPenaltyBps; // of collateral, paid to the client of an accepted job that expired
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

    /// @notice An account's state in the market, one slot: every job reads and writes its
    /// client's and its provider's.
    struct Account {
        uint96 balance; // internal balance
        uint96 collateral; // stake locked in the vault for this market and free for new jobs
        uint32 jobsSettled; // as provider
        uint32 offerNonceFloor; // offers of this provider with a lower nonce are cancelled
    }

    /// @dev The job id counter, the two fee pools and the pause flag share the first slot, written
    /// together by every {createJob}; the court hold, off the hot path, has the second.
    struct Ledger {
        uint64 jobCount;
        uint96 verificationPool;
        uint88 protocolFees;
        bool paused;
        uint256 courtHold;
    }

    bytes32 private constant _OFFER_TYPEHASH = keccak256(
        "Offer(address provider,bytes32 modelId,uint256 unitPrice,uint32 maxTasks,uint32 minTurnaround,uint64 expiry,"
        "bytes32 region,uint64 nonce)"
    );
    bytes32 private constant _RESULT_TYPEHASH =
        keccak256("Result(uint256 jobId,bytes32 tasksRoot,bytes32 resultRoot,bytes32 outputsHash)");
    uint256 private constant _BPS = 10_000;
    /// @dev Ratios above this (429,496x) are typos; the bound keeps every product of the
    /// parameter rules and of a job's money far from overflow.
    uint256 private constant _MAX_RATIO_BPS = type(uint32).max;
    uint256 private constant _STATUS_MASK = 0xff;
    uint256 private constant _U64 = type(uint64).max;
    uint256 private constant _U88 = type(uint88).max;
    uint256 private constant _U96 = type(uint96).max;
    /// @dev Bit sets of statuses (bit i for status i).
    uint256 private constant _SUBMITTABLE = 1 << uint256(Status.Created) | 1 << uint256(Status.Accepted);
    uint256 private constant _SETTLEABLE = 1 << uint256(Status.Submitted) | 1 << uint256(Status.Unaudited);

    IERC20 private immutable _token;
    StakingVault private immutable _vault;
    address private immutable _treasury;

    uint256 private immutable _auditRateBps;
    uint256 private immutable _auditedTasksPerJob;
    uint256 private immutable _collateralMultiplierBps;
    uint256 private immutable _corruptShareBps;
    uint256 private immutable _posMarginBps;
    uint64 private immutable _challengeWindow;
    uint256 private immutable _minUnitPrice;
    uint256 private immutable _verificationFeeBps;
    uint256 private immutable _protocolFeeBps;
    uint256 private immutable _auditRewardBps;
    uint256 private immutable _poolMarginBps;
    uint256 private immutable _clientAuditFeeBps;
    uint256 private immutable _expiryPenaltyBps;

    Ledger private _ledger;
    address private _court;
    mapping(uint256 jobId => uint256) private _jobs;
    mapping(address account => Account) private _accounts;

    /// @notice Tokens were credited to `account`'s internal balance from outside.
    event Deposited(address indexed account, uint256 amount);
    /// @notice Tokens left `account`'s internal balance to its address.
    event Withdrawn(address indexed account, uint256 amount);
    /// @notice A provider withdrew its offers with nonces up to `nonce` (`digest`: the offer named).
    event OfferCancelled(address indexed provider, uint64 nonce, bytes32 digest);
    /// @notice Provider stake was locked in the vault as free collateral for this market's jobs.
    event CollateralLocked(address indexed provider, uint256 amount);
    /// @notice A provider released free collateral back to its vault stake.
    event CollateralReleased(address indexed provider, uint256 amount);
    /// @notice A job was created: every field of its record until submission.
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
    /// @notice The provider accepted the job's deadline and data; from now on expiry penalises it.
    event JobAccepted(uint256 indexed jobId);
    /// @notice A provider's result was recorded: the fields the record gains.
    event ResultSubmitted(
        uint256 indexed jobId, bytes32 resultRoot, bytes32 outputsHash, uint64 submittedAt, uint64 submitBlock
    );
    /// @notice The audit draw of a job was fixed: audited (the court opened an audit) or not.
    /// `seed` is zero for a lapsed draw, which is audited for certain.
    event DrawRecorded(uint256 indexed jobId, bytes32 seed, bool audited);
    /// @notice A client asked for an audit and paid `fee` into the verification pool.
    event AuditRequested(uint256 indexed jobId, uint256 fee);
    /// @notice A job settled in the provider's favour; `payout` was credited to the provider.
    event JobSettled(uint256 indexed jobId, uint256 payout);
    /// @notice A job's deadline passed without a result; `refund` was credited to the client,
    /// `slashed` of it taken from the provider's collateral.
    event JobExpired(uint256 indexed jobId, uint256 refund, uint256 slashed);
    /// @notice The court credited `amount` of a job's money to `account`.
    event Credited(uint256 indexed jobId, address indexed account, uint256 amount);
    /// @notice Protocol fees were moved to the treasury's internal balance.
    event ProtocolFeesClaimed(address indexed treasury, uint256 amount);
    /// @notice Job creation was paused or resumed by the owner.
    event PauseChanged(bool paused);
    /// @notice The court was bound to this market (once).
    event CourtSet(address court);

    error JobMarketInvalidParameter(string name, uint256 value);
    error JobMarketProofOfSamplingViolated(
        uint256 auditRateBps, uint256 corruptShareBps, uint256 collateralMultiplierBps, uint256 posMarginBps
    );
    error JobMarketAuditPoolInsolvent(
        uint256 auditRateBps, uint256 auditRewardBps, uint256 poolMarginBps, uint256 verificationFeeBps
    );
    error JobMarketZeroAmount();
    error JobMarketInsufficientBalance(address account, uint256 balance, uint256 needed);
    error JobMarketPaused();
    error JobMarketNotOfferProvider(address caller, address provider);
    error JobMarketInvalidOfferNonce(uint64 nonce);
    error JobMarketOfferCancelled(address provider, uint64 nonce, uint32 nonceFloor);
    error JobMarketInvalidUnitPrice(uint256 unitPrice, uint256 minUnitPrice);
    error JobMarketInsufficientCollateral(address provider, uint256 free, uint256 needed);
    error JobMarketOfferExpired(uint64 expiry, uint64 now_);
    error JobMarketInvalidOfferSignature(address signer, address provider);
    error JobMarketInvalidTaskCount(uint32 taskCount, uint32 maxTasks);
    error JobMarketInvalidDeadline(uint64 deadline, uint256 earliest);
    error JobMarketJobMismatch(uint256 jobId, bytes32 commitment);
    error JobMarketInvalidStatus(uint256 jobId, Status status, Status expected);
    error JobMarketNotProvider(address caller, address provider);
    error JobMarketNotClient(address caller, address client);
    error JobMarketDeadlinePassed(uint256 jobId, uint64 deadline, uint64 now_);
    error JobMarketDeadlineNotPassed(uint256 jobId, uint64 deadline, uint64 now_);
    error JobMarketInvalidResultSignature(address signer, address provider);
    error JobMarketLengthMismatch(uint256 jobIds, uint256 jobs);
    error JobMarketChallengeWindowOpen(uint256 jobId, uint64 endsAt, uint64 now_);
    error JobMarketChallengeWindowClosed(uint256 jobId, uint64 endedAt, uint64 now_);
    error JobMarketDrawNotReady(uint256 jobId, uint256 readyAtBlock);
    error JobMarketNotDrawnForAudit(uint256 jobId);
    error JobMarketNotCourt(address caller);
    error JobMarketCourtAlreadySet(address court);
    error JobMarketInvalidCourt(address court);
    error JobMarketCourtNotSet();
    error JobMarketNotCourtStatus(Status status);
    error JobMarketInsufficientCourtHold(uint256 held, uint256 needed);
    error JobMarketWithheldExceedsPrice(uint256 withheld, uint256 price);

    modifier onlyCourt() {
        if (msg.sender != _court) revert JobMarketNotCourt(msg.sender);
        _;
    }

    /// @param token The payment token (any ERC-20; fee-on-transfer tokens are credited what arrives).
    /// @param vault The staking vault holding providers' collateral and verifiers' stake.
    /// @param treasury_ Receives protocol fees and the court's remainders.
    /// @param p Every parameter; refused unless audits are worth more to a cheater's risk than
    /// cheating, the audit pool stays solvent and an expiry's refund fits in the collateral.
    constructor(IERC20 token, StakingVault vault, address treasury_, Params memory p)
        EIP712("Exchange", "1")
        Ownable(msg.sender)
    {
        _validate(p);
        if (treasury_ == address(0)) revert JobMarketInvalidParameter("treasury", 0);
        _token = token;
        _vault = vault;
        _treasury = treasury_;
        _auditRateBps = p.auditRateBps;
        _auditedTasksPerJob = p.auditedTasksPerJob;
        _collateralMultiplierBps = p.collateralMultiplierBps;
        _corruptShareBps = p.corruptShareBps;
        _posMarginBps = p.posMarginBps;
        _challengeWindow = p.challengeWindow;
        _minUnitPrice = p.minUnitPrice;
        _verificationFeeBps = p.verificationFeeBps;
        _protocolFeeBps = p.protocolFeeBps;
        _auditRewardBps = p.auditRewardBps;
        _poolMarginBps = p.poolMarginBps;
        _clientAuditFeeBps = p.clientAuditFeeBps;
        _expiryPenaltyBps = p.expiryPenaltyBps;
    }

    // ------------------------------------------------------------------ balances and collateral

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
        _debit(msg.sender, amount);
        emit Withdrawn(msg.sender, amount);
        _token.safeTransfer(msg.sender, amount);
    }

    /// @notice Moves the accrued protocol fees to the treasury's internal balance; anyone may call.
    /// Emits {ProtocolFeesClaimed}.
    function claimProtocolFees() external {
        uint256 amount = _ledger.protocolFees;
        _ledger.protocolFees = 0;
        _addBalance(_treasury, amount);
        emit ProtocolFeesClaimed(_treasury, amount);
    }

    /// @notice Locks `amount` more of the caller's vault stake as free collateral for its jobs;
    /// only a provider (the vault refuses other roles). Jobs take their collateral from it and
    /// never lock stake themselves. Emits {CollateralLocked}.
    function lockCollateral(uint256 amount) external {
        if (amount == 0) revert JobMarketZeroAmount();
        Account storage account = _accounts[msg.sender];
        account.collateral = (account.collateral + amount).toUint96();
        emit CollateralLocked(msg.sender, amount);
        _vault.lock(msg.sender, amount);
    }

    /// @notice Releases `amount` of the caller's free collateral back to its stake in the vault,
    /// where it can be unstaked. Emits {CollateralReleased}.
    function releaseCollateral(uint256 amount) external {
        Account storage account = _accounts[msg.sender];
        uint256 free = account.collateral;
        if (amount > free) revert JobMarketInsufficientCollateral(msg.sender, free, amount);
        // amount <= free, a uint96
        account.collateral = uint96(free - amount);
        emit CollateralReleased(msg.sender, amount);
        _vault.unlock(msg.sender, amount);
    }

    // ------------------------------------------------------------------ offers and jobs

    /// @notice Withdraws an offer and every other offer of the caller with a lower nonce (offer
    /// nonces are a sequence below 2^32 - 1); only its provider. Emits {OfferCancelled}.
    function cancelOffer(Offer calldata offer) external {
        if (msg.sender != offer.provider) revert JobMarketNotOfferProvider(msg.sender, offer.provider);
        if (offer.nonce >= type(uint32).max) revert JobMarketInvalidOfferNonce(offer.nonce);
        Account storage account = _accounts[msg.sender];
        if (offer.nonce >= account.offerNonceFloor) account.offerNonceFloor = uint32(offer.nonce) + 1;
        emit OfferCancelled(msg.sender, offer.nonce, offerDigest(offer));
    }

    /// @notice Creates a job from a provider's signed offer: debits the caller (the client) the
    /// price and fees and takes the job's collateral from the provider's free collateral. Job
    /// ids run from 1. Emits {JobCreated}.
    function createJob(
        Offer calldata offer,
        bytes calldata offerSig,
        uint32 taskCount,
        bytes32 tasksRoot,
        bytes32 manifestHash,
        uint64 deadline
    ) external returns (uint256 jobId) {
        uint256 book = _openLedger();
        uint256 cost;
        (book, cost) = _createJob(book, offer, offerSig, taskCount, tasksRoot, manifestHash, deadline);
        _debit(msg.sender, cost);
        _closeLedger(book);
        return book & _U64;
    }

    /// @notice {createJob} for many jobs in one transaction; returns the first id (ids are
    /// consecutive). Emits {JobCreated} per job.
    function createJobs(JobRequest[] calldata requests) external returns (uint256 firstJobId) {
        uint256 book = _openLedger();
        firstJobId = (book & _U64) + 1;
        uint256 cost;
        for (uint256 i; i < requests.length; ++i) {
            JobRequest calldata q = requests[i];
            uint256 jobCost;
            (book, jobCost) = _createJob(book, q.offer, q.offerSig, q.taskCount, q.tasksRoot, q.manifestHash, q.deadline);
            cost += jobCost;
        }
        _debit(msg.sender, cost);
        _closeLedger(book);
    }

    /// @notice The provider accepts a created job (deadline, manifest and inputs) before its
    /// deadline; only the provider. Expiry penalises an accepted job. Emits {JobAccepted}.
    function acceptJob(uint256 jobId, Job calldata job) external {
        _acceptJob(jobId, job);
    }

    /// @notice {acceptJob} for many jobs. Emits {JobAccepted} per job.
    function acceptJobs(uint256[] calldata jobIds, Job[] calldata jobs) external {
        if (jobIds.length != jobs.length) revert JobMarketLengthMismatch(jobIds.length, jobs.length);
        for (uint256 i; i < jobIds.length; ++i) {
            _acceptJob(jobIds[i], jobs[i]);
        }
    }

    /// @notice Records the provider's result of a created or accepted job before its deadline.
    /// Anyone may relay a result the provider signed; the provider itself may submit with an
    /// empty signature, its transaction being its signature. Takes the job's seed ticket (the
    /// next block). Emits {ResultSubmitted}.
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

    /// @notice Fixes the audit draw of submitted jobs once their seed exists; anyone may call.
    /// A job the draw selects, or whose seed lapsed (audited for certain), moves to
    /// {Status-Auditing} and the court opens its audit; any other to {Status-Unaudited}.
    /// Emits {DrawRecorded} per job.
    function recordDraw(uint256[] calldata jobIds, Job[] calldata jobs) external {
        if (jobIds.length != jobs.length) revert JobMarketLengthMismatch(jobIds.length, jobs.length);
        for (uint256 i; i < jobIds.length; ++i) {
            uint256 jobId = jobIds[i];
            Job calldata job = jobs[i];
            _recordDraw(jobId, job, _expectRecord(jobId, job, Status.Submitted));
        }
    }

    /// @notice Settles submitted or unaudited jobs whose challenge window has passed; anyone may
    /// call. A submitted job's draw is fixed first, as {recordDraw} does: a job it audits moves
    /// to {Status-Auditing} instead (emitting {DrawRecorded}); a job it does not settles at once
    /// (its {JobSettled} says so, without a {DrawRecorded}). Emits {JobSettled} per settled job.
    function settle(uint256[] calldata jobIds, Job[] calldata jobs) external {
        if (jobIds.length != jobs.length) revert JobMarketLengthMismatch(jobIds.length, jobs.length);
        for (uint256 i; i < jobIds.length; ++i) {
            uint256 jobId = jobIds[i];
            Job calldata job = jobs[i];
            (uint256 commitment, uint256 status) = _recordStatus(jobId, job, Status.Submitted);
            if ((1 << status) & _SETTLEABLE == 0) _revertStatus(jobId, job, Status.Submitted);
            address provider;
            uint256 price;
            uint256 submittedAt;
            uint256 submitBlock;
            // The record matched its commitment, so its words are the clean values hashed at
            // submission: provider, unitPrice and taskCount (whose product fits, checked at
            // creation), submittedAt, submitBlock.
            assembly ("memory-safe") {
                provider := calldataload(add(job, 0x20))
                price := mul(calldataload(add(job, 0x60)), calldataload(add(job, 0x80)))
                submittedAt := calldataload(add(job, 0x140))
                submitBlock := calldataload(add(job, 0x160))
            }
            uint256 endsAt = submittedAt + _challengeWindow;
            if (block.timestamp <= endsAt) {
                revert JobMarketChallengeWindowOpen(jobId, uint64(endsAt), uint64(block.timestamp));
            }
            if (status == uint256(Status.Submitted)) {
                // the common case first: a ready seed that leaves the job unaudited settles it
                // without storing the draw
                (bytes32 hash, SeedState state) = _seedOf(_drawTicket(uint64(submitBlock)));
                if ((state != SeedState.Ready || _selects(_seedHash(hash, jobId))) && _recordDraw(jobId, job, commitment)) {
                    continue;
                }
            }
            _settle(jobId, provider, price, price * _collateralMultiplierBps / _BPS, false);
        }
    }

    /// @notice The job's client asks for an audit of a submitted or unaudited job within the
    /// challenge window, paying `clientAuditFeeBps` of the price into the verification pool; the
    /// court draws the verifier from a new seed ticket. Emits {AuditRequested}.
    function requestAudit(uint256 jobId, Job calldata job) external {
        (uint256 commitment, uint256 status) = _recordStatus(jobId, job, Status.Submitted);
        if ((1 << status) & _SETTLEABLE == 0) _revertStatus(jobId, job, Status.Submitted);
        if (msg.sender != job.client) revert JobMarketNotClient(msg.sender, job.client);
        uint64 endsAt = job.submittedAt + _challengeWindow;
        if (block.timestamp > endsAt) revert JobMarketChallengeWindowClosed(jobId, endsAt, uint64(block.timestamp));
        uint256 fee = job.unitPrice * job.taskCount * _clientAuditFeeBps / _BPS;
        _debit(msg.sender, fee);
        _ledger.verificationPool = (_ledger.verificationPool + fee).toUint96();
        _jobs[jobId] = commitment | uint256(Status.Auditing);
        emit AuditRequested(jobId, fee);
        _courtOrRevert().openAudit(jobId, job, bytes32(0), AuditOrigin.ClientRequested);
    }

    /// @notice Ends created or accepted jobs whose deadline passed without a result; anyone may
    /// call. A created job refunds the client its price and both fees (from the pools, as far as
    /// they still hold them) and returns the collateral to the provider's free collateral. An
    /// accepted job refunds the price and pays the client the fees plus `expiryPenaltyBps` of the
    /// collateral, all slashed from the job's collateral; the rest of the collateral returns to
    /// the provider's free collateral. Emits {JobExpired} per job.
    function expire(uint256[] calldata jobIds, Job[] calldata jobs) external {
        if (jobIds.length != jobs.length) revert JobMarketLengthMismatch(jobIds.length, jobs.length);
        for (uint256 i; i < jobIds.length; ++i) {
            _expire(jobIds[i], jobs[i]);
        }
    }

    // ------------------------------------------------------------------ owner

    /// @notice Binds the court, once; only the owner. Emits {CourtSet}.
    function setCourt(address court_) external onlyOwner {
        if (_court != address(0)) revert JobMarketCourtAlreadySet(_court);
        if (court_ == address(0)) revert JobMarketInvalidCourt(court_);
        _court = court_;
        emit CourtSet(court_);
    }

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

    // ------------------------------------------------------------------ court hooks

    /// @notice Reverts unless `job` is the record committed for `jobId` and its status is `expected`.
    function expectJob(uint256 jobId, Job calldata job, Status expected) external view {
        _expectRecord(jobId, job, expected);
    }

    /// @notice Fixes the draw of a submitted job for the verifier it drew, which acts on it at
    /// once (its verdict is the first transaction that observes the draw): the ready seed must
    /// select the job; it moves to {Status-Auditing}. Returns the seed. Only the court.
    /// Emits {DrawRecorded}.
    function courtFixDraw(uint256 jobId, Job calldata job) external onlyCourt returns (bytes32 seed) {
        uint256 commitment = _expectRecord(jobId, job, Status.Submitted);
        SeedState state;
        bool audited;
        (state, seed, audited) = _drawOf(jobId, job.submitBlock);
        if (state != SeedState.Ready || !audited) revert JobMarketNotDrawnForAudit(jobId);
        _jobs[jobId] = commitment | uint256(Status.Auditing);
        emit DrawRecorded(jobId, seed, true);
    }

    /// @notice Moves a job between {Status-Auditing} and {Status-Disputed}; only the court.
    function courtSetStatus(uint256 jobId, Job calldata job, Status from, Status to) external onlyCourt {
        _checkCourtStatus(from);
        _checkCourtStatus(to);
        uint256 commitment = _expectRecord(jobId, job, from);
        _jobs[jobId] = commitment | uint256(to);
    }

    /// @notice Settles an audited or disputed job for its provider: credits the price less
    /// `withheld`, which goes to the court hold; the collateral returns to the provider's free
    /// collateral and the vault counts a passed audit when `auditPassed`. Only the court.
    /// Emits {JobSettled}.
    function courtSettle(uint256 jobId, Job calldata job, Status from, uint256 withheld, bool auditPassed)
        external
        onlyCourt
    {
        _checkCourtStatus(from);
        _expectRecord(jobId, job, from);
        uint256 price = job.unitPrice * job.taskCount;
        if (withheld > price) revert JobMarketWithheldExceedsPrice(withheld, price);
        _ledger.courtHold += withheld;
        _settle(jobId, job.provider, price - withheld, price * _collateralMultiplierBps / _BPS, auditPassed);
    }

    /// @notice Slashes an audited or disputed job: status {Status-Slashed}, its whole collateral
    /// taken from the provider's stake (counted as a failed audit); collateral and escrowed
    /// price go to the court hold. Returns the collateral received. Only the court.
    function courtSlash(uint256 jobId, Job calldata job, Status from) external onlyCourt returns (uint256 slashed) {
        _checkCourtStatus(from);
        uint256 commitment = _expectRecord(jobId, job, from);
        _jobs[jobId] = commitment | uint256(Status.Slashed);
        uint256 price = job.unitPrice * job.taskCount;
        uint256 collateral = price * _collateralMultiplierBps / _BPS;
        slashed = _slashInto(job.provider, collateral, collateral, true);
        _ledger.courtHold += price + slashed;
    }

    /// @notice Moves `amount` of `account`'s internal balance into the court hold (bonds).
    /// Only the court.
    function courtHold(address account, uint256 amount) external onlyCourt {
        _debit(account, amount);
        _ledger.courtHold += amount;
    }

    /// @notice Credits `amount` from the court hold to `account`'s internal balance. Only the
    /// court. Emits {Credited}.
    function courtPay(uint256 jobId, address account, uint256 amount) external onlyCourt {
        _takeFromHold(amount);
        _addBalance(account, amount);
        emit Credited(jobId, account, amount);
    }

    /// @notice Credits up to `amount` from the verification pool to `account`; returns what was
    /// paid (the pool may hold less). Only the court. Emits {Credited}.
    function courtPayFromPool(uint256 jobId, address account, uint256 amount)
        external
        onlyCourt
        returns (uint256 paid)
    {
        uint256 pool = _ledger.verificationPool;
        paid = amount < pool ? amount : pool;
        // paid <= pool, a uint96
        _ledger.verificationPool = uint96(pool - paid);
        _addBalance(account, paid);
        emit Credited(jobId, account, paid);
    }

    /// @notice Moves `amount` from the court hold to the verification pool. Only the court.
    function courtHoldToPool(uint256 amount) external onlyCourt {
        _takeFromHold(amount);
        _ledger.verificationPool = (_ledger.verificationPool + amount).toUint96();
    }

    /// @notice Slashes up to `amount` of a verifier's stake into the court hold; returns what
    /// was received. Only the court.
    function courtSlashVerifier(address verifier, uint256 amount) external onlyCourt returns (uint256 taken) {
        taken = _slashInto(verifier, 0, amount, false);
        _ledger.courtHold += taken;
    }

    // ------------------------------------------------------------------ views

    /// @notice The market's treasury: receives protocol fees and the court's remainders.
    function treasury() external view returns (address) {
        return _treasury;
    }

    /// @notice The bound court (zero until {setCourt}).
    function court() external view returns (address) {
        return _court;
    }

    /// @notice Every parameter of the market.
    function params() external view returns (Params memory) {
        return Params({
            auditRateBps: _auditRateBps,
            auditedTasksPerJob: _auditedTasksPerJob,
            collateralMultiplierBps: _collateralMultiplierBps,
            corruptShareBps: _corruptShareBps,
            posMarginBps: _posMarginBps,
            challengeWindow: _challengeWindow,
            minUnitPrice: _minUnitPrice,
            verificationFeeBps: _verificationFeeBps,
            protocolFeeBps: _protocolFeeBps,
            auditRewardBps: _auditRewardBps,
            poolMarginBps: _poolMarginBps,
            clientAuditFeeBps: _clientAuditFeeBps,
            expiryPenaltyBps: _expiryPenaltyBps
        });
    }

    /// @notice The payment token, the vault, the treasury and the court.
    function contracts() external view returns (IERC20 token, StakingVault vault, address treasury_, address court_) {
        return (_token, _vault, _treasury, _court);
    }

    /// @notice Internal balance of `account`.
    function balanceOf(address account) external view returns (uint256) {
        return _accounts[account].balance;
    }

    /// @notice Jobs settled in `provider`'s favour (its reputation counter; the vault's
    /// {StakingVault-accountOf} reports it too).
    function jobsSettled(address provider) external view returns (uint32) {
        return _accounts[provider].jobsSettled;
    }

    /// @notice An account's internal balance, free collateral, jobs settled as provider and
    /// offer nonce floor.
    function accountOf(address account) external view returns (Account memory) {
        return _accounts[account];
    }

    /// @notice Jobs created so far (the last id), the verification pool, unclaimed protocol fees,
    /// the court hold, and whether job creation is paused.
    function ledger()
        external
        view
        returns (uint256 jobCount, uint256 verificationPool, uint256 protocolFees, uint256 courtHold_, bool paused)
    {
        Ledger memory book = _ledger;
        return (book.jobCount, book.verificationPool, book.protocolFees, book.courtHold, book.paused);
    }

    /// @notice Whether the offer was cancelled (its nonce is below its provider's floor).
    function offerCancelled(Offer calldata offer) external view returns (bool) {
        return offer.nonce < _accounts[offer.provider].offerNonceFloor;
    }

    /// @notice A job's status and stored commitment (audit and dispute state live in the court).
    function getJob(uint256 jobId) external view returns (Status status, bytes32 commitment) {
        uint256 slot = _jobs[jobId];
        return (_statusOfSlot(jobId, slot), bytes32(slot & ~_STATUS_MASK));
    }

    /// @notice The job's audit draw. Before it is fixed (status {Status-Submitted}): `ready` once
    /// its seed exists, then `audited` by `seed % 10000 < auditRateBps`, or audited for certain
    /// with a zero seed once the seed lapsed. After: from the status, with a zero seed
    /// ({DrawRecorded} carries it).
    function auditDraw(uint256 jobId, Job calldata job) external view returns (bool ready, bool audited, bytes32 seed) {
        Status status = _status(jobId, job);
        if (status == Status.Submitted) {
            SeedState state;
            (state, seed, audited) = _drawOf(jobId, job.submitBlock);
            if (state == SeedState.Pending) return (false, false, bytes32(0));
            return (true, audited, seed);
        }
        if (status == Status.Unaudited) return (true, false, bytes32(0));
        if (status == Status.Auditing || status == Status.Disputed || status == Status.Slashed) {
            return (true, true, bytes32(0));
        }
        revert JobMarketInvalidStatus(jobId, status, Status.Submitted);
    }

    /// @notice The commitment the market stores for a record (its status byte zero).
    function jobCommitment(Job calldata job) external pure returns (bytes32) {
        return bytes32(_hashJob(job) & ~_STATUS_MASK);
    }

    /// @notice The EIP-712 digest a provider signs for an offer.
    function offerDigest(Offer calldata offer) public view returns (bytes32) {
        bytes32 typeHash = _OFFER_TYPEHASH;
        bytes32 structHash;
        // abi.encode(typeHash, offer) without the field-by-field copy: an Offer is 8 static words
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, typeHash)
            calldatacopy(add(m, 0x20), offer, 0x100)
            structHash := keccak256(m, 0x120)
        }
        return _hashTypedDataV4(structHash);
    }

    /// @notice The EIP-712 digest a provider signs for a result.
    function resultDigest(uint256 jobId, bytes32 tasksRoot, bytes32 resultRoot, bytes32 outputsHash)
        public
        view
        returns (bytes32)
    {
        bytes32 typeHash = _RESULT_TYPEHASH;
        bytes32 structHash;
        // keccak256(abi.encode(typeHash, jobId, tasksRoot, resultRoot, outputsHash)) without
        // moving the free memory pointer
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, typeHash)
            mstore(add(m, 0x20), jobId)
            mstore(add(m, 0x40), tasksRoot)
            mstore(add(m, 0x60), resultRoot)
            mstore(add(m, 0x80), outputsHash)
            structHash := keccak256(m, 0xa0)
        }
        return _hashTypedDataV4(structHash);
    }

    /// @notice Whether `proof` proves task `index` of `taskCount` with leaf
    /// `keccak256(keccak256(abi.encode(index, inputHash)))` in `root`.
    function verifyTaskProof(
        bytes32 root,
        uint256 taskCount,
        uint256 index,
        bytes32 inputHash,
        bytes32[] calldata proof
    ) external pure returns (bool) {
        return index < taskCount
            && MerkleProof.verifyCalldata(proof, root, keccak256(bytes.concat(keccak256(abi.encode(index, inputHash)))));
    }

    /// @notice Whether `proof` proves result `index` of `taskCount` with leaf
    /// `keccak256(keccak256(abi.encode(index, inputHash, outputHash)))` in `root`.
    function verifyResultProof(
        bytes32 root,
        uint256 taskCount,
        uint256 index,
        bytes32 inputHash,
        bytes32 outputHash,
        bytes32[] calldata proof
    ) external pure returns (bool) {
        return index < taskCount
            && MerkleProof.verifyCalldata(
                proof, root, keccak256(bytes.concat(keccak256(abi.encode(index, inputHash, outputHash))))
            );
    }

    // ------------------------------------------------------------------ internals: money

    function _deposit(uint256 amount) private {
        if (amount == 0) revert JobMarketZeroAmount();
        uint256 before = _token.balanceOf(address(this));
        _token.safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = _token.balanceOf(address(this)) - before;
        _addBalance(msg.sender, received);
        emit Deposited(msg.sender, received);
    }

    function _debit(address account, uint256 amount) private {
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

    function _addBalance(address account, uint256 amount) private {
        Account storage a = _accounts[account];
        a.balance = (a.balance + amount).toUint96();
    }

    function _addCollateral(address provider, uint256 amount) private {
        Account storage a = _accounts[provider];
        a.collateral = (a.collateral + amount).toUint96();
    }

    function _takeFromHold(uint256 amount) private {
        uint256 held = _ledger.courtHold;
        if (amount > held) revert JobMarketInsufficientCourtHold(held, amount);
        // amount <= held
        unchecked {
            _ledger.courtHold = held - amount;
        }
    }

    /// @dev Has the vault release `unlockAmount` of the account's locked stake and send up to
    /// `amount` of its stake here; returns what arrived (a fee-on-transfer token delivers less
    /// than the vault took, and only what arrived may be credited).
    function _slashInto(address account, uint256 unlockAmount, uint256 amount, bool auditFailed)
        private
        returns (uint256 received)
    {
        uint256 before = _token.balanceOf(address(this));
        _vault.slash(account, unlockAmount, amount, auditFailed);
        received = _token.balanceOf(address(this)) - before;
    }

    /// @dev Pays the provider, returns the collateral to its free collateral, counts the job and
    /// clears the job's slot (a cleared slot of an issued id reads as Settled).
    function _settle(uint256 jobId, address provider, uint256 payout, uint256 collateral, bool auditPassed) private {
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
        // The job's collateral left this field when the job was created, so the field stays
        // within the provider's locked stake, a uint96; the counter wraps only after 2^32 jobs
        // and then only miscounts.
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

    function _expire(uint256 jobId, Job calldata job) private {
        (uint256 commitment, uint256 status) = _recordStatus(jobId, job, Status.Created);
        if ((1 << status) & _SUBMITTABLE == 0) _revertStatus(jobId, job, Status.Created);
        if (block.timestamp <= job.deadline) {
            revert JobMarketDeadlineNotPassed(jobId, job.deadline, uint64(block.timestamp));
        }
        _jobs[jobId] = commitment | uint256(Status.Expired);
        uint256 price = job.unitPrice * job.taskCount;
        uint256 collateral = price * _collateralMultiplierBps / _BPS;
        uint256 verificationFee = price * _verificationFeeBps / _BPS;
        uint256 protocolFee = price * _protocolFeeBps / _BPS;
        if (status == uint256(Status.Created)) {
            // Nobody is penalised: the fees come back from the pools, as far as audits paid
            // from the verification pool and fee claims have left them there.
            Ledger storage book = _ledger;
            uint256 pool = book.verificationPool;
            uint256 claimable = book.protocolFees;
            if (verificationFee > pool) verificationFee = pool;
            if (protocolFee > claimable) protocolFee = claimable;
            // verificationFee <= pool, protocolFee <= claimable: both stay in their fields' ranges
            book.verificationPool = uint96(pool - verificationFee);
            book.protocolFees = uint88(claimable - protocolFee);
            _addCollateral(job.provider, collateral);
            uint256 refund = price + verificationFee + protocolFee;
            _addBalance(job.client, refund);
            emit JobExpired(jobId, refund, 0);
        } else {
            // owed <= collateral by the constructor's rule (fees + penalty * m <= m), which holds
            // through the roundings down: the sum of the floors is below collateral + 1.
            uint256 owed = verificationFee + protocolFee + collateral * _expiryPenaltyBps / _BPS;
            _addCollateral(job.provider, collateral - owed);
            uint256 slashed = _slashInto(job.provider, owed, owed, false);
            uint256 refund = price + slashed;
            _addBalance(job.client, refund);
            emit JobExpired(jobId, refund, slashed);
        }
    }

    // ------------------------------------------------------------------ internals: jobs

    function _createJob(
        uint256 book,
        Offer calldata offer,
        bytes calldata offerSig,
        uint32 taskCount,
        bytes32 tasksRoot,
        bytes32 manifestHash,
        uint64 deadline
    ) private returns (uint256 nextBook, uint256 cost) {
        _checkOffer(offer, offerSig, taskCount, deadline);
        uint256 price = offer.unitPrice * taskCount;
        uint256 verificationFee = price * _verificationFeeBps / _BPS;
        uint256 protocolFee = price * _protocolFeeBps / _BPS;
        nextBook = _book(book, verificationFee, protocolFee);
        _storeJob(nextBook & _U64, offer, taskCount, tasksRoot, manifestHash, deadline);
        _takeCollateral(offer.provider, offer.nonce, price * _collateralMultiplierBps / _BPS);
        cost = price + verificationFee + protocolFee;
    }

    /// @dev The offer's terms and signature. Every term is tested in one branch (the precise error
    /// comes from {_revertOffer}). The terms are the offer's calldata words, which the signature
    /// covers as they are. The unit price is at most a uint96 (no balance could pay more), which
    /// keeps a job's price and collateral from overflowing anywhere after.
    function _checkOffer(Offer calldata offer, bytes calldata offerSig, uint32 taskCount, uint64 deadline) private view {
        uint256 minUnitPrice = _minUnitPrice;
        bool bad;
        assembly ("memory-safe") {
            let unitPrice := calldataload(add(offer, 0x40))
            let maxTasks := calldataload(add(offer, 0x60))
            let turnaround := calldataload(add(offer, 0x80))
            let expiry := calldataload(add(offer, 0xa0))
            let nonce := calldataload(add(offer, 0xe0))
            let now_ := timestamp()
            bad := or(
                or(
                    or(iszero(taskCount), gt(taskCount, maxTasks)),
                    or(lt(unitPrice, minUnitPrice), gt(unitPrice, 0xffffffffffffffffffffffff))
                ),
                or(
                    or(gt(nonce, 0xfffffffe), lt(expiry, now_)),
                    or(iszero(gt(deadline, now_)), lt(deadline, add(now_, turnaround)))
                )
            )
        }
        if (bad) _revertOffer(offer, taskCount, deadline);
        (address signer,,) = ECDSA.tryRecoverCalldata(offerDigest(offer), offerSig);
        if (signer != offer.provider || signer == address(0)) revert JobMarketInvalidOfferSignature(signer, offer.provider);
    }

    /// @dev Reverts with the error of the first term of the offer that {_checkOffer} refuses.
    function _revertOffer(Offer calldata offer, uint32 taskCount, uint64 deadline) private view {
        uint32 maxTasks = offer.maxTasks;
        if (taskCount == 0 || taskCount > maxTasks) revert JobMarketInvalidTaskCount(taskCount, maxTasks);
        uint256 unitPrice = offer.unitPrice;
        if (unitPrice < _minUnitPrice || unitPrice > _U96) revert JobMarketInvalidUnitPrice(unitPrice, _minUnitPrice);
        if (offer.nonce >= type(uint32).max) revert JobMarketInvalidOfferNonce(offer.nonce);
        if (offer.expiry < block.timestamp) revert JobMarketOfferExpired(offer.expiry, uint64(block.timestamp));
        // only the deadline is left: not after now, or before now + minTurnaround
        uint256 turnaround = offer.minTurnaround;
        revert JobMarketInvalidDeadline(deadline, block.timestamp + (turnaround == 0 ? 1 : turnaround));
    }

    function _storeJob(
        uint256 jobId,
        Offer calldata offer,
        uint32 taskCount,
        bytes32 tasksRoot,
        bytes32 manifestHash,
        uint64 deadline
    ) private {
        uint256 hash;
        // keccak256(abi.encode(job)) of the new record: client, then the offer's first three words
        // (provider, modelId, unitPrice), the job's fields, and four zero words for the result
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, caller())
            calldatacopy(add(m, 0x20), offer, 0x60)
            mstore(add(m, 0x80), taskCount)
            mstore(add(m, 0xa0), deadline)
            mstore(add(m, 0xc0), tasksRoot)
            mstore(add(m, 0xe0), manifestHash)
            mstore(add(m, 0x100), 0)
            mstore(add(m, 0x120), 0)
            mstore(add(m, 0x140), 0)
            mstore(add(m, 0x160), 0)
            hash := keccak256(m, 0x180)
        }
        _jobs[jobId] = (hash & ~_STATUS_MASK) | uint256(Status.Created);
        bytes32 topic = JobCreated.selector;
        address provider = offer.provider;
        // emit JobCreated(jobId, client, provider, modelId, unitPrice, taskCount, deadline,
        // tasksRoot, manifestHash): its data are words 2-7 of the record just hashed. The one
        // event not written as an ordinary `emit`: re-encoding those six words costs 135 gas, and
        // a single-task job's create + submit + settle must stay within 150,000 (docs/contracts.md).
        assembly ("memory-safe") {
            let m := mload(0x40)
            log4(add(m, 0x40), 0xc0, topic, jobId, caller(), provider)
        }
    }

    /// @dev Takes a job's collateral from the provider's free collateral, never from its stake;
    /// refuses cancelled offers (the floor shares the provider's slot).
    function _takeCollateral(address provider, uint64 nonce, uint256 collateral) private {
        Account storage a = _accounts[provider];
        uint256 packed;
        assembly ("memory-safe") {
            packed := sload(a.slot)
        }
        // Account layout: see {_settle}.
        uint256 floor = packed >> 224;
        if (nonce < floor) revert JobMarketOfferCancelled(provider, nonce, uint32(floor));
        uint256 free = (packed >> 96) & _U96;
        if (collateral > free) revert JobMarketInsufficientCollateral(provider, free, collateral);
        // collateral <= free: the subtraction stays inside the collateral bits
        unchecked {
            packed -= collateral << 96;
        }
        assembly ("memory-safe") {
            sstore(a.slot, packed)
        }
    }

    function _acceptJob(uint256 jobId, Job calldata job) private {
        uint256 commitment = _expectRecord(jobId, job, Status.Created);
        if (msg.sender != job.provider) revert JobMarketNotProvider(msg.sender, job.provider);
        if (block.timestamp > job.deadline) {
            revert JobMarketDeadlinePassed(jobId, job.deadline, uint64(block.timestamp));
        }
        _jobs[jobId] = commitment | uint256(Status.Accepted);
        emit JobAccepted(jobId);
    }

    function _submitResult(
        uint256 jobId,
        Job calldata job,
        bytes32 resultRoot,
        bytes32 outputsHash,
        bytes calldata signature
    ) private {
        (, uint256 status) = _recordStatus(jobId, job, Status.Accepted);
        if ((1 << status) & _SUBMITTABLE == 0) _revertStatus(jobId, job, Status.Accepted);
        address provider;
        uint256 deadline;
        bytes32 tasksRoot;
        // the record matched its commitment: its words are the clean values hashed at creation
        assembly ("memory-safe") {
            provider := calldataload(add(job, 0x20))
            deadline := calldataload(add(job, 0xa0))
            tasksRoot := calldataload(add(job, 0xc0))
        }
        if (block.timestamp > deadline) revert JobMarketDeadlinePassed(jobId, uint64(deadline), uint64(block.timestamp));
        // The provider's own transaction authenticates it; a relayer needs the provider's signature.
        if (msg.sender != provider || signature.length != 0) {
            (address signer,,) =
                ECDSA.tryRecoverCalldata(resultDigest(jobId, tasksRoot, resultRoot, outputsHash), signature);
            if (signer != provider || signer == address(0)) revert JobMarketInvalidResultSignature(signer, provider);
        }
        uint256 hash;
        // The record is 12 static words in calldata; the result fills its last four. The block
        // number is `submitBlock`, whose next block is the draw's seed ticket ({_drawTicket}).
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

    // ------------------------------------------------------------------ internals: the draw

    /// @dev The one definition of a job's audit draw: once its seed ticket is ready, the job is
    /// audited when `seed % 10000 < auditRateBps`; once the ticket lapsed, for certain (zero
    /// seed). `audited` is meaningless while the ticket is pending.
    function _drawOf(uint256 jobId, uint64 submitBlock)
        private
        view
        returns (SeedState state, bytes32 seed, bool audited)
    {
        bytes32 hash;
        (hash, state) = _seedOf(_drawTicket(submitBlock));
        if (state != SeedState.Ready) return (state, bytes32(0), true);
        seed = _seedHash(hash, jobId);
        audited = _selects(seed);
    }

    /// @dev Whether a ready draw seed selects its job for audit.
    function _selects(bytes32 seed) private view returns (bool) {
        return uint256(seed) % _BPS < _auditRateBps;
    }

    /// @dev The seed ticket {submitResult} took: {BlockHashSeedSource-_seedTicket} of the
    /// submission block.
    function _drawTicket(uint64 submitBlock) private pure returns (uint64) {
        // a block number of 2^64 is out of reach
        unchecked {
            return submitBlock + 1;
        }
    }

    /// @dev keccak256(abi.encode(hash, jobId)) in scratch space.
    function _seedHash(bytes32 hash, uint256 jobId) private pure returns (bytes32 seed) {
        assembly ("memory-safe") {
            mstore(0x00, hash)
            mstore(0x20, jobId)
            seed := keccak256(0x00, 0x40)
        }
    }

    /// @dev Fixes the draw of a submitted job whose record matched `commitment`: Auditing, the
    /// court opening the audit, when the draw audits it (returns true), else Unaudited. Reverts
    /// while the seed is pending.
    function _recordDraw(uint256 jobId, Job calldata job, uint256 commitment) private returns (bool audited) {
        SeedState state;
        bytes32 seed;
        (state, seed, audited) = _drawOf(jobId, job.submitBlock);
        if (state == SeedState.Pending) revert JobMarketDrawNotReady(jobId, uint256(_drawTicket(job.submitBlock)) + 1);
        _jobs[jobId] = commitment | uint256(audited ? Status.Auditing : Status.Unaudited);
        emit DrawRecorded(jobId, seed, audited);
        if (audited) {
            _courtOrRevert().openAudit(
                jobId, job, seed, state == SeedState.Lapsed ? AuditOrigin.Lapsed : AuditOrigin.Drawn
            );
        }
    }

    function _courtOrRevert() private view returns (IAuditCourt) {
        address c = _court;
        if (c == address(0)) revert JobMarketCourtNotSet();
        return IAuditCourt(c);
    }

    // ------------------------------------------------------------------ internals: records

    /// @dev The commitment of `job` and its status in one comparison with the slot (the XOR is
    /// the status byte exactly when the commitments match); anything else, a record that does
    /// not match or an empty slot, reverts with the precise error.
    /// `expected` only names the status the caller wants in that error.
    function _recordStatus(uint256 jobId, Job calldata job, Status expected)
        private
        view
        returns (uint256 commitment, uint256 status)
    {
        commitment = _hashJob(job) & ~_STATUS_MASK;
        status = _jobs[jobId] ^ commitment;
        if (status > _STATUS_MASK) _revertStatus(jobId, job, expected);
    }

    /// @dev Reverts unless the job's record matches and its status is `expected`; returns its
    /// commitment.
    function _expectRecord(uint256 jobId, Job calldata job, Status expected) private view returns (uint256 commitment) {
        uint256 status;
        (commitment, status) = _recordStatus(jobId, job, expected);
        if (status != uint256(expected)) _revertStatus(jobId, job, expected);
    }

    /// @dev Always reverts: {JobMarketJobMismatch} when the record does not match a stored
    /// commitment, else {JobMarketInvalidStatus} with the status the job has.
    function _revertStatus(uint256 jobId, Job calldata job, Status expected) private view {
        revert JobMarketInvalidStatus(jobId, _status(jobId, job), expected);
    }

    /// @dev The status of a job whose record the caller passed; reverts if the record is not the
    /// one committed to.
    function _status(uint256 jobId, Job calldata job) private view returns (Status) {
        uint256 slot = _jobs[jobId];
        if (slot == 0) return _statusOfSlot(jobId, 0);
        bytes32 commitment = bytes32(_hashJob(job) & ~_STATUS_MASK);
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

    function _checkCourtStatus(Status status) private pure {
        if (status != Status.Auditing && status != Status.Disputed) revert JobMarketNotCourtStatus(status);
    }

    // ------------------------------------------------------------------ internals: ledger

    /// @dev The packed ledger slot (jobCount bits 0-63, verificationPool 64-159, protocolFees
    /// 160-247, paused 248-255); refuses when creation is paused.
    function _openLedger() private view returns (uint256 book) {
        assembly ("memory-safe") {
            book := sload(_ledger.slot)
        }
        if (book >> 248 != 0) revert JobMarketPaused();
    }

    function _closeLedger(uint256 book) private {
        assembly ("memory-safe") {
            sstore(_ledger.slot, book)
        }
    }

    /// @dev The ledger with one more job and its fees in the pools.
    function _book(uint256 book, uint256 verificationFee, uint256 protocolFee) private pure returns (uint256) {
        uint256 pool = ((book >> 64) & _U96) + verificationFee;
        if (pool > _U96) revert SafeCast.SafeCastOverflowedUintDowncast(96, pool);
        uint256 fees = ((book >> 160) & _U88) + protocolFee;
        if (fees > _U88) revert SafeCast.SafeCastOverflowedUintDowncast(88, fees);
        // a job count of 2^64 is out of reach
        unchecked {
            return ((book & _U64) + 1) | (pool << 64) | (fees << 160);
        }
    }

    // ------------------------------------------------------------------ internals: parameters

    function _validate(Params memory p) private pure {
        if (p.auditRateBps > _BPS) revert JobMarketInvalidParameter("auditRateBps", p.auditRateBps);
        if (p.corruptShareBps >= _BPS) revert JobMarketInvalidParameter("corruptShareBps", p.corruptShareBps);
        if (p.auditedTasksPerJob == 0 || p.auditedTasksPerJob > type(uint32).max) {
            revert JobMarketInvalidParameter("auditedTasksPerJob", p.auditedTasksPerJob);
        }
        if (p.challengeWindow == 0) revert JobMarketInvalidParameter("challengeWindow", 0);
        _checkRatio("collateralMultiplierBps", p.collateralMultiplierBps);
        _checkRatio("posMarginBps", p.posMarginBps);
        _checkRatio("verificationFeeBps", p.verificationFeeBps);
        _checkRatio("protocolFeeBps", p.protocolFeeBps);
        _checkRatio("auditRewardBps", p.auditRewardBps);
        _checkRatio("poolMarginBps", p.poolMarginBps);
        _checkRatio("clientAuditFeeBps", p.clientAuditFeeBps);
        _checkRatio("expiryPenaltyBps", p.expiryPenaltyBps);
        // a share a of the jobs audited, a cheater corrupting a share s of a job's tasks caught
        // with probability a(1 - s) at least, losing the collateral m besides the price:
        // cheating loses in expectation with a margin
        if (
            p.auditRateBps * (_BPS - p.corruptShareBps) * (_BPS + p.collateralMultiplierBps)
                <= _BPS * _BPS * (_BPS + p.posMarginBps)
        ) {
            revert JobMarketProofOfSamplingViolated(
                p.auditRateBps, p.corruptShareBps, p.collateralMultiplierBps, p.posMarginBps
            );
        }
        // the pool pays a reward for a share a of the jobs from the verification fees, with slack
        if (p.poolMarginBps == 0) revert JobMarketInvalidParameter("poolMarginBps", 0);
        if (p.auditRateBps * p.auditRewardBps * (_BPS + p.poolMarginBps) > p.verificationFeeBps * _BPS * _BPS) {
            revert JobMarketAuditPoolInsolvent(p.auditRateBps, p.auditRewardBps, p.poolMarginBps, p.verificationFeeBps);
        }
        // a client audit pays its own reward
        if (p.clientAuditFeeBps < p.auditRewardBps) {
            revert JobMarketInvalidParameter("clientAuditFeeBps", p.clientAuditFeeBps);
        }
        // every job has collateral: minUnitPrice * m / BPS > 0 (m > 0 by the rule above; written
        // so that the product cannot overflow)
        if (p.minUnitPrice < _BPS && p.minUnitPrice * p.collateralMultiplierBps < _BPS) {
            revert JobMarketInvalidParameter("minUnitPrice", p.minUnitPrice);
        }
        // an accepted job's expiry pays the fees and the penalty out of its collateral
        if (
            (p.verificationFeeBps + p.protocolFeeBps) * _BPS + p.expiryPenaltyBps * p.collateralMultiplierBps
                > p.collateralMultiplierBps * _BPS
        ) {
            revert JobMarketInvalidParameter("expiryPenaltyBps", p.expiryPenaltyBps);
        }
    }

    function _checkRatio(string memory name, uint256 value) private pure {
        if (value > _MAX_RATIO_BPS) revert JobMarketInvalidParameter(name, value);
    }
}
