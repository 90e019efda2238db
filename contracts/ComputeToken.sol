// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @title ComputeToken
/// @notice The payment and staking token of an Exchange deployment: ERC-20 with EIP-2612 permit.
/// The owner may mint, which local networks use to fund test accounts; a production deployment
/// renounces ownership after the initial mint.
contract ComputeToken is ERC20, ERC20Permit, Ownable {
    /// @param initialSupply Minted to the deployer, in the smallest unit (18 decimals).
    constructor(uint256 initialSupply) ERC20("Compute Token", "COMPUTE") ERC20Permit("Compute Token") Ownable(msg.sender) {
        _mint(msg.sender, initialSupply);
    }

    /// @notice Mints `amount` to `to`; only the owner. Emits {Transfer}.
    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }
}
