using System.Numerics;
using System.Text;
using Exchange.Core.Abi;
using Exchange.Core.Eip712;
using Exchange.Core.Hashing;

namespace Exchange.Node.Client;

/// <summary>An EIP-2612 permit for the ComputeToken (domain name "Compute Token", version "1"), so a deposit is one transaction.</summary>
public static class Permit
{
    /// <summary>The token's EIP-712 domain name.</summary>
    public const string TokenName = "Compute Token";

    private static readonly Bytes32 TypeHash = Keccak.Hash(Encoding.UTF8.GetBytes(
        "Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"));

    /// <summary>Signs a permit letting <paramref name="spender"/> take <paramref name="value"/> from <paramref name="owner"/> until <paramref name="deadline"/>.</summary>
    /// <returns>v, r and s as the token's <c>permit</c> and the market's <c>depositWithPermit</c> take them.</returns>
    public static (byte V, byte[] R, byte[] S) Sign(
        BigInteger chainId, string token, string owner, string spender, BigInteger value, BigInteger nonce, BigInteger deadline, ReadOnlySpan<byte> privateKey)
    {
        var structHash = new AbiWords().Word(TypeHash).Address(owner).Address(spender).UInt256(value).UInt256(nonce).UInt256(deadline).Keccak();
        var digest = new Eip712Domain(TokenName, "1", chainId, token).Digest(structHash);
        var signature = Signatures.Sign(digest, privateKey);
        return (signature[64], signature[..32], signature[32..64]);
    }
}
