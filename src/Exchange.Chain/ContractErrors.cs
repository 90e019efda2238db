using Exchange.Chain.Transactions;

namespace Exchange.Chain;

/// <summary>The custom errors of the Exchange contracts, for decoding reverts.</summary>
public static class ContractErrors
{
    private static readonly Lazy<RevertDecoder> Shared = new(() => new RevertDecoder(Bindings.ContractArtifacts.All.Select(a => a.Abi)));

    /// <summary>A decoder for every error the four contracts (and the OpenZeppelin code they inherit) declare.</summary>
    public static RevertDecoder Decoder => Shared.Value;
}
