// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {JobMarket} from "../JobMarket.sol";
import {StakingVault} from "../StakingVault.sol";
import {AuditCourt} from "../AuditCourt.sol";

/// @notice Test-only: reads every quantity of the accounting invariants in one call, so that the
/// random-operations test can check them after each of its thousands of steps at the cost of one
/// `eth_call`.
contract InvariantProbe {
    struct Totals {
        uint256 marketHeld; // the market's token balance
        uint256 balances; // internal balances of `accounts`
        uint256 pools; // verification pool + protocol fees + court hold
        uint256 courtHold;
        uint256 held; // what the court says it holds for `jobIds`
        uint256 vaultHeld; // the vault's token balance
        uint256 stakes; // stakes of `accounts`
        uint256[] locked; // locked stake of each account
        uint256[] freeCollateral; // free collateral of each account in the market
    }

    /// @notice The totals over `accounts` and the court's holdings for `jobIds`.
    function totals(
        JobMarket market,
        StakingVault vault,
        AuditCourt court,
        IERC20 token,
        address[] calldata accounts,
        uint256[] calldata jobIds
    ) external view returns (Totals memory t) {
        t.marketHeld = token.balanceOf(address(market));
        t.vaultHeld = token.balanceOf(address(vault));
        (, uint256 verificationPool, uint256 protocolFees, uint256 courtHold,) = market.ledger();
        t.pools = verificationPool + protocolFees + courtHold;
        t.courtHold = courtHold;
        for (uint256 i; i < jobIds.length; ++i) {
            t.held += court.heldFor(jobIds[i]);
        }
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
