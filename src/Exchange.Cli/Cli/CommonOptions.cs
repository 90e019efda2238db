using System.CommandLine;

namespace Exchange.Cli.Cli;

/// <summary>Options several command groups share, so that they read and default the same everywhere.</summary>
internal static class CommonOptions
{
    /// <summary>Environment variable that overrides the default RPC endpoint.</summary>
    public const string RpcVariable = "EXCHANGE_RPC";

    /// <summary>The chain's JSON-RPC endpoint: <c>--rpc</c>, else $EXCHANGE_RPC, else a local Hardhat node on 8545.</summary>
    public static Option<Uri> Rpc() => new("--rpc")
    {
        Description = $"JSON-RPC endpoint of the chain node (default: ${RpcVariable} or http://127.0.0.1:8545)",
        HelpName = "URL",
        DefaultValueFactory = _ => new Uri(Environment.GetEnvironmentVariable(RpcVariable) is { Length: > 0 } url ? url : "http://127.0.0.1:8545"),
        CustomParser = result =>
        {
            var text = result.Tokens.Single().Value;
            if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
            {
                return uri;
            }

            result.AddError($"--rpc must be an http(s) URL, not '{text}'");
            return null!;
        },
    };

    /// <summary><c>--json</c>: print one JSON document instead of text.</summary>
    public static Option<bool> Json() => new("--json") { Description = "Print machine-readable JSON instead of text" };

    /// <summary><c>--data</c>: the folder for databases and blobs.</summary>
    public static Option<DirectoryInfo> Data() => new("--data")
    {
        Description = "Folder for this node's databases and files (default: .data)",
        HelpName = "DIR",
        DefaultValueFactory = _ => new DirectoryInfo(".data"),
    };

    /// <summary><c>--deployments</c>: the folder of <c>&lt;chainId&gt;.json</c> deployment files.</summary>
    public static Option<DirectoryInfo> Deployments() => new("--deployments")
    {
        Description = "Folder of deployment files named <chainId>.json (default: deployments)",
        HelpName = "DIR",
        DefaultValueFactory = _ => new DirectoryInfo("deployments"),
    };
}
