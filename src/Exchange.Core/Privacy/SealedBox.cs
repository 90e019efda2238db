using System.Security.Cryptography;
using NSec.Cryptography;

namespace Exchange.Core.Privacy;

/// <summary>
/// Wraps a short secret (a job secret, a task key) to an X25519 public key: a fresh ephemeral key
/// pair <c>e</c>, <c>ss = X25519(e, R)</c>, <c>k = HKDF-SHA256(ikm = ss, salt = E ‖ R, info =
/// "exchange/v1/seal" ‖ context)</c>, and ChaCha20-Poly1305 under <c>k</c> with the all-zero nonce
/// (each <c>k</c> seals one message: the ephemeral key is new every time). The box is
/// <c>E ‖ ciphertext ‖ tag</c>. The context (what the secret is for: the job, the task) is bound
/// into the key, so a box cannot be replayed as another secret.
/// </summary>
public static class SealedBox
{
    /// <summary>Bytes of an X25519 public key.</summary>
    public const int PublicKeyLength = 32;

    /// <summary>Bytes a box adds to its message.</summary>
    public const int Overhead = PublicKeyLength + PayloadCipher.TagLength;

    private static KeyAgreementAlgorithm X25519 => KeyAgreementAlgorithm.X25519;

    /// <summary>Seals <paramref name="message"/> to <paramref name="recipientPublicKey"/> under a new ephemeral key.</summary>
    /// <exception cref="ArgumentException">The recipient key is not a usable X25519 public key.</exception>
    public static byte[] Seal(ReadOnlySpan<byte> recipientPublicKey, ReadOnlySpan<byte> context, ReadOnlySpan<byte> message)
    {
        using var ephemeral = Key.Create(X25519);
        return Seal(recipientPublicKey, context, message, ephemeral);
    }

    /// <summary>Seals with a given ephemeral key: only for fixed test vectors; an ephemeral key must never be reused.</summary>
    /// <exception cref="ArgumentException">The recipient key is not a usable X25519 public key.</exception>
    public static byte[] Seal(ReadOnlySpan<byte> recipientPublicKey, ReadOnlySpan<byte> context, ReadOnlySpan<byte> message, Key ephemeral)
    {
        ArgumentNullException.ThrowIfNull(ephemeral);
        if (recipientPublicKey.Length != PublicKeyLength
            || !PublicKey.TryImport(X25519, recipientPublicKey, KeyBlobFormat.RawPublicKey, out var recipient)
            || X25519.Agree(ephemeral, recipient!) is not { } shared)
        {
            throw new ArgumentException("the recipient's encryption key is not a usable X25519 public key", nameof(recipientPublicKey));
        }

        var ephemeralPublic = ephemeral.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        using (shared)
        {
            var boxKey = BoxKey(shared, ephemeralPublic, recipientPublicKey, context);
            try
            {
                var box = new byte[Overhead + message.Length];
                ephemeralPublic.CopyTo(box, 0);
                PayloadCipher.Seal(boxKey, ZeroNonce, [], message, box.AsSpan(PublicKeyLength));
                return box;
            }
            finally
            {
                CryptographicOperations.ZeroMemory(boxKey);
            }
        }
    }

    /// <summary>Opens a box sealed to <paramref name="recipient"/> for <paramref name="context"/>; false when it was sealed to another key or context, or changed.</summary>
    public static bool TryOpen(Key recipient, ReadOnlySpan<byte> context, ReadOnlySpan<byte> box, out byte[] message)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        message = [];
        if (box.Length < Overhead
            || !PublicKey.TryImport(X25519, box[..PublicKeyLength], KeyBlobFormat.RawPublicKey, out var ephemeral)
            || X25519.Agree(recipient, ephemeral!) is not { } shared)
        {
            return false;
        }

        using (shared)
        {
            var boxKey = BoxKey(shared, box[..PublicKeyLength], recipient.PublicKey.Export(KeyBlobFormat.RawPublicKey), context);
            try
            {
                var result = new byte[box.Length - Overhead];
                if (!PayloadCipher.Open(boxKey, ZeroNonce, [], box[PublicKeyLength..], result))
                {
                    return false;
                }

                message = result;
                return true;
            }
            finally
            {
                CryptographicOperations.ZeroMemory(boxKey);
            }
        }
    }

    private static ReadOnlySpan<byte> ZeroNonce => [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

    private static byte[] BoxKey(SharedSecret shared, ReadOnlySpan<byte> ephemeralPublic, ReadOnlySpan<byte> recipientPublic, ReadOnlySpan<byte> context)
    {
        var salt = new byte[2 * PublicKeyLength];
        ephemeralPublic.CopyTo(salt);
        recipientPublic.CopyTo(salt.AsSpan(PublicKeyLength));
        var info = new byte[PrivacyLabels.Seal.Length + context.Length];
        PrivacyLabels.Seal.CopyTo(info);
        context.CopyTo(info.AsSpan(PrivacyLabels.Seal.Length));
        // Extract straight from the shared secret (it never leaves NSec's guarded memory), then
        // expand: the same bytes as KeySchedule.Derive over the raw shared secret.
        var hkdf = KeyDerivationAlgorithm.HkdfSha256;
        var prk = hkdf.Extract(shared, salt);
        try
        {
            return hkdf.Expand(prk, info, PayloadCipher.KeyLength);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(prk);
        }
    }
}
