using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CsCheck;
using Exchange.Api.Blobs;
using Exchange.Api.Client.Blobs;
using Exchange.Api.Tests.Support;
using Exchange.TestSupport.Fuzzing;
using Xunit.Abstractions;

namespace Exchange.Api.Tests.Fuzz;

/// <summary>
/// Generated requests to every route that reads a body, a header or a query: each is answered, with
/// a 2xx, or a 4xx ProblemDetails body; never a 5xx, never a dropped connection.
/// </summary>
public sealed class RequestFuzzTests : IDisposable
{
    private const int Cases = 1_500;

    private static readonly string[] OfferKeys = ["provider", "modelId", "unitPrice", "maxTasks", "minTurnaround", "expiry", "region", "nonce", "signature"];
    private static readonly string[] RevealKeys = ["jobId", "manifestHash", "recipient", "keys", "index", "box"];

    private static readonly string[] Segments =
    [
        "", "0", "42", "-1", "012", "18446744073709551616", "0x", "0x1234", "0x" + new string('a', 40), "0x" + new string('A', 64), "0x" + new string('z', 64),
        DevKeys.Provider.Address(), DevKeys.Verifier.Address(), "%FF", "..", "%2e%2e", "a b", "é", new string('9', 400), "Finished", "1e3",
    ];

    private static readonly string[] QueryNames = ["model", "region", "maxUnitPrice", "maxTurnaround", "limit", "status", "client", "provider", "page", "pageSize", "since"];

    private readonly ApiFactory _api;
    private readonly HttpClient _http;
    private readonly ITestOutputHelper _output;

    public RequestFuzzTests(ITestOutputHelper output)
    {
        _output = output;
        var market = new KnownAccountsMarket().Fund(DevKeys.Provider.Address(), 10, 1_000_000).Fund(DevKeys.Client.Address(), 1, 0);
        // Limits high enough that generated requests reach the handlers instead of the rate limiter.
        _api = new ApiFactory(market, new Dictionary<string, string?>
        {
            ["Api:RequestsPerSecondPerIp"] = "1000000",
            ["Api:WritesPerSecondPerAddress"] = "1000000",
        });
        _http = _api.CreateClient();
    }

    public void Dispose()
    {
        _http.Dispose();
        _api.Dispose();
    }

    [Fact]
    public async Task Generated_requests_are_answered_without_a_server_error()
    {
        var offerSeed = JsonSerializer.SerializeToUtf8Bytes(SignedOffers.Create(DevKeys.Provider, new KnownAccountsMarket().Terms), JsonOptions);
        var offers = Gen.OneOf(JsonTexts.Documents(OfferKeys), ByteMutations.Of([offerSeed]))
            .Select(body => Request(HttpMethod.Post, "/offers", body, "application/json"));
        var reveals = Gen.Select(Gen.OneOf(Segments), Gen.OneOf(Segments), JsonTexts.Documents(RevealKeys), Signature, (job, to, body, signature) =>
            Signed(Request(HttpMethod.Put, $"/jobs/{job}/keys/{to}", body, "application/octet-stream"), signature));
        var blobs = Gen.Select(Gen.Byte.Array[0, 64], Signature, Gen.OneOf(Segments), (body, signature, expected) =>
            With(Signed(Request(HttpMethod.Put, "/blobs", body, "application/octet-stream"), signature), UploadSignature.ExpectedHashHeader, expected));
        var reads = Gen.Select(Gen.OneOf("/offers", "/jobs", "/providers", "/verifiers", "/blobs", "/jobs/{0}/keys", "/stats"), Gen.OneOf(Segments),
            Gen.Select(Gen.OneOf(QueryNames), Gen.OneOf(Segments)).Array[0, 4], (route, segment, query) =>
            Request(HttpMethod.Get, Url(route, segment, query), null, null));
        var requests = Gen.Frequency((3, (IGen<Func<HttpRequestMessage>>)offers), (2, reveals), (2, blobs), (3, reads));

        var ran = await ParserFuzz.RunAsync(requests, Cases, async request =>
        {
            using var message = request();
            using var response = await _http.SendAsync(message);
            var status = (int)response.StatusCode;
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(status < 500, $"{message.Method} {message.RequestUri} answered {status}: {body}");
            if (status >= 400)
            {
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
                Assert.Equal(status, problem.GetProperty("status").GetInt32());
            }
        }, _ => false, describe => describe().RequestUri?.ToString() ?? "");

        _output.WriteLine($"{ran} generated requests");
        Assert.True(ran >= Cases, $"ran {ran} cases");
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    // A 65-byte signature of random bytes half the time, otherwise text that is not one.
    private static readonly Gen<string> Signature = Gen.OneOf(
        Gen.Byte.Array[65].Select(b => "0x" + Convert.ToHexString(b)),
        Gen.OneOf(Segments));

    // A request is built per send, as HttpRequestMessage cannot be sent twice (CsCheck may replay an input while shrinking).
    private static Func<HttpRequestMessage> Request(HttpMethod method, string url, byte[]? body, string? contentType) => () =>
    {
        var request = new HttpRequestMessage(method, url);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType!);
        }

        return request;
    };

    private static Func<HttpRequestMessage> Signed(Func<HttpRequestMessage> request, string signature) => () =>
    {
        var message = request();
        message.Headers.TryAddWithoutValidation(UploadSignature.SignerHeader, DevKeys.Client.Address());
        message.Headers.TryAddWithoutValidation(UploadSignature.ExpiryHeader, Uploads.ExpiryIn(TimeSpan.FromMinutes(5)).ToString(CultureInfo.InvariantCulture));
        message.Headers.TryAddWithoutValidation(UploadSignature.SignatureHeader, signature);
        return message;
    };

    private static Func<HttpRequestMessage> With(Func<HttpRequestMessage> request, string header, string value) => () =>
    {
        var message = request();
        message.Headers.TryAddWithoutValidation(header, value);
        return message;
    };

    private static string Url(string route, string segment, (string Name, string Value)[] query)
    {
        var path = route.Contains("{0}", StringComparison.Ordinal)
            ? string.Format(CultureInfo.InvariantCulture, route, Uri.EscapeDataString(segment)) + "/" + DevKeys.Verifier.Address()
            : segment.Length > 0 && route != "/stats" ? $"{route}/{Uri.EscapeDataString(segment)}" : route;
        var text = new StringBuilder(path);
        for (var i = 0; i < query.Length; i++)
        {
            text.Append(i == 0 ? '?' : '&').Append(query[i].Name).Append('=').Append(Uri.EscapeDataString(query[i].Value));
        }

        return text.ToString();
    }
}
