using System.Globalization;
using System.Numerics;
using Dapper;
using Exchange.Api.Accounts;
using Exchange.Api.Blobs;
using Exchange.Api.Client.Blobs;
using Exchange.Api.Client.Privacy;
using Exchange.Api.Infrastructure;
using Exchange.Core.Hashing;
using Exchange.Core.Privacy;
using Exchange.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Exchange.Api.Privacy;

/// <summary>
/// The mailbox for task keys of encrypted jobs: <c>/jobs/{jobId}/keys/{recipient}</c>. A provider
/// posts, for each verifier or committee member drawn to judge its job, the drawn tasks' keys
/// sealed to that member's registered X25519 key; the member reads them back. The API sees sealed
/// boxes only, and keeps the upload signature so a reader checks who sent each document.
/// </summary>
public static class KeyRevealsApi
{
    /// <summary>Most reveal documents kept per job and recipient (a provider re-posts after a restart; more is spam).</summary>
    public const int MaxPerRecipient = 16;

    /// <summary>Maps the key reveal routes.</summary>
    public static IEndpointRouteBuilder MapKeyRevealsApi(this IEndpointRouteBuilder app)
    {
        var keys = app.MapGroup("/jobs/{jobId}/keys").WithTags("Privacy");
        keys.MapPut("/{recipient}", PutReveal)
            .WithName("PutKeyReveal")
            .WithSummary("Stores a reveal of task keys sealed to a recipient; signed like a blob upload by a funded address.")
            .Accepts<byte[]>("application/octet-stream");
        keys.MapGet("/{recipient}", ListReveals)
            .WithName("ListKeyReveals")
            .WithSummary("The reveal documents posted for a job and recipient, each with its uploader's signature.");
        return app;
    }

    internal static async Task<Results<Created, Ok, ProblemHttpResult>> PutReveal(
        string jobId,
        string recipient,
        HttpContext context,
        [FromHeader(Name = UploadSignature.SignerHeader)] string? signer,
        [FromHeader(Name = UploadSignature.ExpiryHeader)] string? expiry,
        [FromHeader(Name = UploadSignature.SignatureHeader)] string? signature,
        SqliteConnectionFactory connections,
        IMarketReader market,
        AddressRateLimiter addressLimiter,
        ApiMetrics metrics,
        IOptions<ApiOptions> options,
        TimeProvider time,
        CancellationToken ct)
    {
        if (!TryParseJobId(jobId, out var job))
        {
            return Problems.Invalid(nameof(jobId), "A job id is a uint256 in decimal.");
        }
        if (!HexText.TryParseAddress(recipient, out var to))
        {
            return Problems.Invalid(nameof(recipient), "A recipient is 0x followed by 40 hex digits.");
        }
        if (!SignedUpload.TryRead(signer, expiry, signature, options.Value, time, metrics, out var upload, out var problem))
        {
            return problem;
        }

        var body = await ReadBodyAsync(context.Request.Body, ct);
        if (body is null)
        {
            return Problems.Status(StatusCodes.Status413PayloadTooLarge, "Reveal too large", $"A reveal is at most {KeyReveal.MaxBytes} bytes.");
        }
        var reveal = KeyReveal.TryParse(body);
        if (reveal is null || reveal.JobId.ToString(CultureInfo.InvariantCulture) != job || !string.Equals(reveal.Recipient, to, StringComparison.OrdinalIgnoreCase))
        {
            return Problems.Invalid("body", $"The body is not a key reveal document for job {job} and recipient {to}.");
        }
        var hash = BlobAddress.Of(body).ToString();
        var (lease, refused) = await upload.AuthorizeAsync(hash, addressLimiter, market, metrics, ct);
        using var held = lease;
        if (refused is not null)
        {
            return refused;
        }

        await using var connection = await connections.OpenAsync(ct);
        var count = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM api_key_reveals WHERE job_id = @job AND recipient = @to", new { job, to }, cancellationToken: ct));
        if (count >= MaxPerRecipient)
        {
            return Problems.Status(StatusCodes.Status409Conflict, "Too many reveals", $"Job {job} already has {count} reveals for {to}.");
        }
        var inserted = await connection.ExecuteAsync(new CommandDefinition(
            "INSERT OR IGNORE INTO api_key_reveals (job_id, recipient, hash, signer, expiry, signature, body, created_at) VALUES (@job, @to, @hash, @uploader, @expiresAt, @signature, @body, @now)",
            new { job, to, hash, uploader = upload.Uploader, expiresAt = (long)upload.ExpiresAt, signature = upload.Signature, body, now = time.GetUtcNow().ToUnixTimeSeconds() },
            cancellationToken: ct));
        return inserted == 1 ? TypedResults.Created($"/jobs/{job}/keys/{to}") : TypedResults.Ok();
    }

    internal static async Task<Results<Ok<IReadOnlyList<KeyRevealRow>>, ProblemHttpResult>> ListReveals(
        string jobId, string recipient, SqliteConnectionFactory connections, CancellationToken ct)
    {
        if (!TryParseJobId(jobId, out var job))
        {
            return Problems.Invalid(nameof(jobId), "A job id is a uint256 in decimal.");
        }
        if (!HexText.TryParseAddress(recipient, out var to))
        {
            return Problems.Invalid(nameof(recipient), "A recipient is 0x followed by 40 hex digits.");
        }

        await using var connection = await connections.OpenAsync(ct);
        var rows = await connection.QueryAsync<(string Signer, long Expiry, string Signature, byte[] Body)>(new CommandDefinition(
            "SELECT signer, expiry, signature, body FROM api_key_reveals WHERE job_id = @job AND recipient = @to ORDER BY created_at",
            new { job, to }, cancellationToken: ct));
        return TypedResults.Ok<IReadOnlyList<KeyRevealRow>>([.. rows.Select(r => new KeyRevealRow(r.Signer, (ulong)r.Expiry, r.Signature, Hex.Format(r.Body)))]);
    }

    private static bool TryParseJobId(string text, out string normalized)
    {
        var valid = text.Length is > 0 and <= 78 && text.All(char.IsAsciiDigit) && (text == "0" || text[0] != '0');
        normalized = valid ? BigInteger.Parse(text, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture) : "";
        return valid;
    }

    private static async Task<byte[]?> ReadBodyAsync(Stream body, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > KeyReveal.MaxBytes)
            {
                return null;
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
