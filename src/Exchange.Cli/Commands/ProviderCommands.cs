using System.CommandLine;
using System.Globalization;
using Exchange.Cli.Cli;
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
        var model = new Option<string>("--model") { Description = "Model to offer, by name or id (default resnet18)", DefaultValueFactory = _ => "resnet18" };
        var price = new Option<string>("--unit-price") { Description = "Price per task in tokens (default 0.001)", HelpName = "TOKENS", DefaultValueFactory = _ => "0.001" };
        var maxTasks = new Option<int>("--max-tasks") { Description = "Largest job accepted, in tasks (default 64)", DefaultValueFactory = _ => 64 };
        var turnaround = new Option<int>("--min-turnaround") { Description = "Seconds a job needs at least; the market refuses jobs due sooner (default 300)", HelpName = "SECONDS", DefaultValueFactory = _ => 300 };
        var region = new Option<string>("--region") { Description = "Region named in the offer (default local)", DefaultValueFactory = _ => "local" };
        var stake = new Option<string>("--stake") { Description = "Stake to hold in the vault, in tokens (default 10000)", HelpName = "TOKENS", DefaultValueFactory = _ => "10000" };
        var collateral = new Option<int>("--collateral-jobs") { Description = "Free collateral kept locked in the market, in jobs of --max-tasks tasks; topped up when half is used (default 4)", HelpName = "JOBS", DefaultValueFactory = _ => 4 };
        var batch = new Option<int>("--batch-size") { Description = "Tasks handed to the inference engine at once (default 8)", DefaultValueFactory = _ => 8 };
        var cheat = new Option<string>("--cheat") { Description = "Dishonest mode for tests and demos: random, perturb, other-model, reuse or withhold (submits the result root, uploads no outputs)", HelpName = "MODE" };
        var cheatRate = new Option<double>("--cheat-rate") { Description = "Share of tasks falsified when cheating, 0-1", HelpName = "F" };
        var cheatModel = new Option<string>("--cheat-model") { Description = "For --cheat other-model: a model in the store to run instead (default: the real model's cheaper stand-in, derived from it)" };
        var cheatSeed = new Option<int>("--cheat-seed") { Description = "Seed of the cheat's choices (default 1)", DefaultValueFactory = _ => 1 };
        var withdraw = new Option<int>("--withdraw-interval") { Description = "Seconds between withdrawals of the market balance; 0 never (default 0)", HelpName = "SECONDS" };
        var command = new Command("run", "Serve as a provider until Ctrl+C") { model, price, maxTasks, turnaround, region, stake, collateral, batch, cheat, cheatRate, cheatModel, cheatSeed, withdraw };
        common.AddTo(command);
        command.SetAction(async (parsed, ct) =>
        {
            if (parsed.GetValue(turnaround) is < 0 or > ProviderOptions.MaxMinTurnaroundSeconds)
            {
                throw new CliException($"--min-turnaround is seconds between 0 and {ProviderOptions.MaxMinTurnaroundSeconds}", ExitCodes.Usage);
            }

            if (parsed.GetValue(collateral) is < 1 or > 10_000)
            {
                throw new CliException("--collateral-jobs is a number of jobs between 1 and 10000", ExitCodes.Usage);
            }

            var options = new ProviderOptions
            {
                Model = parsed.GetValue(model)!,
                UnitPrice = Units(parsed.GetValue(price)!, "--unit-price"),
                MaxTasks = parsed.GetValue(maxTasks),
                MinTurnaroundSeconds = parsed.GetValue(turnaround),
                Region = parsed.GetValue(region)!,
                Stake = Units(parsed.GetValue(stake)!, "--stake"),
                CollateralJobs = parsed.GetValue(collateral),
                BatchSize = parsed.GetValue(batch),
                Cheat = ParseCheat(parsed.GetValue(cheat)),
                CheatRate = parsed.GetValue(cheatRate),
                CheatModel = parsed.GetValue(cheatModel),
                CheatSeed = parsed.GetValue(cheatSeed),
                WithdrawIntervalSeconds = parsed.GetValue(withdraw),
            };
            var builder = Host.CreateApplicationBuilder([]);
            builder.Configuration.AddInMemoryCollection(ProviderAndVerifierOptions.AsConfiguration(common.ToNodeOptions(parsed)).Concat(Configuration(options)));
            builder.Services.AddProviderNode(common.Account.Resolve(parsed));
            using var host = builder.Build();
            await host.RunAsync(ct).ConfigureAwait(false);
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
        _ => throw new CliException($"--cheat must be random, perturb, other-model, reuse or withhold, not '{text}'", ExitCodes.Usage),
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

    private static IEnumerable<KeyValuePair<string, string?>> Configuration(ProviderOptions o)
    {
        var s = ProviderOptions.Section;
        yield return new($"{s}:{nameof(o.Model)}", o.Model);
        yield return new($"{s}:{nameof(o.UnitPrice)}", o.UnitPrice);
        yield return new($"{s}:{nameof(o.MaxTasks)}", o.MaxTasks.ToString(CultureInfo.InvariantCulture));
        yield return new($"{s}:{nameof(o.MinTurnaroundSeconds)}", o.MinTurnaroundSeconds.ToString(CultureInfo.InvariantCulture));
        yield return new($"{s}:{nameof(o.Region)}", o.Region);
        yield return new($"{s}:{nameof(o.Stake)}", o.Stake);
        yield return new($"{s}:{nameof(o.CollateralJobs)}", o.CollateralJobs.ToString(CultureInfo.InvariantCulture));
        yield return new($"{s}:{nameof(o.BatchSize)}", o.BatchSize.ToString(CultureInfo.InvariantCulture));
        yield return new($"{s}:{nameof(o.Cheat)}", o.Cheat.ToString());
        yield return new($"{s}:{nameof(o.CheatRate)}", o.CheatRate.ToString(CultureInfo.InvariantCulture));
        yield return new($"{s}:{nameof(o.CheatModel)}", o.CheatModel);
        yield return new($"{s}:{nameof(o.CheatSeed)}", o.CheatSeed.ToString(CultureInfo.InvariantCulture));
        yield return new($"{s}:{nameof(o.WithdrawIntervalSeconds)}", o.WithdrawIntervalSeconds.ToString(CultureInfo.InvariantCulture));
    }
}
