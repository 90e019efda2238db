using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Exchange.Api.Blobs;
using Exchange.Api.Client;
using Exchange.Api.Client.Blobs;
using Exchange.Api.Tests.Support;
using static Exchange.Api.Tests.Support.RequestEdits;
using Exchange.Core.Hashing;
using Microsoft.Extensions.DependencyInjection;

namespace Exchange.Api.Tests.Blobs;

/// <summary>Batch uploads and batch reads (<c>POST /blobs/batch</c>, <c>POST /blobs/fetch</c>) on the real API and its SQLite file.</summary>
public sealed class BlobBatchesApiTests : IDisposable
{
    private static readonly byte[][] Blobs = [.. Enumerable.Range(0, 3).Select(b => Enumerable.Range(0, 1000 + (b * 700)).Select(i => (byte)((i * 7) + b)).ToArray())];
    private readonly KnownAccountsMarket _market = new KnownAccountsMarket().Fund(DevKeys.Client.Address(), 1000, 0);
    private readonly ApiFactory _api;
    private readonly HttpClient _http;

    public BlobBatchesApiTests()
    {
        _api = new ApiFactory(_market, new Dictionary<string, string?> { ["Api:MaxBlobBytes"] = "10000", ["Api:MaxBatchBlobs"] = "4" });
        _http = _api.CreateClient();
    }

    public void Dispose()
    {
        _http.Dispose();
        _api.Dispose();
    }

    [Fact]
    public async Task Batch_upload_stores_each_blob_under_its_sha256_and_counts_what_is_new()
    {
        var first = await _http.SendAsync(Uploads.PostBatch(Blobs[..2], DevKeys.Client));
        var second = await _http.SendAsync(Uploads.PostBatch(Blobs, DevKeys.Client));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var receipt = (await second.Content.ReadFromJsonAsync<BlobBatchReceipt>())!;
        Assert.Equal(1, receipt.Stored);
        Assert.Equal(Blobs.Select(Uploads.Address), receipt.Blobs.Select(r => r.Hash));
        Assert.Equal(Blobs.Select(b => (long)b.Length), receipt.Blobs.Select(r => r.Size));
        Assert.Equal(3, _api.CountRows("api_blobs"));
        // One pack file per upload that stored something new, not one file per blob.
        Assert.Equal(2, _api.CountBlobFiles());
        foreach (var blob in Blobs)
        {
            Assert.Equal(blob, await _http.GetByteArrayAsync($"/blobs/{Uploads.Address(blob)}"));
        }
    }

    [Fact]
    public async Task A_batch_is_one_pack_file_whose_blobs_read_as_their_own_slices_whole_and_by_range()
    {
        Assert.Equal(HttpStatusCode.OK, (await _http.SendAsync(Uploads.PostBatch(Blobs, DevKeys.Client))).StatusCode);
        Assert.Equal(1, _api.CountBlobFiles());

        // The middle blob starts 1,000 bytes into the pack and ends 2,400 bytes before its end.
        var middle = Blobs[1];
        var hash = Uploads.Address(middle);
        using var range = new HttpRequestMessage(HttpMethod.Get, $"/blobs/{hash}");
        range.Headers.Range = new RangeHeaderValue(10, 19);
        var partial = await _http.SendAsync(range);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal(middle[10..20], await partial.Content.ReadAsByteArrayAsync());
        Assert.Equal(middle.Length, partial.Content.Headers.ContentRange!.Length);

        using var suffix = new HttpRequestMessage(HttpMethod.Get, $"/blobs/{hash}");
        suffix.Headers.Range = new RangeHeaderValue(null, 5);
        Assert.Equal(middle[^5..], await (await _http.SendAsync(suffix)).Content.ReadAsByteArrayAsync());

        using var past = new HttpRequestMessage(HttpMethod.Get, $"/blobs/{hash}");
        past.Headers.Range = new RangeHeaderValue(middle.Length, middle.Length + 10);
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, (await _http.SendAsync(past)).StatusCode);

        var whole = await _http.GetAsync($"/blobs/{hash}");
        Assert.Equal(middle.Length, whole.Content.Headers.ContentLength);
        Assert.Equal(middle, await whole.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_batch_of_blobs_all_stored_before_leaves_no_pack_behind()
    {
        await _http.SendAsync(Uploads.PostBatch(Blobs, DevKeys.Client));

        var again = (await (await _http.SendAsync(Uploads.PostBatch(Blobs, DevKeys.Client))).Content.ReadFromJsonAsync<BlobBatchReceipt>())!;

        Assert.Equal(0, again.Stored);
        Assert.Equal(1, _api.CountBlobFiles());
    }

    [Fact]
    public async Task A_blob_stored_before_packs_in_a_file_of_its_own_is_still_read()
    {
        // An API upgraded in place: its earlier blobs are files named by hash, their rows name no pack.
        await _http.SendAsync(Uploads.PostBatch(Blobs[..1], DevKeys.Client));
        var old = Enumerable.Range(0, 3000).Select(i => (byte)(i * 13)).ToArray();
        var hash = Uploads.Address(old);
        var file = Path.Combine(_api.DataDirectory, "blobs", hash[2..4], hash[2..]);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await File.WriteAllBytesAsync(file, old);
        _api.Execute($"INSERT INTO api_blobs (hash, size, uploader, created_at) VALUES ('{hash}', {old.Length}, '{DevKeys.Client.Address()}', 1)");

        Assert.Equal(old, await _http.GetByteArrayAsync($"/blobs/{hash}"));
        var fetched = await _http.PostAsJsonAsync("/blobs/fetch", new { hashes = new[] { hash, Uploads.Address(Blobs[0]) } });
        Assert.Equal(old.Concat(Blobs[0]), await fetched.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Batch_read_answers_the_blobs_in_the_order_asked_with_their_sizes()
    {
        await _http.SendAsync(Uploads.PostBatch(Blobs, DevKeys.Client));
        string[] asked = [Uploads.Address(Blobs[2]), Uploads.Address(Blobs[0]), Uploads.Address(Blobs[2])];

        var response = await _http.PostAsJsonAsync("/blobs/fetch", new { hashes = asked });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"{Blobs[2].Length},{Blobs[0].Length},{Blobs[2].Length}", string.Join(',', response.Headers.GetValues(UploadSignature.SizesHeader)));
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(Blobs[2].Concat(Blobs[0]).Concat(Blobs[2]), body);
    }

    public static TheoryData<string, Func<HttpRequestMessage>, HttpStatusCode, string> RefusedBatches()
    {
        var reordered = Blobs.Reverse().SelectMany(b => b).ToArray();
        return new()
        {
            { "sizes missing", () => Without(Uploads.PostBatch(Blobs, DevKeys.Client), UploadSignature.SizesHeader), HttpStatusCode.BadRequest, "comma-separated" },
            { "size not a number", () => Uploads.PostBatch(Blobs, DevKeys.Client, sizes: "1000,lots,2400"), HttpStatusCode.BadRequest, "whole number" },
            { "size zero", () => Uploads.PostBatch(Blobs, DevKeys.Client, sizes: "1000,0,1700,2400"), HttpStatusCode.BadRequest, "at least 1" },
            { "more blobs than allowed", () => Uploads.PostBatch([.. Blobs, [1], [2]], DevKeys.Client), HttpStatusCode.BadRequest, "at most 4 blobs" },
            { "body shorter than the sizes", () => Uploads.PostBatch(Blobs, DevKeys.Client, body: Blobs.SelectMany(b => b).SkipLast(1).ToArray()), HttpStatusCode.BadRequest, "add up to 5100" },
            { "body longer than the sizes", () => Uploads.PostBatch(Blobs, DevKeys.Client, body: [.. Blobs.SelectMany(b => b), 0]), HttpStatusCode.BadRequest, "add up to 5100" },
            { "chunked body shorter than the sizes", () => Chunked(Uploads.PostBatch(Blobs, DevKeys.Client, body: Blobs.SelectMany(b => b).SkipLast(1).ToArray())), HttpStatusCode.BadRequest, "ends before" },
            { "chunked body longer than the sizes", () => Chunked(Uploads.PostBatch(Blobs, DevKeys.Client, body: [.. Blobs.SelectMany(b => b), 0])), HttpStatusCode.BadRequest, "runs on past" },
            { "sizes split the bytes otherwise", () => Uploads.PostBatch(Blobs, DevKeys.Client, sizes: "1001,1699,2400"), HttpStatusCode.Unauthorized, "Bad signature" },
            { "blobs in another order than signed", () => Uploads.PostBatch(Blobs, DevKeys.Client, sizes: "2400,1700,1000", body: reordered), HttpStatusCode.Unauthorized, "Bad signature" },
            { "signature over another count", () => Uploads.PostBatch(Blobs, DevKeys.Client, signedCount: 2), HttpStatusCode.Unauthorized, "Bad signature" },
            { "signature over another digest", () => Uploads.PostBatch(Blobs, DevKeys.Client, signedDigest: "0x" + new string('1', 64)), HttpStatusCode.Unauthorized, "not 0x" },
            { "signature by another key", () => Replace(Uploads.PostBatch(Blobs, DevKeys.Stranger), UploadSignature.SignerHeader, DevKeys.Client.GetPublicAddress()), HttpStatusCode.Unauthorized, "Bad signature" },
            { "signature expired", () => Uploads.PostBatch(Blobs, DevKeys.Client, Uploads.ExpiryIn(TimeSpan.FromSeconds(-5))), HttpStatusCode.Unauthorized, "expired" },
            { "signer unfunded", () => Uploads.PostBatch(Blobs, DevKeys.Stranger), HttpStatusCode.Forbidden, "neither a deposit nor a stake" },
            { "blob over the limit", () => Uploads.PostBatch([new byte[10001]], DevKeys.Client), HttpStatusCode.RequestEntityTooLarge, "at most 10000 bytes" },
            { "batch over the limit", () => Uploads.PostBatch([new byte[6000], new byte[6000]], DevKeys.Client), HttpStatusCode.RequestEntityTooLarge, "at most 10000 bytes" },
            { "size that would overflow a sum", () => Uploads.PostBatch(Blobs, DevKeys.Client, sizes: $"{long.MaxValue},1"), HttpStatusCode.RequestEntityTooLarge, "at most 10000 bytes" },
            { "body sent as a form", () => AsForm(Uploads.PostBatch(Blobs, DevKeys.Client)), HttpStatusCode.UnsupportedMediaType, "Unsupported Media Type" },
        };
    }

    [Theory]
    [MemberData(nameof(RefusedBatches))]
    public async Task Refused_batch_answers_a_problem_and_stores_nothing(string why, Func<HttpRequestMessage> request, HttpStatusCode status, string reason)
    {
        var response = await _http.SendAsync(request());

        await ProblemAssert.IsProblem(response, status, reason);
        Assert.True(_api.CountRows("api_blobs") == 0, why);
        Assert.Equal(0, _api.CountBlobFiles());
    }

    public static TheoryData<string, object, HttpStatusCode, string> RefusedReads() => new()
    {
        { "no hashes", new { hashes = Array.Empty<string>() }, HttpStatusCode.BadRequest, "1 to 4 blobs" },
        { "more hashes than allowed", new { hashes = Enumerable.Repeat(Uploads.Address(Blobs[0]), 5) }, HttpStatusCode.BadRequest, "1 to 4 blobs" },
        { "malformed hash", new { hashes = new[] { Uploads.Address(Blobs[0]), "0x1234" } }, HttpStatusCode.BadRequest, "64 hex digits" },
        { "unknown blob", new { hashes = new[] { Uploads.Address(Blobs[0]), "0x" + new string('b', 64) } }, HttpStatusCode.NotFound, "0xbbbb" },
    };

    [Fact]
    public async Task Batch_read_of_an_unknown_blob_from_an_empty_store_is_a_404_problem()
    {
        var response = await _http.PostAsJsonAsync("/blobs/fetch", new { hashes = new[] { "0x" + new string('c', 64) } });

        await ProblemAssert.IsProblem(response, HttpStatusCode.NotFound, "0xcccc");
    }

    [Theory]
    [MemberData(nameof(RefusedReads))]
    public async Task Batch_read_of_a_bad_list_answers_a_problem(string why, object body, HttpStatusCode status, string reason)
    {
        await _http.SendAsync(Uploads.PostBatch(Blobs, DevKeys.Client));

        var response = await _http.PostAsJsonAsync("/blobs/fetch", body);

        Assert.True(response.StatusCode == status, why);
        await ProblemAssert.IsProblem(response, status, reason);
    }

    [Theory]
    [InlineData("not json", "Bad request")]
    [InlineData("{\"hashes\": 5}", "Bad request")]
    [InlineData("{\"hashes\": null}", "1 to 4 blobs")]
    [InlineData("{}", "1 to 4 blobs")]
    public async Task Batch_read_of_a_malformed_body_answers_a_400_problem(string body, string reason)
    {
        var response = await _http.PostAsync("/blobs/fetch", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        await ProblemAssert.IsProblem(response, HttpStatusCode.BadRequest, reason);
    }

    [Fact]
    public async Task Batch_read_of_more_bytes_than_a_batch_may_hold_is_refused()
    {
        using var api = new ApiFactory(_market, new Dictionary<string, string?> { ["Api:MaxBlobBytes"] = "3000" });
        using var http = api.CreateClient();
        await http.SendAsync(Uploads.PostBatch([Blobs[2]], DevKeys.Client));

        var response = await http.PostAsJsonAsync("/blobs/fetch", new { hashes = new[] { Uploads.Address(Blobs[2]), Uploads.Address(Blobs[2]) } });

        await ProblemAssert.IsProblem(response, HttpStatusCode.RequestEntityTooLarge, "ask for fewer");
    }

    [Fact]
    public async Task Client_puts_and_gets_many_blobs_in_batches_through_kestrel()
    {
        using var api = new ApiFactory(_market);
        var url = api.StartKestrel();
        await using var services = new ServiceCollection().AddExchangeApiClient([url]).Services.BuildServiceProvider();
        var client = services.GetRequiredService<ExchangeApiClient>().SignedBy(DevKeys.Client);
        // More than two requests' worth, of uneven sizes, one of them twice.
        var blobs = Enumerable.Range(0, 150).Select(b => Enumerable.Range(0, 1 + (b * 37 % 5000)).Select(i => (byte)(i ^ b)).ToArray()).ToList();
        blobs.Add(blobs[7]);

        var hashes = await client.PutBlobsAsync([.. blobs.Select(b => (ReadOnlyMemory<byte>)b)], CancellationToken.None);
        var read = await client.GetBlobsAsync([.. hashes.Reverse()], CancellationToken.None);

        Assert.Equal(blobs.Select(Uploads.Address), hashes.Select(h => h.ToString()));
        Assert.Equal(150, api.CountRows("api_blobs"));
        Assert.Equal(Enumerable.Reverse(blobs), read);
    }

    [Fact]
    public async Task Client_halves_its_batches_for_an_api_with_a_lower_limit_and_refuses_only_a_blob_too_large()
    {
        using var api = new ApiFactory(_market, new Dictionary<string, string?> { ["Api:MaxBlobBytes"] = "3000" });
        var url = api.StartKestrel();
        await using var services = new ServiceCollection().AddExchangeApiClient([url]).Services.BuildServiceProvider();
        var client = services.GetRequiredService<ExchangeApiClient>().SignedBy(DevKeys.Client);
        var blobs = Enumerable.Range(0, 10).Select(b => Enumerable.Repeat((byte)b, 1000).ToArray()).ToList();

        var hashes = await client.PutBlobsAsync([.. blobs.Select(b => (ReadOnlyMemory<byte>)b)], CancellationToken.None);
        var tooLarge = await Assert.ThrowsAsync<ExchangeApiException>(() => client.PutBlobsAsync([new byte[500], new byte[3001]], CancellationToken.None));

        Assert.Equal(blobs, await client.GetBlobsAsync(hashes, CancellationToken.None));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.Status);
        Assert.Equal(11, api.CountRows("api_blobs"));
    }
}
