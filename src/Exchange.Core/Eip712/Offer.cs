using System.Numerics;
using System.Text;
using Exchange.Core.Abi;
using Exchange.Core.Hashing;

namespace Exchange.Core.Eip712;

/// <summary>
/// A provider's signed standing offer, EIP-712 type
/// <c>Offer(address provider,bytes32 modelId,uint256 unitPrice,uint32 maxTasks,uint32 minTurnaround,uint64 expiry,bytes32 region,uint64 nonce)</c>.
/// </summary>
/// <param name="Provider">The provider's address (the signer).</param>
/// <param name="ModelId">The model card's id.</param>
/// <param name="UnitPrice">Price per task in the token's smallest unit.</param>
/// <param name="MaxTasks">Most tasks one job under this offer may have.</param>
/// <param name="MinTurnaround">
/// Seconds the provider needs at least: <c>createJob</c> refuses a deadline earlier than its block's
/// timestamp plus this.
/// </param>
/// <param name="Expiry">UNIX seconds after which the offer cannot be used.</param>
/// <param name="Region">The region, encoded with <see cref="Eip712.Region.Encode"/>.</param>
/// <param name="Nonce">The provider's sequence number; cancelling nonce n cancels every offer up to n.</param>
public sealed record Offer(string Provider, Bytes32 ModelId, BigInteger UnitPrice, uint MaxTasks, uint MinTurnaround, ulong Expiry, Bytes32 Region, ulong Nonce)
{
    /// <summary>The EIP-712 type of an offer.</summary>
    public const string TypeString = "Offer(address provider,bytes32 modelId,uint256 unitPrice,uint32 maxTasks,uint32 minTurnaround,uint64 expiry,bytes32 region,uint64 nonce)";

    /// <summary>keccak256 of <see cref="TypeString"/>.</summary>
    public static Bytes32 TypeHash { get; } = Keccak.Hash(Encoding.UTF8.GetBytes(TypeString));

    /// <summary>hashStruct(offer) = keccak256(abi.encode(TypeHash, fields…)).</summary>
    /// <exception cref="FormatException">The provider is not an address.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The unit price is not a uint256.</exception>
    public Bytes32 StructHash => new AbiWords()
        .Word(TypeHash)
        .Address(Provider)
        .Word(ModelId)
        .UInt256(UnitPrice)
        .UInt256(MaxTasks)
        .UInt256(MinTurnaround)
        .UInt256(Expiry)
        .Word(Region)
        .UInt256(Nonce)
        .Keccak();

    /// <summary>The digest the provider signs in a domain.</summary>
    /// <param name="domain">The domain (the JobMarket on its chain).</param>
    /// <returns>The EIP-712 digest.</returns>
    public Bytes32 Digest(Eip712Domain domain)
    {
        ArgumentNullException.ThrowIfNull(domain);
        return domain.Digest(StructHash);
    }
}
