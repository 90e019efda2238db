using System.Security.Cryptography;
using Exchange.Chain.Bindings;
using Exchange.Chain.Deployment;
using Exchange.Chain.Wallets;
using Exchange.Core.Hashing;
using Exchange.Core.Jobs;
using Exchange.Core.Manifests;
using Exchange.Core.Merkle;
using Exchange.Core.Privacy;
using Exchange.Core.Tensors;
using Exchange.Inference.Calibration;
using Exchange.Node.Api;
using Exchange.Node.Client;
using Exchange.Node.Demo;
using Exchange.Node.Offers;
using Exchange.Node.Queues;
using Exchange.Node.Tests.Support;
using Exchange.TestSupport;
using Microsoft.Data.Sqlite;

namespace Exchange.Node.Tests.Privacy;

/// <summary>
/// A client that encrypted garbage cannot get an honest provider slashed: the provider checks every
/// encrypted input and commitment before accepting, declines what does not hold, and nobody pays.
/// </summary>
[Collection(NetworkTestGroup.Name)]
public sealed class PrivateDeclineTests : IDisposable
{
    private const int Provider = 1;
    private const int Client = 8;

    private readonly TempDirectory _folder = new();
    private readonly HttpClient _http = new();

    public void Dispose()
    {
        _http.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public async Task Jobs_whose_ciphertext_does_not_decrypt_or_whose_commitment_is_wrong_are_declined_without_penalty_and_without_a_key_in_the_reason()
    {
        await using var network = await LocalNetwork.StartAsync(null, TestNetwork.Deployment(auditRateBps: 10_000), TestNetwork.Funded(Provider, Client), _folder.File("net"), CancellationToken.None);
        using var provider = TestNetwork.StartProvider(network, Provider, _folder.File("provider"), minTurnaround: 5);
        var client = TestNetwork.Client(network, Client, _http);
        var api = new ExchangeApiClient(_http, [network.ApiUrl], DevAccounts.Key(Client), TimeProvider.System);
        var offer = await TestNetwork.WaitForAsync(async () =>
            (await OfferBook.ListAsync(api, client.Card.ModelId, null, null, client.Market.Domain, default)) is [var first, ..] ? first : null, "the provider's offer", provider.Tail);
        var providerKey = Bytes32.FromBytes(await client.Market.EncryptionKeyAsync(DevAccounts.Address(Provider), default));
        Assert.False(providerKey.IsZero);

        // The API stores blobs only for funded accounts.
        await client.DepositAsync(MarketParameters.Tokens(100), default);
        var image = ClientTask.FromImage("image.png", SyntheticImages.Png(1, 3, 224, 224)[0], client.Card);
        var npy = Npy.Write(image.Inputs[0]);
        var wallet = DevAccounts.Key(Client).GetPrivateKeyAsBytes();

        // Garbage: random bytes where the input's ciphertext should be; the commitment is honest.
        var garbage = JobCipher.NewForClient(wallet);
        var garbageHash = await api.PutBlobAsync(RandomNumberGenerator.GetBytes(npy.Length + PayloadCipher.Overhead), default);
        var garbageJob = await PrepareAsync(api, client, offer, garbage, garbageHash, garbage.Privacy(providerKey, [garbageHash]));

        // A right ciphertext, but a commitment to a key the secret does not give.
        var wrong = JobCipher.NewForClient(wallet);
        var sealedInput = wrong.Task(0).EncryptInput(0, npy);
        var inputHash = await api.PutBlobAsync(sealedInput, default);
        var privacy = wrong.Privacy(providerKey, [inputHash]) with { KeyCommitments = new[] { KeySchedule.Commitment(0, inputHash, RandomNumberGenerator.GetBytes(32)) } };
        var wrongJob = await PrepareAsync(api, client, offer, wrong, inputHash, privacy);

        await client.EnsureBalanceAsync(await client.CostAsync([garbageJob, wrongJob], default), default);
        var balance = await client.Market.MarketBalanceAsync(client.Market.Address, default);
        var collateral = (await client.Market.MarketAccountAsync(DevAccounts.Address(Provider), default)).Collateral;
        var stake = (await client.Market.VaultAccountAsync(DevAccounts.Address(Provider), default)).Stake;
        var jobs = await client.CreateAsync([garbageJob, wrongJob], TimeSpan.FromMinutes(10), 2, null, default);

        var queue = new ProviderJobStore(await NodeDatabase.OpenAsync(_folder.File("provider/provider.db"), default), TimeProvider.System);
        foreach (var job in jobs)
        {
            await TestNetwork.WaitForAsync(async () => (await queue.FindAsync(job.JobId, default))?.State == ProviderJobStore.Declined ? new object() : null, $"the provider to decline job {job.JobId}", provider.Tail);
        }

        var statuses = await client.WaitAsync(jobs, null, TimeSpan.FromMilliseconds(500), default);
        Assert.All(jobs, job => Assert.Equal(JobStatus.Expired, statuses[job.JobId]));
        foreach (var job in jobs)
        {
            Assert.Equal(0, await TestNetwork.CountEventsAsync<JobAcceptedEventDTO>(network, job.JobId));
            Assert.Equal(1, await TestNetwork.CountEventsAsync<JobDeclinedEventDTO>(network, job.JobId));
        }

        Assert.Equal(balance, await client.Market.MarketBalanceAsync(client.Market.Address, default));
        Assert.Equal(collateral, (await client.Market.MarketAccountAsync(DevAccounts.Address(Provider), default)).Collateral);
        Assert.Equal(stake, (await client.Market.VaultAccountAsync(DevAccounts.Address(Provider), default)).Stake);

        // The reasons say what is wrong, and quote no key: neither the task keys nor the job secrets.
        var reasons = await ReasonsAsync();
        Assert.Contains(reasons, r => r.Contains("does not decrypt under the task's committed key", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.Contains("key commitment is not the key the job secret gives", StringComparison.Ordinal));
        var keys = new[] { garbage.Task(0).Key.ToArray(), wrong.Task(0).Key.ToArray(), KeySchedule.ClientJobSecret(wallet, garbage.Salt.ToArray()), KeySchedule.ClientJobSecret(wallet, wrong.Salt.ToArray()) };
        var text = string.Join('\n', reasons) + provider.Tail();
        Assert.All(keys, key => Assert.DoesNotContain(Convert.ToHexStringLower(key), text, StringComparison.OrdinalIgnoreCase));
    }

    private static async Task<PreparedJob> PrepareAsync(ExchangeApiClient api, ClientSession client, SignedOffer offer, JobCipher cipher, Bytes32 inputHash, JobPrivacy privacy)
    {
        var manifest = new JobManifest(client.Card.ModelId, new[] { new ManifestTask(0, new[] { new BlobRef(client.Card.Inputs[0].Name, inputHash) }) }, privacy);
        Assert.Equal(cipher.Salt, manifest.Privacy!.Salt);
        await api.PutBlobAsync(manifest.ToCanonicalJson(), default);
        return new PreparedJob(new JobSlice(0, 0, 1), offer, manifest, MerkleLeaves.TaskTree(manifest.InputHashes).Root);
    }

    private async Task<List<string>> ReasonsAsync()
    {
        await using var connection = new SqliteConnection($"Data Source={_folder.File("provider/provider.db")};Mode=ReadOnly");
        await connection.OpenAsync();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT last_error FROM provider_jobs WHERE state = 'declined'";
        var reasons = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            reasons.Add(reader.GetString(0));
        }

        return reasons;
    }
}
