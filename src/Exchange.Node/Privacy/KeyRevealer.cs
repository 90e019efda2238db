using System.Numerics;
using System.Security.Cryptography;
using Exchange.Api.Client;
using Exchange.Chain.Court;
using Exchange.Core.Hashing;
using Exchange.Core.Jobs;
using Exchange.Core.Manifests;
using Exchange.Core.Privacy;
using Exchange.Node.Chain;
using Exchange.Node.Provider;
using Microsoft.Extensions.Logging;
using NSec.Cryptography;

namespace Exchange.Node.Privacy;

/// <summary>
/// The provider's side of audits of encrypted jobs (docs/privacy.md): for each verifier the court
/// names for a job (the pending or assigned auditor) and each committee member of its dispute, it
/// seals the keys of the audited tasks, and only those, to that account's registered X25519 key
/// and posts them to the API. A verifier or member that gets no valid key judges the task wrong,
/// so revealing is in the provider's own interest; a wrong key is caught by the manifest's
/// commitment.
/// </summary>
/// <param name="market">The provider's chain handle.</param>
/// <param name="api">Where reveals are posted (signed by the provider's upload key).</param>
/// <param name="encryptionKey">The provider's X25519 key, which opens its jobs' secrets.</param>
/// <param name="cheater">The cheat mode: <see cref="CheatMode.WrongKey"/> reveals random keys for the picked tasks.</param>
/// <param name="logger">Where reveals are logged (job, tasks, recipient; never a key).</param>
public sealed class KeyRevealer(MarketClient market, ExchangeApiClient api, Key encryptionKey, Cheater cheater, ILogger logger)
{
    private readonly Dictionary<BigInteger, JobManifest> _manifests = [];
    private readonly HashSet<(BigInteger JobId, string Recipient)> _revealed = [];

    // Recipients a reveal failed for, logged once: the provider keeps trying every round (a
    // verifier may register its key late) without repeating the warning.
    private readonly HashSet<(BigInteger JobId, string Recipient)> _failed = [];

    /// <summary>Reveals the drawn tasks' keys of these submitted jobs to every account drawn to judge them and not served yet.</summary>
    public async Task RevealAsync(IReadOnlyList<(BigInteger JobId, Job Record)> jobs, ulong latestBlock, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        Prune(jobs);
        foreach (var (jobId, record) in jobs)
        {
            if (latestBlock < record.SubmitBlock + 2 || await ManifestAsync(jobId, record, cancellationToken).ConfigureAwait(false) is not { Privacy: not null } manifest)
            {
                continue;
            }

            foreach (var (recipient, tasks) in await RecipientsAsync(jobId, record, cancellationToken).ConfigureAwait(false))
            {
                if (_revealed.Contains((jobId, recipient)))
                {
                    continue;
                }

                try
                {
                    await RevealToAsync(jobId, record, manifest, recipient, tasks, cancellationToken).ConfigureAwait(false);
                    _revealed.Add((jobId, recipient));
                    var indices = string.Join(",", tasks);
                    logger.KeysRevealed(jobId, indices, recipient);
                }
                catch (Exception e) when (e is ExchangeApiException or HttpRequestException or InvalidOperationException or ArgumentException)
                {
                    if (_failed.Add((jobId, recipient)))
                    {
                        logger.RevealFailed(jobId, recipient, e.Message);
                    }
                }
            }
        }
    }

    /// <summary>Forgets the jobs not in <paramref name="current"/>: they ended (or wait beyond this round's batch, and are read again when their turn comes).</summary>
    private void Prune(IReadOnlyList<(BigInteger JobId, Job Record)> current)
    {
        var ids = current.Select(j => j.JobId).ToHashSet();
        foreach (var ended in _manifests.Keys.Where(id => !ids.Contains(id)).ToList())
        {
            _manifests.Remove(ended);
        }

        _revealed.RemoveWhere(r => !ids.Contains(r.JobId));
        _failed.RemoveWhere(r => !ids.Contains(r.JobId));
    }

    private async Task RevealToAsync(BigInteger jobId, Job record, JobManifest manifest, string recipient, IReadOnlyList<uint> tasks, CancellationToken cancellationToken)
    {
        var publicKey = await market.EncryptionKeyAsync(recipient, cancellationToken).ConfigureAwait(false);
        if (Bytes32.FromBytes(publicKey).IsZero)
        {
            throw new InvalidOperationException($"{recipient} has registered no encryption key");
        }

        var cipher = JobCipher.OpenForProvider(manifest.Privacy!, encryptionKey)
            ?? throw new InvalidOperationException("the job's sealed secret does not open with this provider's key");
        var wrong = cheater.Mode == CheatMode.WrongKey ? cheater.TasksToFalsify(jobId, record.Client, manifest.Tasks.Count) : new HashSet<int>();
        var boxes = new Dictionary<int, byte[]>();
        foreach (var index in tasks.Select(t => (int)t).Distinct())
        {
            var task = wrong.Contains(index) ? new TaskCipher(index, RandomNumberGenerator.GetBytes(KeySchedule.Length)) : cipher.Task(index);
            boxes[index] = task.SealTo(publicKey, record.ManifestHash);
        }

        await api.PutKeyRevealAsync(new KeyReveal(jobId, record.ManifestHash, recipient.ToLowerInvariant(), boxes), cancellationToken).ConfigureAwait(false);
    }

    private async Task<JobManifest?> ManifestAsync(BigInteger jobId, Job record, CancellationToken cancellationToken)
    {
        if (!_manifests.TryGetValue(jobId, out var manifest))
        {
            // The provider checked this manifest before accepting: it parses.
            manifest = JobManifest.Parse(await api.GetBlobAsync(record.ManifestHash, cancellationToken).ConfigureAwait(false));
            _manifests[jobId] = manifest;
        }

        return manifest;
    }

    /// <summary>Who the court has drawn to judge the job, with the task indices each must re-run.</summary>
    private async Task<List<(string Recipient, IReadOnlyList<uint> Tasks)>> RecipientsAsync(BigInteger jobId, Job record, CancellationToken cancellationToken)
    {
        var recipients = new List<(string, IReadOnlyList<uint>)>();
        switch (await market.StatusAsync(jobId, cancellationToken).ConfigureAwait(false))
        {
            case JobStatus.Submitted:
                var pending = await market.PendingAuditorAsync(jobId, record, cancellationToken).ConfigureAwait(false);
                if (!IsZero(pending.Verifier))
                {
                    recipients.Add((pending.Verifier.ToLowerInvariant(), await market.TaskIndicesOfAsync(Bytes32.FromBytes(pending.Seed), record.TaskCount, cancellationToken).ConfigureAwait(false)));
                }

                break;
            case JobStatus.Auditing or JobStatus.Disputed:
                var audit = await market.AuditOfAsync(jobId, cancellationToken).ConfigureAwait(false);
                var tasks = await market.AuditTasksAsync(jobId, record.TaskCount, cancellationToken).ConfigureAwait(false);
                if (tasks.Count == 0)
                {
                    break;
                }

                if (!IsZero(audit.Verifier) && (AuditPhase)audit.Phase != AuditPhase.AwaitingDraw)
                {
                    recipients.Add((audit.Verifier.ToLowerInvariant(), tasks));
                }

                var dispute = await market.DisputeOfAsync(jobId, cancellationToken).ConfigureAwait(false);
                for (var round = 0; round < dispute.Rounds; round++)
                {
                    var members = (await market.RoundOfAsync(jobId, round, cancellationToken).ConfigureAwait(false)).Members;
                    recipients.AddRange(members.Select(m => (m.ToLowerInvariant(), tasks)));
                }

                break;
        }

        return recipients;
    }

    private static bool IsZero(string? address) => string.IsNullOrEmpty(address) || address.AsSpan(2).IndexOfAnyExcept('0') < 0;
}
