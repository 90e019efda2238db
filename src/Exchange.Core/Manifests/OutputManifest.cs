using System.Numerics;
using System.Text;
using Exchange.Core.Hashing;
using Exchange.Core.Merkle;
using Exchange.Core.Models;

namespace Exchange.Core.Manifests;

/// <summary>
/// A job's results: per task, its output blobs. Its blob address is the <c>outputsHash</c> the
/// provider signs; the result leaves over the job manifest's input hashes and
/// <see cref="OutputTask.OutputHash"/> give <c>resultRoot</c>. The JSON shape is in docs/manifests.md.
/// </summary>
/// <param name="JobId">The on-chain job id, or null when the manifest is made before the job exists.</param>
/// <param name="Tasks">The tasks; task i has index i.</param>
public sealed record OutputManifest(BigInteger? JobId, EquatableArray<OutputTask> Tasks)
{
    /// <summary>The blob address of the canonical JSON: the job's <c>outputsHash</c>.</summary>
    /// <exception cref="ManifestException">The manifest is invalid.</exception>
    public Bytes32 Hash => BlobAddress.Of(ToCanonicalJson());

    /// <summary><c>outputHash_i</c> of every task, in task order.</summary>
    public IReadOnlyList<Bytes32> OutputHashes => [.. Tasks.Select(t => t.OutputHash)];

    /// <summary>
    /// The result tree: leaves <c>keccak256(abi.encode(i, inputHash_i, outputHash_i))</c>; its root is
    /// the <c>resultRoot</c> the provider signs.
    /// </summary>
    /// <param name="job">The job manifest these outputs answer.</param>
    /// <returns>The tree, for the root and per-task proofs.</returns>
    /// <exception cref="ArgumentException">The task counts differ.</exception>
    public MerkleTree ResultTree(JobManifest job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return MerkleLeaves.ResultTree(job.InputHashes, OutputHashes);
    }

    /// <summary>Parses and validates an output manifest.</summary>
    /// <param name="utf8Json">UTF-8 JSON text.</param>
    /// <returns>The manifest.</returns>
    /// <exception cref="ManifestException">The text is not JSON or the manifest is invalid; <see cref="ManifestException.Field"/> names the field.</exception>
    public static OutputManifest Parse(ReadOnlySpan<byte> utf8Json) => ManifestJson.ReadOutputs(utf8Json);

    /// <summary>Parses and validates an output manifest.</summary>
    /// <param name="json">JSON text.</param>
    /// <returns>The manifest.</returns>
    /// <exception cref="ManifestException">The text is not JSON or the manifest is invalid.</exception>
    public static OutputManifest Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Parse(Encoding.UTF8.GetBytes(json));
    }

    /// <summary>The canonical JSON bytes: what is stored as the output manifest blob.</summary>
    /// <returns>The bytes whose blob address is <see cref="Hash"/>.</returns>
    /// <exception cref="ManifestException">The manifest is invalid.</exception>
    public byte[] ToCanonicalJson()
    {
        var bytes = ManifestJson.Write(this);
        ManifestJson.ReadOutputs(bytes);
        return bytes;
    }

    /// <summary>Checks that the outputs answer the job: one task per job task and the card's outputs, in order, in each.</summary>
    /// <param name="job">The job manifest.</param>
    /// <param name="card">The model card.</param>
    /// <exception cref="ManifestException">The task count or an output list disagrees.</exception>
    public void EnsureMatches(JobManifest job, ModelCard card)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(card);
        if (Tasks.Count != job.Tasks.Count)
        {
            throw new ManifestException("tasks", $"has {Tasks.Count} tasks, but the job has {job.Tasks.Count}", null);
        }

        foreach (var task in Tasks)
        {
            ManifestJson.EnsureNames(task.Outputs, card.Outputs, $"tasks[{task.Index}].outputs");
        }
    }
}
