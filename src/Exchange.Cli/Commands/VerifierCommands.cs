using System.CommandLine;
using System.Globalization;
using Exchange.Cli.Infrastructure;
using Exchange.Node.Hosting;
using Exchange.Node.Verifier;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Exchange.Cli.Commands;

/// <summary><c>exchange verifier run</c>: the verifier node.</summary>
internal static class VerifierCommands
{
    public static Command Build()
    {
        var verifier = new Command("verifier", "Audit providers: re-run drawn tasks, post verdicts, sit on dispute committees (commit and reveal votes)");
        verifier.Subcommands.Add(BuildRun());
        return verifier;
    }

    private static Command BuildRun()
    {
        var common = new ProviderAndVerifierOptions();
        var stake = new Option<string>("--stake") { Description = "Stake to hold in the vault, in tokens (default 1000)", HelpName = "TOKENS", DefaultValueFactory = _ => "1000" };
        var bonds = new Option<int>("--bond-reserve") { Description = "Least challenger bonds to deposit at start; a fail verdict tops the balance up to its own bond (default 3)", DefaultValueFactory = _ => 3 };
        var mode = new Option<string>("--mode") { Description = "How to judge: honest (default); lazy or copying are dishonest verifiers for tests and demos", HelpName = "MODE", DefaultValueFactory = _ => "honest" };
        var command = new Command("run", "Serve as a verifier until Ctrl+C") { stake, bonds, mode };
        common.AddTo(command);
        command.SetAction(async (parsed, ct) =>
        {
            var verifierMode = ParseMode(parsed.GetValue(mode));
            var key = common.Account.Resolve(parsed);
            var builder = await NodeHost.CreateBuilderAsync(common.ToNodeOptions(parsed),
            [
                new($"{VerifierOptions.Section}:{nameof(VerifierOptions.Stake)}", ProviderCommands.Units(parsed.GetValue(stake)!, "--stake")),
                new($"{VerifierOptions.Section}:{nameof(VerifierOptions.BondReserve)}", parsed.GetValue(bonds).ToString(CultureInfo.InvariantCulture)),
                new($"{VerifierOptions.Section}:{nameof(VerifierOptions.Mode)}", verifierMode.ToString()),
            ], parsed.GetValue(CommonOptions.Verbose), ct).ConfigureAwait(false);
            builder.Services.AddVerifierNode(key);
            using var host = builder.Build();
            await NodeHost.RunAsync(host, ct).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }

    internal static VerifierMode ParseMode(string? text) => text switch
    {
        null or "" or "honest" => VerifierMode.Honest,
        "lazy" => VerifierMode.Lazy,
        "copying" => VerifierMode.Copying,
        _ => throw new CliException($"--mode must be honest, lazy or copying, not '{text}'", ExitCodes.Usage),
    };
}
