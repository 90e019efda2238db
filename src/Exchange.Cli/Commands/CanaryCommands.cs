using System.CommandLine;
using System.Globalization;
using Exchange.Cli.Infrastructure;
using Exchange.Node.Canary;
using Exchange.Node.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Exchange.Cli.Commands;

/// <summary><c>exchange canary run</c>: the canary service that checks the verifiers.</summary>
internal static class CanaryCommands
{
    public static Command Build()
    {
        var canary = new Command("canary", "Check the verifiers: post jobs with deliberately wrong outputs from an ordinary-looking client and provider, and appeal every pass they get");
        canary.Subcommands.Add(BuildRun());
        return canary;
    }

    private static Command BuildRun()
    {
        var common = new ProviderAndVerifierOptions();
        var client = new AccountOptions("client-", " as the canary's client");
        var offer = new ProviderOfferOptions();
        var rate = new Option<double>("--rate") { Description = "Largest share of the market's jobs that canaries make up, 0-1 (default 0.05; a lazy verifier loses money above about 0.02, docs/contracts.md)", HelpName = "F", DefaultValueFactory = _ => 0.05 };
        var max = new Option<int>("--max-canaries") { Description = "Stop once this many canaries were posted and have ended; 0 runs until Ctrl+C (default 0)", HelpName = "N" };
        var tasks = new Option<int>("--tasks") { Description = "Tasks per canary until an ordinary job of the model was seen (then its size is copied) (default 8)", DefaultValueFactory = _ => 8 };
        var deadline = new Option<int>("--deadline") { Description = "Seconds from a canary's creation to its deadline (default 600)", HelpName = "SECONDS", DefaultValueFactory = _ => 600 };
        var wrongShare = new Option<double>("--wrong-share") { Description = "Share of a canary's tasks given wrong outputs, 0.01-1 (default 0.5)", HelpName = "F", DefaultValueFactory = _ => 0.5 };
        var interval = new Option<int>("--min-interval") { Description = "Seconds between two canaries at least (default 0)", HelpName = "SECONDS" };
        var seed = new Option<int>("--seed") { Description = "Seed of the canaries' inputs and wrong tasks (default 1)", DefaultValueFactory = _ => 1 };
        var json = CommonOptions.Json();
        var command = new Command("run", "Run the canary service until Ctrl+C (or --max-canaries), then report what it posted, caught, spent and recovered");
        offer.AddTo(command);
        foreach (var option in new Option[] { rate, max, tasks, deadline, wrongShare, interval, seed, json })
        {
            command.Options.Add(option);
        }

        common.AddTo(command);
        client.AddTo(command);
        command.SetAction(async (parsed, ct) =>
        {
            var problem =
                parsed.GetValue(rate) is not (> 0 and <= 1) ? "--rate is a share of the market's jobs, above 0 and at most 1"
                : parsed.GetValue(wrongShare) is not (>= 0.01 and <= 1) ? "--wrong-share is a share of a canary's tasks, 0.01 to 1"
                : parsed.GetValue(max) < 0 ? "--max-canaries is 0 (no limit) or more"
                : parsed.GetValue(tasks) < 1 ? "--tasks must be at least 1"
                : parsed.GetValue(deadline) < 10 ? "--deadline is at least 10 seconds"
                : parsed.GetValue(interval) < 0 ? "--min-interval is 0 seconds or more"
                : null;
            if (problem is not null)
            {
                throw new CliException(problem, ExitCodes.Usage);
            }

            var options = new CanaryOptions
            {
                Rate = parsed.GetValue(rate),
                MaxCanaries = parsed.GetValue(max),
                Tasks = parsed.GetValue(tasks),
                DeadlineSeconds = parsed.GetValue(deadline),
                WrongShare = parsed.GetValue(wrongShare),
                MinIntervalSeconds = parsed.GetValue(interval),
                Seed = parsed.GetValue(seed),
            };
            var keys = new CanaryKeys(client.Resolve(parsed), common.Account.Resolve(parsed));
            if (keys.Client.GetPublicAddress().Equals(keys.Provider.GetPublicAddress(), StringComparison.OrdinalIgnoreCase))
            {
                throw new CliException("the canary's client and provider must be two accounts", ExitCodes.Usage);
            }

            var builder = await NodeHost.CreateBuilderAsync(common.ToNodeOptions(parsed),
                ProviderOfferOptions.Configuration(offer.ToOptions(parsed)).Concat(Configuration(options)), parsed.GetValue(CommonOptions.Verbose), ct).ConfigureAwait(false);
            // stdout carries the report (one JSON object with --json); the service's log goes to stderr.
            builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
            builder.Services.AddCanaryNode(keys);
            using var host = builder.Build();
            try
            {
                // Not IHost.RunAsync: it disposes the services, and the report is read from the canary after the stop.
                await NodeHost.RunAsync(host, ct).ConfigureAwait(false);
            }
            catch (Microsoft.Extensions.Options.OptionsValidationException e)
            {
                throw new CliException(string.Join("; ", e.Failures), ExitCodes.Usage);
            }

            var node = host.Services.GetRequiredService<CanaryService>().Node
                ?? throw new CliException("the canary service never started", ExitCodes.Failed);
            var report = await node.ReportAsync(CancellationToken.None).ConfigureAwait(false);
            if (parsed.GetValue(json))
            {
                Output.Json(report);
            }
            else
            {
                Print(report);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static IEnumerable<KeyValuePair<string, string?>> Configuration(CanaryOptions o)
    {
        var s = CanaryOptions.Section;
        var c = CultureInfo.InvariantCulture;
        yield return new($"{s}:{nameof(o.Rate)}", o.Rate.ToString(c));
        yield return new($"{s}:{nameof(o.MaxCanaries)}", o.MaxCanaries.ToString(c));
        yield return new($"{s}:{nameof(o.Tasks)}", o.Tasks.ToString(c));
        yield return new($"{s}:{nameof(o.DeadlineSeconds)}", o.DeadlineSeconds.ToString(c));
        yield return new($"{s}:{nameof(o.WrongShare)}", o.WrongShare.ToString(c));
        yield return new($"{s}:{nameof(o.MinIntervalSeconds)}", o.MinIntervalSeconds.ToString(c));
        yield return new($"{s}:{nameof(o.Seed)}", o.Seed.ToString(c));
    }

    private static void Print(CanaryReport r)
    {
        var c = CultureInfo.InvariantCulture;
        Output.Line(string.Create(c, $"canaries: {r.Posted} posted ({r.Open} open): {r.Unaudited} unaudited, {r.Failed} failed by their verifier, {r.PassesAppealed} passes appealed, {r.PassesStood} passes stood, {r.Expired} expired"));
        Output.Line(string.Create(c, $"lazy passes caught: {r.LazyCaught} ({string.Join(", ", r.CaughtVerifiers)}), penalties {r.PenaltiesTaken:0.######}; appeals lost: {r.AppealsLost}"));
        Output.Line(string.Create(c, $"spent {r.Spent:0.######} tokens, recovered {r.Recovered:0.######} (net cost {r.NetCost:0.######}); gas {r.GasEther:0.######} ether"));
    }
}
