using Exchange.Api.Accounts;
using Exchange.Api.Client.Blobs;
using Exchange.Api.Infrastructure;
using Exchange.Core.Diagnostics;
using Exchange.Core.Hashing;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Exchange.Api.Blobs;

/// <summary>The content-addressed blob store: <c>/blobs</c>.</summary>
public static class BlobsApi
{
    /// <summary>Maps the blob routes.</summary>
    public static IEndpointRouteBuilder MapBlobsApi(this IEndpointRouteBuilder app)
    {
        var blobs = app.MapGroup("/blobs").WithTags("Blobs");

        blobs.MapPut("/", PutBlob)
            .WithName("PutBlob")
            .WithSummary("Stores the body under its address (SHA-256); the upload must be signed by a funded address.")
            .Accepts<byte[]>("application/octet-stream");
        blobs.MapGet("/{hash}", GetBlob)
            .WithName("GetBlob")
            .WithSummary("Streams a blob, named by its address or its IPFS CID, with ETag and range requests.");
        blobs.MapMethods("/{hash}", [HttpMethods.Head], HeadBlob)
            .WithName("HeadBlob")
            .WithSummary("Tells whether a blob exists and its size.");
        return app;
    }

    /// <summary>Stores a blob after checking its size, its expected hash and the uploader's signature and funds.</summary>
    internal static async Task<Results<Created<BlobReceipt>, Ok<BlobReceipt>, ProblemHttpResult>> PutBlob(
        HttpContext context,
        [FromHeader(Name = UploadSignature.SignerHeader)] string? signer,
        [FromHeader(Name = UploadSignature.ExpiryHeader)] string? expiry,
        [FromHeader(Name = UploadSignature.SignatureHeader)] string? signature,
        [FromHeader(Name = UploadSignature.ExpectedHashHeader)] string? expectedHash,
        BlobStore store,
        IMarketReader market,
        AddressRateLimiter addressLimiter,
        ApiMetrics metrics,
        IOptions<ApiOptions> options,
        TimeProvider time,
        CancellationToken ct)
    {
        using var _ = StageMeter.Measure(Stage.ApiIngest);
        var settings = options.Value;

        string? expected = null;
        if (expectedHash is not null && !HexText.TryParseHash(expectedHash, out expected))
        {
            return Problems.Invalid(UploadSignature.ExpectedHashHeader, "Expected hash must be 0x followed by 64 hex digits.");
        }
        if (!SignedUpload.TryRead(signer, expiry, signature, settings, time, metrics, out var upload, out var problem))
        {
            return problem;
        }
        if (context.Request.ContentLength > settings.MaxBlobBytes)
        {
            return TooLarge(settings.MaxBlobBytes);
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = settings.MaxBlobBytes + 1;
        }

        using var incoming = await store.ReceiveAsync(context.Request.Body, settings.MaxBlobBytes, ct);
        if (incoming is null)
        {
            return TooLarge(settings.MaxBlobBytes);
        }
        if (incoming.Size == 0)
        {
            // No payload, manifest or output is empty: an empty upload is a client's mistake, not a blob.
            return Problems.Invalid("body", "An upload must hold at least one byte.");
        }
        if (expected is not null && expected != incoming.Hash)
        {
            metrics.Refused("hash-mismatch");
            return Problems.Invalid(UploadSignature.ExpectedHashHeader, $"The body hashes to {incoming.Hash}, not {expected}.");
        }
        var (lease, refused) = await upload.AuthorizeAsync(incoming.Hash, addressLimiter, market, metrics, ct);
        using var held = lease;
        if (refused is not null)
        {
            return refused;
        }

        var receipt = new BlobReceipt(incoming.Hash, incoming.Size, Bytes32.Parse(incoming.Hash).ToCid());
        if (await store.CommitAsync(incoming, upload.Uploader, ct))
        {
            metrics.BlobStored(incoming.Size);
            return TypedResults.Created($"/blobs/{incoming.Hash}", receipt);
        }
        return TypedResults.Ok(receipt);
    }

    /// <summary>Streams a stored blob; answers conditional and range requests.</summary>
    internal static async Task<Results<PhysicalFileHttpResult, ProblemHttpResult>> GetBlob(
        string hash, HttpContext context, BlobStore store, CancellationToken ct)
    {
        var (blob, problem) = await FindAsync(hash, store, ct);
        if (blob is null)
        {
            return problem!;
        }
        context.Response.Headers.CacheControl = "public, max-age=31536000, immutable";
        return TypedResults.PhysicalFile(store.PathOf(blob.Hash), "application/octet-stream",
            entityTag: new EntityTagHeaderValue($"\"{blob.Hash}\""), enableRangeProcessing: true);
    }

    /// <summary>Answers with the blob's length and ETag and no body.</summary>
    internal static async Task<Results<Ok, ProblemHttpResult>> HeadBlob(
        string hash, HttpContext context, BlobStore store, CancellationToken ct)
    {
        var (blob, problem) = await FindAsync(hash, store, ct);
        if (blob is null)
        {
            return problem!;
        }
        context.Response.Headers.ETag = $"\"{blob.Hash}\"";
        context.Response.Headers.AcceptRanges = "bytes";
        context.Response.ContentLength = blob.Size;
        context.Response.ContentType = "application/octet-stream";
        return TypedResults.Ok();
    }

    private static async Task<(BlobInfo? Blob, ProblemHttpResult? Problem)> FindAsync(string hash, BlobStore store, CancellationToken ct)
    {
        string? key;
        if (BlobAddress.TryParseCid(hash, out var address))
        {
            key = address.ToString();
        }
        else if (!HexText.TryParseHash(hash, out key))
        {
            return (null, Problems.Invalid(nameof(hash), "A blob is named by 0x and 64 hex digits, or by its CIDv1 (raw, sha2-256, base32)."));
        }
        return await store.FindAsync(key, ct) is { } blob ? (blob, null) : (null, Problems.NotFound($"No blob {key}."));
    }

    private static ProblemHttpResult TooLarge(long limit) =>
        Problems.Status(StatusCodes.Status413PayloadTooLarge, "Blob too large", $"Blobs may be at most {limit} bytes.");
}

/// <summary>What the store answers to an upload.</summary>
/// <param name="Hash">The stored bytes' <see cref="BlobAddress"/>.</param>
/// <param name="Size">Length in bytes.</param>
/// <param name="Cid">The same address as an IPFS CID (v1, raw, sha2-256), by which the blob can also be read.</param>
public sealed record BlobReceipt(string Hash, long Size, string Cid);
