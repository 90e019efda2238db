using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Numerics;
using System.Text.Json;
using Exchange.Api.Client.Blobs;
using Exchange.Api.Client.Privacy;
using Exchange.Core.Hashing;
using Exchange.Core.Privacy;
using Microsoft.Extensions.Options;
using Nethereum.Signer;
using Polly;

namespace Exchange.Api.Client;

/// <summary>
/// A node's view of one or more exchange APIs (the API is a relay, not a trusted party).
/// Every blob read is checked against its hash, so a lying or broken API is caught; reads try each
/// API in turn, writes go to all of them. A typed client: register it with
/// <see cref="ExchangeApiServiceCollectionExtensions.AddExchangeApiClient"/>, whose resilience
/// handler retries single-request blips (<see cref="ExchangeApiResilience"/>).
/// </summary>
public sealed class ExchangeApiClient
{
    /// <summary>How long an upload signature stays valid: 10 minutes, well under the API's limit.</summary>
    public static readonly TimeSpan UploadSignatureLifetime = TimeSpan.FromMinutes(10);

    private readonly HttpClient _http;
    private readonly IReadOnlyList<Uri> _apis;
    private readonly EthECKey? _uploader;
    private readonly TimeProvider _time;

    /// <summary>A read-only client for the APIs of <paramref name="options"/>; made by the HTTP client factory.</summary>
    /// <param name="http">The HTTP client with the resilience handler (its base address is not used: requests name their API).</param>
    /// <param name="options">The APIs, tried in order for reads.</param>
    /// <param name="time">Clock for upload signature expiry.</param>
    public ExchangeApiClient(HttpClient http, IOptions<ExchangeApiClientOptions> options, TimeProvider time)
        : this(http, [.. Validated(options).Apis], null, time)
    {
    }

    private ExchangeApiClient(HttpClient http, IReadOnlyList<Uri> apis, EthECKey? uploader, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(time);
        _http = http;
        _apis = apis;
        _uploader = uploader;
        _time = time;
    }

    /// <summary>The APIs this client talks to.</summary>
    public IReadOnlyList<Uri> Apis => _apis;

    /// <summary>This client, uploading as <paramref name="uploader"/> (a funded account), over the same connections.</summary>
    public ExchangeApiClient SignedBy(EthECKey uploader)
    {
        ArgumentNullException.ThrowIfNull(uploader);
        return new ExchangeApiClient(_http, _apis, uploader, _time);
    }

    private static ExchangeApiClientOptions Validated(IOptions<ExchangeApiClientOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var value = options.Value;
        if (value.Apis.Count == 0)
        {
            throw new InvalidOperationException("give at least one exchange API URL");
        }

        return value;
    }

    /// <summary>Stores <paramref name="bytes"/> on every API; returns its <see cref="BlobAddress"/>.</summary>
    /// <exception cref="InvalidOperationException">The client has no uploader key.</exception>
    /// <exception cref="ExchangeApiException">An API refused the upload.</exception>
    public async Task<Bytes32> PutBlobAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        var hash = BlobAddress.Of(bytes.Span);
        await PutSignedAsync("blobs/", bytes, hash, $"upload of blob {hash}", cancellationToken).ConfigureAwait(false);
        return hash;
    }

    /// <summary>
    /// Stores <paramref name="blobs"/> on every API, many to a request (<see cref="BlobBatch"/>: one
    /// signature, one round trip and one disk sync per batch); returns their addresses in order.
    /// </summary>
    /// <exception cref="InvalidOperationException">The client has no uploader key.</exception>
    /// <exception cref="ExchangeApiException">An API refused a batch.</exception>
    public async Task<Bytes32[]> PutBlobsAsync(IReadOnlyList<ReadOnlyMemory<byte>> blobs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blobs);
        var key = _uploader ?? throw new InvalidOperationException("this API client has no key to sign uploads with");
        // Hashed on every core: a batch of blob-sized payloads is milliseconds of SHA-256 that the
        // upload waits for.
        var hashes = new Bytes32[blobs.Count];
        Parallel.For(0, blobs.Count, i => hashes[i] = BlobAddress.Of(blobs[i].Span));

        foreach (var range in BlobBatch.Requests(blobs))
        {
            var (offset, count) = range.GetOffsetAndLength(blobs.Count);
            await PutBatchAsync(_apis, key, [.. blobs.Skip(offset).Take(count)], hashes[range], cancellationToken).ConfigureAwait(false);
        }

        return hashes;
    }

    /// <summary>
    /// Sends one batch to each of <paramref name="apis"/>. An API whose limits are lower than this
    /// client's (a 413) gets the batch again in halves, down to single blobs, which it refuses only
    /// when one is too large; the other APIs keep the whole batch they took.
    /// </summary>
    private async Task PutBatchAsync(IReadOnlyList<Uri> apis, EthECKey key, ReadOnlyMemory<byte>[] part, Bytes32[] hashes, CancellationToken cancellationToken)
    {
        var expiry = (ulong)(_time.GetUtcNow() + UploadSignatureLifetime).ToUnixTimeSeconds();
        var signature = UploadSignature.SignBatch(BlobBatch.Digest(hashes), part.Length, expiry, key);
        var sizes = BlobBatch.FormatSizes(part.Select(b => (long)b.Length));
        foreach (var api in apis)
        {
            using var response = await SendAsync(() =>
            {
                var request = Signed(new HttpRequestMessage(HttpMethod.Post, new Uri(api, "blobs/batch")) { Content = new BlobBatch.Content(part) }, key, expiry, signature);
                request.Headers.Add(UploadSignature.SizesHeader, sizes);
                return request;
            }, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.RequestEntityTooLarge && part.Length > 1)
            {
                var half = part.Length / 2;
                await PutBatchAsync([api], key, part[..half], hashes[..half], cancellationToken).ConfigureAwait(false);
                await PutBatchAsync([api], key, part[half..], hashes[half..], cancellationToken).ConfigureAwait(false);
                continue;
            }

            await EnsureSuccessAsync(response, $"upload of {part.Length} blobs from {hashes[0]} to {api}", cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Posts a reveal of task keys (sealed to its recipient) to every API, signed like a blob upload,
    /// so the recipient can check the job's provider sent it (docs/privacy.md).
    /// </summary>
    /// <exception cref="InvalidOperationException">The client has no uploader key.</exception>
    /// <exception cref="ExchangeApiException">An API refused the reveal.</exception>
    public Task PutKeyRevealAsync(KeyReveal reveal, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reveal);
        var bytes = reveal.ToCanonicalJson();
        var path = $"jobs/{reveal.JobId.ToString(CultureInfo.InvariantCulture)}/keys/{reveal.Recipient.ToLowerInvariant()}";
        return PutSignedAsync(path, bytes, BlobAddress.Of(bytes), $"key reveal for job {reveal.JobId} to {reveal.Recipient}", cancellationToken);
    }

    /// <summary>The reveals posted for job <paramref name="jobId"/> and <paramref name="recipient"/> whose upload <paramref name="sender"/> signed; any other is ignored.</summary>
    public async Task<IReadOnlyList<KeyReveal>> KeyRevealsAsync(BigInteger jobId, string recipient, string sender, CancellationToken cancellationToken)
    {
        var rows = await GetJsonAsync<List<KeyRevealRow>>(
            $"jobs/{jobId.ToString(CultureInfo.InvariantCulture)}/keys/{recipient.ToLowerInvariant()}", JsonSerializerOptions.Web, cancellationToken).ConfigureAwait(false);
        var reveals = new List<KeyReveal>();
        foreach (var row in rows)
        {
            // The API is not trusted with who sent what: the signature is checked here again.
            byte[] body;
            try
            {
                body = Hex.Parse(row.Body);
            }
            catch (FormatException)
            {
                continue;
            }

            var signer = UploadSignature.RecoverSigner(BlobAddress.Of(body).ToString(), row.Expiry, row.Signature);
            if (string.Equals(signer, sender, StringComparison.OrdinalIgnoreCase) && KeyReveal.TryParse(body) is { } reveal && reveal.JobId == jobId)
            {
                reveals.Add(reveal);
            }
        }

        return reveals;
    }

    private async Task PutSignedAsync(string path, ReadOnlyMemory<byte> bytes, Bytes32 hash, string what, CancellationToken cancellationToken)
    {
        var key = _uploader ?? throw new InvalidOperationException("this API client has no key to sign uploads with");
        var text = hash.ToString();
        var expiry = (ulong)(_time.GetUtcNow() + UploadSignatureLifetime).ToUnixTimeSeconds();
        var signature = UploadSignature.Sign(text, expiry, key);
        foreach (var api in _apis)
        {
            using var response = await SendAsync(() =>
            {
                var request = Signed(new HttpRequestMessage(HttpMethod.Put, new Uri(api, path)) { Content = new ReadOnlyMemoryContent(bytes) }, key, expiry, signature);
                request.Content!.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                request.Headers.Add(UploadSignature.ExpectedHashHeader, text);
                return request;
            }, cancellationToken).ConfigureAwait(false);
            await EnsureSuccessAsync(response, $"{what} to {api}", cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Adds the headers every signed upload carries: the signer, the expiry and the signature.</summary>
    private static HttpRequestMessage Signed(HttpRequestMessage request, EthECKey key, ulong expiry, string signature)
    {
        request.Headers.Add(UploadSignature.SignerHeader, key.GetPublicAddress());
        request.Headers.Add(UploadSignature.ExpiryHeader, expiry.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(UploadSignature.SignatureHeader, signature);
        return request;
    }

    /// <summary>Fetches blob <paramref name="hash"/> from the first API that has it, checking that the bytes hash to it.</summary>
    /// <exception cref="BlobIntegrityException">An API answered bytes that hash to something else (and no other API had the right ones).</exception>
    /// <exception cref="ExchangeApiException">No API has the blob.</exception>
    public async Task<byte[]> GetBlobAsync(Bytes32 hash, CancellationToken cancellationToken)
    {
        Exception? last = null;
        foreach (var api in _apis)
        {
            var uri = new Uri(api, $"blobs/{hash}");
            using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, uri), cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                last = new ExchangeApiException($"blob {hash} from {api}: {await DescribeAsync(response, cancellationToken).ConfigureAwait(false)}", response.StatusCode);
                continue;
            }

            var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            var actual = BlobAddress.Of(bytes);
            if (actual == hash)
            {
                return bytes;
            }

            last = new BlobIntegrityException(hash, actual, uri);
        }

        throw last!;
    }

    /// <summary>
    /// Fetches blobs <paramref name="hashes"/>, many to a request (<see cref="BlobBatch"/>), each
    /// batch from the first API that answers it whole with bytes that hash to what was asked;
    /// when none does, blob by blob as <see cref="GetBlobAsync"/> does (an API without the batch
    /// route, blobs spread over several APIs), which throws what is wrong with a blob.
    /// </summary>
    /// <exception cref="BlobIntegrityException">Every API answered a blob with bytes that hash to something else.</exception>
    /// <exception cref="ExchangeApiException">No API has a blob.</exception>
    public async Task<byte[][]> GetBlobsAsync(IReadOnlyList<Bytes32> hashes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hashes);
        var blobs = new byte[hashes.Count][];
        for (var offset = 0; offset < hashes.Count; offset += BlobBatch.MaxBlobsPerRequest)
        {
            var batch = hashes.Skip(offset).Take(BlobBatch.MaxBlobsPerRequest).ToArray();
            var fetched = await TryGetBatchAsync(batch, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < batch.Length; i++)
            {
                blobs[offset + i] = fetched?[i] ?? await GetBlobAsync(batch[i], cancellationToken).ConfigureAwait(false);
            }
        }

        return blobs;
    }

    private async Task<byte[][]?> TryGetBatchAsync(Bytes32[] hashes, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new BlobFetchRequest([.. hashes.Select(h => h.ToString())]), JsonSerializerOptions.Web);
        foreach (var api in _apis)
        {
            using var response = await SendAsync(() =>
            {
                var request = new HttpRequestMessage(HttpMethod.Post, new Uri(api, "blobs/fetch")) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                return request;
            }, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode
                || !response.Headers.TryGetValues(UploadSignature.SizesHeader, out var values)
                || !BlobBatch.TryParseSizes(string.Join(',', values), hashes.Length, 0, out var sizes, out _)
                || sizes.Length != hashes.Length)
            {
                continue;
            }

            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            byte[][]? blobs;
            await using (stream.ConfigureAwait(false))
            {
                blobs = await BlobBatch.ReadAsync(stream, sizes, cancellationToken).ConfigureAwait(false);
            }

            // Every blob is checked against its address, as a single read is: the API is not trusted.
            if (blobs is not null && blobs.Select((b, i) => BlobAddress.Of(b) == hashes[i]).All(ok => ok))
            {
                return blobs;
            }
        }

        return null;
    }

    /// <summary>Whether at least one API holds blob <paramref name="hash"/>.</summary>
    public async Task<bool> HasBlobAsync(Bytes32 hash, CancellationToken cancellationToken)
    {
        foreach (var api in _apis)
        {
            using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Head, new Uri(api, $"blobs/{hash}")), cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>GETs <paramref name="path"/> (relative to each API's base URL) from the first API that answers and reads the JSON body.</summary>
    /// <exception cref="ExchangeApiException">No API answered the request, or one answered an empty body.</exception>
    public async Task<T> GetJsonAsync<T>(string path, JsonSerializerOptions options, CancellationToken cancellationToken)
    {
        Exception? last = null;
        foreach (var api in _apis)
        {
            using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, new Uri(api, path)), cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                last = new ExchangeApiException($"GET {path} from {api}: {await DescribeAsync(response, cancellationToken).ConfigureAwait(false)}", response.StatusCode);
                continue;
            }

            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                return await JsonSerializer.DeserializeAsync<T>(stream, options, cancellationToken).ConfigureAwait(false)
                    ?? throw new ExchangeApiException($"GET {path} from {api}: empty answer");
            }
        }

        throw last!;
    }

    /// <summary>POSTs <paramref name="body"/> as JSON to <paramref name="path"/> (relative to each API's base URL) on every API.</summary>
    /// <exception cref="ExchangeApiException">An API refused the request.</exception>
    public async Task PostJsonAsync<T>(string path, T body, JsonSerializerOptions options, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(body, options);
        foreach (var api in _apis)
        {
            using var response = await SendAsync(() =>
            {
                var request = new HttpRequestMessage(HttpMethod.Post, new Uri(api, path)) { Content = new ByteArrayContent(json) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                return request;
            }, cancellationToken).ConfigureAwait(false);
            await EnsureSuccessAsync(response, $"POST {path} to {api}", cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> build, CancellationToken cancellationToken)
    {
        // One message per call: the resilience handler sends it again on a transient failure, which
        // the buffered contents built here allow.
        using var request = build();
        try
        {
            return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (ExecutionRejectedException e)
        {
            // Out of retries on timeouts, or the circuit is open: callers treat the API as
            // unreachable for now, as they do a refused connection.
            throw new HttpRequestException($"{request.Method} {request.RequestUri}: {e.Message}", e);
        }
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new ExchangeApiException($"{what}: {await DescribeAsync(response, cancellationToken).ConfigureAwait(false)}", response.StatusCode);
        }
    }

    private static async Task<string> DescribeAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = $"{(int)response.StatusCode} {response.ReasonPhrase}";
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var problem = JsonDocument.Parse(body);
            if (problem.RootElement.ValueKind == JsonValueKind.Object && problem.RootElement.TryGetProperty("detail", out var detail))
            {
                return $"{status}: {detail.GetString()}";
            }
        }
        catch (JsonException)
        {
            // Not a problem document: the status says enough.
        }

        return status;
    }
}
