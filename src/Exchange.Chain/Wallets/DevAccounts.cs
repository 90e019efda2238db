using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using Nethereum.Signer;

namespace Exchange.Chain.Wallets;

/// <summary>
/// The accounts a local Hardhat node funds: BIP-39 seed of the standard mnemonic, BIP-32 path
/// <c>m/44'/60'/0'/0/index</c>, derived here so that no private key is copied into the source.
/// </summary>
public static class DevAccounts
{
    /// <summary>Hardhat's default mnemonic. Its accounts are public knowledge: never use them on a real network.</summary>
    public const string HardhatMnemonic = "test test test test test test test test test test test junk";

    /// <summary>How many accounts a Hardhat node funds by default (indices 0 to 19).</summary>
    public const int FundedCount = 20;

    private const uint Hardened = 0x8000_0000;

    private static readonly BigInteger CurveOrder =
        BigInteger.Parse("0FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The key of dev account <paramref name="index"/> of <paramref name="mnemonic"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is negative.</exception>
    public static EthECKey Key(int index, string mnemonic = HardhatMnemonic)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentException.ThrowIfNullOrWhiteSpace(mnemonic);
        var words = string.Join(' ', mnemonic.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Normalize(NormalizationForm.FormKD);
        var seed = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(words), Encoding.UTF8.GetBytes("mnemonic"), 2048, HashAlgorithmName.SHA512, 64);

        var master = HMACSHA512.HashData(Encoding.ASCII.GetBytes("Bitcoin seed"), seed);
        var key = master[..32];
        var chainCode = master[32..];
        foreach (var child in new[] { 44 | Hardened, 60 | Hardened, Hardened, 0u, (uint)index })
        {
            (key, chainCode) = DeriveChild(key, chainCode, child);
        }

        return new EthECKey(key, true);
    }

    /// <summary>The checksummed address of dev account <paramref name="index"/>.</summary>
    public static string Address(int index, string mnemonic = HardhatMnemonic) => Key(index, mnemonic).GetPublicAddress();

    private static (byte[] Key, byte[] ChainCode) DeriveChild(byte[] parentKey, byte[] chainCode, uint index)
    {
        var data = new byte[37];
        if (index >= Hardened)
        {
            parentKey.CopyTo(data, 1);
        }
        else
        {
            new EthECKey(parentKey, true).GetPubKey(true).CopyTo(data, 0);
        }

        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(33), index);
        var digest = HMACSHA512.HashData(chainCode, data);
        var child = (new BigInteger(digest.AsSpan(0, 32), isUnsigned: true, isBigEndian: true)
            + new BigInteger(parentKey, isUnsigned: true, isBigEndian: true)) % CurveOrder;
        var bytes = new byte[32];
        child.TryWriteBytes(bytes.AsSpan(32 - child.GetByteCount(isUnsigned: true)), out _, isUnsigned: true, isBigEndian: true);
        return (bytes, digest[32..]);
    }
}
