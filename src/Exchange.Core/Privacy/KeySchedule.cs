using System.Security.Cryptography;
using Exchange.Core.Hashing;
using NSec.Cryptography;

namespace Exchange.Core.Privacy;

/// <summary>
/// How a job's keys derive from its 32-byte job secret (docs/privacy.md): HKDF-SHA256 (RFC 5869)
/// with the manifest's random salt gives one key per task; each task key derives one key per
/// input and per output. Revealing a task key to a verifier therefore opens that task's inputs and
/// outputs and nothing else, and each task key is committed to in the manifest.
/// </summary>
public static class KeySchedule
{
    /// <summary>Bytes of a job secret, a salt and every derived key.</summary>
    public const int Length = 32;

    private static KeyDerivationAlgorithm2 Hkdf => KeyDerivationAlgorithm.HkdfSha256;

    /// <summary>
    /// The job secret a client derives from its wallet's private key and the manifest's salt, so it
    /// can always reopen its own jobs without storing any secret: HKDF-SHA256(ikm = wallet key,
    /// salt, info = <see cref="PrivacyLabels.ClientJobSecret"/>). HKDF is one-way, so the provider
    /// that learns the job secret learns nothing about the wallet key.
    /// </summary>
    public static byte[] ClientJobSecret(ReadOnlySpan<byte> walletPrivateKey, ReadOnlySpan<byte> salt)
    {
        RequireLength(salt, nameof(salt));
        return Derive(walletPrivateKey, salt, PrivacyLabels.ClientJobSecret);
    }

    /// <summary>Task <paramref name="task"/>'s key: HKDF-SHA256(ikm = job secret, salt, info = "exchange/v1/task" ‖ uint32be(task)).</summary>
    public static byte[] TaskKey(ReadOnlySpan<byte> jobSecret, ReadOnlySpan<byte> salt, int task)
    {
        RequireLength(jobSecret, nameof(jobSecret));
        RequireLength(salt, nameof(salt));
        return Derive(jobSecret, salt, PrivacyLabels.WithIndex(PrivacyLabels.Task, task));
    }

    /// <summary>The key of a task's input at <paramref name="position"/> (the card's input order): HKDF-SHA256(ikm = task key, no salt, info = "exchange/v1/input" ‖ uint32be(position)).</summary>
    public static byte[] InputKey(ReadOnlySpan<byte> taskKey, int position)
    {
        RequireLength(taskKey, nameof(taskKey));
        return Derive(taskKey, [], PrivacyLabels.WithIndex(PrivacyLabels.Input, position));
    }

    /// <summary>The key of a task's output at <paramref name="position"/> (the card's output order): HKDF-SHA256(ikm = task key, no salt, info = "exchange/v1/output" ‖ uint32be(position)).</summary>
    public static byte[] OutputKey(ReadOnlySpan<byte> taskKey, int position)
    {
        RequireLength(taskKey, nameof(taskKey));
        return Derive(taskKey, [], PrivacyLabels.WithIndex(PrivacyLabels.Output, position));
    }

    /// <summary>
    /// Full HKDF-SHA256 (extract, then expand to 32 bytes) at every step, never expand alone, so
    /// that any standard HKDF (Node's <c>hkdfSync</c>, Python's <c>HKDF</c>) reproduces each key.
    /// </summary>
    internal static byte[] Derive(ReadOnlySpan<byte> inputKeyingMaterial, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> info)
    {
        var prk = Hkdf.Extract(inputKeyingMaterial, salt);
        try
        {
            return Hkdf.Expand(prk, info, Length);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(prk);
        }
    }

    /// <summary>
    /// The commitment to task <paramref name="task"/>'s key, bound to the task's ciphertext:
    /// SHA-256("exchange/v1/key-commitment" ‖ uint32be(task) ‖ inputHash ‖ taskKey). AEADs are not
    /// key-committing (a ciphertext can be made to open under two keys), so this hash, which the
    /// manifest carries and the chain commits to, is what settles which key is the task's.
    /// </summary>
    public static Bytes32 Commitment(int task, Bytes32 inputHash, ReadOnlySpan<byte> taskKey)
    {
        RequireLength(taskKey, nameof(taskKey));
        var prefix = PrivacyLabels.WithIndex(PrivacyLabels.KeyCommitment, task);
        var preimage = new byte[prefix.Length + 2 * Length];
        prefix.CopyTo(preimage, 0);
        inputHash.CopyTo(preimage.AsSpan(prefix.Length));
        taskKey.CopyTo(preimage.AsSpan(prefix.Length + Length));
        try
        {
            return Bytes32.FromBytes(SHA256.HashData(preimage));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(preimage);
        }
    }

    private static void RequireLength(ReadOnlySpan<byte> value, string name)
    {
        if (value.Length != Length)
        {
            throw new ArgumentException($"{name} has {Length} bytes, not {value.Length}", name);
        }
    }
}
