using System.CommandLine;
using System.Globalization;
using Exchange.Cli.Infrastructure;
using Exchange.Node.Provider;

namespace Exchange.Cli.Commands;

/// <summary>The options of a provider's offer, stake and batching, shared by <c>provider run</c> and the canary's provider in <c>canary run</c>.</summary>
internal sealed class ProviderOfferOptions
{
    public Option<string> Model { get; } = new("--model") { Description = "Model to offer, by name or id (default resnet18)", DefaultValueFactory = _ => "resnet18" };

    public Option<string> UnitPrice { get; } = new("--unit-price") { Description = "Price per task in tokens (default 0.001)", HelpName = "TOKENS", DefaultValueFactory = _ => "0.001" };

    public Option<int> MaxTasks { get; } = new("--max-tasks") { Description = "Largest job accepted, in tasks (default 64)", DefaultValueFactory = _ => 64 };

    public Option<int> Turnaround { get; } = new("--min-turnaround") { Description = "Seconds a job needs at least; the market refuses jobs due sooner (default 300)", HelpName = "SECONDS", DefaultValueFactory = _ => 300 };

    public Option<string> Region { get; } = new("--region") { Description = "Region named in the offer (default local)", DefaultValueFactory = _ => "local" };

    public Option<string> Stake { get; } = new("--stake") { Description = "Stake to hold in the vault, in tokens (default 10000)", HelpName = "TOKENS", DefaultValueFactory = _ => "10000" };

    public Option<int> Collateral { get; } = new("--collateral-jobs") { Description = "Free collateral kept locked in the market, in jobs of --max-tasks tasks; topped up when half is used (default 4)", HelpName = "JOBS", DefaultValueFactory = _ => 4 };

    public Option<int> Batch { get; } = new("--batch-size") { Description = "Tasks handed to the inference engine at once (default 8)", DefaultValueFactory = _ => 8 };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Model, UnitPrice, MaxTasks, Turnaround, Region, Stake, Collateral, Batch })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The provider options these values give (honest: no cheat).</summary>
    /// <exception cref="CliException">A value is out of range.</exception>
    public ProviderOptions ToOptions(ParseResult parsed)
    {
        if (parsed.GetValue(Turnaround) is < 0 or > ProviderOptions.MaxMinTurnaroundSeconds)
        {
            throw new CliException($"--min-turnaround is seconds between 0 and {ProviderOptions.MaxMinTurnaroundSeconds}", ExitCodes.Usage);
        }

        if (parsed.GetValue(Collateral) is < 1 or > 10_000)
        {
            throw new CliException("--collateral-jobs is a number of jobs between 1 and 10000", ExitCodes.Usage);
        }

        return new ProviderOptions
        {
            Model = parsed.GetValue(Model)!,
            UnitPrice = ProviderCommands.Units(parsed.GetValue(UnitPrice)!, "--unit-price"),
            MaxTasks = parsed.GetValue(MaxTasks),
            MinTurnaroundSeconds = parsed.GetValue(Turnaround),
            Region = parsed.GetValue(Region)!,
            Stake = ProviderCommands.Units(parsed.GetValue(Stake)!, "--stake"),
            CollateralJobs = parsed.GetValue(Collateral),
            BatchSize = parsed.GetValue(Batch),
        };
    }

    /// <summary>Provider options as configuration keys of section <c>Provider</c>, for a host's configuration.</summary>
    public static IEnumerable<KeyValuePair<string, string?>> Configuration(ProviderOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
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
