// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Job, AuditOrigin} from "../JobTypes.sol";

/// @notice What {JobMarket} calls on its court.
interface IAuditCourt {
    /// @notice The market moved the job to {Status-Auditing}; only the market. `seed` is the
    /// job's draw seed for {AuditOrigin-Drawn} (the verifier is drawn at once from the stake
    /// snapshot of the epoch of `job.submittedAt`), zero otherwise (the court takes a seed ticket
    /// for a future block and draws from the current epoch's snapshot when it exists).
    function openAudit(uint256 jobId, Job calldata job, bytes32 seed, AuditOrigin origin) external;
}
