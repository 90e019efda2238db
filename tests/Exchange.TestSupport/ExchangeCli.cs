using System.Diagnostics;

namespace Exchange.TestSupport;

/// <summary>
/// Runs the real <c>exchange</c> command (its exchange.dll, copied next to the tests when the test
/// project references Exchange.Cli) in a child process, as a user would.
/// </summary>
public static class ExchangeCli
{
    /// <summary>What a run printed and returned.</summary>
    /// <param name="ExitCode">The process exit code.</param>
    /// <param name="Stdout">Everything on stdout.</param>
    /// <param name="Stderr">Everything on stderr.</param>
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    /// <summary>
    /// Runs <c>exchange args…</c> in <paramref name="workingDirectory"/> with extra environment variables; stdin is empty; at most 2 minutes.
    /// The user's data folder is the working folder's <c>.share</c> and <c>$EXCHANGE_DEPLOYMENT</c> is unset unless
    /// <paramref name="environment"/> says otherwise, so that no test reads or writes a deployment of the developer's own.
    /// </summary>
    public static Task<Result> RunAsync(string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        RunAsync(workingDirectory, environment, TimeSpan.FromMinutes(2), args);

    /// <summary>Runs <c>exchange args…</c> as the other overload does, for at most <paramref name="limit"/> (a command that follows jobs to their end).</summary>
    public static async Task<Result> RunAsync(string workingDirectory, IReadOnlyDictionary<string, string>? environment, TimeSpan limit, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "exchange.dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"{dll} is missing: reference src/Exchange.Cli from the test project");
        }

        var start = new ProcessStartInfo("dotnet", [dll, .. args])
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.Environment["XDG_DATA_HOME"] = Path.Combine(workingDirectory, ".share");
        start.Environment.Remove("EXCHANGE_DEPLOYMENT");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"exchange {string.Join(' ', args)} did not finish within {limit.TotalMinutes} minutes");
        }

        return new Result(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }
}
