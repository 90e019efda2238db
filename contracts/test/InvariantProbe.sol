// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {JobMarket} from "../JobMarket.sol";
import {StakingVault} from "../StakingVault.sol";

/// @notice Test-only: reads every quantity of the accounting invariants in one call.
contract InvariantProbe {
    struct Totals {
        uint256 marketHeld;
        uint256 balances;
        uint256 pools;
        uint256 vaultHeld;
        uint256 stakes;
        uint256[] locked;
        uint256[] freeCollateral;
    }

    function totals(JobMarket market, StakingVault vault, IERC20 token, address[] calldata accounts)
        external
        view
        returns (Totals memory t)
    {
        t.marketHeld = token.balanceOf(address(market));
        t.vaultHeld = token.balanceOf(address(vault));
        (, uint256 verificationPool, uint256 protocolFees, uint256 courtHold,) = market.ledger();
        t.pools = verificationPool + protocolFees + courtHold;
        t.locked = new uint256[](accounts.length);
        t.freeCollateral = new uint256[](accounts.length);
        for (uint256 i; i < accounts.length; ++i) {
            JobMarket.Account memory a = market.accountOf(accounts[i]);
            t.balances += a.balance;
            t.freeCollateral[i] = a.collateral;
            StakingVault.AccountView memory v = vault.accountOf(accounts[i]);
            t.stakes += v.stake;
            t.locked[i] = v.locked;
        }
    }
}
