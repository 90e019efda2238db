using System.CommandLine;
using System.Numerics;
using Exchange.Chain.Bindings;
using Exchange.Chain.Deployment;
using Exchange.Chain.Transactions;
using Exchange.Cli.Infrastructure;
using Exchange.Node.Chain;
using Nethereum.Web3;

namespace Exchange.Cli.Commands;

/// <summary><c>exchange token</c>: the deployment's ComputeToken: balances, transfers, and minting by its owner.</summary>
internal static class TokenCommands
{
    public static Command Build()
    {
        var token = new Command("token", "The ComputeToken of the deployment: balance, transfer, mint (owner only)");
        token.Subcommands.Add(BuildBalance());
        token.Subcommands.Add(BuildSend("transfer", "Send tokens from the signing account to --to"));
        token.Subcommands.Add(BuildSend("mint", "Create tokens for --to; only the token's owner (the deployer, until it renounces) may"));
        return token;
    }

    /// <summary>The ERC-20 balance of <paramref name="address"/> at <paramref name="contract"/> (the token's, or the market's internal one).</summary>
    internal static async Task<BigInteger> BalanceOfAsync(IWeb3 web3, string contract, string address, CancellationToken cancellationToken) =>
        (await web3.Eth.GetContractQueryHandler<BalanceOfFunction>()
            .QueryDeserializingToObjectAsync<BalanceOfOutputDTO>(new BalanceOfFunction { Account = address }, contract).WaitAsync(cancellationToken).ConfigureAwait(false)).ReturnValue0;

    private static Command BuildBalance()
    {
        var account = new AccountOptions();
        var address = new Option<string?>("--address") { Description = "Any address to look up instead of --key/--dev-account", HelpName = "0x…" };
        var rpc = CommonOptions.Rpc();
        var deployment = CommonOptions.Deployment();
        var json = CommonOptions.Json();
        var command = new Command("balance", "Print an account's ComputeToken balance") { address, rpc, deployment, json };
        account.AddTo(command, required: false);
        command.Validators.Add(result =>
        {
            if ((result.GetResult(address) is not null) == (result.GetResult(account.Key) is not null || result.GetResult(account.DevAccount) is not null))
            {
                result.AddError("give exactly one of --address, --key or --dev-account");
            }
        });
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var owner = parsed.GetValue(address) is { } given ? WalletCommands.ParseAddress(given) : account.ResolveAddress(parsed);
            var web3 = ChainConnect.Web3(parsed.GetValue(rpc)!);
            var contracts = await ChainConnect.DeploymentAsync(web3, parsed.GetValue(rpc)!, parsed.GetValue(deployment), cancellationToken).ConfigureAwait(false);
            var balance = await BalanceOfAsync(web3, contracts.ComputeToken, owner, cancellationToken).ConfigureAwait(false);
            if (parsed.GetValue(json))
            {
                Output.Json(new { address = owner, balance, tokens = TokenUnits.Format(balance) });
            }
            else
            {
                Output.Line($"{owner} {TokenUnits.Format(balance)} tokens");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary><c>transfer</c> and <c>mint</c>: the same options, one transaction each.</summary>
    private static Command BuildSend(string name, string description)
    {
        var account = new AccountOptions();
        var to = new Option<string>("--to") { Description = "Address that receives the tokens", HelpName = "0x…", Required = true };
        var amount = new Option<string>("--amount") { Description = "Tokens, e.g. 2500 or 0.5 (18 decimals)", HelpName = "TOKENS", Required = true };
        var rpc = CommonOptions.Rpc();
        var deployment = CommonOptions.Deployment();
        var json = CommonOptions.Json();
        var command = new Command(name, description) { to, amount, rpc, deployment, json };
        account.AddTo(command);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var receiver = WalletCommands.ParseAddress(parsed.GetValue(to)!);
            var units = Amount(parsed.GetValue(amount)!);
            using var sender = await ChainConnect.SenderAsync(parsed, parsed.GetValue(rpc)!, account, cancellationToken).ConfigureAwait(false);
            var contracts = DeploymentFile.Read(parsed.GetValue(deployment)?.FullName, sender.ChainId);
            var receipt = name == "mint"
                ? await MintAsync(sender, contracts, receiver, units, cancellationToken).ConfigureAwait(false)
                : await TransferAsync(sender, contracts, receiver, units, cancellationToken).ConfigureAwait(false);
            var balance = await BalanceOfAsync(sender.Web3, contracts.ComputeToken, receiver, cancellationToken).ConfigureAwait(false);
            if (parsed.GetValue(json))
            {
                Output.Json(new { from = sender.Address, to = receiver, amount = units, transaction = receipt.TransactionHash, balance });
            }
            else
            {
                Output.Line($"{(name == "mint" ? "minted" : "sent")} {TokenUnits.Format(units)} tokens to {receiver} (transaction {receipt.TransactionHash}); it now holds {TokenUnits.Format(balance)}");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static BigInteger Amount(string text)
    {
        try
        {
            return TokenUnits.Parse(text) is { IsZero: false } units ? units : throw new CliException("--amount must be more than 0 tokens", ExitCodes.Usage);
        }
        catch (FormatException e)
        {
            throw new CliException($"--amount: {e.Message}", ExitCodes.Usage);
        }
    }

    private static async Task<Nethereum.RPC.Eth.DTOs.TransactionReceipt> TransferAsync(
        TransactionSender sender, ChainDeployment contracts, string receiver, BigInteger units, CancellationToken cancellationToken)
    {
        // Checked here so that the common mistake reads in tokens, not as the token's revert in smallest units.
        var held = await BalanceOfAsync(sender.Web3, contracts.ComputeToken, sender.Address, cancellationToken).ConfigureAwait(false);
        if (held < units)
        {
            throw new CliException($"{sender.Address} holds {TokenUnits.Format(held)} tokens, fewer than the {TokenUnits.Format(units)} to send; nothing was sent");
        }

        return await sender.SendAsync(contracts.ComputeToken, new TransferFunction { To = receiver, Value = units }, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<Nethereum.RPC.Eth.DTOs.TransactionReceipt> MintAsync(
        TransactionSender sender, ChainDeployment contracts, string receiver, BigInteger units, CancellationToken cancellationToken)
    {
        var owner = await sender.Web3.Eth.GetContractQueryHandler<OwnerFunction>()
            .QueryAsync<string>(contracts.ComputeToken, new OwnerFunction()).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (!string.Equals(owner, sender.Address, StringComparison.OrdinalIgnoreCase))
        {
            throw new CliException($"only the token's owner {owner} may mint, not {sender.Address}; nothing was minted");
        }

        return await sender.SendAsync(contracts.ComputeToken, new MintFunction { To = receiver, Amount = units }, cancellationToken).ConfigureAwait(false);
    }
}
