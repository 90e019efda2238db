using System.CommandLine;
using Exchange.Cli.Infrastructure;
using Exchange.Local.Reliability;

namespace Exchange.Cli.Commands;

/// <summary><c>exchange reliability</c>: the reliability campaign against separate processes on a local chain (docs/reliability.md).</summary>
internal static class ReliabilityCommand
{
    public static Command Build()
    {
        var quick = new Option<bool>("--quick") { Description = "Short versions of the slow scenarios" };
        var only = new Option<string[]>("--only")
        {
            Description = $"Only these scenarios ({string.Join(", ", ReliabilityOptions.Scenarios)})",
            AllowMultipleArgumentsPerToken = true,
            HelpName = "SCENARIO",
        };
        var data = new Option<DirectoryInfo?>("--data") { Description = "Keep the processes' data and inputs in this folder (default: a temporary folder, deleted afterwards)", HelpName = "DIR" };
        var json = CommonOptions.Json();
        var command = new Command("reliability", "Run the reliability campaign against separate exchange processes on a local Hardhat chain; exits 1 when anything was lost, duplicated, crashed or accepted")
        {
            quick, only, data, json,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var options = new ReliabilityOptions
            {
                Program = ExchangeProgram.Current(),
                Quick = parsed.GetValue(quick),
                Only = parsed.GetValue(only) is { Length: > 0 } names ? names : null,
                DataDirectory = parsed.GetValue(data)?.FullName,
            };
            if (options.Problem() is { } problem)
            {
                throw new CliException(problem, ExitCodes.Usage);
            }

            // stdout carries the result; progress goes to stderr.
            var report = await ReliabilityCampaign.RunAsync(options, Console.Error, cancellationToken).ConfigureAwait(false);
            if (parsed.GetValue(json))
            {
                Output.Json(report);
            }
            else
            {
                Print(report);
            }

            return report.Ok ? ExitCodes.Ok : ExitCodes.Failed;
        });
        return command;
    }

    private static void Print(ReliabilityReport report)
    {
        Output.Line($"{(report.Ok ? "ok" : "FAILED")} in {report.Seconds:F0} s: ran {string.Join(", ", report.Ran)}");
        Output.Line($"lost: {report.Lost.Jobs} jobs, {report.Lost.Tasks} tasks, {report.Lost.Tokens} tokens; {report.Duplicates} duplicates; {report.Crashes} crashes");
        Output.Line($"bad inputs: {report.BadInputsTried} tried, {report.BadInputsAccepted} accepted, {report.BadInputsUnclear} unclear; fuzz cases: {report.FuzzCases?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "not run"}");
        foreach (var input in report.BadInputs ?? [])
        {
            Output.Line($"  {input.Outcome,-8} {input.Surface,-5} {input.Name,-42} {input.Changed ?? input.Answer}");
        }

        foreach (var (scenario, why) in report.NotRun)
        {
            Output.Line($"  not run: {scenario}: {why}");
        }

        report.Problems.ToList().ForEach(p => Output.Line($"problem: {p}"));
    }
}
