using System.CommandLine;
using Exchange.Api;
using Exchange.Cli.Cli;
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
        var deployments = CommonOptions.Deployments();
        var command = new Command("run", "Serve the API until Ctrl+C") { urls, rpc, data, deployments };
        command.SetAction(async (parsed, ct) =>
        {
            string[] args =
            [
                "--urls", parsed.GetValue(urls)!,
                "--Api:RpcUrl", parsed.GetValue(rpc)!.ToString(),
                "--Api:DataDirectory", parsed.GetValue(data)!.FullName,
                "--Api:DeploymentsDirectory", parsed.GetValue(deployments)!.FullName,
            ];
            await using var app = ApiApplication.Create(args);
            await app.StartAsync(ct).ConfigureAwait(false);
            Output.Line($"exchange api listening on {string.Join(", ", app.Urls)}");
            await app.WaitForShutdownAsync(ct).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }
}
