using System.Diagnostics;
using System.Text.Json;
using Exchange.TestSupport;

namespace Exchange.Cli.Tests;

/// <summary>
/// Runs <c>scripts/reliability.sh --quick --json --only bad-inputs</c> as docs/reliability.md tells
/// a user to: a real Hardhat node, the deployment, the API and every bad input as separate
/// processes. Its one JSON object must say that every bad input was refused clearly and changed nothing.
/// </summary>
[Trait("Lane", "Slow")]
public sealed class ReliabilityScriptTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(6);

    [Fact]
    public async Task The_bad_inputs_scenario_refuses_every_bad_input_through_cli_api_and_chain_and_changes_nothing()
    {
        var (exitCode, stdout, stderr) = await RunAsync("scripts/reliability.sh", "--quick", "--json", "--only", "bad-inputs");

        Assert.True(exitCode == 0, $"exit {exitCode}\n{stdout}\n{stderr}");
        using var report = JsonDocument.Parse(stdout);
        var root = report.RootElement;
        Assert.True(root.GetProperty("ok").GetBoolean(), stdout);
        Assert.Equal(["bad-inputs"], root.GetProperty("ran").EnumerateArray().Select(e => e.GetString()));
        Assert.InRange(root.GetProperty("badInputsTried").GetInt32(), 40, int.MaxValue);
        Assert.Equal(0, root.GetProperty("badInputsAccepted").GetInt32());
        Assert.Equal(0, root.GetProperty("badInputsUnclear").GetInt32());
        Assert.Equal(0, root.GetProperty("crashes").GetInt32());
        var inputs = root.GetProperty("badInputs").EnumerateArray().ToList();
        Assert.All(inputs, i => Assert.True(i.GetProperty("outcome").GetString() == "refused", i.ToString()));
        Assert.Equal(["api", "chain", "cli"], inputs.Select(i => i.GetProperty("surface").GetString()).Distinct().Order());
        var bomb = Assert.Single(inputs, i => i.GetProperty("name").GetString() == "png-30000x30000-header");
        Assert.Contains("30000x30000 pixels", bomb.GetProperty("answer").GetString(), StringComparison.Ordinal);
        Assert.Equal(inputs.Count, inputs.Select(i => i.GetProperty("name").GetString()).Distinct().Count());
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string script, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo("bash", [script, .. arguments])
        {
            WorkingDirectory = RepositoryRoot.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("could not start bash");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{script} ran longer than {Limit}:\n{await stderr}");
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
