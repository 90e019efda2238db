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
        await ProblemAssert.IsProblem(await _http.GetAsync("/no/such/route"), HttpStatusCode.NotFound, "404");
    }

    [Fact]
    public async Task Wrong_method_is_a_405_problem()
    {
        await ProblemAssert.IsProblem(await _http.DeleteAsync($"/blobs/0x{new string('a', 64)}"), HttpStatusCode.MethodNotAllowed, "405");
    }

    [Fact]
    public async Task Requests_past_the_per_ip_limit_answer_a_429_problem()
    {
        using var api = new ApiFactory(new KnownAccountsMarket(), new Dictionary<string, string?> { ["Api:RequestsPerSecondPerIp"] = "3" });
        using var http = api.CreateClient();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            statuses.Add((await http.GetAsync($"/blobs/0x{new string('c', 64)}")).StatusCode);
        }

        var refused = await http.GetAsync($"/blobs/0x{new string('c', 64)}");

        var body = await ProblemAssert.IsProblem(refused, HttpStatusCode.TooManyRequests, "rate limit");
        Assert.True(refused.Headers.RetryAfter is not null || body.GetProperty("status").GetInt32() == 429);
        Assert.Contains(HttpStatusCode.NotFound, statuses);
    }
}
