using Exchange.TestSupport;

namespace Exchange.Node.Tests.Cli;

/// <summary>Bad command lines of the node, client and demo commands: a clear one-line error, exit code 2, nothing done.</summary>
[Trait("Lane", "Slow")]
public sealed class CommandLineTests
{
    // Nothing listens here: a command that got past its checks would fail to connect (exit 1), not exit 2.
    private const string NoChain = "http://127.0.0.1:1";

    [Theory]
    [InlineData("--cheat-rate must be between 0 and 1", "demo", "--cheat-rate", "1.5")]
    [InlineData("--cheat must be random, perturb, other-model, reuse, withhold or wrong-key", "demo", "--cheat", "lazy")]
    [InlineData("--audit-rate is a percentage", "demo", "--audit-rate", "120")]
    [InlineData("a cheating network needs at least 2 providers", "demo", "--providers", "1")]
    [InlineData("a job id is a positive whole number", "client", "status", "0", "--rpc", NoChain)]
    [InlineData("a job id is a positive whole number, not 'x'", "client", "wait", "3", "x", "--dev-account", "8", "--rpc", NoChain)]
    [InlineData("a job id is a positive whole number, not '-1'", "client", "expire", "-1", "--dev-account", "8", "--rpc", NoChain)]
    [InlineData("Required argument missing", "client", "wait", "--dev-account", "8", "--rpc", NoChain)]
    [InlineData("the amount must be above 0", "client", "deposit", "0", "--dev-account", "8", "--rpc", NoChain)]
    [InlineData("is not a token amount", "client", "withdraw", "1.2.3", "--dev-account", "8", "--rpc", NoChain)]
    [InlineData("does not exist", "client", "submit", "--model", "resnet18", "--input", "/no/such/image.png", "--dev-account", "8", "--rpc", NoChain)]
    [InlineData("--out needs --wait", "client", "submit", "--model", "resnet18", "--input", "a.png", "--out", "o", "--dev-account", "8")]
    [InlineData("--unit-price", "provider", "run", "--dev-account", "1", "--unit-price", "cheap", "--rpc", NoChain)]
    [InlineData("--min-turnaround is seconds between 0 and", "provider", "run", "--dev-account", "1", "--min-turnaround", "-5", "--rpc", NoChain)]
    [InlineData("--api must be an http(s) URL", "verifier", "run", "--dev-account", "2", "--api", "ftp://x", "--rpc", NoChain)]
    [InlineData("--ws must be a ws(s) URL, not 'http://127.0.0.1:8545/'", "provider", "run", "--dev-account", "1", "--ws", "http://127.0.0.1:8545/", "--rpc", NoChain)]
    [InlineData("--ws must be a ws(s) URL, not 'nowhere'", "client", "wait", "3", "--ws", "nowhere", "--dev-account", "8", "--rpc", NoChain)]
    [InlineData("give the signing account", "provider", "run", "--rpc", NoChain)]
    [InlineData("--tasks-per-job must be auto or a whole number of at least 1, not 'big'", "demo", "--tasks-per-job", "big")]
    [InlineData("--tasks-per-job must be auto or a whole number of at least 1, not '0'", "client", "submit", "--model", "resnet18", "--input", "a.png", "--tasks-per-job", "0", "--dev-account", "8", "--rpc", NoChain)]
    [InlineData("--latency must be between 1 second and --deadline (600 s)", "client", "submit", "--model", "resnet18", "--input", "a.png", "--latency", "900", "--dev-account", "8", "--rpc", NoChain)]
    [InlineData("--latency must be between 1 second and --deadline (60 s)", "client", "submit", "--model", "resnet18", "--input", "a.png", "--deadline", "60", "--latency", "0", "--dev-account", "8", "--rpc", NoChain)]
    [InlineData("--canary-rate must be between 0 and 0.9", "demo", "--canary-rate", "1")]
    [InlineData("1 dishonest verifier(s) need at least 3 honest ones", "demo", "--lazy-verifier", "--verifiers", "2")]
    [InlineData("--mode must be honest, lazy or copying", "verifier", "run", "--dev-account", "2", "--mode", "sloppy", "--rpc", NoChain)]
    [InlineData("give the signing account: --client-key FILE or --client-dev-account N", "canary", "run", "--dev-account", "1", "--rpc", NoChain)]
    [InlineData("the canary's client and provider must be two accounts", "canary", "run", "--dev-account", "1", "--client-dev-account", "1", "--rpc", NoChain)]
    [InlineData("--rate is a share of the market's jobs", "canary", "run", "--dev-account", "1", "--client-dev-account", "8", "--rate", "0", "--rpc", NoChain)]
    public async Task A_bad_command_line_is_refused_with_a_usage_error(string message, params string[] args)
    {
        var result = await ExchangeCli.RunAsync(Path.GetTempPath(), null, args);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
    }
}
