using System.Numerics;
using Exchange.Api.Client;
using Exchange.Core.Jobs;
using Exchange.Core.Manifests;
using Exchange.Core.Privacy;
using NSec.Cryptography;

namespace Exchange.Node.Privacy;

/// <summary>
/// A verifier's or committee member's side of an encrypted job's audit (docs/privacy.md): the keys
/// of the tasks it was drawn for, as the job's provider revealed them to it, each opened with its
/// own X25519 key and checked against the manifest's commitment. It learns no other task's key:
/// none was ever sealed to it.
/// </summary>
/// <param name="api">Where the reveals are read.</param>
/// <param name="encryptionKey">The judge's registered X25519 key.</param>
/// <param name="judge">The judge's address (the reveals' recipient).</param>
/// <param name="wait">How long to wait for a provider that has not revealed yet (it reveals on its next round after the draw).</param>
/// <param name="time">The clock the wait runs on.</param>
public sealed class RevealedKeys(ExchangeApiClient api, Key encryptionKey, string judge, TimeSpan wait, TimeProvider time)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// The committed keys of <paramref name="tasks"/>, by task index. A task is missing when the
    /// provider revealed it no key, or only keys that do not match the commitment (a wrong key is
    /// as good as none: the judge cannot check the work, and the provider is the one who holds the
    /// key). Waits up to the configured time while the provider has revealed nothing at all.
    /// </summary>
    public async Task<IReadOnlyDictionary<int, TaskCipher>> ForTasksAsync(BigInteger jobId, Job job, JobManifest manifest, IReadOnlyList<int> tasks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(tasks);
        var privacy = manifest.Privacy ?? throw new ArgumentException("the job is public: its tasks need no keys", nameof(manifest));
        var until = time.GetUtcNow() + wait;
        while (true)
        {
            var reveals = await ReadAsync(jobId, job, cancellationToken).ConfigureAwait(false);
            var found = new Dictionary<int, TaskCipher>();
            foreach (var index in tasks)
            {
                var opened = reveals
                    .Where(r => r.ManifestHash == job.ManifestHash && r.Keys.ContainsKey(index))
                    .Select(r => TaskCipher.OpenReveal(encryptionKey, privacy, job.ManifestHash, index, manifest.Tasks[index].InputHash, r.Keys[index]))
                    .FirstOrDefault(c => c is not null);
                if (opened is not null)
                {
                    found[index] = opened;
                }
            }

            if (found.Count == tasks.Count || reveals.Count > 0 || time.GetUtcNow() >= until)
            {
                return found;
            }

            await Task.Delay(PollInterval, time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<IReadOnlyList<KeyReveal>> ReadAsync(BigInteger jobId, Job job, CancellationToken cancellationToken)
    {
        try
        {
            return await api.KeyRevealsAsync(jobId, judge, job.Provider, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ExchangeApiException or HttpRequestException)
        {
            return [];
        }
    }
}
