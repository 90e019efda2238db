using System.CommandLine;
using Exchange.Api.Client;
using Exchange.Cli.Infrastructure;
using Exchange.Node.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Exchange.Cli.Commands;

/// <summary>The options every node and client command shares: account, chain, exchange APIs, data folder and deployment file.</summary>
internal sealed class ProviderAndVerifierOptions
{
    /// <summary>Environment variable that overrides the default exchange API.</summary>
    public const string ApiVariable = "EXCHANGE_API";

    public AccountOptions Account { get; } = new();

    public Option<Uri> Rpc { get; } = CommonOptions.Rpc();

    public Option<Uri?> Ws { get; } = CommonOptions.Ws();

    public Option<Uri[]> Api { get; } = new("--api")
    {
        Description = $"Exchange API base URL; repeat for several (default: ${ApiVariable} or http://127.0.0.1:5080)",
        HelpName = "URL",
        AllowMultipleArgumentsPerToken = false,
        DefaultValueFactory = result => CommonOptions.UrlFromEnvironment(result, ApiVariable, "http://127.0.0.1:5080") is { } url ? [url] : [],
        CustomParser = result =>
        {
            var uris = new List<Uri>();
            foreach (var token in result.Tokens)
            {
                if (!Uri.TryCreate(token.Value, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                {
                    result.AddError($"--api must be an http(s) URL, not '{token.Value}'");
                    return null!;
                }

                uris.Add(uri);
            }

            return [.. uris];
        },
    };

    public Option<DirectoryInfo> Data { get; } = CommonOptions.Data();

    public Option<FileInfo?> Deployment { get; } = CommonOptions.Deployment();

    /// <summary>Adds the options to a command; the account is optional for commands that only read.</summary>
    public void AddTo(Command command, bool accountRequired = true)
    {
        Account.AddTo(command, accountRequired);
        command.Options.Add(Rpc);
        command.Options.Add(Ws);
        command.Options.Add(Api);
        command.Options.Add(Data);
        command.Options.Add(Deployment);
    }

    /// <summary>The node options these command-line values give.</summary>
    public NodeOptions ToNodeOptions(ParseResult parsed) => new()
    {
        RpcUrl = parsed.GetValue(Rpc),
        WsUrl = parsed.GetValue(Ws),
        ApiUrls = [.. parsed.GetValue(Api)!.Select(WithSlash)],
        DataDirectory = parsed.GetValue(Data)!.FullName,
        Deployment = parsed.GetValue(Deployment)?.FullName,
    };

    /// <summary>The API base URLs, each ending in '/' so that relative paths resolve under it.</summary>
    public IReadOnlyList<Uri> ApiUrls(ParseResult parsed) => [.. parsed.GetValue(Api)!.Select(WithSlash)];

    /// <summary>
    /// A read-only client for the APIs, registered as the nodes register theirs. Its container is
    /// not disposed: a command runs once per process, and the client is used until it ends.
    /// </summary>
    public ExchangeApiClient ApiClient(ParseResult parsed) =>
        new ServiceCollection().AddExchangeApiClient(ApiUrls(parsed)).Services.BuildServiceProvider().GetRequiredService<ExchangeApiClient>();

    /// <summary>The node options as configuration keys, for a host's configuration.</summary>
    public static IEnumerable<KeyValuePair<string, string?>> AsConfiguration(NodeOptions node)
    {
        yield return new($"{Exchange.Node.Hosting.NodeOptions.Section}:{nameof(Exchange.Node.Hosting.NodeOptions.RpcUrl)}", node.RpcUrl?.ToString());
        if (node.WsUrl is { } ws)
        {
            yield return new($"{Exchange.Node.Hosting.NodeOptions.Section}:{nameof(Exchange.Node.Hosting.NodeOptions.WsUrl)}", ws.ToString());
        }
        for (var i = 0; i < node.ApiUrls.Count; i++)
        {
            yield return new($"{Exchange.Node.Hosting.NodeOptions.Section}:{nameof(Exchange.Node.Hosting.NodeOptions.ApiUrls)}:{i}", node.ApiUrls[i].ToString());
        }

        yield return new($"{Exchange.Node.Hosting.NodeOptions.Section}:{nameof(Exchange.Node.Hosting.NodeOptions.DataDirectory)}", node.DataDirectory);
        yield return new($"{Exchange.Node.Hosting.NodeOptions.Section}:{nameof(Exchange.Node.Hosting.NodeOptions.Deployment)}", node.Deployment);
    }

    private static Uri WithSlash(Uri uri) => uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");
}
