using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Exchange.Api.Blobs;
using Exchange.Api.Client.Blobs;
using Exchange.Api.Tests.Support;
using static Exchange.Api.Tests.Support.RequestEdits;
using Exchange.Core.Hashing;

namespace Exchange.Api.Tests.Blobs;

public sealed class BlobsApiTests : IDisposable
{
    private static readonly byte[] Payload = Enumerable.Range(0, 5000).Select(i => (byte)(i * 7)).ToArray();
    private readonly KnownAccountsMarket _market = new KnownAccountsMarket().Fund(DevKeys.Client.Address(), 1000, 0);
    private readonly ApiFactory _api;
    private readonly HttpClient _http;

    public BlobsApiTests()
    {
        _api = new ApiFactory(_market, new Dictionary<string, string?> { ["Api:MaxBlobBytes"] = "10000" });
        _http = _api.CreateClient();
    }

    public void Dispose()
    {
        _http.Dispose();
        _api.Dispose();
    }

    [Fact]
    public async Task Put_then_get_returns_the_same_bytes_under_their_sha256()
    {
        var put = await _http.SendAsync(Uploads.Put(Payload, DevKeys.Client));

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        var receipt = await put.Content.ReadFromJsonAsync<BlobReceipt>();
        Assert.Equal(Uploads.Address(Payload), receipt!.Hash);
        Assert.Equal(Bytes32.Parse(receipt.Hash).ToCid(), receipt.Cid);
        Assert.Equal(Payload.Length, receipt.Size);
        Assert.Equal($"/blobs/{receipt.Hash}", put.Headers.Location!.OriginalString);

        var get = await _http.GetAsync($"/blobs/{receipt.Hash}");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(Payload, await get.Content.ReadAsByteArrayAsync());
        Assert.Equal($"\"{receipt.Hash}\"", get.Headers.ETag!.Tag);
    }

    [Fact]
    public async Task Put_of_stored_bytes_answers_ok_and_keeps_one_copy()
    {
        Assert.Equal(HttpStatusCode.Created, (await _http.SendAsync(Uploads.Put(Payload, DevKeys.Client))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _http.SendAsync(Uploads.Put(Payload, DevKeys.Client))).StatusCode);

        Assert.Equal(1, _api.CountRows("api_blobs"));
        Assert.Equal(1, _api.CountBlobFiles());
    }

    [Fact]
    public async Task Put_with_matching_expected_hash_is_stored()
    {
        var request = Uploads.Put(Payload, DevKeys.Client);
        request.Headers.Add(UploadSignature.ExpectedHashHeader, "0x" + Uploads.Address(Payload)[2..].ToUpperInvariant());

        Assert.Equal(HttpStatusCode.Created, (await _http.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task Get_with_range_returns_the_requested_slice()
    {
        var hash = Uploads.Address(Payload);
        await _http.SendAsync(Uploads.Put(Payload, DevKeys.Client));
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/blobs/{hash}");
        request.Headers.Range = new RangeHeaderValue(100, 199);

        var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(Payload[100..200], await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(Payload.Length, response.Content.Headers.ContentRange!.Length);
    }

    [Fact]
    public async Task Get_with_matching_etag_answers_not_modified()
    {
        var hash = Uploads.Address(Payload);
        await _http.SendAsync(Uploads.Put(Payload, DevKeys.Client));
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/blobs/{hash}");
        request.Headers.IfNoneMatch.Add(new EntityTagHeaderValue($"\"{hash}\""));

        Assert.Equal(HttpStatusCode.NotModified, (await _http.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task Head_tells_existence_and_size_without_a_body()
    {
        var hash = Uploads.Address(Payload);
        await _http.SendAsync(Uploads.Put(Payload, DevKeys.Client));

        var present = await _http.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/blobs/{hash}"));
        var absent = await _http.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/blobs/0x{new string('a', 64)}"));

        Assert.Equal(HttpStatusCode.OK, present.StatusCode);
        Assert.Equal(Payload.Length, present.Content.Headers.ContentLength);
        Assert.Empty(await present.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.NotFound, absent.StatusCode);
    }

    [Fact]
    public async Task Get_and_head_by_cid_name_the_same_blob()
    {
        var receipt = await (await _http.SendAsync(Uploads.Put(Payload, DevKeys.Client))).Content.ReadFromJsonAsync<BlobReceipt>();

        var get = await _http.GetAsync($"/blobs/{receipt!.Cid}");
        var head = await _http.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/blobs/{receipt.Cid}"));

        Assert.Equal(Payload, await get.Content.ReadAsByteArrayAsync());
        Assert.Equal($"\"{receipt.Hash}\"", get.Headers.ETag!.Tag);
        Assert.Equal(Payload.Length, head.Content.Headers.ContentLength);
    }

    [Fact]
    public async Task Get_of_unknown_blob_is_a_404_problem()
    {
        await ProblemAssert.IsProblem(await _http.GetAsync($"/blobs/0x{new string('b', 64)}"), HttpStatusCode.NotFound, "No blob");
    }

    [Fact]
    public async Task Get_of_malformed_hash_is_a_400_problem()
    {
        await ProblemAssert.IsProblem(await _http.GetAsync("/blobs/0x1234"), HttpStatusCode.BadRequest, "64 hex digits");
        await ProblemAssert.IsProblem(await _http.GetAsync("/blobs/bafkreinotacid"), HttpStatusCode.BadRequest, "CIDv1");
    }

    public static TheoryData<string, Func<HttpRequestMessage>, HttpStatusCode, string> RefusedUploads()
    {
        var expiry = Uploads.ExpiryIn(TimeSpan.FromMinutes(5));
        return new()
        {
            { "expected hash differs", () => With(Uploads.Put(Payload, DevKeys.Client), UploadSignature.ExpectedHashHeader, "0x" + new string('0', 64)), HttpStatusCode.BadRequest, "hashes to" },
            { "expected hash malformed", () => With(Uploads.Put(Payload, DevKeys.Client), UploadSignature.ExpectedHashHeader, "0xabc"), HttpStatusCode.BadRequest, "64 hex digits" },
            { "signer missing", () => Without(Uploads.Put(Payload, DevKeys.Client), UploadSignature.SignerHeader), HttpStatusCode.BadRequest, "Signer must be" },
            { "signer malformed", () => Replace(Uploads.Put(Payload, DevKeys.Client), UploadSignature.SignerHeader, "0xnothex"), HttpStatusCode.BadRequest, "Signer must be" },
            { "expiry missing", () => Without(Uploads.Put(Payload, DevKeys.Client), UploadSignature.ExpiryHeader), HttpStatusCode.BadRequest, "UNIX seconds" },
            { "expiry not a number", () => Replace(Uploads.Put(Payload, DevKeys.Client), UploadSignature.ExpiryHeader, "tomorrow"), HttpStatusCode.BadRequest, "UNIX seconds" },
            { "signature missing", () => Without(Uploads.Put(Payload, DevKeys.Client), UploadSignature.SignatureHeader), HttpStatusCode.BadRequest, "EIP-191 signature" },
            { "signature expired", () => Uploads.Put(Payload, DevKeys.Client, Uploads.ExpiryIn(TimeSpan.FromSeconds(-5))), HttpStatusCode.Unauthorized, "expired" },
            { "expiry too far ahead", () => Uploads.Put(Payload, DevKeys.Client, Uploads.ExpiryIn(TimeSpan.FromDays(2))), HttpStatusCode.BadRequest, "at most 3600 seconds" },
            { "signature over another hash", () => Uploads.Put(Payload, DevKeys.Client, expiry, "0x" + new string('1', 64)), HttpStatusCode.Unauthorized, "not 0x" },
            { "signature by another key", () => Replace(Uploads.Put(Payload, DevKeys.Stranger), UploadSignature.SignerHeader, DevKeys.Client.GetPublicAddress()), HttpStatusCode.Unauthorized, "not 0x" },
            { "signature garbage", () => Replace(Uploads.Put(Payload, DevKeys.Client), UploadSignature.SignatureHeader, "0x1234"), HttpStatusCode.Unauthorized, "Bad signature" },
            { "signer unfunded", () => Uploads.Put(Payload, DevKeys.Stranger), HttpStatusCode.Forbidden, "neither a deposit nor a stake" },
            { "body empty", () => Uploads.Put([], DevKeys.Client), HttpStatusCode.BadRequest, "at least one byte" },
            { "body over the limit", () => Uploads.Put(new byte[10001], DevKeys.Client), HttpStatusCode.RequestEntityTooLarge, "at most 10000 bytes" },
            { "body sent as a form", () => AsForm(Uploads.Put(Payload, DevKeys.Client)), HttpStatusCode.UnsupportedMediaType, "Unsupported Media Type" },
            { "chunked body over the limit", () => Chunked(Uploads.Put(new byte[20000], DevKeys.Client)), HttpStatusCode.RequestEntityTooLarge, "at most 10000 bytes" },
        };
    }

    [Theory]
    [MemberData(nameof(RefusedUploads))]
    public async Task Refused_upload_answers_a_problem_and_stores_nothing(string why, Func<HttpRequestMessage> request, HttpStatusCode status, string reason)
    {
        var response = await _http.SendAsync(request());

        await ProblemAssert.IsProblem(response, status, reason);
        Assert.True(_api.CountRows("api_blobs") == 0, why);
        Assert.Equal(0, _api.CountBlobFiles());
    }

    [Fact]
    public async Task Uploads_past_the_per_address_limit_answer_429_and_store_nothing_more()
    {
        using var api = new ApiFactory(_market, new Dictionary<string, string?> { ["Api:WritesPerSecondPerAddress"] = "2" });
        using var http = api.CreateClient();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            statuses.Add((await http.SendAsync(Uploads.Put([(byte)i, 1, 2, 3], DevKeys.Client))).StatusCode);
        }

        var refused = await http.SendAsync(Uploads.Put([9, 9, 9], DevKeys.Client));
        await ProblemAssert.IsProblem(refused, HttpStatusCode.TooManyRequests, "this address");
        Assert.Equal(statuses.Count(s => s == HttpStatusCode.Created), api.CountRows("api_blobs"));
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
    }
}
