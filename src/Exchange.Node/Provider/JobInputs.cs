using System.Numerics;
using Exchange.Api.Client;
using Exchange.Core;
using Exchange.Core.Diagnostics;
using Exchange.Core.Jobs;
using Exchange.Core.Manifests;
using Exchange.Core.Merkle;
using Exchange.Core.Models;
using Exchange.Core.Privacy;
using Exchange.Core.Tensors;

namespace Exchange.Node.Provider;

/// <summary>
/// Fetches a job's manifests and tensors and checks them against the job record, the way every role
/// that touches a job's data must: blob bytes against their hashes (by <see cref="ExchangeApiClient"/>),
/// manifests against <c>manifestHash</c>, <c>tasksRoot</c>, <c>outputsHash</c> and <c>resultRoot</c>,
/// tensors against the model card.
/// </summary>
public static class JobInputs
{
    /// <summary>The job's manifest, checked against the record and the card.</summary>
    /// <exception cref="JobInputException">The manifest does not parse or does not match the job.</exception>
    public static async Task<JobManifest> FetchManifestAsync(ExchangeApiClient api, BigInteger jobId, Job job, ModelCard card, CancellationToken cancellationToken)
    {
        using var _ = StageMeter.Measure(Stage.ProviderFetch);
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(job);
        var bytes = await api.GetBlobAsync(job.ManifestHash, cancellationToken).ConfigureAwait(false);
        JobManifest manifest;
        try
        {
            manifest = JobManifest.Parse(bytes);
            manifest.EnsureMatches(card);
        }
        catch (ManifestException e)
        {
            throw new JobInputException($"job {jobId}: {e.Message}", e);
        }

        if (manifest.Tasks.Count != job.TaskCount)
        {
            throw new JobInputException($"job {jobId}: the manifest lists {manifest.Tasks.Count} tasks, the job {job.TaskCount}");
        }

        var root = MerkleLeaves.TaskTree(manifest.InputHashes).Root;
        if (root != job.TasksRoot)
        {
            throw new JobInputException($"job {jobId}: the manifest's task root is {root}, the job commits to {job.TasksRoot}");
        }

        return manifest;
    }

    /// <summary>The job's output manifest, checked against <c>outputsHash</c> (by its address), the manifest, the card and <c>resultRoot</c>.</summary>
    /// <exception cref="JobInputException">It does not parse or its result root is not the committed one.</exception>
    public static async Task<OutputManifest> FetchOutputManifestAsync(
        ExchangeApiClient api, BigInteger jobId, Job job, JobManifest manifest, ModelCard card, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(manifest);
        var bytes = await api.GetBlobAsync(job.OutputsHash, cancellationToken).ConfigureAwait(false);
        OutputManifest outputs;
        try
        {
            outputs = OutputManifest.Parse(bytes);
            outputs.EnsureMatches(manifest, card);
        }
        catch (ManifestException e)
        {
            throw new JobInputException($"job {jobId}: output manifest: {e.Message}", e);
        }

        var root = MerkleLeaves.ResultTree(manifest.InputHashes, outputs.OutputHashes).Root;
        if (root != job.ResultRoot)
        {
            throw new JobInputException($"job {jobId}: the output manifest's result root is {root}, the provider signed {job.ResultRoot}");
        }

        return outputs;
    }

    /// <summary>
    /// A task's input tensors, valid for the card (<see cref="TaskInputs"/>: types, shapes, rows,
    /// finite values); decrypted first with <paramref name="cipher"/> for an encrypted job. A batch
    /// of one task: the reads and checks are those of the batch form.
    /// </summary>
    /// <exception cref="JobInputException">An input does not decrypt, is no tensor or is not valid for the card.</exception>
    public static async Task<IReadOnlyList<Tensor>> FetchInputsAsync(ExchangeApiClient api, ManifestTask task, ModelCard card, CancellationToken cancellationToken, TaskCipher? cipher = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        return (await FetchInputsAsync(api, [task], card, _ => cipher, cancellationToken).ConfigureAwait(false))[0];
    }

    /// <summary>A task's output tensors, each checked against the card's output spec; decrypted first with <paramref name="cipher"/> for an encrypted job. A batch of one task.</summary>
    public static async Task<IReadOnlyList<Tensor>> FetchOutputsAsync(ExchangeApiClient api, OutputTask task, ModelCard card, CancellationToken cancellationToken, TaskCipher? cipher = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        return (await FetchOutputsAsync(api, [task], card, _ => cipher, cancellationToken).ConfigureAwait(false))[0];
    }

    /// <summary>
    /// As <see cref="FetchInputsAsync(ExchangeApiClient, ManifestTask, ModelCard, CancellationToken, TaskCipher?)"/>
    /// for several tasks of a job at once: their blobs come in batch reads (<see cref="ExchangeApiClient.GetBlobsAsync"/>).
    /// </summary>
    /// <exception cref="JobInputException">An input does not decrypt, is no tensor or is not valid for the card.</exception>
    public static async Task<IReadOnlyList<Tensor>[]> FetchInputsAsync(
        ExchangeApiClient api, IReadOnlyList<ManifestTask> tasks, ModelCard card, Func<int, TaskCipher?> cipherOf, CancellationToken cancellationToken)
    {
        using var _ = StageMeter.Measure(Stage.ProviderFetch);
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentNullException.ThrowIfNull(card);
        ArgumentNullException.ThrowIfNull(cipherOf);
        var inputs = await FetchManyAsync(
            api, [.. tasks.Select(t => (t.Index, t.Inputs))], card.Inputs, "input", index => cipherOf(index) is { } cipher ? cipher.TryDecryptInput : null, cancellationToken).ConfigureAwait(false);
        for (var t = 0; t < tasks.Count; t++)
        {
            if (TaskInputs.Problem(card, inputs[t]) is { } problem)
            {
                throw new JobInputException($"task {tasks[t].Index} input {problem}");
            }
        }

        return inputs;
    }

    /// <summary>
    /// As <see cref="FetchOutputsAsync(ExchangeApiClient, OutputTask, ModelCard, CancellationToken, TaskCipher?)"/>
    /// for several tasks of a job at once, in batch reads.
    /// </summary>
    /// <exception cref="JobInputException">An output does not decrypt, is no tensor or does not match the card.</exception>
    public static Task<IReadOnlyList<Tensor>[]> FetchOutputsAsync(
        ExchangeApiClient api, IReadOnlyList<OutputTask> tasks, ModelCard card, Func<int, TaskCipher?> cipherOf, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentNullException.ThrowIfNull(card);
        ArgumentNullException.ThrowIfNull(cipherOf);
        return FetchManyAsync(
            api, [.. tasks.Select(t => (t.Index, t.Outputs))], card.Outputs, "output", index => cipherOf(index) is { } cipher ? cipher.TryDecryptOutput : null, cancellationToken);
    }

    private static async Task<IReadOnlyList<Tensor>[]> FetchManyAsync(
        ExchangeApiClient api, (int Index, EquatableArray<BlobRef> Blobs)[] tasks, EquatableArray<TensorSpec> specs, string kind, Func<int, PayloadOpener?> openerOf, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(api);
        var payloads = await api.GetBlobsAsync([.. tasks.SelectMany(t => t.Blobs.Select(b => b.Hash))], cancellationToken).ConfigureAwait(false);
        var tensors = new IReadOnlyList<Tensor>[tasks.Length];
        for (int t = 0, offset = 0; t < tasks.Length; offset += tasks[t].Blobs.Count, t++)
        {
            tensors[t] = Decode(tasks[t].Blobs, specs, payloads.AsSpan(offset, tasks[t].Blobs.Count), $"task {tasks[t].Index} {kind}", openerOf(tasks[t].Index));
        }

        return tensors;
    }

    /// <summary>Decrypts (with <paramref name="open"/>), parses and checks a task's fetched blobs against the card's specs.</summary>
    private static Tensor[] Decode(EquatableArray<BlobRef> blobs, EquatableArray<TensorSpec> specs, ReadOnlySpan<byte[]> payloads, string what, PayloadOpener? open)
    {
        var tensors = new Tensor[blobs.Count];
        for (var i = 0; i < blobs.Count; i++)
        {
            var bytes = payloads[i];
            if (open is not null && !open(i, bytes, out bytes))
            {
                // Says which blob, never which key: keys stay out of messages and logs.
                throw new JobInputException($"{what} '{blobs[i].Name}' ({blobs[i].Hash}) does not decrypt under the task's committed key");
            }

            try
            {
                // The bytes are this fetch's own (fetched, or decrypted from what was fetched): the tensor keeps them.
                tensors[i] = Npy.ReadShared(bytes);
            }
            catch (NpyFormatException e)
            {
                throw new JobInputException($"{what} '{blobs[i].Name}' ({blobs[i].Hash}) is not a valid .npy file: {e.Message}", e);
            }

            if (specs[i].Mismatch(tensors[i]) is { } problem)
            {
                throw new JobInputException($"{what} '{blobs[i].Name}': {problem}");
            }
        }

        return tensors;
    }
}

/// <summary>Decrypts the payload at a position of a task's inputs or outputs (<see cref="TaskCipher"/>); false when it does not open.</summary>
internal delegate bool PayloadOpener(int position, ReadOnlySpan<byte> sealedPayload, out byte[] plaintext);
