using Exchange.Api.Client;
using Exchange.Inference.Engine;
using Exchange.Node.Provider;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Nethereum.Signer;

namespace Exchange.Node.Hosting;

/// <summary>The provider as a hosted service (<c>exchange provider run</c>).</summary>
public sealed class ProviderService(
    IOptions<NodeOptions> node, IOptions<ProviderOptions> options, EthECKey key, InferenceEngine engine,
    ExchangeApiClient api, TimeProvider time, ILogger<ProviderService> logger) : BackgroundService
{
    /// <summary>The running provider, once started.</summary>
    public ProviderNode? Node { get; private set; }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = node.Value;
        var market = await NodeFactory.ConnectAsync(settings, key, stoppingToken).ConfigureAwait(false);
        Node = await NodeFactory.CreateProviderAsync(market, settings, options.Value, key, engine, api, time, logger, stoppingToken).ConfigureAwait(false);
        await NodeLoop.RunAsync(Node.StartAsync, Node.RunOnceAsync, TimeSpan.FromMilliseconds(settings.PollIntervalMs), time, logger, stoppingToken, Node.Rounds,
            NodeSubscription.For(settings, Node.WakeFilters)).ConfigureAwait(false);
    }
}
