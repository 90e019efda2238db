// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";

/// @notice What the vault reads from its market: the provider's settled-job counter lives on
/// the market's hot path, next to the provider's balance.
interface ISettlementCounter {
    /// @notice Jobs the market settled in the provider's favour.
    function jobsSettled(address provider) external view returns (uint32);
}

/// @title StakingVault
/// @notice Holds the stake of providers and verifiers. The market locks a provider's stake as
/// collateral for jobs in flight and slashes it; unstaking takes two steps with an unbonding delay
/// during which the stake stays slashable. Keeps each provider's X25519 key and reputation
/// counters, and the verifiers' draw weights that audits and committees are drawn from.
///
/// Draw weights are snapshotted per epoch (`epochLength` seconds): every change of a verifier's
/// weight takes effect at the start of the next epoch, so the snapshot of an epoch is fixed once
/// that epoch begins and nobody can add weight to a draw whose seed is already known. Weights are
/// kept in a Fenwick (binary indexed) tree over verifier slots whose nodes, like each account's
/// weight and each slot's owner, are checkpointed by epoch: totals and weighted searches at any
/// past epoch cost O(log n) lookups.
contract StakingVault is Ownable, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;
    using Checkpoints for Checkpoints.Trace208;

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

    /// @dev Unbonding state and the time of the last slash of a verifier, one slot.
    struct Cold {
        uint96 unbonding;
        uint64 releaseAt;
        uint64 slashedAt;
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

    /// @notice Most accounts that can hold draw weight at once (slots of the sum tree); a power
    /// of two, the largest size the tree grows to.
    uint256 public constant VERIFIER_CAPACITY = 4096;

    IERC20 private immutable _token;
    uint256 private immutable _minProviderStake;
    uint256 private immutable _minVerifierStake;
    uint64 private immutable _unbondingDelay;
    uint64 private immutable _epochLength;

    address private _market;
    mapping(address account => Hot) private _hot;
    mapping(address account => Cold) private _cold;
    mapping(address account => bytes32) private _encryptionKeys;

    /// @dev Draw weight of each account by effective epoch.
    mapping(address account => Checkpoints.Trace208) private _weights;
    /// @dev Fenwick tree over slots by epoch: node i sums the weights of slots (i - lowbit(i), i].
    /// Only nodes up to the tree's size are kept, so an update walks log2(size) nodes rather than
    /// log2(VERIFIER_CAPACITY); node `size` is the total.
    mapping(uint256 node => Checkpoints.Trace208) private _tree;
    /// @dev Size of the tree by epoch: the least power of two holding every slot issued by then
    /// (zero before the first). It only grows.
    Checkpoints.Trace208 private _treeSize;
    /// @dev Owner (address as uint160) of each slot by epoch, so old snapshots keep their owners.
    mapping(uint256 slot => Checkpoints.Trace208) private _slotOwners;
    /// @dev The slot an account's weight sits in while it is non-zero from the next epoch on.
    mapping(address account => uint256 slot) private _slotOf;
    /// @dev Slots issued so far (1..n); released ones are reused from `_freeSlots` first.
    uint256 private _slotsIssued;
    uint256[] private _freeSlots;

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
    /// @notice The account's draw weight becomes `weight` from epoch `effectiveEpoch` on.
    event DrawWeightChanged(address indexed account, uint64 effectiveEpoch, uint256 weight);

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
    error StakingVaultInvalidEpochLength();
    error StakingVaultEpochNotFixed(uint64 epoch, uint64 currentEpoch);
    error StakingVaultVerifierCapacityReached(uint256 capacity);
    error StakingVaultDrawCountTooLarge(uint256 count, uint256 maximum);

    modifier onlyMarket() {
        if (msg.sender != _market) revert StakingVaultNotMarket(msg.sender);
        _;
    }

    /// @param token_ The staking token (the market's payment token).
    /// @param minProviderStake Least active stake of a provider.
    /// @param minVerifierStake Least active stake of a verifier to be drawn.
    /// @param unbondingDelay Seconds between `requestUnstake` and `withdrawUnstaked`.
    /// @param epochLength_ Seconds per epoch of draw-weight snapshots (not zero).
    constructor(
        IERC20 token_,
        uint256 minProviderStake,
        uint256 minVerifierStake,
        uint64 unbondingDelay,
        uint64 epochLength_
    ) Ownable(msg.sender) {
        if (epochLength_ == 0) revert StakingVaultInvalidEpochLength();
        _token = token_;
        _minProviderStake = minProviderStake;
        _minVerifierStake = minVerifierStake;
        _unbondingDelay = unbondingDelay;
        _epochLength = epochLength_;
    }

    /// @notice Binds the market, once; only the owner. Emits {MarketSet}.
    function setMarket(address market_) external onlyOwner {
        if (_market != address(0)) revert StakingVaultMarketAlreadySet(_market);
        if (market_ == address(0)) revert StakingVaultInvalidMarket(market_);
        _market = market_;
        emit MarketSet(market_);
    }

    /// @notice Adds `amount` of stake in `role` (1 provider, 2 verifier), pulled from the caller
    /// (approve first). Credits the amount the vault actually received. A verifier's new draw
    /// weight counts from the next epoch. Emits {Staked} and, for a verifier, {DrawWeightChanged}.
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
        _syncWeight(msg.sender, hot, _cold[msg.sender].unbonding);
    }

    /// @notice Moves `amount` of free stake into unbonding; it stays slashable until withdrawn.
    /// The remaining active stake must be zero or at least the role's minimum. Restarts the delay.
    /// A verifier's draw weight drops from the next epoch on. Emits {UnstakeRequested} and, for a
    /// verifier, {DrawWeightChanged}.
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
        _syncWeight(msg.sender, hot, cold.unbonding);
    }

    /// @notice Pays out the caller's unbonded stake once the delay has passed. An account left
    /// without stake loses its role and may stake in another. The draw weight does not change: it
    /// already left out the unbonding stake (active stake stays the same). Emits {Unstaked}.
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
    /// sends it to the market; only the market. Returns what it took. A slashed verifier is never
    /// drawn from the snapshot of an epoch that began before the slash, and its draw weight drops
    /// from the next epoch on. Emits {Slashed} and, for a verifier, {DrawWeightChanged}.
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
        // only verifiers are drawn; providers skip this so their slash costs what it did
        if (hot.role == Role.Verifier) cold.slashedAt = uint64(block.timestamp);
        _hot[account] = hot;
        _cold[account] = cold;
        emit Slashed(account, taken);
        _syncWeight(account, hot, cold.unbonding);
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

    /// @notice Number of accounts with draw weight from the next epoch on.
    function verifierCount() external view returns (uint256) {
        return _slotsIssued - _freeSlots.length;
    }

    /// @notice Whether `account` has draw weight from the next epoch on.
    function isActiveVerifier(address account) external view returns (bool) {
        return _weights[account].latest() != 0;
    }

    /// @notice Seconds per epoch of draw-weight snapshots.
    function epochLength() external view returns (uint64) {
        return _epochLength;
    }

    /// @notice The epoch now: `block.timestamp / epochLength`. Its snapshot is fixed.
    function currentEpoch() public view returns (uint64) {
        return uint64(block.timestamp) / _epochLength;
    }

    /// @notice The epoch that contains `timestamp`.
    function epochOf(uint64 timestamp) external view returns (uint64) {
        return timestamp / _epochLength;
    }

    /// @notice Draw weight of `account` in the snapshot of `epoch` (at most the current epoch).
    function drawWeightOf(address account, uint64 epoch) external view returns (uint256) {
        return _weights[account].upperLookupRecent(_fixedEpoch(epoch));
    }

    /// @notice Sum of all draw weights in the snapshot of `epoch` (at most the current epoch).
    function totalDrawWeight(uint64 epoch) external view returns (uint256) {
        uint48 key = _fixedEpoch(epoch);
        return _total(_treeSize.upperLookupRecent(key), key);
    }

    /// @notice The time of the last slash of `account` while it was a verifier (zero if none).
    function lastSlashedAt(address account) external view returns (uint64) {
        return _cold[account].slashedAt;
    }

    /// @notice Whether {draw} of `epoch` (at most the current epoch) may return `account`: it has
    /// weight in that snapshot, was not slashed since the epoch began, and is a verifier whose
    /// active stake now reaches the minimum.
    function isDrawable(address account, uint64 epoch) external view returns (bool) {
        uint48 key = _fixedEpoch(epoch);
        return _weights[account].upperLookupRecent(key) != 0 && _eligible(account, epoch * _epochLength);
    }

    /// @notice Up to `count` distinct accounts drawn by weight, without replacement, from the
    /// snapshot of `epoch` (at most the current epoch). Try `i` (from 0, at most `count * 4 + 8`
    /// tries) picks the account whose weight range holds
    /// `uint256(keccak256(abi.encode(seed, i))) % totalDrawWeight(epoch)`; it is rejected when
    /// already drawn, in `exclude`, slashed at or after the start of `epoch`, or not now a
    /// verifier with at least the minimum active stake. Returns the accounts found in draw order,
    /// possibly fewer than `count` (none when the snapshot is empty). `count` is at most
    /// `VERIFIER_CAPACITY`.
    function draw(uint64 epoch, bytes32 seed, uint256 count, address[] calldata exclude)
        external
        view
        returns (address[] memory drawn)
    {
        uint48 key = _fixedEpoch(epoch);
        // no draw finds more distinct accounts than there are slots; the cap keeps tries bounded
        if (count > VERIFIER_CAPACITY) revert StakingVaultDrawCountTooLarge(count, VERIFIER_CAPACITY);
        uint256 size = _treeSize.upperLookupRecent(key);
        uint256 total = _total(size, key);
        drawn = new address[](count);
        uint256 found;
        if (total != 0) {
            uint256 start = uint256(epoch) * _epochLength;
            uint256 tries = count * 4 + 8;
            for (uint256 i; i < tries && found < count; ++i) {
                uint256 point = uint256(keccak256(abi.encode(seed, i))) % total;
                address account = address(uint160(_slotOwners[_search(point, size, key)].upperLookupRecent(key)));
                if (!_contains(drawn, found, account) && !_listed(exclude, account) && _eligible(account, start)) {
                    drawn[found++] = account;
                }
            }
        }
        // found <= count: shrink the array to the accounts found
        assembly ("memory-safe") {
            mstore(drawn, found)
        }
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

    /// @dev Policy of draw weights in one place: a verifier's weight is its active stake (outside
    /// unbonding) when that reaches the minimum, else zero. Every change is written at the next
    /// epoch, so no snapshot that is already fixed moves. Other roles return at once without
    /// touching storage: their weight is zero (an account only leaves the verifier role by
    /// withdrawing all its stake, which had no weight left since its unstake request).
    function _syncWeight(address account, Hot memory hot, uint256 unbonding) private {
        if (hot.role != Role.Verifier) return;
        uint256 active = uint256(hot.stake) - unbonding;
        uint256 weight = active >= _minVerifierStake ? active : 0;
        Checkpoints.Trace208 storage history = _weights[account];
        uint256 previous = history.latest();
        if (weight == previous) return;
        uint48 key = _nextEpoch();
        // weight <= stake, a uint96
        history.push(key, uint208(weight));
        uint256 slot = _slotOf[account];
        if (slot == 0) slot = _claimSlot(account, key);
        _addToTree(slot, key, weight, previous);
        if (weight == 0) {
            _slotOf[account] = 0;
            _freeSlots.push(slot);
        }
        emit DrawWeightChanged(account, key, weight);
    }

    /// @dev Gives `account` a released slot or a new one from epoch `key` on. A released slot's
    /// weight is zero from its release epoch on, so the new owner is the only weight it holds then;
    /// older epochs still look up the old owner.
    function _claimSlot(address account, uint48 key) private returns (uint256 slot) {
        uint256 free = _freeSlots.length;
        if (free != 0) {
            slot = _freeSlots[free - 1];
            _freeSlots.pop();
        } else {
            slot = _slotsIssued + 1;
            if (slot > VERIFIER_CAPACITY) revert StakingVaultVerifierCapacityReached(VERIFIER_CAPACITY);
            _slotsIssued = slot;
            _growTree(slot, key);
        }
        _slotOf[account] = slot;
        Checkpoints.Trace208 storage owners = _slotOwners[slot];
        if (address(uint160(owners.latest())) != account) owners.push(key, uint160(account));
    }

    /// @dev Doubles the tree from epoch `key` on until it holds `slot`. The new top node covers
    /// every slot, all of them in the old tree (the new ones are still empty), so it starts at the
    /// old total; the nodes in between cover only new, empty slots and start at zero. Snapshots of
    /// earlier epochs keep their smaller size and never read the new node.
    function _growTree(uint256 slot, uint48 key) private {
        uint256 size = _treeSize.latest();
        if (slot <= size) return;
        if (size == 0) size = 1;
        while (slot > size) {
            // size < slot <= VERIFIER_CAPACITY: doubling stays far below 2^208
            _tree[size * 2].push(key, _tree[size].latest());
            size *= 2;
        }
        _treeSize.push(key, uint208(size));
    }

    /// @dev Replaces `previous` by `weight` in `slot` from epoch `key` on, in every node covering it.
    function _addToTree(uint256 slot, uint48 key, uint256 weight, uint256 previous) private {
        uint256 size = _treeSize.latest();
        for (uint256 i = slot; i <= size;) {
            Checkpoints.Trace208 storage node = _tree[i];
            // the node holds `previous` for this slot, so this cannot underflow; sums of uint96
            // stakes over 4096 slots stay far below 2^208
            node.push(key, uint208(node.latest() + weight - previous));
            // i <= 4096: adding its lowest set bit cannot overflow
            unchecked {
                i += i & (~i + 1);
            }
        }
    }

    /// @dev Total weight of the snapshot `key`, whose tree has `size` slots.
    function _total(uint256 size, uint48 key) private view returns (uint256) {
        return size == 0 ? 0 : _tree[size].upperLookupRecent(key);
    }

    /// @dev The slot whose weight range in the snapshot `key` (tree of `size` slots) holds `point`
    /// (`point` < total): walks the tree down from its top, keeping the remainder below each
    /// skipped prefix.
    function _search(uint256 point, uint256 size, uint48 key) private view returns (uint256) {
        uint256 position;
        for (uint256 step = size >> 1; step != 0; step >>= 1) {
            uint256 weight = _tree[position + step].upperLookupRecent(key);
            if (weight <= point) {
                position += step;
                point -= weight;
            }
        }
        return position + 1;
    }

    /// @dev Whether {draw} may return an account it found in a snapshot of an epoch that began at
    /// `start`: not slashed since, and now a verifier with the minimum active stake.
    function _eligible(address account, uint256 start) private view returns (bool) {
        Cold memory cold = _cold[account];
        if (cold.slashedAt != 0 && cold.slashedAt >= start) return false;
        Hot memory hot = _hot[account];
        return hot.role == Role.Verifier && uint256(hot.stake) - cold.unbonding >= _minVerifierStake;
    }

    /// @dev The epoch a weight change takes effect: the next one.
    function _nextEpoch() private view returns (uint48) {
        return (uint256(currentEpoch()) + 1).toUint48();
    }

    /// @dev `epoch` as a checkpoint key; reverts unless its snapshot is fixed (it has begun).
    function _fixedEpoch(uint64 epoch) private view returns (uint48) {
        uint64 current = currentEpoch();
        if (epoch > current) revert StakingVaultEpochNotFixed(epoch, current);
        return uint256(epoch).toUint48();
    }

    /// @dev Whether `account` is among the first `length` of `accounts` (the draw so far).
    function _contains(address[] memory accounts, uint256 length, address account) private pure returns (bool) {
        for (uint256 i; i < length; ++i) {
            if (accounts[i] == account) return true;
        }
        return false;
    }

    /// @dev Whether `account` is in `accounts` (a draw's exclusions).
    function _listed(address[] calldata accounts, address account) private pure returns (bool) {
        for (uint256 i; i < accounts.length; ++i) {
            if (accounts[i] == account) return true;
        }
        return false;
    }
}
