using System.Diagnostics;
using System.Globalization;

namespace Exchange.Local.Reliability;

/// <summary>
/// The property-based suites (CsCheck) over the parsers and the API's request handling, run with
/// <c>dotnet test</c> from the repository; each passing property adds the cases it ran to a tally
/// file, so the count is what ran, not what was planned.
/// </summary>
internal static class FuzzScenario
{
    /// <summary>The scenario's name in <c>--only</c> and the report.</summary>
    public const string Name = "fuzz";

    /// <summary>The environment variable the suites' runner reads (<c>ParserFuzz.TallyVariable</c> in the test support).</summary>
    private const string TallyVariable = "EXCHANGE_FUZZ_TALLY";

    private static readonly (string Project, string? Filter)[] Suites =
    [
        ("tests/Exchange.Fuzz.Tests", null),
        ("tests/Exchange.Api.Tests", "FullyQualifiedName~Exchange.Api.Tests.Fuzz"),
    ];

    /// <summary>Runs the suites; returns the cases that ran and passed, and each suite's exit code.</summary>
    public static async Task<FuzzResult> RunAsync(string repositoryRoot, string folder, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        var tally = Path.Combine(folder, "fuzz-tally.txt");
        File.WriteAllText(tally, "");
        var suites = new List<FuzzSuite>();
        foreach (var (project, filter) in Suites)
        {
            var start = new ProcessStartInfo("dotnet") { WorkingDirectory = repositoryRoot, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in new[] { "test", project, "-c", "Release", "--nologo", "-v", "quiet" }.Concat(filter is null ? [] : ["--filter", filter]))
            {
                start.ArgumentList.Add(argument);
            }

            start.Environment[TallyVariable] = tally;
            var before = Cases(tally);
            var clock = Stopwatch.StartNew();
            using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet test");
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            var output = (await stdout.ConfigureAwait(false)) + (await stderr.ConfigureAwait(false));
            var summary = output.Split('\n').LastOrDefault(l => l.Contains("Passed!", StringComparison.Ordinal) || l.Contains("Failed!", StringComparison.Ordinal))?.Trim() ?? output.Trim().Split('\n').LastOrDefault() ?? "";
            suites.Add(new FuzzSuite(project, process.ExitCode, Cases(tally) - before, Math.Round(clock.Elapsed.TotalSeconds, 1), summary));
        }

        return new FuzzResult(suites.Sum(s => s.Cases), suites);
    }

    private static long Cases(string tally) =>
        File.ReadAllLines(tally).Where(l => l.Length > 0).Sum(l => long.Parse(l, NumberStyles.None, CultureInfo.InvariantCulture));
}

/// <summary>The fuzz suites' result.</summary>
/// <param name="Cases">Generated cases that ran in passing properties.</param>
/// <param name="Suites">Each suite's run.</param>
public sealed record FuzzResult(long Cases, IReadOnlyList<FuzzSuite> Suites);

/// <summary>One suite's run.</summary>
/// <param name="Project">The test project.</param>
/// <param name="ExitCode">dotnet test's exit code (0: every test passed).</param>
/// <param name="Cases">Generated cases its passing properties ran.</param>
/// <param name="Seconds">How long it took, building included.</param>
/// <param name="Summary">dotnet test's summary line.</param>
public sealed record FuzzSuite(string Project, int ExitCode, long Cases, double Seconds, string Summary);
