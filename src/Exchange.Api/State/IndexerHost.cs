using Exchange.Api.Accounts;
using Exchange.Api.Infrastructure;
using Exchange.Chain.Indexing;
using Exchange.Storage;
using Microsoft.Extensions.Options;

namespace Exchange.Api.State;

/// <summary>
/// Runs the chain indexer inside the API process when it has an RPC endpoint, into the API's own
/// database, so /jobs, /providers, /stats and /events read state no older than one poll.
/// Waits for the node and its deployment file rather than failing the API's start. On stop it
/// indexes once more, up to the head of that moment.
/// </summary>
internal sealed partial class IndexerHost(
    ChainConnection chain, SqliteConnectionFactory connections, IOptions<ApiOptions> options, ILoggerFactory loggers) : BackgroundService, IAsyncDisposable
{
    // A stop must not wait long on a chain that is going away too.
    private static readonly TimeSpan FinalSyncTimeout = TimeSpan.FromSeconds(5);

    private readonly ILogger _logger = loggers.CreateLogger<IndexerHost>();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var poll = TimeSpan.FromMilliseconds(options.Value.IndexerPollMilliseconds);
        ChainIndexer? indexer = null;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    var deployment = await chain.DeploymentAsync(stoppingToken);
                    indexer = new ChainIndexer(chain.Web3, deployment, connections, new ChainIndexerOptions { PollInterval = poll },
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

        if (indexer is not null)
        {
            await FinalSyncAsync(indexer);
        }
    }

    /// <summary>
    /// A host disposed without a stop (the demo disposes its API, then stops the chain) only
    /// cancels the loop; waiting here lets the last sync end before the chain or the process does.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        Dispose();
        if (ExecuteTask is { } running)
        {
            await running.WaitAsync(FinalSyncTimeout * 2).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>
    /// A process that stops as the chain moves (the demo stops its API as the last jobs settle) would
    /// otherwise leave an index up to one poll behind, and whoever opens the database afterwards
    /// would read jobs still in flight and verifiers without their last verdicts.
    /// </summary>
    private async Task FinalSyncAsync(ChainIndexer indexer)
    {
        using var timeout = new CancellationTokenSource(FinalSyncTimeout);
        try
        {
            await indexer.SyncOnceAsync(timeout.Token);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogFinalSyncFailed(_logger, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Chain indexer could not index the last blocks on stop")]
    private static partial void LogFinalSyncFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Chain indexer waiting for the chain: {Reason}")]
    private static partial void LogWaiting(ILogger logger, string reason);
}
