using Exchange.Api.State;
using Exchange.Storage;
using Exchange.TestSupport;
using Microsoft.Extensions.Logging;

namespace Exchange.Api.Tests.State;

/// <summary>A host that stops (or is disposed without a stop) ends the change feed normally, so it logs no failed background service.</summary>
public sealed class ChangeFeedShutdownTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Disposing_the_running_feed_ends_it_without_a_cancellation_fault()
    {
        // An empty database has no index tables yet: each poll logs a retry, which shows the loop runs.
        var polled = new FirstLog();
        var feed = new ChangeFeed(new ChainState(new SqliteConnectionFactory(_folder.File("api.db"))), polled);
        await feed.StartAsync(CancellationToken.None);
        await polled.Written.Task.WaitAsync(TimeSpan.FromSeconds(10));

        // What the host's DisposeAsync does when the app is disposed without StopAsync.
        feed.Dispose();
        await feed.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);

        Assert.Equal(TaskStatus.RanToCompletion, feed.ExecuteTask.Status);
    }

    private sealed class FirstLog : ILogger<ChangeFeed>
    {
        public TaskCompletionSource Written { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Written.TrySetResult();
    }
}
