using System.Net;
using System.Numerics;
using System.Runtime.ExceptionServices;
using Exchange.Api.Client;
using Exchange.Api.Client.Blobs;
using Exchange.Chain.Bindings;
using Exchange.Chain.Deployment;
using Exchange.Chain.Indexing;
using Exchange.Chain.Transactions;
using Exchange.Core.Diagnostics;
using Exchange.Core.Hashing;
using Exchange.Core.Jobs;
using Exchange.Core.Manifests;
using Exchange.Core.Merkle;
using Exchange.Core.Models;
using Exchange.Core.Privacy;
using Exchange.Core.Tensors;
using Exchange.Node.Chain;
using Exchange.Node.Hosting;
using Exchange.Node.Offers;
using Exchange.Node.Provider;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Signer;

namespace Exchange.Node.Client;

/// <summary>
/// A client's side of a job: upload inputs and manifests, create jobs from offers (several per
/// transaction, depositing with a permit when the balance is short), follow them to the end
/// (expiring those whose provider never answered), and download outputs, refusing any that are not
/// in the provider's signed result root.
/// </summary>
public sealed class ClientSession(MarketClient market, ExchangeApiClient api, ModelCard card, EthECKey key, TimeProvider time)
{
    /// <summary>Tasks whose inputs are encoded, encrypted and uploaded together: a batch upload's worth.</summary>
    private const int UploadGroupTasks = BlobBatch.MaxBlobsPerRequest;

    /// <summary>Most job ids a wait's log subscription names; beyond it the subscription wakes on any job's logs.</summary>
    public const int MaxJobsInFilter = 256;

    /// <summary>Groups encoded and not yet stored at once: the next is encoded and sent while the API still stores the one before.</summary>
    private const int UploadGroupsInFlight = 2;

    private readonly Dictionary<BigInteger, AvailabilityCheck> _availability = [];
    private MarketParameters? _parameters;

    /// <summary>The model the session's jobs run.</summary>
    public ModelCard Card { get; } = card;

    /// <summary>The client's chain handle.</summary>
    public MarketClient Market { get; } = market;

    /// <summary>
    /// Whether the session's jobs send their inputs in the clear (<c>--public</c>). By default every
    /// job is encrypted to its provider's registered key (docs/privacy.md).
    /// </summary>
    public bool Public { get; init; }

    /// <summary>
    /// The chain's WebSocket endpoint (<see cref="NodeOptions.WsUrl"/>), optional: with it
    /// <see cref="WaitAsync(IReadOnlyList{ValueTuple{BigInteger, Job}}, IProgress{ClientProgress}?, TimeSpan, bool, CancellationToken)"/>
    /// subscribes to its jobs' results and ends and reads them as soon as they are in a block, not
    /// at its next poll.
    /// </summary>
    public Uri? WsUrl { get; init; }

    /// <summary>Where the session logs what it does not fail for (a log subscription lost). Default: nowhere.</summary>
    public ILogger Logger { get; init; } = NullLogger.Instance;

    /// <summary>Gas used by this session's transactions so far.</summary>
    public BigInteger GasUsed { get; private set; }

    /// <summary>
    /// The job size for <paramref name="taskCount"/> tasks over <paramref name="offers"/>:
    /// <paramref name="tasksPerJob"/> when given, else chosen from the market's audit rate, the gas a
    /// job costs and <paramref name="latency"/> (<see cref="JobSizing.Choose"/>).
    /// </summary>
    public async Task<JobSize> SizeJobsAsync(int taskCount, IReadOnlyList<SignedOffer> offers, TimeSpan latency, int? tasksPerJob, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(offers);
        _parameters ??= await Market.ParamsAsync(cancellationToken).ConfigureAwait(false);
        return JobSizing.Choose(taskCount, [.. offers.Select(o => o.Offer)], _parameters.AuditRateBps, latency, tasksPerJob);
    }

    /// <summary>
    /// Uploads the tasks' inputs and one manifest per job of the split, depositing first what the
    /// jobs will cost (the API stores blobs only for funded accounts). Every task must be valid for
    /// the card (<see cref="TaskInputs"/>): nothing is deposited or uploaded otherwise.
    /// </summary>
    /// <exception cref="InvalidDataException">A task is not valid for the card; the message starts with its source.</exception>
    public async Task<IReadOnlyList<PreparedJob>> PrepareAsync(
        IReadOnlyList<ClientTask> tasks, IReadOnlyList<SignedOffer> offers, int tasksPerJob, IProgress<int>? uploadedTasks, CancellationToken cancellationToken)
    {
        using var _ = StageMeter.Measure(Stage.Upload);
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentNullException.ThrowIfNull(offers);
        ClientTask.EnsureValid(tasks, Card);
        var slices = JobSplitter.Split(tasks.Count, tasksPerJob, [.. offers.Select(o => o.Offer.MaxTasks)]);
        var fees = await FeesAsync(cancellationToken).ConfigureAwait(false);
        var cost = slices.Aggregate(BigInteger.Zero, (sum, s) => sum + fees.For(offers[s.OfferIndex].Offer.UnitPrice, (uint)s.TaskCount).ClientCost);
        await EnsureBalanceAsync(cost, cancellationToken).ConfigureAwait(false);
        var jobs = new (JobSlice Slice, SignedOffer Offer, JobCipher? Cipher, Bytes32? Recipient, List<ManifestTask> Tasks)[slices.Count];
        for (var j = 0; j < slices.Count; j++)
        {
            var offer = offers[slices[j].OfferIndex];
            Bytes32? recipient = Public ? null : await ProviderKeyAsync(offer.Offer.Provider, cancellationToken).ConfigureAwait(false);
            jobs[j] = (slices[j], offer, recipient is null ? null : JobCipher.NewForClient(key.GetPrivateKeyAsBytes()), recipient, new List<ManifestTask>(slices[j].TaskCount));
        }

        // A group of tasks' inputs goes up in batches (one signature and one request per batch). The
        // next group is encoded and encrypted while the API stores this one, so that the client's
        // work and the API's overlap; at most two groups are held encoded at once, whatever the jobs'
        // sizes. The groups of every job go in one stream, and a job's manifest goes up as soon as its
        // last group is stored, beside the next job's groups: the stream never drains between jobs.
        var groups = jobs.SelectMany((job, j) => Enumerable.Range(0, (job.Slice.TaskCount + UploadGroupTasks - 1) / UploadGroupTasks)
            .Select(g => (Job: j, First: g * UploadGroupTasks, Count: Math.Min(UploadGroupTasks, job.Slice.TaskCount - (g * UploadGroupTasks)))));
        var manifests = new Task<PreparedJob>[jobs.Length];
        var uploaded = 0;
        try
        {
            await InOrderSteps.RunAsync(
                groups, UploadGroupsInFlight,
                group => api.PutBlobsAsync(Encode(tasks, jobs[group.Job].Slice.FirstTask + group.First, group.Count, group.First, jobs[group.Job].Cipher), cancellationToken),
                (group, hashes) =>
                {
                    var job = jobs[group.Job];
                    uploaded += Named(job.Tasks, group.First, group.Count, hashes);
                    uploadedTasks?.Report(uploaded);
                    if (job.Tasks.Count == job.Slice.TaskCount)
                    {
                        manifests[group.Job] = Task.Run(() => PutManifestAsync(job.Slice, job.Offer, job.Cipher, job.Recipient, job.Tasks, cancellationToken), cancellationToken);
                    }

                    return Task.CompletedTask;
                },
                cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Manifests on their way end before an error of the stream surfaces, so that no upload runs
            // on after the caller has given up; the stream's error is the one thrown.
            await ((Task)Task.WhenAll(manifests.Where(m => m is not null))).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        var prepared = new List<PreparedJob>(jobs.Length);
        foreach (var manifest in manifests)
        {
            prepared.Add(await manifest.ConfigureAwait(false));
        }

        return prepared;
    }

    /// <summary>Uploads the manifest of a job whose inputs are all stored.</summary>
    private async Task<PreparedJob> PutManifestAsync(JobSlice slice, SignedOffer offer, JobCipher? cipher, Bytes32? recipient, List<ManifestTask> manifestTasks, CancellationToken cancellationToken)
    {
        var privacy = cipher?.Privacy(recipient!.Value, [.. manifestTasks.Select(t => t.InputHash)]);
        var manifest = new JobManifest(Card.ModelId, manifestTasks.ToArray(), privacy);
        await api.PutBlobAsync(manifest.ToCanonicalJson(), cancellationToken).ConfigureAwait(false);
        return new PreparedJob(slice, offer, manifest, MerkleLeaves.TaskTree(manifest.InputHashes).Root);
    }

    /// <summary>
    /// The .npy payloads (encrypted for an encrypted job) of <paramref name="count"/> tasks from
    /// <paramref name="firstTask"/>, the first being the job's task <paramref name="firstIndex"/>.
    /// The tasks are encoded on as many cores as there are: while the API stores one group, the
    /// client's encoding of the next is the upload's critical path.
    /// </summary>
    /// <exception cref="InvalidDataException">A task read again from its source no longer fits the card (one such task's own error, when several fail at once).</exception>
    private ReadOnlyMemory<byte>[] Encode(IReadOnlyList<ClientTask> tasks, int firstTask, int count, int firstIndex, JobCipher? cipher)
    {
        var payloads = new ReadOnlyMemory<byte>[count * Card.Inputs.Count];
        try
        {
            Parallel.For(0, count, i =>
            {
                var task = tasks[firstTask + i];
                var taskCipher = cipher?.Task(firstIndex + i);
                var inputs = task.Inputs;
                for (var input = 0; input < Card.Inputs.Count; input++)
                {
                    payloads[(i * Card.Inputs.Count) + input] = taskCipher is null ? Npy.Write(inputs[input]) : taskCipher.EncryptInput(input, inputs[input]);
                }
            });
        }
        catch (AggregateException e)
        {
            // The caller sees the task's own error (its source and problem), as a loop would throw it.
            ExceptionDispatchInfo.Throw(e.Flatten().InnerExceptions[0]);
        }

        return payloads;
    }

    /// <summary>Adds the manifest entries of <paramref name="count"/> uploaded tasks from the job's task <paramref name="first"/>; returns the count.</summary>
    private int Named(List<ManifestTask> manifestTasks, int first, int count, Bytes32[] hashes)
    {
        for (var i = 0; i < count; i++)
        {
            var blobs = new BlobRef[Card.Inputs.Count];
            for (var input = 0; input < blobs.Length; input++)
            {
                blobs[input] = new BlobRef(Card.Inputs[input].Name, hashes[(i * Card.Inputs.Count) + input]);
            }

            manifestTasks.Add(new ManifestTask(first + i, blobs));
        }

        return count;
    }

    /// <summary>What creating these jobs debits the client: price, verification and protocol fees.</summary>
    public async Task<BigInteger> CostAsync(IReadOnlyList<PreparedJob> jobs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        var fees = await FeesAsync(cancellationToken).ConfigureAwait(false);
        return jobs.Aggregate(BigInteger.Zero, (sum, j) => sum + fees.For(j.Offer.Offer.UnitPrice, (uint)j.Slice.TaskCount).ClientCost);
    }

    /// <summary>Deposits (with a permit: one transaction) what the market balance lacks for <paramref name="needed"/>.</summary>
    public async Task EnsureBalanceAsync(BigInteger needed, CancellationToken cancellationToken)
    {
        var missing = needed - await Market.MarketBalanceAsync(Market.Address, cancellationToken).ConfigureAwait(false);
        if (missing > 0)
        {
            await DepositAsync(missing, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Deposits <paramref name="amount"/> tokens into the market balance with an EIP-2612 permit.</summary>
    public async Task DepositAsync(BigInteger amount, CancellationToken cancellationToken)
    {
        if (amount <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(amount), amount, "a deposit must be positive");
        }

        var nonce = (await Market.QueryAsync<NoncesFunction, NoncesOutputDTO>(Market.Deployment.ComputeToken, new NoncesFunction { Owner = Market.Address }, cancellationToken).ConfigureAwait(false)).ReturnValue0;
        var deadline = new BigInteger(time.GetUtcNow().ToUnixTimeSeconds() + 3600);
        var (v, r, s) = Permit.Sign(Market.Deployment.ChainId, Market.Deployment.ComputeToken, Market.Address, Market.Deployment.JobMarket, amount, nonce, deadline, key.GetPrivateKeyAsBytes());
        var receipt = await Market.SendMarketAsync(new DepositWithPermitFunction { Amount = amount, Deadline = deadline, V = v, R = r, S = s }, cancellationToken).ConfigureAwait(false);
        GasUsed += receipt.GasUsed.Value;
    }

    /// <summary>
    /// Slack added to an offer's turnaround: the chain's clock moves on between the read of the
    /// latest block and the block that includes <c>createJobs</c>, which refuses a deadline earlier
    /// than its own time plus the turnaround.
    /// </summary>
    public static readonly TimeSpan TurnaroundSlack = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Creates the jobs on chain, <paramref name="jobsPerTransaction"/> per <c>createJobs</c>, due
    /// <paramref name="deadlineAfter"/> from now, or later where an offer's <c>minTurnaround</c>
    /// (plus <see cref="TurnaroundSlack"/>) asks for more: the market refuses a job due sooner.
    /// What the jobs cost is deposited first where the balance lacks it, and again where another
    /// session of this account spent it meanwhile.
    /// </summary>
    public async Task<IReadOnlyList<ClientJob>> CreateAsync(
        IReadOnlyList<PreparedJob> jobs, TimeSpan deadlineAfter, int jobsPerTransaction, IProgress<int>? createdTasks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        ArgumentOutOfRangeException.ThrowIfLessThan(jobsPerTransaction, 1);
        await EnsureBalanceAsync(await CostAsync(jobs, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        var created = new List<ClientJob>(jobs.Count);
        var tasks = 0;
        foreach (var chunk in jobs.Chunk(jobsPerTransaction))
        {
            var receipt = await FundedAsync(await CostAsync(chunk, cancellationToken).ConfigureAwait(false), async () =>
            {
                var (_, _, now) = await Market.ChainNowAsync(cancellationToken).ConfigureAwait(false);
                return await Market.SendMarketAsync(new CreateJobsFunction
                {
                    Requests = [.. chunk.Select(j => new JobRequestStruct
                    {
                        Offer = j.Offer.Offer.ToStruct(),
                        OfferSig = j.Offer.Signature,
                        TaskCount = (uint)j.Slice.TaskCount,
                        TasksRoot = j.TasksRoot.ToArray(),
                        ManifestHash = j.Manifest.Hash.ToArray(),
                        Deadline = now + DeadlineAfter(j.Offer, deadlineAfter),
                    })],
                }, cancellationToken).ConfigureAwait(false);
            }, cancellationToken).ConfigureAwait(false);
            var events = receipt.Decode<JobCreatedEventDTO>();
            for (var i = 0; i < chunk.Length; i++)
            {
                created.Add(new ClientJob(events[i].JobId, JobRecords.FromCreated(events[i]), chunk[i]));
                tasks += chunk[i].Slice.TaskCount;
            }

            createdTasks?.Report(tasks);
        }

        return created;
    }

    /// <summary>Seconds from now to a job's deadline on <paramref name="offer"/>: the asked time, at least the offer's turnaround plus slack.</summary>
    public static ulong DeadlineAfter(SignedOffer offer, TimeSpan deadlineAfter)
    {
        ArgumentNullException.ThrowIfNull(offer);
        return Math.Max((ulong)deadlineAfter.TotalSeconds, offer.Offer.MinTurnaround + (ulong)TurnaroundSlack.TotalSeconds);
    }

    /// <summary>
    /// Follows the jobs until each has ended (settled, slashed or expired), expiring the ones whose
    /// deadline passed without a result: a job its provider never accepted (<c>Created</c>) refunds
    /// the client in full, an accepted one also pays the client the expiry penalty. Returns each
    /// job's final status.
    /// </summary>
    public Task<IReadOnlyDictionary<BigInteger, JobStatus>> WaitAsync(
        IReadOnlyList<ClientJob> jobs, IProgress<ClientProgress>? progress, TimeSpan pollInterval, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        return WaitAsync([.. jobs.Select(j => (j.JobId, j.Record))], progress, pollInterval, false, cancellationToken);
    }

    /// <summary>
    /// Follows jobs known by id and record (created here or earlier) as the overload over
    /// <see cref="ClientJob"/>s does. With <paramref name="checkAvailability"/>, each job whose
    /// result arrives is checked within its challenge window (<see cref="CheckAvailabilityAsync"/>;
    /// results in <see cref="Availability"/>).
    /// </summary>
    public async Task<IReadOnlyDictionary<BigInteger, JobStatus>> WaitAsync(
        IReadOnlyList<(BigInteger JobId, Job Record)> jobs, IProgress<ClientProgress>? progress, TimeSpan pollInterval, bool checkAvailability, CancellationToken cancellationToken)
    {
        using var _ = StageMeter.Measure(Stage.Polling);
        ArgumentNullException.ThrowIfNull(jobs);
        var total = jobs.Sum(j => (int)j.Record.TaskCount);
        var statuses = jobs.ToDictionary(j => j.JobId, _ => JobStatus.Created);
        var wake = new RoundSignal();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // No jobs, nothing to wait for: the loop below returns at once.
        var watching = WsUrl is { } url && jobs.Count > 0
            ? LogSubscription.RunAsync(url, WakeFilters([.. jobs.Select(j => j.JobId)]), wake.Wake, Logger, stop.Token)
            : Task.CompletedTask;
        try
        {
            return await FollowAsync(jobs, statuses, total, progress, pollInterval, checkAvailability, wake, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await watching.ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The logs that end a wait early: a result, a draw, a settlement, an expiry or a dispute's end
    /// of one of <paramref name="jobIds"/> (of any job when there are more than
    /// <see cref="MaxJobsInFilter"/>, to keep the filter small; a round then reads only its own).
    /// </summary>
    public IReadOnlyList<LogFilter> WakeFilters(IReadOnlyList<BigInteger> jobIds)
    {
        ArgumentNullException.ThrowIfNull(jobIds);
        IReadOnlyList<string>? ids = jobIds.Count <= MaxJobsInFilter ? [.. jobIds.Select(LogFilter.NumberTopic)] : null;
        return
        [
            new([Market.Deployment.JobMarket], [
                [LogFilter.EventTopic<ResultSubmittedEventDTO>(), LogFilter.EventTopic<DrawRecordedEventDTO>(),
                 LogFilter.EventTopic<JobSettledEventDTO>(), LogFilter.EventTopic<JobExpiredEventDTO>()],
                ids]),
            new([Market.Deployment.AuditCourt], [[LogFilter.EventTopic<DisputeResolvedEventDTO>()], ids]),
        ];
    }

    private async Task<IReadOnlyDictionary<BigInteger, JobStatus>> FollowAsync(
        IReadOnlyList<(BigInteger JobId, Job Record)> jobs, Dictionary<BigInteger, JobStatus> statuses, int total, IProgress<ClientProgress>? progress,
        TimeSpan pollInterval, bool checkAvailability, RoundSignal wake, CancellationToken cancellationToken)
    {
        while (true)
        {
            foreach (var job in jobs.Where(j => !IsFinal(statuses[j.JobId])))
            {
                statuses[job.JobId] = await Market.StatusAsync(job.JobId, cancellationToken).ConfigureAwait(false);
                if (checkAvailability && statuses[job.JobId] is JobStatus.Submitted or JobStatus.Unaudited && !_availability.ContainsKey(job.JobId))
                {
                    await CheckAvailabilityAsync(job.JobId, cancellationToken).ConfigureAwait(false);
                }
            }

            foreach (var expired in await ExpireOverdueAsync([.. jobs.Where(j => statuses[j.JobId] is JobStatus.Created or JobStatus.Accepted)], cancellationToken).ConfigureAwait(false))
            {
                statuses[expired] = JobStatus.Expired;
            }

            progress?.Report(Progress(jobs, statuses, total));
            if (statuses.Values.All(IsFinal))
            {
                return statuses;
            }

            await wake.PauseAsync(pollInterval, time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>What <see cref="CheckAvailabilityAsync"/> found, per job checked so far.</summary>
    public IReadOnlyDictionary<BigInteger, AvailabilityCheck> Availability => _availability;

    /// <summary>
    /// Data availability, checked by the client: fetches a submitted job's output manifest and every
    /// output blob and proves each into the signed result root (<see cref="FetchAsync"/>). When
    /// anything is missing or does not prove, it requests an audit of the job at once (paying the
    /// client audit fee), since the court treats unavailable outputs as wrong; outside the
    /// challenge window the request is refused and the refusal is recorded. Only a blob the API
    /// does not have counts as missing: an API that fails or cannot be reached proves nothing, and
    /// the job is checked again on the next call.
    /// </summary>
    public async Task<AvailabilityCheck?> CheckAvailabilityAsync(BigInteger jobId, CancellationToken cancellationToken)
    {
        var record = await JobLookup.FindAsync(Market, jobId, cancellationToken).ConfigureAwait(false);
        if (record is not { IsSubmitted: true })
        {
            return null;
        }

        string? problem = null;
        try
        {
            await FetchAsync(jobId, record, cancellationToken).ConfigureAwait(false);
        }
        catch (OutputRejectedException e)
        {
            problem = e.Message;
        }
        catch (ExchangeApiException e) when (e.Status == HttpStatusCode.NotFound)
        {
            problem = $"job {jobId}: {e.Message}";
        }
        catch (Exception e) when (e is ExchangeApiException or HttpRequestException)
        {
            // The API failed or is away, which says nothing about the provider.
            return null;
        }

        var check = new AvailabilityCheck(jobId, problem, null, null);
        if (problem is not null)
        {
            try
            {
                check = check with { AuditFee = await RequestAuditAsync(jobId, record, cancellationToken).ConfigureAwait(false) };
            }
            catch (ContractRevertException e)
            {
                check = check with { AuditError = e.Message };
            }
        }

        _availability[jobId] = check;
        return check;
    }

    /// <summary>
    /// Downloads a submitted job's outputs and checks them: the output manifest must be the signed
    /// <c>outputsHash</c>, its result root the signed <c>resultRoot</c>, and each output blob must hash
    /// to its leaf. Returns the outputs per task.
    /// </summary>
    /// <exception cref="OutputRejectedException">Anything published is not what the provider signed.</exception>
    public async Task<IReadOnlyList<IReadOnlyList<Tensor>>> FetchAsync(BigInteger jobId, Job job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (!job.IsSubmitted)
        {
            throw new InvalidOperationException($"job {jobId} has no result on chain");
        }

        try
        {
            var manifest = await JobInputs.FetchManifestAsync(api, jobId, job, Card, cancellationToken).ConfigureAwait(false);
            var outputs = await JobInputs.FetchOutputManifestAsync(api, jobId, job, manifest, Card, cancellationToken).ConfigureAwait(false);
            var cipher = manifest.Privacy is { } privacy ? JobCipher.ForClient(key.GetPrivateKeyAsBytes(), privacy.Salt) : null;
            var tree = MerkleLeaves.ResultTree(manifest.InputHashes, outputs.OutputHashes);
            foreach (var task in outputs.Tasks)
            {
                var leaf = MerkleLeaves.Result(task.Index, manifest.Tasks[task.Index].InputHash, task.OutputHash);
                if (!MerkleTree.Verify(tree.Proof(task.Index), job.ResultRoot, leaf))
                {
                    throw new OutputRejectedException($"job {jobId} task {task.Index}: output {task.OutputHash} is not in the signed result root {job.ResultRoot}");
                }
            }

            // Every output is in the signed root; the blobs come in batch reads, each checked against its address.
            var result = new List<IReadOnlyList<Tensor>>(outputs.Tasks.Count);
            foreach (var chunk in outputs.Tasks.Chunk(BlobBatch.MaxBlobsPerRequest))
            {
                result.AddRange(await JobInputs.FetchOutputsAsync(api, chunk, Card, index => cipher?.Task(index), cancellationToken).ConfigureAwait(false));
            }

            return result;
        }
        catch (Exception e) when (e is JobInputException or BlobIntegrityException)
        {
            throw new OutputRejectedException($"job {jobId}: refused: {e.Message}", e);
        }
    }

    /// <summary>
    /// Asks for an audit of a submitted or unaudited job within its challenge window, paying the
    /// client audit fee (deposited first when the balance lacks it): the court draws its verifier
    /// from a seed that does not exist yet, so the client cannot pick it. Returns the fee paid.
    /// </summary>
    public async Task<BigInteger> RequestAuditAsync(BigInteger jobId, Job job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var fees = await FeesAsync(cancellationToken).ConfigureAwait(false);
        var receipt = await FundedAsync(
            fees.For(job.UnitPrice, job.TaskCount).ClientAuditFee, () => Market.RequestAuditAsync(jobId, job, cancellationToken), cancellationToken).ConfigureAwait(false);
        return receipt.Decode<AuditRequestedEventDTO>().Single().Fee;
    }

    private const string InsufficientBalanceError = "JobMarketInsufficientBalance";

    /// <summary>
    /// Sends a transaction that debits <paramref name="cost"/> from the client's market balance,
    /// depositing what the balance lacks first. Another session of this account (a second command,
    /// a script) may spend the balance between the deposit and the transaction, which the market
    /// then refuses: the session deposits again and resends, twice at most.
    /// </summary>
    private async Task<TransactionReceipt> FundedAsync(BigInteger cost, Func<Task<TransactionReceipt>> send, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            await EnsureBalanceAsync(cost, cancellationToken).ConfigureAwait(false);
            try
            {
                var receipt = await send().ConfigureAwait(false);
                GasUsed += receipt.GasUsed.Value;
                return receipt;
            }
            catch (ContractRevertException e) when (e.Revert.Name == InsufficientBalanceError && attempt < 3)
            {
                // Spent meanwhile: deposit again.
            }
        }
    }

    /// <summary>The X25519 key <paramref name="provider"/> registered in the vault, which an encrypted job's secret is sealed to.</summary>
    /// <exception cref="InvalidOperationException">The provider registered none: only a public job can go to it.</exception>
    private async Task<Bytes32> ProviderKeyAsync(string provider, CancellationToken cancellationToken)
    {
        var registered = Bytes32.FromBytes(await Market.EncryptionKeyAsync(provider, cancellationToken).ConfigureAwait(false));
        return registered.IsZero
            ? throw new InvalidOperationException($"provider {provider} has registered no encryption key, so it cannot take an encrypted job; send public data with --public or choose another provider")
            : registered;
    }

    /// <summary>
    /// Expires those of <paramref name="open"/> (jobs without a result, <c>Created</c> or
    /// <c>Accepted</c>) whose deadline has passed by the chain's clock, in one transaction, and
    /// returns the ids expired. Chain seconds can run ahead of the wall clock (a block a transaction
    /// on a busy dev chain), so a deadline is judged by the latest block only.
    /// </summary>
    public async Task<IReadOnlyList<BigInteger>> ExpireOverdueAsync(IReadOnlyList<(BigInteger JobId, Job Record)> open, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(open);
        if (open.Count == 0)
        {
            return [];
        }

        var (_, _, now) = await Market.ChainNowAsync(cancellationToken).ConfigureAwait(false);
        var overdue = open.Where(j => j.Record.Deadline < now).ToList();
        if (overdue.Count == 0)
        {
            return [];
        }

        var receipt = await Market.ExpireAsync([.. overdue.Select(j => (j.JobId, j.Record))], cancellationToken).ConfigureAwait(false);
        GasUsed += receipt.GasUsed.Value;
        return [.. receipt.Decode<JobExpiredEventDTO>().Select(e => e.JobId)];
    }

    private async Task<FeeSchedule> FeesAsync(CancellationToken cancellationToken)
    {
        _parameters ??= await Market.ParamsAsync(cancellationToken).ConfigureAwait(false);
        return new FeeSchedule(
            _parameters.VerificationFeeBps, _parameters.ProtocolFeeBps, _parameters.CollateralMultiplierBps, _parameters.MinUnitPrice,
            _parameters.AuditRewardBps, _parameters.ClientAuditFeeBps, _parameters.ExpiryPenaltyBps);
    }

    private static ClientProgress Progress(IReadOnlyList<(BigInteger JobId, Job Record)> jobs, Dictionary<BigInteger, JobStatus> statuses, int total)
    {
        int TasksWhere(Func<JobStatus, bool> predicate) => jobs.Where(j => predicate(statuses[j.JobId])).Sum(j => (int)j.Record.TaskCount);
        var final = TasksWhere(IsFinal);
        return new ClientProgress(total, total, total, TasksWhere(s => s >= JobStatus.Submitted), TasksWhere(s => s >= JobStatus.Unaudited), final);
    }

    /// <summary>Whether a job has ended: settled, slashed or expired.</summary>
    public static bool IsFinal(JobStatus status) => status is JobStatus.Settled or JobStatus.Slashed or JobStatus.Expired;
}
