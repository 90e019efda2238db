using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Exchange.Chain.Bindings;
using Exchange.Chain.Deployment;
using Exchange.Chain.Wallets;
using Exchange.TestSupport;
using Nethereum.Signer;

namespace Exchange.Cli.Tests;

/// <summary><c>exchange token balance|transfer|mint</c> against the fixture's deployment, found at the default place.</summary>
[Trait("Lane", "Slow")]
[Collection(ChainFixture.Collection)]
public sealed class TokenCommandTests : IDisposable
{
    /// <summary>The fixture's deployer: owner of the token and holder of its initial supply.</summary>
    private const int Owner = 0;

    /// <summary>An account no test of this assembly gives tokens to.</summary>
    private const int Poor = 17;

    private readonly ChainFixture _chain;
    private readonly TempDirectory _folder = new();

    public TokenCommandTests(ChainFixture chain)
    {
        _chain = chain;
        // ExchangeCli's data home is the working folder's .share: the default file of chain 31337 sits there.
        DeploymentFile.Write(Path.Combine(_folder.Path, ".share", "exchange", "deployments", "31337.json"), chain.Deployment);
    }

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Transfer_moves_the_tokens_and_balance_reports_them()
    {
        var receiver = FreshAddress();
        var sent = await TokenAsync("transfer", "--dev-account", Owner.ToString(CultureInfo.InvariantCulture), "--to", receiver, "--amount", "12.5", "--json");

        CliAssert.Succeeds(sent);
        using var json = JsonDocument.Parse(sent.Stdout);
        Assert.Equal(DevAccounts.Address(Owner), json.RootElement.GetProperty("from").GetString());
        Assert.Equal("12500000000000000000", json.RootElement.GetProperty("amount").GetString());
        Assert.Matches("^0x[0-9a-f]{64}$", json.RootElement.GetProperty("transaction").GetString());
        Assert.Equal(BigInteger.Parse("12500000000000000000", CultureInfo.InvariantCulture), await BalanceOnChainAsync(receiver));

        var balance = await TokenAsync("balance", "--address", receiver, "--json");
        CliAssert.Succeeds(balance);
        using var report = JsonDocument.Parse(balance.Stdout);
        Assert.Equal("12500000000000000000", report.RootElement.GetProperty("balance").GetString());
        Assert.Equal("12.5", report.RootElement.GetProperty("tokens").GetString());

        var text = await TokenAsync("balance", "--address", receiver);
        CliAssert.Succeeds(text);
        Assert.Equal($"{receiver} 12.5 tokens", text.Stdout.Trim());
    }

    [Fact]
    public async Task The_owner_mints_and_another_account_is_refused_in_one_line()
    {
        var receiver = FreshAddress();
        var minted = await TokenAsync("mint", "--dev-account", Owner.ToString(CultureInfo.InvariantCulture), "--to", receiver, "--amount", "3");
        CliAssert.Succeeds(minted);
        Assert.StartsWith($"minted 3 tokens to {receiver}", minted.Stdout);
        Assert.Equal(BigInteger.Pow(10, 18) * 3, await BalanceOnChainAsync(receiver));

        var refused = await TokenAsync("mint", "--dev-account", Poor.ToString(CultureInfo.InvariantCulture), "--to", receiver, "--amount", "3");
        CliAssert.FailsInOneLine(refused, 1, "only the token's owner", DevAccounts.Address(Owner), "nothing was minted");
        Assert.Equal(BigInteger.Pow(10, 18) * 3, await BalanceOnChainAsync(receiver));
    }

    [Fact]
    public async Task A_transfer_beyond_the_balance_fails_in_one_line_and_moves_nothing()
    {
        var receiver = FreshAddress();
        var held = await BalanceOnChainAsync(DevAccounts.Address(Poor));
        var tooMuch = (held / BigInteger.Pow(10, 18)) + 1;

        var result = await TokenAsync("transfer", "--dev-account", Poor.ToString(CultureInfo.InvariantCulture), "--to", receiver, "--amount", tooMuch.ToString(CultureInfo.InvariantCulture));

        CliAssert.FailsInOneLine(result, 1, "fewer than the", "nothing was sent");
        Assert.Equal(BigInteger.Zero, await BalanceOnChainAsync(receiver));
        Assert.Equal(held, await BalanceOnChainAsync(DevAccounts.Address(Poor)));
    }

    [Theory]
    [InlineData("--to", "0x12", "--amount", "1", "is not an address")]
    [InlineData("--to", "0x0000000000000000000000000000000000000001", "--amount", "-1", "--amount: '-1' is not a token amount")]
    [InlineData("--to", "0x0000000000000000000000000000000000000001", "--amount", "0", "--amount must be more than 0")]
    [InlineData("--to", "0x0000000000000000000000000000000000000001", "--amount", "1.0000000000000000001", "at most 18 decimals")]
    public async Task Bad_input_is_a_usage_error_in_one_line(string toOption, string to, string amountOption, string amount, string problem)
    {
        var result = await TokenAsync("transfer", "--dev-account", Owner.ToString(CultureInfo.InvariantCulture), toOption, to, amountOption, amount);
        CliAssert.FailsInOneLine(result, 2, problem);
    }

    private Task<ExchangeCli.Result> TokenAsync(params string[] args) =>
        ExchangeCli.RunAsync(_folder.Path, null, ["token", .. args, "--rpc", _chain.RpcUrl.ToString()]);

    private async Task<BigInteger> BalanceOnChainAsync(string address) =>
        (await _chain.Web3.Eth.GetContractQueryHandler<BalanceOfFunction>()
            .QueryDeserializingToObjectAsync<BalanceOfOutputDTO>(new BalanceOfFunction { Account = address }, _chain.Deployment.ComputeToken)).ReturnValue0;

    private static string FreshAddress() => EthECKey.GenerateKey().GetPublicAddress();
}
