// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Job, Status, AuditOrigin} from "./JobTypes.sol";
import {IAuditCourt} from "./interfaces/IAuditCourt.sol";
import {IJobMarketCourt} from "./interfaces/IJobMarketCourt.sol";
import {BlockHashSeedSource} from "./seed/BlockHashSeedSource.sol";
import {IStakeSnapshots} from "./interfaces/IStakeSnapshots.sol";
import {JobMarket} from "./JobMarket.sol";

/// @title AuditCourt
/// @notice Audits and disputes of {JobMarket}'s jobs, beside the market with its own storage.
/// A verifier drawn by stake weight from a fixed epoch snapshot re-runs the drawn tasks and
/// passes or fails the job; a fail opens a dispute decided by committees of verifiers that commit
/// and then reveal their votes, with appeals to larger committees for doubled bonds. A pass stands
/// only after an appeal window in which the client or any staked verifier may take it to the same
/// committees; a pass ruled wrong costs its verifier a penalty that pays the appellant. The final
/// ruling pays its coherent voters and the winning side's bonds, and charges incoherent or silent
/// members. All money stays in the market: the court moves it only through the market's
/// `onlyCourt` hooks and keeps, per job, an account of what it holds there.
contract AuditCourt is IAuditCourt, BlockHashSeedSource {
    /// @notice Every parameter of the court, fixed at deployment.
    struct CourtParams {
        uint64 auditWindow; // seconds the drawn verifier has for its verdict
        uint64 commitWindow; // seconds a committee has to commit its votes
        uint64 revealWindow; // seconds after the commit window to reveal them
        uint64 appealWindow; // seconds after a ruling in which it may be appealed
        uint64 passAppealWindow; // seconds after a pass verdict in which it may be appealed
        uint256 committeeSize; // members of round 0; round r has (size + 1) * 2^r - 1
        uint256 maxAppeals; // rounds after round 0
        uint256 challengerBondBps; // of the job's collateral, posted with a fail verdict
        uint256 minChallengerBond; // least challenger bond
        uint256 verifierTimeoutPenalty; // slashed from a silent verifier, at most the audit's reward
        uint256 incoherencePenalty; // slashed from each member not voting the final ruling
        uint256 falsePassPenaltyBps; // of the audit's reward, slashed from a verifier whose pass is ruled wrong
        uint256 slashClientBps; // of a slashed collateral, to the client
        uint256 slashCommitteeBps; // of a slashed collateral, to the coherent voters (rest: treasury)
    }

    /// @notice Where a job's audit stands.
    enum Phase {
        None,
        AwaitingDraw, // the verifier is drawn from `ticket` once its seed exists
        Assigned, // `verifier` owes a verdict by `deadline`
        Disputed, // a fail verdict or an appealed pass opened a dispute
        Done,
        Passed // `verifier` passed the job; it may be appealed until `deadline`
    }

    /// @notice A job's audit.
    struct Audit {
        address verifier; // the drawn verifier (the previous one while a redraw is pending)
        uint64 deadline; // verdict due; in phase Passed, the end of the pass's appeal window
        Phase phase;
        AuditOrigin origin;
        uint8 attempt; // 0: first verifier; 1: after a timeout
        uint64 ticket; // seed ticket of a pending draw
        uint64 epoch; // snapshot epoch of a pending draw
        bytes32 seed; // the seed that drew the verifier; task indices follow from it
    }

    /// @notice One committee round of a dispute. Round 0 is funded by the challenger on the side
    /// "provider wrong"; round r > 0 by its appellant on the side opposite to round r-1's ruling.
    struct Round {
        address funder;
        bool fundedWrong; // the side the funder's bond is on
        bool drawn;
        bool closed;
        bool providerWrong; // the ruling, once closed
        uint64 ticket;
        uint64 epoch;
        uint64 commitDeadline;
        uint64 revealDeadline;
        uint64 appealDeadline;
        uint32 committed;
        uint32 revealed;
        uint32 votesWrong;
        uint256 bond;
        address[] members;
    }

    /// @notice A member's vote in a round.
    struct Vote {
        bytes32 commitment;
        uint8 revealed; // 0 not revealed, 1 provider wrong, 2 provider right
    }

    /// @notice A job's dispute.
    struct Dispute {
        address challenger; // the failing verifier, or the appellant of a pass
        bytes32 evidenceHash;
        uint8 rounds; // rounds opened so far
        address passingVerifier; // the verifier whose appealed pass the dispute judges; zero after a fail
    }

    uint256 private constant _BPS = 10_000;
    /// @dev Bounds every loop over the rounds of a dispute.
    uint256 private constant _MAX_APPEALS = 3;
    /// @dev Bounds the members of round 0 (the last round has (size + 1) * 2^maxAppeals - 1).
    uint256 private constant _MAX_COMMITTEE = 15;

    IJobMarketCourt private immutable _market;
    IStakeSnapshots private immutable _vault;
    uint256 private immutable _auditRewardBps;
    uint256 private immutable _collateralMultiplierBps;
    uint256 private immutable _auditedTasksPerJob;

    CourtParams private _params;
    mapping(uint256 jobId => Audit) private _audits;
    mapping(uint256 jobId => Dispute) private _disputes;
    mapping(uint256 jobId => mapping(uint256 round => Round)) private _rounds;
    mapping(uint256 jobId => mapping(uint256 round => mapping(address member => Vote))) private _votes;
    /// @dev What the court holds in the market's court hold for each job.
    mapping(uint256 jobId => uint256) private _held;

    /// @notice The market opened an audit of a job.
    event AuditOpened(uint256 indexed jobId, AuditOrigin origin, uint64 ticket, uint64 epoch);
    /// @notice A pending draw's seed ticket lapsed; the draw now waits for `ticket`.
    event DrawReanchored(uint256 indexed jobId, uint256 round, uint64 ticket, uint64 epoch);
    /// @notice `verifier` must deliver a verdict on the job by `deadline`.
    event AuditAssigned(uint256 indexed jobId, address indexed verifier, uint64 deadline, bytes32 seed);
    /// @notice The drawn verifier judged the job. `reward`, what was credited with the verdict,
    /// is zero: a pass's reward waits for {PassFinalized} or the final ruling, a fail's for the
    /// final ruling.
    event VerdictSubmitted(
        uint256 indexed jobId, address indexed verifier, bool pass, bytes32 evidenceHash, uint256 reward
    );
    /// @notice A verifier missed its deadline; `penalty` was slashed from its stake into the pool.
    event AuditTimedOut(uint256 indexed jobId, address indexed verifier, uint256 penalty);
    /// @notice No verifier could be drawn: the job settled for its provider unaudited.
    event AuditAbandoned(uint256 indexed jobId);
    /// @notice A dispute round was opened and funded with `bond` by `funder` on its side.
    event RoundOpened(
        uint256 indexed jobId,
        uint256 round,
        address indexed funder,
        bool fundedWrong,
        uint256 bond,
        uint64 ticket,
        uint64 epoch,
        uint256 size
    );
    /// @notice A round's committee was drawn; it commits by `commitDeadline`, reveals by
    /// `revealDeadline`.
    event CommitteeDrawn(
        uint256 indexed jobId, uint256 round, address[] members, uint64 commitDeadline, uint64 revealDeadline
    );
    /// @notice A member committed its vote.
    event VoteCommitted(uint256 indexed jobId, uint256 round, address indexed member);
    /// @notice A member revealed its vote.
    event VoteRevealed(uint256 indexed jobId, uint256 round, address indexed member, bool providerWrong);
    /// @notice A round ruled; it may be appealed until `appealDeadline`.
    event RoundClosed(
        uint256 indexed jobId, uint256 round, bool providerWrong, uint256 votesWrong, uint256 votesRight, uint64 appealDeadline
    );
    /// @notice A member's vote did not match the final ruling (or was missing); `amount` was slashed.
    event MemberPenalised(uint256 indexed jobId, uint256 round, address indexed member, uint256 amount);
    /// @notice A dispute ended with its final ruling; `slashed` is the provider's slashed collateral.
    event DisputeResolved(uint256 indexed jobId, bool providerWrong, uint256 slashed);
    /// @notice `appellant` appealed `verifier`'s pass with `bond`; round 0 of a dispute follows.
    event PassAppealed(uint256 indexed jobId, address indexed appellant, address indexed verifier, uint256 bond);
    /// @notice `verifier`'s pass stands (unappealed, or ruled right on appeal); `reward` was credited to it.
    event PassFinalized(uint256 indexed jobId, address indexed verifier, uint256 reward);
    /// @notice `verifier`'s pass was ruled wrong on appeal; `amount` was slashed from its stake.
    event FalsePassPenalised(uint256 indexed jobId, address indexed verifier, uint256 amount);

    error AuditCourtInvalidParameter(string name, uint256 value);
    error AuditCourtNotMarket(address caller);
    error AuditCourtInvalidPhase(uint256 jobId, Phase phase, Phase expected);
    error AuditCourtSeedNotReady(uint256 jobId, uint256 readyAtBlock);
    error AuditCourtNotDrawnVerifier(address caller, address verifier);
    error AuditCourtAuditClosed(uint256 jobId, uint64 deadline, uint64 now_);
    error AuditCourtAuditOpen(uint256 jobId, uint64 deadline, uint64 now_);
    error AuditCourtRoundNotDrawn(uint256 jobId, uint256 round);
    error AuditCourtRoundAlreadyDrawn(uint256 jobId, uint256 round);
    error AuditCourtNotMember(uint256 jobId, uint256 round, address caller);
    error AuditCourtAlreadyCommitted(uint256 jobId, uint256 round, address member);
    error AuditCourtCommitClosed(uint256 jobId, uint256 round, uint64 deadline, uint64 now_);
    error AuditCourtRevealNotOpen(uint256 jobId, uint256 round);
    error AuditCourtRevealClosed(uint256 jobId, uint256 round, uint64 deadline, uint64 now_);
    error AuditCourtAlreadyRevealed(uint256 jobId, uint256 round, address member);
    error AuditCourtCommitmentMismatch(uint256 jobId, uint256 round, address member);
    error AuditCourtRoundOpen(uint256 jobId, uint256 round);
    error AuditCourtRoundClosed(uint256 jobId, uint256 round);
    error AuditCourtAppealClosed(uint256 jobId, uint256 round, uint64 deadline, uint64 now_);
    error AuditCourtAppealOpen(uint256 jobId, uint256 round, uint64 deadline, uint64 now_);
    error AuditCourtNoMoreAppeals(uint256 jobId, uint256 rounds);
    error AuditCourtPassAppealClosed(uint256 jobId, uint64 deadline, uint64 now_);
    error AuditCourtPassAppealOpen(uint256 jobId, uint64 deadline, uint64 now_);
    error AuditCourtNotAppellant(uint256 jobId, address caller);

    modifier onlyMarket() {
        if (msg.sender != address(_market)) revert AuditCourtNotMarket(msg.sender);
        _;
    }

    /// @param market The market whose jobs this court judges (it must then `setCourt` this court).
    /// @param vault The vault whose epoch snapshots every draw reads.
    /// @param p Every parameter; refused unless windows are set, loops bounded, splits whole, and
    /// a verifier cannot leave the vault before a dispute it may sit in has ended.
    constructor(IJobMarketCourt market, IStakeSnapshots vault, CourtParams memory p) {
        _validate(p, vault);
        _market = market;
        _vault = vault;
        _params = p;
        JobMarket.Params memory marketParams = JobMarket(address(market)).params();
        _auditRewardBps = marketParams.auditRewardBps;
        _collateralMultiplierBps = marketParams.collateralMultiplierBps;
        _auditedTasksPerJob = marketParams.auditedTasksPerJob;
    }

    // ------------------------------------------------------------------ audits

    /// @inheritdoc IAuditCourt
    /// @dev Emits {AuditOpened}, and {AuditAssigned} when the verifier is drawn at once.
    function openAudit(uint256 jobId, Job calldata job, bytes32 seed, AuditOrigin origin) external onlyMarket {
        Audit storage audit = _audits[jobId];
        if (audit.phase != Phase.None) revert AuditCourtInvalidPhase(jobId, audit.phase, Phase.None);
        audit.origin = origin;
        if (origin == AuditOrigin.Drawn) {
            // The job's seed exists only since the block after submission, and the snapshot of the
            // submission's epoch was fixed when that epoch began.
            uint64 epoch = _vault.epochOf(job.submittedAt);
            emit AuditOpened(jobId, origin, 0, epoch);
            if (_assign(jobId, job, audit, epoch, seed)) return;
        }
        _awaitDraw(audit);
        emit AuditOpened(jobId, origin, audit.ticket, audit.epoch);
    }

    /// @notice Draws the verifier of an audit waiting for its seed (a lapsed draw, a client's
    /// request, or the redraw after a timeout), once that seed exists; anyone may call. A lapsed
    /// ticket is re-anchored to a future block. With no verifier to draw the job settles for its
    /// provider. Emits {AuditAssigned}, {DrawReanchored} or {AuditAbandoned}.
    function assignAuditor(uint256 jobId, Job calldata job) external {
        Audit storage audit = _auditIn(jobId, job, Phase.AwaitingDraw);
        (bytes32 seed, SeedState state) = _seedOf(audit.ticket);
        if (state == SeedState.Pending) revert AuditCourtSeedNotReady(jobId, uint256(audit.ticket) + 1);
        if (state == SeedState.Lapsed) {
            _awaitDraw(audit);
            emit DrawReanchored(jobId, 0, audit.ticket, audit.epoch);
            return;
        }
        if (_assign(jobId, job, audit, audit.epoch, keccak256(abi.encode(seed, jobId, audit.attempt)))) return;
        audit.phase = Phase.Done;
        emit AuditAbandoned(jobId);
        _market.courtSettle(jobId, job, Status.Auditing, 0, false);
    }

    /// @notice The drawn verifier's verdict. Pass moves the audit to phase Passed until
    /// `passAppealWindow` from now, the reward held for {finalizePass} or an appeal's ruling; fail
    /// posts the challenger bond from the verifier's market balance and opens round 0 of a
    /// dispute, the reward waiting for the final ruling. The verifier a submitted job's own draw
    /// selects may act before anyone fixed that draw: its verdict fixes it. Emits
    /// {VerdictSubmitted} (after {AuditAssigned} when it fixes the draw), then {RoundOpened} on fail.
    function submitVerdict(uint256 jobId, Job calldata job, bool pass, bytes32 evidenceHash) external {
        Audit storage audit = _audits[jobId];
        if (audit.phase == Phase.None) {
            _fixDrawForVerdict(jobId, job, audit);
        } else {
            _auditIn(jobId, job, Phase.Assigned);
            if (msg.sender != audit.verifier) revert AuditCourtNotDrawnVerifier(msg.sender, audit.verifier);
            if (block.timestamp > audit.deadline) {
                revert AuditCourtAuditClosed(jobId, audit.deadline, uint64(block.timestamp));
            }
        }
        emit VerdictSubmitted(jobId, msg.sender, pass, evidenceHash, 0);
        if (pass) {
            audit.phase = Phase.Passed;
            audit.deadline = uint64(block.timestamp) + _params.passAppealWindow;
            return;
        }
        _openDispute(jobId, job, audit, evidenceHash);
    }

    /// @notice Appeals a pass within its appeal window: the job's client or any account with the
    /// vault's minimum verifier stake, never the passing verifier or the job's provider, posts the
    /// challenger bond from its market balance and opens round 0 of a dispute on the side
    /// "provider wrong", as a fail verdict does. Emits {PassAppealed}, then {RoundOpened}.
    function appealPass(uint256 jobId, Job calldata job) external {
        Audit storage audit = _auditIn(jobId, job, Phase.Passed);
        if (block.timestamp > audit.deadline) {
            revert AuditCourtPassAppealClosed(jobId, audit.deadline, uint64(block.timestamp));
        }
        if (
            msg.sender == audit.verifier || msg.sender == job.provider
                || (msg.sender != job.client && !_vault.isActiveVerifier(msg.sender))
        ) revert AuditCourtNotAppellant(jobId, msg.sender);
        _disputes[jobId].passingVerifier = audit.verifier;
        emit PassAppealed(jobId, msg.sender, audit.verifier, _challengerBond(job.unitPrice * job.taskCount));
        _openDispute(jobId, job, audit, bytes32(0));
    }

    /// @notice Lets an unappealed pass stand once its appeal window has passed; anyone may call
    /// (the provider's keeper does, for its pay). Pays the verifier the audit reward (from the
    /// pool, or from the provider's payout, at most all of it, when the provider let the draw
    /// lapse) and settles the job as audited. Emits {PassFinalized} and the market's {JobSettled}.
    function finalizePass(uint256 jobId, Job calldata job) external {
        Audit storage audit = _auditIn(jobId, job, Phase.Passed);
        if (block.timestamp <= audit.deadline) {
            revert AuditCourtPassAppealOpen(jobId, audit.deadline, uint64(block.timestamp));
        }
        audit.phase = Phase.Done;
        _settlePass(jobId, job, audit.verifier, Status.Auditing);
    }

    /// @notice Handles a verifier silent past its deadline; anyone may call. The verifier loses
    /// `min(verifierTimeoutPenalty, reward)` of its stake into the verification pool (nothing for
    /// an audit that pays no reward); a second verifier is drawn from a new seed once, and after
    /// its silence too the job settles for the provider. Emits {AuditTimedOut}, then
    /// {AuditOpened} or {JobSettled} (market).
    function timeoutAudit(uint256 jobId, Job calldata job) external {
        Audit storage audit = _auditIn(jobId, job, Phase.Assigned);
        if (block.timestamp <= audit.deadline) {
            revert AuditCourtAuditOpen(jobId, audit.deadline, uint64(block.timestamp));
        }
        uint256 reward = job.unitPrice * job.taskCount * _auditRewardBps / _BPS;
        uint256 penalty = _params.verifierTimeoutPenalty < reward ? _params.verifierTimeoutPenalty : reward;
        bool again = audit.attempt == 0;
        if (again) {
            audit.attempt = 1;
            _awaitDraw(audit);
        } else {
            audit.phase = Phase.Done;
        }
        uint256 taken = penalty == 0 ? 0 : _market.courtSlashVerifier(audit.verifier, penalty);
        emit AuditTimedOut(jobId, audit.verifier, taken);
        if (taken != 0) _market.courtHoldToPool(taken);
        if (again) emit AuditOpened(jobId, audit.origin, audit.ticket, audit.epoch);
        else _market.courtSettle(jobId, job, Status.Auditing, 0, false);
    }

    // ------------------------------------------------------------------ disputes

    /// @notice Draws the committee of the dispute's open round once its seed exists; anyone may
    /// call. Members are drawn by stake weight without replacement from the snapshot of the epoch
    /// the round opened in, never the challenger, the client or an appealed pass's verifier. A
    /// lapsed ticket is re-anchored.
    /// A round that finds no member rules at once for the provider. Emits {CommitteeDrawn},
    /// {DrawReanchored} or {RoundClosed}.
    function drawCommittee(uint256 jobId, Job calldata job) external {
        _market.expectJob(jobId, job, Status.Disputed);
        Dispute storage dispute = _disputes[jobId];
        uint256 r = dispute.rounds - 1;
        Round storage round = _rounds[jobId][r];
        if (round.drawn) revert AuditCourtRoundAlreadyDrawn(jobId, r);
        (bytes32 seed, SeedState state) = _seedOf(round.ticket);
        if (state == SeedState.Pending) revert AuditCourtSeedNotReady(jobId, uint256(round.ticket) + 1);
        if (state == SeedState.Lapsed) {
            round.ticket = _seedTicket();
            round.epoch = _vault.currentEpoch();
            emit DrawReanchored(jobId, r, round.ticket, round.epoch);
            return;
        }
        address[] memory exclude = new address[](3);
        exclude[0] = dispute.challenger;
        exclude[1] = job.client;
        exclude[2] = dispute.passingVerifier;
        address[] memory members =
            _vault.draw(round.epoch, keccak256(abi.encode(seed, jobId, "committee", r)), committeeSizeOf(r), exclude);
        round.drawn = true;
        round.members = members;
        round.commitDeadline = uint64(block.timestamp) + _params.commitWindow;
        round.revealDeadline = round.commitDeadline + _params.revealWindow;
        emit CommitteeDrawn(jobId, r, members, round.commitDeadline, round.revealDeadline);
        if (members.length == 0) _close(jobId, r, round);
    }

    /// @notice A member's sealed vote in the open round, before the commit deadline:
    /// `keccak256(abi.encode(jobId, round, member, providerWrong, salt))`. A zero commitment, which
    /// no reveal can open, is refused as a mismatch. Emits {VoteCommitted}.
    function commitVote(uint256 jobId, bytes32 commitment) external {
        uint256 r = _openRoundIndex(jobId);
        Round storage round = _rounds[jobId][r];
        if (!round.drawn) revert AuditCourtRoundNotDrawn(jobId, r);
        if (block.timestamp > round.commitDeadline) {
            revert AuditCourtCommitClosed(jobId, r, round.commitDeadline, uint64(block.timestamp));
        }
        if (!_isMember(round.members, msg.sender)) revert AuditCourtNotMember(jobId, r, msg.sender);
        // A zero commitment reads as "not committed": accepted, it would count towards `committed`
        // again and again and open the reveals early, while its member could still commit a real
        // vote after seeing them.
        if (commitment == bytes32(0)) revert AuditCourtCommitmentMismatch(jobId, r, msg.sender);
        Vote storage vote = _votes[jobId][r][msg.sender];
        if (vote.commitment != bytes32(0)) revert AuditCourtAlreadyCommitted(jobId, r, msg.sender);
        vote.commitment = commitment;
        round.committed += 1;
        emit VoteCommitted(jobId, r, msg.sender);
    }

    /// @notice Opens a committed vote, after the commit deadline (or once every member committed)
    /// and before the reveal deadline. Emits {VoteRevealed}.
    function revealVote(uint256 jobId, bool providerWrong, bytes32 salt) external {
        uint256 r = _openRoundIndex(jobId);
        Round storage round = _rounds[jobId][r];
        if (!round.drawn) revert AuditCourtRoundNotDrawn(jobId, r);
        if (block.timestamp <= round.commitDeadline && round.committed < round.members.length) {
            revert AuditCourtRevealNotOpen(jobId, r);
        }
        if (block.timestamp > round.revealDeadline) {
            revert AuditCourtRevealClosed(jobId, r, round.revealDeadline, uint64(block.timestamp));
        }
        Vote storage vote = _votes[jobId][r][msg.sender];
        if (vote.revealed != 0) revert AuditCourtAlreadyRevealed(jobId, r, msg.sender);
        if (vote.commitment == bytes32(0) || vote.commitment != voteCommitment(jobId, r, msg.sender, providerWrong, salt)) {
            revert AuditCourtCommitmentMismatch(jobId, r, msg.sender);
        }
        vote.revealed = providerWrong ? 1 : 2;
        round.revealed += 1;
        if (providerWrong) round.votesWrong += 1;
        emit VoteRevealed(jobId, r, msg.sender, providerWrong);
    }

    /// @notice Closes the open round once every member revealed or the reveal deadline passed;
    /// anyone may call. It rules "provider wrong" iff more revealed votes say so than not.
    /// Emits {RoundClosed}.
    function closeRound(uint256 jobId) external {
        uint256 r = _openRoundIndex(jobId);
        Round storage round = _rounds[jobId][r];
        if (!round.drawn) revert AuditCourtRoundNotDrawn(jobId, r);
        if (round.revealed < round.members.length && block.timestamp <= round.revealDeadline) {
            revert AuditCourtRoundOpen(jobId, r);
        }
        _close(jobId, r, round);
    }

    /// @notice Appeals the last ruling within its appeal window: the caller posts
    /// `bond × 2^(round + 1)` from its market balance on the other side, and a larger committee
    /// is drawn afresh. Emits {RoundOpened}.
    function appeal(uint256 jobId, Job calldata job) external {
        _market.expectJob(jobId, job, Status.Disputed);
        Dispute storage dispute = _disputes[jobId];
        uint256 r = dispute.rounds - 1;
        Round storage round = _rounds[jobId][r];
        if (!round.closed) revert AuditCourtRoundOpen(jobId, r);
        if (r >= _params.maxAppeals) revert AuditCourtNoMoreAppeals(jobId, r + 1);
        if (block.timestamp > round.appealDeadline) {
            revert AuditCourtAppealClosed(jobId, r, round.appealDeadline, uint64(block.timestamp));
        }
        uint256 bond = _rounds[jobId][0].bond << (r + 1);
        _openRound(jobId, dispute, msg.sender, !round.providerWrong, bond);
        _market.courtHold(msg.sender, bond);
    }

    /// @notice Ends a dispute on its final ruling once the last round's appeal window has passed
    /// (at once after the last possible round); anyone may call. Provider wrong: its collateral
    /// is slashed, the client refunded with a share, the challenger paid the audit reward, and
    /// after an appealed pass the passing verifier loses `falsePassPenaltyBps` of the reward from
    /// its stake, to the appellant less the committee's share. Provider right: the job settles,
    /// after an appealed pass with the reward to the passing verifier. Either way losing bonds are
    /// forfeited to the winning side and the coherent voters, and incoherent or silent members are
    /// penalised. Emits {DisputeResolved}, {FalsePassPenalised} or {PassFinalized} after an
    /// appealed pass, {MemberPenalised}s and the market's {Credited}s.
    function resolveDispute(uint256 jobId, Job calldata job) external {
        _market.expectJob(jobId, job, Status.Disputed);
        Dispute storage dispute = _disputes[jobId];
        uint256 last = dispute.rounds - 1;
        Round storage round = _rounds[jobId][last];
        if (!round.closed) revert AuditCourtRoundOpen(jobId, last);
        if (last < _params.maxAppeals && block.timestamp <= round.appealDeadline) {
            revert AuditCourtAppealOpen(jobId, last, round.appealDeadline, uint64(block.timestamp));
        }
        _audits[jobId].phase = Phase.Done;
        bool providerWrong = round.providerWrong;
        (uint256 pot, uint256 coherent) = _penalise(jobId, last, providerWrong);
        pot += _settleBonds(jobId, job, last, providerWrong);
        uint256 price = job.unitPrice * job.taskCount;
        uint256 slashed;
        if (providerWrong) {
            slashed = _market.courtSlash(jobId, job, Status.Disputed);
            _held[jobId] += slashed + price;
            emit DisputeResolved(jobId, true, slashed);
            pot += slashed * _params.slashCommitteeBps / _BPS;
            _pay(jobId, job.client, price + slashed * _params.slashClientBps / _BPS);
            _payChallenger(jobId, dispute.challenger, price, slashed);
            if (dispute.passingVerifier != address(0)) pot += _penaliseFalsePass(jobId, dispute, price);
        } else {
            emit DisputeResolved(jobId, false, 0);
            if (dispute.passingVerifier != address(0)) _settlePass(jobId, job, dispute.passingVerifier, Status.Disputed);
            else _market.courtSettle(jobId, job, Status.Disputed, 0, true);
        }
        _payCoherent(jobId, last, providerWrong, pot, coherent);
        // Rounding remainders and the treasury's share of a slash: what the job still holds.
        if (_held[jobId] != 0) _pay(jobId, _market.treasury(), _held[jobId]);
    }

    // ------------------------------------------------------------------ views

    /// @notice Every parameter of the court.
    function params() external view returns (CourtParams memory) {
        return _params;
    }

    /// @notice The market, the vault, and the market terms the court copied at deployment.
    function terms()
        external
        view
        returns (
            address market,
            address vault,
            uint256 auditRewardBps,
            uint256 collateralMultiplierBps,
            uint256 auditedTasksPerJob
        )
    {
        return (address(_market), address(_vault), _auditRewardBps, _collateralMultiplierBps, _auditedTasksPerJob);
    }

    /// @notice A job's audit (phase None when it was never audited).
    function auditOf(uint256 jobId) external view returns (Audit memory) {
        return _audits[jobId];
    }

    /// @notice The task indices the job's assigned verifier must re-run (see {taskIndicesOf}),
    /// from the seed that drew it. Empty until a verifier is drawn.
    function auditTasks(uint256 jobId, uint32 taskCount) external view returns (uint32[] memory) {
        return taskIndicesOf(_audits[jobId].seed, taskCount);
    }

    /// @notice The verifier a submitted job's own draw selects before anyone fixed the draw, and
    /// the seed that drew it; zero when the seed is not ready, lapsed or does not select the job,
    /// or nobody can be drawn. That verifier may act on it at once with {submitVerdict}.
    function pendingAuditor(uint256 jobId, Job calldata job) external view returns (address verifier, bytes32 seed) {
        bool ready;
        bool audited;
        (ready, audited, seed) = JobMarket(address(_market)).auditDraw(jobId, job);
        if (!ready || !audited || seed == bytes32(0)) return (address(0), bytes32(0));
        address[] memory exclude = new address[](1);
        exclude[0] = job.client;
        address[] memory drawn = _vault.draw(_vault.epochOf(job.submittedAt), seed, 1, exclude);
        if (drawn.length == 0) return (address(0), bytes32(0));
        verifier = drawn[0];
    }

    /// @notice The `min(k, taskCount)` distinct task indices a seed draws:
    /// `keccak256(abi.encode(seed, 2 + i)) % taskCount`, probing forward past repeats.
    /// Empty for a zero seed.
    function taskIndicesOf(bytes32 seed, uint32 taskCount) public view returns (uint32[] memory indices) {
        if (seed == bytes32(0) || taskCount == 0) return indices;
        uint256 k = _auditedTasksPerJob < taskCount ? _auditedTasksPerJob : taskCount;
        indices = new uint32[](k);
        for (uint256 i; i < k; ++i) {
            uint256 index = uint256(keccak256(abi.encode(seed, 2 + i))) % taskCount;
            while (_contains(indices, i, index)) index = (index + 1) % taskCount;
            indices[i] = uint32(index);
        }
    }

    /// @notice A job's dispute: its challenger, evidence and the number of rounds opened.
    function disputeOf(uint256 jobId) external view returns (Dispute memory) {
        return _disputes[jobId];
    }

    /// @notice Round `round` of a job's dispute.
    function roundOf(uint256 jobId, uint256 round) external view returns (Round memory) {
        return _rounds[jobId][round];
    }

    /// @notice A member's vote in a round.
    function voteOf(uint256 jobId, uint256 round, address member) external view returns (Vote memory) {
        return _votes[jobId][round][member];
    }

    /// @notice What the court holds in the market for a job (bonds, slashed stake).
    function heldFor(uint256 jobId) external view returns (uint256) {
        return _held[jobId];
    }

    /// @notice Members of round `round`: `(committeeSize + 1) * 2^round - 1`.
    function committeeSizeOf(uint256 round) public view returns (uint256) {
        return ((_params.committeeSize + 1) << round) - 1;
    }

    /// @notice The commitment a member seals its vote with.
    function voteCommitment(uint256 jobId, uint256 round, address member, bool providerWrong, bytes32 salt)
        public
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(jobId, round, member, providerWrong, salt));
    }

    // ------------------------------------------------------------------ internals

    /// @dev Draws the verifier of `audit` from `epoch`'s snapshot with `seed`; false when nobody
    /// can be drawn. Excludes the job's client and, on a redraw, the silent verifier.
    function _assign(uint256 jobId, Job calldata job, Audit storage audit, uint64 epoch, bytes32 seed)
        private
        returns (bool)
    {
        address[] memory exclude = new address[](2);
        exclude[0] = job.client;
        exclude[1] = audit.verifier;
        address[] memory drawn = _vault.draw(epoch, seed, 1, exclude);
        if (drawn.length == 0) return false;
        audit.phase = Phase.Assigned;
        audit.seed = seed;
        audit.verifier = drawn[0];
        audit.deadline = uint64(block.timestamp) + _params.auditWindow;
        emit AuditAssigned(jobId, drawn[0], audit.deadline, seed);
        return true;
    }

    /// @dev The first transaction to observe a submitted job's draw is its drawn verifier's verdict:
    /// the market fixes the draw (reverting unless the seed selects the job) and the caller must
    /// be the verifier that seed draws from the submission epoch's snapshot. The audit is recorded
    /// as assigned to it, for the verdict that follows.
    function _fixDrawForVerdict(uint256 jobId, Job calldata job, Audit storage audit) private {
        bytes32 seed = _market.courtFixDraw(jobId, job);
        address[] memory exclude = new address[](1);
        exclude[0] = job.client;
        address[] memory drawn = _vault.draw(_vault.epochOf(job.submittedAt), seed, 1, exclude);
        address verifier = drawn.length == 0 ? address(0) : drawn[0];
        if (msg.sender != verifier) revert AuditCourtNotDrawnVerifier(msg.sender, verifier);
        emit AuditOpened(jobId, AuditOrigin.Drawn, 0, 0);
        emit AuditAssigned(jobId, verifier, uint64(block.timestamp), seed);
        audit.verifier = verifier;
        audit.deadline = uint64(block.timestamp);
        audit.phase = Phase.Assigned;
        audit.seed = seed;
    }

    /// @dev Opens round 0 of a dispute on the side "provider wrong", funded by the caller (a
    /// failing verifier, or a pass's appellant) with the challenger bond from its market balance.
    function _openDispute(uint256 jobId, Job calldata job, Audit storage audit, bytes32 evidenceHash) private {
        audit.phase = Phase.Disputed;
        uint256 bond = _challengerBond(job.unitPrice * job.taskCount);
        Dispute storage dispute = _disputes[jobId];
        dispute.challenger = msg.sender;
        dispute.evidenceHash = evidenceHash;
        _openRound(jobId, dispute, msg.sender, true, bond);
        _market.courtSetStatus(jobId, job, Status.Auditing, Status.Disputed);
        _market.courtHold(msg.sender, bond);
    }

    /// @dev A pass stands: pays `verifier` the audit reward (from the pool, or from the
    /// provider's payout, at most all of it, when the provider let the draw lapse) and settles the
    /// job from `from` as audited.
    function _settlePass(uint256 jobId, Job calldata job, address verifier, Status from) private {
        uint256 price = job.unitPrice * job.taskCount;
        uint256 reward = price * _auditRewardBps / _BPS;
        if (_audits[jobId].origin == AuditOrigin.Lapsed) {
            // a market may pay rewards above the price (auditRewardBps > 10000); the payout is the most
            if (reward > price) reward = price;
            emit PassFinalized(jobId, verifier, reward);
            _market.courtSettle(jobId, job, from, reward, true);
            _market.courtPay(jobId, verifier, reward);
        } else {
            reward = _market.courtPayFromPool(jobId, verifier, reward);
            emit PassFinalized(jobId, verifier, reward);
            _market.courtSettle(jobId, job, from, 0, true);
        }
    }

    /// @dev Slashes the verifier of a pass ruled wrong `falsePassPenaltyBps` of the audit reward
    /// (at most its stake not locked, unbonding included) and pays it to the appellant, less the
    /// committee's `slashCommitteeBps` share, which it returns for the pot.
    function _penaliseFalsePass(uint256 jobId, Dispute storage dispute, uint256 price) private returns (uint256 toPot) {
        uint256 penalty = price * _auditRewardBps / _BPS * _params.falsePassPenaltyBps / _BPS;
        uint256 taken = _market.courtSlashVerifier(dispute.passingVerifier, penalty);
        _held[jobId] += taken;
        emit FalsePassPenalised(jobId, dispute.passingVerifier, taken);
        toPot = taken * _params.slashCommitteeBps / _BPS;
        if (taken != toPot) _pay(jobId, dispute.challenger, taken - toPot);
    }

    /// @dev Makes `audit` wait for a seed that does not exist yet, drawn from the current epoch.
    function _awaitDraw(Audit storage audit) private {
        audit.phase = Phase.AwaitingDraw;
        audit.ticket = _seedTicket();
        audit.epoch = _vault.currentEpoch();
    }

    function _openRound(uint256 jobId, Dispute storage dispute, address funder, bool fundedWrong, uint256 bond) private {
        uint256 r = dispute.rounds;
        dispute.rounds = uint8(r + 1);
        Round storage round = _rounds[jobId][r];
        round.funder = funder;
        round.fundedWrong = fundedWrong;
        round.bond = bond;
        round.ticket = _seedTicket();
        round.epoch = _vault.currentEpoch();
        _held[jobId] += bond;
        emit RoundOpened(jobId, r, funder, fundedWrong, bond, round.ticket, round.epoch, committeeSizeOf(r));
    }

    function _close(uint256 jobId, uint256 r, Round storage round) private {
        round.closed = true;
        round.providerWrong = uint256(round.votesWrong) * 2 > round.revealed;
        round.appealDeadline = uint64(block.timestamp) + (r < _params.maxAppeals ? _params.appealWindow : 0);
        emit RoundClosed(
            jobId, r, round.providerWrong, round.votesWrong, round.revealed - round.votesWrong, round.appealDeadline
        );
    }

    /// @dev The index of the dispute's last round, which must still be open.
    function _openRoundIndex(uint256 jobId) private view returns (uint256 r) {
        uint256 rounds = _disputes[jobId].rounds;
        if (rounds == 0) revert AuditCourtRoundNotDrawn(jobId, 0);
        r = rounds - 1;
        if (_rounds[jobId][r].closed) revert AuditCourtRoundClosed(jobId, r);
    }

    /// @dev Penalises every member of every round whose revealed vote is not the final ruling
    /// (silence included) into the committee pot; returns the pot and the number of coherent votes.
    function _penalise(uint256 jobId, uint256 last, bool providerWrong) private returns (uint256 pot, uint256 coherent) {
        uint8 winning = providerWrong ? 1 : 2;
        uint256 penalty = _params.incoherencePenalty;
        for (uint256 r; r <= last; ++r) {
            address[] storage members = _rounds[jobId][r].members;
            for (uint256 i; i < members.length; ++i) {
                address member = members[i];
                if (_votes[jobId][r][member].revealed == winning) {
                    ++coherent;
                } else if (penalty != 0) {
                    uint256 taken = _market.courtSlashVerifier(member, penalty);
                    _held[jobId] += taken;
                    pot += taken;
                    emit MemberPenalised(jobId, r, member, taken);
                }
            }
        }
    }

    /// @dev Returns the winning side's bonds, gives half of the losing side's to the winning
    /// funders pro rata (to the provider when it won without funding a round), and returns the
    /// other half for the committee pot.
    function _settleBonds(uint256 jobId, Job calldata job, uint256 last, bool providerWrong)
        private
        returns (uint256 toPot)
    {
        uint256 forfeited;
        uint256 winning;
        for (uint256 r; r <= last; ++r) {
            Round storage round = _rounds[jobId][r];
            if (round.fundedWrong == providerWrong) winning += round.bond;
            else forfeited += round.bond;
        }
        toPot = forfeited - forfeited / 2;
        uint256 share = forfeited / 2;
        if (winning == 0) {
            if (share != 0) _pay(jobId, job.provider, share);
            return toPot;
        }
        for (uint256 r; r <= last; ++r) {
            Round storage round = _rounds[jobId][r];
            if (round.fundedWrong == providerWrong) _pay(jobId, round.funder, round.bond + share * round.bond / winning);
        }
    }

    /// @dev The challenger was right: its audit reward, from the pool, or from the slashed
    /// collateral when the provider let the draw lapse.
    function _payChallenger(uint256 jobId, address challenger, uint256 price, uint256 slashed) private {
        uint256 reward = price * _auditRewardBps / _BPS;
        if (_audits[jobId].origin == AuditOrigin.Lapsed) {
            uint256 available = slashed - slashed * _params.slashClientBps / _BPS - slashed * _params.slashCommitteeBps / _BPS;
            _pay(jobId, challenger, reward < available ? reward : available);
        } else {
            _market.courtPayFromPool(jobId, challenger, reward);
        }
    }

    /// @dev Splits the committee pot equally between the coherent votes of all rounds.
    function _payCoherent(uint256 jobId, uint256 last, bool providerWrong, uint256 pot, uint256 coherent) private {
        if (coherent == 0 || pot == 0) return;
        uint256 share = pot / coherent;
        if (share == 0) return;
        uint8 winning = providerWrong ? 1 : 2;
        for (uint256 r; r <= last; ++r) {
            address[] storage members = _rounds[jobId][r].members;
            for (uint256 i; i < members.length; ++i) {
                if (_votes[jobId][r][members[i]].revealed == winning) _pay(jobId, members[i], share);
            }
        }
    }

    function _pay(uint256 jobId, address account, uint256 amount) private {
        _held[jobId] -= amount;
        _market.courtPay(jobId, account, amount);
    }

    function _challengerBond(uint256 price) private view returns (uint256) {
        uint256 bond = price * _collateralMultiplierBps / _BPS * _params.challengerBondBps / _BPS;
        return bond > _params.minChallengerBond ? bond : _params.minChallengerBond;
    }

    /// @dev The audit of a job that must be `job` in {Status-Auditing}, in phase `phase`.
    function _auditIn(uint256 jobId, Job calldata job, Phase phase) private view returns (Audit storage audit) {
        _market.expectJob(jobId, job, Status.Auditing);
        audit = _audits[jobId];
        _expectPhase(jobId, audit.phase, phase);
    }

    function _expectPhase(uint256 jobId, Phase phase, Phase expected) private pure {
        if (phase != expected) revert AuditCourtInvalidPhase(jobId, phase, expected);
    }

    function _isMember(address[] storage members, address account) private view returns (bool) {
        for (uint256 i; i < members.length; ++i) {
            if (members[i] == account) return true;
        }
        return false;
    }

    function _contains(uint32[] memory values, uint256 length, uint256 value) private pure returns (bool) {
        for (uint256 i; i < length; ++i) {
            if (values[i] == value) return true;
        }
        return false;
    }

    function _validate(CourtParams memory p, IStakeSnapshots vault) private view {
        if (p.auditWindow == 0) revert AuditCourtInvalidParameter("auditWindow", 0);
        if (p.commitWindow == 0) revert AuditCourtInvalidParameter("commitWindow", 0);
        if (p.revealWindow == 0) revert AuditCourtInvalidParameter("revealWindow", 0);
        if (p.appealWindow == 0) revert AuditCourtInvalidParameter("appealWindow", 0);
        if (p.passAppealWindow == 0) revert AuditCourtInvalidParameter("passAppealWindow", 0);
        if (p.committeeSize == 0 || p.committeeSize % 2 == 0 || p.committeeSize > _MAX_COMMITTEE) {
            revert AuditCourtInvalidParameter("committeeSize", p.committeeSize);
        }
        if (p.maxAppeals > _MAX_APPEALS) revert AuditCourtInvalidParameter("maxAppeals", p.maxAppeals);
        if (p.challengerBondBps > _BPS) revert AuditCourtInvalidParameter("challengerBondBps", p.challengerBondBps);
        if (p.minChallengerBond == 0) revert AuditCourtInvalidParameter("minChallengerBond", 0);
        uint256 split = p.slashClientBps + p.slashCommitteeBps;
        if (split > _BPS) revert AuditCourtInvalidParameter("slashSplitBps", split);
        // Below one reward, a lazy verifier gains from passing unseen even when half its audits
        // are canaries.
        if (p.falsePassPenaltyBps < _BPS) revert AuditCourtInvalidParameter("falsePassPenaltyBps", p.falsePassPenaltyBps);
        // A verifier drawn from an epoch's snapshot, and a member drawn into the last round, must
        // still have their stake in the vault when the dispute that may slash them ends: the
        // unbonding delay covers two audits, a pass's appeal window, every round's windows and
        // an epoch.
        uint256 longest = 2 * uint256(p.auditWindow) + p.passAppealWindow
            + (p.maxAppeals + 1) * (uint256(p.commitWindow) + p.revealWindow + p.appealWindow) + vault.epochLength();
        (,, uint64 unbondingDelay) = vault.limits();
        if (unbondingDelay < longest) revert AuditCourtInvalidParameter("unbondingDelay", unbondingDelay);
    }
}
