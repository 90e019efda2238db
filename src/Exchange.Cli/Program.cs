using System.CommandLine;
using Exchange.Cli.Cli;
using Exchange.Cli.Commands;

var root = new RootCommand("exchange: a blockchain-settled compute exchange for AI inference");
root.Subcommands.Add(WalletCommands.Build());
root.Subcommands.Add(ApiCommands.Build());
return await CliRunner.RunAsync(root, args);
