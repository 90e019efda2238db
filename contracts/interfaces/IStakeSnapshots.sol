// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice What the court reads from {StakingVault}: epochs and stake-weighted draws from their
/// snapshots.
interface IStakeSnapshots {
    /// @notice Seconds per epoch.
    function epochLength() external view returns (uint64);

    /// @notice `block.timestamp / epochLength`.
    function currentEpoch() external view returns (uint64);

    /// @notice The epoch of `timestamp`.
    function epochOf(uint64 timestamp) external view returns (uint64);

    /// @notice Whether `account` is a verifier with at least the minimum stake active now.
    function isActiveVerifier(address account) external view returns (bool);

    /// @notice Least active stake per role and the unbonding delay in seconds.
    function limits() external view returns (uint256 minProviderStake, uint256 minVerifierStake, uint64 unbondingDelay);

    /// @notice Up to `count` distinct accounts drawn by stake weight without replacement from the
    /// snapshot of `epoch` (at most the current one), none in `exclude`, none slashed since
    /// `epoch` began or below the minimum stake now.
    function draw(uint64 epoch, bytes32 seed, uint256 count, address[] calldata exclude)
        external
        view
        returns (address[] memory);
}
