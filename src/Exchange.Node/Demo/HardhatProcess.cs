using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Nethereum.Web3;

namespace Exchange.Node.Demo;

/// <summary>
/// A local Hardhat chain for the demo: <c>npx hardhat node</c> from the repository root on a free
/// loopback port, stopped by process id (its whole tree) on dispose and on process exit.
/// </summary>
public sealed class HardhatProcess : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);
    private readonly Process _process;
    private readonly Queue<string> _tail = new();
    private int _stopped;

    private HardhatProcess(Process process, Uri rpcUrl)
    {
        _process = process;
        RpcUrl = rpcUrl;
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
    }

    /// <summary>The node's JSON-RPC endpoint.</summary>
    public Uri RpcUrl { get; }

    /// <summary>The started process's id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>The folder holding <c>hardhat.config.js</c>, searched upwards from the working folder and from the program's folder.</summary>
    /// <exception cref="InvalidOperationException">Neither is inside the repository.</exception>
    public static string FindRepositoryRoot()
    {
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

    /// <summary>Starts a node and waits until it answers; then mines a block every <paramref name="blockInterval"/> as well as on each transaction, so that time-based windows pass without traffic.</summary>
    public static async Task<HardhatProcess> StartAsync(TimeSpan blockInterval, CancellationToken cancellationToken)
    {
        var root = FindRepositoryRoot();
        var port = FreePort();
        var start = new ProcessStartInfo("npx", ["hardhat", "node", "--hostname", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture)])
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start npx hardhat node");
        var node = new HardhatProcess(process, new Uri($"http://127.0.0.1:{port}"));
        process.OutputDataReceived += (_, e) => node.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => node.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var web3 = new Web3(node.RpcUrl.ToString());
            await node.WaitUntilReadyAsync(web3, cancellationToken).ConfigureAwait(false);
            await web3.Client.SendRequestAsync<object>("evm_setIntervalMining", null, (long)blockInterval.TotalMilliseconds).WaitAsync(cancellationToken).ConfigureAwait(false);
            return node;
        }
        catch
        {
            node.Dispose();
            throw;
        }
    }

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

    private async Task WaitUntilReadyAsync(Web3 web3, CancellationToken cancellationToken)
    {
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

        lock (_tail)
        {
            _tail.Enqueue(line);
            while (_tail.Count > 20)
            {
                _tail.Dequeue();
            }
        }
    }

    private string Tail()
    {
        lock (_tail)
        {
            return string.Join(" | ", _tail);
        }
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
