using System.Diagnostics;
using System.Net;
using Exchange.Api.Client;
using Exchange.Api.Client.Blobs;
using Exchange.Core.Hashing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Nethereum.Signer;

namespace Exchange.Api.Tests.Client;

/// <summary>The API client's resilience handler against a real Kestrel server that misbehaves on purpose.</summary>
public sealed class ExchangeApiClientResilienceTests : IAsyncLifetime
{
    private static readonly byte[] Payload = Enumerable.Range(0, 70_000).Select(i => (byte)(i * 31)).ToArray();
    private readonly List<(string Method, TimeSpan At, long Bytes)> _requests = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private WebApplication _server = null!;
    private ServiceProvider _services = null!;
    private Func<HttpContext, int, Task<IResult>> _answer = (_, _) => Task.FromResult(Results.Ok());

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _server = builder.Build();
        _server.Map("/{**path}", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            int attempt;
            lock (_requests)
            {
                _requests.Add((context.Request.Method, _clock.Elapsed, body.Length));
                attempt = _requests.Count;
            }

            context.Items["body"] = body.ToArray();
            return await _answer(context, attempt);
        });
        await _server.StartAsync();
        _services = new ServiceCollection().AddExchangeApiClient([new Uri(_server.Urls.First() + "/")]).Services.BuildServiceProvider();
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _server.DisposeAsync();
    }

    private ExchangeApiClient Api => _services.GetRequiredService<ExchangeApiClient>().SignedBy(EthECKey.GenerateKey());

    [Fact]
    public async Task Upload_is_sent_again_whole_after_a_dropped_connection_and_a_503()
    {
        _answer = (context, attempt) =>
        {
            if (attempt == 1)
            {
                context.Abort();
            }

            // Whole and intact on the attempt that is answered: the body hashes to the address the client signed.
            var stored = context.Request.Headers[UploadSignature.ExpectedHashHeader] == BlobAddress.Of((byte[])context.Items["body"]!).ToString();
            return Task.FromResult(attempt switch
            {
                1 or 2 => Results.StatusCode(StatusCodes.Status503ServiceUnavailable),
                _ => stored ? Results.Created() : Results.BadRequest(),
            });
        };

        var hash = await Api.PutBlobAsync(Payload, CancellationToken.None);

        Assert.Equal(BlobAddress.Of(Payload), hash);
        Assert.Equal(3, _requests.Count);
        Assert.All(_requests, r => Assert.Equal(("PUT", Payload.Length), (r.Method, r.Bytes)));
    }

    [Fact]
    public async Task A_missing_blob_is_asked_for_once()
    {
        _answer = (_, _) => Task.FromResult(Results.NotFound());

        var refused = await Assert.ThrowsAsync<ExchangeApiException>(() => Api.GetBlobAsync(BlobAddress.Of(Payload), CancellationToken.None));

        Assert.Equal(HttpStatusCode.NotFound, refused.Status);
        Assert.Single(_requests);
    }

    [Fact]
    public async Task A_refused_upload_is_sent_once()
    {
        _answer = (_, _) => Task.FromResult(Results.Problem("bad upload signature", statusCode: StatusCodes.Status401Unauthorized));

        var refused = await Assert.ThrowsAsync<ExchangeApiException>(() => Api.PutBlobAsync(Payload, CancellationToken.None));

        Assert.Equal(HttpStatusCode.Unauthorized, refused.Status);
        Assert.Contains("bad upload signature", refused.Message, StringComparison.Ordinal);
        Assert.Single(_requests);
    }

    [Fact]
    public async Task A_rate_limited_read_waits_as_long_as_Retry_After_says()
    {
        _answer = (context, attempt) =>
        {
            if (attempt == 1)
            {
                context.Response.Headers.RetryAfter = "2";
                return Task.FromResult(Results.StatusCode(StatusCodes.Status429TooManyRequests));
            }

            return Task.FromResult(Results.Json(new[] { 1, 2, 3 }));
        };

        var answer = await Api.GetJsonAsync<int[]>("numbers", System.Text.Json.JsonSerializerOptions.Web, CancellationToken.None);

        Assert.Equal([1, 2, 3], answer);
        Assert.Equal(2, _requests.Count);
        // The handler's own first wait is about 0.2 s: two seconds apart means the header was obeyed.
        Assert.True(_requests[1].At - _requests[0].At >= TimeSpan.FromSeconds(1.9), $"retried after {(_requests[1].At - _requests[0].At).TotalSeconds:F2} s");
    }

    [Fact]
    public async Task A_batch_read_with_a_wrong_blob_is_read_again_blob_by_blob()
    {
        var other = Payload.Reverse().ToArray();
        _answer = (context, _) =>
        {
            if (context.Request.Path == "/blobs/fetch")
            {
                // The right sizes and the first blob right, the second blob's bytes flipped.
                context.Response.Headers[UploadSignature.SizesHeader] = $"{Payload.Length},{other.Length}";
                return Task.FromResult(Results.Bytes([.. Payload, .. other.Select(b => (byte)~b)], "application/octet-stream"));
            }

            var single = context.Request.Path.Value!.EndsWith(BlobAddress.Of(Payload).ToString(), StringComparison.Ordinal) ? Payload : other;
            return Task.FromResult(Results.Bytes(single, "application/octet-stream"));
        };

        var blobs = await Api.GetBlobsAsync([BlobAddress.Of(Payload), BlobAddress.Of(other)], CancellationToken.None);

        Assert.Equal([Payload, other], blobs);
        Assert.Equal(["POST", "GET", "GET"], _requests.Select(r => r.Method));
    }

    [Fact]
    public async Task A_blob_that_no_read_answers_rightly_is_an_integrity_error()
    {
        _answer = (context, _) =>
        {
            context.Response.Headers[UploadSignature.SizesHeader] = $"{Payload.Length}";
            return Task.FromResult(Results.Bytes(Payload.Select(b => (byte)~b).ToArray(), "application/octet-stream"));
        };

        await Assert.ThrowsAsync<BlobIntegrityException>(() => Api.GetBlobsAsync([BlobAddress.Of(Payload)], CancellationToken.None));
    }
}
