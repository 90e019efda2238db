// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title SeedSource
/// @notice The one way the market and the court get randomness. A caller takes a *ticket* for a
/// seed that nobody knows yet (a future block), and reads the seed once it exists. A ticket that
/// was not used in time *lapses*; a lapsed ticket is never read again, its user takes a new
/// ticket for a future block (re-anchoring), so no caller can pick a seed it already knows.
/// Each chain gets the source its block production makes safe (see docs/contracts.md); this
/// repository deploys {BlockHashSeedSource}.
abstract contract SeedSource {
    /// @notice Whether a ticket's seed can be read.
    enum SeedState {
        Pending, // the ticket's block does not exist yet
        Ready,
        Lapsed // too old: take a new ticket
    }

    /// @dev A ticket for a seed that no transaction of this block can know.
    function _seedTicket() internal view virtual returns (uint64);

    /// @dev The seed of `ticket` (zero unless Ready) and its state.
    function _seedOf(uint64 ticket) internal view virtual returns (bytes32 seed, SeedState state);
}
