// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

/// @title PlainEscrow
/// @notice The gas reference for scripts/gas.js: a textbook per-job escrow (client escrows the
/// price by transfer, provider posts a result hash, client releases the payment by transfer).
/// Not part of the protocol.
contract PlainEscrow {
    using SafeERC20 for IERC20;

    struct Escrow {
        address client;
        address provider;
        uint256 amount;
        bytes32 resultHash;
        bool released;
    }

    IERC20 private immutable _token;
    uint256 private _count;
    mapping(uint256 id => Escrow) private _escrows;

    /// @notice A client escrowed `amount` for `provider`.
    event Created(uint256 indexed id, address indexed client, address indexed provider, uint256 amount);
    /// @notice The provider posted its result.
    event Submitted(uint256 indexed id, bytes32 resultHash);
    /// @notice The client released the payment.
    event Released(uint256 indexed id);

    error PlainEscrowUnauthorized(address caller);
    error PlainEscrowAlreadyReleased(uint256 id);

    constructor(IERC20 token) {
        _token = token;
    }

    /// @notice Escrows `amount` from the caller for `provider`. Emits {Created}.
    function create(address provider, uint256 amount) external returns (uint256 id) {
        id = ++_count;
        _escrows[id] = Escrow(msg.sender, provider, amount, bytes32(0), false);
        emit Created(id, msg.sender, provider, amount);
        _token.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @notice Posts the result hash; only the provider. Emits {Submitted}.
    function submit(uint256 id, bytes32 resultHash) external {
        Escrow storage e = _escrows[id];
        if (msg.sender != e.provider) revert PlainEscrowUnauthorized(msg.sender);
        e.resultHash = resultHash;
        emit Submitted(id, resultHash);
    }

    /// @notice Pays the provider; only the client, once. Emits {Released}.
    function release(uint256 id) external {
        Escrow storage e = _escrows[id];
        if (msg.sender != e.client) revert PlainEscrowUnauthorized(msg.sender);
        if (e.released) revert PlainEscrowAlreadyReleased(id);
        e.released = true;
        emit Released(id);
        _token.safeTransfer(e.provider, e.amount);
    }
}
