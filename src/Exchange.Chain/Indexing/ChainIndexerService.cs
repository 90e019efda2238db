using Microsoft.Extensions.Hosting;

namespace Exchange.Chain.Indexing;

/// <summary>Runs a <see cref="ChainIndexer"/> for the lifetime of a host (register with <c>services.AddHostedService</c>).</summary>
public sealed class ChainIndexerService(ChainIndexer indexer) : BackgroundService
{
    /// <inheritdoc />
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => indexer.RunAsync(stoppingToken);
}
