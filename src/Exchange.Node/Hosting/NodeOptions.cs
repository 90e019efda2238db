using System.ComponentModel.DataAnnotations;

namespace Exchange.Node.Hosting;

/// <summary>What every node (provider or verifier) needs: the chain, the exchange APIs, its data folder. Section <c>Node</c>.</summary>
public sealed class NodeOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Node";

    /// <summary>JSON-RPC endpoint of the chain. Required.</summary>
    [Required]
    public Uri? RpcUrl { get; set; }

    /// <summary>Base URLs of the exchange APIs (reads try them in order, writes go to all). At least one; required.</summary>
    [Required]
    [MinLength(1)]
    public IList<Uri> ApiUrls { get; init; } = [];

    /// <summary>Folder of the node's database. Required.</summary>
    [Required]
    public string DataDirectory { get; set; } = "";

    /// <summary>
    /// The deployment file. Default: <c>$EXCHANGE_DEPLOYMENT</c>, else <c>&lt;chainId&gt;.json</c> in
    /// <see cref="Exchange.Chain.Deployment.DeploymentFile.DefaultFolder"/>.
    /// </summary>
    public string? Deployment { get; set; }

    /// <summary>Milliseconds between polls of the chain. Default 500.</summary>
    [Range(10, 60_000)]
    public int PollIntervalMs { get; set; } = 500;

    /// <summary>Most blocks per <c>eth_getLogs</c> request. Default 2000.</summary>
    [Range(1, 100_000)]
    public int MaxLogRange { get; set; } = 2_000;

    /// <summary>Failed attempts after which a job is given up. Default 5.</summary>
    [Range(1, 1_000)]
    public int MaxAttempts { get; set; } = 5;
}
