using System.CommandLine;
using System.Globalization;
using Exchange.Cli.Infrastructure;
using Exchange.Node.Chain;
using Exchange.Node.Hosting;
using Exchange.Node.Provider;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Exchange.Cli.Commands;

/// <summary><c>exchange provider run</c>: the provider node.</summary>
internal static class ProviderCommands
{
    public static Command Build()
    {
        var provider = new Command("provider", "Run inference for clients: stake, lock collateral, offer, accept, compute, submit signed results, settle");
        provider.Subcommands.Add(BuildRun());
        return provider;
    }

    private static Command BuildRun()
    {
        var common = new ProviderAndVerifierOptions();
        var offer = new ProviderOfferOptions();
        var cheat = new Option<string>("--cheat") { Description = "Dishonest mode for tests and demos: random, perturb, other-model, reuse, withhold or wrong-key (encrypted jobs: reveal wrong task keys to the verifiers)", HelpName = "MODE" };
        var cheatRate = new Option<double>("--cheat-rate") { Description = "Share of tasks falsified when cheating, 0-1", HelpName = "F" };
        var cheatModel = new Option<string>("--cheat-model") { Description = "For --cheat other-model: a model in the store to run instead (default: the real model's cheaper stand-in, derived from it)" };
        var cheatSeed = new Option<int>("--cheat-seed") { Description = "Seed of the cheat's choices (default 1)", DefaultValueFactory = _ => 1 };
        var withdraw = new Option<int>("--withdraw-interval") { Description = "Seconds between withdrawals of the market balance; 0 never (default 0)", HelpName = "SECONDS" };
        var command = new Command("run", "Serve as a provider until Ctrl+C");
        offer.AddTo(command);
        foreach (var option in new Option[] { cheat, cheatRate, cheatModel, cheatSeed, withdraw })
        {
            command.Options.Add(option);
        }

        common.AddTo(command);
        command.SetAction(async (parsed, ct) =>
        {
            var options = offer.ToOptions(parsed);
            options.Cheat = ParseCheat(parsed.GetValue(cheat));
            options.CheatRate = parsed.GetValue(cheatRate);
            options.CheatModel = parsed.GetValue(cheatModel);
            options.CheatSeed = parsed.GetValue(cheatSeed);
            options.WithdrawIntervalSeconds = parsed.GetValue(withdraw);
            var key = common.Account.Resolve(parsed);
            var builder = await NodeHost.CreateBuilderAsync(common.ToNodeOptions(parsed), ProviderOfferOptions.Configuration(options), parsed.GetValue(CommonOptions.Verbose), ct).ConfigureAwait(false);
            builder.Services.AddProviderNode(key);
            using var host = builder.Build();
            await NodeHost.RunAsync(host, ct).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }

    internal static CheatMode ParseCheat(string? text) => text switch
    {
        null or "" or "none" => CheatMode.None,
        "random" => CheatMode.Random,
        "perturb" => CheatMode.Perturb,
        "other-model" => CheatMode.OtherModel,
        "reuse" => CheatMode.Reuse,
        "withhold" => CheatMode.Withhold,
        "wrong-key" => CheatMode.WrongKey,
        _ => throw new CliException($"--cheat must be random, perturb, other-model, reuse, withhold or wrong-key, not '{text}'", ExitCodes.Usage),
    };

    internal static string Units(string tokens, string option)
    {
        try
        {
            return TokenUnits.Parse(tokens).ToString(CultureInfo.InvariantCulture);
        }
        catch (FormatException e)
        {
            throw new CliException($"{option}: {e.Message}", ExitCodes.Usage);
        }
    }
}
