using System.Net;
using System.Net.Http.Json;
using Exchange.Api.State;
using Exchange.Api.Tests.Support;

namespace Exchange.Api.Tests.State;

/// <summary>The indexed-state routes' request handling, on an API whose index is still empty.</summary>
public sealed class IndexedStateRequestTests : IDisposable
{
    private readonly ApiFactory _api = new(new KnownAccountsMarket());
    private readonly HttpClient _http;

    public IndexedStateRequestTests() => _http = _api.CreateClient();

    public void Dispose()
    {
        _http.Dispose();
        _api.Dispose();
    }

    [Fact]
    public async Task Empty_index_answers_empty_lists_and_zero_stats()
    {
        var jobs = await _http.GetFromJsonAsync<JobPage>("/jobs");
        var stats = await _http.GetFromJsonAsync<NetworkStats>("/stats");

        Assert.Empty(jobs!.Items);
        Assert.Equal(0, jobs.Total);
        Assert.Equal(0, stats!.Jobs);
        Assert.Null(stats.GasPerTask);
        Assert.Empty(stats.Throughput);
        Assert.Empty((await _http.GetFromJsonAsync<List<ProviderView>>("/providers"))!);
        Assert.Empty((await _http.GetFromJsonAsync<List<VerifierView>>("/verifiers"))!);
    }

    [Theory]
    [InlineData("/jobs?status=Finished", HttpStatusCode.BadRequest, "status must be one of")]
    [InlineData("/jobs?status=5", HttpStatusCode.BadRequest, "status must be one of")]
    [InlineData("/jobs?client=0x12", HttpStatusCode.BadRequest, "client must be an address")]
    [InlineData("/jobs?provider=bob", HttpStatusCode.BadRequest, "provider must be an address")]
    [InlineData("/jobs?page=0", HttpStatusCode.BadRequest, "page starts at 1")]
    [InlineData("/jobs?pageSize=100000", HttpStatusCode.BadRequest, "pageSize must be between")]
    [InlineData("/jobs?page=first", HttpStatusCode.BadRequest, "page")]
    [InlineData("/jobs/42", HttpStatusCode.NotFound, "No job 42")]
    [InlineData("/jobs/forty-two", HttpStatusCode.NotFound, "Not Found")]
    [InlineData("/providers/0xzz", HttpStatusCode.BadRequest, "address must be")]
    [InlineData("/providers/0x0000000000000000000000000000000000000001", HttpStatusCode.NotFound, "no provider stake")]
    public async Task Bad_query_is_a_problem(string url, HttpStatusCode status, string reason)
    {
        await ProblemAssert.IsProblem(await _http.GetAsync(url), status, reason);
    }

    [Fact]
    public async Task Event_stream_is_served_as_server_sent_events()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/events");
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Dashboard_page_and_its_assets_are_served_at_the_root()
    {
        var page = await _http.GetStringAsync("/");
        var script = await _http.GetAsync("/app.js");
        var style = await _http.GetAsync("/app.css");

        Assert.Contains("<script src=\"app.js\"></script>", page);
        Assert.DoesNotContain("https://", page);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        Assert.Equal("text/css", style.Content.Headers.ContentType?.MediaType);
    }
}
