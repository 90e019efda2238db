using Exchange.TestSupport;

namespace Exchange.Node.Tests.Cli;

/// <summary>Bad command lines of <c>exchange bench e2e</c> and <c>bench blobs</c>: a one-line error, exit code 2, nothing run.</summary>
public sealed class BenchCommandLineTests
{
    [Theory]
    [InlineData("--tasks must be 1-100000", "--tasks", "0")]
    [InlineData("--tasks-per-job must be auto or a whole number of at least 1, not '0'", "--tasks-per-job", "0")]
    [InlineData("--tasks-per-job must be 1-4096", "--tasks-per-job", "5000")]
    [InlineData("--providers must be at least 1", "--providers", "0")]
    [InlineData("Unknown device 'tpu'", "--device", "tpu")]
    [InlineData("nosuchmodel", "--model", "nosuchmodel")]
    public async Task A_bad_bench_e2e_option_is_refused_with_a_usage_error(string message, params string[] args)
    {
        var result = await ExchangeCli.RunAsync(Path.GetTempPath(), null, ["bench", "e2e", .. args]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
        Assert.Single(result.Stderr.Trim().Split('\n'));
    }

    [Theory]
    [InlineData("--blobs must be 1-10000", "--model", "identity-u8", "--blobs", "0")]
    [InlineData("--data /no/such/folder is not a folder", "--model", "identity-u8", "--data", "/no/such/folder")]
    [InlineData("Option '--model' is required", "--blobs", "4")]
    public async Task A_bad_bench_blobs_option_is_refused_with_a_usage_error(string message, params string[] args)
    {
        var result = await ExchangeCli.RunAsync(Path.GetTempPath(), null, ["bench", "blobs", .. args]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
        Assert.Single(result.Stderr.Trim().Split('\n'));
    }
}
