using System.Numerics;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using Exchange.Api.Client;
using Exchange.Api.Client.Blobs;
using Exchange.Core.Diagnostics;
using Exchange.Core.Eip712;
using Exchange.Core.Hashing;
using Exchange.Core.Jobs;
using Exchange.Core.Manifests;
using Exchange.Core.Merkle;
using Exchange.Core.Privacy;
using Exchange.Core.Tensors;
using Exchange.Node.Hosting;
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
/// outputs and the output manifest; sign the result root. The check before the acceptance reads
/// ahead of the computation, which follows it batch by batch. Fetching and checking batch k + 1,
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

    /// <summary>
    /// Batches a job hands the engine at once: one running, the next queued behind it. With one at a
    /// time the engine idled at every hand-over between two batches: a ResNet-18 job of 1,024 tasks
    /// computed in 9.80 s instead of 9.43 on two cores (docs/performance.md).
    /// </summary>
    private const int BatchesInEngine = 2;

    /// <summary>Batch reads a job's check keeps in flight at once.</summary>
    private const int CheckReadsInFlight = 2;

    private readonly int _batchSize = Math.Max(1, batchSize);

    /// <summary>
    /// Checks job <paramref name="jobId"/> before the provider accepts it, and computes it meanwhile.
    /// The check makes sure the provider can do the job: the model is one it runs, the manifest is
    /// there and matches the record, and every input is there and valid for the card
    /// (<see cref="Exchange.Core.Models.TaskInputs"/>: an input with NaN or no rows is declined here,
    /// never computed and never judged). It reads the inputs as many at once as a batch read carries
    /// and keeps them, as far as <see cref="CheckedInputs"/> allows, for the computation. Each batch's
    /// computation starts as soon as the check has passed its tasks, so that the two passes over the
    /// job overlap; <paramref name="onChecked"/> runs once every task has passed (the provider records
    /// the job as checked and accepts it then), while the computation goes on. With
    /// <paramref name="overlap"/> false the computation starts only once <paramref name="onChecked"/> has run.
    /// </summary>
    /// <returns>The computed result, which the provider submits once the job is accepted.</returns>
    /// <exception cref="JobInputException">The job's manifest or inputs are provably wrong or invalid (decline it); only before <paramref name="onChecked"/> ran.</exception>
    /// <remarks>
    /// A failure before <paramref name="onChecked"/> ran is the check's, and stops the computation;
    /// one after it is the computation's, and the job is computed again once accepted. Computing
    /// before the acceptance costs a provider the computation of a job it then declines, which a
    /// client can cause only by paying for the job's creation (docs/nodes.md, <i>Provider</i>); the
    /// provider turns <paramref name="overlap"/> off for a client whose data it declined before.
    /// </remarks>
    public async Task<ComputedResult> CheckAndComputeAsync(BigInteger jobId, Job job, Func<CancellationToken, Task> onChecked, CancellationToken cancellationToken, bool overlap = true)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(onChecked);
        var runner = RunnerOf(jobId, job);
        var manifest = await JobInputs.FetchManifestAsync(api, jobId, job, runner.Card, cancellationToken).ConfigureAwait(false);
        var cipher = PrivateJobs.OpenForProvider(jobId, manifest, encryptionKey);
        var checkSize = Math.Max(_batchSize, BlobBatch.MaxBlobsPerRequest);
        var chunks = manifest.Tasks.Chunk(checkSize).ToArray();
        var passed = chunks.Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        var jobChecked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var computation = ComputeAsync(
            jobId, job, runner, manifest, cipher, overlap ? (tasks, ct) => WhenPassedAsync(passed, checkSize, tasks, ct) : (_, ct) => jobChecked.Task.WaitAsync(ct), stop.Token);
        try
        {
            // The check runs no model: it reads as many tasks at once as a batch read carries, and
            // decrypts and checks one chunk while the next is on its way.
            await Parallel.ForEachAsync(
                Enumerable.Range(0, chunks.Length), new ParallelOptions { MaxDegreeOfParallelism = CheckReadsInFlight, CancellationToken = cancellationToken }, async (c, ct) =>
                {
                    var chunk = chunks[c];
                    var inputs = await FetchBatchAsync(jobId, chunk, runner, cipher, ct).ConfigureAwait(false);
                    for (var i = 0; i < chunk.Length; i++)
                    {
                        checkedInputs?.TryKeep(jobId, job.Deadline, chunk[i].Index, inputs[i]);
                    }

                    passed[c].SetResult();
                }).ConfigureAwait(false);
            await onChecked(cancellationToken).ConfigureAwait(false);
            jobChecked.SetResult();
        }
        catch
        {
            // A job that fails its check is declined or checked again from the start: what the
            // computation did so far is dropped with it.
            await stop.CancelAsync().ConfigureAwait(false);
            await ((Task)computation).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            checkedInputs?.Forget(jobId);
            throw;
        }

        return await computation.ConfigureAwait(false);
    }

    /// <summary>Computes job <paramref name="jobId"/> (accepted, its check done before: the inputs it kept are taken, the others fetched and checked again).</summary>
    /// <exception cref="JobInputException">The job's manifest or inputs are provably wrong (no retry helps).</exception>
    public async Task<ComputedResult> ComputeAsync(BigInteger jobId, Job job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var runner = RunnerOf(jobId, job);
        var manifest = await JobInputs.FetchManifestAsync(api, jobId, job, runner.Card, cancellationToken).ConfigureAwait(false);
        var cipher = PrivateJobs.OpenForProvider(jobId, manifest, encryptionKey);
        return await ComputeAsync(jobId, job, runner, manifest, cipher, null, cancellationToken).ConfigureAwait(false);
    }

    private ModelRunner RunnerOf(BigInteger jobId, Job job) =>
        models.Find(job.ModelId) ?? throw new JobInputException($"job {jobId}: model {job.ModelId} is not one this provider runs");

    /// <summary>Waits until the check has passed every task of a batch (the chunks of <paramref name="checkSize"/> tasks that hold them).</summary>
    private static async Task WhenPassedAsync(TaskCompletionSource[] passed, int checkSize, ManifestTask[] tasks, CancellationToken cancellationToken)
    {
        for (var c = tasks[0].Index / checkSize; c <= tasks[^1].Index / checkSize; c++)
        {
            await passed[c].Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Runs the job's pipeline: fetch (after <paramref name="checkedBefore"/>, when the check runs
    /// beside it), compute, upload; then the output manifest, the result root and its signature.
    /// </summary>
    private async Task<ComputedResult> ComputeAsync(
        BigInteger jobId, Job job, ModelRunner runner, JobManifest manifest, JobCipher? cipher,
        Func<ManifestTask[], CancellationToken, Task>? checkedBefore, CancellationToken cancellationToken)
    {
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
                    if (checkedBefore is not null)
                    {
                        await checkedBefore(chunk, ct).ConfigureAwait(false);
                    }

                    await fetched.Writer.WriteAsync(new Batch(chunk, await FetchBatchAsync(jobId, chunk, runner, cipher, ct).ConfigureAwait(false)), ct).ConfigureAwait(false);
                }
            }),
            StageAsync(computed.Writer, stop, ct => InOrderSteps.RunAsync(
                fetched.Reader.ReadAllAsync(ct), BatchesInEngine,
                batch => RunAsync(runner, jobId, batch.Tasks, batch.Tensors, falsified, ct),
                async (batch, outputs) => await computed.Writer.WriteAsync(batch with { Tensors = outputs }, ct).ConfigureAwait(false),
                ct)),
            StageAsync(null, stop, async ct =>
            {
                var pending = new List<Batch>();
                await foreach (var batch in computed.Reader.ReadAllAsync(ct).ConfigureAwait(false))
                {
                    // Batches computed meanwhile go up in the same request.
                    pending.Add(batch);
                    while (pending.Sum(b => b.Tasks.Length) < BlobBatch.MaxBlobsPerRequest && computed.Reader.TryRead(out var more))
                    {
                        pending.Add(more);
                    }

                    outputs.AddRange(await UploadOutputsAsync(runner, pending, cipher, falsified, ct).ConfigureAwait(false));
                    pending.Clear();
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

    /// <summary>A batch's inputs: those its check kept, the others fetched (in batch reads) and checked again.</summary>
    private async Task<IReadOnlyList<Tensor>[]> FetchBatchAsync(BigInteger jobId, ManifestTask[] chunk, ModelRunner runner, JobCipher? cipher, CancellationToken cancellationToken)
    {
        var inputs = chunk.Select(task => checkedInputs?.Take(jobId, task.Index)).ToArray();
        var missing = Enumerable.Range(0, chunk.Length).Where(i => inputs[i] is null).ToArray();
        if (missing.Length > 0)
        {
            var fetched = await JobInputs.FetchInputsAsync(api, [.. missing.Select(i => chunk[i])], runner.Card, index => cipher?.Task(index), cancellationToken).ConfigureAwait(false);
            for (var m = 0; m < missing.Length; m++)
            {
                inputs[missing[m]] = fetched[m];
            }
        }

        return inputs!;
    }

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
    /// Uploads the outputs of the batches' tasks, in order, in batch uploads (or, for a withholding
    /// cheat's falsified tasks, only hashes them) and names them as the card does. An encrypted
    /// job's outputs go to the blob store sealed to each task's key: only the client (and a verifier
    /// drawn for the task) can read them.
    /// </summary>
    private async Task<BlobRef[][]> UploadOutputsAsync(ModelRunner runner, IReadOnlyList<Batch> batches, JobCipher? cipher, IReadOnlySet<int> falsified, CancellationToken cancellationToken)
    {
        using var _ = StageMeter.Measure(Stage.OutputUpload);
        var tasks = batches.SelectMany(b => b.Tasks.Zip(b.Tensors)).ToArray();
        var outputs = runner.Card.Outputs.Count;
        var payloads = new byte[tasks.Length * outputs][];
        for (var t = 0; t < tasks.Length; t++)
        {
            var (task, tensors) = tasks[t];
            var taskCipher = cipher?.Task(task.Index);
            for (var o = 0; o < outputs; o++)
            {
                payloads[(t * outputs) + o] = taskCipher is null ? Npy.Write(tensors[o]) : taskCipher.EncryptOutput(o, tensors[o]);
            }
        }

        var uploads = Enumerable.Range(0, payloads.Length).Where(p => !Withholds(falsified, tasks[p / outputs].First.Index)).ToArray();
        var uploaded = await api.PutBlobsAsync([.. uploads.Select(p => (ReadOnlyMemory<byte>)payloads[p])], cancellationToken).ConfigureAwait(false);
        var hashes = new Bytes32[payloads.Length];
        for (int p = 0, u = 0; p < payloads.Length; p++)
        {
            // uploads is in ascending order: the next upload is the payload's, or it was withheld.
            hashes[p] = u < uploads.Length && uploads[u] == p ? uploaded[u++] : BlobAddress.Of(payloads[p]);
        }

        return [.. Enumerable.Range(0, tasks.Length).Select(t => Enumerable.Range(0, outputs).Select(o => new BlobRef(runner.Card.Outputs[o].Name, hashes[(t * outputs) + o])).ToArray())];
    }
}
