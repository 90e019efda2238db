// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

interface IWithdraw {
    function withdraw(uint256 amount) external;
}

/// @notice Test-only token whose transfers re-enter a target's `withdraw` while armed.
contract ReentrantToken is ERC20 {
    address private _target;

    constructor() ERC20("Reentrant", "RE") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function arm(address target) external {
        _target = target;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        address target = _target;
        if (target != address(0) && from == target) {
            _target = address(0);
            IWithdraw(target).withdraw(1);
        }
    }
}
