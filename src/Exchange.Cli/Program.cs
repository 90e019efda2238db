using System.CommandLine;
using System.Globalization;
using Exchange.Cli.Commands;
using Exchange.Cli.Infrastructure;

// ICU is on for text models' Unicode decomposition; parsing and formatting stay culture-free as before.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.DefaultThreadCurrentUICulture = CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

var root = new RootCommand("exchange: a blockchain-settled compute exchange for AI inference");
root.Subcommands.Add(DeployCommand.Build());
root.Subcommands.Add(WalletCommands.Build());
root.Subcommands.Add(TokenCommands.Build());
root.Subcommands.Add(ChainCommands.Build());
root.Subcommands.Add(ApiCommands.Build());
root.Subcommands.Add(ModelCommands.Build());
root.Subcommands.Add(InferCommand.Build());
root.Subcommands.Add(TextCommands.Build());
root.Subcommands.Add(BenchCommands.Build());
root.Subcommands.Add(ProviderCommands.Build());
root.Subcommands.Add(VerifierCommands.Build());
root.Subcommands.Add(CanaryCommands.Build());
root.Subcommands.Add(ClientCommands.Build());
root.Subcommands.Add(DemoCommands.Build());
root.Subcommands.Add(ReliabilityCommand.Build());
return await CliRunner.RunAsync(root, args);
