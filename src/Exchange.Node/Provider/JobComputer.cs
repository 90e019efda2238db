using System.Numerics;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using Exchange.Api.Client;
using Exchange.Core.Diagnostics;
using Exchange.Core.Eip712;
using Exchange.Core.Hashing;
using Exchange.Core.Jobs;
using Exchange.Core.Manifests;
using Exchange.Core.Merkle;
using Exchange.Core.Privacy;
using Exchange.Core.Tensors;
using Exchange.Node.Models;
using Exchange.Node.Privacy;
using Nethereum.Signer;

namespace Exchange.Node.Provider;

/// <summary>What a provider publishes for one job: the roots it signs and the signature.</summary>
/// <param name="ResultRoot">Merkle root over the result leaves.</param>
/// <param name="OutputsHash">The blob address of the uploaded output manifest.</param>
/// <param name="Signature">EIP-712 signature of <c>Result{jobId, tasksRoot, resultRoot, outputsHash}</c>.</param>
/// <param name="FalsifiedTasks">Tasks the cheat mode falsified (empty for an honest provider).</param>
public sealed record ComputedResult(Bytes32 ResultRoot, Bytes32 OutputsHash, byte[] Signature, IReadOnlySet<int> FalsifiedTasks);

/// <summary>
/// The provider's pipeline for one job: fetch the manifest and the inputs,
/// checking every hash against what the chain committed to; run the tasks in batches; upload the
/// outputs and the output manifest; sign the result root. Fetching and checking batch k + 1,
/// running batch k and uploading batch k − 1 overlap, with at most <see cref="PipelineDepth"/>
/// batches waiting between two stages, so that memory stays a few batches whatever the job's size.
/// </summary>
/// <param name="api">Where blobs come from and go to.</param>
/// <param name="models">The models this provider runs.</param>
/// <param name="key">The provider's key, which signs results.</param>
/// <param name="domain">The market's EIP-712 domain.</param>
/// <param name="cheater">The cheat mode (honest for a real provider).</param>
/// <param name="otherModel">For <see cref="CheatMode.OtherModel"/>: the cheaper model whose outputs replace the falsified tasks'.</param>
/// <param name="batchSize">Tasks handed to the engine at once.</param>
/// <param name="checkedInputs">The inputs checks keep for computations (none kept when null).</param>
/// <param name="encryptionKey">The provider's X25519 key, which opens encrypted jobs (docs/privacy.md); null when it takes only public ones.</param>
public sealed class JobComputer(
    ExchangeApiClient api, ModelCatalog models, EthECKey key, Eip712Domain domain, Cheater cheater, ModelRunner? otherModel, int batchSize,
    CheckedInputs? checkedInputs = null, NSec.Cryptography.Key? encryptionKey = null)
{
    /// <summary>Batches waiting between two stages of a job's pipeline at most.</summary>
    public const int PipelineDepth = 2;

    private readonly int _batchSize = Math.Max(1, batchSize);

    /// <summary>
    /// Checks, before the provider accepts job <paramref name="jobId"/>, that it can do it: the model
    /// is one it runs, the manifest is there and matches the record, and every input is there and
    /// valid for the card (<see cref="Exchange.Core.Models.TaskInputs"/>: an input with NaN or no
    /// rows is declined here, never computed and never judged). The inputs are fetched a batch at a
    /// time and kept, as far as <see cref="CheckedInputs"/> allows, for the computation.
    /// </summary>
    /// <exception cref="JobInputException">The job's manifest or inputs are provably wrong or invalid (decline it).</exception>
    public async Task CheckAsync(BigInteger jobId, Job job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var runner = models.Find(job.ModelId) ?? throw new JobInputException($"job {jobId}: model {job.ModelId} is not one this provider runs");
        var manifest = await JobInputs.FetchManifestAsync(api, jobId, job, runner.Card, cancellationToken).ConfigureAwait(false);
        var cipher = PrivateJobs.OpenForProvider(jobId, manifest, encryptionKey);
        try
        {
            foreach (var chunk in manifest.Tasks.Chunk(_batchSize))
            {
                var inputs = await FetchBatchAsync(jobId, chunk, runner, cipher, cancellationToken).ConfigureAwait(false);
                for (var i = 0; i < chunk.Length; i++)
                {
                    checkedInputs?.TryKeep(jobId, job.Deadline, chunk[i].Index, inputs[i]);
                }
            }
        }
        catch
        {
            // A job that fails its check is declined or checked again from the start.
            checkedInputs?.Forget(jobId);
            throw;
        }
    }

    /// <summary>Computes job <paramref name="jobId"/>.</summary>
    /// <exception cref="JobInputException">The job's manifest or inputs are provably wrong (no retry helps).</exception>
    public async Task<ComputedResult> ComputeAsync(BigInteger jobId, Job job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var runner = models.Find(job.ModelId) ?? throw new JobInputException($"job {jobId}: model {job.ModelId} is not one this provider runs");
        var manifest = await JobInputs.FetchManifestAsync(api, jobId, job, runner.Card, cancellationToken).ConfigureAwait(false);
        var cipher = PrivateJobs.OpenForProvider(jobId, manifest, encryptionKey);
        var falsified = cheater.TasksToFalsify(jobId, job.Client, manifest.Tasks.Count);
        var outputs = new List<BlobRef[]>(manifest.Tasks.Count);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var fetched = Channel.CreateBounded<Batch>(new BoundedChannelOptions(PipelineDepth) { SingleReader = true, SingleWriter = true });
        var computed = Channel.CreateBounded<Batch>(new BoundedChannelOptions(PipelineDepth) { SingleReader = true, SingleWriter = true });
        Task[] stages =
        [
            StageAsync(fetched.Writer, stop, async ct =>
            {
                foreach (var chunk in manifest.Tasks.Chunk(_batchSize))
                {
                    await fetched.Writer.WriteAsync(new Batch(chunk, await FetchBatchAsync(jobId, chunk, runner, cipher, ct).ConfigureAwait(false)), ct).ConfigureAwait(false);
                }
            }),
            StageAsync(computed.Writer, stop, async ct =>
            {
                await foreach (var batch in fetched.Reader.ReadAllAsync(ct).ConfigureAwait(false))
                {
                    await computed.Writer.WriteAsync(batch with { Tensors = await RunAsync(runner, jobId, batch.Tasks, batch.Tensors, falsified, ct).ConfigureAwait(false) }, ct).ConfigureAwait(false);
                }
            }),
            StageAsync(null, stop, async ct =>
            {
                await foreach (var batch in computed.Reader.ReadAllAsync(ct).ConfigureAwait(false))
                {
                    for (var i = 0; i < batch.Tasks.Length; i++)
                    {
                        var task = batch.Tasks[i];
                        outputs.Add(await UploadOutputsAsync(runner, batch.Tensors[i], cipher?.Task(task.Index), !Withholds(falsified, task.Index), ct).ConfigureAwait(false));
                    }
                }
            }),
        ];
        await WhenAllAsync(stages, cancellationToken).ConfigureAwait(false);
        checkedInputs?.Forget(jobId);

        var outputManifest = new OutputManifest(jobId, outputs.Select((blobs, i) => new OutputTask(i, blobs)).ToArray());
        var manifestBytes = outputManifest.ToCanonicalJson();
        var outputsHash = falsified.Count > 0 && cheater.Mode == CheatMode.Withhold
            ? BlobAddress.Of(manifestBytes)
            : await api.PutBlobAsync(manifestBytes, cancellationToken).ConfigureAwait(false);
        var resultRoot = MerkleLeaves.ResultTree(manifest.InputHashes, outputManifest.OutputHashes).Root;
        var digest = new Result(jobId, job.TasksRoot, resultRoot, outputsHash).Digest(domain);
        var signature = Signatures.Sign(digest, key.GetPrivateKeyAsBytes());
        return new ComputedResult(resultRoot, outputsHash, signature, falsified);
    }

    /// <summary>A batch's inputs: those its check kept, the others fetched (at once, the batch's requests overlapping) and checked again.</summary>
    private async Task<IReadOnlyList<Tensor>[]> FetchBatchAsync(BigInteger jobId, ManifestTask[] chunk, ModelRunner runner, JobCipher? cipher, CancellationToken cancellationToken) =>
        await Task.WhenAll(chunk.Select(task => checkedInputs?.Take(jobId, task.Index) is { } kept
            ? Task.FromResult(kept)
            : JobInputs.FetchInputsAsync(api, task, runner.Card, cancellationToken, cipher?.Task(task.Index)))).ConfigureAwait(false);

    /// <summary>
    /// Runs one stage of the pipeline on its own: completes its output when it is done, or fails it
    /// and stops the other stages when it fails (a stage blocked on a full channel would wait forever).
    /// </summary>
    private static Task StageAsync(ChannelWriter<Batch>? output, CancellationTokenSource stop, Func<CancellationToken, Task> body) =>
        Task.Run(async () =>
        {
            try
            {
                await body(stop.Token).ConfigureAwait(false);
                output?.TryComplete();
            }
            catch (Exception e)
            {
                output?.TryComplete(e);
                await stop.CancelAsync().ConfigureAwait(false);
                throw;
            }
        });

    /// <summary>Waits for every stage; a failure surfaces as the first stage's own error, not as the cancellations it caused downstream or upstream.</summary>
    private static async Task WhenAllAsync(Task[] stages, CancellationToken cancellationToken)
    {
        try
        {
            await Task.WhenAll(stages).ConfigureAwait(false);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            var cause = stages.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException!).FirstOrDefault(e => e is not OperationCanceledException);
            if (cause is not null)
            {
                ExceptionDispatchInfo.Throw(cause);
            }

            throw;
        }
    }

    private async Task<IReadOnlyList<Tensor>[]> RunAsync(
        ModelRunner runner, BigInteger jobId, ManifestTask[] chunk, IReadOnlyList<Tensor>[] inputs, IReadOnlySet<int> falsified, CancellationToken cancellationToken)
    {
        var honest = await runner.RunAsync(inputs, cancellationToken).ConfigureAwait(false);
        var other = otherModel is not null && cheater.Mode == CheatMode.OtherModel && chunk.Any(t => falsified.Contains(t.Index))
            ? await otherModel.RunAsync(inputs, cancellationToken).ConfigureAwait(false)
            : null;
        var published = new IReadOnlyList<Tensor>[chunk.Length];
        for (var i = 0; i < chunk.Length; i++)
        {
            var index = chunk[i].Index;
            published[i] = !falsified.Contains(index) ? honest[i]
                : other is not null ? other[i]
                : cheater.Falsify(jobId, index, honest[i]);
            if (!falsified.Contains(index))
            {
                cheater.Remember(honest[i]);
            }
        }

        return published;
    }

    /// <summary>Tasks of a job on their way through the pipeline, with their inputs, then their outputs.</summary>
    private sealed record Batch(ManifestTask[] Tasks, IReadOnlyList<Tensor>[] Tensors);

    private bool Withholds(IReadOnlySet<int> falsified, int taskIndex) => cheater.Mode == CheatMode.Withhold && falsified.Contains(taskIndex);

    /// <summary>
    /// Uploads a task's outputs (or, for a withholding cheat, only hashes them) and names them as
    /// the card does. An encrypted job's outputs go to the blob store sealed to the task's key: only
    /// the client (and a verifier drawn for the task) can read them.
    /// </summary>
    private async Task<BlobRef[]> UploadOutputsAsync(ModelRunner runner, IReadOnlyList<Tensor> tensors, TaskCipher? cipher, bool upload, CancellationToken cancellationToken)
    {
        using var _ = StageMeter.Measure(Stage.OutputUpload);
        var blobs = new BlobRef[tensors.Count];
        for (var o = 0; o < tensors.Count; o++)
        {
            var npy = Npy.Write(tensors[o]);
            var bytes = cipher is null ? npy : cipher.EncryptOutput(o, npy);
            var hash = upload ? await api.PutBlobAsync(bytes, cancellationToken).ConfigureAwait(false) : BlobAddress.Of(bytes);
            blobs[o] = new BlobRef(runner.Card.Outputs[o].Name, hash);
        }

        return blobs;
    }
}
