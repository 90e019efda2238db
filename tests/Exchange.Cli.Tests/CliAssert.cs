using Exchange.TestSupport;

namespace Exchange.Cli.Tests;

/// <summary>What every failing command must look like: a non-zero exit and exactly one line on stderr.</summary>
internal static class CliAssert
{
    /// <summary>Asserts exit code <paramref name="exitCode"/> and a single <c>error: …</c> line containing each of <paramref name="fragments"/>; returns the line.</summary>
    public static string FailsInOneLine(ExchangeCli.Result result, int exitCode, params string[] fragments)
    {
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(result.ExitCode == exitCode, $"exit {result.ExitCode}, expected {exitCode}; stderr: {result.Stderr}");
        Assert.True(lines.Length == 1, $"expected one line on stderr, got {lines.Length}:\n{result.Stderr}");
        Assert.StartsWith("error: ", lines[0]);
        foreach (var fragment in fragments)
        {
            Assert.Contains(fragment, lines[0]);
        }

        return lines[0];
    }

    /// <summary>Asserts success, with stderr shown when it is not.</summary>
    public static void Succeeds(ExchangeCli.Result result) =>
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}; stderr: {result.Stderr}; stdout: {result.Stdout}");
}
