using System.Numerics;
using Exchange.Core.Hashing;
using Exchange.Core.Manifests;
using Exchange.Core.Privacy;
using Exchange.Node.Provider;
using NSec.Cryptography;

namespace Exchange.Node.Privacy;

/// <summary>
/// The provider's checks of an encrypted job before it accepts (docs/privacy.md): the job secret is
/// sealed to its registered key and opens, and every task's committed key is the one the secret
/// gives. A provider that accepted a job whose commitments it cannot honour could later be slashed
/// for "revealing a wrong key", so such a job is declined, and a decline penalises nobody.
/// </summary>
public static class PrivateJobs
{
    /// <summary>The job's cipher for its provider; null for a public job.</summary>
    /// <exception cref="JobInputException">The job is encrypted but not to this key, its secret does not open, or a commitment is wrong (decline it).</exception>
    public static JobCipher? OpenForProvider(BigInteger jobId, JobManifest manifest, Key? encryptionKey)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        if (manifest.Privacy is not { } privacy)
        {
            return null;
        }

        if (encryptionKey is null)
        {
            throw new JobInputException($"job {jobId} is encrypted and this provider has no encryption key");
        }

        var own = Bytes32.FromBytes(encryptionKey.PublicKey.Export(KeyBlobFormat.RawPublicKey));
        if (privacy.Recipient != own)
        {
            throw new JobInputException($"job {jobId}: its secret is sealed to encryption key {privacy.Recipient}, not to this provider's {own}");
        }

        var cipher = JobCipher.OpenForProvider(privacy, encryptionKey)
            ?? throw new JobInputException($"job {jobId}: its sealed job secret does not open with this provider's encryption key");
        foreach (var task in manifest.Tasks)
        {
            if (!cipher.Task(task.Index).Matches(privacy, task.InputHash))
            {
                throw new JobInputException($"job {jobId}: task {task.Index}'s key commitment is not the key the job secret gives");
            }
        }

        return cipher;
    }
}
