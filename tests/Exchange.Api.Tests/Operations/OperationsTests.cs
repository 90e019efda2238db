using System.Net;
using System.Text.Json;
using Exchange.Api.Tests.Support;

namespace Exchange.Api.Tests.Operations;

public sealed class OperationsTests : IDisposable
{
    private readonly ApiFactory _api = new(new KnownAccountsMarket());
    private readonly HttpClient _http;

    public OperationsTests() => _http = _api.CreateClient();

    public void Dispose()
    {
        _http.Dispose();
        _api.Dispose();
    }

    [Fact]
    public async Task Health_reports_healthy_with_a_database()
    {
        var response = await _http.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task OpenApi_document_lists_the_routes()
    {
        var document = JsonDocument.Parse(await _http.GetStringAsync("/openapi/v1.json"));

        var paths = document.RootElement.GetProperty("paths");
        foreach (var path in new[] { "/blobs", "/blobs/{hash}", "/offers", "/offers/{digest}", "/jobs", "/jobs/{id}", "/providers", "/providers/{address}", "/verifiers", "/stats", "/events" })
        {
            Assert.True(paths.TryGetProperty(path, out _), $"{path} is documented");
        }
    }

    [Fact]
    public async Task Reference_page_is_served_without_a_cdn()
    {
        var page = await _http.GetStringAsync("/scalar/");
        var script = await _http.GetAsync("/scalar/scalar.js");

        Assert.Contains("openapi/v1.json", page);
        Assert.DoesNotContain("https://", page);
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.True((await script.Content.ReadAsByteArrayAsync()).Length > 100_000, "the reference page's script is bundled");
    }

    [Fact]
    public async Task Metrics_are_exposed_in_prometheus_text()
    {
        using var api = new ApiFactory(new KnownAccountsMarket().Fund(DevKeys.Client.Address(), 1, 0));
        using var http = api.CreateClient();
        Assert.Equal(HttpStatusCode.Created, (await http.SendAsync(Uploads.Put([1, 2, 3], DevKeys.Client))).StatusCode);
        await http.SendAsync(Uploads.Put([4], DevKeys.Stranger));

        var metrics = await http.GetStringAsync("/metrics");

        Assert.Contains("http_server_request_duration_seconds", metrics);
        // OpenTelemetry's listener is process-wide: meters of the same name in the other test apps
        // running in parallel add to this count, so only "at least one" is certain.
        Assert.Matches(@"exchange_blobs_stored_total(\{[^}]*\})? [1-9][0-9]*", metrics);
        Assert.Contains("exchange_requests_refused_total{", metrics);
        Assert.Contains("reason=\"unfunded\"", metrics);
    }

    [Fact]
    public async Task Unknown_route_is_a_404_problem()
    {
        var body = await ProblemAssert.IsProblem(await _http.GetAsync("/no/such/route"), HttpStatusCode.NotFound, "Not Found");

        Assert.Equal("Not Found", body.GetProperty("title").GetString());
    }

    [Fact]
    public async Task Wrong_method_is_a_405_problem()
    {
        var body = await ProblemAssert.IsProblem(await _http.DeleteAsync($"/blobs/0x{new string('a', 64)}"), HttpStatusCode.MethodNotAllowed, "Method Not Allowed");

        Assert.Equal("Method Not Allowed", body.GetProperty("title").GetString());
    }

    [Fact]
    public async Task Requests_past_the_per_ip_limit_answer_a_429_problem()
    {
        using var api = new ApiFactory(new KnownAccountsMarket(), new Dictionary<string, string?> { ["Api:RequestsPerSecondPerIp"] = "3" });
        using var http = api.CreateClient();
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? refused = null;
        // The bucket refills every second, so on a slow machine a few more requests may pass before one is refused.
        for (var i = 0; i < 100 && refused is null; i++)
        {
            var response = await http.GetAsync($"/blobs/0x{new string('c', 64)}");
            statuses.Add(response.StatusCode);
            refused = response.StatusCode == HttpStatusCode.TooManyRequests ? response : null;
        }

        Assert.NotNull(refused);
        var body = await ProblemAssert.IsProblem(refused, HttpStatusCode.TooManyRequests, "rate limit");
        Assert.Equal("The rate limit for this client was reached; retry later.", body.GetProperty("detail").GetString());
        // A bucket of 3 a second is refilled within the second: the client is told to come back in 1 s.
        Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);
        Assert.True(statuses.Take(3).All(s => s == HttpStatusCode.NotFound), string.Join(", ", statuses));
    }
}
