using System.Runtime.ExceptionServices;
using Exchange.Chain.Deployment;
using Exchange.Node.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Exchange.Cli.Infrastructure;

/// <summary>
/// Hosts a node (provider, verifier, canary) the way every node command does: what it needs is
/// checked before it starts, so that a wrong <c>--data</c>, <c>--rpc</c> or deployment is one line
/// naming it; a service that stops on an error ends the command with that error, not with exit 0.
/// </summary>
internal static class NodeHost
{
    /// <summary>The host's own category: it logs a failed service with its stack trace, which the command prints as one line instead.</summary>
    private const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";

    /// <summary>Checks the data folder, the chain and the deployment, then a host builder with <paramref name="node"/> and <paramref name="configuration"/> in its configuration.</summary>
    public static async Task<HostApplicationBuilder> CreateBuilderAsync(
        NodeOptions node, IEnumerable<KeyValuePair<string, string?>> configuration, bool verbose, CancellationToken cancellationToken)
    {
        DataFolder.RequireWritable(node.DataDirectory);
        var rpc = node.RpcUrl!;
        DeploymentFile.Read(node.Deployment, await ChainConnect.ChainIdAsync(ChainConnect.Web3(rpc), rpc, cancellationToken).ConfigureAwait(false));
        // appsettings.json read once, not watched (see ApiApplication.Create): a node is configured by its options.
        var builder = Host.CreateApplicationBuilder([Exchange.Api.ApiApplication.NoConfigurationReload]);
        builder.Configuration.AddInMemoryCollection(Commands.ProviderAndVerifierOptions.AsConfiguration(node).Concat(configuration));
        if (!verbose)
        {
            builder.Logging.AddFilter(HostCategory, LogLevel.None);
        }

        return builder;
    }

    /// <summary>Runs <paramref name="host"/> until Ctrl+C or until it stops; rethrows the error a service stopped on.</summary>
    public static async Task RunAsync(IHost host, CancellationToken cancellationToken)
    {
        var services = host.Services.GetServices<IHostedService>().OfType<BackgroundService>().ToList();
        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        await host.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        if (services.Select(s => s.ExecuteTask).FirstOrDefault(t => t is { IsFaulted: true }) is { Exception: { } failed })
        {
            ExceptionDispatchInfo.Throw(failed.InnerExceptions.Count == 1 ? failed.InnerException! : failed);
        }
    }
}
