using System.Globalization;
using System.Threading.RateLimiting;
using Exchange.Api.Accounts;
using Exchange.Api.Client.Blobs;
using Exchange.Core.Hashing;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Exchange.Api.Infrastructure;

/// <summary>
/// What every signed upload (a blob, a key reveal) goes through: the signer, expiry and signature
/// headers and the replay window, read before the body; then, once the body's hash is known, the
/// signature over it, the signer's rate limit and its funds. One place, so both answer alike.
/// </summary>
internal sealed class SignedUpload
{
    private SignedUpload(string uploader, ulong expiresAt, string signature)
    {
        Uploader = uploader;
        ExpiresAt = expiresAt;
        Signature = signature;
    }

    /// <summary>The address that claims the upload (lower case).</summary>
    public string Uploader { get; }

    /// <summary>When the signature stops being valid, in UNIX seconds.</summary>
    public ulong ExpiresAt { get; }

    /// <summary>The EIP-191 signature over the body's hash and <see cref="ExpiresAt"/>.</summary>
    public string Signature { get; }

    /// <summary>
    /// Reads the signature headers; <paramref name="problem"/> says what is wrong with them, or that
    /// the signature expired or reaches further ahead than the API's replay window allows.
    /// </summary>
    public static bool TryRead(
        string? signer, string? expiry, string? signature, ApiOptions settings, TimeProvider time, ApiMetrics metrics,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out SignedUpload? upload, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out ProblemHttpResult? problem)
    {
        upload = null;
        problem = null;
        if (!HexText.TryParseAddress(signer, out var uploader))
        {
            problem = Problems.Invalid(UploadSignature.SignerHeader, "Signer must be 0x followed by 40 hex digits.");
        }
        else if (!ulong.TryParse(expiry, NumberStyles.None, CultureInfo.InvariantCulture, out var expiresAt))
        {
            problem = Problems.Invalid(UploadSignature.ExpiryHeader, "Expiry must be UNIX seconds.");
        }
        else if (string.IsNullOrEmpty(signature))
        {
            problem = Problems.Invalid(UploadSignature.SignatureHeader, "An upload needs the signer's EIP-191 signature over hash and expiry.");
        }
        else if ((ulong)time.GetUtcNow().ToUnixTimeSeconds() is var now && expiresAt <= now)
        {
            metrics.Refused("upload-expired");
            problem = Problems.Status(StatusCodes.Status401Unauthorized, "Signature expired", $"The upload signature expired at {expiresAt}; it is now {now}.");
        }
        else if (expiresAt - now > (ulong)settings.MaxUploadSignatureLifetimeSeconds)
        {
            // A signature valid for long could be replayed for long: the window is bounded.
            problem = Problems.Invalid(UploadSignature.ExpiryHeader, $"Expiry may be at most {settings.MaxUploadSignatureLifetimeSeconds} seconds ahead.");
        }
        else
        {
            upload = new SignedUpload(uploader, expiresAt, signature);
        }

        return upload is not null;
    }

    /// <summary>
    /// Checks that the signature is <see cref="Uploader"/>'s over <paramref name="hash"/>, takes the
    /// uploader's rate-limit lease and checks its funds. The caller holds the lease (null on a
    /// problem) while it stores the upload.
    /// </summary>
    public Task<(RateLimitLease? Lease, ProblemHttpResult? Problem)> AuthorizeAsync(
        string hash, AddressRateLimiter limiter, IMarketReader market, ApiMetrics metrics, CancellationToken ct) =>
        AuthorizeSignerAsync(UploadSignature.RecoverSigner(hash, ExpiresAt, Signature), $"hash {hash}", limiter, market, metrics, ct);

    /// <summary>
    /// As <see cref="AuthorizeAsync"/>, for a batch of <paramref name="count"/> blobs whose addresses
    /// have <paramref name="digest"/>: one signature, one permit of the rate limit and one funds check
    /// for the whole batch (its bytes are bounded like one blob's).
    /// </summary>
    public Task<(RateLimitLease? Lease, ProblemHttpResult? Problem)> AuthorizeBatchAsync(
        Bytes32 digest, int count, AddressRateLimiter limiter, IMarketReader market, ApiMetrics metrics, CancellationToken ct) =>
        AuthorizeSignerAsync(UploadSignature.RecoverBatchSigner(digest, count, ExpiresAt, Signature), $"a batch of {count} blobs with digest {digest}", limiter, market, metrics, ct);

    private async Task<(RateLimitLease? Lease, ProblemHttpResult? Problem)> AuthorizeSignerAsync(
        string? recovered, string what, AddressRateLimiter limiter, IMarketReader market, ApiMetrics metrics, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(limiter);
        ArgumentNullException.ThrowIfNull(market);
        ArgumentNullException.ThrowIfNull(metrics);
        if (recovered != Uploader)
        {
            metrics.Refused("bad-signature");
            return (null, Problems.Status(StatusCodes.Status401Unauthorized, "Bad signature", $"The signature is not {Uploader}'s over {what} and expiry {ExpiresAt}."));
        }

        var lease = limiter.Acquire(Uploader);
        if (!lease.IsAcquired)
        {
            lease.Dispose();
            return (null, Problems.TooManyRequests());
        }

        if (!await market.IsFundedAsync(Uploader, ct))
        {
            lease.Dispose();
            metrics.Refused("unfunded");
            return (null, Problems.Status(StatusCodes.Status403Forbidden, "Signer not funded", $"{Uploader} has neither a deposit nor a stake on the market."));
        }

        return (lease, null);
    }
}
