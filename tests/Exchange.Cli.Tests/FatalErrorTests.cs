using System.Net;
using System.Net.Sockets;
using Exchange.Chain.Deployment;
using Exchange.Local.Hardhat;
using Exchange.TestSupport;

namespace Exchange.Cli.Tests;

/// <summary>Every fatal error is a non-zero exit and one line naming what failed: the chain node, the exchange API, the data folder.</summary>
[Trait("Lane", "Slow")]
[Collection(ChainFixture.Collection)]
public sealed class FatalErrorTests : IDisposable
{
    private readonly ChainFixture _chain;
    private readonly TempDirectory _folder = new();

    /// <summary>A port nothing listens on: a chain node or API that is not there.</summary>
    private readonly string _nowhere = $"http://127.0.0.1:{HardhatNode.FreePort()}";

    public FatalErrorTests(ChainFixture chain)
    {
        _chain = chain;
        DeploymentFile.Write(Path.Combine(_folder.Path, ".share", "exchange", "deployments", "31337.json"), chain.Deployment);
    }

    public void Dispose() => _folder.Dispose();

    public static TheoryData<string[]> ChainCommands() => new()
    {
        { ["provider", "run", "--dev-account", "3", "--model", "resnet-preprocess", "--unit-price", "1", "--data", "p"] },
        { ["verifier", "run", "--dev-account", "3", "--data", "v"] },
        { ["deploy", "--dev-account", "3"] },
        { ["token", "balance", "--dev-account", "3"] },
        { ["wallet", "balance", "--dev-account", "3"] },
        { ["chain", "status"] },
    };

    [Theory]
    [MemberData(nameof(ChainCommands))]
    public async Task An_unreachable_chain_node_is_one_line_naming_it(string[] command)
    {
        var result = await RunAsync([.. command, "--rpc", _nowhere]);
        CliAssert.FailsInOneLine(result, 1, $"cannot reach the chain node at {_nowhere}/");
    }

    [Fact]
    public async Task With_verbose_the_stack_trace_follows_the_line()
    {
        var result = await RunAsync("token", "balance", "--dev-account", "3", "--rpc", _nowhere, "--verbose");
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"error: cannot reach the chain node at {_nowhere}/", result.Stderr);
        Assert.Contains("   at ", result.Stderr);
    }

    [Fact]
    public async Task A_data_folder_that_cannot_be_written_is_one_line_naming_it()
    {
        // A file where the folder should be: writing in it fails even for root, which ignores permissions.
        File.WriteAllText(_folder.File("occupied"), "");
        var data = Path.Combine(_folder.File("occupied"), "node");

        var provider = await RunAsync("provider", "run", "--dev-account", "3", "--model", "resnet-preprocess", "--unit-price", "1", "--rpc", _chain.RpcUrl.ToString(), "--data", data);
        CliAssert.FailsInOneLine(provider, 1, $"data folder {data} is not writable");

        var api = await RunAsync("api", "run", "--urls", $"http://127.0.0.1:{HardhatNode.FreePort()}", "--rpc", _chain.RpcUrl.ToString(), "--data", data);
        CliAssert.FailsInOneLine(api, 1, $"data folder {data} is not writable");
    }

    [Fact]
    public async Task An_api_on_a_busy_port_is_one_line_naming_the_address()
    {
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        var url = $"http://127.0.0.1:{((IPEndPoint)occupant.LocalEndpoint).Port}";

        var result = await RunAsync("api", "run", "--urls", url, "--rpc", _chain.RpcUrl.ToString(), "--data", "api");

        CliAssert.FailsInOneLine(result, 1, $"the exchange API cannot listen on {url}", "in use");
    }

    [Fact]
    public async Task An_unreachable_api_is_named_as_the_api_not_the_chain()
    {
        var result = await RunAsync("client", "jobs", "--dev-account", "3", "--rpc", _chain.RpcUrl.ToString(), "--api", _nowhere);
        var line = CliAssert.FailsInOneLine(result, 1, "cannot reach the exchange API");
        Assert.DoesNotContain("chain", line);
    }

    [Fact]
    public async Task A_node_whose_service_stops_on_an_error_exits_non_zero_with_that_error()
    {
        var result = await RunAsync("provider", "run", "--dev-account", "3", "--model", "no-such-model", "--unit-price", "1", "--rpc", _chain.RpcUrl.ToString(), "--data", "p");
        CliAssert.FailsInOneLine(result, 1, "no-such-model");
    }

    [Theory]
    [InlineData("EXCHANGE_RPC", "http://127.0.0.1:99999", "token", "balance")]
    [InlineData("EXCHANGE_API", "not a url", "client", "jobs")]
    public async Task A_malformed_url_in_the_environment_is_one_line_naming_the_variable(string variable, string value, string group, string command)
    {
        var result = await ExchangeCli.RunAsync(_folder.Path, new Dictionary<string, string> { [variable] = value }, group, command, "--dev-account", "3");
        CliAssert.FailsInOneLine(result, 2, $"${variable} must be an http(s) URL, not '{value}'");
    }

    [Fact]
    public async Task A_malformed_websocket_url_in_the_environment_is_one_line_naming_the_variable()
    {
        var result = await ExchangeCli.RunAsync(_folder.Path, new Dictionary<string, string> { ["EXCHANGE_WS"] = "http://127.0.0.1:8545" }, "client", "jobs", "--dev-account", "3");
        CliAssert.FailsInOneLine(result, 2, "$EXCHANGE_WS must be a ws(s) URL, not 'http://127.0.0.1:8545'");
    }

    private Task<ExchangeCli.Result> RunAsync(params string[] args) => ExchangeCli.RunAsync(_folder.Path, null, args);
}
