// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Job, Status} from "../JobTypes.sol";

/// @notice The narrow hooks {JobMarket} gives its court (each `onlyCourt`). All money stays in
/// the market: the court's bonds, slashed stakes and committee pots are held in the market's
/// court hold (`ledger().courtHold`), and the court keeps per-job accounts of what it holds.
interface IJobMarketCourt {
    /// @notice Reverts unless `job` is the record committed for `jobId` and its status is `expected`.
    function expectJob(uint256 jobId, Job calldata job, Status expected) external view;

    /// @notice Fixes the draw of a `Submitted` job whose ready seed selects it for audit, for the
    /// drawn verifier's verdict that observes it first: the job moves to `Auditing`. Returns the
    /// seed. Only the court.
    function courtFixDraw(uint256 jobId, Job calldata job) external returns (bytes32 seed);

    /// @notice Moves a job from `from` to `to` (Auditing <-> Disputed); only the court.
    function courtSetStatus(uint256 jobId, Job calldata job, Status from, Status to) external;

    /// @notice Settles a job in `from` for its provider: the provider is credited its price less
    /// `withheld`, which goes to the court hold (the reward of an audit the provider let lapse);
    /// its collateral returns to its free collateral, the audit is counted as passed when
    /// `auditPassed`. Emits {JobSettled}. Only the court.
    function courtSettle(uint256 jobId, Job calldata job, Status from, uint256 withheld, bool auditPassed) external;

    /// @notice Slashes a job in `from`: status Slashed, the job's whole collateral is taken from
    /// the provider's stake, and collateral plus the escrowed price go to the court hold for the
    /// court to distribute (the client's refund included). Returns the slashed collateral.
    /// Only the court.
    function courtSlash(uint256 jobId, Job calldata job, Status from) external returns (uint256 slashed);

    /// @notice Moves `amount` of `account`'s internal balance into the court hold (bonds).
    /// Only the court.
    function courtHold(address account, uint256 amount) external;

    /// @notice Credits `amount` from the court hold to `account`'s internal balance.
    /// Emits {Credited}. Only the court.
    function courtPay(uint256 jobId, address account, uint256 amount) external;

    /// @notice Credits up to `amount` from the verification pool to `account`; returns what was
    /// paid (the pool may hold less). Emits {Credited}. Only the court.
    function courtPayFromPool(uint256 jobId, address account, uint256 amount) external returns (uint256 paid);

    /// @notice Moves `amount` from the court hold to the verification pool. Only the court.
    function courtHoldToPool(uint256 amount) external;

    /// @notice Slashes up to `amount` of a verifier's stake into the court hold; returns what
    /// was taken. Only the court.
    function courtSlashVerifier(address verifier, uint256 amount) external returns (uint256 taken);

    /// @notice The market's treasury (receives the court's remainders through {courtPay}).
    function treasury() external view returns (address);
}
