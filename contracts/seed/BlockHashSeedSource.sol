// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {SeedSource} from "./SeedSource.sol";

/// @title BlockHashSeedSource
/// @notice Seeds from the hash of the block after the one that took the ticket. Unknown to every
/// transaction of the ticket's block; biasable only by the producer of the ticket block, who can
/// withhold it at the cost of its block reward. Right for a local chain and Ethereum L1, not for
/// rollups whose sequencer sees and orders around block hashes (see docs/contracts.md).
abstract contract BlockHashSeedSource is SeedSource {
    /// @dev blockhash() of a block more than this many blocks back is zero.
    uint256 internal constant _HORIZON = 256;

    function _seedTicket() internal view override returns (uint64) {
        return uint64(block.number + 1);
    }

    function _seedOf(uint64 ticket) internal view override returns (bytes32 seed, SeedState state) {
        if (block.number <= ticket) return (bytes32(0), SeedState.Pending);
        // block.number > ticket: the difference cannot underflow
        unchecked {
            if (block.number - ticket > _HORIZON) return (bytes32(0), SeedState.Lapsed);
        }
        return (blockhash(ticket), SeedState.Ready);
    }
}
