using Exchange.Core.Hashing;

namespace Exchange.Core.Privacy;

/// <summary>
/// The <c>privacy</c> section of an encrypted job's manifest (docs/privacy.md): the salt every key
/// derives with, the provider's X25519 key the job secret is sealed to, the sealed job secret, and
/// one commitment per task to that task's key. The manifest's hash is the job's
/// <c>manifestHash</c>, so the chain commits to all of it: a provider cannot later claim another
/// key, and a client cannot claim the provider got a secret it did not seal.
/// A manifest without this section is a public job.
/// </summary>
/// <param name="Salt">32 random bytes drawn by the client for this manifest: the HKDF salt.</param>
/// <param name="Recipient">The provider's X25519 public key, as registered in the vault when the job was prepared.</param>
/// <param name="SealedSecret">The job secret sealed to <paramref name="Recipient"/> (<see cref="SealedBox"/>, context <see cref="JobSecretContext"/>).</param>
/// <param name="KeyCommitments">Task i's key commitment (<see cref="KeySchedule.Commitment"/>), in task order.</param>
public sealed record JobPrivacy(Bytes32 Salt, Bytes32 Recipient, EquatableArray<byte> SealedSecret, EquatableArray<Bytes32> KeyCommitments)
{
    /// <summary>Bytes of <see cref="SealedSecret"/>: a sealed 32-byte job secret.</summary>
    public const int SealedSecretLength = SealedBox.Overhead + KeySchedule.Length;

    /// <summary>The context the job secret is sealed under: <c>"job-secret" ‖ salt</c>.</summary>
    public byte[] JobSecretContext => [.. PrivacyLabels.JobSecretContext, .. Salt.ToArray()];

    /// <summary>The context task <paramref name="task"/>'s key is sealed under for a verifier: <c>"task-key" ‖ manifestHash ‖ uint32be(task)</c>.</summary>
    public static byte[] TaskKeyContext(Bytes32 manifestHash, int task) =>
        PrivacyLabels.WithIndex([.. PrivacyLabels.TaskKeyContext, .. manifestHash.ToArray()], task);
}
