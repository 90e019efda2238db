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
        blobs.MapPost("/batch", PostBatch)
            .WithName("PostBlobBatch")
            .WithSummary("Stores many blobs from one body, their sizes in X-Blob-Sizes; one signature by a funded address covers the digest of their addresses.")
            .Accepts<byte[]>("application/octet-stream");
        blobs.MapPost("/fetch", FetchBatch)
            .WithName("FetchBlobBatch")
            .WithSummary("Streams many blobs, named by their addresses, one after another in one body, their sizes in X-Blob-Sizes.");
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

        using var pack = store.Receive();
        var incoming = await pack.ReceiveAsync(context.Request.Body, settings.MaxBlobBytes, ct);
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
        if ((await store.CommitAsync(pack, upload.Uploader, ct))[0])
        {
            metrics.BlobStored(incoming.Size);
            return TypedResults.Created($"/blobs/{incoming.Hash}", receipt);
        }
        return TypedResults.Ok(receipt);
    }

    /// <summary>
    /// Stores a batch (<see cref="BlobBatch"/>): each blob of the body is received and hashed in
    /// turn into one pack file; the signature must cover the digest of the addresses computed
    /// here; then the pack is synced to disk once and every blob committed in one transaction.
    /// Refused as a whole: nothing is stored.
    /// </summary>
    internal static async Task<Results<Ok<BlobBatchReceipt>, ProblemHttpResult>> PostBatch(
        HttpContext context,
        [FromHeader(Name = UploadSignature.SignerHeader)] string? signer,
        [FromHeader(Name = UploadSignature.ExpiryHeader)] string? expiry,
        [FromHeader(Name = UploadSignature.SignatureHeader)] string? signature,
        [FromHeader(Name = UploadSignature.SizesHeader)] string? sizesHeader,
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
        if (!BlobBatch.TryParseSizes(sizesHeader, settings.MaxBatchBlobs, 1, out var sizes, out var invalid))
        {
            return Problems.Invalid(UploadSignature.SizesHeader, invalid!);
        }
        if (!SignedUpload.TryRead(signer, expiry, signature, settings, time, metrics, out var upload, out var problem))
        {
            return problem;
        }
        // Each size is checked first, so that the sum of at most MaxBatchBlobs sizes cannot overflow.
        var total = sizes.Max() > settings.MaxBlobBytes ? long.MaxValue : sizes.Sum();
        if (total > settings.MaxBlobBytes)
        {
            return Problems.Status(StatusCodes.Status413PayloadTooLarge, "Batch too large", $"A batch may hold at most {settings.MaxBlobBytes} bytes in all.");
        }
        if (context.Request.ContentLength is { } length && length != total)
        {
            return Problems.Invalid("body", $"The body holds {length} bytes; the sizes listed add up to {total}.");
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = total + 1;
        }

        using var pack = store.Receive();
        foreach (var size in sizes)
        {
            if (await pack.ReceiveExactAsync(context.Request.Body, size, ct) is null)
            {
                return Problems.Invalid("body", $"The body ends before the {sizes.Length} sizes listed add up to {total} bytes.");
            }
        }
        if (await context.Request.Body.ReadAsync(new byte[1], ct) > 0)
        {
            return Problems.Invalid("body", $"The body runs on past the {total} bytes its sizes list.");
        }

        var incoming = pack.Blobs;
        var digest = BlobBatch.Digest([.. incoming.Select(b => Bytes32.Parse(b.Hash))]);
        var (lease, refused) = await upload.AuthorizeBatchAsync(digest, sizes.Length, addressLimiter, market, metrics, ct);
        using var held = lease;
        if (refused is not null)
        {
            return refused;
        }

        var stored = await store.CommitAsync(pack, upload.Uploader, ct);
        for (var i = 0; i < stored.Length; i++)
        {
            if (stored[i])
            {
                metrics.BlobStored(incoming[i].Size);
            }
        }
        return TypedResults.Ok(new BlobBatchReceipt(
            [.. incoming.Select(b => new BlobReceipt(b.Hash, b.Size, Bytes32.Parse(b.Hash).ToCid()))], stored.Count(s => s)));
    }

    /// <summary>
    /// Streams the named blobs one after another (<see cref="BlobBatch"/>), their sizes in
    /// <see cref="UploadSignature.SizesHeader"/>. A reader checks each against its address, as it
    /// does a single read.
    /// </summary>
    internal static async Task<Results<PushStreamHttpResult, ProblemHttpResult>> FetchBatch(
        BlobFetchRequest request, HttpContext context, BlobStore store, IOptions<ApiOptions> options, CancellationToken ct)
    {
        var settings = options.Value;
        if (request.Hashes is not { Count: > 0 } hashes || hashes.Count > settings.MaxBatchBlobs)
        {
            return Problems.Invalid("hashes", $"Name 1 to {settings.MaxBatchBlobs} blobs.");
        }
        var keys = new string[hashes.Count];
        for (var i = 0; i < keys.Length; i++)
        {
            if (!HexText.TryParseHash(hashes[i], out var key))
            {
                return Problems.Invalid($"hashes[{i}]", "A blob is named by 0x and 64 hex digits.");
            }
            keys[i] = key;
        }

        var found = await store.FindManyAsync(keys, ct);
        if (keys.FirstOrDefault(k => !found.ContainsKey(k)) is { } missing)
        {
            return Problems.NotFound($"No blob {missing}.");
        }
        var total = keys.Sum(k => found[k].Size);
        if (total > settings.MaxBlobBytes)
        {
            return Problems.Status(StatusCodes.Status413PayloadTooLarge, "Batch too large", $"These blobs hold {total} bytes; a batch may hold at most {settings.MaxBlobBytes}: ask for fewer.");
        }

        context.Response.Headers[UploadSignature.SizesHeader] = BlobBatch.FormatSizes(keys.Select(k => found[k].Size));
        context.Response.ContentLength = total;
        return TypedResults.Stream(async body =>
        {
            foreach (var key in keys)
            {
                await using var blob = store.OpenRead(found[key]);
                await blob.CopyToAsync(body, ct);
            }
        }, "application/octet-stream");
    }

    /// <summary>Streams a stored blob; answers conditional and range requests.</summary>
    internal static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> GetBlob(
        string hash, HttpContext context, BlobStore store, CancellationToken ct)
    {
        var (blob, problem) = await FindAsync(hash, store, ct);
        if (blob is null)
        {
            return problem!;
        }
        context.Response.Headers.CacheControl = "public, max-age=31536000, immutable";
        return TypedResults.Stream(store.OpenRead(blob), "application/octet-stream",
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

/// <summary>What the store answers to a batch upload.</summary>
/// <param name="Blobs">Each blob's receipt, in the order of the body.</param>
/// <param name="Stored">How many of them were new (the others were stored before).</param>
public sealed record BlobBatchReceipt(IReadOnlyList<BlobReceipt> Blobs, int Stored);
