// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {StakingVault} from "./StakingVault.sol";
import {JobMarketBase} from "./JobMarketBase.sol";

/// @title JobMarketAudits
/// @notice Audits, disputes and expiry of {JobMarket}'s jobs. {JobMarket} deploys it and forwards
/// these functions to it by delegatecall, so they run in the market's storage and under its
/// address; called directly it refuses.
contract JobMarketAudits is JobMarketBase {
    using SafeCast for uint256;

    address private immutable _self;

    /// @notice This module was called directly instead of through {JobMarket}.
    error JobMarketAuditsDirectCall();

    modifier onlyDelegated() {
        if (address(this) == _self) revert JobMarketAuditsDirectCall();
        _;
    }

    /// @param token, vault, treasury, p The market's own constructor arguments, so that the
    /// immutables compiled into this module match the market's.
    constructor(IERC20 token, StakingVault vault, address treasury, Params memory p)
        JobMarketBase(token, vault, treasury, p)
    {
        _self = address(this);
    }

    /// @notice Ends jobs whose deadline passed without a result; anyone may call. The client gets
    /// price and fees back plus a share of the collateral, taken from the provider's stake.
    /// Emits {JobExpired} per job.
    function expire(uint256[] calldata jobIds, Job[] calldata jobs) external onlyDelegated {
        if (jobIds.length != jobs.length) revert JobMarketLengthMismatch(jobIds.length, jobs.length);
        for (uint256 i; i < jobIds.length; ++i) {
            _expire(jobIds[i], jobs[i]);
        }
    }

    /// @notice Fixes the audit draw of a submitted job (whether it is audited and by whom), so
    /// that neither the 256-block horizon nor changes of the verifier set can move it; anyone may
    /// call. Emits {DrawRecorded} (and {AuditAssigned} when audited).
    function recordDraw(uint256 jobId, Job calldata job) external onlyDelegated {
        _expectStatus(jobId, job, Status.Submitted);
        if (_audits[jobId].recorded) revert JobMarketDrawAlreadyRecorded(jobId);
        (bytes32 seed, bool audited) = _draw(jobId, job.submitBlock);
        _recordDraw(jobId, seed, audited);
    }

    /// @notice The job's client asks for an audit within the challenge window, paying the client
    /// audit fee into the verification pool. Emits {AuditRequested}, {DrawRecorded},
    /// {AuditAssigned}.
    function requestAudit(uint256 jobId, Job calldata job) external onlyDelegated {
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
    function submitVerdict(uint256 jobId, Job calldata job, bool pass, bytes32 evidenceHash) external onlyDelegated {
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
    function timeoutAudit(uint256 jobId, Job calldata job) external onlyDelegated {
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

    /// @notice A committee member's vote on a dispute, once, before the dispute deadline.
    /// Emits {Voted}.
    function vote(uint256 jobId, Job calldata job, bool providerWrong) external onlyDelegated {
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
    function resolveDispute(uint256 jobId, Job calldata job) external onlyDelegated {
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

    // ------------------------------------------------------------------ internals

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
        _addBalance(job.client, refund);
        emit JobExpired(jobId, refund, slashed);
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
        _addBalance(account, amount);
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
        _addBalance(verifier, reward);
    }

    function _isMember(address[] storage committee, address account) private view returns (bool) {
        for (uint256 i; i < committee.length; ++i) {
            if (committee[i] == account) return true;
        }
        return false;
    }
}
