// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {StakingVault} from "./StakingVault.sol";
import {JobMarketBase} from "./JobMarketBase.sol";
import {JobMarketAudits} from "./JobMarketAudits.sol";

/// @title JobMarket
/// @notice Escrow, settlement, audits and disputes of compute jobs. Clients create jobs from
/// providers' signed offers; providers' signed results are relayed by anyone; a block hash drawn
/// after submission decides which jobs a verifier audits; a committee of verifiers decides
/// disputes. Money moves only by pull: every outcome credits internal balances and {withdraw} is
/// the only transfer out. Audits, disputes and expiry run in {JobMarketAudits}, which this
/// contract deploys and calls by delegatecall (see {JobMarketBase}).
contract JobMarket is JobMarketBase, EIP712, Ownable, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    bytes32 private constant _OFFER_TYPEHASH = keccak256(
        "Offer(address provider,bytes32 modelId,uint256 unitPrice,uint32 maxTasks,uint64 expiry,bytes32 region,uint64 nonce)"
    );
    bytes32 private constant _RESULT_TYPEHASH =
        keccak256("Result(uint256 jobId,bytes32 tasksRoot,bytes32 resultRoot,bytes32 outputsHash)");
    /// @dev secp256k1 order / 2: signatures with a larger `s` are malleable copies.
    uint256 private constant _U64 = type(uint64).max;
    uint256 private constant _U88 = type(uint88).max;
    uint256 private constant _HALF_ORDER = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;
    address private immutable _audits_module;

    /// @param token The payment token (any ERC-20; fee-on-transfer tokens are credited what arrives).
    /// @param vault The staking vault holding providers' collateral and the verifier set.
    /// @param treasury Receives protocol fees and the treasury share of slashes.
    /// @param p Every parameter; refused unless it keeps audits worth the risk and the pool solvent.
    constructor(IERC20 token, StakingVault vault, address treasury, Params memory p)
        JobMarketBase(token, vault, treasury, p)
        EIP712("Exchange", "1")
        Ownable(msg.sender)
    {
        _audits_module = address(new JobMarketAudits(token, vault, treasury, p));
    }

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

    /// @notice Withdraws an offer and every other offer of the caller with a lower or equal
    /// nonce (offer nonces are a sequence; keep them below 2^32 - 1); only its provider.
    /// Emits {OfferCancelled}.
    function cancelOffer(Offer calldata offer) external {
        if (msg.sender != offer.provider) revert JobMarketNotOfferProvider(msg.sender, offer.provider);
        if (offer.nonce >= type(uint32).max) revert JobMarketInvalidParameter("nonce", offer.nonce);
        Account storage account = _accounts[msg.sender];
        if (offer.nonce >= account.offerNonceFloor) account.offerNonceFloor = uint32(offer.nonce) + 1;
        emit OfferCancelled(msg.sender, offer.nonce, offerDigest(offer));
    }

    /// @notice Locks `amount` more of the caller's vault stake as free collateral for its jobs, so
    /// that creating them need not lock stake one job at a time. Emits {CollateralLocked}.
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
            _expectRecord(jobId, job, Status.Submitted);
            address provider;
            uint256 price;
            uint256 submittedAt;
            uint256 submitBlock;
            // The record matched its commitment, so its words are the clean values hashed at
            // submission: provider, unitPrice and taskCount (whose product was checked at
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
            (bytes32 seed, bool audited) = _draw(jobId, uint64(submitBlock));
            // a draw recorded as "not audited" (no verifier was active then) stays so
            if (audited && !_audits[jobId].recorded && _recordDraw(jobId, seed, true) != address(0)) continue;
            _settle(jobId, provider, price, price * _collateralMultiplierBps / _BPS, false);
        }
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
    /// and whether job creation is paused.
    function ledger() external view returns (uint256 jobCount, uint256 verificationPool, uint256 protocolFees, bool paused) {
        Ledger memory book = _ledger;
        return (book.jobCount, book.verificationPool, book.protocolFees, book.paused);
    }

    /// @notice Whether the offer was cancelled (its nonce is below its provider's floor).
    function offerCancelled(Offer calldata offer) external view returns (bool) {
        return offer.nonce < _accounts[offer.provider].offerNonceFloor;
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
        bytes32 typeHash = _OFFER_TYPEHASH;
        bytes32 structHash;
        // abi.encode(typeHash, offer) without the field-by-field copy: an Offer is 7 static words
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, typeHash)
            calldatacopy(add(m, 0x20), offer, 0xe0)
            structHash := keccak256(m, 0x100)
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

    // ------------------------------------------------------------------ forwarded to JobMarketAudits

    /// @notice Ends jobs whose deadline passed without a result; anyone may call. The client gets
    /// price and fees back plus a share of the collateral, taken from the provider's stake.
    /// Emits {JobExpired} per job.
    function expire(uint256[] calldata, Job[] calldata) external {
        _forward();
    }

    /// @notice Fixes the audit draw of a submitted job (whether it is audited and by whom), so
    /// that neither the 256-block horizon nor changes of the verifier set can move it; anyone may
    /// call. Emits {DrawRecorded} (and {AuditAssigned} when audited).
    function recordDraw(uint256, Job calldata) external {
        _forward();
    }

    /// @notice The job's client asks for an audit within the challenge window, paying the client
    /// audit fee into the verification pool. Emits {AuditRequested}, {DrawRecorded},
    /// {AuditAssigned}.
    function requestAudit(uint256, Job calldata) external {
        _forward();
    }

    /// @notice The drawn verifier's verdict on an audited job. Pass settles the job and pays the
    /// verifier's reward; fail posts the challenger bond from the verifier's internal balance and
    /// opens a dispute before a drawn committee. Emits {VerdictSubmitted}, then {JobSettled} or
    /// {DisputeOpened}.
    function submitVerdict(uint256, Job calldata, bool, bytes32) external {
        _forward();
    }

    /// @notice Handles a verifier silent past its deadline: slashes its timeout penalty into the
    /// pool, then draws another verifier once; after the second silence the job settles.
    /// Anyone may call. Emits {AuditTimedOut}, then {AuditAssigned} or {JobSettled}.
    function timeoutAudit(uint256, Job calldata) external {
        _forward();
    }

    /// @notice A committee member's vote on a dispute, once, before the dispute deadline.
    /// Emits {Voted}.
    function vote(uint256, Job calldata, bool) external {
        _forward();
    }

    /// @notice Ends a dispute once a majority of the committee agrees or the dispute window has
    /// passed; anyone may call. A majority finding the provider wrong slashes its collateral:
    /// the client is refunded and the collateral split between client, challenger, the majority
    /// and the treasury, the bond returned. Otherwise the job settles and the bond goes to the
    /// provider. Emits {DisputeResolved} and {Credited}s, or {JobSettled}.
    function resolveDispute(uint256, Job calldata) external {
        _forward();
    }

    /// @notice The module that runs audits, disputes and expiry in this contract's storage.
    function auditsModule() external view returns (address) {
        return _audits_module;
    }

    // ------------------------------------------------------------------ internals

    function _deposit(uint256 amount) private {
        if (amount == 0) revert JobMarketZeroAmount();
        uint256 before = _token.balanceOf(address(this));
        _token.safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = _token.balanceOf(address(this)) - before;
        _addBalance(msg.sender, received);
        emit Deposited(msg.sender, received);
    }

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

    /// @dev Takes a job's collateral from the provider's free collateral, locking the shortfall
    /// of its vault stake first; refuses cancelled offers (the floor shares the provider's slot).
    function _takeCollateral(address provider, uint64 nonce, uint256 collateral) private {
        Account storage a = _accounts[provider];
        uint256 packed;
        assembly ("memory-safe") {
            packed := sload(a.slot)
        }
        // Account layout: see {JobMarketBase-_settleJob}.
        uint256 floor = packed >> 224;
        if (nonce < floor) revert JobMarketOfferCancelled(provider, nonce, uint32(floor));
        uint256 free = (packed >> 96) & _U96;
        if (collateral > free) {
            packed &= ~(_U96 << 96);
            assembly ("memory-safe") {
                sstore(a.slot, packed)
            }
            emit CollateralLocked(provider, collateral - free);
            _vault.lock(provider, collateral - free);
        } else {
            // collateral <= free: the subtraction stays inside the collateral bits
            unchecked {
                packed -= collateral << 96;
            }
            assembly ("memory-safe") {
                sstore(a.slot, packed)
            }
        }
    }

    function _checkOffer(Offer calldata offer, bytes calldata offerSig, uint32 taskCount, uint64 deadline) private view {
        uint32 maxTasks = offer.maxTasks;
        if (taskCount == 0 || taskCount > maxTasks) revert JobMarketInvalidTaskCount(taskCount, maxTasks);
        if (offer.expiry < block.timestamp) revert JobMarketOfferExpired(offer.expiry, uint64(block.timestamp));
        if (deadline <= block.timestamp) revert JobMarketInvalidDeadline(deadline, uint64(block.timestamp));
        address signer = _recover(offerDigest(offer), offerSig);
        if (signer != offer.provider) revert JobMarketInvalidOfferSignature(signer, offer.provider);
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
        // tasksRoot, manifestHash): its data are words 2-7 of the record just hashed
        assembly ("memory-safe") {
            let m := mload(0x40)
            log4(add(m, 0x40), 0xc0, topic, jobId, caller(), provider)
        }
    }

    function _submitResult(
        uint256 jobId,
        Job calldata job,
        bytes32 resultRoot,
        bytes32 outputsHash,
        bytes calldata signature
    ) private {
        _expectRecord(jobId, job, Status.Created);
        if (block.timestamp > job.deadline) {
            revert JobMarketDeadlinePassed(jobId, job.deadline, uint64(block.timestamp));
        }
        address signer = _recover(resultDigest(jobId, job.tasksRoot, resultRoot, outputsHash), signature);
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
        bytes32 topic = ResultSubmitted.selector;
        // emit ResultSubmitted(jobId, resultRoot, outputsHash, submittedAt, submitBlock): the last
        // four words of the record just hashed
        assembly ("memory-safe") {
            log2(add(mload(0x40), 0x100), 0x80, topic, jobId)
        }
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

    /// @dev The packed ledger (jobCount bits 0-63, verificationPool 64-159, protocolFees 160-247,
    /// paused 248-255); refuses when creation is paused.
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

    /// @dev The signer of a 65-byte `r || s || v` signature with a low `s` (as OpenZeppelin's
    /// ECDSA accepts), or zero for any other signature; callers compare it with the expected one.
    function _recover(bytes32 digest, bytes calldata signature) private pure returns (address) {
        if (signature.length != 65) return address(0);
        bytes32 r;
        bytes32 s;
        uint8 v;
        assembly ("memory-safe") {
            r := calldataload(signature.offset)
            s := calldataload(add(signature.offset, 0x20))
            v := byte(0, calldataload(add(signature.offset, 0x40)))
        }
        if (uint256(s) > _HALF_ORDER) return address(0);
        return ecrecover(digest, v, r, s);
    }

    /// @dev Runs the called function in the audits module, in this contract's storage, and
    /// returns or reverts with its result.
    function _forward() private {
        address module = _audits_module;
        assembly ("memory-safe") {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), module, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            if iszero(ok) { revert(0, returndatasize()) }
            return(0, returndatasize())
        }
    }
}
