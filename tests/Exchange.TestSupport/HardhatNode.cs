using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Nethereum.Web3;

namespace Exchange.TestSupport;

/// <summary>
/// A local Hardhat chain (<c>npx hardhat node</c>) on a free loopback port, started from the
/// repository root and stopped by process id — on dispose, and on process exit if a test run
/// ends without disposing.
/// </summary>
public sealed class HardhatNode : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);
    private readonly Process _process;
    private readonly Queue<string> _lastLines = new();
    private int _stopped;

    private HardhatNode(Process process, int port)
    {
        _process = process;
        Port = port;
        RpcUrl = new Uri($"http://127.0.0.1:{port}");
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
    }

    /// <summary>The port the node listens on.</summary>
    public int Port { get; }

    /// <summary>The node's JSON-RPC endpoint.</summary>
    public Uri RpcUrl { get; }

    /// <summary>Process id of the started <c>npx</c> (the node runs in its process tree).</summary>
    public int ProcessId => _process.Id;

    /// <summary>Starts a node and waits until it answers <c>eth_chainId</c>.</summary>
    /// <exception cref="InvalidOperationException">The node exited or did not answer in time; the message holds its last output lines.</exception>
    public static async Task<HardhatNode> StartAsync(CancellationToken cancellationToken = default)
    {
        var port = FreePort();
        var start = new ProcessStartInfo("npx", ["hardhat", "node", "--hostname", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            WorkingDirectory = RepositoryRoot.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
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
            return node;
        }
        catch
        {
            node.Dispose();
            throw;
        }
    }

    /// <summary>Sends a raw JSON-RPC request (for test-only methods such as <c>evm_snapshot</c> and <c>evm_mine</c>).</summary>
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
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartTimeout)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"hardhat node exited with code {_process.ExitCode}: {Tail()}");
            }

            try
            {
                await web3.Eth.ChainId.SendRequestAsync().ConfigureAwait(false);
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
            while (_lastLines.Count > 20)
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

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
