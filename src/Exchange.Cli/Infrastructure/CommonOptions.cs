using System.CommandLine;
using Exchange.Chain.Deployment;

namespace Exchange.Cli.Infrastructure;

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
        DefaultValueFactory = result => UrlFromEnvironment(result, RpcVariable, "http://127.0.0.1:8545")!,
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

    /// <summary>Environment variable that sets the chain's WebSocket endpoint when <c>--ws</c> is not given.</summary>
    public const string WsVariable = "EXCHANGE_WS";

    /// <summary>
    /// The chain's WebSocket endpoint for log subscriptions: <c>--ws</c>, else $EXCHANGE_WS, else none
    /// (the node or client then finds new jobs and results at its next poll).
    /// </summary>
    public static Option<Uri?> Ws() => new("--ws")
    {
        Description = $"WebSocket JSON-RPC endpoint of the chain node, to hear of new jobs and results at once instead of at the next poll (default: ${WsVariable}, else none; Hardhat serves it on the --rpc port as ws://)",
        HelpName = "URL",
        DefaultValueFactory = result => Environment.GetEnvironmentVariable(WsVariable) is { Length: > 0 } set ? WsUrl(result, set, $"${WsVariable}") : null,
        CustomParser = result => WsUrl(result, result.Tokens.Single().Value, "--ws"),
    };

    private static Uri? WsUrl(System.CommandLine.Parsing.ArgumentResult result, string text, string source)
    {
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "ws" or "wss")
        {
            return uri;
        }

        result.AddError($"{source} must be a ws(s) URL, not '{text}'");
        return null;
    }

    /// <summary>
    /// The http(s) URL in environment variable <paramref name="variable"/>, else <paramref name="fallback"/>;
    /// a malformed one is a parse error naming the variable (it was an unhandled exception with a stack trace).
    /// </summary>
    public static Uri? UrlFromEnvironment(System.CommandLine.Parsing.ArgumentResult result, string variable, string fallback)
    {
        ArgumentNullException.ThrowIfNull(result);
        var text = Environment.GetEnvironmentVariable(variable) is { Length: > 0 } set ? set : fallback;
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
        {
            return uri;
        }

        result.AddError($"${variable} must be an http(s) URL, not '{text}'");
        return null;
    }

    /// <summary><c>--json</c>: print one JSON document instead of text.</summary>
    public static Option<bool> Json() => new("--json") { Description = "Print machine-readable JSON instead of text" };

    /// <summary><c>--data</c>: the folder for databases and blobs.</summary>
    public static Option<DirectoryInfo> Data() => new("--data")
    {
        Description = "Folder for this node's databases and files (default: .data)",
        HelpName = "DIR",
        DefaultValueFactory = _ => new DirectoryInfo(".data"),
    };

    /// <summary><c>--deployment</c>: the deployment file; when absent <see cref="DeploymentFile.PathFor"/> picks $EXCHANGE_DEPLOYMENT or the default.</summary>
    public static Option<FileInfo?> Deployment() => new("--deployment")
    {
        Description = $"Deployment file that `exchange deploy` wrote (default: ${DeploymentFile.Variable}, else <chainId>.json in {DeploymentFile.DefaultFolder})",
        HelpName = "FILE",
    };

    /// <summary>
    /// <c>--verbose</c>, on every command: stack traces with fatal errors, and the nodes' informational
    /// log. One instance, added to the root as a recursive option, so every command reads the same one.
    /// </summary>
    public static Option<bool> Verbose { get; } = new("--verbose")
    {
        Description = "Print the stack trace of a fatal error, and every log line of the nodes",
        Recursive = true,
    };
}
