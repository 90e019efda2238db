namespace Exchange.Api.Client.Offers;

/// <summary>
/// A signed offer as clients post it: the EIP-712 <c>Offer</c> fields, the region as text, the
/// unit price as a decimal string (a uint256 does not fit a JSON number), and the provider's signature.
/// </summary>
public sealed record OfferSubmission
{
    /// <summary>The provider's address, the offer's signer.</summary>
    public string? Provider { get; init; }

    /// <summary>The model card's id, 0x and 64 hex digits.</summary>
    public string? ModelId { get; init; }

    /// <summary>Price per task in the token's smallest unit, decimal.</summary>
    public string? UnitPrice { get; init; }

    /// <summary>Most tasks one job under this offer may have.</summary>
    public uint? MaxTasks { get; init; }

    /// <summary>Seconds the provider needs at least: the market refuses a job due sooner after its creation.</summary>
    public uint? MinTurnaround { get; init; }

    /// <summary>UNIX seconds after which the offer cannot be used.</summary>
    public ulong? Expiry { get; init; }

    /// <summary>Region name, at most 32 UTF-8 bytes.</summary>
    public string? Region { get; init; }

    /// <summary>The provider's nonce for this offer.</summary>
    public ulong? Nonce { get; init; }

    /// <summary>The provider's EIP-712 signature, 0x and 130 hex digits (r ‖ s ‖ v).</summary>
    public string? Signature { get; init; }
}
