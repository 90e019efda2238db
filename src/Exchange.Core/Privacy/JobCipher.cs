using System.Security.Cryptography;
using Exchange.Core.Hashing;
using NSec.Cryptography;

namespace Exchange.Core.Privacy;

/// <summary>
/// A job's secret and salt: what the client and the job's provider hold, and from which every task
/// key derives (<see cref="KeySchedule"/>).
/// </summary>
public sealed class JobCipher
{
    private readonly byte[] _secret;

    private JobCipher(Bytes32 salt, byte[] secret)
    {
        Salt = salt;
        _secret = secret;
    }

    /// <summary>The manifest's salt.</summary>
    public Bytes32 Salt { get; }

    /// <summary>A new job's cipher for a client: a random salt and the job secret derived from it and the client's wallet key.</summary>
    public static JobCipher NewForClient(ReadOnlySpan<byte> walletPrivateKey)
    {
        Span<byte> salt = stackalloc byte[KeySchedule.Length];
        RandomNumberGenerator.Fill(salt);
        return ForClient(walletPrivateKey, Bytes32.FromBytes(salt));
    }

    /// <summary>The cipher of a job the client prepared with <paramref name="salt"/>, rederived from its wallet key.</summary>
    public static JobCipher ForClient(ReadOnlySpan<byte> walletPrivateKey, Bytes32 salt) =>
        new(salt, KeySchedule.ClientJobSecret(walletPrivateKey, salt.ToArray()));

    /// <summary>A cipher for a known job secret (test vectors, tools).</summary>
    public static JobCipher FromSecret(Bytes32 salt, ReadOnlySpan<byte> jobSecret)
    {
        if (jobSecret.Length != KeySchedule.Length)
        {
            throw new ArgumentException($"a job secret has {KeySchedule.Length} bytes, not {jobSecret.Length}", nameof(jobSecret));
        }

        return new(salt, jobSecret.ToArray());
    }

    /// <summary>The provider's side: opens the job secret sealed to its key; null when the box was sealed to another key or is damaged.</summary>
    public static JobCipher? OpenForProvider(JobPrivacy privacy, Key providerKey)
    {
        ArgumentNullException.ThrowIfNull(privacy);
        ArgumentNullException.ThrowIfNull(providerKey);
        return SealedBox.TryOpen(providerKey, privacy.JobSecretContext, privacy.SealedSecret.Items.AsSpan(), out var secret) && secret.Length == KeySchedule.Length
            ? new JobCipher(privacy.Salt, secret)
            : null;
    }

    /// <summary>Task <paramref name="task"/>'s cipher.</summary>
    public TaskCipher Task(int task)
    {
        var key = KeySchedule.TaskKey(_secret, Salt.ToArray(), task);
        try
        {
            return new TaskCipher(task, key);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>The manifest's privacy section for these tasks: the job secret sealed to the provider, one key commitment per task.</summary>
    /// <param name="providerPublicKey">The provider's registered X25519 public key.</param>
    /// <param name="inputHashes"><c>inputHash_i</c> of each task (over the encrypted blobs), in task order.</param>
    public JobPrivacy Privacy(Bytes32 providerPublicKey, IReadOnlyList<Bytes32> inputHashes)
    {
        ArgumentNullException.ThrowIfNull(inputHashes);
        var sealedSecret = SealedBox.Seal(providerPublicKey.ToArray(), [.. PrivacyLabels.JobSecretContext, .. Salt.ToArray()], _secret);
        return new JobPrivacy(Salt, providerPublicKey, sealedSecret, inputHashes.Select((hash, i) => Task(i).Commitment(hash)).ToArray());
    }
}
