using System.Buffers.Binary;

namespace Exchange.Core.Privacy;

/// <summary>
/// The domain-separation labels of the private-payload scheme (docs/privacy.md), named in one
/// place: every key, commitment and sealed box derives under its own label, so no two uses of the
/// same secret can ever yield the same bytes.
/// </summary>
public static class PrivacyLabels
{
    /// <summary>The scheme's name as the manifest writes it: X25519, HKDF-SHA256, ChaCha20-Poly1305, format 1.</summary>
    public const string Scheme = "x25519-hkdf-sha256-chacha20poly1305-v1";

    /// <summary>HKDF info prefix of a task key (followed by the task index, big-endian uint32).</summary>
    public static ReadOnlySpan<byte> Task => "exchange/v1/task"u8;

    /// <summary>HKDF info prefix of an input slot key (followed by the input's position).</summary>
    public static ReadOnlySpan<byte> Input => "exchange/v1/input"u8;

    /// <summary>HKDF info prefix of an output slot key (followed by the output's position).</summary>
    public static ReadOnlySpan<byte> Output => "exchange/v1/output"u8;

    /// <summary>SHA-256 prefix of a task key commitment.</summary>
    public static ReadOnlySpan<byte> KeyCommitment => "exchange/v1/key-commitment"u8;

    /// <summary>HKDF info prefix of a sealed box's key (followed by the box's context).</summary>
    public static ReadOnlySpan<byte> Seal => "exchange/v1/seal"u8;

    /// <summary>HKDF info of the job secret a client derives from its wallet key and the manifest's salt.</summary>
    public static ReadOnlySpan<byte> ClientJobSecret => "exchange/v1/client-job-secret"u8;

    /// <summary>Context prefix of the job secret sealed to the provider (followed by the manifest's salt).</summary>
    public static ReadOnlySpan<byte> JobSecretContext => "job-secret"u8;

    /// <summary>Context prefix of a task key sealed to a verifier or committee member (followed by the manifest hash and the task index).</summary>
    public static ReadOnlySpan<byte> TaskKeyContext => "task-key"u8;

    /// <summary><paramref name="prefix"/> followed by <paramref name="index"/> as a big-endian uint32.</summary>
    public static byte[] WithIndex(ReadOnlySpan<byte> prefix, int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        var bytes = new byte[prefix.Length + 4];
        prefix.CopyTo(bytes);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(prefix.Length), (uint)index);
        return bytes;
    }
}
