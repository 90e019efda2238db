using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text.Json;
using Exchange.Api.Client;
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
using Exchange.Local.Demo;
using Exchange.Node.Chain;
using Exchange.Node.Client;
using Exchange.Node.Offers;
using Exchange.Node.Queues;
using Exchange.Node.Tests.Support;
using Exchange.TestSupport;
using Microsoft.Data.Sqlite;

namespace Exchange.Node.Tests.Network;

/// <summary>
/// A provider never accepts a job it cannot do: data that is missing, or inputs not valid for the
/// model (NaN, a batch of no rows). It declines the job on chain before the deadline, the client
/// gets everything back, the provider loses nothing and goes on with its other work. The client's
/// own command refuses invalid inputs before any transaction, and reclaims a job nobody answered
/// with <c>client expire</c> once it is overdue.
/// </summary>
[Trait("Lane", "Slow")]
[Collection(NetworkTestGroup.Name)]
public sealed class DeclineTests : IDisposable
{
    private const int Provider = 1;
    private const int Client = 8;

    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_job_whose_manifest_is_missing_is_declined_on_chain_before_its_deadline_without_penalty()
    {
        await using var network = await LocalNetwork.StartAsync(null, TestNetwork.Deployment(auditRateBps: 10_000), TestNetwork.Funded(Provider, Client), _folder.File("net"), CancellationToken.None);
        using var provider = TestNetwork.StartProvider(network, Provider, _folder.File("provider"), minTurnaround: 5);
        var client = TestNetwork.Client(network, Client);
        var offer = await OfferAsync(network, client, provider);

        // A manifest that was never uploaded: its input is nowhere either.
        var input = new BlobRef(client.Card.Inputs[0].Name, BlobAddress.Of([1, 2, 3]));
        var missing = new JobManifest(client.Card.ModelId, new[] { new ManifestTask(0, new[] { input }) });
        var prepared = new PreparedJob(new JobSlice(0, 0, 1), offer, missing, MerkleLeaves.TaskTree(missing.InputHashes).Root);
        await client.EnsureBalanceAsync(await client.CostAsync([prepared], default), default);
        var before = await HoldingsAsync(client);

        // A deadline far enough away that only the provider's decline can end the job within the test.
        var job = Assert.Single(await client.CreateAsync([prepared], TimeSpan.FromMinutes(10), 1, null, default));
        await DeclinedAsync(network, client, provider, [job]);
        Assert.Equal(before, await HoldingsAsync(client));
    }

    [Fact]
    public async Task Invalid_inputs_cost_nobody_and_a_job_nobody_answers_is_reclaimed_with_expire()
    {
        await using var network = await LocalNetwork.StartAsync(null, TestNetwork.Deployment(auditRateBps: 10_000), TestNetwork.Funded(Provider, Client), _folder.File("net"), CancellationToken.None);
        using var provider = TestNetwork.StartProvider(network, Provider, _folder.File("provider"), minTurnaround: 5);
        var client = TestNetwork.Client(network, Client);
        var offer = await OfferAsync(network, client, provider);
        var spec = client.Card.Inputs[0];
        var nan = new float[3 * 224 * 224];
        nan[17] = float.NaN;
        var nanTensor = Tensor.Create<float>(nan, 1, 3, 224, 224);
        var emptyTensor = Tensor.Create<float>(ReadOnlySpan<float>.Empty, 0, 3, 224, 224);
        var inputs = Directory.CreateDirectory(_folder.File("in")).FullName;
        File.WriteAllBytes(Path.Combine(inputs, "nan.npy"), Npy.Write(nanTensor));
        File.WriteAllBytes(Path.Combine(inputs, "empty.npy"), Npy.Write(emptyTensor));
        var png = SyntheticImages.Png(2, 9, 224, 224);
        File.WriteAllBytes(Path.Combine(inputs, "grad.png"), png[0]);
        File.WriteAllBytes(Path.Combine(inputs, "grad.jpeg"), png[1]);
        var output = _folder.File("out");

        // The command refuses each before a single transaction, naming the file and the problem.
        foreach (var (file, problem) in new[] { ("nan.npy", "element 17 is NaN"), ("empty.npy", "has 0 rows") })
        {
            var refused = await Submit([Path.Combine(inputs, "grad.png"), Path.Combine(inputs, file), "--wait", "--out", output, "--json"]);
            Assert.Equal(1, refused.ExitCode);
            Assert.Single(refused.Stderr.Trim().Split('\n'));
            Assert.Contains($"{file}: '{spec.Name}' ", refused.Stderr, StringComparison.Ordinal);
            Assert.Contains(problem, refused.Stderr, StringComparison.Ordinal);
        }

        Assert.Equal(BigInteger.Zero, (await network.Web3.Eth.Transactions.GetTransactionCount.SendRequestAsync(DevAccounts.Address(Client))).Value);
        Assert.False(Directory.Exists(output));

        // A hand-made client deposits (the API stores blobs for funded accounts), uploads the tensors and creates the jobs directly.
        await client.DepositAsync(MarketParameters.Tokens(10), default);
        var prepared = new List<PreparedJob>();
        foreach (var tensor in new[] { nanTensor, emptyTensor })
        {
            var hash = await UploadAsync(Npy.Write(tensor));
            var manifest = new JobManifest(client.Card.ModelId, new[] { new ManifestTask(0, new[] { new BlobRef(spec.Name, hash) }) });
            await UploadAsync(manifest.ToCanonicalJson());
            prepared.Add(new PreparedJob(new JobSlice(0, prepared.Count, 1), offer, manifest, MerkleLeaves.TaskTree(manifest.InputHashes).Root));
        }

        await client.EnsureBalanceAsync(await client.CostAsync(prepared, default), default);
        var before = await HoldingsAsync(client);
        var jobs = await client.CreateAsync(prepared, TimeSpan.FromMinutes(10), 2, null, default);
        await DeclinedAsync(network, client, provider, jobs);
        Assert.True(provider.Wrote("float32 inputs must be finite"), provider.Tail());
        Assert.True(provider.Wrote("has 0 rows along its batch dimension"), provider.Tail());
        Assert.Equal(before, await HoldingsAsync(client));

        // The provider goes on with valid work, and grad.png and grad.jpeg give two outputs.
        var run = await Submit([Path.Combine(inputs, "grad.png"), Path.Combine(inputs, "grad.jpeg"), "--wait", "--out", output, "--json"]);
        Assert.True(run.ExitCode == 0, run.Stderr + provider.Tail());
        using var summary = JsonDocument.Parse(run.Stdout);
        Assert.Equal(2, summary.RootElement.GetProperty("outputsWritten").GetInt32());
        Assert.All(summary.RootElement.GetProperty("outcomes").EnumerateArray(), o => Assert.Equal("settled-unaudited", o.GetProperty("outcome").GetString()));
        var name = client.Card.Outputs[0].Name;
        Assert.Equal([$"grad.jpeg.{name}.npy", $"grad.png.{name}.npy"], Directory.GetFiles(output).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        // That client sent invalid data before: its valid job was computed only once checked, not during the check.
        Assert.True(provider.Wrote($"computed only after its check: its client {client.Market.Address} sent a job with invalid or missing data before"), provider.Tail());

        // A job nobody answers (its provider is gone): expire refuses it until it is overdue, then refunds it.
        provider.KillHard();
        var orphanTask = ClientTask.FromImage("orphan.png", png[0], client.Card);
        var orphan = Assert.Single(await client.CreateAsync(await client.PrepareAsync([orphanTask], [offer], 1, null, default), TimeSpan.FromSeconds(20), 1, null, default));
        var id = orphan.JobId.ToString(CultureInfo.InvariantCulture);
        var early = await Cli("expire", id);
        Assert.Equal(1, early.ExitCode);
        Assert.Matches($"job {id} is due \\d{{4}}-\\d{{2}}-\\d{{2}}T\\d{{2}}:\\d{{2}}:\\d{{2}}Z; it can expire after that", early.Stderr);
        await network.Web3.Client.SendRequestAsync<object>("evm_increaseTime", null, 120);
        await network.Web3.Client.SendRequestAsync<object>("evm_mine", null);
        var beforeExpiry = await client.Market.MarketBalanceAsync(client.Market.Address, default);
        var expired = await Cli("expire", id, "--json");
        Assert.True(expired.ExitCode == 0, expired.Stderr);
        using (var refunds = JsonDocument.Parse(expired.Stdout))
        {
            var refund = Assert.Single(refunds.RootElement.EnumerateArray().ToList());
            var refunded = await client.Market.MarketBalanceAsync(client.Market.Address, default) - beforeExpiry;
            Assert.Equal(TokenUnits.Format(refunded), refund.GetProperty("refund").GetString());
            Assert.True(refunded > 0);
        }

        var again = await Cli("expire", id);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains($"job {id} is expired: only a job still waiting for its result can expire", again.Stderr, StringComparison.Ordinal);

        Task<ExchangeCli.Result> Submit(string[] args) => Cli(["submit", "--model", TestNetwork.Model, "--input", .. args]);

        Task<ExchangeCli.Result> Cli(params string[] args) => ExchangeCli.RunAsync(
            _folder.Path, new Dictionary<string, string> { ["EXCHANGE_MODEL_STORE"] = _folder.File("models") },
            [
                "client", .. args, "--dev-account", Client.ToString(CultureInfo.InvariantCulture), "--rpc", network.RpcUrl.ToString(),
                "--api", network.ApiUrl.ToString(), "--deployment", network.DeploymentPath,
            ]);

        Task<Bytes32> UploadAsync(byte[] bytes) => network.Api(DevAccounts.Key(Client)).PutBlobAsync(bytes, default);
    }

    [Fact]
    public async Task Encrypted_jobs_whose_ciphertext_does_not_decrypt_or_whose_commitment_is_wrong_are_declined_without_penalty_and_without_a_key_in_the_reason()
    {
        await using var network = await LocalNetwork.StartAsync(null, TestNetwork.Deployment(auditRateBps: 10_000), TestNetwork.Funded(Provider, Client), _folder.File("net"), CancellationToken.None);
        using var provider = TestNetwork.StartProvider(network, Provider, _folder.File("provider"), minTurnaround: 5);
        var client = TestNetwork.Client(network, Client);
        var offer = await OfferAsync(network, client, provider);
        var api = network.Api(DevAccounts.Key(Client));
        var providerKey = Bytes32.FromBytes(await client.Market.EncryptionKeyAsync(DevAccounts.Address(Provider), default));
        Assert.False(providerKey.IsZero);

        // The API stores blobs only for funded accounts.
        await client.DepositAsync(MarketParameters.Tokens(10), default);
        var npy = Npy.Write(ClientTask.FromImage("image.png", SyntheticImages.Png(1, 3, 224, 224)[0], client.Card).Inputs[0]);
        var wallet = DevAccounts.Key(Client).GetPrivateKeyAsBytes();

        // Garbage: random bytes where the input's ciphertext should be; the commitment is honest.
        var garbage = JobCipher.NewForClient(wallet);
        var garbageHash = await api.PutBlobAsync(RandomNumberGenerator.GetBytes(npy.Length + PayloadCipher.Overhead), default);
        var garbageJob = await EncryptedJobAsync(api, client, offer, garbageHash, garbage.Privacy(providerKey, [garbageHash]));

        // A right ciphertext, but a commitment to a key the secret does not give.
        var wrong = JobCipher.NewForClient(wallet);
        var inputHash = await api.PutBlobAsync(wrong.Task(0).EncryptInput(0, npy), default);
        var privacy = wrong.Privacy(providerKey, [inputHash]) with { KeyCommitments = new[] { KeySchedule.Commitment(0, inputHash, RandomNumberGenerator.GetBytes(32)) } };
        var wrongJob = await EncryptedJobAsync(api, client, offer, inputHash, privacy);

        await client.EnsureBalanceAsync(await client.CostAsync([garbageJob, wrongJob], default), default);
        var before = await HoldingsAsync(client);
        var jobs = await client.CreateAsync([garbageJob, wrongJob], TimeSpan.FromMinutes(10), 2, null, default);
        await DeclinedAsync(network, client, provider, jobs);
        Assert.Equal(before, await HoldingsAsync(client));

        // The reasons say what is wrong, and quote no key: neither the task keys nor the job secrets.
        var reasons = await DeclineReasonsAsync(jobs);
        Assert.Contains(reasons, r => r.Contains("does not decrypt under the task's committed key", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.Contains("key commitment is not the key the job secret gives", StringComparison.Ordinal));
        var keys = new[] { garbage.Task(0).Key.ToArray(), wrong.Task(0).Key.ToArray(), KeySchedule.ClientJobSecret(wallet, garbage.Salt.ToArray()), KeySchedule.ClientJobSecret(wallet, wrong.Salt.ToArray()) };
        var text = string.Join('\n', reasons) + provider.Tail();
        Assert.All(keys, key => Assert.DoesNotContain(Convert.ToHexStringLower(key), text, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>A one-task job whose manifest carries <paramref name="privacy"/>, uploaded.</summary>
    private static async Task<PreparedJob> EncryptedJobAsync(ExchangeApiClient api, ClientSession client, SignedOffer offer, Bytes32 inputHash, JobPrivacy privacy)
    {
        var manifest = new JobManifest(client.Card.ModelId, new[] { new ManifestTask(0, new[] { new BlobRef(client.Card.Inputs[0].Name, inputHash) }) }, privacy);
        await api.PutBlobAsync(manifest.ToCanonicalJson(), default);
        return new PreparedJob(new JobSlice(0, 0, 1), offer, manifest, MerkleLeaves.TaskTree(manifest.InputHashes).Root);
    }

    /// <summary>
    /// The reasons the provider recorded for declining <paramref name="jobs"/>. A declined job that has
    /// since expired on chain is marked done, and keeps its reason, so the state is not the filter.
    /// </summary>
    private async Task<List<string>> DeclineReasonsAsync(IReadOnlyList<ClientJob> jobs)
    {
        await using var connection = new SqliteConnection($"Data Source={_folder.File("provider/provider.db")};Mode=ReadOnly");
        await connection.OpenAsync();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT last_error FROM provider_jobs WHERE last_error IS NOT NULL AND job_id IN ({string.Join(',', jobs.Select(j => $"'{j.JobId.ToString(CultureInfo.InvariantCulture)}'"))})";
        var reasons = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            reasons.Add(reader.GetString(0));
        }

        return reasons;
    }

    private static async Task<SignedOffer> OfferAsync(LocalNetwork network, ClientSession client, NodeProcess provider)
    {
        var api = network.Api();
        return await TestNetwork.WaitForAsync(async () =>
            (await OfferDirectory.ListAsync(api, client.Card.ModelId, null, null, client.Market.Domain, default)) is [var first, ..] ? first : null, "the provider's offer", provider.Tail);
    }

    /// <summary>The client's market balance, the provider's free collateral and its stake: what a decline must leave as it was.</summary>
    private static async Task<(BigInteger Balance, BigInteger Collateral, BigInteger Stake)> HoldingsAsync(ClientSession client) => (
        await client.Market.MarketBalanceAsync(client.Market.Address, default),
        (await client.Market.MarketAccountAsync(DevAccounts.Address(Provider), default)).Collateral,
        (await client.Market.VaultAccountAsync(DevAccounts.Address(Provider), default)).Stake);

    /// <summary>Waits for the provider to decline each job, then checks that each ended expired, declined on chain and never accepted.</summary>
    private async Task DeclinedAsync(LocalNetwork network, ClientSession client, NodeProcess provider, IReadOnlyList<ClientJob> jobs)
    {
        var queue = new ProviderJobStore(await NodeDatabase.OpenAsync(_folder.File("provider/provider.db"), default), TimeProvider.System);
        foreach (var job in jobs)
        {
            // Declined, or already done: the decline expires the job on chain, and the provider then marks it done.
            await TestNetwork.WaitForAsync(async () => await queue.FindAsync(job.JobId, default) is { State: ProviderJobStore.Declined or ProviderJobStore.Done } row ? row : null, $"the provider to decline job {job.JobId}", provider.Tail);
        }

        var statuses = await client.WaitAsync(jobs, null, TimeSpan.FromMilliseconds(500), default);
        foreach (var job in jobs)
        {
            Assert.Equal(JobStatus.Expired, statuses[job.JobId]);
            Assert.Equal(0, await TestNetwork.CountEventsAsync<JobAcceptedEventDTO>(network, job.JobId));
            Assert.Equal(1, await TestNetwork.CountEventsAsync<JobDeclinedEventDTO>(network, job.JobId));
        }
    }
}
