using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Nethereum.Web3;

namespace Exchange.Local.Hardhat;

/// <summary>
/// A local Hardhat chain (<c>npx hardhat node</c>) on a free loopback port, started from the
/// repository root and stopped by process id (its whole tree): on dispose, and on process exit
/// for a caller (the demo, a test run) that ends without disposing.
/// </summary>
public sealed class HardhatNode : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);
    private const int KeptLines = 20;
    private readonly Process _process;
    private readonly Queue<string> _lastLines = new();
    private int _stopped;

    private HardhatNode(Process process, int port)
    {
        _process = process;
        Port = port;
        RpcUrl = new Uri($"http://127.0.0.1:{port}");
        WsUrl = new Uri($"ws://127.0.0.1:{port}");
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
    }

    /// <summary>The port the node listens on.</summary>
    public int Port { get; }

    /// <summary>The node's JSON-RPC endpoint.</summary>
    public Uri RpcUrl { get; }

    /// <summary>The same endpoint over WebSocket, for subscriptions (Hardhat serves both on one port).</summary>
    public Uri WsUrl { get; }

    /// <summary>Process id of the started <c>npx</c> (the node runs in its process tree).</summary>
    public int ProcessId => _process.Id;

    /// <summary>
    /// The folder holding <c>hardhat.config.js</c> and <c>node_modules</c>, searched upwards from
    /// the working folder and then from the program's folder.
    /// </summary>
    /// <exception cref="InvalidOperationException">Neither is inside an installed repository.</exception>
    public static string FindRepositoryRoot()
    {
        // The working folder first, so that a program run from a checkout uses that checkout; the
        // program's folder then covers tests, whose working folder is not guaranteed.
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
            {
                if (File.Exists(Path.Combine(folder.FullName, "hardhat.config.js")) && Directory.Exists(Path.Combine(folder.FullName, "node_modules")))
                {
                    return folder.FullName;
                }
            }
        }

        throw new InvalidOperationException("no hardhat.config.js with node_modules above the working folder or the program: run from the repository (after npm ci), or give --rpc");
    }

    /// <summary>A loopback TCP port that is free now (another process may still take it before it is bound).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts a node that mines one block per transaction, and waits until it answers <c>eth_chainId</c>.</summary>
    /// <exception cref="InvalidOperationException">The node exited or did not answer in time; the message holds its last output lines.</exception>
    public static Task<HardhatNode> StartAsync(CancellationToken cancellationToken = default) =>
        StartAsync(blockInterval: null, cancellationToken);

    /// <summary>
    /// Starts a node and waits until it answers <c>eth_chainId</c>. With a
    /// <paramref name="blockInterval"/> it also mines a block every interval, so that time-based
    /// windows pass without traffic; without one it mines only on each transaction.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="blockInterval"/> is zero or negative.</exception>
    /// <exception cref="InvalidOperationException">The node exited or did not answer in time; the message holds its last output lines.</exception>
    public static async Task<HardhatNode> StartAsync(TimeSpan? blockInterval, CancellationToken cancellationToken = default)
    {
        if (blockInterval is { } interval && interval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(blockInterval), blockInterval, "the block interval must be positive");
        }

        var root = FindRepositoryRoot();
        var port = FreePort();
        var start = new ProcessStartInfo("npx", ["hardhat", "node", "--hostname", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture)])
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // A node whose stdin is the caller's terminal could take keystrokes meant for the caller.
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start npx hardhat node");
        var node = new HardhatNode(process, port);
        process.OutputDataReceived += (_, e) => node.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => node.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await node.WaitUntilReadyAsync(cancellationToken).ConfigureAwait(false);
            if (blockInterval is { } every)
            {
                await node.RequestAsync<object>("evm_setIntervalMining", (long)every.TotalMilliseconds).WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            return node;
        }
        catch
        {
            node.Dispose();
            throw;
        }
    }

    /// <summary>Sends a raw JSON-RPC request (for Hardhat's own methods such as <c>evm_snapshot</c> and <c>evm_mine</c>).</summary>
    public Task<T> RequestAsync<T>(string method, params object[] parameters) =>
        new Web3(RpcUrl.ToString()).Client.SendRequestAsync<T>(method, null, parameters);

    /// <summary>Kills the node's process tree.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        Kill();
        _process.Dispose();
    }

    private void OnProcessExit(object? sender, EventArgs e) => Kill();

    private void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                // npx starts node as a child: killing npx alone would leave the chain running.
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        var web3 = new Web3(RpcUrl.ToString());
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < StartTimeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"hardhat node exited with code {_process.ExitCode}: {Tail()}");
            }

            try
            {
                await web3.Eth.ChainId.SendRequestAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (e is Nethereum.JsonRpc.Client.RpcClientUnknownException or HttpRequestException)
            {
                await Task.Delay(200, cancellationToken).ConfigureAwait(false);
            }
        }

        throw new InvalidOperationException($"hardhat node did not answer on {RpcUrl} within {StartTimeout.TotalSeconds:0} s: {Tail()}");
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lastLines)
        {
            _lastLines.Enqueue(line);
            while (_lastLines.Count > KeptLines)
            {
                _lastLines.Dequeue();
            }
        }
    }

    private string Tail()
    {
        lock (_lastLines)
        {
            return string.Join(" | ", _lastLines);
        }
    }
}
