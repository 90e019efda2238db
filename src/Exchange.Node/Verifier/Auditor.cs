using System.Globalization;
using System.Net;
using System.Numerics;
using System.Text.Json.Nodes;
using Exchange.Api.Client;
using Exchange.Core.Diagnostics;
using Exchange.Core.Hashing;
using Exchange.Core.Jobs;
using Exchange.Core.Json;
using Exchange.Core.Manifests;
using Exchange.Core.Merkle;
using Exchange.Core.Privacy;
using Exchange.Core.Tensors;
using Exchange.Inference.Verification;
using Exchange.Node.Models;
using Exchange.Node.Privacy;
using Exchange.Node.Provider;

namespace Exchange.Node.Verifier;

/// <summary>A verdict on a job and the evidence blob it was uploaded as.</summary>
/// <param name="Pass">Whether every drawn task passed.</param>
/// <param name="EvidenceHash">The evidence blob's address.</param>
/// <param name="Tasks">The per-task findings.</param>
public sealed record AuditVerdict(bool Pass, Bytes32 EvidenceHash, IReadOnlyList<TaskJudgement> Tasks);

/// <summary>
/// The verifier's check of a job: fetch the drawn tasks' inputs and outputs,
/// prove them against the committed roots, re-run them, compare under the card's policy, and
/// upload the findings as an evidence blob. Outputs the provider does not serve, or that do not
/// prove into its signed root, fail: a provider must keep its outputs available until settlement.
/// </summary>
/// <param name="api">Where the job's blobs are read and the evidence goes.</param>
/// <param name="models">The models this verifier runs.</param>
/// <param name="verifier">The verifier's address.</param>
/// <param name="keys">For encrypted jobs: the task keys the provider revealed to this verifier (docs/privacy.md); null when it judges public jobs only.</param>
public sealed class Auditor(ExchangeApiClient api, ModelCatalog models, string verifier, RevealedKeys? keys = null)
{
    /// <summary>Judges tasks <paramref name="taskIndices"/> of job <paramref name="jobId"/>.</summary>
    /// <exception cref="JobInputException">The verifier cannot judge the job (unknown model, the client's manifest is broken).</exception>
    public async Task<AuditVerdict> JudgeAsync(BigInteger jobId, Job job, IReadOnlyList<uint> taskIndices, CancellationToken cancellationToken)
    {
        using var _ = StageMeter.Measure(Stage.Audits);
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(taskIndices);
        if (Mode == VerifierMode.Lazy)
        {
            return await LazyAsync(jobId, job, taskIndices, cancellationToken).ConfigureAwait(false);
        }

        var runner = models.Find(job.ModelId) ?? throw new JobInputException($"job {jobId}: model {job.ModelId} is not one this verifier runs");
        var manifest = await JobInputs.FetchManifestAsync(api, jobId, job, runner.Card, cancellationToken).ConfigureAwait(false);
        var taskTree = MerkleLeaves.TaskTree(manifest.InputHashes);

        OutputManifest? outputs = null;
        string? outputsProblem = null;
        try
        {
            outputs = await JobInputs.FetchOutputManifestAsync(api, jobId, job, manifest, runner.Card, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsUnavailable(e))
        {
            outputsProblem = $"the provider's output manifest is unavailable: {e.Message}";
        }

        var resultTree = outputs is null ? null : MerkleLeaves.ResultTree(manifest.InputHashes, outputs.OutputHashes);
        var ciphers = manifest.IsEncrypted ? await TaskKeysAsync(jobId, job, manifest, taskIndices, cancellationToken).ConfigureAwait(false) : null;
        var judgements = new List<TaskJudgement>();
        var toRun = new List<(int Index, IReadOnlyList<Tensor> Inputs, IReadOnlyList<Tensor> Outputs)>();
        foreach (var index in taskIndices.Select(i => (int)i).Distinct())
        {
            var task = manifest.Tasks[index];
            var taskProof = taskTree.Proof(index);
            if (!MerkleTree.Verify(taskProof, job.TasksRoot, MerkleLeaves.Task(index, task.InputHash)))
            {
                throw new JobInputException($"job {jobId}: task {index} does not prove into the committed tasks root");
            }

            if (outputs is null || resultTree is null)
            {
                judgements.Add(new TaskJudgement(index, task.InputHash, null, taskProof, null, false, outputsProblem!));
                continue;
            }

            var outputTask = outputs.Tasks[index];
            var resultProof = resultTree.Proof(index);
            TaskCipher? cipher = null;
            if (ciphers is not null && !ciphers.TryGetValue(index, out cipher))
            {
                // Without the committed key nobody can check the work: the provider, who holds the key, answers for it.
                judgements.Add(new TaskJudgement(index, task.InputHash, outputTask.OutputHash, taskProof, resultProof, false, "the provider revealed no key for this task that matches the manifest's commitment"));
                continue;
            }

            var inputs = await JobInputs.FetchInputsAsync(api, task, runner.Card, cancellationToken, cipher).ConfigureAwait(false);
            try
            {
                var published = await JobInputs.FetchOutputsAsync(api, outputTask, runner.Card, cancellationToken, cipher).ConfigureAwait(false);
                toRun.Add((index, inputs, published));
                judgements.Add(new TaskJudgement(index, task.InputHash, outputTask.OutputHash, taskProof, resultProof, true, ""));
            }
            catch (Exception e) when (IsUnavailable(e))
            {
                judgements.Add(new TaskJudgement(index, task.InputHash, outputTask.OutputHash, taskProof, resultProof, false, $"output unavailable: {e.Message}"));
            }
        }

        if (toRun.Count > 0)
        {
            // A copying verifier takes the provider's outputs as its own: they always "agree".
            var recomputed = Mode == VerifierMode.Copying
                ? [.. toRun.Select(t => t.Outputs)]
                : await runner.RunAsync([.. toRun.Select(t => t.Inputs)], cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < toRun.Count; i++)
            {
                var comparison = OutputComparator.Compare(runner.Card, recomputed[i], toRun[i].Outputs);
                var detail = comparison.Pass
                    ? string.Join("; ", comparison.Outputs.Select(o => o.Metrics is { } m
                        ? string.Create(CultureInfo.InvariantCulture, $"'{o.Name}' relL2 {m.RelativeL2:G3} cos {m.Cosine:G9}")
                        : $"'{o.Name}' identical"))
                    : string.Join("; ", comparison.Outputs.Where(o => !o.Pass).Select(o => o.Reason));
                var at = judgements.FindIndex(j => j.Index == toRun[i].Index);
                judgements[at] = judgements[at] with { Pass = comparison.Pass, Detail = detail };
            }
        }

        var verdict = judgements.All(j => j.Pass);
        var evidence = Evidence(jobId, job, verdict, judgements);
        var hash = await api.PutBlobAsync(evidence, cancellationToken).ConfigureAwait(false);
        return new AuditVerdict(verdict, hash, judgements);
    }

    private async Task<IReadOnlyDictionary<int, TaskCipher>> TaskKeysAsync(BigInteger jobId, Job job, JobManifest manifest, IReadOnlyList<uint> taskIndices, CancellationToken cancellationToken)
    {
        var revealed = keys ?? throw new JobInputException($"job {jobId} is encrypted and this verifier has no encryption key to receive its task keys");
        return await revealed.ForTasksAsync(jobId, job, manifest, [.. taskIndices.Select(i => (int)i).Distinct()], cancellationToken).ConfigureAwait(false);
    }

    private byte[] Evidence(BigInteger jobId, Job job, bool pass, IReadOnlyList<TaskJudgement> judgements) => CanonicalJson.Serialize(new JsonObject
    {
        ["jobId"] = jobId.ToString(CultureInfo.InvariantCulture),
        ["verifier"] = verifier,
        ["modelId"] = job.ModelId.ToString(),
        ["tasksRoot"] = job.TasksRoot.ToString(),
        ["resultRoot"] = job.ResultRoot.ToString(),
        ["pass"] = pass,
        ["tasks"] = new JsonArray([.. judgements.Select(j => (JsonNode)new JsonObject
        {
            ["index"] = j.Index,
            ["inputHash"] = j.InputHash.ToString(),
            ["outputHash"] = j.OutputHash?.ToString(),
            ["taskProof"] = new JsonArray([.. j.TaskProof.Select(p => (JsonNode)p.ToString())]),
            ["resultProof"] = j.ResultProof is null ? null : new JsonArray([.. j.ResultProof.Select(p => (JsonNode)p.ToString())]),
            ["pass"] = j.Pass,
            ["detail"] = j.Detail,
        })]),
    });

    /// <summary>What the evidence of a <see cref="VerifierMode.Lazy"/> verifier says of each task.</summary>
    public const string NotRerun = "passed without being fetched or re-run";

    /// <summary>How it judges: <see cref="VerifierMode.Honest"/> (the default) but for tests and the demo.</summary>
    public VerifierMode Mode { get; init; }

    /// <summary>
    /// Whether a failed fetch shows the provider's data unavailable, which is wrong data: no API has
    /// it (404), its bytes are not the addressed ones, or it does not parse or prove into the
    /// committed roots. Any other failure (an API away, refusing, rate limiting) says nothing about
    /// the provider: it is thrown, and the audit is tried again.
    /// </summary>
    public static bool IsUnavailable(Exception e) =>
        e is JobInputException or BlobIntegrityException or ExchangeApiException { Status: HttpStatusCode.NotFound };

    /// <summary>The lazy verifier's verdict: every drawn task passes, with nothing fetched, proved or run.</summary>
    private async Task<AuditVerdict> LazyAsync(BigInteger jobId, Job job, IReadOnlyList<uint> taskIndices, CancellationToken cancellationToken)
    {
        var judgements = taskIndices.Select(i => (int)i).Distinct().Select(i => new TaskJudgement(i, Bytes32.Zero, null, [], null, true, NotRerun)).ToList();
        var hash = await api.PutBlobAsync(Evidence(jobId, job, pass: true, judgements), cancellationToken).ConfigureAwait(false);
        return new AuditVerdict(true, hash, judgements);
    }
}
