using System.Numerics;
using Exchange.Core.Diagnostics;
using Exchange.Core.Hashing;
using Nethereum.Signer;

namespace Exchange.Core.Eip712;

/// <summary>
/// secp256k1 signatures over 32-byte digests as OpenZeppelin's <c>ECDSA.recover</c> accepts them:
/// 65 bytes <c>r ‖ s ‖ v</c>, v = 27 or 28, s in the lower half of the curve order.
/// </summary>
public static class Signatures
{
    /// <summary>The length of a signature.</summary>
    public const int Length = 65;

    private const int PrivateKeyLength = 32;

    // secp256k1's group order n; OpenZeppelin rejects s > n / 2 to rule out malleable twins.
    private static readonly BigInteger CurveOrder = BigInteger.Parse("0FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
    private static readonly BigInteger HalfOrder = CurveOrder / 2;

    /// <summary>Signs a digest (deterministically, RFC 6979) with a private key.</summary>
    /// <param name="digest">The 32-byte digest, e.g. <see cref="Offer.Digest"/>.</param>
    /// <param name="privateKey">32 bytes, in [1, n).</param>
    /// <returns>The 65-byte signature r ‖ s ‖ v with low s and v = 27 or 28.</returns>
    /// <exception cref="ArgumentException">The key is not 32 bytes or not a valid secp256k1 key.</exception>
    public static byte[] Sign(Bytes32 digest, ReadOnlySpan<byte> privateKey)
    {
        using var _ = StageMeter.Measure(Stage.Signing);
        var key = Key(privateKey);
        var signature = key.SignAndCalculateV(digest.ToArray());
        var bytes = new byte[Length];
        WriteWord(signature.R, bytes.AsSpan(0, 32));
        WriteWord(signature.S, bytes.AsSpan(32, 32));
        bytes[64] = signature.V[0];
        return bytes;
    }

    /// <summary>Signs a digest with a private key given as <c>0x</c> and 64 hex digits.</summary>
    /// <param name="digest">The 32-byte digest.</param>
    /// <param name="privateKeyHex">The key.</param>
    /// <returns>The 65-byte signature.</returns>
    /// <exception cref="FormatException">The key text is malformed.</exception>
    /// <exception cref="ArgumentException">The key is not a valid secp256k1 key.</exception>
    public static byte[] Sign(Bytes32 digest, string privateKeyHex) =>
        Sign(digest, Hex.Parse(privateKeyHex, PrivateKeyLength));

    /// <summary>The address of a private key.</summary>
    /// <param name="privateKey">32 bytes.</param>
    /// <returns>The checksummed address.</returns>
    /// <exception cref="ArgumentException">The key is not a valid secp256k1 key.</exception>
    public static string AddressOf(ReadOnlySpan<byte> privateKey) => Key(privateKey).GetPublicAddress();

    /// <summary>Recovers the signer of a digest.</summary>
    /// <param name="digest">The digest that was signed.</param>
    /// <param name="signature">65 bytes r ‖ s ‖ v.</param>
    /// <returns>The signer's checksummed address.</returns>
    /// <exception cref="FormatException">The signature is not 65 bytes, v is not 27 or 28, s is high, r or s is out of range, or no key recovers.</exception>
    public static string Recover(Bytes32 digest, ReadOnlySpan<byte> signature)
    {
        if (signature.Length != Length)
        {
            throw new FormatException($"a signature is {Length} bytes (r ‖ s ‖ v), got {signature.Length}");
        }

        var r = new BigInteger(signature[..32], isUnsigned: true, isBigEndian: true);
        var s = new BigInteger(signature[32..64], isUnsigned: true, isBigEndian: true);
        var v = signature[64];
        if (v is not (27 or 28))
        {
            throw new FormatException($"signature v is {v}; it must be 27 or 28");
        }

        if (r.IsZero || r >= CurveOrder || s.IsZero)
        {
            throw new FormatException("signature r or s is out of range");
        }

        if (s > HalfOrder)
        {
            throw new FormatException("signature s is in the upper half of the curve order (malleable); use the low-s form");
        }

        try
        {
            var components = EthECDSASignatureFactory.FromComponents(signature[..32].ToArray(), signature[32..64].ToArray(), v);
            var key = EthECKey.RecoverFromSignature(components, digest.ToArray())
                ?? throw new FormatException("signature does not recover to a public key");
            return key.GetPublicAddress();
        }
        catch (Exception e) when (e is ArgumentException or ArithmeticException or InvalidOperationException or NullReferenceException)
        {
            // Nethereum signals a signature that recovers no key with null, or with a
            // NullReferenceException from inside its recovery: both are a bad signature here.
            throw new FormatException("signature does not recover to a public key", e);
        }
    }

    /// <summary>Recovers the signer of a digest without throwing.</summary>
    /// <param name="digest">The digest that was signed.</param>
    /// <param name="signature">65 bytes r ‖ s ‖ v.</param>
    /// <param name="signer">The signer's checksummed address, or null.</param>
    /// <returns>Whether a signer was recovered.</returns>
    public static bool TryRecover(Bytes32 digest, ReadOnlySpan<byte> signature, out string? signer)
    {
        try
        {
            signer = Recover(digest, signature);
            return true;
        }
        catch (FormatException)
        {
            signer = null;
            return false;
        }
    }

    /// <summary>Whether <paramref name="signature"/> over <paramref name="digest"/> was made by <paramref name="expectedSigner"/>.</summary>
    /// <param name="digest">The digest.</param>
    /// <param name="signature">65 bytes r ‖ s ‖ v.</param>
    /// <param name="expectedSigner">An address, any case.</param>
    /// <returns>True only for a well-formed signature by that address.</returns>
    public static bool IsSignedBy(Bytes32 digest, ReadOnlySpan<byte> signature, string expectedSigner) =>
        TryRecover(digest, signature, out var signer) && string.Equals(signer, expectedSigner, StringComparison.OrdinalIgnoreCase);

    private static EthECKey Key(ReadOnlySpan<byte> privateKey)
    {
        if (privateKey.Length != PrivateKeyLength)
        {
            throw new ArgumentException($"a private key is {PrivateKeyLength} bytes, got {privateKey.Length}", nameof(privateKey));
        }

        var d = new BigInteger(privateKey, isUnsigned: true, isBigEndian: true);
        if (d.IsZero || d >= CurveOrder)
        {
            throw new ArgumentException("the private key is outside [1, n) of secp256k1", nameof(privateKey));
        }

        return new EthECKey(privateKey.ToArray(), true);
    }

    // Nethereum drops leading zero bytes of r and s; the signature needs them back.
    private static void WriteWord(byte[] value, Span<byte> destination)
    {
        destination.Clear();
        value.AsSpan(Math.Max(0, value.Length - 32)).CopyTo(destination[Math.Max(0, 32 - value.Length)..]);
    }
}
