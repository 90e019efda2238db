using System.CommandLine;
using Exchange.Api;
using Exchange.Cli.Infrastructure;
using Microsoft.Extensions.Hosting;

namespace Exchange.Cli.Commands;

/// <summary><c>exchange api</c>: run the exchange API (blob store, offer book, indexed chain state, dashboard).</summary>
internal static class ApiCommands
{
    public static Command Build()
    {
        var api = new Command("api", "The exchange API: blob store, offer book, chain index and dashboard");
        api.Subcommands.Add(BuildRun());
        return api;
    }

    private static Command BuildRun()
    {
        var urls = new Option<string>("--urls")
        {
            Description = "Addresses to listen on, separated by ';' (default: http://127.0.0.1:5080)",
            HelpName = "URLS",
            DefaultValueFactory = _ => "http://127.0.0.1:5080",
        };
        var rpc = CommonOptions.Rpc();
        var data = CommonOptions.Data();
        var deployment = CommonOptions.Deployment();
        var command = new Command("run", "Serve the API until Ctrl+C") { urls, rpc, data, deployment };
        command.SetAction(async (parsed, ct) =>
        {
            DataFolder.RequireWritable(parsed.GetValue(data)!.FullName);
            List<string> args =
            [
                "--urls", parsed.GetValue(urls)!,
                "--Api:RpcUrl", parsed.GetValue(rpc)!.ToString(),
                "--Api:DataDirectory", parsed.GetValue(data)!.FullName,
            ];
            if (parsed.GetValue(deployment) is { } file)
            {
                args.AddRange(["--Api:Deployment", file.FullName]);
            }

            if (!parsed.GetValue(CommonOptions.Verbose))
            {
                // The host logs a failed start (a busy port) with its stack trace; the command prints it as one line.
                args.Add("--Logging:LogLevel:Microsoft.Extensions.Hosting.Internal.Host=None");
            }

            await using var app = ApiApplication.Create([.. args]);
            try
            {
                await app.StartAsync(ct).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                throw new CliException($"the exchange API cannot listen on {parsed.GetValue(urls)}: {CliRunner.Innermost(e)}", e);
            }

            Output.Line($"exchange api listening on {string.Join(", ", app.Urls)}");
            await app.WaitForShutdownAsync(ct).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }
}
