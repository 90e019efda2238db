using System.CommandLine;
using System.Globalization;
using System.Numerics;
using Exchange.Chain.Bindings;
using Exchange.Chain.Deployment;
using Exchange.Chain.State;
using Exchange.Cli.Infrastructure;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Web3;

namespace Exchange.Cli.Commands;

/// <summary><c>exchange chain</c>: what is deployed where, and in what state.</summary>
internal static class ChainCommands
{
    public static Command Build()
    {
        var chain = new Command("chain", "Inspect the chain and the deployed contracts");
        chain.Subcommands.Add(BuildStatus());
        chain.Subcommands.Add(BuildIndex());
        return chain;
    }

    /// <summary>The database file the indexer writes under <c>--data</c> (the API reads the same file).</summary>
    internal const string DatabaseFileName = "exchange.db";

    private static Command BuildIndex()
    {
        var rpc = CommonOptions.Rpc();
        var deployment = CommonOptions.Deployment();
        var data = CommonOptions.Data();
        var json = CommonOptions.Json();
        var confirmations = new Option<ulong>("--confirmations")
        {
            Description = "Blocks a block must be buried under before it is indexed (default 0; 12 or more on a public chain)",
            HelpName = "N",
        };
        var follow = new Option<bool>("--follow") { Description = "Keep indexing new blocks until interrupted (Ctrl+C)" };
        var command = new Command("index", $"Index the deployment's events into <data>/{DatabaseFileName} (jobs, stakes, balances, timeline; see docs/chain.md)")
        {
            rpc, deployment, data, confirmations, follow, json,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var web3 = ChainConnect.Web3(parsed.GetValue(rpc)!);
            var contracts = await ChainConnect.DeploymentAsync(web3, parsed.GetValue(rpc)!, parsed.GetValue(deployment), cancellationToken).ConfigureAwait(false);
            var database = new Exchange.Storage.SqliteConnectionFactory(Path.Combine(parsed.GetValue(data)!.FullName, DatabaseFileName));
            var indexer = new Exchange.Chain.Indexing.ChainIndexer(web3, contracts, database,
                new Exchange.Chain.Indexing.ChainIndexerOptions { Confirmations = parsed.GetValue(confirmations) });
            do
            {
                var progress = await indexer.SyncOnceAsync(cancellationToken).ConfigureAwait(false);
                if (parsed.GetValue(json))
                {
                    Output.Json(progress);
                }
                else if (progress.Events > 0 || !parsed.GetValue(follow))
                {
                    Output.Line($"indexed {progress.Events} events; next block {progress.NextBlock}, head {progress.Head}" +
                        (progress.RolledBackTo is { } fork ? $", rolled back a reorg to block {fork}" : ""));
                }

                if (parsed.GetValue(follow))
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
                }
            }
            while (parsed.GetValue(follow));

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command BuildStatus()
    {
        var rpc = CommonOptions.Rpc();
        var deploymentFile = CommonOptions.Deployment();
        var json = CommonOptions.Json();
        var command = new Command("status", "Print the chain id, latest block, contract addresses (from the deployment file) and the market's parameters and ledger")
        {
            rpc, deploymentFile, json,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var web3 = ChainConnect.Web3(parsed.GetValue(rpc)!);
            var deployment = await ChainConnect.DeploymentAsync(web3, parsed.GetValue(rpc)!, parsed.GetValue(deploymentFile), cancellationToken).ConfigureAwait(false);
            var chainId = deployment.ChainId;
            var block = (await web3.Eth.Blocks.GetBlockNumber.SendRequestAsync().WaitAsync(cancellationToken).ConfigureAwait(false)).Value;
            await RequireCodeAsync(web3, deployment, cancellationToken).ConfigureAwait(false);

            var state = new ContractState(web3, deployment);
            var market = await state.ParamsAsync(cancellationToken).ConfigureAwait(false);
            var ledger = await state.LedgerAsync(cancellationToken).ConfigureAwait(false);
            var court = await state.CourtParamsAsync(cancellationToken).ConfigureAwait(false);
            var status = new
            {
                chainId = (ulong)chainId,
                block = (ulong)block,
                contracts = new Dictionary<string, string>
                {
                    ["ComputeToken"] = deployment.ComputeToken,
                    ["StakingVault"] = deployment.StakingVault,
                    ["JobMarket"] = deployment.JobMarket,
                    ["AuditCourt"] = deployment.AuditCourt,
                },
                deployer = deployment.Deployer,
                startBlock = deployment.StartBlock,
                ledger = new
                {
                    jobCount = Text(ledger.JobCount),
                    verificationPool = Text(ledger.VerificationPool),
                    protocolFees = Text(ledger.ProtocolFees),
                    ledger.Paused,
                },
                parameters = market,
                courtParameters = court,
            };
            if (parsed.GetValue(json))
            {
                Output.Json(status);
                return ExitCodes.Ok;
            }

            Output.Line($"chain {chainId} at block {block}");
            Output.Line($"  ComputeToken  {deployment.ComputeToken}");
            Output.Line($"  StakingVault  {deployment.StakingVault}");
            Output.Line($"  JobMarket     {deployment.JobMarket}{(ledger.Paused ? " (paused)" : "")}");
            Output.Line($"  AuditCourt    {deployment.AuditCourt}");
            Output.Line($"  jobs {ledger.JobCount}, verification pool {ledger.VerificationPool}, protocol fees {ledger.ProtocolFees}");
            foreach (var (record, properties) in new (object, System.Reflection.PropertyInfo[])[] { (market, typeof(MarketParameters).GetProperties()), (court, typeof(CourtParameters).GetProperties()) })
            {
                foreach (var property in properties)
                {
                    Output.Line($"  {property.Name,-26}{Convert.ToString(property.GetValue(record), CultureInfo.InvariantCulture)}");
                }
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task RequireCodeAsync(IWeb3 web3, ChainDeployment deployment, CancellationToken cancellationToken)
    {
        foreach (var (name, address) in new[] { ("ComputeToken", deployment.ComputeToken), ("StakingVault", deployment.StakingVault), ("JobMarket", deployment.JobMarket), ("AuditCourt", deployment.AuditCourt) })
        {
            var code = await web3.Eth.GetCode.SendRequestAsync(address, BlockParameter.CreateLatest()).WaitAsync(cancellationToken).ConfigureAwait(false);
            if (string.IsNullOrEmpty(code) || code == "0x")
            {
                throw new CliException($"{name} at {address} has no code on chain {deployment.ChainId}: the deployment file is stale (a restarted local node?); deploy again");
            }
        }
    }

    private static string Text(BigInteger value) => value.ToString(CultureInfo.InvariantCulture);
}
