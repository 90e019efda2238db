using System.Diagnostics;

namespace Exchange.Local.Reliability;

/// <summary>
/// Runs <c>exchange</c> commands as separate processes, as an operator does from a shell: the chain
/// and API named by <c>EXCHANGE_RPC</c> and <c>EXCHANGE_API</c>, the deployment file under a data
/// folder of the campaign's own (<c>XDG_DATA_HOME</c>), never the user's.
/// </summary>
internal sealed class Operator(ExchangeProgram program, string dataHome, Uri rpc, Uri api)
{
    private static readonly TimeSpan CommandLimit = TimeSpan.FromMinutes(5);

    /// <summary>The exchange API's address.</summary>
    public Uri Api => api;

    /// <summary>The chain node's address.</summary>
    public Uri Rpc => rpc;

    /// <summary>Runs a command to its end (killed after five minutes).</summary>
    public async Task<CommandResult> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        using var process = Process.Start(StartInfo(arguments, environment)) ?? throw new InvalidOperationException("could not start exchange");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout ?? CommandLimit);
        try
        {
            await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"exchange {string.Join(' ', arguments)} ran longer than {timeout ?? CommandLimit}");
        }

        return new CommandResult(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }

    /// <summary>Runs a command that must succeed; returns its standard output.</summary>
    /// <exception cref="InvalidOperationException">It exited non-zero.</exception>
    public async Task<string> RunCheckedAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var result = await RunAsync(arguments, cancellationToken).ConfigureAwait(false);
        return result.ExitCode == 0
            ? result.Stdout
            : throw new InvalidOperationException($"exchange {string.Join(' ', arguments)} exited {result.ExitCode}: {result.Stderr.Trim()}");
    }

    /// <summary>Starts a command in the background, as a role or a client left to run.</summary>
    public RoleProcess Start(string name, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string>? environment = null) =>
        RoleProcess.Start(name, StartInfo(arguments, environment));

    /// <summary>Starts a long-running command (a role) and waits until it prints <paramref name="ready"/>.</summary>
    public async Task<RoleProcess> StartAsync(string name, IReadOnlyList<string> arguments, string ready, TimeSpan within, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? environment = null)
    {
        var role = Start(name, arguments, environment);
        try
        {
            await role.WaitForAsync(ready, within, cancellationToken).ConfigureAwait(false);
            return role;
        }
        catch
        {
            role.Kill();
            role.Dispose();
            throw;
        }
    }

    private ProcessStartInfo StartInfo(IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string>? environment)
    {
        var start = new ProcessStartInfo(program.FileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in program.Prefix.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["EXCHANGE_RPC"] = rpc.ToString();
        start.Environment["EXCHANGE_API"] = api.ToString();
        start.Environment["XDG_DATA_HOME"] = dataHome;
        start.Environment.Remove("EXCHANGE_DEPLOYMENT");
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        return start;
    }
}

/// <summary>How a command ended.</summary>
internal sealed record CommandResult(int ExitCode, string Stdout, string Stderr);
