using System.Globalization;
using System.Text.Json;
using Exchange.Api.Client;
using Exchange.Chain.Wallets;
using Exchange.Inference.Models;
using Exchange.Inference.Text;
using Exchange.Local.Demo;
using Exchange.Node.Offers;
using Exchange.Node.Tests.Support;
using Exchange.TestSupport;

namespace Exchange.Node.Tests.Network;

/// <summary>The semantic-search example of docs/workloads.md, command for command, against a small live network.</summary>
[Trait("Lane", "Slow")]
[Collection(NetworkTestGroup.Name)]
public sealed class SemanticSearchTests : IDisposable
{
    private const int Provider = 1;
    private const int Client = 8;

    // The document uses 300 sentences; fewer keep the test short on two cores and change nothing it checks.
    private const int Sentences = 60;

    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Sentences_embedded_through_the_exchange_rank_a_query_as_local_embeddings_do()
    {
        await using var network = await LocalNetwork.StartAsync(null, TestNetwork.Deployment(auditRateBps: 10_000), TestNetwork.Funded(Provider, Client), _folder.File("net"), CancellationToken.None);
        using var provider = NodeProcess.Start(
            "provider", "run", "--dev-account", Provider.ToString(CultureInfo.InvariantCulture), "--rpc", network.RpcUrl.ToString(), "--api", network.ApiUrl.ToString(),
            "--deployment", network.DeploymentPath, "--data", _folder.File("provider"), "--model", BuiltInModels.MiniLm, "--unit-price", "1", "--stake", "1000");
        var card = new ModelRegistry(new ModelStore(_folder.File("models"))).Resolve(BuiltInModels.MiniLm).Card;
        var api = network.Api();
        var domain = network.Market(DevAccounts.Key(Client)).Domain;
        await TestNetwork.WaitForAsync(async () => (await OfferDirectory.ListAsync(api, card.ModelId, null, null, domain, default)) is [var offer, ..] ? offer : null, "the provider's minilm offer", provider.Tail);

        var sentences = _folder.File("sentences.txt");
        var sample = await Exchange("text", "sample", "--count", Sentences.ToString(CultureInfo.InvariantCulture), "--out", sentences);
        var submit = await Exchange(
            "client", "submit", "--dev-account", Client.ToString(CultureInfo.InvariantCulture), "--rpc", network.RpcUrl.ToString(), "--api", network.ApiUrl.ToString(),
            "--deployment", network.DeploymentPath, "--model", BuiltInModels.MiniLm, "--input", sentences, "--tasks-per-job", "30", "--wait", "--out", _folder.File("embeddings"), "--json");
        var search = await Exchange(
            "text", "search", "--model", BuiltInModels.MiniLm, "--texts", sentences, "--embeddings", _folder.File("embeddings"),
            "--query", "How do I bake bread at home?", "--top", "3", "--compare-local", "--device", "cpu", "--json");

        Assert.True(sample.ExitCode == 0, sample.Stderr);
        Assert.True(submit.ExitCode == 0, submit.Stderr + provider.Tail());
        using var summary = JsonDocument.Parse(submit.Stdout);
        Assert.Equal(Sentences, summary.RootElement.GetProperty("tasks").GetInt32());
        Assert.Equal(2, summary.RootElement.GetProperty("settled").GetInt32());
        Assert.Equal(Sentences, summary.RootElement.GetProperty("outputsWritten").GetInt32());
        Assert.Equal("sentences-line01.embedding.npy", Path.GetFileName(Directory.GetFiles(_folder.File("embeddings")).Order().First()));

        Assert.True(search.ExitCode == 0, search.Stdout + search.Stderr);
        using var result = JsonDocument.Parse(search.Stdout);
        var hits = result.RootElement.GetProperty("hits").EnumerateArray().ToList();
        Assert.Equal(3, hits.Count);
        // Sentence i is about topic i % 10: cooking sentences are on lines 1, 11, 21…
        Assert.All(hits, h => Assert.Equal(1, h.GetProperty("line").GetInt32() % 10));
        Assert.Equal("cooking", SyntheticSentences.Topics[0]);
        var local = result.RootElement.GetProperty("local");
        Assert.Equal(Sentences, local.GetProperty("passed").GetInt32());
        Assert.True(local.GetProperty("minCosine").GetDouble() >= BuiltInModels.MiniLmPolicy.MinCosine);
        Assert.True(local.GetProperty("sameTop").GetBoolean());
    }

    private Task<ExchangeCli.Result> Exchange(params string[] args) =>
        ExchangeCli.RunAsync(_folder.Path, new Dictionary<string, string> { ["EXCHANGE_MODEL_STORE"] = _folder.File("models") }, args);
}
