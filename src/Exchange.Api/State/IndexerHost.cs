using Exchange.Api.Accounts;
using Exchange.Api.Infrastructure;
using Exchange.Chain.Indexing;
using Exchange.Storage;
using Microsoft.Extensions.Options;

namespace Exchange.Api.State;

/// <summary>
/// Runs the chain indexer inside the API process when it has an RPC endpoint, into the API's own
/// database, so /jobs, /providers, /stats and /events read state no older than one poll.
/// Waits for the node and its deployment file rather than failing the API's start.
/// </summary>
internal sealed partial class IndexerHost(
    ChainConnection chain, SqliteConnectionFactory connections, IOptions<ApiOptions> options, ILoggerFactory loggers) : BackgroundService
{
    private readonly ILogger _logger = loggers.CreateLogger<IndexerHost>();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var poll = TimeSpan.FromMilliseconds(options.Value.IndexerPollMilliseconds);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    var deployment = await chain.DeploymentAsync(stoppingToken);
                    var indexer = new ChainIndexer(chain.Web3, deployment, connections, new ChainIndexerOptions { PollInterval = poll },
                        loggers.CreateLogger<ChainIndexer>());
                    await indexer.RunAsync(stoppingToken);
                }
                catch (ChainUnavailableException e)
                {
                    LogWaiting(_logger, e.Message);
                    await Task.Delay(poll, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping (or disposed without a stop): a normal end, which the host would
            // otherwise log as a failed background service.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Chain indexer waiting for the chain: {Reason}")]
    private static partial void LogWaiting(ILogger logger, string reason);
}
