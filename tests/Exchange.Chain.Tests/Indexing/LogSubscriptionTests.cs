using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Exchange.Chain.Bindings;
using Exchange.Chain.Indexing;
using Exchange.Chain.Wallets;
using Exchange.TestSupport;
using Microsoft.Extensions.Logging;

namespace Exchange.Chain.Tests.Indexing;

/// <summary>
/// The log subscription on a real chain (Hardhat's WebSocket endpoint): a matching log wakes its
/// reader and another does not; a dropped connection comes back and wakes again; a refused
/// subscription is logged and retried, never thrown; cancelling ends it.
/// </summary>
[Trait("Lane", "Slow")]
[Collection(ChainFixture.Collection)]
public sealed class LogSubscriptionTests(ChainFixture chain)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_log_that_matches_wakes_the_reader_and_a_log_that_does_not_match_does_not()
    {
        var watched = DevAccounts.Address(17);
        var wakes = new WakeCounter();
        using var stop = new CancellationTokenSource();
        var running = LogSubscription.RunAsync(WsUrl, [TransfersTo(watched)], wakes.Wake, new Lines(), stop.Token);
        await wakes.AtLeastAsync(1); // the connection's own wake

        await Transfer(DevAccounts.Address(18), 5);
        await Transfer(watched, 6);
        await wakes.AtLeastAsync(2);
        await Task.Delay(TimeSpan.FromMilliseconds(500));

        Assert.Equal(2, wakes.Count);
        await stop.CancelAsync();
        await running.WaitAsync(Patience);
    }

    [Fact]
    public async Task A_dropped_connection_is_logged_comes_back_by_itself_and_wakes_again()
    {
        var watched = DevAccounts.Address(17);
        using var proxy = new DroppingProxy(chain.RpcUrl.Port);
        var wakes = new WakeCounter();
        var lines = new Lines();
        using var stop = new CancellationTokenSource();
        var running = LogSubscription.RunAsync(new Uri($"ws://127.0.0.1:{proxy.Port}"), [TransfersTo(watched)], wakes.Wake, lines, stop.Token);
        await wakes.AtLeastAsync(1);

        proxy.DropAll();
        await wakes.AtLeastAsync(2); // connected again: a wake for whatever came while it was away
        await Transfer(watched, 7);
        await wakes.AtLeastAsync(3);

        Assert.Contains(lines.All, l => l.StartsWith("Warning: log subscription", StringComparison.Ordinal) && l.Contains("lost", StringComparison.Ordinal));
        Assert.Contains(lines.All, l => l.StartsWith("Information: log subscription", StringComparison.Ordinal) && l.Contains("restored", StringComparison.Ordinal));
        await stop.CancelAsync();
        await running.WaitAsync(Patience);
    }

    [Fact]
    public async Task A_subscription_the_node_refuses_is_logged_once_and_retried_and_cancelling_ends_it_without_an_error()
    {
        var lines = new Lines();
        var wakes = new WakeCounter();
        using var stop = new CancellationTokenSource();
        // Not an address: Hardhat answers the request with an error.
        var running = LogSubscription.RunAsync(WsUrl, [new LogFilter(["0x1234"], [])], wakes.Wake, lines, stop.Token);

        await UntilAsync(() => lines.All.Any(l => l.Contains("refused eth_subscribe", StringComparison.Ordinal)), Patience);
        await Task.Delay(TimeSpan.FromSeconds(2)); // at least one retry, refused again
        await stop.CancelAsync();
        await running.WaitAsync(Patience);

        Assert.Single(lines.All, l => l.StartsWith("Warning:", StringComparison.Ordinal));
        Assert.Equal(0, wakes.Count);
    }

    [Fact]
    public void An_http_url_or_a_filter_without_a_contract_is_refused_at_the_call_not_when_the_subscription_is_awaited()
    {
        Assert.Throws<ArgumentException>(() => { _ = LogSubscription.RunAsync(chain.RpcUrl, [TransfersTo(DevAccounts.Address(17))], () => { }, new Lines(), CancellationToken.None); });
        Assert.Throws<ArgumentException>(() => { _ = LogSubscription.RunAsync(WsUrl, [new LogFilter([], [])], () => { }, new Lines(), CancellationToken.None); });
        Assert.Throws<ArgumentException>(() => { _ = LogSubscription.RunAsync(WsUrl, [], () => { }, new Lines(), CancellationToken.None); });
    }

    [Fact]
    public void Topics_are_32_byte_words_as_the_chain_writes_them()
    {
        Assert.Equal("0x000000000000000000000000" + DevAccounts.Address(17)[2..].ToLowerInvariant(), LogFilter.AddressTopic(DevAccounts.Address(17)));
        Assert.Equal("0x" + new string('0', 62) + "2a", LogFilter.NumberTopic(42));
        Assert.Equal("0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef", LogFilter.EventTopic<TransferEventDTO>());
        Assert.Throws<ArgumentOutOfRangeException>(() => LogFilter.NumberTopic(-1));
    }

    private Uri WsUrl => chain.Node.WsUrl;

    private static async Task UntilAsync(Func<bool> condition, TimeSpan within)
    {
        var limit = DateTime.UtcNow + within;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < limit, $"not within {within.TotalSeconds:0} s");
            await Task.Delay(20);
        }
    }

    private LogFilter TransfersTo(string to) =>
        new([chain.Deployment.ComputeToken], [[LogFilter.EventTopic<TransferEventDTO>()], null, [LogFilter.AddressTopic(to)]]);

    private Task<Nethereum.RPC.Eth.DTOs.TransactionReceipt> Transfer(string to, int value) =>
        chain.Sender(DevAccountsOfTests.Deployer).SendAsync(chain.Deployment.ComputeToken, new TransferFunction { To = to, Value = value });

    private sealed class WakeCounter
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public void Wake() => Interlocked.Increment(ref _count);

        public Task AtLeastAsync(int count) => UntilAsync(() => Count >= count, Patience);
    }

    /// <summary>The subscription's log lines, as "Level: message".</summary>
    private sealed class Lines : ILogger
    {
        private readonly ConcurrentQueue<string> _lines = new();

        public IReadOnlyList<string> All => [.. _lines];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            _lines.Enqueue($"{logLevel}: {formatter(state, exception)}");
    }

    /// <summary>A TCP relay in front of the chain node whose open connections the test can cut, as a network or a restarted node would.</summary>
    private sealed class DroppingProxy : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly int _target;
        private readonly ConcurrentBag<TcpClient> _open = [];
        private readonly CancellationTokenSource _stop = new();

        public DroppingProxy(int target)
        {
            _target = target;
            _listener.Start();
            _ = AcceptAsync();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public void DropAll()
        {
            while (_open.TryTake(out var client))
            {
                // Reset, not closed politely: the subscriber sees the connection fail. (A pump may have closed it already.)
                client.Client?.LingerState = new LingerOption(true, 0);
                client.Dispose();
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            DropAll();
            _stop.Dispose();
        }

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient inbound;
                try
                {
                    inbound = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (Exception) when (_stop.IsCancellationRequested)
                {
                    return;
                }

                var outbound = new TcpClient();
                await outbound.ConnectAsync(IPAddress.Loopback, _target);
                _open.Add(inbound);
                _open.Add(outbound);
                _ = PumpAsync(inbound, outbound);
                _ = PumpAsync(outbound, inbound);
            }
        }

        private static async Task PumpAsync(TcpClient from, TcpClient to)
        {
            try
            {
                await from.GetStream().CopyToAsync(to.GetStream());
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
            {
                // Cut by DropAll.
            }
            finally
            {
                from.Dispose();
                to.Dispose();
            }
        }
    }
}
