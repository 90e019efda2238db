// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";

/// @notice What the vault reads from its market: the provider's settled-job counter lives on
/// the market's hot path, next to the provider's balance.
interface ISettlementCounter {
    /// @notice Jobs the market settled in the provider's favour.
    function jobsSettled(address provider) external view returns (uint32);
}

/// @title StakingVault
/// @notice Holds the stake of providers and verifiers. The market locks a provider's stake as
/// collateral for jobs in flight and slashes it; unstaking takes two steps with an unbonding delay
/// during which the stake stays slashable. Keeps the enumerable set of active verifiers that the
/// market draws auditors and committees from, each provider's X25519 key and reputation counters.
contract StakingVault is Ownable, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;
    using EnumerableSet for EnumerableSet.AddressSet;

    /// @notice The role of an account; an account holds one role while it has stake.
    enum Role {
        None,
        Provider,
        Verifier
    }

    /// @dev The per-account state the market touches, one slot.
    struct Hot {
        uint96 stake;
        uint96 locked;
        Role role;
        uint24 auditsPassed;
        uint16 auditsFailed;
        uint16 slashes;
    }

    /// @dev Unbonding state, one slot.
    struct Cold {
        uint96 unbonding;
        uint64 releaseAt;
    }

    /// @notice Everything the vault knows about an account (view only).
    struct AccountView {
        Role role;
        uint256 stake;
        uint256 locked;
        uint256 unbonding;
        uint64 unbondingReleaseAt;
        uint32 jobsSettled;
        uint32 auditsPassed;
        uint32 auditsFailed;
        uint32 slashes;
        bytes32 encryptionKey;
    }

    IERC20 private immutable _token;
    uint256 private immutable _minProviderStake;
    uint256 private immutable _minVerifierStake;
    uint64 private immutable _unbondingDelay;

    address private _market;
    mapping(address account => Hot) private _hot;
    mapping(address account => Cold) private _cold;
    mapping(address account => bytes32) private _encryptionKeys;
    EnumerableSet.AddressSet private _verifiers;

    /// @notice Stake was added. `stake` is the account's total stake after it.
    event Staked(address indexed account, Role role, uint256 amount, uint256 stake);
    /// @notice Stake entered unbonding; it can be withdrawn from `releaseAt` on.
    event UnstakeRequested(address indexed account, uint256 amount, uint256 unbonding, uint64 releaseAt);
    /// @notice Unbonded stake was paid out to the account.
    event Unstaked(address indexed account, uint256 amount);
    /// @notice The market locked `amount` of the account's stake as collateral.
    event Locked(address indexed account, uint256 amount);
    /// @notice The market released `amount` of the account's locked stake.
    event Unlocked(address indexed account, uint256 amount);
    /// @notice The market recorded a passed audit of the provider.
    event AuditPassed(address indexed account);
    /// @notice The market took `amount` of the account's stake (sent to the market).
    event Slashed(address indexed account, uint256 amount);
    /// @notice An account published its X25519 public key.
    event EncryptionKeySet(address indexed account, bytes32 key);
    /// @notice The market contract was bound to this vault (once).
    event MarketSet(address market);
    /// @notice A verifier entered or left the set that audits and committees are drawn from.
    event VerifierSetChanged(address indexed verifier, bool active);

    error StakingVaultInvalidRole(uint8 role);
    error StakingVaultRoleMismatch(address account, Role current, Role requested);
    error StakingVaultZeroAmount();
    error StakingVaultStakeBelowMinimum(address account, uint256 stake, uint256 minimum);
    error StakingVaultInsufficientFreeStake(address account, uint256 free, uint256 needed);
    error StakingVaultUnbonding(address account, uint64 releaseAt, uint64 now_);
    error StakingVaultNothingUnbonding(address account);
    error StakingVaultNotMarket(address caller);
    error StakingVaultMarketAlreadySet(address market);
    error StakingVaultInvalidMarket(address market);
    error StakingVaultNotProvider(address account);
    error StakingVaultInvalidUnlock(address account, uint256 locked, uint256 amount);
    error StakingVaultVerifierIndexOutOfRange(uint256 index, uint256 count);

    modifier onlyMarket() {
        if (msg.sender != _market) revert StakingVaultNotMarket(msg.sender);
        _;
    }

    /// @param token The staking token (the market's payment token).
    /// @param minProviderStake Least active stake of a provider.
    /// @param minVerifierStake Least active stake of a verifier to be drawn.
    /// @param unbondingDelay Seconds between `requestUnstake` and `withdrawUnstaked`.
    constructor(IERC20 token, uint256 minProviderStake, uint256 minVerifierStake, uint64 unbondingDelay)
        Ownable(msg.sender)
    {
        _token = token;
        _minProviderStake = minProviderStake;
        _minVerifierStake = minVerifierStake;
        _unbondingDelay = unbondingDelay;
    }

    /// @notice Binds the market, once; only the owner. Emits {MarketSet}.
    function setMarket(address market_) external onlyOwner {
        if (_market != address(0)) revert StakingVaultMarketAlreadySet(_market);
        if (market_ == address(0)) revert StakingVaultInvalidMarket(market_);
        _market = market_;
        emit MarketSet(market_);
    }

    /// @notice Adds `amount` of stake in `role` (1 provider, 2 verifier), pulled from the caller
    /// (approve first). Credits the amount the vault actually received. Emits {Staked}.
    function stake(uint8 role, uint256 amount) external nonReentrant {
        if (role == 0 || role > uint8(Role.Verifier)) revert StakingVaultInvalidRole(role);
        if (amount == 0) revert StakingVaultZeroAmount();
        Hot memory hot = _hot[msg.sender];
        if (hot.role != Role.None && hot.role != Role(role)) {
            revert StakingVaultRoleMismatch(msg.sender, hot.role, Role(role));
        }
        uint256 before = _token.balanceOf(address(this));
        _token.safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = _token.balanceOf(address(this)) - before;
        hot.role = Role(role);
        hot.stake = (hot.stake + received).toUint96();
        uint256 active = hot.stake - _cold[msg.sender].unbonding;
        uint256 minimum = _minimum(hot.role);
        if (active < minimum) revert StakingVaultStakeBelowMinimum(msg.sender, active, minimum);
        _hot[msg.sender] = hot;
        emit Staked(msg.sender, hot.role, received, hot.stake);
        _syncVerifier(msg.sender, hot);
    }

    /// @notice Moves `amount` of free stake into unbonding; it stays slashable until withdrawn.
    /// The remaining active stake must be zero or at least the role's minimum. Restarts the delay.
    /// Emits {UnstakeRequested}.
    function requestUnstake(uint256 amount) external {
        if (amount == 0) revert StakingVaultZeroAmount();
        Hot memory hot = _hot[msg.sender];
        Cold memory cold = _cold[msg.sender];
        uint256 free = uint256(hot.stake) - hot.locked - cold.unbonding;
        if (amount > free) revert StakingVaultInsufficientFreeStake(msg.sender, free, amount);
        cold.unbonding = (cold.unbonding + amount).toUint96();
        cold.releaseAt = uint64(block.timestamp) + _unbondingDelay;
        uint256 active = uint256(hot.stake) - cold.unbonding;
        uint256 minimum = _minimum(hot.role);
        if (active != 0 && active < minimum) revert StakingVaultStakeBelowMinimum(msg.sender, active, minimum);
        _cold[msg.sender] = cold;
        emit UnstakeRequested(msg.sender, amount, cold.unbonding, cold.releaseAt);
        _syncVerifier(msg.sender, hot);
    }

    /// @notice Pays out the caller's unbonded stake once the delay has passed. An account left
    /// without stake loses its role and may stake in another. Emits {Unstaked}.
    function withdrawUnstaked() external nonReentrant {
        Hot memory hot = _hot[msg.sender];
        Cold memory cold = _cold[msg.sender];
        if (cold.unbonding == 0) revert StakingVaultNothingUnbonding(msg.sender);
        if (block.timestamp < cold.releaseAt) {
            revert StakingVaultUnbonding(msg.sender, cold.releaseAt, uint64(block.timestamp));
        }
        uint256 amount = cold.unbonding;
        // unbonding never exceeds stake - locked (slash trims it), so this cannot underflow
        hot.stake -= cold.unbonding;
        cold.unbonding = 0;
        if (hot.stake == 0) hot.role = Role.None;
        _hot[msg.sender] = hot;
        _cold[msg.sender] = cold;
        emit Unstaked(msg.sender, amount);
        _token.safeTransfer(msg.sender, amount);
    }

    /// @notice Publishes the caller's X25519 public key for private job payloads.
    /// Emits {EncryptionKeySet}.
    function setEncryptionKey(bytes32 key) external {
        _encryptionKeys[msg.sender] = key;
        emit EncryptionKeySet(msg.sender, key);
    }

    /// @notice Locks `amount` of a provider's free stake as collateral; only the market.
    /// Emits {Locked}.
    function lock(address account, uint256 amount) external onlyMarket {
        Hot memory hot = _hot[account];
        if (hot.role != Role.Provider) revert StakingVaultNotProvider(account);
        uint256 free = uint256(hot.stake) - hot.locked - _cold[account].unbonding;
        if (amount > free) revert StakingVaultInsufficientFreeStake(account, free, amount);
        // amount <= free <= stake, which fits in uint96
        hot.locked += uint96(amount);
        _hot[account] = hot;
        emit Locked(account, amount);
    }

    /// @notice Releases `amount` of the account's locked stake; only the market. Emits {Unlocked}.
    function unlock(address account, uint256 amount) external onlyMarket {
        Hot memory hot = _hot[account];
        if (amount > hot.locked) revert StakingVaultInvalidUnlock(account, hot.locked, amount);
        // amount <= locked, a uint96
        hot.locked -= uint96(amount);
        _hot[account] = hot;
        emit Unlocked(account, amount);
    }

    /// @notice Counts a passed audit of the provider; only the market. Emits {AuditPassed}.
    function recordAuditPassed(address account) external onlyMarket {
        // 16 million audits of one provider would be needed to wrap; a wrap only miscounts
        unchecked {
            _hot[account].auditsPassed += 1;
        }
        emit AuditPassed(account);
    }

    /// @notice Releases `unlockAmount` of locked collateral, then takes up to `amount` of the
    /// account's stake (at most its stake not locked for other jobs, unbonding included) and
    /// sends it to the market; only the market. Returns what it took. Emits {Slashed}.
    function slash(address account, uint256 unlockAmount, uint256 amount, bool auditFailed)
        external
        onlyMarket
        returns (uint256 taken)
    {
        Hot memory hot = _hot[account];
        Cold memory cold = _cold[account];
        if (unlockAmount > hot.locked) revert StakingVaultInvalidUnlock(account, hot.locked, unlockAmount);
        // unlockAmount <= locked: fits; taken <= stake - locked: fits
        unchecked {
            hot.locked -= uint96(unlockAmount);
            uint256 slashable = uint256(hot.stake) - hot.locked;
            taken = amount < slashable ? amount : slashable;
            hot.stake -= uint96(taken);
            if (uint256(cold.unbonding) > hot.stake - hot.locked) cold.unbonding = hot.stake - hot.locked;
            // counters: 65,535 slashes of one account would be needed to wrap; a wrap only miscounts
            hot.slashes += 1;
            if (auditFailed) hot.auditsFailed += 1;
        }
        _hot[account] = hot;
        _cold[account] = cold;
        emit Slashed(account, taken);
        _syncVerifier(account, hot);
        if (taken != 0) _token.safeTransfer(msg.sender, taken);
    }

    /// @notice Stake of `account` that is neither locked nor unbonding.
    function freeStake(address account) external view returns (uint256) {
        Hot memory hot = _hot[account];
        return uint256(hot.stake) - hot.locked - _cold[account].unbonding;
    }

    /// @notice Everything the vault keeps about `account`.
    function accountOf(address account) external view returns (AccountView memory) {
        Hot memory hot = _hot[account];
        Cold memory cold = _cold[account];
        return AccountView({
            role: hot.role,
            stake: hot.stake,
            locked: hot.locked,
            unbonding: cold.unbonding,
            unbondingReleaseAt: cold.releaseAt,
            jobsSettled: _market.code.length == 0 ? 0 : ISettlementCounter(_market).jobsSettled(account),
            auditsPassed: hot.auditsPassed,
            auditsFailed: hot.auditsFailed,
            slashes: hot.slashes,
            encryptionKey: _encryptionKeys[account]
        });
    }

    /// @notice The X25519 public key `account` published (zero if none).
    function encryptionKeyOf(address account) external view returns (bytes32) {
        return _encryptionKeys[account];
    }

    /// @notice Number of active verifiers (the set audits and committees are drawn from).
    function verifierCount() external view returns (uint256) {
        return _verifiers.length();
    }

    /// @notice The active verifier at `index` (order changes when the set changes).
    function verifierAt(uint256 index) external view returns (address) {
        uint256 count = _verifiers.length();
        if (index >= count) revert StakingVaultVerifierIndexOutOfRange(index, count);
        return _verifiers.at(index);
    }

    /// @notice The verifier a seed draws: `verifierAt(keccak256(abi.encode(seed, 1)) % count)`,
    /// or the next one if that is `exclude`; zero when there is none. Providers are never drawn:
    /// an account holds one role.
    function drawVerifier(bytes32 seed, address exclude) external view returns (address verifier) {
        uint256 count = _verifiers.length();
        uint256 start = uint256(keccak256(abi.encode(seed, 1)));
        for (uint256 i; i < count && i < 2; ++i) {
            verifier = _verifiers.at((start + i) % count);
            if (verifier != exclude) return verifier;
        }
        return address(0);
    }

    /// @notice Up to `size` distinct active verifiers other than `exclude`, consecutive in set
    /// order from `seed % count` on.
    function drawCommittee(bytes32 seed, uint256 size, address exclude) external view returns (address[] memory committee) {
        uint256 count = _verifiers.length();
        committee = new address[](size);
        uint256 start = count == 0 ? 0 : uint256(seed) % count;
        uint256 n;
        for (uint256 i; i < count && n < size; ++i) {
            address member = _verifiers.at((start + i) % count);
            if (member != exclude) committee[n++] = member;
        }
        // n <= size: shrink the array to the members found
        assembly ("memory-safe") {
            mstore(committee, n)
        }
    }

    /// @notice Whether `account` is in the active verifier set.
    function isActiveVerifier(address account) external view returns (bool) {
        return _verifiers.contains(account);
    }

    /// @notice The bound market (zero until {setMarket}).
    function market() external view returns (address) {
        return _market;
    }

    /// @notice The staking token.
    function token() external view returns (IERC20) {
        return _token;
    }

    /// @notice Least active stake per role and the unbonding delay in seconds.
    function limits() external view returns (uint256 minProviderStake, uint256 minVerifierStake, uint64 unbondingDelay) {
        return (_minProviderStake, _minVerifierStake, _unbondingDelay);
    }

    function _minimum(Role role) private view returns (uint256) {
        return role == Role.Provider ? _minProviderStake : _minVerifierStake;
    }

    /// @dev Policy of the verifier set in one place: a verifier is active while its stake outside
    /// unbonding reaches the minimum.
    function _syncVerifier(address account, Hot memory hot) private {
        bool active = hot.role == Role.Verifier
            && uint256(hot.stake) - _cold[account].unbonding >= _minVerifierStake && hot.stake != 0;
        if (active ? _verifiers.add(account) : _verifiers.remove(account)) {
            emit VerifierSetChanged(account, active);
        }
    }
}
