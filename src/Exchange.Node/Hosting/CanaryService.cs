using Exchange.Api.Client;
using Exchange.Inference.Engine;
using Exchange.Node.Canary;
using Exchange.Node.Provider;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Exchange.Node.Hosting;

/// <summary>The canary service as a hosted service (<c>exchange canary run</c>); it stops the host once its last canary ended when it has a limit.</summary>
public sealed class CanaryService(
    IOptions<NodeOptions> node, IOptions<CanaryOptions> options, IOptions<ProviderOptions> provider, CanaryKeys keys, InferenceEngine engine,
    ExchangeApiClient api, TimeProvider time, IHostApplicationLifetime lifetime, ILogger<CanaryService> logger) : BackgroundService
{
    /// <summary>The running canary, once started.</summary>
    public CanaryNode? Node { get; private set; }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = node.Value;
        Node = await NodeFactory.CreateCanaryAsync(settings, options.Value, provider.Value, keys, engine, api, time, logger, stoppingToken).ConfigureAwait(false);
        var canary = Node;
        await NodeLoop.RunAsync(canary.StartAsync, async ct =>
        {
            await canary.RunOnceAsync(ct).ConfigureAwait(false);
            if (canary.Finished)
            {
                lifetime.StopApplication();
            }
        }, TimeSpan.FromMilliseconds(settings.PollIntervalMs), time, logger, stoppingToken).ConfigureAwait(false);
    }
}
