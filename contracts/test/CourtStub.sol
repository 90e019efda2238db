// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Job, Status, AuditOrigin} from "../JobTypes.sol";
import {IAuditCourt} from "../interfaces/IAuditCourt.sol";
import {JobMarket} from "../JobMarket.sol";

/// @notice Test-only stand-in for the court: records the audits the market opens (with the status
/// the market shows at that moment) and relays any call to the market as the court.
contract CourtStub is IAuditCourt {
    JobMarket private immutable _market;

    /// @notice Someone other than the market called {openAudit}.
    error CourtStubNotMarket(address caller);

    /// @notice The market opened an audit; `status` is the job's status seen from inside the call.
    event AuditOpened(uint256 indexed jobId, bytes32 commitment, bytes32 seed, AuditOrigin origin, Status status);

    constructor(JobMarket market) {
        _market = market;
    }

    /// @notice Records the audit the market opens.
    function openAudit(uint256 jobId, Job calldata job, bytes32 seed, AuditOrigin origin) external {
        if (msg.sender != address(_market)) revert CourtStubNotMarket(msg.sender);
        (Status status,) = _market.getJob(jobId);
        emit AuditOpened(jobId, _market.jobCommitment(job), seed, origin, status);
    }

    /// @notice Calls the market with `data` as the court, bubbling a revert up unchanged.
    function relay(bytes calldata data) external returns (bytes memory result) {
        bool ok;
        // solhint-disable-next-line avoid-low-level-calls
        (ok, result) = address(_market).call(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(result, 0x20), mload(result))
            }
        }
    }
}
