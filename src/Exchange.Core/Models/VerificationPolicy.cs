namespace Exchange.Core.Models;

/// <summary>
/// How a verifier decides whether a provider's outputs are right. A model card has one
/// policy and it applies to every output tensor: a task passes when each of its outputs passes.
/// </summary>
public abstract record VerificationPolicy
{
    /// <summary>The JSON <c>policy</c> value of the exact policy.</summary>
    public const string ExactName = "exact";

    /// <summary>The JSON <c>policy</c> value of the tolerance policy.</summary>
    public const string ToleranceName = "tolerance";

    private protected VerificationPolicy()
    {
    }

    /// <summary>The JSON <c>policy</c> value.</summary>
    public abstract string Name { get; }
}
