using Exchange.Core.Hashing;
using Exchange.Core.Tensors;

namespace Exchange.Core.Privacy;

/// <summary>
/// One task's key and what it opens: the task's inputs and outputs. This is all a drawn verifier
/// or committee member ever holds of a job; it cannot derive any other task's key from it.
/// </summary>
public sealed class TaskCipher
{
    private readonly byte[] _key;

    /// <summary>Wraps task <paramref name="task"/>'s 32-byte key.</summary>
    public TaskCipher(int task, ReadOnlySpan<byte> taskKey)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(task);
        if (taskKey.Length != KeySchedule.Length)
        {
            throw new ArgumentException($"a task key has {KeySchedule.Length} bytes, not {taskKey.Length}", nameof(taskKey));
        }

        Task = task;
        _key = taskKey.ToArray();
    }

    /// <summary>The task's index in its job.</summary>
    public int Task { get; }

    /// <summary>The raw task key, to seal it to a verifier (<see cref="SealedBox"/>); never log or store it in the clear.</summary>
    public ReadOnlySpan<byte> Key => _key;

    /// <summary>The commitment to this key for a task whose <c>inputHash</c> is <paramref name="inputHash"/>.</summary>
    public Bytes32 Commitment(Bytes32 inputHash) => KeySchedule.Commitment(Task, inputHash, _key);

    /// <summary>Whether this is the key the manifest committed to for the task.</summary>
    public bool Matches(JobPrivacy privacy, Bytes32 inputHash)
    {
        ArgumentNullException.ThrowIfNull(privacy);
        return Task < privacy.KeyCommitments.Count && privacy.KeyCommitments[Task] == Commitment(inputHash);
    }

    /// <summary>Encrypts the task's input at <paramref name="position"/>.</summary>
    public byte[] EncryptInput(int position, ReadOnlySpan<byte> plaintext) => PayloadCipher.Encrypt(KeySchedule.InputKey(_key, position), plaintext);

    /// <summary>Encrypts the task's input at <paramref name="position"/>: <paramref name="tensor"/> as a <c>.npy</c> file (<see cref="Npy.WithEncoded"/>).</summary>
    public byte[] EncryptInput(int position, Tensor tensor)
    {
        var key = KeySchedule.InputKey(_key, position);
        return Npy.WithEncoded(tensor, file => PayloadCipher.Encrypt(key, file));
    }

    /// <summary>Decrypts the task's input at <paramref name="position"/>; false when it does not open under this key.</summary>
    public bool TryDecryptInput(int position, ReadOnlySpan<byte> sealedPayload, out byte[] plaintext) =>
        PayloadCipher.TryDecrypt(KeySchedule.InputKey(_key, position), sealedPayload, out plaintext);

    /// <summary>Encrypts the task's output at <paramref name="position"/>.</summary>
    public byte[] EncryptOutput(int position, ReadOnlySpan<byte> plaintext) => PayloadCipher.Encrypt(KeySchedule.OutputKey(_key, position), plaintext);

    /// <summary>Encrypts the task's output at <paramref name="position"/>: <paramref name="tensor"/> as a <c>.npy</c> file (<see cref="Npy.WithEncoded"/>).</summary>
    public byte[] EncryptOutput(int position, Tensor tensor)
    {
        var key = KeySchedule.OutputKey(_key, position);
        return Npy.WithEncoded(tensor, file => PayloadCipher.Encrypt(key, file));
    }

    /// <summary>Decrypts the task's output at <paramref name="position"/>; false when it does not open under this key.</summary>
    public bool TryDecryptOutput(int position, ReadOnlySpan<byte> sealedPayload, out byte[] plaintext) =>
        PayloadCipher.TryDecrypt(KeySchedule.OutputKey(_key, position), sealedPayload, out plaintext);

    /// <summary>
    /// Opens a task key sealed to <paramref name="recipient"/> for this manifest and task, and
    /// checks it against the manifest's commitment. Null when the box does not open or the key is
    /// not the committed one: for an audit, either means the provider revealed no valid key.
    /// </summary>
    public static TaskCipher? OpenReveal(NSec.Cryptography.Key recipient, JobPrivacy privacy, Bytes32 manifestHash, int task, Bytes32 inputHash, ReadOnlySpan<byte> box)
    {
        ArgumentNullException.ThrowIfNull(privacy);
        if (!SealedBox.TryOpen(recipient, JobPrivacy.TaskKeyContext(manifestHash, task), box, out var key) || key.Length != KeySchedule.Length)
        {
            return null;
        }

        var cipher = new TaskCipher(task, key);
        return cipher.Matches(privacy, inputHash) ? cipher : null;
    }

    /// <summary>Seals this task key to a verifier's X25519 public key, for this manifest and task only.</summary>
    public byte[] SealTo(ReadOnlySpan<byte> recipientPublicKey, Bytes32 manifestHash) =>
        SealedBox.Seal(recipientPublicKey, JobPrivacy.TaskKeyContext(manifestHash, Task), _key);
}
