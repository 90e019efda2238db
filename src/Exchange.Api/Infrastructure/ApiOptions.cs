using System.ComponentModel.DataAnnotations;

namespace Exchange.Api.Infrastructure;

/// <summary>Settings of the exchange API, bound from the <c>Api</c> configuration section.</summary>
public sealed class ApiOptions
{
    /// <summary>The configuration section these options bind to.</summary>
    public const string Section = "Api";

    /// <summary>Folder holding the blob files and the SQLite database. Required.</summary>
    [Required]
    public string DataDirectory { get; set; } = "";

    /// <summary>JSON-RPC endpoint of the chain. Without it the API cannot check signers' funds and refuses uploads and offers. Default: none.</summary>
    public Uri? RpcUrl { get; set; }

    /// <summary>
    /// The deployment file, to find the contracts on the RPC's chain. Default: <c>$EXCHANGE_DEPLOYMENT</c>,
    /// else <c>&lt;chainId&gt;.json</c> in <see cref="Exchange.Chain.Deployment.DeploymentFile.DefaultFolder"/>.
    /// </summary>
    public string? Deployment { get; set; }

    /// <summary>How often the in-process chain indexer polls the node, in milliseconds. Default: 1000.</summary>
    [Range(50, 60_000)]
    public int IndexerPollMilliseconds { get; set; } = 1_000;

    /// <summary>Largest blob accepted, in bytes. Default: 64 MiB.</summary>
    [Range(1, long.MaxValue)]
    public long MaxBlobBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Most blobs in one batch upload or batch read (<c>POST /blobs/batch</c>, <c>POST /blobs/fetch</c>), whose bytes together may be at most <see cref="MaxBlobBytes"/>. Default: 256.</summary>
    [Range(1, 10_000)]
    public int MaxBatchBlobs { get; set; } = 256;

    /// <summary>Longest validity an upload signature may claim, in seconds, so a leaked signature cannot be replayed for ever. Default: 3600.</summary>
    [Range(1, 7 * 24 * 3600)]
    public int MaxUploadSignatureLifetimeSeconds { get; set; } = 3600;

    /// <summary>Requests per second allowed from one IP address (token bucket, burst of the same size). Default: 200.</summary>
    [Range(1, 1_000_000)]
    public int RequestsPerSecondPerIp { get; set; } = 200;

    /// <summary>Signed writes (uploads, offers) per second allowed for one signing address. Default: 100.</summary>
    [Range(1, 1_000_000)]
    public int WritesPerSecondPerAddress { get; set; } = 100;
}
