using System.Diagnostics;
using System.Globalization;
using Exchange.Chain.Deployment;
using Exchange.Chain.Wallets;
using Exchange.Inference.Engine;
using Exchange.Inference.Models;
using Exchange.Local.Demo;
using Exchange.Node.Client;
using Exchange.Node.Hosting;
using Exchange.Node.Provider;
using Exchange.Node.Tests.Privacy;
using Exchange.Node.Tests.Support;
using Exchange.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Exchange.Node.Tests.Network;

/// <summary>
/// Nodes and clients that subscribe to the chain's logs act on a new job or result when its block
/// comes, not at their next poll: a provider and a client that poll once a minute take a job from
/// creation to its result on chain in seconds.
/// </summary>
[Trait("Lane", "Slow")]
[Collection(NetworkTestGroup.Name)]
public sealed class SubscriptionTests : IDisposable
{
    private const int Provider = 1;
    private const int Client = 8;
    private static readonly TimeSpan Poll = TimeSpan.FromMinutes(1);

    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_provider_and_a_client_that_poll_once_a_minute_take_a_job_to_its_result_in_seconds_when_they_subscribe()
    {
        await using var network = await LocalNetwork.StartAsync(null, TestNetwork.Deployment(auditRateBps: 10_000), TestNetwork.Funded(Provider, Client), _folder.File("net"), CancellationToken.None);
        Assert.NotNull(network.WsUrl);
        await using var engine = new InferenceEngine(new ModelRegistry(new ModelStore(Path.Combine(Path.GetTempPath(), "exchange-test-models"))));
        var node = new NodeOptions
        {
            RpcUrl = network.RpcUrl, WsUrl = network.WsUrl, ApiUrls = [network.ApiUrl], DataDirectory = _folder.File("provider"), Deployment = network.DeploymentPath,
            PollIntervalMs = (int)Poll.TotalMilliseconds,
        };
        var options = new ProviderOptions { Model = TestNetwork.Model, UnitPrice = MarketParameters.Tokens(1).ToString(CultureInfo.InvariantCulture), Stake = MarketParameters.Tokens(1_000).ToString(CultureInfo.InvariantCulture) };
        var key = DevAccounts.Key(Provider);
        var logs = new CapturedLogs();
        var provider = await NodeFactory.CreateProviderAsync(network.Market(key), node, options, key, engine, network.Api(), TimeProvider.System, logs.CreateLogger("provider"), CancellationToken.None);
        var client = TestNetwork.Client(network, Client, network.WsUrl);
        // Rounds by hand until the API lists the offer (it publishes once the API has indexed its collateral).
        await provider.StartAsync(CancellationToken.None);
        var offer = await TestNetwork.WaitForAsync(async () =>
        {
            await provider.RunOnceAsync(CancellationToken.None);
            return await TestNetwork.OfferOfAsync(network, client, provider.Address).WaitAsync(TimeSpan.FromSeconds(1)).ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : null, TaskScheduler.Default);
        }, "the provider's offer", () => logs.Text);
        // From here on the provider polls once a minute: its first round runs now, the next a minute later, unless woken.
        using var stop = new CancellationTokenSource();
        var loop = NodeLoop.RunAsync(_ => Task.CompletedTask, provider.RunOnceAsync, Poll, TimeProvider.System, NullLogger.Instance, stop.Token, provider.Rounds, NodeSubscription.For(node, provider.WakeFilters));
        await Task.Delay(TimeSpan.FromSeconds(2));

        var job = await TestNetwork.CreateJobAsync(network, client, provider.Address, 4, TimeSpan.FromMinutes(10));
        var clock = Stopwatch.StartNew();
        var computed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var waiting = new CancellationTokenSource();
        var wait = client.WaitAsync([job], new SynchronousProgress<ClientProgress>(p => { if (p.Computed == p.Total) computed.TrySetResult(); }), Poll, waiting.Token);
        await computed.Task.WaitAsync(TimeSpan.FromSeconds(45));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"the result was seen after {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.NotNull(offer);
        await waiting.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => loop);
    }
}
