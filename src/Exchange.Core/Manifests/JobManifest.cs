using System.Text;
using Exchange.Core.Hashing;
using Exchange.Core.Merkle;
using Exchange.Core.Models;
using Exchange.Core.Privacy;

namespace Exchange.Core.Manifests;

/// <summary>
/// A job's task list: the model and, per task, its input blobs. Its blob address is
/// the job's <c>manifestHash</c>; the task leaves over <see cref="ManifestTask.InputHash"/> give
/// <c>tasksRoot</c>. The JSON shape is in docs/manifests.md.
/// </summary>
/// <param name="ModelId">The model card's id.</param>
/// <param name="Tasks">The tasks; task i has index i.</param>
/// <param name="Privacy">For an encrypted job, its salt, sealed job secret and key commitments (docs/privacy.md); null for a public job.</param>
public sealed record JobManifest(Bytes32 ModelId, EquatableArray<ManifestTask> Tasks, JobPrivacy? Privacy = null)
{
    /// <summary>Whether the job's input and output blobs are encrypted (the manifest has a <c>privacy</c> section).</summary>
    public bool IsEncrypted => Privacy is not null;

    /// <summary>The blob address of the canonical JSON: the job's <c>manifestHash</c>.</summary>
    /// <exception cref="ManifestException">The manifest is invalid.</exception>
    public Bytes32 Hash => BlobAddress.Of(ToCanonicalJson());

    /// <summary><c>inputHash_i</c> of every task, in task order.</summary>
    public IReadOnlyList<Bytes32> InputHashes => [.. Tasks.Select(t => t.InputHash)];

    /// <summary>The task tree: leaves <c>keccak256(abi.encode(i, inputHash_i))</c>; its root is the job's <c>tasksRoot</c>.</summary>
    /// <returns>The tree, for the root and per-task proofs.</returns>
    public MerkleTree TaskTree() => MerkleLeaves.TaskTree(InputHashes);

    /// <summary>Parses and validates a job manifest.</summary>
    /// <param name="utf8Json">UTF-8 JSON text.</param>
    /// <returns>The manifest.</returns>
    /// <exception cref="ManifestException">The text is not JSON or the manifest is invalid; <see cref="ManifestException.Field"/> names the field.</exception>
    public static JobManifest Parse(ReadOnlySpan<byte> utf8Json) => ManifestJson.ReadJob(utf8Json);

    /// <summary>Parses and validates a job manifest.</summary>
    /// <param name="json">JSON text.</param>
    /// <returns>The manifest.</returns>
    /// <exception cref="ManifestException">The text is not JSON or the manifest is invalid.</exception>
    public static JobManifest Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Parse(Encoding.UTF8.GetBytes(json));
    }

    /// <summary>The canonical JSON bytes: what is stored as the manifest blob.</summary>
    /// <returns>The bytes whose blob address is <see cref="Hash"/>.</returns>
    /// <exception cref="ManifestException">The manifest is invalid.</exception>
    public byte[] ToCanonicalJson()
    {
        var bytes = ManifestJson.Write(this);
        ManifestJson.ReadJob(bytes);
        return bytes;
    }

    /// <summary>Checks that the manifest is for this card and that every task names the card's inputs in order.</summary>
    /// <param name="card">The model card.</param>
    /// <exception cref="ManifestException">The model id or an input list disagrees with the card.</exception>
    public void EnsureMatches(ModelCard card)
    {
        ArgumentNullException.ThrowIfNull(card);
        if (card.ModelId != ModelId)
        {
            throw new ManifestException("modelId", $"is {ModelId}, but the card's model id is {card.ModelId}", null);
        }

        foreach (var task in Tasks)
        {
            ManifestJson.EnsureNames(task.Inputs, card.Inputs, $"tasks[{task.Index}].inputs");
        }
    }
}
