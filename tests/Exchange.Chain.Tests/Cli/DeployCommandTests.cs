using System.Text.Json;
using Exchange.Chain.Bindings;
using Exchange.Chain.Deployment;
using Exchange.TestSupport;
using Nethereum.RPC.Eth.DTOs;

namespace Exchange.Chain.Tests.Cli;

[Trait("Lane", "Slow")]
[Collection(ChainFixture.Collection)]
public sealed class DeployCommandTests(ChainFixture chain) : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    private string DeploymentPath => _folder.File("deployment.json");

    private Task<ExchangeCli.Result> RunAsync(params string[] args) =>
        ExchangeCli.RunAsync(_folder.Path, new Dictionary<string, string> { [DeploymentFile.Variable] = DeploymentPath }, args);

    [Fact]
    public async Task Deploy_prints_four_addresses_that_hold_code_and_writes_the_deployment_file()
    {
        var result = await RunAsync("deploy", "--rpc", chain.RpcUrl.ToString(), "--dev-account", DevAccountsOfTests.CliDeployer.ToString(), "--json");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal("", result.Stderr);
        Assert.Matches("""^\{"chainId": 31337, "contracts": \{"ComputeToken": "0x[0-9a-fA-F]{40}", "StakingVault": "0x[0-9a-fA-F]{40}", "JobMarket": "0x[0-9a-fA-F]{40}", "AuditCourt": "0x[0-9a-fA-F]{40}"\}\}$""", result.Stdout.Trim());
        using var json = JsonDocument.Parse(result.Stdout);
        foreach (var contract in json.RootElement.GetProperty("contracts").EnumerateObject())
        {
            var code = await chain.Web3.Eth.GetCode.SendRequestAsync(contract.Value.GetString(), BlockParameter.CreateLatest());
            Assert.True(code.Length > 2, $"{contract.Name} has no code");
        }

        var file = DeploymentFile.Read(DeploymentPath, 31337);
        Assert.Equal(json.RootElement.GetProperty("contracts").GetProperty("JobMarket").GetString(), file.JobMarket);
        Assert.Equal(json.RootElement.GetProperty("contracts").GetProperty("AuditCourt").GetString(), file.AuditCourt);

        var status = await RunAsync("chain", "status", "--rpc", chain.RpcUrl.ToString(), "--json");
        Assert.True(status.ExitCode == 0, status.Stderr);
        using var statusJson = JsonDocument.Parse(status.Stdout);
        Assert.Equal(file.JobMarket, statusJson.RootElement.GetProperty("contracts").GetProperty("JobMarket").GetString());
        Assert.Equal(file.AuditCourt, statusJson.RootElement.GetProperty("contracts").GetProperty("AuditCourt").GetString());
        Assert.Equal(1500, statusJson.RootElement.GetProperty("parameters").GetProperty("auditRateBps").GetInt32());
        Assert.Equal(5, statusJson.RootElement.GetProperty("courtParameters").GetProperty("committeeSize").GetInt32());

        var balance = await RunAsync("wallet", "balance", "--rpc", chain.RpcUrl.ToString(), "--dev-account", DevAccountsOfTests.CliDeployer.ToString(), "--json");
        Assert.True(balance.ExitCode == 0, balance.Stderr);
        Assert.Equal(chain.Options.InitialSupply.ToString(), JsonDocument.Parse(balance.Stdout).RootElement.GetProperty("token").GetString());

        var index = await RunAsync("chain", "index", "--rpc", chain.RpcUrl.ToString(), "--data", "data", "--json");
        Assert.True(index.ExitCode == 0, index.Stderr);
        Assert.True(JsonDocument.Parse(index.Stdout).RootElement.GetProperty("events").GetInt32() >= 4);
        var again = await RunAsync("chain", "index", "--rpc", chain.RpcUrl.ToString(), "--data", "data", "--json");
        Assert.Equal(0, JsonDocument.Parse(again.Stdout).RootElement.GetProperty("events").GetInt32());
        Assert.True(File.Exists(Path.Combine(_folder.Path, "data", "exchange.db")));
    }

    [Fact]
    public async Task Parameters_the_market_refuses_fail_with_the_contracts_error_and_write_nothing()
    {
        File.WriteAllText(_folder.File("params.json"), """{"market": {"auditRateBps": 10}}""");
        var result = await RunAsync("deploy", "--rpc", chain.RpcUrl.ToString(), "--dev-account", DevAccountsOfTests.CliDeployer.ToString(), "--params", "params.json");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("error: reverted: JobMarketProofOfSamplingViolated(auditRateBps=10, corruptShareBps=2000, collateralMultiplierBps=100000, posMarginBps=500)", result.Stderr.Trim());
        Assert.False(File.Exists(DeploymentPath));
    }

    [Fact]
    public async Task Parameters_the_court_refuses_fail_with_the_courts_error_and_write_nothing()
    {
        File.WriteAllText(_folder.File("params.json"), """{"court": {"committeeSize": 4}}""");
        var result = await RunAsync("deploy", "--rpc", chain.RpcUrl.ToString(), "--dev-account", DevAccountsOfTests.CliDeployer.ToString(), "--params", "params.json");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("error: reverted: AuditCourtInvalidParameter(name=committeeSize, value=4)", result.Stderr.Trim());
        Assert.False(File.Exists(DeploymentPath));
    }

    [Fact]
    public async Task Epoch_length_reaches_the_vault_and_overrides_the_parameter_file()
    {
        File.WriteAllText(_folder.File("params.json"), """{"epochLength": 7200, "court": {"auditWindow": 900}}""");
        var result = await RunAsync("deploy", "--rpc", chain.RpcUrl.ToString(), "--dev-account", DevAccountsOfTests.CliDeployer.ToString(),
            "--params", "params.json", "--epoch-length", "60");

        Assert.True(result.ExitCode == 0, result.Stderr);
        var file = DeploymentFile.Read(DeploymentPath, 31337);
        var epoch = await chain.Web3.Eth.GetContractQueryHandler<EpochLengthFunction>().QueryAsync<ulong>(file.StakingVault, new EpochLengthFunction());
        var court = await chain.Web3.Eth.GetContractQueryHandler<AuditCourtParamsFunction>()
            .QueryDeserializingToObjectAsync<AuditCourtParamsOutputDTO>(new AuditCourtParamsFunction(), file.AuditCourt);
        Assert.Equal(60UL, epoch);
        Assert.Equal(900UL, court.ReturnValue0.AuditWindow);
        Assert.Contains($"AuditCourt {file.AuditCourt}", result.Stdout);

        var zero = await RunAsync("deploy", "--rpc", chain.RpcUrl.ToString(), "--dev-account", DevAccountsOfTests.CliDeployer.ToString(), "--epoch-length", "0");
        Assert.Equal(2, zero.ExitCode);
        Assert.StartsWith("error: --epoch-length must be at least 1 second", zero.Stderr);
    }

    [Theory]
    [InlineData("unknown field", """{"markt": {}}""")]
    [InlineData("not json", "{")]
    [InlineData("negative amount", """{"initialSupply": "-5"}""")]
    public async Task A_malformed_parameter_file_is_one_line_on_stderr(string why, string content)
    {
        File.WriteAllText(_folder.File("params.json"), content);
        var result = await RunAsync("deploy", "--rpc", chain.RpcUrl.ToString(), "--dev-account", "0", "--params", "params.json");

        Assert.True(result.ExitCode == 1, why);
        Assert.StartsWith("error: params.json is not valid deployment options", result.Stderr);
        Assert.Single(result.Stderr.Trim().Split('\n'));
    }

    [Theory]
    [InlineData("deploy", "--rpc", "http://127.0.0.1:1")]
    [InlineData("deploy", "--rpc", "http://127.0.0.1:1", "--dev-account", "0", "--key", "k.json")]
    [InlineData("deploy", "--rpc", "nope", "--dev-account", "0")]
    [InlineData("deploy", "--dev-account", "20")]
    [InlineData("wallet")]
    public async Task Usage_errors_exit_2_with_one_line(params string[] args)
    {
        var result = await RunAsync(args);
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error: ", result.Stderr);
        Assert.Single(result.Stderr.Trim().Split('\n'));
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task An_unreachable_node_is_one_line_and_exit_1()
    {
        var result = await RunAsync("deploy", "--rpc", "http://127.0.0.1:1", "--dev-account", "0");
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: cannot reach the chain node", result.Stderr);
        Assert.Single(result.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public async Task Every_command_explains_itself_with_help()
    {
        foreach (var command in new[] { new[] { "deploy" }, ["wallet", "new"], ["wallet", "import"], ["wallet", "address"], ["wallet", "balance"], ["chain", "status"], ["chain", "index"] })
        {
            var result = await RunAsync([.. command, "--help"]);
            Assert.Equal(0, result.ExitCode);
            Assert.Contains("Description:", result.Stdout);
            Assert.Contains("--", result.Stdout);
        }
    }

    [Fact]
    public async Task Wallet_new_then_address_and_a_wrong_password()
    {
        var environment = new Dictionary<string, string> { ["EXCHANGE_PASSWORD"] = "pw" };
        var created = await ExchangeCli.RunAsync(_folder.Path, environment, "wallet", "new", "--out", "k.json", "--scrypt-n", "1024", "--json");
        Assert.True(created.ExitCode == 0, created.Stderr);
        var address = JsonDocument.Parse(created.Stdout).RootElement.GetProperty("address").GetString();

        var shown = await RunAsync("wallet", "address", "--key", "k.json");
        Assert.Equal(address, shown.Stdout.Trim());

        var again = await ExchangeCli.RunAsync(_folder.Path, environment, "wallet", "new", "--out", "k.json", "--scrypt-n", "1024");
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("already exists", again.Stderr);

        var wrong = await ExchangeCli.RunAsync(_folder.Path, new Dictionary<string, string> { ["EXCHANGE_PASSWORD"] = "nope" },
            "deploy", "--rpc", chain.RpcUrl.ToString(), "--key", "k.json");
        Assert.Equal(1, wrong.ExitCode);
        Assert.Contains("wrong password for keystore", wrong.Stderr);

        var balance = await RunAsync("wallet", "balance", "--rpc", chain.RpcUrl.ToString(), "--key", "k.json", "--json");
        Assert.True(balance.ExitCode == 0, balance.Stderr);
        Assert.Equal("0", JsonDocument.Parse(balance.Stdout).RootElement.GetProperty("wei").GetString());
    }

    [Fact]
    public async Task Wallet_import_keeps_the_address_of_the_key()
    {
        File.WriteAllText(_folder.File("key.txt"), ChainFixture.Key(17).GetPrivateKey());
        var environment = new Dictionary<string, string> { ["EXCHANGE_PASSWORD"] = "pw" };
        var imported = await ExchangeCli.RunAsync(_folder.Path, environment, "wallet", "import", "--private-key-file", "key.txt", "--out", "k.json", "--scrypt-n", "1024");
        Assert.True(imported.ExitCode == 0, imported.Stderr);
        Assert.Equal(Exchange.Chain.Wallets.DevAccounts.Address(17), (await RunAsync("wallet", "address", "--key", "k.json")).Stdout.Trim());

        File.WriteAllText(_folder.File("bad.txt"), "xyz");
        var bad = await ExchangeCli.RunAsync(_folder.Path, environment, "wallet", "import", "--private-key-file", "bad.txt", "--out", "k2.json");
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("64 hex digits", bad.Stderr);
        Assert.False(File.Exists(_folder.File("k2.json")));
    }
}
