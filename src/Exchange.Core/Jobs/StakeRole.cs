namespace Exchange.Core.Jobs;

/// <summary>The role an account stakes for, numbered as the vault's <c>Role</c> (contracts/StakingVault.sol).</summary>
public enum StakeRole : byte
{
    /// <summary>No stake.</summary>
    None = 0,

    /// <summary>Computes jobs and locks collateral against them.</summary>
    Provider = 1,

    /// <summary>Audits results and sits on dispute committees.</summary>
    Verifier = 2,
}
