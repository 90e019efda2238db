using System.Text.Json;
using Exchange.Chain.Deployment;
using Exchange.TestSupport;

namespace Exchange.Cli.Tests;

/// <summary>Where commands write and find the deployment: <c>--deployment FILE</c>, else <c>$EXCHANGE_DEPLOYMENT</c>, else the user's data folder, never the working folder.</summary>
[Trait("Lane", "Slow")]
[Collection(ChainFixture.Collection)]
public sealed class DeploymentLocationTests(ChainFixture chain) : IDisposable
{
    /// <summary>Deploys with an account of its own, so that no other sender's nonce is disturbed.</summary>
    private const string Deployer = "18";

    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Deploy_writes_under_the_data_home_and_a_command_started_elsewhere_finds_it()
    {
        var home = new Dictionary<string, string> { ["XDG_DATA_HOME"] = _folder.File("share") };
        Directory.CreateDirectory(_folder.File("a"));
        Directory.CreateDirectory(_folder.File("b"));

        var deployed = await ExchangeCli.RunAsync(_folder.File("a"), home, "deploy", "--rpc", chain.RpcUrl.ToString(), "--dev-account", Deployer, "--json");

        CliAssert.Succeeds(deployed);
        var expected = Path.Combine(_folder.File("share"), "exchange", "deployments", "31337.json");
        Assert.Equal(JsonMarket(deployed.Stdout), DeploymentFile.Read(expected, 31337).JobMarket);
        Assert.Empty(Directory.GetFileSystemEntries(_folder.File("a")));

        var status = await ExchangeCli.RunAsync(_folder.File("b"), home, "chain", "status", "--rpc", chain.RpcUrl.ToString(), "--json");
        CliAssert.Succeeds(status);
        Assert.Equal(JsonMarket(deployed.Stdout), JsonMarket(status.Stdout));
    }

    [Fact]
    public async Task The_option_names_the_file_and_wins_over_the_variable()
    {
        var file = DeploymentFile.Write(_folder.File("net.json"), chain.Deployment);
        var missing = _folder.File("missing.json");

        var byOption = await StatusAsync(null, "--deployment", file);
        CliAssert.Succeeds(byOption);
        Assert.Equal(chain.Deployment.JobMarket, JsonMarket(byOption.Stdout));

        var byVariable = await StatusAsync(new() { [DeploymentFile.Variable] = file });
        CliAssert.Succeeds(byVariable);
        Assert.Equal(chain.Deployment.JobMarket, JsonMarket(byVariable.Stdout));

        var both = await StatusAsync(new() { [DeploymentFile.Variable] = missing }, "--deployment", file);
        CliAssert.Succeeds(both);

        var fromVariable = await StatusAsync(new() { [DeploymentFile.Variable] = missing });
        CliAssert.FailsInOneLine(fromVariable, 1, $"no deployment for chain 31337 at {missing}", "--deployment", DeploymentFile.Variable);
    }

    [Fact]
    public async Task Without_option_or_variable_the_default_file_is_named_in_the_error()
    {
        var result = await StatusAsync(null);
        CliAssert.FailsInOneLine(result, 1, $"no deployment for chain 31337 at {Path.Combine(_folder.Path, ".share", "exchange", "deployments", "31337.json")}");
    }

    [Fact]
    public async Task A_file_of_another_chain_is_refused_naming_both_chains()
    {
        var other = DeploymentFile.Write(_folder.File("other.json"), chain.Deployment with { ChainId = 5 });
        var result = await StatusAsync(null, "--deployment", other);
        CliAssert.FailsInOneLine(result, 1, $"deployment file {other} is not valid", "it is for chain 5, the node is chain 31337");
    }

    private Task<ExchangeCli.Result> StatusAsync(Dictionary<string, string>? environment, params string[] args) =>
        ExchangeCli.RunAsync(_folder.Path, environment, ["chain", "status", "--rpc", chain.RpcUrl.ToString(), "--json", .. args]);

    private static string? JsonMarket(string stdout)
    {
        using var json = JsonDocument.Parse(stdout);
        return json.RootElement.GetProperty("contracts").GetProperty("JobMarket").GetString();
    }
}
