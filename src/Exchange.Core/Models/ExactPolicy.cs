namespace Exchange.Core.Models;

/// <summary>Outputs must be byte-identical to the verifier's (integer outputs, or a pinned hardware class).</summary>
public sealed record ExactPolicy : VerificationPolicy
{
    /// <summary>The one instance.</summary>
    public static ExactPolicy Instance { get; } = new();

    /// <inheritdoc/>
    public override string Name => ExactName;
}
