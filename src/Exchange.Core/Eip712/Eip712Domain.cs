using System.Numerics;
using System.Text;
using Exchange.Core.Abi;
using Exchange.Core.Hashing;

namespace Exchange.Core.Eip712;

/// <summary>An EIP-712 domain: <c>EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)</c>.</summary>
/// <param name="Name">The signing domain's name.</param>
/// <param name="Version">The signing domain's version.</param>
/// <param name="ChainId">The chain id (31337 for a local Hardhat chain).</param>
/// <param name="VerifyingContract">The contract that verifies the signatures.</param>
public sealed record Eip712Domain(string Name, string Version, BigInteger ChainId, string VerifyingContract)
{
    /// <summary>The domain name of the Exchange's JobMarket.</summary>
    public const string ExchangeName = "Exchange";

    /// <summary>The domain version of the Exchange's JobMarket.</summary>
    public const string ExchangeVersion = "1";

    /// <summary>The EIP-712 type of the domain.</summary>
    public const string TypeString = "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)";

    private static readonly Bytes32 TypeHash = Keccak.Hash(Encoding.UTF8.GetBytes(TypeString));

    /// <summary>The domain of the Exchange's JobMarket on a chain: name "Exchange", version "1".</summary>
    /// <param name="chainId">The chain id.</param>
    /// <param name="jobMarket">The JobMarket's address.</param>
    /// <returns>The domain.</returns>
    public static Eip712Domain ForExchange(BigInteger chainId, string jobMarket) => new(ExchangeName, ExchangeVersion, chainId, jobMarket);

    /// <summary>The domain separator: hashStruct of the domain (what OpenZeppelin's <c>_domainSeparatorV4()</c> returns).</summary>
    /// <exception cref="FormatException">The verifying contract is not an address.</exception>
    public Bytes32 Separator => new AbiWords()
        .Word(TypeHash)
        .Word(Keccak.Hash(Encoding.UTF8.GetBytes(Name)))
        .Word(Keccak.Hash(Encoding.UTF8.GetBytes(Version)))
        .UInt256(ChainId)
        .Address(VerifyingContract)
        .Keccak();

    /// <summary>The digest to sign for a struct hash: <c>keccak256(0x19 ‖ 0x01 ‖ separator ‖ structHash)</c>.</summary>
    /// <param name="structHash">hashStruct of the message.</param>
    /// <returns>The digest (what OpenZeppelin's <c>_hashTypedDataV4(structHash)</c> returns).</returns>
    public Bytes32 Digest(Bytes32 structHash)
    {
        Span<byte> preimage = stackalloc byte[2 + (2 * CoreLimits.WordLength)];
        preimage[0] = 0x19;
        preimage[1] = 0x01;
        Separator.CopyTo(preimage[2..]);
        structHash.CopyTo(preimage[(2 + CoreLimits.WordLength)..]);
        return Keccak.Hash(preimage);
    }
}
