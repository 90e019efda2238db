using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Exchange.Api.State;

/// <summary>
/// Watches the indexer's event table and fans each new event out to every live subscriber. One
/// poll of SQLite serves all <c>/events</c> clients; a subscriber that falls behind loses its oldest
/// changes rather than holding memory, and the dashboard re-reads state on any change anyway.
/// </summary>
public sealed partial class ChangeFeed(ChainState state, ILogger<ChangeFeed> logger) : BackgroundService
{
    private const int SubscriberBuffer = 1_000;
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);
    private readonly ConcurrentDictionary<Guid, Channel<ChainChange>> _subscribers = new();

    /// <summary>Changes from now on, until <paramref name="ct"/> is cancelled.</summary>
    public async IAsyncEnumerable<ChainChange> SubscribeAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var id = Guid.NewGuid();
        var channel = Channel.CreateBounded<ChainChange>(new BoundedChannelOptions(SubscriberBuffer) { FullMode = BoundedChannelFullMode.DropOldest });
        _subscribers[id] = channel;
        try
        {
            await foreach (var change in channel.Reader.ReadAllAsync(ct))
            {
                yield return change;
            }
        }
        finally
        {
            _subscribers.TryRemove(id, out _);
        }
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            long? cursor = null;
            using var timer = new PeriodicTimer(PollInterval);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    // Streams start at the newest event when the feed starts; history is what /jobs is for.
                    cursor ??= await state.LatestCursorAsync(stoppingToken);
                    var (changes, next) = await state.ChangesAfterAsync(cursor.Value, stoppingToken);
                    cursor = next;
                    foreach (var change in changes)
                    {
                        foreach (var subscriber in _subscribers.Values)
                        {
                            subscriber.Writer.TryWrite(change);
                        }
                    }
                }
                catch (Microsoft.Data.Sqlite.SqliteException e)
                {
                    LogPollFailed(logger, e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping (or disposed without a stop): a normal end, which the host would
            // otherwise log as a failed background service.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading new chain events for /events failed; retrying")]
    private static partial void LogPollFailed(ILogger logger, Exception exception);
}
