using System.ComponentModel.DataAnnotations;

namespace Exchange.Node.Hosting;

/// <summary>What every node (provider or verifier) needs: the chain, the exchange APIs, its data folder. Section <c>Node</c>.</summary>
public sealed class NodeOptions : IValidatableObject
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Node";

    /// <summary>JSON-RPC endpoint of the chain. Required.</summary>
    [Required]
    public Uri? RpcUrl { get; set; }

    /// <summary>
    /// WebSocket JSON-RPC endpoint of the chain (<c>ws://</c> or <c>wss://</c>), optional. With it the
    /// node subscribes to the logs it waits for (<c>eth_subscribe</c>) and starts a round as soon as
    /// one is in a block; without it, or while the subscription is away, it finds them at its next
    /// poll. Hardhat and Anvil serve it on the HTTP port; Geth on its own (<c>--ws</c>, 8546).
    /// Default none.
    /// </summary>
    public Uri? WsUrl { get; set; }

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

    /// <summary>
    /// Seconds before a job's deadline by which a failing step (an API, the chain or the blob store
    /// away) must have been tried for the last time: what accepting, computing and submitting need.
    /// Transient failures are retried with back-off until then. Default 30.
    /// </summary>
    [Range(0, 86_400)]
    public int SubmitMarginSeconds { get; set; } = 30;

    /// <summary>
    /// Seconds without a new block after which a node that waits for one (a draw seed, a committee
    /// ticket) mines it itself with a transfer to itself: a chain that mines only on transactions
    /// then still moves. Above the block time of a chain that produces blocks by itself. Default 15.
    /// </summary>
    [Range(1, 3_600)]
    public int IdleBlockSeconds { get; set; } = 15;

    /// <summary>
    /// A provider's jobs checked or computed at once: each in its own slot, so that a slow job or one
    /// waiting out a back-off never holds up the others. Default 4.
    /// </summary>
    [Range(1, 256)]
    public int MaxConcurrentJobs { get; set; } = 4;

    /// <summary>A verifier's audits judged at once (each re-runs tasks of a job). Default 2.</summary>
    [Range(1, 256)]
    public int MaxConcurrentAudits { get; set; } = 2;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (WsUrl is { } url && (!url.IsAbsoluteUri || url.Scheme is not ("ws" or "wss")))
        {
            yield return new ValidationResult($"WsUrl must be a ws:// or wss:// URL, not '{url}'", [nameof(WsUrl)]);
        }
    }
}
