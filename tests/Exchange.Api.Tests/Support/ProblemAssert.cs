using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Exchange.Api.Tests.Support;

/// <summary>Checks that a response is a ProblemDetails body with the expected status and wording.</summary>
public static class ProblemAssert
{
    public static async Task<JsonElement> IsProblem(HttpResponseMessage response, HttpStatusCode status, string expectedText)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((int)status, body.GetProperty("status").GetInt32());
        Assert.True(body.TryGetProperty("title", out _), "a problem has a title");
        Assert.Contains(expectedText, body.GetRawText(), StringComparison.OrdinalIgnoreCase);
        return body;
    }
}
