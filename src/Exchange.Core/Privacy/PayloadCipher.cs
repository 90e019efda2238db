using System.Security.Cryptography;

namespace Exchange.Core.Privacy;

/// <summary>
/// Encrypts one payload (a tensor's <c>.npy</c> bytes) under a 32-byte slot key with
/// ChaCha20-Poly1305 (RFC 8439). A sealed payload is <c>version ‖ nonce ‖ ciphertext ‖ tag</c>: one
/// version byte, a 12-byte nonce drawn at random for every encryption, the ciphertext and the
/// 16-byte tag; the version and nonce are the associated data. Every slot key is derived for one
/// payload, so a key sees one nonce per encryption of that payload (a retry after a crash draws a
/// new one): far below the 2^-32 collision budget of random 96-bit nonces.
/// </summary>
public static class PayloadCipher
{
    /// <summary>The format version, the payload's first byte.</summary>
    public const byte Version = 1;

    /// <summary>Bytes of the nonce.</summary>
    public const int NonceLength = 12;

    /// <summary>Bytes of the header: the version and the nonce.</summary>
    public const int HeaderLength = 1 + NonceLength;

    /// <summary>Bytes of the authentication tag.</summary>
    public const int TagLength = 16;

    /// <summary>Bytes a sealed payload adds to its plaintext.</summary>
    public const int Overhead = HeaderLength + TagLength;

    /// <summary>Bytes of a key.</summary>
    public const int KeyLength = 32;


    /// <summary>Encrypts <paramref name="plaintext"/> under <paramref name="key"/> with a fresh random nonce.</summary>
    public static byte[] Encrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> plaintext)
    {
        Span<byte> nonce = stackalloc byte[NonceLength];
        RandomNumberGenerator.Fill(nonce);
        return Encrypt(key, nonce, plaintext);
    }

    /// <summary>Encrypts with a given nonce: only for fixed test vectors; a nonce must never repeat under a key.</summary>
    public static byte[] Encrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext)
    {
        if (nonce.Length != NonceLength)
        {
            throw new ArgumentException($"a nonce has {NonceLength} bytes, not {nonce.Length}", nameof(nonce));
        }

        // Uninitialised: the version, the nonce and the sealed bytes fill it; a 150 KB payload would otherwise be zeroed first.
        var sealedPayload = GC.AllocateUninitializedArray<byte>(Overhead + plaintext.Length);
        sealedPayload[0] = Version;
        nonce.CopyTo(sealedPayload.AsSpan(1));
        Seal(key, nonce, sealedPayload.AsSpan(0, HeaderLength), plaintext, sealedPayload.AsSpan(HeaderLength));
        return sealedPayload;
    }

    /// <summary>
    /// Decrypts a sealed payload; false when it is not one of this version or does not
    /// authenticate under <paramref name="key"/> (a wrong key, a changed byte).
    /// </summary>
    public static bool TryDecrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> sealedPayload, out byte[] plaintext)
    {
        plaintext = [];
        if (sealedPayload.Length < Overhead || sealedPayload[0] != Version)
        {
            return false;
        }

        // Uninitialised: the plaintext fills it, and it is dropped unread when the payload does not open.
        var result = GC.AllocateUninitializedArray<byte>(sealedPayload.Length - Overhead);
        if (!Open(key, sealedPayload.Slice(1, NonceLength), sealedPayload[..HeaderLength], sealedPayload[HeaderLength..], result))
        {
            return false;
        }

        plaintext = result;
        return true;
    }

    /// <summary>
    /// ChaCha20-Poly1305 (RFC 8439) of <paramref name="plaintext"/> into <paramref name="output"/>:
    /// the ciphertext, then the 16-byte tag. The runtime's implementation (OpenSSL's on Linux), not
    /// NSec's: the same bytes at about five times the speed on 150 KB payloads
    /// (<c>exchange bench privacy</c>, docs/performance.md).
    /// </summary>
    internal static void Seal(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext, Span<byte> output)
    {
        using var aead = new ChaCha20Poly1305(CheckedKey(key));
        aead.Encrypt(nonce, plaintext, output[..plaintext.Length], output.Slice(plaintext.Length, TagLength), associatedData);
    }

    /// <summary>Opens what <see cref="Seal"/> made (ciphertext, then tag) into <paramref name="plaintext"/>; false (and <paramref name="plaintext"/> zeroed) when it does not authenticate.</summary>
    internal static bool Open(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> sealedBytes, Span<byte> plaintext)
    {
        using var aead = new ChaCha20Poly1305(CheckedKey(key));
        try
        {
            aead.Decrypt(nonce, sealedBytes[..^TagLength], sealedBytes[^TagLength..], plaintext, associatedData);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
    }

    private static ReadOnlySpan<byte> CheckedKey(ReadOnlySpan<byte> key) =>
        key.Length == KeyLength ? key : throw new ArgumentException($"a payload key has {KeyLength} bytes, not {key.Length}", nameof(key));
}
