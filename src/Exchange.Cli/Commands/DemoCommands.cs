using System.CommandLine;
using System.Globalization;
using Exchange.Cli.Infrastructure;
using Exchange.Inference.Models;
using Exchange.Local.Demo;
using Microsoft.Extensions.Logging;

namespace Exchange.Cli.Commands;

/// <summary><c>exchange demo</c>: the whole network in one process tree, ending with what happened.</summary>
internal static class DemoCommands
{
    private const double DefaultCanaryRate = 0.3;

    public static Command Build()
    {
        var providers = new Option<int>("--providers") { Description = "Providers; the last one cheats when --cheat-rate > 0 (default 2)", DefaultValueFactory = _ => 2 };
        var verifiers = new Option<int>("--verifiers") { Description = "Verifiers (default 3)", DefaultValueFactory = _ => 3 };
        var tasks = new Option<int>("--tasks") { Description = "Tasks the client submits: images, or sentences for --model minilm (default 1024; 200 in jobs of 8 with --lazy-verifier or --copying-verifier)" };
        var perJob = ClientCommands.TasksPerJob();
        var cheatRate = new Option<double>("--cheat-rate") { Description = "Share of the cheater's tasks falsified, 0-1; 0 for an honest network (default 0.3)", DefaultValueFactory = _ => 0.3 };
        var cheat = new Option<string>("--cheat") { Description = "How the cheater falsifies: random, perturb, reuse (default perturb)", DefaultValueFactory = _ => "perturb" };
        var seed = new Option<int>("--seed") { Description = "Seed of the images or sentences and of the cheat (default 7)", DefaultValueFactory = _ => 7 };
        var model = new Option<string>("--model") { Description = "Model: resnet18-u8 (default, images as bytes), resnet18 (images as floats) or minilm (sentences)", DefaultValueFactory = _ => BuiltInModels.ResNet18Bytes };
        var audit = new Option<int>("--audit-rate") { Description = "Share of jobs audited, in percent (default 100; 50 with --lazy-verifier or --copying-verifier)" };
        var lazy = new Option<bool>("--lazy-verifier") { Description = "Add a lazy verifier (passes every audit without re-running it), staking ten times an honest one" };
        var copying = new Option<bool>("--copying-verifier") { Description = "Add a copying verifier (takes the provider's outputs as its own), staking ten times an honest one" };
        var canaryRate = new Option<double?>("--canary-rate") { Description = "Share of all jobs that the canary service's jobs make up, 0-0.9 (default 0, or 0.3 with --lazy-verifier or --copying-verifier)", HelpName = "R" };
        var silent = new Option<bool>("--silent-provider") { Description = "Add a provider whose offer takes jobs it never accepts (they expire unaccepted: the client is refunded in full, nobody is penalised)" };
        // The shared --rpc parser, without its default: no --rpc starts a local Hardhat node.
        var rpc = CommonOptions.Rpc();
        rpc.DefaultValueFactory = null;
        rpc.Description = "Use this chain (Hardhat dev accounts) instead of starting a local Hardhat node";
        var data = new Option<DirectoryInfo?>("--data") { Description = "Folder for databases and blobs, kept after the run (default: a fresh temporary folder, deleted at the end)", HelpName = "DIR" };
        var verbose = CommonOptions.Verbose;
        var json = CommonOptions.Json();
        var command = new Command("demo", "Run a whole network (chain, API, providers, a cheater, verifiers, a client) and report what happened")
        {
            providers, verifiers, tasks, perJob, cheatRate, cheat, seed, model, audit, lazy, copying, canaryRate, silent, rpc, data, json,
        };
        command.SetAction(async (parsed, ct) =>
        {
            if (parsed.GetResult(audit) is not null && parsed.GetValue(audit) is < 1 or > 100)
            {
                throw new CliException("--audit-rate is a percentage of jobs, 1-100", ExitCodes.Usage);
            }

            var canaryRun = parsed.GetValue(lazy) || parsed.GetValue(copying);
            var workload = canaryRun ? DemoOptions.CanaryWorkload : new DemoOptions();
            var options = workload with
            {
                Providers = parsed.GetValue(providers),
                Verifiers = parsed.GetValue(verifiers),
                Tasks = parsed.GetResult(tasks) is null ? workload.Tasks : parsed.GetValue(tasks),
                TasksPerJob = parsed.GetResult(perJob) is null ? workload.TasksPerJob : parsed.GetValue(perJob),
                CheatRate = parsed.GetValue(cheatRate),
                Cheat = ProviderCommands.ParseCheat(parsed.GetValue(cheat)),
                Seed = parsed.GetValue(seed),
                Model = parsed.GetValue(model)!,
                AuditRateBps = parsed.GetResult(audit) is null ? workload.AuditRateBps : (uint)(parsed.GetValue(audit) * 100),
                SilentProvider = parsed.GetValue(silent),
                LazyVerifier = parsed.GetValue(lazy),
                CopyingVerifier = parsed.GetValue(copying),
                // A dishonest verifier is only ever caught by canaries: they come with it unless told otherwise.
                CanaryRate = parsed.GetValue(canaryRate) ?? (canaryRun ? DefaultCanaryRate : 0),
                Rpc = parsed.GetResult(rpc) is null ? null : parsed.GetValue(rpc),
                DataDirectory = parsed.GetValue(data)?.FullName,
            };
            if (options.Problem() is { } problem)
            {
                throw new CliException(problem, ExitCodes.Usage);
            }

            using var logs = LoggerFactory.Create(b => b
                .AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; })
                .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace)
                .AddFilter((category, level) => parsed.GetValue(verbose)
                    ? level >= LogLevel.Information
                    : level >= LogLevel.Warning || (category == "demo" && level >= LogLevel.Information && !parsed.GetValue(json))));
            var summary = await new DemoNetwork(options, logs).RunAsync(ct).ConfigureAwait(false);
            if (parsed.GetValue(json))
            {
                Output.Json(summary);
            }
            else
            {
                Print(summary);
            }

            // A dishonest verifier is there to be caught: the demo ends in failure when the canaries missed one.
            return summary.Jobs.Pending == 0 && summary.Conserved && summary.Uncaught.Count == 0 ? ExitCodes.Ok : ExitCodes.Failed;
        });
        return command;
    }

    private static void Print(DemoSummary s)
    {
        var c = CultureInfo.InvariantCulture;
        Output.Line("");
        Output.Line(string.Create(c, $"== exchange demo: {s.Tasks} tasks in {s.Seconds} s"));
        Output.Line(string.Create(c, $"jobs: {s.Jobs.Settled} settled, {s.Jobs.Slashed} slashed, {s.Jobs.Expired} expired, {s.Jobs.Pending} pending"));
        Output.Line(string.Create(c, $"audits: {s.Audits.Passed} passed, {s.Audits.Failed} failed; the cheater was slashed {s.CheaterSlashes} time(s)"));
        if (s.Canary is { } canary)
        {
            Output.Line(string.Create(c, $"canaries: {canary.Posted} posted, {canary.Unaudited} unaudited, {canary.Failed} failed by their verifier, {canary.PassesAppealed} passes appealed"));
            var net = canary.NetCost >= 0 ? $"cost {canary.NetCost:0.######}" : $"earned {-canary.NetCost:0.######}";
            Output.Line(string.Create(c, $"lazy passes caught: {s.LazyCaught} ({string.Join(", ", canary.CaughtVerifiers)}); the canaries {net} tokens net (spent {canary.Spent:0.######}, recovered {canary.Recovered:0.######})"));
            if (s.Uncaught.Count > 0)
            {
                Output.Line($"NOT caught by any canary: {string.Join(", ", s.Uncaught)}");
            }
        }

        Output.Line("balances (tokens + market balance + stake):");
        foreach (var (role, balance) in s.Balances)
        {
            var change = balance.After - balance.Before;
            Output.Line(string.Create(c, $"  {role,-15} {balance.Before,22:0.######} -> {balance.After,22:0.######}  ({(change >= 0 ? "+" : "")}{change:0.######})"));
        }

        Output.Line($"token supply conserved: {(s.Conserved ? "yes" : "NO")}");
        Output.Line(string.Create(c, $"throughput: {s.TasksPerSecond} tasks/s; gas per task: {s.GasPerTask:0}"));
        Output.Line($"dashboard (while the demo ran): {s.Dashboard}");
    }
}
