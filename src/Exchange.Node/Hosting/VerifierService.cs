using Exchange.Api.Client;
using Exchange.Inference.Engine;
using Exchange.Node.Verifier;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Nethereum.Signer;

namespace Exchange.Node.Hosting;

/// <summary>The verifier as a hosted service (<c>exchange verifier run</c>).</summary>
public sealed class VerifierService(
    IOptions<NodeOptions> node, IOptions<VerifierOptions> options, EthECKey key, InferenceEngine engine,
    ExchangeApiClient api, TimeProvider time, ILogger<VerifierService> logger) : BackgroundService
{
    /// <summary>The running verifier, once started.</summary>
    public VerifierNode? Node { get; private set; }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = node.Value;
        var market = await NodeFactory.ConnectAsync(settings, key, stoppingToken).ConfigureAwait(false);
        Node = await NodeFactory.CreateVerifierAsync(market, settings, options.Value, key, engine, api, time, logger, stoppingToken).ConfigureAwait(false);
        await NodeLoop.RunAsync(Node.StartAsync, Node.RunOnceAsync, TimeSpan.FromMilliseconds(settings.PollIntervalMs), time, logger, stoppingToken, Node.Rounds,
            NodeSubscription.For(settings, Node.WakeFilters)).ConfigureAwait(false);
    }
}
